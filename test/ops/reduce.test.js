'use strict';
const test = require('ava');
const rd = require('../../dist/ops/reduce');
const { tensor } = require('../../dist/ops/creation');
const { mul } = require('../../dist/ops/elementwise');
const { grad } = require('../../dist/autograd/gradients');
const { memory, tidy } = require('../../dist/tensor/scope');
const { gradcheck, close, uniform } = require('./gradcheck');

// ------------------------------------------------------------------ float64 reference

function size(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

/** Reduces flat row-major `values` of `shape` over `axes` with (acc, v) => acc, from `init`; then `finish(acc, count)`. */
function reduceRef(values, shape, axes, keepDims, step, init, finish = (a) => a) {
  const rank = shape.length;
  const all = axes === null ? shape.map((_, i) => i) : [].concat(axes).map((a) => (a < 0 ? a + rank : a));
  const kept = shape.map((d, i) => (all.includes(i) ? 1 : d));
  const acc = new Array(size(kept)).fill(init);
  const count = size(shape) / size(kept);
  const idx = new Array(rank).fill(0);
  for (let k = 0; k < values.length; k++) {
    let r = k;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = r % shape[d];
      r = Math.floor(r / shape[d]);
    }
    let o = 0;
    for (let d = 0; d < rank; d++) o = o * kept[d] + (all.includes(d) ? 0 : idx[d]);
    acc[o] = step(acc[o], values[k]);
  }
  return { values: acc.map((a) => finish(a, count)), shape: keepDims ? kept : shape.filter((_, i) => !all.includes(i)) };
}

const REDUCTIONS = {
  sum: [(a, v) => a + v, 0],
  mean: [(a, v) => a + v, 0, (a, n) => a / n],
  max: [Math.max, -Infinity],
  min: [Math.min, Infinity],
  prod: [(a, v) => a * v, 1],
};

const AXES = [null, 0, 1, -1, [0, 2], [2, 0], [-3, -2, -1], []];

for (const [name, [step, init, finish]] of Object.entries(REDUCTIONS)) {
  test(`${name}: every axis form and keepDims against a float64 reference`, (t) => {
    const shape = [2, 3, 4];
    const values = uniform(24, name === 'prod' ? 0.5 : -3, name === 'prod' ? 1.5 : 3, 5);
    const x = tensor(values, shape);
    for (const axis of AXES) {
      for (const keepDims of [false, true]) {
        const expected = reduceRef(values, shape, axis, keepDims, step, init, finish);
        const y = rd[name](x, axis, keepDims);
        const label = `${name}(axis=${JSON.stringify(axis)}, keepDims=${keepDims})`;
        t.deepEqual(y.shape, expected.shape, label);
        t.is(y.dtype, 'float32', label);
        close(t, y.dataSync(), expected.values, { rtol: 1e-5, atol: 1e-5, label });
        close(t, x[name](axis, keepDims).dataSync(), expected.values, { rtol: 1e-5, atol: 1e-5, label: `${label} method` });
      }
    }
  });
}

test('reductions of a scalar and the default (all axes)', (t) => {
  t.is(rd.sum(tensor(5)).arraySync(), 5);
  t.deepEqual(rd.sum([[1, 2], [3, 4]]).shape, []);
  t.is(rd.sum([[1, 2], [3, 4]]).arraySync(), 10);
  t.deepEqual(rd.mean([[1, 2], [3, 4]], null, true).arraySync(), [[2.5]]);
});

test('int32 and bool inputs: sum/max/min/prod stay int32, bool sums as int32, mean is float32', (t) => {
  const i = tensor([[1, -2, 3], [4, 5, -7]], undefined, 'int32');
  const s = rd.sum(i, 1);
  t.is(s.dtype, 'int32');
  t.deepEqual(Array.from(s.dataSync()), [2, 2]);
  t.deepEqual(Array.from(rd.max(i, 0).dataSync()), [4, 5, 3]);
  t.deepEqual(Array.from(rd.min(i).dataSync()), [-7]);
  t.is(rd.prod(i).dataSync()[0], 1 * -2 * 3 * 4 * 5 * -7);
  const m = rd.mean(i, 1);
  t.is(m.dtype, 'float32');
  close(t, m.dataSync(), [2 / 3, 2 / 3]);
  const b = rd.sum(tensor([true, true, false]));
  t.is(b.dtype, 'int32');
  t.is(b.arraySync(), 2);
});

test('all and any', (t) => {
  const x = tensor([[true, false], [true, true]]);
  t.is(rd.all(x).dtype, 'bool');
  t.deepEqual(Array.from(rd.all(x, 1).dataSync()), [0, 1]);
  t.deepEqual(Array.from(rd.any(x, 0).dataSync()), [1, 1]);
  t.is(rd.any(tensor([false, false])).arraySync(), 0);
  t.is(rd.all([1, 2, 0]).arraySync(), 0);
  t.deepEqual(rd.all(x, 1, true).shape, [2, 1]);
});

test('argMax and argMin: default axis 0, negative axes, first index on ties', (t) => {
  const x = tensor([[1, 9, 3], [7, 2, 9]]);
  const a = rd.argMax(x);
  t.is(a.dtype, 'int32');
  t.deepEqual(Array.from(a.dataSync()), [1, 0, 1]);
  t.deepEqual(Array.from(rd.argMax(x, -1).dataSync()), [1, 2]);
  t.deepEqual(Array.from(rd.argMin(x, 1).dataSync()), [0, 1]);
  t.deepEqual(Array.from(rd.argMax([5, 5, 1]).dataSync()), [0]);
  t.deepEqual(Array.from(x.argMin().dataSync()), [0, 1, 0]);
  t.deepEqual(Array.from(rd.argMax(tensor([3, 1, 4], undefined, 'int32')).dataSync()), [2]);
});

test('logSumExp is stable for large values', (t) => {
  const y = rd.logSumExp(tensor([[1000, 1000], [-1000, -1000]]), 1);
  close(t, y.dataSync(), [1000 + Math.LN2, -1000 + Math.LN2], { rtol: 1e-6 });
  const values = uniform(24, -3, 3, 9);
  const expected = reduceRef(values, [2, 3, 4], [0, 2], true, (a, v) => a + Math.exp(v), 0, (a) => Math.log(a));
  const z = rd.logSumExp(tensor(values, [2, 3, 4]), [0, -1], true);
  t.deepEqual(z.shape, expected.shape);
  close(t, z.dataSync(), expected.values, { rtol: 1e-5 });
  close(t, rd.logSumExp([0, 0]).dataSync(), [Math.LN2]);
});

test('moments: population mean and variance', (t) => {
  const { mean, variance } = rd.moments([1, 2, 3, 4]);
  close(t, mean.dataSync(), [2.5]);
  close(t, variance.dataSync(), [1.25]);
  const x = tensor([[1, 2, 3], [4, 6, 8]]);
  const m = rd.moments(x, 1, true);
  t.deepEqual(m.mean.shape, [2, 1]);
  t.deepEqual(m.variance.shape, [2, 1]);
  close(t, m.mean.dataSync(), [2, 6]);
  close(t, m.variance.dataSync(), [2 / 3, 8 / 3]);
  const m0 = rd.moments(x, [0]);
  t.deepEqual(m0.mean.shape, [3]);
  close(t, m0.variance.dataSync(), [2.25, 4, 6.25]);
});

test('norm: vector and matrix ords', (t) => {
  const v = tensor([3, -4]);
  close(t, rd.norm(v).dataSync(), [5]);
  close(t, rd.norm(v, 2).dataSync(), [5]);
  close(t, rd.norm(v, 1).dataSync(), [7]);
  close(t, rd.norm(v, Infinity).dataSync(), [4]);
  close(t, rd.norm(v, -Infinity).dataSync(), [3]);
  const m = tensor([[1, -2], [3, 4]]);
  // no axis: the flattened vector
  close(t, rd.norm(m).dataSync(), [Math.sqrt(30)]);
  t.deepEqual(rd.norm(m, 'euclidean', null, true).shape, [1, 1]);
  // one axis: per-row / per-column vector norms
  close(t, rd.norm(m, 'euclidean', 1).dataSync(), [Math.sqrt(5), 5]);
  close(t, rd.norm(m, 1, 0, true).dataSync(), [4, 6]);
  t.deepEqual(rd.norm(m, 1, 0, true).shape, [1, 2]);
  // two axes: matrix norms (1: max column sum, Infinity: max row sum)
  close(t, rd.norm(m, 1, [0, 1]).dataSync(), [6]);
  close(t, rd.norm(m, Infinity, [0, 1]).dataSync(), [7]);
  close(t, rd.norm(m, -Infinity, [0, 1]).dataSync(), [3]);
  close(t, rd.norm(m, 'fro', [0, 1]).dataSync(), [Math.sqrt(30)]);
  t.deepEqual(rd.norm(m, 'fro', [0, 1], true).shape, [1, 1]);
  // a batch of matrices
  const b = tensor([[[1, -2], [3, 4]], [[0, 1], [1, 0]]]);
  close(t, rd.norm(b, 1, [1, 2]).dataSync(), [6, 1]);
  close(t, b.norm('fro', [-2, -1]).dataSync(), [Math.sqrt(30), Math.SQRT2]);
});

test('topk: largest first, ties by lower index, any rank', (t) => {
  const { values, indices } = rd.topk(tensor([[1, 9, 3, 9], [4, 2, 8, 6]]), 3);
  t.deepEqual(values.arraySync(), [[9, 9, 3], [8, 6, 4]]);
  t.is(indices.dtype, 'int32');
  t.deepEqual(indices.arraySync(), [[1, 3, 2], [2, 3, 0]]);
  const one = tensor([5, 7, 6]).topk();
  t.deepEqual(Array.from(one.values.dataSync()), [7]);
  t.deepEqual(Array.from(one.indices.dataSync()), [1]);
  const i = rd.topk(tensor([3, 1, 2], undefined, 'int32'), 2);
  t.is(i.values.dtype, 'int32');
  t.deepEqual(Array.from(i.values.dataSync()), [3, 2]);
});

test('cumsum: axis, exclusive, reverse', (t) => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  t.deepEqual(rd.cumsum(x).arraySync(), [[1, 2, 3], [5, 7, 9]]);
  t.deepEqual(rd.cumsum(x, 1).arraySync(), [[1, 3, 6], [4, 9, 15]]);
  t.deepEqual(rd.cumsum(x, -1, true).arraySync(), [[0, 1, 3], [0, 4, 9]]);
  t.deepEqual(rd.cumsum(x, 1, false, true).arraySync(), [[6, 5, 3], [15, 11, 6]]);
  t.deepEqual(x.cumsum(1, true, true).arraySync(), [[5, 3, 0], [11, 6, 0]]);
  const i = rd.cumsum(tensor([1, 2, 3], undefined, 'int32'));
  t.is(i.dtype, 'int32');
  t.deepEqual(Array.from(i.dataSync()), [1, 3, 6]);
});

// ------------------------------------------------------------------ gradients

test('sum and mean gradients match finite differences for every axis form', (t) => {
  const x = tensor(uniform(24, -2, 2, 3), [2, 3, 4]);
  for (const axis of [null, 1, -1, [0, 2]]) {
    for (const keepDims of [false, true]) {
      gradcheck(t, (v) => rd.sum(v, axis, keepDims), [x], { label: `sum ${JSON.stringify(axis)} ${keepDims}` });
      gradcheck(t, (v) => rd.mean(v, axis, keepDims), [x], { label: `mean ${JSON.stringify(axis)} ${keepDims}` });
    }
  }
});

test('max and min gradients match finite differences (no ties)', (t) => {
  const x = tensor([0.1, 0.9, -0.4, 1.7, -1.2, 0.5, 2.3, -2.1, 1.1, 0.3, -0.7, 1.4], [3, 4]);
  for (const axis of [null, 0, -1]) {
    gradcheck(t, (v) => rd.max(v, axis), [x], { label: `max ${axis}` });
    gradcheck(t, (v) => rd.min(v, axis, true), [x], { label: `min ${axis}` });
  }
});

test('max gradient gives every tied maximum the full gradient (as TF.js)', (t) => {
  const g = grad((v) => rd.max(v))(tensor([1, 3, 3, 2]));
  t.deepEqual(Array.from(g.dataSync()), [0, 1, 1, 0]);
});

test('prod gradient matches finite differences, with zeros too', (t) => {
  gradcheck(t, (v) => rd.prod(v, 1), [tensor([[0.5, -1.5, 2], [1.2, 0.8, -0.9]])], { label: 'prod' });
  // one zero in a row: only that position has a gradient; two zeros: none.
  gradcheck(t, (v) => rd.prod(v, -1), [tensor([[0, -1.5, 2], [0, 0, -0.9], [1, 2, 3]])], { label: 'prod zeros' });
  const g = grad((v) => rd.prod(v))(tensor([2, 0, 3]));
  t.deepEqual(Array.from(g.dataSync()), [0, 6, 0]);
});

test('logSumExp, moments and norm gradients match finite differences', (t) => {
  const x = tensor(uniform(12, -2, 2, 21), [3, 4]);
  gradcheck(t, (v) => rd.logSumExp(v, 1), [x], { label: 'logSumExp 1' });
  gradcheck(t, (v) => rd.logSumExp(v, null, true), [x], { label: 'logSumExp all' });
  gradcheck(t, (v) => rd.moments(v, 0).variance, [x], { label: 'moments variance' });
  gradcheck(t, (v) => rd.moments(v, [0, 1], true).mean, [x], { label: 'moments mean' });
  gradcheck(t, (v) => rd.norm(v), [x], { label: 'norm euclidean' });
  gradcheck(t, (v) => rd.norm(v, 1, 1), [x], { label: 'norm 1' });
  gradcheck(t, (v) => rd.norm(v, 'fro', [0, 1]), [x], { label: 'norm fro' });
  gradcheck(t, (v) => rd.norm(v, Infinity, -1), [x], { label: 'norm inf' });
});

test('cumsum gradient matches finite differences in all four modes', (t) => {
  const x = tensor(uniform(12, -2, 2, 4), [3, 4]);
  for (const exclusive of [false, true]) {
    for (const reverse of [false, true]) {
      gradcheck(t, (v) => rd.cumsum(v, 1, exclusive, reverse), [x], { label: `cumsum ${exclusive} ${reverse}` });
      gradcheck(t, (v) => rd.cumsum(v, 0, exclusive, reverse), [x], { label: `cumsum axis 0 ${exclusive} ${reverse}` });
    }
  }
});

test('topk values gradient flows back to the chosen positions', (t) => {
  const x = tensor([[0.1, 0.9, -0.4, 1.7], [-1.2, 0.5, 2.3, -2.1]]);
  gradcheck(t, (v) => rd.topk(v, 2).values, [x], { label: 'topk' });
  const g = grad((v) => mul(rd.topk(v, 2).values, tensor([10, 1])).sum())(tensor([3, 1, 4, 2]));
  t.deepEqual(Array.from(g.dataSync()), [1, 0, 10, 0]);
});

test('argMax, argMin, all and any pass no gradient', (t) => {
  const x = tensor([1, 3, 2]);
  const g = grad((v) => v.sum().add(rd.argMax(v).toFloat()))(x);
  t.deepEqual(Array.from(g.dataSync()), [1, 1, 1]);
});

// ------------------------------------------------------------------ errors

test('BAD CALL – an axis out of range is a RangeError naming the rank', (t) => {
  const x = tensor([[1, 2], [3, 4]]);
  const e = t.throws(() => rd.sum(x, 2), { instanceOf: RangeError });
  t.is(e.code, 'ERR_OUT_OF_RANGE');
  t.is(e.message, "sum: expected axes in [-2, 2) for a tensor of rank 2 for 'axis' but received 2 of type number");
  t.throws(() => rd.mean(x, [0, -3]), { instanceOf: RangeError, message: /^mean: expected axes in \[-2, 2\)/ });
  t.throws(() => rd.max(x, [1, -1]), { instanceOf: RangeError, message: /^max: expected distinct axes for 'axis' but received \[1, -1\]/ });
  t.throws(() => rd.argMax(x, 5), { instanceOf: RangeError, message: /^argMax: expected axes in \[-2, 2\)/ });
  t.throws(() => rd.cumsum(x, -3), { instanceOf: RangeError });
  t.throws(() => rd.norm(x, 1, [0, 1, 0]), { instanceOf: RangeError });
});

test('BAD CALL – wrong axis types, keepDims, k and ord', (t) => {
  const x = tensor([[1, 2], [3, 4]]);
  t.throws(() => rd.sum(x, 0.5), { instanceOf: TypeError, message: "sum: expected an integer, an array of integers or null for 'axis' but received 0.5 of type number" });
  t.throws(() => rd.sum(x, 0, 'yes'), { instanceOf: TypeError, message: "sum: expected a boolean for 'keepDims' but received 'yes'" });
  const k = t.throws(() => rd.topk(x, 3), { instanceOf: RangeError });
  t.is(k.message, "topk: expected an integer <= the last dimension (2) for 'k' but received 3 of type number");
  t.throws(() => rd.topk(x, -1), { instanceOf: RangeError });
  t.throws(() => rd.norm(x, 3), { instanceOf: RangeError, message: /^norm: expected 1, 2, Infinity, -Infinity or 'euclidean' for a vector norm for 'ord'/ });
  t.throws(() => rd.norm(x, 2, [0, 1]), { instanceOf: RangeError, message: /matrix norm/ });
});

test('BAD CALL – disposed input', (t) => {
  const x = tensor([1, 2]);
  x.dispose();
  for (const f of [() => rd.sum(x), () => rd.argMax(x), () => rd.topk(x), () => rd.cumsum(x), () => rd.logSumExp(x), () => x.mean()]) {
    t.is(t.throws(f).code, 'ERR_TENSOR_DISPOSED');
  }
});

test('composites free their intermediates', (t) => {
  const x = tensor([[1, 2], [3, 4]]);
  const before = memory().numTensors;
  const outs = [rd.norm(x), rd.norm(x, 1, [0, 1]), rd.logSumExp(x, 0), rd.sum([1, 2, 3])];
  const m = rd.moments(x, 1);
  t.is(memory().numTensors, before + outs.length + 2);
  tidy(() => {
    grad((v) => rd.norm(v, 'fro', [0, 1]).add(rd.moments(v).variance).add(rd.prod(v)))(x);
  });
  t.is(memory().numTensors, before + outs.length + 2);
  t.truthy(m);
});
