'use strict';
// maxPool / avgPool (1-D, 2-D, 3-D) against PyTorch fixtures
// (scripts/fixtures/pool_norm_fixtures.py), their gradients against PyTorch's
// autograd and finite differences, the inference / training paths, errors and memory.
const test = require('ava');
const fixtures = require('../fixtures/pool/pool.json');
const pool = require('../../dist/ops/pool');
const { tensor } = require('../../dist/ops/creation');
const { grads } = require('../../dist/autograd/gradients');
const { memory } = require('../../dist/tensor/scope');
const { gradcheck, close, uniform } = require('./gradcheck');

function poolFn(c) {
  const spatial = c.xShape.length - 2;
  const max = c.kind === 'max';
  if (spatial === 1) return (x) => (max ? pool.maxPool1d : pool.avgPool1d)(x, c.filterSize[0], c.strides[0], c.pad, c.dimRoundingMode ?? undefined);
  if (spatial === 2) return (x) => (max ? pool.maxPool : pool.avgPool)(x, c.filterSize, c.strides, c.pad, c.dimRoundingMode ?? undefined);
  return (x) => (max ? pool.maxPool3d : pool.avgPool3d)(x, c.filterSize, c.strides, c.pad, c.dimRoundingMode ?? undefined);
}

const describe = (c) => `${c.kind}Pool ${c.xShape.length - 2}-D x [${c.xShape}] k [${c.filterSize}] s [${c.strides}] pad ${JSON.stringify(c.pad)}${c.dimRoundingMode ? ` ${c.dimRoundingMode}` : ''}`;

test('pooling matches PyTorch: values and gradients', (t) => {
  const before = memory().numTensors;
  for (const c of fixtures.cases) {
    const f = poolFn(c);
    const x = tensor(c.x, c.xShape);
    const y = f(x);
    t.deepEqual(y.shape, c.yShape, describe(c));
    close(t, y.dataSync(), c.y, { rtol: 1e-4, atol: 1e-5, label: describe(c) });
    const dy = tensor(c.dy, c.yShape);
    const [dx] = grads(f)([x], dy);
    close(t, dx.dataSync(), c.dx, { rtol: 1e-4, atol: 1e-5, label: `${describe(c)} dx` });
    for (const v of [x, y, dy, dx]) v.dispose();
  }
  t.is(memory().numTensors, before);
});

test('the fixtures cover max and avg in 1, 2 and 3 spatial dims with same, valid, explicit and rounded padding', (t) => {
  const seen = new Set(fixtures.cases.map((c) => `${c.kind}${c.xShape.length - 2}`));
  t.deepEqual([...seen].sort(), ['avg1', 'avg2', 'avg3', 'max1', 'max2', 'max3']);
  const pads = new Set(fixtures.cases.map((c) => (Array.isArray(c.pad) ? 'explicit' : typeof c.pad === 'number' ? `number-${c.dimRoundingMode}` : c.pad)));
  t.deepEqual([...pads].sort(), ['explicit', 'number-ceil', 'number-floor', 'same', 'valid']);
  // Ties (the first maximum takes the gradient) in overlapping 'same' windows over negative values, in 1, 2 and 3 dims.
  const tied = fixtures.cases.filter((c) => c.kind === 'max' && new Set(c.x).size <= 3 && c.x.every((v) => v < 0));
  t.deepEqual(tied.map((c) => c.xShape.length - 2).sort(), [1, 2, 2, 3]);
  t.true(tied.some((c) => c.pad === 'same' && c.filterSize[0] === 3 && c.strides[0] === 2));
});

test('avgPool with same padding divides by the real elements at the borders', (t) => {
  // 3x3 window, stride 1, over a 2x2 image of ones plus a 10: every window holds all four pixels.
  const x = tensor([1, 1, 1, 10], [1, 2, 2, 1]);
  close(t, pool.avgPool(x, 3, 1, 'same').dataSync(), [13 / 4, 13 / 4, 13 / 4, 13 / 4]);
  // Max never picks the padding, even for negative inputs.
  close(t, pool.maxPool(tensor([-5, -3, -4, -2], [1, 2, 2, 1]), 3, 1, 'same').dataSync(), [-2, -2, -2, -2]);
});

test('a single image (rank 3) pools like a batch of one; chained methods', (t) => {
  const values = uniform(5 * 6 * 2, -1, 1, 3);
  const batch = tensor(values, [1, 5, 6, 2]);
  const single = tensor(values, [5, 6, 2]);
  const y1 = pool.maxPool(single, [2, 3], [2, 1], 'same');
  t.deepEqual(y1.shape, [3, 6, 2]);
  close(t, y1.dataSync(), pool.maxPool(batch, [2, 3], [2, 1], 'same').dataSync());
  close(t, single.avgPool(3, 2, 'valid').dataSync(), pool.avgPool(batch, 3, 2, 'valid').dataSync());
  close(t, batch.maxPool(2, 2, 'valid').dataSync(), pool.maxPool(batch, 2, 2, 'valid').dataSync());
  const seq = tensor(values.slice(0, 12), [6, 2]);
  t.deepEqual(pool.maxPool1d(seq, 2, 2, 'valid').shape, [3, 2]);
  t.deepEqual(pool.avgPool3d(tensor(values.slice(0, 16), [2, 2, 2, 2]), 2, 1, 'valid').shape, [1, 1, 1, 2]);
});

test('maxPool keeps int32; avgPool of int32 is float32', (t) => {
  const x = tensor([1, 5, 3, 2, 8, 4, 7, 6], [1, 2, 4, 1], 'int32');
  const m = pool.maxPool(x, 2, 2, 'valid');
  t.is(m.dtype, 'int32');
  t.deepEqual(Array.from(m.dataSync()), [8, 7]);
  const a = pool.avgPool(x, 2, 2, 'valid');
  t.is(a.dtype, 'float32');
  close(t, a.dataSync(), [4.5, 4.5]);
});

/** Distinct values 0.05 apart in a scrambled order: no ties, and no order swap within gradcheck's ±0.01. */
function distinct(n, seed) {
  const order = uniform(n, 0, 1, seed).map((u, i) => [u, i]).sort((a, b) => a[0] - b[0]);
  const out = new Array(n);
  order.forEach(([, i], rank) => (out[i] = (rank - n / 2) * 0.05));
  return out;
}

test('pooling gradients match finite differences', (t) => {
  const x2 = tensor(distinct(2 * 5 * 6 * 2, 11), [2, 5, 6, 2]);
  gradcheck(t, (x) => pool.maxPool(x, 3, 2, 'same'), [x2], { label: 'maxPool same' });
  gradcheck(t, (x) => pool.maxPool(x, [2, 3], [1, 2], 'valid'), [x2], { label: 'maxPool valid' });
  gradcheck(t, (x) => pool.avgPool(x, 3, 2, 'same'), [x2], { label: 'avgPool same' });
  gradcheck(t, (x) => pool.avgPool(x, 2, 1, [[0, 0], [1, 0], [0, 1], [0, 0]]), [x2], { label: 'avgPool explicit' });
  const x1 = tensor(distinct(2 * 7 * 3, 12), [2, 7, 3]);
  gradcheck(t, (x) => pool.maxPool1d(x, 3, 2, 'same'), [x1], { label: 'maxPool1d' });
  gradcheck(t, (x) => pool.avgPool1d(x, 2, 1, 'valid'), [x1], { label: 'avgPool1d' });
  const x3 = tensor(distinct(3 * 4 * 3 * 2, 13), [1, 3, 4, 3, 2]);
  gradcheck(t, (x) => pool.maxPool3d(x, 2, 2, 'same'), [x3], { label: 'maxPool3d' });
  gradcheck(t, (x) => pool.avgPool3d(x, [2, 2, 1], 1, 'valid'), [x3], { label: 'avgPool3d' });
});

test('max pooling keeps an argmax only under a tape, and frees it with the tape', (t) => {
  const x = tensor(distinct(4 * 4 * 3, 14), [1, 4, 4, 3]);
  const before = memory().numTensors;
  const y = pool.maxPool(x, 2, 2, 'valid');
  t.is(memory().numTensors, before + 1, 'inference: only the result');
  const dy = tensor(uniform(12, -1, 1, 5), [1, 2, 2, 3]);
  const [dx] = grads((v) => pool.maxPool(v, 2, 2, 'valid'))([x], dy);
  t.is(memory().numTensors, before + 3, 'the argmax went with the tape');
  // Each output's gradient lands on the maximum of its window.
  const xs = x.dataSync();
  const g = dx.dataSync();
  const ys = y.dataSync();
  const dys = dy.dataSync();
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    if (g[i] !== 0) t.true(Array.from(ys).includes(xs[i]));
    sum += g[i];
  }
  close(t, [sum], [Array.from(dys).reduce((a, b) => a + b, 0)], { rtol: 1e-5 });
  for (const v of [y, dy, dx]) v.dispose();
  t.is(memory().numTensors, before);
});

test('BAD CALL – pooling arguments', (t) => {
  const x = tensor(uniform(2 * 4 * 4 * 1), [2, 4, 4, 1]);
  const vector = tensor([1, 2]);
  const bools = tensor([true, false, true, true], [1, 2, 2, 1]);
  const rank3 = tensor(uniform(8), [2, 2, 2]);
  const rank5 = tensor(uniform(8), [1, 2, 2, 2, 1]);
  const before = memory().numTensors;
  let e = t.throws(() => pool.maxPool(vector, 2, 1, 'valid'), { instanceOf: RangeError });
  t.is(e.message, "maxPool: expected a tensor of rank 3 or 4 (channels last) for 'x' but received a float32 tensor of shape [2]");
  t.is(e.code, 'ERR_OUT_OF_RANGE');
  e = t.throws(() => pool.avgPool(x, [2, 2, 2], 1, 'valid'), { instanceOf: TypeError });
  t.is(e.message, "avgPool: expected a positive integer or an array of 2 positive integers for 'filterSize' but received [2, 2, 2]");
  t.throws(() => pool.maxPool(x, 0, 1, 'valid'), { instanceOf: RangeError, message: /for 'filterSize' but received 0 of type number/ });
  t.throws(() => pool.maxPool(x, 2, 1.5, 'valid'), { instanceOf: TypeError, message: /for 'strides'/ });
  e = t.throws(() => pool.maxPool(x, 2, 1, 'full'), { instanceOf: TypeError });
  t.is(e.message, "maxPool: expected 'valid', 'same', a non-negative integer or explicit paddings for 'pad' but received 'full'");
  t.throws(() => pool.maxPool(x, 2, 1, 'same', 'ceil'), { instanceOf: TypeError, message: /when dimRoundingMode is given/ });
  t.throws(() => pool.maxPool(x, 2, 1, 1, 'up'), { instanceOf: TypeError, message: /'dimRoundingMode'/ });
  t.throws(() => pool.maxPool(x, 2, 1, [[0, 0], [1, 1], [1, 1]]), { instanceOf: TypeError, message: /explicit paddings/ });
  t.throws(() => pool.maxPool(x, 2, 1, [[1, 0], [1, 1], [1, 1], [0, 0]]), { instanceOf: TypeError, message: /explicit paddings/ });
  e = t.throws(() => pool.maxPool(x, 5, 1, 'valid'), { instanceOf: RangeError });
  t.regex(e.message, /^maxPool: expected a window that fits the padded input \(spatial size 4 in dim 1\) for 'filterSize'/);
  e = t.throws(() => pool.avgPool(x, 2, 1, 2), { instanceOf: RangeError });
  t.regex(e.message, /^avgPool: expected padding smaller than the filter in every dim/);
  t.throws(() => pool.maxPool(bools, 2, 1, 'valid'), { instanceOf: TypeError, message: /float32 or int32/ });
  t.throws(() => pool.maxPool3d(rank3, 2, 1, 'valid'), { instanceOf: RangeError, message: /rank 4 or 5/ });
  t.throws(() => pool.maxPool3d(rank5, 2, 1, 'valid', undefined, 'NCDHW'), { instanceOf: TypeError, message: /'dataFormat'/ });
  t.is(memory().numTensors, before);
  // Arrays are converted and freed even when the arguments are bad.
  t.throws(() => pool.maxPool([[[1]], [[2]]], 3, 1, 'valid'));
  t.is(memory().numTensors, before);
  const gone = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
  gone.dispose();
  t.is(t.throws(() => pool.maxPool(gone, 1, 1, 'valid')).code, 'ERR_TENSOR_DISPOSED');
});

test('pooling leaves no tensors behind (arrays in, gradients, errors)', (t) => {
  const before = memory().numTensors;
  const y = pool.avgPool([[[[1], [2]], [[3], [4]]]], 2, 1, 'valid');
  close(t, y.dataSync(), [2.5]);
  y.dispose();
  const x = tensor(distinct(16, 15), [1, 4, 4, 1]);
  const g = grads((v) => pool.maxPool(pool.avgPool(v, 2, 1, 'same'), 2, 2, 'valid'))([x]);
  g.forEach((v) => v.dispose());
  x.dispose();
  t.is(memory().numTensors, before);
});
