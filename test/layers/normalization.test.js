// BatchNormalization and LayerNormalization against float64 references
// computed here (batch statistics use the biased variance, as Keras and
// TF.js); gradients against central differences of those references and
// test/ops/gradcheck.js; the moving statistics through fit, custom loops,
// optimizers, predict and evaluate; configs, save/load, summary and errors.
// Serial: most tests compare tf.memory() before and after.
const test = require('ava').serial;
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('../../dist');
const { close, numericGrad, values, dot } = require('./helpers');
const { gradcheck } = require('../ops/gradcheck');

const { layers } = tf;

// ------------------------------------------------------------------ float64 references

function stridesOf(shape) {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

function indexOf(i, shape, strides) {
  return shape.map((d, k) => Math.floor(i / strides[k]) % d);
}

/** Mean and biased variance of each entry of `axis`, over every other axis. */
function batchMoments(x, shape, axis) {
  const st = stridesOf(shape);
  const c = shape[axis];
  const n = x.length / c;
  const mean = new Array(c).fill(0);
  const variance = new Array(c).fill(0);
  for (let i = 0; i < x.length; i++) mean[indexOf(i, shape, st)[axis]] += x[i] / n;
  for (let i = 0; i < x.length; i++) {
    const k = indexOf(i, shape, st)[axis];
    variance[k] += (x[i] - mean[k]) ** 2 / n;
  }
  return { mean, variance };
}

/** (x - mean) / sqrt(variance + eps) * gamma + beta, per entry of `axis`. */
function bnRef(x, shape, axis, mean, variance, gamma, beta, eps) {
  const st = stridesOf(shape);
  return x.map((v, i) => {
    const k = indexOf(i, shape, st)[axis];
    return ((v - mean[k]) / Math.sqrt(variance[k] + eps)) * (gamma ? gamma[k] : 1) + (beta ? beta[k] : 0);
  });
}

function bnTrainRef(x, shape, axis, gamma, beta, eps) {
  const { mean, variance } = batchMoments(x, shape, axis);
  return bnRef(x, shape, axis, mean, variance, gamma, beta, eps);
}

/**
 * Layer norm over `axes` of each sample; gamma/beta are indexed as Keras
 * broadcasts them: row-major over the normalised axes in increasing order.
 */
function lnRef(x, shape, axes, gamma, beta, eps) {
  const st = stridesOf(shape);
  const sorted = axes.slice().sort((a, b) => a - b);
  const groups = new Map();
  const info = [];
  for (let i = 0; i < x.length; i++) {
    const idx = indexOf(i, shape, st);
    const key = idx.map((d, k) => (sorted.includes(k) ? '*' : d)).join(',');
    let p = 0;
    for (const a of sorted) p = p * shape[a] + idx[a];
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(i);
    info.push({ key, p });
  }
  const stats = new Map();
  for (const [key, members] of groups) {
    const m = members.reduce((s, i) => s + x[i], 0) / members.length;
    const v = members.reduce((s, i) => s + (x[i] - m) ** 2, 0) / members.length;
    stats.set(key, { m, v });
  }
  return x.map((v, i) => {
    const { m, v: variance } = stats.get(info[i].key);
    const p = info[i].p;
    return ((v - m) / Math.sqrt(variance + eps)) * (gamma ? gamma[p] : 1) + (beta ? beta[p] : 0);
  });
}

/** Values with a different mean and spread per entry of the last axis, so the statistics matter. */
function featureValues(shape, seed) {
  const c = shape[shape.length - 1];
  return values(shape.reduce((a, b) => a * b, 1), seed).map((v, i) => (1 + (i % c)) * v + 0.5 * (i % c) - 0.3);
}

const read = (v) => Array.from((v.read ? v.read() : v).dataSync());

/** A built batch-norm layer with given weights (gamma, beta, moving mean, moving variance). */
function bnWith(shape, args, weights) {
  const layer = layers.batchNormalization(args);
  tf.tidy(() => layer.apply(tf.zeros(shape.map((d, i) => (i === 0 ? 1 : d)))));
  if (weights) layer.setWeights(weights.map((w) => tf.tensor(w, [w.length])));
  return layer;
}

const C = 3;
const GAMMA = [1.5, -0.5, 0.8];
const BETA = [0.1, -0.2, 0.3];
const MM = [0.2, -0.1, 0.4];
const MV = [0.5, 2, 1.2];

// ------------------------------------------------------------------ BatchNormalization: values

const BN_CASES = [
  { what: 'after Dense [N, C]', shape: [6, C], axis: -1 },
  { what: 'after Conv2D [N, H, W, C]', shape: [2, 3, 2, C], axis: -1 },
  { what: 'channels first [N, C, L], axis 1', shape: [4, C, 5], axis: 1 },
  { what: 'channels first [N, C, H, W], axis 1', shape: [2, C, 2, 3], axis: 1 },
];

for (const { what, shape, axis } of BN_CASES) {
  const pos = axis < 0 ? axis + shape.length : axis;
  const X = values(shape.reduce((a, b) => a * b, 1), 21).map((v, i) => 2 * v + (i % 7) * 0.3);

  test(`batchNormalization ${what}: inference uses the moving statistics`, (t) => {
    const layer = bnWith(shape, { axis }, [GAMMA, BETA, MM, MV]);
    const before = tf.memory().numTensors;
    const x = tf.tensor(X, shape);
    const y = layer.apply(x);
    t.deepEqual(y.shape, shape);
    close(t, y.dataSync(), bnRef(X, shape, pos, MM, MV, GAMMA, BETA, 1e-3), 2e-6, 'y');
    tf.dispose([x, y]);
    t.is(tf.memory().numTensors, before);
    t.deepEqual(read(layer.movingMean), MM.map(Math.fround));
  });

  test(`batchNormalization ${what}: training uses the batch statistics and moves the moving ones`, (t) => {
    const momentum = 0.9;
    const layer = bnWith(shape, { axis, momentum, epsilon: 1e-2 }, [GAMMA, BETA, MM, MV]);
    const before = tf.memory().numTensors;
    const x = tf.tensor(X, shape);
    const y = layer.apply(x, { training: true });
    close(t, y.dataSync(), bnTrainRef(X, shape, pos, GAMMA, BETA, 1e-2), 1e-5, 'y');
    tf.dispose([x, y]);
    t.is(tf.memory().numTensors, before, 'nothing but the output is left');
    const { mean, variance } = batchMoments(X, shape, pos);
    close(t, read(layer.movingMean), MM.map((m, k) => m * momentum + mean[k] * (1 - momentum)), 1e-6, 'moving_mean');
    close(t, read(layer.movingVariance), MV.map((v, k) => v * momentum + variance[k] * (1 - momentum)), 1e-6, 'moving_variance');
  });
}

test('batchNormalization: center and scale off leave only the moving statistics', (t) => {
  const shape = [5, C];
  const X = featureValues(shape, 3);
  const layer = bnWith(shape, { center: false, scale: false });
  t.deepEqual(layer.weights.map((w) => w.originalName), [`${layer.name}/moving_mean`, `${layer.name}/moving_variance`]);
  t.is(layer.trainableWeights.length, 0);
  const y = layer.apply(tf.tensor(X, shape), { training: true });
  close(t, y.dataSync(), bnTrainRef(X, shape, 1, null, null, 1e-3), 1e-5, 'y');
  const inference = layer.apply(tf.tensor(X, shape));
  const { mean, variance } = batchMoments(X, shape, 1);
  const mm = mean.map((m) => 0.01 * m);
  const mv = variance.map((v) => 0.99 + 0.01 * v);
  close(t, inference.dataSync(), bnRef(X, shape, 1, mm, mv, null, null, 1e-3), 1e-5, 'inference y');
});

test('batchNormalization: weights are gamma, beta, moving_mean, moving_variance; the last two non-trainable', (t) => {
  const layer = bnWith([2, 4], {});
  t.deepEqual(layer.weights.map((w) => w.originalName), ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((n) => `${layer.name}/${n}`));
  t.deepEqual(layer.trainableWeights.map((w) => w.originalName), [`${layer.name}/gamma`, `${layer.name}/beta`]);
  t.deepEqual(layer.nonTrainableWeights.map((w) => w.originalName), [`${layer.name}/moving_mean`, `${layer.name}/moving_variance`]);
  t.deepEqual(layer.weights.map((w) => read(w)), [[1, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]]);
  t.false(layer.movingMean.val.trainable);
  t.false(layer.movingVariance.val.trainable);
});

test('batchNormalization: initializers are used for each weight', (t) => {
  const layer = bnWith([2, 2], {
    gammaInitializer: tf.initializers.constant({ value: 2 }),
    betaInitializer: 'ones',
    movingMeanInitializer: tf.initializers.constant({ value: 0.5 }),
    movingVarianceInitializer: 'zeros',
  });
  t.deepEqual(layer.getWeights().map((w) => Array.from(w.dataSync())), [[2, 2], [1, 1], [0.5, 0.5], [0, 0]]);
});

// ------------------------------------------------------------------ BatchNormalization: gradients

for (const { what, shape, axis } of [BN_CASES[0], BN_CASES[1], BN_CASES[2]]) {
  const pos = axis < 0 ? axis + shape.length : axis;
  const size = shape.reduce((a, b) => a * b, 1);
  const X = values(size, 31).map((v, i) => 1.5 * v + (i % 5) * 0.2);
  const DY = values(size, 32);

  test(`batchNormalization ${what}: training gradients w.r.t. x, gamma and beta match central differences`, (t) => {
    const layer = bnWith(shape, { axis }, [GAMMA, BETA, MM, MV]);
    const x = tf.tensor(X, shape);
    const dy = tf.tensor(DY, shape);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, { training: true }), dy)), [layer.gamma.val, layer.beta.val]);
    const dx = tf.grad((v) => layer.apply(v, { training: true }))(x, dy);
    const loss = (xv, g, b) => dot(bnTrainRef(xv, shape, pos, g, b, 1e-3), DY);
    close(t, dx.dataSync(), numericGrad((v) => loss(v, GAMMA, BETA), X), 2e-3, 'dx');
    close(t, grads[layer.gamma.name].dataSync(), numericGrad((v) => loss(X, v, BETA), GAMMA), 2e-3, 'dgamma');
    close(t, grads[layer.beta.name].dataSync(), numericGrad((v) => loss(X, GAMMA, v), BETA), 2e-3, 'dbeta');
    tf.dispose([value, dx, ...Object.values(grads)]);
    t.is(tf.memory().numTensors, before, 'the gradients leave nothing behind');
    gradcheck(t, (v) => layer.apply(v, { training: true }), [x], { label: 'gradcheck dx (training)' });
  });

  test(`batchNormalization ${what}: inference gradients w.r.t. x, gamma and beta match central differences`, (t) => {
    const layer = bnWith(shape, { axis }, [GAMMA, BETA, MM, MV]);
    const x = tf.tensor(X, shape);
    const dy = tf.tensor(DY, shape);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x), dy)), [layer.gamma.val, layer.beta.val]);
    const dx = tf.grad((v) => layer.apply(v))(x, dy);
    const loss = (xv, g, b) => dot(bnRef(xv, shape, pos, MM, MV, g, b, 1e-3), DY);
    close(t, dx.dataSync(), numericGrad((v) => loss(v, GAMMA, BETA), X), 1e-4, 'dx');
    close(t, grads[layer.gamma.name].dataSync(), numericGrad((v) => loss(X, v, BETA), GAMMA), 1e-4, 'dgamma');
    close(t, grads[layer.beta.name].dataSync(), numericGrad((v) => loss(X, GAMMA, v), BETA), 1e-4, 'dbeta');
    gradcheck(t, (v) => layer.apply(v), [x], { label: 'gradcheck dx (inference)' });
  });
}

// ------------------------------------------------------------------ BatchNormalization: moving statistics in training

test('batchNormalization: after N fit steps the moving statistics follow the momentum recurrence', async (t) => {
  const n = 12;
  const batch = 4;
  const epochs = 2;
  const momentum = 0.9;
  const X = featureValues([n, C], 41);
  const Y = values(n, 42);
  const bn = layers.batchNormalization({ momentum, inputShape: [C] });
  const model = tf.sequential({ layers: [bn, layers.dense({ units: 1 })] });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  const x = tf.tensor(X, [n, C]);
  const y = tf.tensor(Y, [n, 1]);
  const gamma0 = read(bn.gamma);
  const before = tf.memory().numTensors;
  await model.fit(x, y, { batchSize: batch, epochs, shuffle: false, verbose: 0 });
  t.is(tf.memory().numTensors, before, 'fit leaves nothing behind');
  // The input reaches the layer unchanged, so each step's batch statistics are known here.
  let mm = [0, 0, 0];
  let mv = [1, 1, 1];
  for (let e = 0; e < epochs; e++) {
    for (let s = 0; s < n; s += batch) {
      const { mean, variance } = batchMoments(X.slice(s * C, (s + batch) * C), [batch, C], 1);
      mm = mm.map((m, k) => m * momentum + mean[k] * (1 - momentum));
      mv = mv.map((v, k) => v * momentum + variance[k] * (1 - momentum));
    }
  }
  close(t, read(bn.movingMean), mm, 1e-5, 'moving_mean');
  close(t, read(bn.movingVariance), mv, 1e-5, 'moving_variance');
  t.notDeepEqual(read(bn.gamma), gamma0, 'the optimizer trained gamma');
  t.deepEqual(model.trainableWeights.map((w) => w.originalName), [`${bn.name}/gamma`, `${bn.name}/beta`, ...model.layers[1].weights.map((w) => w.originalName)]);
});

test('batchNormalization: predict, evaluate and fit validation leave the moving statistics alone', async (t) => {
  const n = 10;
  const X = featureValues([n, C], 51);
  const bn = layers.batchNormalization({ inputShape: [C] });
  const model = tf.sequential({ layers: [bn, layers.dense({ units: 1 })] });
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  const x = tf.tensor(X, [n, C]);
  const y = tf.zeros([n, 1]);
  bn.setWeights([tf.tensor(GAMMA), tf.tensor(BETA), tf.tensor(MM), tf.tensor(MV)]);
  const before = tf.memory().numTensors;
  const p = model.predict(x, { batchSize: 3 });
  const e = model.evaluate(x, y, { batchSize: 4 });
  tf.dispose([p, e]);
  t.is(tf.memory().numTensors, before, 'predict and evaluate leave nothing behind');
  t.deepEqual(read(bn.movingMean), MM.map(Math.fround));
  t.deepEqual(read(bn.movingVariance), MV.map(Math.fround));
  // Inference output is the moving-statistics formula, followed by the dense layer.
  const h = bnRef(X, [n, C], 1, MM, MV, GAMMA, BETA, 1e-3);
  const [w, b] = model.layers[1].getWeights().map((v) => Array.from(v.dataSync()));
  const expected = [];
  for (let i = 0; i < n; i++) expected.push(dot(h.slice(i * C, i * C + C), w) + b[0]);
  const again = model.predict(x);
  close(t, again.dataSync(), expected, 1e-5, 'predict');
  again.dispose();
  // One validation pass per epoch does not move the statistics either: only the training steps do.
  const vx = tf.tensor(featureValues([4, C], 52), [4, C]);
  const vy = tf.zeros([4, 1]);
  await model.fit(x, y, { batchSize: n, epochs: 1, verbose: 0, validationData: [vx, vy] });
  const { mean } = batchMoments(X, [n, C], 1);
  close(t, read(bn.movingMean), MM.map((m, k) => 0.99 * m + 0.01 * mean[k]), 1e-6, 'one training step only');
});

test('batchNormalization: gradients never reach the moving statistics, and an optimizer step leaves them alone', (t) => {
  const shape = [6, C];
  const X = featureValues(shape, 61);
  const layer = bnWith(shape, { momentum: 0.5 }, [GAMMA, BETA, MM, MV]);
  const x = tf.tensor(X, shape);
  const opt = tf.train.sgd(0.5);
  const before = tf.memory().numTensors;
  // Training mode in a custom loop: the default variable list holds every trainable variable.
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: true }))));
  t.false(layer.movingMean.name in grads);
  t.false(layer.movingVariance.name in grads);
  t.true(layer.gamma.name in grads);
  const afterCall = [read(layer.movingMean), read(layer.movingVariance)];
  opt.applyGradients(grads);
  tf.dispose([value, ...Object.values(grads)]);
  t.deepEqual([read(layer.movingMean), read(layer.movingVariance)], afterCall, 'the optimizer step leaves them alone');
  const { mean, variance } = batchMoments(X, shape, 1);
  close(t, afterCall[0], MM.map((m, k) => 0.5 * m + 0.5 * mean[k]), 1e-6, 'the one update of the call');
  close(t, afterCall[1], MV.map((v, k) => 0.5 * v + 0.5 * variance[k]), 1e-6, 'the one update of the call');
  // Inference mode under minimize: the statistics are inputs of the op, still not trained.
  const g0 = read(layer.gamma);
  opt.minimize(() => tf.sum(tf.square(layer.apply(x))));
  t.deepEqual([read(layer.movingMean), read(layer.movingVariance)], afterCall);
  t.notDeepEqual(read(layer.gamma), g0);
  t.is(tf.memory().numTensors, before);
});

test('batchNormalization: the moving-average update is not recorded on a gradient tape', (t) => {
  const { engine } = require('../../dist/tensor/engine');
  const shape = [4, C];
  const layer = bnWith(shape, {});
  const x = tf.tensor(featureValues(shape, 65), shape);
  // A tape that x reaches: the batch statistics the op returns become reachable too, so
  // an update computed from them on the tape would add nodes after the fused op.
  const tape = { nodes: [], reachable: new Set([x.id]), held: new Set() };
  engine.tapes.push(tape);
  let y;
  try {
    y = layer.apply(x, { training: true });
  } finally {
    engine.tapes.pop();
  }
  t.is(tape.nodes.length, 1, 'only the fused batch-norm op');
  t.is(tape.nodes[0].outputs[0], y);
  t.notDeepEqual(read(layer.movingMean), [0, 0, 0], 'the update did happen');
  tf.dispose([x, y, ...tape.nodes[0].outputs]);
});

test('batchNormalization: the GAN pattern, Dense → BN → LeakyReLU in a custom training step', (t) => {
  const gen = tf.sequential({
    layers: [layers.dense({ units: 8, useBias: false, inputShape: [4] }), layers.batchNormalization(), layers.leakyReLU(), layers.reshape({ targetShape: [2, 2, 2] }), layers.batchNormalization()],
  });
  const bn1 = gen.layers[1];
  const bn2 = gen.layers[4];
  const opt = tf.train.adam(1e-2);
  const noise = tf.randomNormal([5, 4]);
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(gen.apply(noise, { training: true }), 1))), gen.trainableWeights.map((w) => w.val));
      opt.applyGradients(grads);
      return value;
    }).dispose();
  step(); // creates the optimizer's slots
  const before = tf.memory().numTensors;
  step();
  step();
  t.is(tf.memory().numTensors, before, 'each step leaves nothing behind');
  t.notDeepEqual(read(bn1.movingMean), [0, 0, 0, 0, 0, 0, 0, 0]);
  t.notDeepEqual(read(bn2.movingVariance), [1, 1]);
  // A training call returns batch-normalised features: zero mean per channel.
  const out = tf.tidy(() => gen.apply(noise, { training: true }));
  const perChannel = batchMoments(Array.from(out.dataSync()), out.shape, 3).mean;
  close(t, perChannel, [read(bn2.beta)[0], read(bn2.beta)[1]], 1e-5, 'mean of each channel is beta');
  out.dispose();
});

test('batchNormalization: a non-trainable layer runs in inference mode during fit, as Keras', async (t) => {
  const n = 8;
  const bn = layers.batchNormalization({ inputShape: [C] });
  const model = tf.sequential({ layers: [bn, layers.dense({ units: 1 })] });
  bn.trainable = false;
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  bn.setWeights([tf.tensor(GAMMA), tf.tensor(BETA), tf.tensor(MM), tf.tensor(MV)]);
  const x = tf.tensor(featureValues([n, C], 71), [n, C]);
  await model.fit(x, tf.ones([n, 1]), { batchSize: 4, epochs: 2, verbose: 0 });
  t.deepEqual(bn.getWeights().map((w) => Array.from(w.dataSync())), [GAMMA, BETA, MM, MV].map((a) => a.map(Math.fround)));
  t.deepEqual(model.trainableWeights.map((w) => w.originalName), model.layers[1].weights.map((w) => w.originalName));
});

test('batchNormalization: gamma constraint after each step, regularizers in the loss', async (t) => {
  const bn = layers.batchNormalization({ inputShape: [C], gammaConstraint: 'nonNeg', gammaRegularizer: tf.regularizers.l2({ l2: 0.5 }), betaRegularizer: 'l1' });
  const model = tf.sequential({ layers: [bn] });
  model.compile({ optimizer: tf.train.sgd(1), loss: 'meanSquaredError' });
  bn.setWeights([tf.tensor([0.01, 1, 2]), tf.tensor([0.5, -0.5, 0]), tf.tensor(MM), tf.tensor(MV)]);
  t.is(bn.losses.length, 2);
  const penalty = tf.addN(bn.losses.map((f) => f()));
  close(t, [penalty.dataSync()[0]], [0.5 * (0.01 ** 2 + 1 + 4) + 0.01 * (0.5 + 0.5)], 1e-6, 'penalty');
  const x = tf.tensor(featureValues([6, C], 81), [6, C]);
  // Targets that push gamma of the first feature below zero.
  const y = tf.mul(x, tf.tensor([-5, 1, 1]));
  await model.fit(x, y, { batchSize: 6, epochs: 1, verbose: 0 });
  t.true(read(bn.gamma).every((g) => g >= 0));
  t.is(read(bn.gamma)[0], 0);
});

test('batchNormalization: summary counts the moving statistics as non-trainable parameters', (t) => {
  const model = tf.sequential({ layers: [layers.dense({ units: 16, inputShape: [8] }), layers.batchNormalization({ name: 'bn_summary' }), layers.dense({ units: 2 })] });
  const lines = [];
  model.summary(undefined, undefined, (line) => lines.push(line));
  t.true(lines.some((l) => /^bn_summary \(BatchNorm/.test(l) && /\s64\s*$/.test(l)));
  t.true(lines.includes('Total params: 242'));
  t.true(lines.includes('Trainable params: 210'));
  t.true(lines.includes('Non-trainable params: 32'));
  t.is(model.layers[1].countParams(), 64);
});

test('batchNormalization: symbolic shapes and masks pass through', (t) => {
  const inp = tf.input({ shape: [7, C] });
  const masked = layers.masking({ maskValue: 0 }).apply(inp);
  const out = layers.batchNormalization().apply(masked);
  t.deepEqual(out.shape, [null, 7, C]);
  t.deepEqual(layers.batchNormalization({ axis: 1 }).computeOutputShape([null, 4, 5]), [null, 4, 5]);
  const m = tf.model({ inputs: inp, outputs: out });
  const x = tf.concat([tf.zeros([1, 2, C]), tf.ones([1, 5, C])], 1);
  const y = m.apply(x);
  t.deepEqual(Array.from(y.kerasMask.dataSync()), [0, 0, 1, 1, 1, 1, 1]);
});

// ------------------------------------------------------------------ BatchNormalization: serialization

test('batchNormalization: getConfig holds the TF.js keys and round-trips through fromConfig', (t) => {
  const layer = layers.batchNormalization({ axis: 1, momentum: 0.9, epsilon: 1e-5, center: false, gammaRegularizer: 'l2', gammaConstraint: 'nonNeg', movingVarianceInitializer: 'zeros', name: 'bn_roundtrip' });
  const config = layer.getConfig();
  t.deepEqual(config, {
    axis: 1,
    momentum: 0.9,
    epsilon: 1e-5,
    center: false,
    scale: true,
    betaInitializer: { className: 'Zeros', config: {} },
    gammaInitializer: { className: 'Ones', config: {} },
    movingMeanInitializer: { className: 'Zeros', config: {} },
    movingVarianceInitializer: { className: 'Zeros', config: {} },
    betaRegularizer: null,
    gammaRegularizer: { className: 'L1L2', config: { l1: 0, l2: 0.01 } },
    betaConstraint: null,
    gammaConstraint: { className: 'NonNeg', config: {} },
    name: 'bn_roundtrip',
    trainable: true,
  });
  const copy = tf.serialization.deserialize({ className: 'BatchNormalization', config: { ...config, name: 'bn_roundtrip_copy' } });
  t.true(copy instanceof layers.BatchNormalization);
  t.deepEqual({ ...copy.getConfig(), name: 'bn_roundtrip' }, config);
  // tf.keras 2 saves the axis as a one-element list.
  t.is(layers.batchNormalization({ axis: [3] }).axis, 3);
});

test('batchNormalization and layerNormalization: save and load keep every weight, moving statistics included', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-norm-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const model = tf.sequential({
    layers: [layers.dense({ units: 6, inputShape: [4] }), layers.batchNormalization({ momentum: 0.8 }), layers.layerNormalization({ epsilon: 1e-5 }), layers.dense({ units: 2 })],
  });
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  const x = tf.tensor(featureValues([10, 4], 91), [10, 4]);
  await model.fit(x, tf.ones([10, 2]), { epochs: 2, batchSize: 5, verbose: 0 });
  await model.save(`file://${dir}`);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const bnName = model.layers[1].name;
  t.deepEqual(
    json.weightsManifest[0].weights.filter((w) => w.name.startsWith(`${bnName}/`)).map((w) => w.name),
    ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((n) => `${bnName}/${n}`),
  );
  const bnJSON = json.modelTopology.config.layers[1];
  t.is(bnJSON.class_name, 'BatchNormalization');
  t.like(bnJSON.config, { axis: -1, momentum: 0.8, epsilon: 0.001, moving_variance_initializer: { class_name: 'Ones', config: {} } });
  const loaded = await tf.loadLayersModel(`file://${dir}/model.json`);
  t.deepEqual(loaded.getWeights().map((w) => Array.from(w.dataSync())), model.getWeights().map((w) => Array.from(w.dataSync())));
  t.deepEqual(Array.from(loaded.predict(x).dataSync()), Array.from(model.predict(x).dataSync()));
  t.is(loaded.layers[2].epsilon, 1e-5);
});

// ------------------------------------------------------------------ BatchNormalization: errors

test('batchNormalization: BAD CALL – arguments', (t) => {
  const bad = (args, Cls, re) => {
    const e = t.throws(() => layers.batchNormalization(args), { instanceOf: Cls });
    t.regex(e.message, re);
  };
  bad({ axis: 1.5 }, TypeError, /^BatchNormalization: expected an integer \(one features axis\) for 'axis' but received 1\.5 of type number$/);
  bad({ axis: [1, 2] }, TypeError, /for 'axis' but received \[1, 2\]$/);
  bad({ momentum: 1.5 }, RangeError, /^BatchNormalization: expected a number in \[0, 1\] for 'momentum' but received 1\.5 of type number$/);
  bad({ momentum: '0.9' }, TypeError, /expected a number for 'momentum'/);
  bad({ epsilon: -1 }, RangeError, /^BatchNormalization: expected a finite number >= 0 for 'epsilon' but received -1 of type number$/);
  bad({ center: 'yes' }, TypeError, /^BatchNormalization: expected a boolean for 'center' but received 'yes'$/);
  bad({ gammaInitializer: 'noSuchInit' }, Error, /noSuchInit/);
  const e = t.throws(() => layers.batchNormalization({ renorm: true }));
  t.is(e.code, 'ERR_UNSUPPORTED');
});

test('batchNormalization: BAD CALL – inputs', (t) => {
  const e1 = t.throws(() => layers.batchNormalization({ axis: 2, name: 'bn_bad_axis' }).apply(tf.zeros([2, 3])), { instanceOf: RangeError });
  t.is(e1.message, "bn_bad_axis (BatchNormalization): expected axes in [-2, 1] for inputs of rank 2 for 'axis' but received 2 of type number");
  const e2 = t.throws(() => layers.batchNormalization({ name: 'bn_unknown' }).apply(tf.input({ shape: [4, null] })));
  t.is(e2.code, 'ERR_SHAPE_MISMATCH');
  t.regex(e2.message, /^bn_unknown \(BatchNormalization\): the size of axis -1 must be known/);
  const layer = bnWith([2, 3], { name: 'bn_built' });
  const e3 = t.throws(() => layer.apply(tf.zeros([2, 4])));
  t.is(e3.message, "bn_built (BatchNormalization): expected an input whose axis 1 has size 3 (shape [null,3]) for 'inputs' but received a float32 tensor of shape [2,4]");
  const e4 = t.throws(() => layer.apply(tf.zeros([2, 2, 3])));
  t.regex(e4.message, /expected an input of rank 2/);
});

// ------------------------------------------------------------------ LayerNormalization

const LN_CASES = [
  { what: '[N, D], axis -1', shape: [4, 5], axis: -1 },
  { what: '[N, T, D], axis -1', shape: [2, 3, 4], axis: -1 },
  { what: '[N, H, W, C], axes [-3, -2, -1]', shape: [2, 2, 3, 2], axis: [-3, -2, -1] },
  { what: '[N, T, D], axis 1 (not trailing)', shape: [2, 3, 4], axis: 1 },
  { what: '[N, H, W, C], axes [2, 1] (unsorted)', shape: [2, 2, 3, 2], axis: [2, 1] },
];

for (const { what, shape, axis } of LN_CASES) {
  const rank = shape.length;
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a));
  const param = axes.map((a) => shape[a]);
  const psize = param.reduce((a, b) => a * b, 1);
  const size = shape.reduce((a, b) => a * b, 1);
  const X = values(size, 101).map((v, i) => 2 * v + (i % 3) * 0.5);
  const G = values(psize, 102).map((v) => 1 + 0.5 * v);
  const B = values(psize, 103).map((v) => 0.3 * v);
  const DY = values(size, 104);

  function lnWith(args) {
    const layer = layers.layerNormalization({ axis, ...args });
    tf.tidy(() => layer.apply(tf.zeros(shape)));
    const ws = [];
    if (layer.gamma) ws.push(tf.tensor(G, param));
    if (layer.beta) ws.push(tf.tensor(B, param));
    layer.setWeights(ws);
    return layer;
  }

  test(`layerNormalization ${what}: the same float64 result in training and inference`, (t) => {
    const layer = lnWith({});
    t.deepEqual(layer.gamma.shape, param);
    const x = tf.tensor(X, shape);
    const before = tf.memory().numTensors;
    const expected = lnRef(X, shape, axes, G, B, 1e-3);
    for (const training of [false, true]) {
      const y = layer.apply(x, { training });
      t.deepEqual(y.shape, shape);
      close(t, y.dataSync(), expected, 1e-5, `training ${training}`);
      y.dispose();
    }
    t.is(tf.memory().numTensors, before);
  });

  test(`layerNormalization ${what}: gradients w.r.t. x, gamma and beta match central differences`, (t) => {
    const layer = lnWith({ epsilon: 1e-2 });
    const x = tf.tensor(X, shape);
    const dy = tf.tensor(DY, shape);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x), dy)), [layer.gamma.val, layer.beta.val]);
    const dx = tf.grad((v) => layer.apply(v))(x, dy);
    const loss = (xv, g, b) => dot(lnRef(xv, shape, axes, g, b, 1e-2), DY);
    close(t, dx.dataSync(), numericGrad((v) => loss(v, G, B), X), 2e-3, 'dx');
    close(t, grads[layer.gamma.name].dataSync(), numericGrad((v) => loss(X, v, B), G), 2e-3, 'dgamma');
    close(t, grads[layer.beta.name].dataSync(), numericGrad((v) => loss(X, G, v), B), 2e-3, 'dbeta');
    tf.dispose([value, dx, ...Object.values(grads)]);
    t.is(tf.memory().numTensors, before);
    gradcheck(t, (v) => layer.apply(v), [x], { label: 'gradcheck dx' });
  });
}

test('layerNormalization: center and scale off', (t) => {
  const shape = [3, 4];
  const X = featureValues(shape, 111);
  const layer = layers.layerNormalization({ center: false, scale: false });
  const y = layer.apply(tf.tensor(X, shape));
  t.is(layer.weights.length, 0);
  close(t, y.dataSync(), lnRef(X, shape, [1], null, null, 1e-3), 1e-5, 'y');
  const onlyGamma = layers.layerNormalization({ center: false, gammaInitializer: tf.initializers.constant({ value: 2 }) });
  const y2 = onlyGamma.apply(tf.tensor(X, shape));
  t.deepEqual(onlyGamma.weights.map((w) => w.originalName), [`${onlyGamma.name}/gamma`]);
  close(t, y2.dataSync(), lnRef(X, shape, [1], [2, 2, 2, 2], null, 1e-3), 1e-5, 'y');
});

test('layerNormalization: trains in a model, constraints and regularizers apply, memory comes back', async (t) => {
  const ln = layers.layerNormalization({ gammaConstraint: 'nonNeg', betaRegularizer: 'l2' });
  const model = tf.sequential({ layers: [layers.dense({ units: 6, inputShape: [3] }), ln, layers.dense({ units: 1 })] });
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
  t.deepEqual(ln.weights.map((w) => w.originalName), [`${ln.name}/gamma`, `${ln.name}/beta`]);
  t.is(ln.losses.length, 1);
  const x = tf.tensor(featureValues([8, 3], 121), [8, 3]);
  const y = tf.tensor(values(8, 122), [8, 1]);
  const before = tf.memory().numTensors;
  const h = await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
  t.is(tf.memory().numTensors, before);
  t.true(h.history.loss[2] < h.history.loss[0], 'the loss goes down');
  t.notDeepEqual(read(ln.gamma), [1, 1, 1, 1, 1, 1]);
  t.true(read(ln.gamma).every((g) => g >= 0));
  const lines = [];
  model.summary(undefined, undefined, (l) => lines.push(l));
  t.true(lines.includes('Non-trainable params: 0'));
  t.true(lines.includes(`Trainable params: ${24 + 12 + 7}`));
});

test('layerNormalization: getConfig holds the TF.js keys and round-trips through fromConfig', (t) => {
  const layer = layers.layerNormalization({ axis: [1, -1], epsilon: 1e-6, scale: false, betaConstraint: 'nonNeg', name: 'ln_roundtrip' });
  const config = layer.getConfig();
  t.deepEqual(config, {
    axis: [1, -1],
    epsilon: 1e-6,
    center: true,
    scale: false,
    betaInitializer: { className: 'Zeros', config: {} },
    gammaInitializer: { className: 'Ones', config: {} },
    betaRegularizer: null,
    gammaRegularizer: null,
    betaConstraint: { className: 'NonNeg', config: {} },
    gammaConstraint: null,
    name: 'ln_roundtrip',
    trainable: true,
  });
  const copy = tf.serialization.deserialize({ className: 'LayerNormalization', config: { ...config, name: 'ln_roundtrip_copy' } });
  t.true(copy instanceof layers.LayerNormalization);
  t.deepEqual({ ...copy.getConfig(), name: 'ln_roundtrip' }, config);
  t.deepEqual(copy.computeOutputShape([null, 3, 4]), [null, 3, 4]);
  const sym = copy.apply(tf.input({ shape: [3, 4] }));
  t.deepEqual(sym.shape, [null, 3, 4]);
  t.deepEqual(copy.beta.shape, [3, 4]);
});

test('layerNormalization: BAD CALL – arguments and inputs', (t) => {
  let e = t.throws(() => layers.layerNormalization({ axis: 'last' }), { instanceOf: TypeError });
  t.is(e.message, "LayerNormalization: expected an integer or a non-empty array of integers for 'axis' but received 'last'");
  e = t.throws(() => layers.layerNormalization({ axis: [] }), { instanceOf: TypeError });
  e = t.throws(() => layers.layerNormalization({ axis: [1, 1] }), { instanceOf: TypeError });
  t.is(e.message, "LayerNormalization: expected distinct axes for 'axis' but received [1, 1]");
  e = t.throws(() => layers.layerNormalization({ epsilon: Number.NaN }), { instanceOf: TypeError });
  e = t.throws(() => layers.layerNormalization({ rmsScaling: true }));
  t.is(e.code, 'ERR_UNSUPPORTED');
  e = t.throws(() => layers.layerNormalization({ axis: 3, name: 'ln_far' }).apply(tf.zeros([2, 3])), { instanceOf: RangeError });
  t.is(e.message, "ln_far (LayerNormalization): expected axes in [-2, 1] for inputs of rank 2 for 'axis' but received 3 of type number");
  e = t.throws(() => layers.layerNormalization({ axis: [1, -1], name: 'ln_same' }).apply(tf.zeros([2, 3])), { instanceOf: TypeError });
  t.is(e.message, "ln_same (LayerNormalization): expected distinct axes for inputs of rank 2 for 'axis' but received [1, -1]");
  e = t.throws(() => layers.layerNormalization({ name: 'ln_unknown' }).apply(tf.input({ shape: [null] })));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  const layer = layers.layerNormalization({ name: 'ln_built' });
  layer.apply(tf.zeros([2, 3])).dispose();
  e = t.throws(() => layer.apply(tf.zeros([2, 5])));
  t.regex(e.message, /^ln_built \(LayerNormalization\): expected an input whose axis 1 has size 3/);
});
