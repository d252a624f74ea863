'use strict';
// batchNorm (given statistics), batchNormTraining and layerNormalization:
// against PyTorch fixtures (scripts/fixtures/pool_norm_fixtures.py) and float64
// references, every gradient against finite differences, errors and memory.
const test = require('ava');
const fixtures = require('../fixtures/pool/norm.json');
const norm = require('../../dist/ops/norm');
const { tensor } = require('../../dist/ops/creation');
const { sum, moments } = require('../../dist/ops/reduce');
const { mul } = require('../../dist/ops/elementwise');
const { grads } = require('../../dist/autograd/gradients');
const { memory } = require('../../dist/tensor/scope');
const { gradcheck, close, uniform } = require('./gradcheck');

const opt = (v, shape) => (v === undefined ? null : tensor(v, shape));

// ------------------------------------------------------------------ PyTorch fixtures

test('batchNormTraining matches PyTorch: y, batch mean, biased variance and gradients', (t) => {
  const before = memory().numTensors;
  for (const c of fixtures.cases.filter((k) => k.op === 'batchNormTraining')) {
    const ch = c.xShape[c.xShape.length - 1];
    const label = `x [${c.xShape}]${c.scale ? ' scale' : ''}${c.offset ? ' offset' : ''}`;
    const x = tensor(c.x, c.xShape);
    const scale = opt(c.scale, [ch]);
    const offset = opt(c.offset, [ch]);
    const { y, mean, variance } = norm.batchNormTraining(x, scale, offset, c.epsilon);
    close(t, y.dataSync(), c.y, { rtol: 1e-4, atol: 1e-5, label: `${label} y` });
    close(t, mean.dataSync(), c.mean, { rtol: 1e-5, atol: 1e-6, label: `${label} mean` });
    close(t, variance.dataSync(), c.variance, { rtol: 1e-5, atol: 1e-6, label: `${label} variance` });
    const inputs = [x, scale, offset].filter((v) => v);
    const dy = tensor(c.dy, c.xShape);
    const g = grads((...args) => {
      const [xv, ...rest] = args;
      return norm.batchNormTraining(xv, scale ? rest.shift() : null, offset ? rest.shift() : null, c.epsilon).y;
    })(inputs, dy);
    close(t, g[0].dataSync(), c.dx, { rtol: 1e-4, atol: 1e-5, label: `${label} dx` });
    if (scale) close(t, g[1].dataSync(), c.dscale, { rtol: 1e-4, atol: 1e-5, label: `${label} dscale` });
    if (offset) close(t, g[inputs.length - 1].dataSync(), c.doffset, { rtol: 1e-4, atol: 1e-5, label: `${label} doffset` });
    for (const v of [...inputs, y, mean, variance, dy, ...g]) v.dispose();
  }
  t.is(memory().numTensors, before);
});

test('layerNormalization matches PyTorch: y and gradients, one and two trailing axes', (t) => {
  const before = memory().numTensors;
  for (const c of fixtures.cases.filter((k) => k.op === 'layerNormalization')) {
    const label = `x [${c.xShape}] axes ${c.axes}`;
    const x = tensor(c.x, c.xShape);
    const gamma = opt(c.gamma, c.paramShape);
    const beta = opt(c.beta, c.paramShape);
    const y = norm.layerNormalization(x, gamma, beta, c.epsilon, c.axes);
    close(t, y.dataSync(), c.y, { rtol: 1e-4, atol: 1e-5, label: `${label} y` });
    const inputs = [x, gamma, beta].filter((v) => v);
    const dy = tensor(c.dy, c.xShape);
    const g = grads((xv, gv, bv) => norm.layerNormalization(xv, gv ?? null, bv ?? null, c.epsilon, c.axes))(inputs, dy);
    close(t, g[0].dataSync(), c.dx, { rtol: 1e-4, atol: 1e-5, label: `${label} dx` });
    if (gamma) {
      t.deepEqual(g[1].shape, c.paramShape);
      close(t, g[1].dataSync(), c.dgamma, { rtol: 1e-4, atol: 1e-5, label: `${label} dgamma` });
      close(t, g[2].dataSync(), c.dbeta, { rtol: 1e-4, atol: 1e-5, label: `${label} dbeta` });
    }
    for (const v of [...inputs, y, dy, ...g]) v.dispose();
  }
  t.is(memory().numTensors, before);
});

// ------------------------------------------------------------------ batchNorm against float64

/** (x - mean) / sqrt(var + eps) * scale + offset with every parameter a vector over the last axis. */
function batchNormRef(x, c, mean, variance, offset, scale, eps) {
  return x.map((v, i) => {
    const k = i % c;
    return ((v - mean[k]) / Math.sqrt(variance[k] + eps)) * (scale ? scale[k] : 1) + (offset ? offset[k] : 0);
  });
}

test('batchNorm with vectors over the last axis (the native path) against float64', (t) => {
  const xs = uniform(2 * 3 * 4, -2, 2, 1);
  const mean = uniform(4, -1, 1, 2);
  const variance = uniform(4, 0.2, 2, 3);
  const offset = uniform(4, -1, 1, 4);
  const scale = uniform(4, 0.5, 2, 5);
  const x = tensor(xs, [2, 3, 4]);
  close(t, norm.batchNorm(x, mean, variance, offset, scale, 1e-3).dataSync(), batchNormRef(xs, 4, mean, variance, offset, scale, 1e-3), { rtol: 1e-5, atol: 1e-6 });
  close(t, norm.batchNorm(x, mean, variance).dataSync(), batchNormRef(xs, 4, mean, variance, null, null, 1e-3), { rtol: 1e-5, atol: 1e-6 });
  // [1, 1, C] statistics, as a layer with a broadcast shape passes them; rank-1 x; the chained method.
  const m3 = tensor(mean, [1, 1, 4]);
  const v3 = tensor(variance, [1, 1, 4]);
  close(t, norm.batchNorm(x, m3, v3, null, tensor(scale, [1, 1, 4]), 0.1).dataSync(), batchNormRef(xs, 4, mean, variance, null, scale, 0.1), { rtol: 1e-5, atol: 1e-6 });
  close(t, norm.batchNorm(tensor(xs.slice(0, 4)), mean, variance, offset).dataSync(), batchNormRef(xs.slice(0, 4), 4, mean, variance, offset, null, 1e-3), { rtol: 1e-5, atol: 1e-6 });
  close(t, x.batchNorm(mean, variance, offset, scale).dataSync(), batchNormRef(xs, 4, mean, variance, offset, scale, 1e-3), { rtol: 1e-5, atol: 1e-6 });
});

test('batchNorm with other broadcasts (composed from elementwise ops) against float64', (t) => {
  const xs = uniform(2 * 3 * 2, -2, 2, 6);
  const x = tensor(xs, [2, 3, 2]);
  // Statistics per (example, channel): shape [2, 1, 2].
  const mean = uniform(4, -1, 1, 7);
  const variance = uniform(4, 0.2, 2, 8);
  const ref = xs.map((v, i) => {
    const k = Math.floor(i / 6) * 2 + (i % 2);
    return (v - mean[k]) / Math.sqrt(variance[k] + 1e-3);
  });
  close(t, norm.batchNorm(x, tensor(mean, [2, 1, 2]), tensor(variance, [2, 1, 2])).dataSync(), ref, { rtol: 1e-5, atol: 1e-6 });
  // One statistic for every channel.
  const one = xs.map((v) => ((v - 0.5) / Math.sqrt(2 + 1e-3)) * 3 + 1);
  close(t, norm.batchNorm(x, [0.5], [2], [1], [3]).dataSync(), one, { rtol: 1e-5, atol: 1e-6 });
});

test('batchNorm gradients for x, mean, variance, offset and scale match finite differences', (t) => {
  const x = tensor(uniform(2 * 3 * 3, -2, 2, 9), [2, 3, 3]);
  const mean = tensor(uniform(3, -1, 1, 10));
  const variance = tensor(uniform(3, 0.5, 1.5, 11));
  const offset = tensor(uniform(3, -1, 1, 12));
  const scale = tensor(uniform(3, 0.5, 1.5, 13));
  gradcheck(t, (a, m, v, o, s) => norm.batchNorm(a, m, v, o, s, 1e-3), [x, mean, variance, offset, scale], { label: 'native path' });
  gradcheck(t, (a, m, v) => norm.batchNorm(a, m, v), [x, mean, variance], { label: 'native path, no scale or offset' });
  const m3 = tensor(uniform(6, -1, 1, 14), [2, 1, 3]);
  const v3 = tensor(uniform(6, 0.5, 1.5, 15), [2, 1, 3]);
  gradcheck(t, (a, m, v, s) => norm.batchNorm(a, m, v, null, s), [x, m3, v3, tensor(uniform(6, 0.5, 1.5, 16), [2, 1, 3])], { label: 'composed path' });
  // Only some gradients wanted: the others are skipped, the wanted ones unchanged.
  const dy = tensor(uniform(18, -1, 1, 17), [2, 3, 3]);
  const all = grads((a, m, v, o, s) => norm.batchNorm(a, m, v, o, s))([x, mean, variance, offset, scale], dy);
  const [dv] = grads((v) => norm.batchNorm(x, mean, v, offset, scale))([variance], dy);
  close(t, dv.dataSync(), all[2].dataSync(), { rtol: 1e-6 });
  const [dm] = grads((m) => norm.batchNorm(x, m, variance))([mean], dy);
  const [dmRef] = grads((m) => norm.batchNorm(x, m, variance, null, tensor([1, 1, 1])))([mean], dy);
  close(t, dm.dataSync(), dmRef.dataSync(), { rtol: 1e-6 });
});

test('batchNormTraining: statistics are the batch moments; gradients match finite differences', (t) => {
  const x = tensor(uniform(4 * 2 * 3, -2, 2, 18), [4, 2, 3]);
  const scale = tensor(uniform(3, 0.5, 1.5, 19));
  const offset = tensor(uniform(3, -1, 1, 20));
  const { y, mean, variance } = norm.batchNormTraining(x, scale, offset, 1e-3);
  const ref = moments(x, [0, 1]);
  close(t, mean.dataSync(), ref.mean.dataSync(), { rtol: 1e-5, atol: 1e-6 });
  close(t, variance.dataSync(), ref.variance.dataSync(), { rtol: 1e-5, atol: 1e-6 });
  close(t, y.dataSync(), norm.batchNorm(x, mean, variance, offset, scale, 1e-3).dataSync(), { rtol: 1e-5, atol: 1e-5 });
  gradcheck(t, (a, s, o) => norm.batchNormTraining(a, s, o, 1e-3).y, [x, scale, offset], { label: 'scale and offset' });
  gradcheck(t, (a) => norm.batchNormTraining(a, null, null, 1e-3).y, [x], { label: 'plain' });
  gradcheck(t, (s) => norm.batchNormTraining(x, s, null, 1e-3).y, [scale], { label: 'scale only' });
  // The statistics are for the moving averages: no gradient flows back through them.
  const [dx] = grads((a) => norm.batchNormTraining(a, null, null, 1e-3).mean)([x]);
  t.deepEqual(Array.from(new Set(dx.dataSync())), [0]);
});

test('layerNormalization gradients match finite differences; inference keeps no statistics', (t) => {
  const x = tensor(uniform(3 * 2 * 4, -2, 2, 21), [3, 2, 4]);
  const gamma = tensor(uniform(4, 0.5, 1.5, 22));
  const beta = tensor(uniform(4, -1, 1, 23));
  gradcheck(t, (a, g, b) => norm.layerNormalization(a, g, b, 1e-3), [x, gamma, beta], { label: 'last axis' });
  const g2 = tensor(uniform(8, 0.5, 1.5, 24), [2, 4]);
  gradcheck(t, (a, g) => norm.layerNormalization(a, g, null, 1e-3, 2), [x, g2], { label: 'two axes' });
  gradcheck(t, (a) => norm.layerNormalization(a, null, null, 1e-5, 3), [x], { label: 'all axes' });
  const before = memory().numTensors;
  const y = norm.layerNormalization(x, gamma, beta, 1e-3);
  t.is(memory().numTensors, before + 1);
  // Each row has mean beta-weighted 0 and unit variance before the affine part.
  const plain = norm.layerNormalization(x, null, null, 0);
  const m = moments(plain, -1);
  close(t, m.mean.dataSync(), new Array(6).fill(0), { atol: 1e-6 });
  close(t, m.variance.dataSync(), new Array(6).fill(1), { rtol: 1e-5 });
  // gamma given flat ([8]) for two axes is the same as [2, 4].
  close(t, norm.layerNormalization(x, g2.reshape([8]), null, 1e-3, 2).dataSync(), norm.layerNormalization(x, g2, null, 1e-3, 2).dataSync());
  for (const v of [y, plain, m.mean, m.variance]) v.dispose();
});

test('batchNorm2d / 3d / 4d check the rank', (t) => {
  const x = tensor(uniform(8), [2, 4]);
  close(t, norm.batchNorm2d(x, [0, 0, 0, 0], [1, 1, 1, 1], null, null, 0).dataSync(), x.dataSync());
  t.throws(() => norm.batchNorm3d(x, [0], [1]), { instanceOf: RangeError, message: "batchNorm3d: expected a tensor of rank 3 for 'x' but received a float32 tensor of shape [2,4]" });
  t.throws(() => norm.batchNorm4d(x, [0], [1]), { instanceOf: RangeError, message: /rank 4/ });
});

test('BAD CALL – normalization arguments', (t) => {
  const x = tensor(uniform(12), [3, 4]);
  const c4 = tensor([1, 1, 1, 1]);
  const before = memory().numTensors;
  let e = t.throws(() => norm.batchNorm(x, [0, 0, 0, 0], [[1, 1, 1, 1]]));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'batchNorm: mean and variance must have the same rank ([4] and [1,4])');
  e = t.throws(() => norm.batchNorm(x, [0, 0, 0], [1, 1, 1]));
  t.is(e.message, 'batchNorm: mean must broadcast to the shape of x ([3] and [3,4])');
  t.throws(() => norm.batchNorm(x, c4, c4, null, null, -1), { instanceOf: RangeError, message: "batchNorm: expected a non-negative number for 'varianceEpsilon' but received -1 of type number" });
  t.throws(() => norm.batchNorm(x, c4, c4, null, 'a'), { instanceOf: TypeError, message: /for 'scale'/ });
  t.throws(() => norm.batchNormTraining(c4, null, null, 1e-3), { instanceOf: RangeError, message: /^batchNormTraining: expected a tensor of rank >= 2/ });
  e = t.throws(() => norm.batchNormTraining(x, [1, 1], null, 1e-3));
  t.is(e.message, 'batchNormTraining: scale must have the shape [4] ([2] and [4]): 4 features');
  t.throws(() => norm.layerNormalization(x, null, null, 1e-3, 3), { instanceOf: RangeError, message: /^layerNormalization: expected an integer in \[1, 2\]/ });
  e = t.throws(() => norm.layerNormalization(x, [1, 1, 1], null, 1e-3));
  t.is(e.message, 'layerNormalization: gamma must have the shape [4] ([3] and [4]): 4 features');
  e = t.throws(() => norm.layerNormalization(x, null, [1, 1, 1], 1e-3, 2));
  t.is(e.message, 'layerNormalization: beta must have the shape [3,4] or [12] ([3] and [3,4]): 12 features');
  t.throws(() => norm.layerNormalization(x, null, c4, Number.NaN), { instanceOf: TypeError, message: /'epsilon'/ });
  t.is(memory().numTensors, before);
});

test('normalization leaves no tensors behind', (t) => {
  const x = tensor(uniform(24, -2, 2, 30), [2, 3, 4]);
  const before = memory().numTensors;
  const y = norm.batchNorm([[1, 2], [3, 4]], [1, 2], [1, 1], [0, 0], [1, 1]);
  y.dispose();
  const g = grads((a) => sum(mul(norm.layerNormalization(norm.batchNormTraining(a, [1, 1, 1, 1], [0, 0, 0, 0], 1e-3).y, null, [1, 2, 3, 4], 1e-3), norm.batchNorm(a, [0, 0, 0, 0], [1, 1, 1, 1]))))([x]);
  g.forEach((v) => v.dispose());
  const r = norm.batchNormTraining(x, null, null, 1e-3);
  Object.values(r).forEach((v) => v.dispose());
  t.is(memory().numTensors, before);
});
