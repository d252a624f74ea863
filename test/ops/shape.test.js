// Shape ops against plain-JS index math, every gradient against central
// finite differences, and the error messages.
const test = require('ava');
const s = require('../../dist/ops/shape');
const { tensor, scalar, zeros } = require('../../dist/ops/creation');
const { grad, grads } = require('../../dist/autograd/gradients');
const { gradcheck } = require('./gradcheck');
const { memory, tidy } = require('../../dist/tensor/scope');

let seed = 12345;
function random() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
function randomValues(n) {
  return Array.from({ length: n }, () => Math.round((random() * 4 - 2) * 1000) / 1000);
}
const sizeOf = (shape) => shape.reduce((a, b) => a * b, 1);
const stridesOf = (shape) => shape.map((_, i) => sizeOf(shape.slice(i + 1)));
/** Multi-index of flat index `i` in `shape`. */
function unravel(i, shape) {
  return stridesOf(shape).map((st, k) => Math.floor(i / st) % shape[k]);
}
function ravel(idx, shape) {
  return idx.reduce((a, v, k) => a + v * stridesOf(shape)[k], 0);
}
function randomTensor(shape, dtype = 'float32') {
  const n = sizeOf(shape);
  if (dtype === 'int32') return tensor(Int32Array.from({ length: n }, () => Math.floor(random() * 100) - 50), shape, 'int32');
  if (dtype === 'bool') return tensor(Uint8Array.from({ length: n }, () => (random() < 0.5 ? 1 : 0)), shape, 'bool');
  return tensor(randomValues(n), shape);
}
// Shape ops are linear: float32 finite differences are exact up to rounding.
const gradCheck = (t, f, x) => gradcheck(t, f, [x]);

/** out[idx] = x[map(idx)] for every output index: a reference for any gather-like op. */
function reference(x, outShape, map) {
  const xv = x.dataSync();
  return Array.from({ length: sizeOf(outShape) }, (_, i) => xv[ravel(map(unravel(i, outShape)), x.shape)]);
}

// ------------------------------------------------------------------ reshape & co

test('reshape keeps values, resolves -1 and does not copy', (t) => {
  const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const before = memory();
  const y = s.reshape(x, [3, -1]);
  t.deepEqual(y.shape, [3, 2]);
  t.deepEqual(y.arraySync(), [[1, 2], [3, 4], [5, 6]]);
  t.is(memory().numBytes, before.numBytes, 'a view: no new bytes');
  t.is(memory().numTensors, before.numTensors + 1);
  x.dispose();
  t.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4, 5, 6], 'the view outlives its source');
  y.dispose();
  t.deepEqual(s.reshape(tensor([1, 2, 3, 4], [4], 'int32'), [2, 2]).arraySync(), [[1, 2], [3, 4]]);
  t.deepEqual(s.reshape(scalar(7), [1, 1]).arraySync(), [[7]]);
  t.deepEqual(s.reshape([true, false], [2, 1]).dtype, 'bool');
});

test('reshape: incompatible sizes name both shapes', (t) => {
  const x = zeros([2, 3]);
  const e = t.throws(() => s.reshape(x, [4, 2]));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.regex(e.message, /^reshape: .*\[2,3\] and \[4,2\]/);
  const e2 = t.throws(() => s.reshape(x, [4, -1]));
  t.is(e2.code, 'ERR_SHAPE_MISMATCH');
  t.regex(e2.message, /\[2,3\] and \[4,-1\]/);
  const e3 = t.throws(() => s.reshape(x, [-1, -1]), { instanceOf: TypeError });
  t.regex(e3.message, /reshape: expected .* at most one -1 for 'shape'/);
  t.throws(() => s.reshape(x, [2.5, 2]), { instanceOf: TypeError });
});

test('reshape gradient is a reshape back', (t) => {
  gradCheck(t, (x) => s.reshape(x, [3, 2]), randomTensor([2, 3]));
});

test('expandDims, squeeze, flatten', (t) => {
  const x = tensor([[1, 2, 3]]);
  t.deepEqual(s.expandDims(x).shape, [1, 1, 3]);
  t.deepEqual(s.expandDims(x, 2).shape, [1, 3, 1]);
  t.deepEqual(s.expandDims(x, -1).shape, [1, 3, 1]);
  t.deepEqual(s.expandDims(x, -3).shape, [1, 1, 3]);
  t.throws(() => s.expandDims(x, 3), { instanceOf: RangeError, message: /expandDims: expected an axis in \[-3, 2\] for 'axis' but received 3/ });
  const z = zeros([1, 3, 1, 2]);
  t.deepEqual(s.squeeze(z).shape, [3, 2]);
  t.deepEqual(s.squeeze(z, [2]).shape, [1, 3, 2]);
  t.deepEqual(s.squeeze(z, []).shape, [3, 2]);
  t.deepEqual(s.squeeze(z, -4).shape, [3, 1, 2]);
  const e = t.throws(() => s.squeeze(z, [1]), { instanceOf: RangeError });
  t.is(e.code, 'ERR_OUT_OF_RANGE');
  t.regex(e.message, /squeeze: expected axes whose dimension is 1 in x of shape \[1,3,1,2\]/);
  t.deepEqual(s.flatten(tensor([[1, 2], [3, 4]])).arraySync(), [1, 2, 3, 4]);
  t.deepEqual(x.squeeze().arraySync(), [1, 2, 3]);
  gradCheck(t, (v) => s.squeeze(s.expandDims(v, 1)), randomTensor([2, 3]));
});

// ------------------------------------------------------------------ transpose

test('transpose against index math, for every dtype', (t) => {
  for (const dtype of ['float32', 'int32', 'bool']) {
    const x = randomTensor([2, 3, 4, 5], dtype);
    const perm = [2, 0, 3, 1];
    const y = s.transpose(x, perm);
    const outShape = perm.map((p) => x.shape[p]);
    t.deepEqual(y.shape, outShape);
    t.is(y.dtype, dtype);
    // out[i0, i1, i2, i3] = x[j] with j[perm[k]] = i[k]
    const expected = reference(x, outShape, (i) => {
      const j = new Array(4);
      perm.forEach((p, k) => (j[p] = i[k]));
      return j;
    });
    t.deepEqual(Array.from(y.dataSync()), expected);
  }
  t.deepEqual(s.transpose(tensor([[1, 2, 3], [4, 5, 6]])).arraySync(), [[1, 4], [2, 5], [3, 6]]);
});

test('transpose: a bad perm is a RangeError', (t) => {
  const x = zeros([2, 3, 4]);
  for (const perm of [[0, 1], [0, 1, 1], [0, 1, 3], [0, -1, 2]]) {
    const e = t.throws(() => s.transpose(x, perm), { instanceOf: RangeError });
    t.regex(e.message, /^transpose: expected a permutation of the 3 axes of x \(shape \[2,3,4\]\) for 'perm' but received/);
  }
});

test('transpose gradient', (t) => {
  gradCheck(t, (x) => s.transpose(x, [1, 2, 0]), randomTensor([2, 3, 2]));
});

// ------------------------------------------------------------------ concat, stack, split, unstack

test('concat along each axis', (t) => {
  const a = tensor([[1, 2], [3, 4]]);
  const b = tensor([[5, 6]]);
  t.deepEqual(s.concat([a, b]).arraySync(), [[1, 2], [3, 4], [5, 6]]);
  t.deepEqual(s.concat([a, tensor([[7], [8]])], 1).arraySync(), [[1, 2, 7], [3, 4, 8]]);
  t.deepEqual(s.concat([a, tensor([[7], [8]])], -1).arraySync(), [[1, 2, 7], [3, 4, 8]]);
  t.deepEqual(s.concat([[1, 2], [3]]).arraySync(), [1, 2, 3]);
  const ints = s.concat([tensor([1, 2], [2], 'int32'), tensor([3], [1], 'int32')]);
  t.is(ints.dtype, 'int32');
  t.deepEqual(ints.arraySync(), [1, 2, 3]);
  const bools = s.concat([tensor([true]), tensor([false, true])]);
  t.is(bools.dtype, 'bool');
  t.deepEqual(bools.arraySync(), [1, 0, 1]);
  const mixed = s.concat([tensor([1, 2], [2], 'int32'), tensor([0.5])]);
  t.is(mixed.dtype, 'float32');
  t.deepEqual(mixed.arraySync(), [1, 2, 0.5]);
  const one = s.concat([a]);
  t.not(one, a);
  t.deepEqual(one.arraySync(), a.arraySync());
  t.deepEqual(a.concat(b).shape, [3, 2]);
  t.deepEqual(a.concat([b, b]).shape, [4, 2]);
});

test('concat: mismatched shapes name both shapes', (t) => {
  const e = t.throws(() => s.concat([zeros([2, 3]), zeros([2, 4])], 0));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'concat: tensors[0] and tensors[1] differ outside axis 0 ([2,3] and [2,4])');
  t.throws(() => s.concat([zeros([2, 3]), zeros([2, 3, 1])], 0), { message: /\[2,3\] and \[2,3,1\]/ });
  t.throws(() => s.concat([], 0), { instanceOf: TypeError, message: /concat: expected a non-empty array of tensors for 'tensors'/ });
  t.throws(() => s.concat([zeros([2])], 1), { instanceOf: RangeError, message: /concat: expected an axis in \[-1, 0\]/ });
});

test('concat gradient: slices of dy', (t) => {
  const b = randomTensor([2, 1, 3]);
  gradCheck(t, (a) => s.concat([a, b, a], 1), randomTensor([2, 2, 3]));
  const [ga, gb] = grads((a, c) => s.concat([a, c], 0))([tensor([1, 2]), tensor([3])], tensor([10, 20, 30]));
  t.deepEqual(ga.arraySync(), [10, 20]);
  t.deepEqual(gb.arraySync(), [30]);
});

test('stack and unstack', (t) => {
  const a = tensor([1, 2]);
  const b = tensor([3, 4]);
  t.deepEqual(s.stack([a, b]).arraySync(), [[1, 2], [3, 4]]);
  t.deepEqual(s.stack([a, b], 1).arraySync(), [[1, 3], [2, 4]]);
  t.deepEqual(s.stack([a, b], -1).arraySync(), [[1, 3], [2, 4]]);
  t.deepEqual(s.stack([scalar(1), scalar(2)]).arraySync(), [1, 2]);
  t.deepEqual(s.stack([tensor([1], [1], 'int32')]).arraySync(), [[1]]);
  const e = t.throws(() => s.stack([a, tensor([1, 2, 3])]));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'stack: tensors[0] and tensors[1] must have the same shape ([2] and [3])');

  const x = tensor([[1, 2, 3], [4, 5, 6]], undefined, 'int32');
  const rows = s.unstack(x);
  t.deepEqual(rows.map((r) => r.arraySync()), [[1, 2, 3], [4, 5, 6]]);
  t.is(rows[0].dtype, 'int32');
  const cols = s.unstack(x, 1);
  t.deepEqual(cols.map((c) => c.shape), [[2], [2], [2]]);
  t.deepEqual(cols.map((c) => c.arraySync()), [[1, 4], [2, 5], [3, 6]]);
  t.deepEqual(s.unstack(tensor([1, 2])).map((v) => v.shape), [[], []]);
  t.deepEqual(x.unstack(-1)[2].arraySync(), [3, 6]);
});

test('stack and unstack gradients', (t) => {
  const b = randomTensor([2, 3]);
  gradCheck(t, (a) => s.stack([b, a, a], 1), randomTensor([2, 3]));
  gradCheck(t, (x) => s.unstack(x, 1)[1], randomTensor([2, 3, 2]));
  // Every piece used: the gradient is the pieces' gradients stacked back.
  gradCheck(t, (x) => {
    const [p, q] = s.unstack(x);
    return s.concat([q, p, q]);
  }, randomTensor([2, 3]));
});

test('split by count and by sizes', (t) => {
  const x = tensor([[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]);
  const halves = s.split(x, 2, 1);
  t.deepEqual(halves.map((h) => h.arraySync()), [[[1, 2, 3], [7, 8, 9]], [[4, 5, 6], [10, 11, 12]]]);
  const parts = s.split(x, [1, -1, 2], 1);
  t.deepEqual(parts.map((p) => p.shape), [[2, 1], [2, 3], [2, 2]]);
  t.deepEqual(parts[1].arraySync(), [[2, 3, 4], [8, 9, 10]]);
  t.deepEqual(s.split(x, 2).map((p) => p.arraySync()), [[[1, 2, 3, 4, 5, 6]], [[7, 8, 9, 10, 11, 12]]]);
  t.throws(() => s.split(x, 4, 1), { instanceOf: RangeError, message: "split: expected a number of splits that divides 6 (axis 1 of x) for 'numOrSizeSplits' but received 4 of type number" });
  t.throws(() => s.split(x, [1, 2], 1), { instanceOf: RangeError, message: /sizes that add up to 6/ });
  t.throws(() => s.split(x, [-1, -1], 1), { instanceOf: TypeError });
  gradCheck(t, (v) => s.split(v, [1, 2, 3], 1)[2], randomTensor([2, 6]));
  gradCheck(t, (v) => {
    const [a, b] = s.split(v, 2, 0);
    return s.concat([b, a], 1);
  }, randomTensor([4, 3]));
});

// ------------------------------------------------------------------ slice, stridedSlice, reverse

test('slice against index math', (t) => {
  const x = randomTensor([4, 5, 3]);
  const y = s.slice(x, [1, 2, 0], [2, -1, 2]);
  t.deepEqual(y.shape, [2, 3, 2]);
  t.deepEqual(Array.from(y.dataSync()), reference(x, [2, 3, 2], ([i, j, k]) => [i + 1, j + 2, k]));
  t.deepEqual(s.slice(tensor([1, 2, 3, 4]), 1, 2).arraySync(), [2, 3]);
  t.deepEqual(s.slice(tensor([[1, 2], [3, 4]], undefined, 'int32'), 1).arraySync(), [[3, 4]]);
  t.deepEqual(s.slice(tensor([[true, false], [false, true]]), [0, 1], [2, 1]).arraySync(), [[0], [1]]);
  t.deepEqual(s.slice(tensor([1, 2, 3]), [3], [0]).shape, [0]);
  const e = t.throws(() => s.slice(x, [3, 0, 0], [2, -1, -1]), { instanceOf: RangeError });
  t.is(e.code, 'ERR_OUT_OF_RANGE');
  t.regex(e.message, /^slice: expected a size that fits in x of shape \[4,5,3\] from begin \[3,0,0\] for 'size'/);
  t.throws(() => s.slice(x, [-1]), { instanceOf: TypeError });
  gradCheck(t, (v) => s.slice(v, [1, 0], [2, 2]), randomTensor([3, 3]));
});

/**
 * Python slicing of one axis of length d: the list of indices x[start:stop:step]
 * takes (None = open end).
 */
function pyRange(d, start, stop, step = 1) {
  const norm = (v, dflt, lo, hi) => (v === null ? dflt : Math.min(hi, Math.max(lo, v < 0 ? v + d : v)));
  const out = [];
  if (step > 0) {
    for (let i = norm(start, 0, 0, d); i < norm(stop, d, 0, d); i += step) out.push(i);
  } else {
    for (let i = norm(start, d - 1, -1, d - 1); i > norm(stop, -1, -1, d - 1); i += step) out.push(i);
  }
  return out;
}

/** x[ranges] where each axis takes a list of indices, or a single index (axis dropped). */
function pySlice(x, perAxis) {
  const lists = perAxis.map((p) => (typeof p === 'number' ? [p] : p));
  const shape = lists.map((l) => l.length);
  const values = reference(x, shape, (i) => i.map((v, k) => lists[k][v]));
  return { values, shape: shape.filter((_, k) => typeof perAxis[k] !== 'number') };
}

test('stridedSlice with begin/end masks and negative strides, as Python slicing', (t) => {
  const x = randomTensor([5, 6, 4]);
  const cases = [
    // x[1:4, ::2, -1:0:-1]
    { args: [[1, 0, -1], [4, 0, 0], [1, 2, -1], 0b010, 0b010], ref: [pyRange(5, 1, 4), pyRange(6, null, null, 2), pyRange(4, -1, 0, -1)] },
    // x[::-1, 4:1:-2, :]  (third axis implied)
    { args: [[0, 4], [0, 1], [-1, -2], 0b01, 0b01], ref: [pyRange(5, null, null, -1), pyRange(6, 4, 1, -2), pyRange(4, null, null)] },
    // x[-2:, 10:-10:-1] with out-of-range bounds clamped
    { args: [[-2, 10], [0, -10], [1, -1], 0, 0b01], ref: [pyRange(5, -2, null), pyRange(6, 10, -10, -1), pyRange(4, null, null)] },
    // empty: x[3:1]
    { args: [[3], [1], [1]], ref: [pyRange(5, 3, 1), pyRange(6, null, null), pyRange(4, null, null)] },
  ];
  for (const { args, ref } of cases) {
    const y = s.stridedSlice(x, ...args);
    const expected = pySlice(x, ref);
    t.deepEqual(y.shape, expected.shape);
    t.deepEqual(Array.from(y.dataSync()), expected.values);
  }
  t.deepEqual(s.stridedSlice([0, 1, 2, 3, 4, 5], [4], [0], [-2]).arraySync(), [4, 2]);
});

test('stridedSlice shrink, new-axis and ellipsis masks', (t) => {
  const x = randomTensor([3, 4, 5]);
  // x[1, :, 2] → shape [4]
  let y = s.stridedSlice(x, [1, 0, 2], [2, 0, 3], [1, 1, 1], 0, 0b010, 0, 0, 0b101);
  let e = pySlice(x, [1, pyRange(4, null, null), 2]);
  t.deepEqual(y.shape, [4]);
  t.deepEqual(Array.from(y.dataSync()), e.values);
  // x[-1] → shape [4, 5]
  y = s.stridedSlice(x, [-1], [0], [1], 0, 0, 0, 0, 1);
  t.deepEqual(y.shape, [4, 5]);
  t.deepEqual(Array.from(y.dataSync()), pySlice(x, [2, pyRange(4, null, null), pyRange(5, null, null)]).values);
  // x[..., 1:3] → shape [3, 4, 2]
  y = s.stridedSlice(x, [0, 1], [0, 3], [1, 1], 0, 0, 0b01);
  e = pySlice(x, [pyRange(3, null, null), pyRange(4, null, null), pyRange(5, 1, 3)]);
  t.deepEqual(y.shape, [3, 4, 2]);
  t.deepEqual(Array.from(y.dataSync()), e.values);
  // x[newaxis, 0, ..., newaxis, ::2] → shape [1, 4, 1, 3]
  y = s.stridedSlice(x, [0, 0, 0, 0, 0], [0, 1, 0, 0, 0], [1, 1, 1, 1, 2], 0, 0b10000, 0b00100, 0b01001, 0b00010);
  e = pySlice(x, [0, pyRange(4, null, null), pyRange(5, null, null, 2)]);
  t.deepEqual(y.shape, [1, 4, 1, 3]);
  t.deepEqual(Array.from(y.dataSync()), e.values);
  // errors
  t.throws(() => s.stridedSlice(x, [0], [1], [0]), { instanceOf: RangeError, message: /stridedSlice: expected non-zero strides for 'strides'/ });
  t.throws(() => s.stridedSlice(x, [5], [6], [1], 0, 0, 0, 0, 1), { instanceOf: RangeError, message: /for a shrunk axis/ });
  t.throws(() => s.stridedSlice(x, [0, 0], [1, 1], [1, 1], 0, 0, 0b11), { instanceOf: RangeError, message: /ellipsisMask/ });
  t.throws(() => s.stridedSlice(x, [0, 0, 0, 0], [1, 1, 1, 1]), { instanceOf: RangeError, message: /at most 3 indexed axes/ });
  t.throws(() => s.stridedSlice(x, [0, 0], [1]), { instanceOf: TypeError, message: /as many as begin/ });
});

test('stridedSlice gradient', (t) => {
  gradCheck(t, (v) => s.stridedSlice(v, [3, 0], [0, 3], [-2, 2], 0, 0, 0, 0, 0), randomTensor([4, 4]));
  gradCheck(t, (v) => s.stridedSlice(v, [1, 0], [2, 0], [1, 1], 0, 0b10, 0, 0b10, 0b01), randomTensor([3, 2]));
});

test('reverse along chosen axes', (t) => {
  t.deepEqual(s.reverse(tensor([1, 2, 3])).arraySync(), [3, 2, 1]);
  const x = randomTensor([2, 3, 4], 'int32');
  const y = s.reverse(x, [0, -1]);
  t.deepEqual(Array.from(y.dataSync()), reference(x, [2, 3, 4], ([i, j, k]) => [1 - i, j, 3 - k]));
  t.deepEqual(s.reverse(tensor([[true, false]]), 1).arraySync(), [[0, 1]]);
  t.throws(() => s.reverse(x, 3), { instanceOf: RangeError, message: /reverse: expected an axis in \[-3, 2\]/ });
  gradCheck(t, (v) => s.reverse(v, 1), randomTensor([2, 3]));
});

// ------------------------------------------------------------------ gather

test('gather along an axis, with nested indices, for every dtype', (t) => {
  const x = tensor([[1, 2], [3, 4], [5, 6]]);
  t.deepEqual(s.gather(x, [2, 0]).arraySync(), [[5, 6], [1, 2]]);
  t.deepEqual(s.gather(x, tensor([1, 1, 0], [3], 'int32'), 1).arraySync(), [[2, 2, 1], [4, 4, 3], [6, 6, 5]]);
  t.deepEqual(s.gather(x, 1).arraySync(), [3, 4]);
  for (const dtype of ['float32', 'int32', 'bool']) {
    const v = randomTensor([3, 4, 2], dtype);
    const idx = [[3, 0, 1], [2, 2, 0]];
    const y = s.gather(v, idx, 1);
    t.deepEqual(y.shape, [3, 2, 3, 2]);
    t.is(y.dtype, dtype);
    t.deepEqual(Array.from(y.dataSync()), reference(v, [3, 2, 3, 2], ([a, i, j, c]) => [a, idx[i][j], c]));
  }
});

test('gather with batchDims gathers per batch', (t) => {
  const x = randomTensor([2, 3, 4, 2]);
  const idx = [[0, 3, 3], [2, 1, 0]];
  // axis 2, one batch axis: out[b, m, j, c] = x[b, m, idx[b][j], c]
  const y = s.gather(x, idx, 2, 1);
  t.deepEqual(y.shape, [2, 3, 3, 2]);
  t.deepEqual(Array.from(y.dataSync()), reference(x, [2, 3, 3, 2], ([b, m, j, c]) => [b, m, idx[b][j], c]));
  // axis 1 = batchDims (given as -1): out[b, j, ...] = x[b, idx2[b][j], ...]
  const idx2 = [[0, 2, 2, 1], [1, 1, 0, 0]];
  const z = s.gather(x, idx2, 1, -1);
  t.deepEqual(z.shape, [2, 4, 4, 2]);
  t.deepEqual(Array.from(z.dataSync()), reference(x, [2, 4, 4, 2], ([b, j, k, c]) => [b, idx2[b][j], k, c]));
  t.throws(() => s.gather(x, [[0], [1], [2]], 1, 1), { message: /gather: x and indices differ in batch axis 0 \(\[2,3,4,2\] and \[3,1\]\)/ });
  t.throws(() => s.gather(x, idx, 0, 1), { instanceOf: RangeError, message: /batchDims/ });
  gradCheck(t, (v) => s.gather(v, idx, 2, 1), randomTensor([2, 3, 4, 2]));
});

test('gather: out-of-range and non-integer indices', (t) => {
  const x = zeros([3, 2]);
  const e = t.throws(() => s.gather(x, tensor([0, 3], [2], 'int32')), { instanceOf: RangeError });
  t.is(e.code, 'ERR_OUT_OF_RANGE');
  t.is(e.message, "gather: expected indices in [0, 2] (axis 0 of x) for 'indices' but received 3 of type number");
  t.throws(() => s.gather(x, [-1]), { instanceOf: RangeError, message: /received -1 of type number/ });
  t.throws(() => s.gather(zeros([2, 3]), [[0, 3], [1, 1]], 1, 1), { instanceOf: RangeError, message: /expected indices in \[0, 2\] \(axis 1 of x\) for 'indices' but received 3/ });
  t.throws(() => s.gather(x, [0.5]), { instanceOf: TypeError, message: /gather: expected an int32 tensor or integers for 'indices' but received \[0.5\]/ });
  t.throws(() => s.gather(x, tensor([0, 1])), { instanceOf: TypeError, message: /expected an int32 tensor \(cast with .toInt\(\)\) or integers for 'indices' but received a float32 tensor of shape \[2\]/ });
});

test('gather gradient adds rows for repeated indices', (t) => {
  gradCheck(t, (v) => s.gather(v, [2, 0, 2, 2], 0), randomTensor([3, 2]));
  gradCheck(t, (v) => s.gather(v, [[1, 1], [0, 1]], 1), randomTensor([2, 3]));
  const g = grad((v) => s.gather(v, [1, 1, 0]))(tensor([1, 2, 3]), tensor([1, 10, 100]));
  t.deepEqual(g.arraySync(), [100, 11, 0]);
});

// ------------------------------------------------------------------ tile, broadcastTo, pad

test('tile against index math', (t) => {
  for (const dtype of ['float32', 'int32', 'bool']) {
    const x = randomTensor([2, 3], dtype);
    const y = s.tile(x, [3, 2]);
    t.deepEqual(y.shape, [6, 6]);
    t.deepEqual(Array.from(y.dataSync()), reference(x, [6, 6], ([i, j]) => [i % 2, j % 3]));
  }
  t.deepEqual(s.tile([1, 2], [2]).arraySync(), [1, 2, 1, 2]);
  t.throws(() => s.tile([1, 2], [2, 1]), { instanceOf: TypeError, message: /tile: expected 1 non-negative integers \(one per axis of x\) for 'reps'/ });
  gradCheck(t, (v) => s.tile(v, [2, 1, 3]), randomTensor([2, 2, 1]));
  gradCheck(t, (v) => s.tile(v, [1, 1]), randomTensor([2, 2]));
});

test('broadcastTo', (t) => {
  t.deepEqual(s.broadcastTo([1, 2], [2, 2]).arraySync(), [[1, 2], [1, 2]]);
  const x = randomTensor([3, 1], 'int32');
  const y = s.broadcastTo(x, [2, 3, 4]);
  t.deepEqual(Array.from(y.dataSync()), reference(x, [2, 3, 4], ([, j]) => [j, 0]));
  t.deepEqual(s.broadcastTo(tensor([[1, 2]]), [1, 1, 2]).arraySync(), [[[1, 2]]]);
  const e = t.throws(() => s.broadcastTo(zeros([3, 2]), [3, 3]));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'broadcastTo: x cannot be broadcast to the shape (axis 1) ([3,2] and [3,3])');
  t.throws(() => s.broadcastTo(zeros([3, 2]), [2]), { message: /more axes than the target shape \(\[3,2\] and \[2\]\)/ });
  gradCheck(t, (v) => s.broadcastTo(v, [2, 3, 4]), randomTensor([3, 1]));
  gradCheck(t, (v) => s.broadcastTo(v, [2, 3]), randomTensor([3]));
});

test('pad against index math', (t) => {
  t.deepEqual(s.pad([1, 2], [[1, 2]]).arraySync(), [0, 1, 2, 0, 0]);
  const x = randomTensor([2, 3], 'int32');
  const y = s.pad(x, [[1, 0], [2, 1]], 7);
  t.deepEqual(y.shape, [3, 6]);
  const xv = x.dataSync();
  const expected = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 6; j++) {
    const a = i - 1;
    const b = j - 2;
    expected.push(a >= 0 && a < 2 && b >= 0 && b < 3 ? xv[a * 3 + b] : 7);
  }
  t.deepEqual(Array.from(y.dataSync()), expected);
  t.deepEqual(s.pad(tensor([true]), [[1, 1]]).arraySync(), [0, 1, 0]);
  t.throws(() => s.pad(x, [[1, 0]]), { instanceOf: TypeError, message: /pad: expected 2 pairs \[before, after\]/ });
  t.throws(() => s.pad(x, [[1, 0], [-1, 0]]), { instanceOf: TypeError });
  gradCheck(t, (v) => s.pad(v, [[0, 1], [2, 1]], 3), randomTensor([2, 2]));
});

// ------------------------------------------------------------------ oneHot, clone

test('oneHot from tensors, arrays and numbers', (t) => {
  const y = s.oneHot(tensor([0, 2, 1], [3], 'int32'), 3);
  t.is(y.dtype, 'int32');
  t.deepEqual(y.arraySync(), [[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
  t.deepEqual(s.oneHot([[1], [3]], 3, 5, -1, 'float32').arraySync(), [[[-1, 5, -1]], [[-1, -1, -1]]]);
  t.deepEqual(s.oneHot(1, 2).arraySync(), [0, 1]);
  t.deepEqual(s.oneHot([-1, 0], 2).arraySync(), [[0, 0], [1, 0]]);
  t.is(s.oneHot([1], 2, 1, 0, 'float32').dtype, 'float32');
  t.deepEqual(tensor([1, 0], [2], 'int32').oneHot(2).arraySync(), [[0, 1], [1, 0]]);
});

test('oneHot: non-integer indices and bad depth', (t) => {
  t.throws(() => s.oneHot([0, 1.5], 3), { instanceOf: TypeError, message: "oneHot: expected an int32 tensor or integers for 'indices' but received [0, 1.5]" });
  const e = t.throws(() => s.oneHot(tensor([0, 1]), 3), { instanceOf: TypeError });
  t.is(e.code, 'ERR_INVALID_ARG_TYPE');
  t.throws(() => s.oneHot([0], 0), { instanceOf: RangeError, message: /oneHot: expected an integer >= 1 for 'depth'/ });
  t.throws(() => s.oneHot([0], 2.5), { instanceOf: TypeError });
});

test('clone copies into new memory and passes gradients through', (t) => {
  const x = tensor([1, 2, 3]);
  const before = memory().numBytes;
  const y = s.clone(x);
  t.is(memory().numBytes, before + 12);
  x.dispose();
  t.deepEqual(y.arraySync(), [1, 2, 3]);
  t.is(s.clone(tensor([true])).dtype, 'bool');
  gradCheck(t, (v) => s.clone(v), randomTensor([2, 2]));
});

test('second order: the adjoint ops (StridedSliceGrad, GatherGrad) have gradients too', (t) => {
  const x0 = randomTensor([3, 4]);
  gradCheck(t, (d) => grad((x) => s.stridedSlice(x, [2, 0], [0, 4], [-1, 2]))(x0, d), randomTensor([2, 2]));
  // (indices made outside: tensors made inside an inner grad are freed when it returns)
  const idx = tensor([2, 0, 2], [3], 'int32');
  gradCheck(t, (d) => grad((x) => s.gather(x, idx, 1))(x0, d), randomTensor([3, 3]));
});

// ------------------------------------------------------------------ methods and memory

test('method forms chain', (t) => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  t.deepEqual(x.reshape([3, 2]).transpose().flatten().arraySync(), [1, 3, 5, 2, 4, 6]);
  t.deepEqual(x.slice([0, 1], [1, 2]).arraySync(), [[2, 3]]);
  t.deepEqual(x.gather([1]).reverse(1).arraySync(), [[6, 5, 4]]);
  t.deepEqual(x.as1D().shape, [6]);
  t.deepEqual(x.reshapeAs(zeros([3, 2])).shape, [3, 2]);
  t.deepEqual(scalar(3).as2D(1, 1).shape, [1, 1]);
  t.deepEqual(x.expandDims(0).squeeze([0]).shape, [2, 3]);
  t.deepEqual(x.tile([1, 2]).shape, [2, 6]);
  t.deepEqual(x.pad([[0, 0], [1, 1]]).shape, [2, 5]);
  t.deepEqual(x.split(3, 1).length, 3);
  t.deepEqual(x.stack(x).shape, [2, 2, 3]);
  t.deepEqual(x.broadcastTo([2, 2, 3]).shape, [2, 2, 3]);
  t.deepEqual(x.stridedSlice([0], [1], [1]).shape, [1, 3]);
  t.deepEqual(x.clone().arraySync(), x.arraySync());
});

test('ops leave no tensors behind', (t) => {
  const x = randomTensor([2, 3, 4]);
  const before = memory().numTensors;
  tidy(() => {
    s.gather(x, [[0, 1], [2, 0]], 2, 1);
    s.gather(x, [1]);
    s.unstack(x, 1);
    s.split(x, [1, 3], 2);
    s.stridedSlice(x, [0, 0, 0, 0], [0, 1, 0, 0], [1, 1, 1, 1], 0, 0, 0b1000, 0b0001, 0b0010);
    s.oneHot([1, 2], 3);
    s.broadcastTo([1, 2], [3, 2]);
    s.concat([x, [[[1, 2, 3, 4]], [[5, 6, 7, 8]]]], 1);
  });
  t.is(memory().numTensors, before);
  // Outside tidy only the result stays: converted arguments and composite intermediates go.
  const y = s.gather(x, [[0, 1], [2, 0]], 2, 1);
  t.is(memory().numTensors, before + 1);
  y.dispose();
  const g = tidy(() => grad((v) => s.gather(s.tile(v, [1, 2, 1]), [1, 0], 1))(x));
  t.is(memory().numTensors, before + 1);
  g.dispose();
});
