// Shape ops on float32, int32 and bool against index-by-index JS references:
// transpose (2-D tiles, N-D, contiguous runs), strided slices with negative
// steps and their adjoint, concat on every axis, pad, tile / broadcast,
// gather and its accumulating gradient, oneHot.
const test = require('ava');
const { TensorHandle, addon, F32, I32, BOOL, seeded, size } = require('./helpers');

const { random } = seeded(31337);

const DTYPES = [['float32', F32], ['int32', I32], ['bool', BOOL]];
const ARRAY = { [F32]: Float32Array, [I32]: Int32Array, [BOOL]: Uint8Array };

function stridesOf(shape) {
  const s = new Array(shape.length);
  for (let d = shape.length - 1, m = 1; d >= 0; d--) {
    s[d] = m;
    m *= shape[d];
  }
  return s;
}
function unravel(flat, shape) {
  const idx = new Array(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}
const ravel = (idx, shape) => idx.reduce((acc, v, d) => acc * shape[d] + v, 0);

function randomData(dtype, n) {
  const a = new ARRAY[dtype](n);
  for (let i = 0; i < n; i++) {
    if (dtype === F32) a[i] = random() * 200 - 100;
    else if (dtype === I32) a[i] = Math.floor(random() * 2e9 - 1e9);
    else a[i] = random() < 0.5 ? 1 : 0;
  }
  return a;
}
const handle = (dtype, shape, data) => new TensorHandle(dtype, shape, data ?? null);
const int32 = (shape, values) => new TensorHandle(I32, shape, Int32Array.from(values));

// out[i] = x[f(index of i)] over out's shape.
function mapIndex(dtype, x, xShape, outShape, f) {
  const out = new ARRAY[dtype](size(outShape));
  for (let i = 0; i < out.length; i++) out[i] = x[ravel(f(unravel(i, outShape)), xShape)];
  return out;
}

function checkTranspose(t, dtype, shape, perm) {
  const x = randomData(dtype, size(shape));
  const outShape = perm.map((p) => shape[p]);
  const out = handle(dtype, outShape);
  addon.transpose(handle(dtype, shape, x), perm, out);
  const expected = mapIndex(dtype, x, shape, outShape, (o) => {
    const src = new Array(shape.length);
    perm.forEach((p, k) => { src[p] = o[k]; });
    return src;
  });
  t.deepEqual(out.read(), expected, `transpose [${shape}] by [${perm}]`);
}

for (const [name, dtype] of DTYPES) {
  test(`transpose ${name}: 2-D odd sizes, batched, N-D, contiguous runs, identity`, (t) => {
    checkTranspose(t, dtype, [37, 53], [1, 0]);
    checkTranspose(t, dtype, [1, 7], [1, 0]);
    checkTranspose(t, dtype, [5, 33, 65], [0, 2, 1]);
    checkTranspose(t, dtype, [3, 4, 5, 6], [2, 0, 3, 1]);
    checkTranspose(t, dtype, [4, 5, 6], [1, 0, 2]);
    checkTranspose(t, dtype, [2, 3, 1, 4], [3, 2, 1, 0]);
    checkTranspose(t, dtype, [3, 4], [0, 1]);
    // Row strides that are multiples of 2 KiB take the buffered tile path.
    checkTranspose(t, dtype, [33, 512], [1, 0]);
    checkTranspose(t, dtype, [7, 2048], [1, 0]);
  });

  test(`transpose ${name}: big enough to be threaded`, (t) => {
    checkTranspose(t, dtype, [601, 703], [1, 0]);
    checkTranspose(t, dtype, [16, 64, 3, 97], [0, 3, 1, 2]);
  });

  test(`stridedSlice ${name} with negative and positive steps, and its adjoint`, (t) => {
    const shape = [7, 9, 5];
    const x = randomData(dtype, size(shape));
    const cases = [
      { begin: [6, 1, 4], step: [-2, 3, -1], out: [4, 3, 5] },
      { begin: [0, 8, 1], step: [1, -1, 2], out: [7, 9, 2] },
      { begin: [2, 0, 0], step: [1, 1, 1], out: [3, 9, 5] },
      { begin: [6, 8, 4], step: [-7, -9, -5], out: [1, 1, 1] },
    ];
    for (const { begin, step, out: outShape } of cases) {
      const out = handle(dtype, outShape);
      addon.stridedSlice(handle(dtype, shape, x), begin, step, out);
      const expected = mapIndex(dtype, x, shape, outShape, (o) => o.map((v, d) => begin[d] + v * step[d]));
      t.deepEqual(out.read(), expected, `slice begin [${begin}] step [${step}]`);

      const dy = randomData(dtype, size(outShape));
      const dx = handle(dtype, shape, randomData(dtype, size(shape)));
      addon.stridedSliceGrad(handle(dtype, outShape, dy), begin, step, dx);
      const grad = new ARRAY[dtype](size(shape));
      for (let i = 0; i < dy.length; i++) {
        const o = unravel(i, outShape);
        grad[ravel(o.map((v, d) => begin[d] + v * step[d]), shape)] += dy[i];
      }
      t.deepEqual(dx.read(), grad, `slice grad begin [${begin}] step [${step}]`);
    }
  });

  test(`concat ${name} on every axis of rank-3 inputs of different widths`, (t) => {
    const base = [3, 4, 5];
    for (let axis = 0; axis < 3; axis++) {
      const widths = [2, 1, 3];
      const shapes = widths.map((w) => base.map((v, d) => (d === axis ? w : v)));
      const data = shapes.map((s) => randomData(dtype, size(s)));
      const outShape = base.map((v, d) => (d === axis ? 6 : v));
      const out = handle(dtype, outShape);
      addon.concat(shapes.map((s, k) => handle(dtype, s, data[k])), axis, out);
      const expected = new ARRAY[dtype](size(outShape));
      for (let i = 0; i < expected.length; i++) {
        const o = unravel(i, outShape);
        let k = 0;
        let at = o[axis];
        while (at >= widths[k]) at -= widths[k++];
        const src = o.slice();
        src[axis] = at;
        expected[i] = data[k][ravel(src, shapes[k])];
      }
      t.deepEqual(out.read(), expected, `concat on axis ${axis}`);
    }
    // Negative axis, and a big concat that is threaded.
    const a = randomData(dtype, 300 * 500);
    const b = randomData(dtype, 300 * 400);
    const out = handle(dtype, [300, 900]);
    addon.concat([handle(dtype, [300, 500], a), handle(dtype, [300, 400], b)], -1, out);
    const got = out.read();
    t.deepEqual(got.slice(900 * 17, 900 * 17 + 500), a.slice(500 * 17, 500 * 18));
    t.deepEqual(got.slice(900 * 299 + 500), b.slice(400 * 299));
  });

  test(`pad ${name} with a constant`, (t) => {
    const shape = [3, 4, 5];
    const before = [1, 0, 2];
    const outShape = [6, 5, 8];
    const value = dtype === F32 ? 7.5 : dtype === I32 ? -7 : 1;
    const x = randomData(dtype, size(shape));
    const out = handle(dtype, outShape);
    addon.pad(handle(dtype, shape, x), before, value, out);
    const expected = new ARRAY[dtype](size(outShape));
    for (let i = 0; i < expected.length; i++) {
      const src = unravel(i, outShape).map((v, d) => v - before[d]);
      expected[i] = src.every((v, d) => v >= 0 && v < shape[d]) ? x[ravel(src, shape)] : value;
    }
    t.deepEqual(out.read(), expected);
  });

  test(`tile ${name}: repeats, broadcasts and mixed`, (t) => {
    const cases = [
      [[2, 3], [4, 9]],
      [[1, 3], [5, 3]],
      [[3, 1, 2], [6, 4, 2]],
      [[2, 1, 3, 1], [4, 5, 3, 7]],
      [[5], [5]],
      [[1, 1], [3, 4]],
    ];
    for (const [shape, outShape] of cases) {
      const x = randomData(dtype, size(shape));
      const out = handle(dtype, outShape);
      addon.tile(handle(dtype, shape, x), out);
      t.deepEqual(out.read(), mapIndex(dtype, x, shape, outShape, (o) => o.map((v, d) => v % shape[d])),
        `tile [${shape}] to [${outShape}]`);
    }
  });

  test(`gather ${name} on axis 0 and 1 with repeated indices`, (t) => {
    const shape = [5, 4, 3];
    const x = randomData(dtype, size(shape));
    const cases = [[0, [2, 3], [4, 0, 4, 1, 1, 3]], [1, [5], [3, 3, 0, 2, 3]], [2, [2], [2, 0]]];
    for (const [axis, idxShape, idx] of cases) {
      const outShape = [...shape.slice(0, axis), ...idxShape, ...shape.slice(axis + 1)];
      const out = handle(dtype, outShape);
      addon.gather(handle(dtype, shape, x), int32(idxShape, idx), axis, out);
      const r = idxShape.length;
      const expected = mapIndex(dtype, x, shape, outShape, (o) => [
        ...o.slice(0, axis), idx[ravel(o.slice(axis, axis + r), idxShape)], ...o.slice(axis + r),
      ]);
      t.deepEqual(out.read(), expected, `gather on axis ${axis}`);
    }
  });
}

for (const [name, dtype] of DTYPES.slice(0, 2)) {
  test(`gatherGrad ${name} accumulates repeated indices on axis 0 and 1`, (t) => {
    const shape = [5, 4, 3];
    for (const [axis, idx] of [[0, [4, 0, 4, 1, 4, 3]], [1, [3, 3, 0, 2, 3]]]) {
      const dyShape = shape.map((v, d) => (d === axis ? idx.length : v));
      const dy = dtype === F32 ? Float32Array.from(randomData(F32, size(dyShape)), (v) => Math.round(v) / 4)
        : randomData(I32, size(dyShape)).map((v) => v % 1000);
      const dx = handle(dtype, shape, randomData(dtype, size(shape)));
      addon.gatherGrad(handle(dtype, dyShape, dy), int32([idx.length], idx), axis, dx);
      const expected = new ARRAY[dtype](size(shape));
      for (let i = 0; i < dy.length; i++) {
        const o = unravel(i, dyShape);
        o[axis] = idx[o[axis]];
        expected[ravel(o, shape)] += dy[i];
      }
      t.deepEqual(dx.read(), expected, `gatherGrad on axis ${axis}`);
    }
  });
}

test('gather and gatherGrad of an embedding table big enough to be threaded', (t) => {
  const rows = 1000;
  const width = 300;
  const table = randomData(F32, rows * width);
  const idx = Int32Array.from({ length: 2000 }, (_, i) => (i * 7919) % rows);
  const out = handle(F32, [2000, width]);
  addon.gather(handle(F32, [rows, width], table), int32([2000], idx), 0, out);
  const got = out.read();
  for (const j of [0, 999, 1999]) {
    t.deepEqual(got.slice(j * width, (j + 1) * width), table.slice(idx[j] * width, (idx[j] + 1) * width));
  }
  const dy = new Float32Array(2000 * width).fill(0.5);
  const dx = handle(F32, [rows, width]);
  addon.gatherGrad(handle(F32, [2000, width], dy), int32([2000], idx), 0, dx);
  // Each row index appears exactly twice among 2000 = 2 * 1000 (7919 is prime to 1000).
  t.true(dx.read().every((v) => v === 1));
});

test('BAD CALL – gather with an index out of range throws before writing', (t) => {
  const x = handle(F32, [5, 2], new Float32Array(10));
  const out = handle(F32, [3, 2], new Float32Array([9, 9, 9, 9, 9, 9]));
  const err = t.throws(() => addon.gather(x, int32([3], [1, 7, 2]), 0, out));
  t.is(err.code, 'ERR_INDEX_OUT_OF_RANGE');
  t.is(err.message, 'gather: index 7 is out of range for axis 0 of size 5');
  t.deepEqual(Array.from(out.read()), [9, 9, 9, 9, 9, 9]);
  const neg = t.throws(() => addon.gather(x, int32([1], [-1]), 1, handle(F32, [5, 1])));
  t.is(neg.message, 'gather: index -1 is out of range for axis 1 of size 2');
  const gradErr = t.throws(() => addon.gatherGrad(handle(F32, [1, 2]), int32([1], [5]), 0, x));
  t.is(gradErr.message, 'gatherGrad: index 5 is out of range for axis 0 of size 5');
});

test('oneHot to float32, int32 and bool; an index outside [0, depth) gives an all-off row', (t) => {
  const indices = int32([2, 3], [0, 3, -1, 2, 4, 1]);
  const expectedRow = (i) => [0, 1, 2, 3].map((d) => (d === i ? 1 : 0));
  const pattern = [0, 3, -1, 2, 4, 1].flatMap(expectedRow);
  const f = handle(F32, [2, 3, 4]);
  addon.oneHot(indices, 4, 5, -1, f);
  t.deepEqual(Array.from(f.read()), pattern.map((v) => (v ? 5 : -1)));
  const i = handle(I32, [2, 3, 4]);
  addon.oneHot(indices, 4, 1, 0, i);
  t.deepEqual(Array.from(i.read()), pattern);
  const b = handle(BOOL, [2, 3, 4]);
  addon.oneHot(indices, 4, 1, 0, b);
  t.deepEqual(Array.from(b.read()), pattern);
});

test('BAD CALL – shape ops reject outputs and arguments that do not fit', (t) => {
  const x = handle(F32, [2, 3]);
  const perm = t.throws(() => addon.transpose(x, [1, 0], handle(F32, [2, 3])));
  t.is(perm.code, 'ERR_SHAPE_MISMATCH');
  const notPerm = t.throws(() => addon.transpose(x, [0, 0], handle(F32, [2, 2])));
  t.is(notPerm.code, 'ERR_INVALID_ARG');
  const dtype = t.throws(() => addon.transpose(x, [1, 0], handle(I32, [3, 2])));
  t.is(dtype.code, 'ERR_UNSUPPORTED_DTYPE');
  const slice = t.throws(() => addon.stridedSlice(x, [0, 2], [1, 1], handle(F32, [2, 2])));
  t.is(slice.code, 'ERR_SHAPE_MISMATCH');
  const zeroStep = t.throws(() => addon.stridedSlice(x, [0, 0], [1, 0], handle(F32, [2, 2])));
  t.is(zeroStep.code, 'ERR_SHAPE_MISMATCH');
  const cat = t.throws(() => addon.concat([x, handle(F32, [3, 3])], 1, handle(F32, [2, 6])));
  t.is(cat.code, 'ERR_SHAPE_MISMATCH');
  const tile = t.throws(() => addon.tile(x, handle(F32, [2, 4])));
  t.is(tile.code, 'ERR_SHAPE_MISMATCH');
  const pad = t.throws(() => addon.pad(x, [1, 1], 0, handle(F32, [3, 3])));
  t.is(pad.code, 'ERR_SHAPE_MISMATCH');
});
