// Core layers against float64 references computed here from their weights;
// gradients against central finite differences; configs, shapes and errors.
const test = require('ava');
const layers = require('../../dist/layers');
const { tensor, zeros } = require('../../dist/ops/creation');
const { mul } = require('../../dist/ops/elementwise');
const { sum } = require('../../dist/ops/reduce');
const linalg = require('../../dist/ops/linalg');
const { grad, valueAndGrad, variableGrads } = require('../../dist/autograd/gradients');
const { memory, tidy, dispose } = require('../../dist/tensor/scope');
const { setSeed } = require('../../dist/ops/random');
const { close, numericGrad, values, dot } = require('./helpers');

const ACT = {
  linear: (v) => v,
  relu: (v) => Math.max(v, 0),
  relu6: (v) => Math.min(Math.max(v, 0), 6),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  tanh: Math.tanh,
  elu: (v) => (v > 0 ? v : Math.expm1(v)),
  selu: (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * Math.expm1(v)),
  softplus: (v) => Math.log1p(Math.exp(v)),
};

/** float64 dense: rows of x [n, k] times W [k, u] plus b, then act; softmax per row. */
function denseRef(x, W, b, n, k, u, act) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const row = [];
    for (let j = 0; j < u; j++) {
      let s = b ? b[j] : 0;
      for (let q = 0; q < k; q++) s += x[i * k + q] * W[q * u + j];
      row.push(s);
    }
    if (act === 'softmax') {
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const z = e.reduce((a, c) => a + c, 0);
      out.push(...e.map((v) => v / z));
    } else {
      out.push(...row.map(ACT[act]));
    }
  }
  return out;
}

const N = 4;
const K = 5;
const U = 3;
const X = values(N * K, 11).map((v) => 2 * v);
const W = values(K * U, 12);
const B = values(U, 13);
const DY = values(N * U, 14);

function denseWithWeights(activation, useBias = true) {
  const layer = layers.dense({ units: U, activation, useBias, inputShape: [K] });
  layer.apply(zeros([1, K])).dispose();
  layer.setWeights(useBias ? [tensor(W, [K, U]), tensor(B, [U])] : [tensor(W, [K, U])]);
  return layer;
}

for (const act of [...Object.keys(ACT), 'softmax']) {
  test(`dense(${act}): output is act(x·W + b) in float64`, (t) => {
    const layer = denseWithWeights(act);
    const y = layer.apply(tensor(X, [N, K]));
    t.deepEqual(y.shape, [N, U]);
    close(t, y.dataSync(), denseRef(X, W, B, N, K, U, act), 2e-6, act);
  });

  test(`dense(${act}): gradients w.r.t. input, kernel and bias match central differences`, (t) => {
    const layer = denseWithWeights(act);
    const x = tensor(X, [N, K]);
    const dy = tensor(DY, [N, U]);
    const dx = grad((v) => layer.apply(v))(x, dy);
    const { grads } = variableGrads(() => sum(mul(layer.apply(x), dy)), [layer.kernel.val, layer.bias.val]);
    const loss = (xv, wv, bv) => dot(denseRef(xv, wv, bv, N, K, U, act), DY);
    close(t, dx.dataSync(), numericGrad((v) => loss(v, W, B), X), 1e-4, `d${act}/dx`);
    close(t, grads[layer.kernel.name].dataSync(), numericGrad((v) => loss(X, v, B), W), 1e-4, `d${act}/dW`);
    close(t, grads[layer.bias.name].dataSync(), numericGrad((v) => loss(X, W, v), B), 1e-4, `d${act}/db`);
  });
}

test('dense: without bias there is one weight and no offset', (t) => {
  const layer = denseWithWeights('linear', false);
  t.is(layer.getWeights().length, 1);
  close(t, layer.apply(tensor(X, [N, K])).dataSync(), denseRef(X, W, null, N, K, U, 'linear'), 2e-6);
  t.is(layer.countParams(), K * U);
});

test('dense: a rank-3 input maps its last axis', (t) => {
  const layer = denseWithWeights('tanh');
  const x3 = tensor(X, [2, 2, K]);
  const y = layer.apply(x3);
  t.deepEqual(y.shape, [2, 2, U]);
  t.deepEqual(layer.computeOutputShape([2, 2, K]), [2, 2, U]);
  close(t, y.dataSync(), denseRef(X, W, B, N, K, U, 'tanh'), 2e-6);
  const dx = grad((v) => layer.apply(v))(x3, tensor(DY, [2, 2, U]));
  t.deepEqual(dx.shape, [2, 2, K]);
  close(t, dx.dataSync(), numericGrad((v) => dot(denseRef(v, W, B, N, K, U, 'tanh'), DY), X), 1e-4);
});

test('dense: one fused.matMul per call carries bias and activation', (t) => {
  const layer = denseWithWeights('relu');
  const original = linalg.fused.matMul;
  const calls = [];
  linalg.fused.matMul = (config) => {
    calls.push(config);
    return original(config);
  };
  try {
    layer.apply(tensor(X, [N, K]));
  } finally {
    linalg.fused.matMul = original;
  }
  t.is(calls.length, 1);
  t.is(calls[0].activation, 'relu');
  t.is(calls[0].bias, layer.bias.read());
});

test('dense(softmax): logits ride along in training for the fused cross-entropy, and are freed otherwise', (t) => {
  const layer = denseWithWeights('softmax');
  const x = tensor(X, [N, K]);
  const trained = layer.apply(x, { training: true });
  t.truthy(trained.kerasLogits);
  close(t, trained.kerasLogits.dataSync(), denseRef(X, W, B, N, K, U, 'linear'), 2e-6, 'logits');
  const before = memory().numTensors;
  const inferred = layer.apply(x);
  t.is(inferred.kerasLogits, undefined);
  t.is(memory().numTensors, before + 1, 'only the probabilities stay');
});

test('dense: computeOutputShape, symbolic apply and the inputDim shorthand', (t) => {
  const { input } = require('../../dist/layers/input');
  const x = input({ shape: [7, K] });
  const y = layers.dense({ units: 2 }).apply(x);
  t.deepEqual(y.shape, [null, 7, 2]);
  const first = layers.dense({ units: 2, inputDim: 9 });
  t.deepEqual(first.batchInputShape, [null, 9]);
});

test('dense: getConfig holds the TF.js keys and round-trips through fromConfig', (t) => {
  const layer = layers.dense({ units: U, activation: 'relu', kernelRegularizer: 'l1l2', biasConstraint: 'nonNeg', name: 'roundtrip_dense' });
  layer.apply(zeros([1, K]));
  layer.setWeights([tensor(W, [K, U]), tensor(B.map(Math.abs), [U])]);
  const config = layer.getConfig();
  t.like(config, {
    units: U,
    activation: 'relu',
    useBias: true,
    kernelInitializer: { className: 'VarianceScaling', config: { scale: 1, mode: 'fanAvg', distribution: 'uniform', seed: null } },
    biasInitializer: { className: 'Zeros', config: {} },
    kernelRegularizer: { className: 'L1L2', config: { l1: 0.01, l2: 0.01 } },
    biasRegularizer: null,
    activityRegularizer: null,
    kernelConstraint: null,
    biasConstraint: { className: 'NonNeg', config: {} },
    name: 'roundtrip_dense',
    trainable: true,
  });
  const copy = layers.Dense.fromConfig(layers.Dense, { ...config, name: 'roundtrip_dense_copy' });
  copy.apply(zeros([1, K]));
  copy.setWeights(layer.getWeights());
  const x = tensor(X, [N, K]);
  t.deepEqual(Array.from(copy.apply(x).dataSync()), Array.from(layer.apply(x).dataSync()));
  t.deepEqual({ ...copy.getConfig(), name: 'roundtrip_dense' }, config);
});

test('dense: leaves only its output alive', (t) => {
  const layer = denseWithWeights('softplus');
  const x = tensor(X, [N, K]);
  const before = memory().numTensors;
  layer.apply(x).dispose();
  layer.apply(tensor(X, [2, 2, K])).dispose();
  t.is(memory().numTensors, before + 1, 'the rank-3 input itself');
});

test('BAD CALL - dense without units, and on an input whose last axis changed', (t) => {
  let e = t.throws(() => layers.dense({}), { instanceOf: TypeError });
  t.is(e.message, "Dense: expected an integer for 'units' but received undefined");
  e = t.throws(() => layers.dense({ units: 0 }), { instanceOf: RangeError });
  t.is(e.message, "Dense: expected an integer >= 1 for 'units' but received 0 of type number");
  const layer = layers.dense({ units: 2, name: 'fixed_input' });
  layer.apply(zeros([1, 3]));
  e = t.throws(() => layer.apply(zeros([1, 4])));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, "fixed_input (Dense): expected an input whose axis -1 has size 3 (shape [null,3]) for 'inputs' but received a float32 tensor of shape [1,4]");
});

test('flatten: keeps the batch axis and the row-major order; gradient reshapes back', (t) => {
  const layer = layers.flatten();
  const x = tensor(X, [2, 2, K]);
  const y = layer.apply(x);
  t.deepEqual(y.shape, [2, 2 * K]);
  t.deepEqual(Array.from(y.dataSync()), Array.from(x.dataSync()));
  t.deepEqual(layer.computeOutputShape([null, 2, K]), [null, 2 * K]);
  const dx = grad((v) => layer.apply(v))(x, tensor(values(4 * K, 3), [2, 2 * K]));
  t.deepEqual(dx.shape, [2, 2, K]);
  close(t, dx.dataSync(), values(4 * K, 3), 1e-7);
  t.deepEqual(layer.getConfig().dataFormat, 'channelsLast');
});

test('BAD CALL - flatten of an input with unknown sizes', (t) => {
  const e = t.throws(() => layers.flatten({ name: 'flat_unknown' }).computeOutputShape([null, null, 3]));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.regex(e.message, /^flat_unknown \(Flatten\): every axis but the batch axis must be known, but the input shape is \[null,null,3\]/);
});

test('dropout: identity at inference, kept values scaled by 1 / (1 - rate) in training', (t) => {
  setSeed(5);
  const layer = layers.dropout({ rate: 0.25 });
  const x = tensor(values(4000, 21).map((v) => v + 2), [40, 100]);
  const inferred = layer.apply(x);
  t.deepEqual(Array.from(inferred.dataSync()), Array.from(x.dataSync()));
  const y = layer.apply(x, { training: true }).dataSync();
  const xs = x.dataSync();
  let dropped = 0;
  for (let i = 0; i < xs.length; i++) {
    if (y[i] === 0) dropped++;
    else if (Math.abs(y[i] - xs[i] / 0.75) > 1e-5) return t.fail(`kept value ${y[i]} is not ${xs[i]} / 0.75`);
  }
  t.true(Math.abs(dropped / xs.length - 0.25) < 0.03, `dropped fraction ${dropped / xs.length}`);
});

test('dropout: the gradient is the same scaled mask', (t) => {
  const layer = layers.dropout({ rate: 0.5 });
  const x = tensor(values(200, 22).map((v) => v + 2), [10, 20]);
  const { value, grad: dx } = valueAndGrad((v) => layer.apply(v, { training: true }))(x);
  const ys = value.dataSync();
  const expected = Array.from(ys, (v) => (v === 0 ? 0 : 2));
  close(t, dx.dataSync(), expected, 1e-6);
});

test('dropout: noiseShape shares one mask value along axes of size 1; a seed repeats the sequence', (t) => {
  const x = tensor(new Array(6 * 50).fill(1), [6, 50]);
  const y = layers.dropout({ rate: 0.5, noiseShape: [null, 1] }).apply(x, { training: true }).arraySync();
  for (const row of y) t.true(row.every((v) => v === row[0]), 'one value per row');
  const a = layers.dropout({ rate: 0.5, seed: 3 });
  const b = layers.dropout({ rate: 0.5, seed: 3 });
  const first = a.apply(x, { training: true }).dataSync();
  t.deepEqual(Array.from(b.apply(x, { training: true }).dataSync()), Array.from(first));
  t.notDeepEqual(Array.from(a.apply(x, { training: true }).dataSync()), Array.from(first), 'the next call draws a new mask');
  t.deepEqual(a.getConfig().rate, 0.5);
  t.is(a.getConfig().seed, 3);
});

test('spatialDropout1d drops whole channels; spatialDropout2d whole feature maps', (t) => {
  const x = tensor(new Array(4 * 6 * 30).fill(1), [4, 6, 30]);
  const y = layers.spatialDropout1d({ rate: 0.5 }).apply(x, { training: true }).arraySync();
  for (const sample of y) for (let c = 0; c < 30; c++) t.true(sample.every((step) => step[c] === sample[0][c]));
  const x4 = tensor(new Array(2 * 3 * 3 * 8).fill(1), [2, 3, 3, 8]);
  const y4 = layers.spatialDropout2d({ rate: 0.5 }).apply(x4, { training: true }).arraySync();
  for (const sample of y4) for (let c = 0; c < 8; c++) t.true(sample.flat().every((px) => px[c] === sample[0][0][c]));
});

test('BAD CALL - dropout rate outside [0, 1)', (t) => {
  const e = t.throws(() => layers.dropout({ rate: 1 }), { instanceOf: RangeError });
  t.is(e.message, "Dropout: expected a number in [0, 1) for 'rate' but received 1 of type number");
});

test('gaussianNoise and gaussianDropout: identity at inference, noise of the right spread in training', (t) => {
  const x = tensor(new Array(20000).fill(1), [100, 200]);
  t.deepEqual(Array.from(layers.gaussianNoise({ stddev: 0.5 }).apply(x).dataSync()), Array.from(x.dataSync()));
  const noisy = layers.gaussianNoise({ stddev: 0.5 }).apply(x, { training: true }).dataSync();
  const m = noisy.reduce((a, v) => a + v, 0) / noisy.length;
  const s = Math.sqrt(noisy.reduce((a, v) => a + (v - m) ** 2, 0) / noisy.length);
  t.true(Math.abs(m - 1) < 0.02 && Math.abs(s - 0.5) < 0.02, `mean ${m} std ${s}`);
  const gd = layers.gaussianDropout({ rate: 0.2 }).apply(x, { training: true }).dataSync();
  const gm = gd.reduce((a, v) => a + v, 0) / gd.length;
  const gs = Math.sqrt(gd.reduce((a, v) => a + (v - gm) ** 2, 0) / gd.length);
  t.true(Math.abs(gm - 1) < 0.02 && Math.abs(gs - 0.5) < 0.02, `mean ${gm} std ${gs}`);
});

test('alphaDropout: identity at inference; in training keeps the mean and variance of unit-normal inputs', (t) => {
  const { randomNormal } = require('../../dist/ops/random');
  const x = randomNormal([200, 200], 0, 1, 'float32', 9);
  const layer = layers.alphaDropout({ rate: 0.2 });
  t.is(layer.apply(x), x);
  const y = layer.apply(x, { training: true }).dataSync();
  const m = y.reduce((a, v) => a + v, 0) / y.length;
  const s = Math.sqrt(y.reduce((a, v) => a + (v - m) ** 2, 0) / y.length);
  t.true(Math.abs(m) < 0.02 && Math.abs(s - 1) < 0.02, `mean ${m} std ${s}`);
  // Dropped units all share one value: a * alphaP + b.
  const alphaP = -1.6732632423543772 * 1.0507009873554805;
  const a = (0.8 * (1 + 0.2 * alphaP ** 2)) ** -0.5;
  const dropped = a * alphaP + -a * alphaP * 0.2;
  const share = y.filter((v) => Math.abs(v - dropped) < 1e-5).length / y.length;
  t.true(Math.abs(share - 0.2) < 0.02, `dropped share ${share}`);
  t.is(layer.getConfig().rate, 0.2);
});

test('activation layer applies its function and saves its name', (t) => {
  const layer = layers.activation({ activation: 'softplus' });
  const y = layer.apply(tensor(X, [N, K]));
  close(t, y.dataSync(), X.map(ACT.softplus), 2e-6);
  t.is(layer.getConfig().activation, 'softplus');
  const soft = layers.activation({ activation: 'softmax' }).apply(tensor(X, [N, K]), { training: true });
  t.truthy(soft.kerasLogits);
});

test('reshape resolves -1 and checks sizes; gradient reshapes back', (t) => {
  const layer = layers.reshape({ targetShape: [-1, 2] });
  const x = tensor(values(12, 5), [2, 6]);
  const y = layer.apply(x);
  t.deepEqual(y.shape, [2, 3, 2]);
  t.deepEqual(layer.computeOutputShape([null, 6]), [null, 3, 2]);
  t.deepEqual(layer.computeOutputShape([null, null]), [null, null, 2]);
  t.deepEqual(Array.from(y.dataSync()), Array.from(x.dataSync()));
  t.deepEqual(grad((v) => layer.apply(v))(x).shape, [2, 6]);
  const e = t.throws(() => layers.reshape({ targetShape: [4], name: 'bad_reshape' }).apply(x));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'bad_reshape (Reshape): cannot reshape samples of shape [6] (6 elements) to targetShape [4]');
  t.throws(() => layers.reshape({ targetShape: [-1, -1] }), { instanceOf: RangeError });
});

test('permute moves the non-batch axes; the gradient permutes back', (t) => {
  const layer = layers.permute({ dims: [2, 1] });
  const xv = values(2 * 3 * 4, 6);
  const x = tensor(xv, [2, 3, 4]);
  const y = layer.apply(x);
  t.deepEqual(y.shape, [2, 4, 3]);
  t.deepEqual(layer.computeOutputShape([null, 3, 4]), [null, 4, 3]);
  const ya = y.arraySync();
  const xa = x.arraySync();
  for (let b = 0; b < 2; b++) for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) t.is(ya[b][j][i], xa[b][i][j]);
  const dyv = values(24, 7);
  const dx = grad((v) => layer.apply(v))(x, tensor(dyv, [2, 4, 3]));
  const loss = (v) => {
    let s = 0;
    for (let b = 0; b < 2; b++) for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) s += v[b * 12 + i * 4 + j] * dyv[b * 12 + j * 3 + i];
    return s;
  };
  close(t, dx.dataSync(), numericGrad(loss, xv), 1e-6);
  t.throws(() => layers.permute({ dims: [0, 1] }), { instanceOf: TypeError });
});

test('repeatVector repeats along a new axis 1; the gradient sums the copies', (t) => {
  const layer = layers.repeatVector({ n: 3 });
  const x = tensor([[1, 2], [3, 4]]);
  const y = layer.apply(x);
  t.deepEqual(y.arraySync(), [[[1, 2], [1, 2], [1, 2]], [[3, 4], [3, 4], [3, 4]]]);
  t.deepEqual(layer.computeOutputShape([null, 2]), [null, 3, 2]);
  t.deepEqual(grad((v) => layer.apply(v))(x).arraySync(), [[3, 3], [3, 3]]);
  t.is(layer.getConfig().n, 3);
});

test('masking zeroes masked steps and passes the mask on', (t) => {
  const layer = layers.masking({ maskValue: -1 });
  const x = tensor([[[1, 2], [-1, -1], [3, -1]]]);
  const y = layer.apply(x);
  // Masked steps are x * 0: negative values give -0, as in Keras.
  t.deepEqual(Array.from(y.dataSync(), (v) => v + 0), [1, 2, 0, 0, 3, -1]);
  t.deepEqual(Array.from(y.kerasMask.dataSync()), [1, 0, 1]);
  t.is(y.kerasMask.dtype, 'bool');
  t.is(layer.getConfig().maskValue, -1);
  t.deepEqual(grad((v) => layer.apply(v))(x).arraySync(), [[[1, 1], [0, 0], [1, 1]]], 'masked steps get no gradient');
});

test('every core layer rebuilds from its config', (t) => {
  const { deserialize, serializeKerasObject } = require('../../dist/serialization');
  const made = [
    layers.flatten(), layers.dropout({ rate: 0.3, noiseShape: [null, 1], seed: 2 }), layers.activation({ activation: 'elu' }),
    layers.reshape({ targetShape: [2, -1] }), layers.permute({ dims: [2, 1] }), layers.repeatVector({ n: 2 }),
    layers.masking({ maskValue: 3 }), layers.spatialDropout1d({ rate: 0.1 }), layers.gaussianNoise({ stddev: 0.2 }),
    layers.gaussianDropout({ rate: 0.1 }), layers.alphaDropout({ rate: 0.1 }), layers.spatialDropout2d({ rate: 0.2, dataFormat: 'channelsFirst' }),
  ];
  for (const layer of made) {
    const saved = serializeKerasObject(layer);
    const copy = deserialize(saved);
    t.is(copy.constructor, layer.constructor);
    t.deepEqual(copy.getConfig(), saved.config);
  }
});

test('core layers inside tidy leave nothing behind', (t) => {
  const x = tensor(X, [N, K]);
  const model = [layers.dense({ units: 6, activation: 'relu' }), layers.dropout({ rate: 0.5 }), layers.reshape({ targetShape: [3, 2] }), layers.flatten(), layers.activation({ activation: 'sigmoid' })];
  model[0].build([null, K]);
  const before = memory().numTensors;
  tidy(() => {
    let h = x;
    for (const l of model) h = l.apply(h, { training: true });
    return h;
  }).dispose();
  t.is(memory().numTensors, before);
  dispose(x);
});

test('tf.layers has every TF.js factory name, each returning its layer class', (t) => {
  const expected = {
    dense: 'Dense', flatten: 'Flatten', dropout: 'Dropout', activation: 'Activation', reshape: 'Reshape', permute: 'Permute',
    repeatVector: 'RepeatVector', embedding: 'Embedding', masking: 'Masking', spatialDropout1d: 'SpatialDropout1D',
    spatialDropout2d: 'SpatialDropout2D', gaussianNoise: 'GaussianNoise', gaussianDropout: 'GaussianDropout',
    alphaDropout: 'AlphaDropout', leakyReLU: 'LeakyReLU', elu: 'ELU', reLU: 'ReLU', softmax: 'Softmax', prelu: 'PReLU',
    thresholdedReLU: 'ThresholdedReLU', add: 'Add', subtract: 'Subtract', multiply: 'Multiply', average: 'Average',
    maximum: 'Maximum', minimum: 'Minimum', concatenate: 'Concatenate', dot: 'Dot', inputLayer: 'InputLayer',
  };
  const args = { units: 1, rate: 0.1, stddev: 0.1, activation: 'relu', targetShape: [1], dims: [1], n: 1, inputDim: 2, outputDim: 2, axes: 1, inputShape: [1] };
  for (const [factory, className] of Object.entries(expected)) {
    t.is(typeof layers[factory], 'function', factory);
    const layer = layers[factory](args);
    t.true(layer instanceof layers.Layer, factory);
    t.is(layer.constructor.className, className, factory);
  }
  t.is(typeof layers.input, 'function');
  t.is(layers.optional, undefined, 'internal helpers stay out of the namespace');
});
