'use strict';
// tf.image.resizeBilinear / resizeNearestNeighbor: the halfPixelCenters and
// alignCorners rules against PyTorch fixtures (scripts/fixtures/pool_norm_fixtures.py),
// TF's legacy rule against a float64 reference, gradients against PyTorch's
// autograd and finite differences, dtypes, errors and memory.
const test = require('ava');
const fixtures = require('../fixtures/pool/resize.json');
const tf = require('../../dist');
const { resizeBilinear, resizeNearestNeighbor } = require('../../dist/ops/image');
const { tensor } = require('../../dist/ops/creation');
const { grads } = require('../../dist/autograd/gradients');
const { memory } = require('../../dist/tensor/scope');
const { gradcheck, close, uniform } = require('./gradcheck');

const resizeOf = (c) => (c.method === 'bilinear' ? resizeBilinear : resizeNearestNeighbor);
const label = (c) => `${c.method} [${c.xShape}] -> [${c.size}] alignCorners=${c.alignCorners} halfPixelCenters=${c.halfPixelCenters}`;

test('resizing matches PyTorch: halfPixelCenters and alignCorners, values and gradients', (t) => {
  const before = memory().numTensors;
  for (const c of fixtures.cases) {
    const f = (x) => resizeOf(c)(x, c.size, c.alignCorners, c.halfPixelCenters);
    const x = tensor(c.x, c.xShape);
    const y = f(x);
    t.deepEqual(y.shape, c.yShape, label(c));
    close(t, y.dataSync(), c.y, { rtol: 1e-4, atol: 1e-5, label: label(c) });
    const dy = tensor(c.dy, c.yShape);
    const [dx] = grads(f)([x], dy);
    close(t, dx.dataSync(), c.dx, { rtol: 1e-4, atol: 1e-5, label: `${label(c)} dx` });
    for (const v of [x, y, dy, dx]) v.dispose();
  }
  t.is(memory().numTensors, before);
});

/** TF's resize_bilinear in float64: source = dst * in/out (legacy) or dst * (in-1)/(out-1) (alignCorners). */
function bilinearRef(x, [n, h, w, c], [oh, ow], alignCorners, halfPixel) {
  const scale = (i, o) => (alignCorners && o > 1 ? (i - 1) / (o - 1) : i / o);
  const weights = (i, o) => Array.from({ length: o }, (_, d) => {
    const at = halfPixel ? (d + 0.5) * scale(i, o) - 0.5 : d * scale(i, o);
    return { lo: Math.max(Math.floor(at), 0), hi: Math.min(Math.ceil(at), i - 1), w: at - Math.floor(at) };
  });
  const ys = weights(h, oh);
  const xs = weights(w, ow);
  const at = (b, yy, xx, k) => x[((b * h + yy) * w + xx) * c + k];
  const out = [];
  for (let b = 0; b < n; b++) {
    for (const yw of ys) {
      for (const xw of xs) {
        for (let k = 0; k < c; k++) {
          const top = at(b, yw.lo, xw.lo, k) + (at(b, yw.lo, xw.hi, k) - at(b, yw.lo, xw.lo, k)) * xw.w;
          const bottom = at(b, yw.hi, xw.lo, k) + (at(b, yw.hi, xw.hi, k) - at(b, yw.hi, xw.lo, k)) * xw.w;
          out.push(top + (bottom - top) * yw.w);
        }
      }
    }
  }
  return out;
}

test("resizeBilinear's legacy rule (and the others) against a float64 reference", (t) => {
  for (const [shape, size] of [[[2, 4, 5, 3], [7, 8]], [[1, 6, 6, 2], [3, 4]], [[1, 3, 2, 1], [5, 5]], [[1, 4, 4, 1], [1, 1]]]) {
    const values = uniform(shape.reduce((a, b) => a * b, 1), -1, 1, shape[1]);
    const x = tensor(values, shape);
    for (const [ac, hp] of [[false, false], [true, false], [false, true]]) {
      close(t, resizeBilinear(x, size, ac, hp).dataSync(), bilinearRef(values, shape, size, ac, hp), { rtol: 1e-5, atol: 1e-5, label: `[${shape}] -> [${size}] ${ac} ${hp}` });
    }
  }
  // TF's documented legacy result for a 2x2 image upscaled to 3x3.
  const y = resizeBilinear(tensor([0, 1, 2, 3], [2, 2, 1]), [3, 3]);
  close(t, y.dataSync(), [0, 2 / 3, 1, 4 / 3, 2, 7 / 3, 2, 8 / 3, 3]);
});

test('resizeNearestNeighbor with alignCorners rounds to the nearest source pixel', (t) => {
  // in 4 -> out 3: scale 1.5, sources round(0, 1.5, 3) = 0, 2, 3; in 3 -> out 5: scale 0.5, round(0, .5, 1, 1.5, 2) = 0, 1, 1, 2, 2.
  const x = tensor(Array.from({ length: 12 }, (_, i) => i), [1, 4, 3, 1]);
  const y = resizeNearestNeighbor(x, [3, 5], true);
  const rows = [0, 2, 3];
  const cols = [0, 1, 1, 2, 2];
  t.deepEqual(Array.from(y.dataSync()), rows.flatMap((r) => cols.map((c) => r * 3 + c)));
});

test('resize gradients match finite differences in every mode', (t) => {
  const x = tensor(uniform(2 * 3 * 4 * 2, -1, 1, 40), [2, 3, 4, 2]);
  for (const [ac, hp] of [[false, false], [true, false], [false, true]]) {
    gradcheck(t, (v) => resizeBilinear(v, [5, 3], ac, hp), [x], { label: `bilinear up/down ${ac} ${hp}` });
    gradcheck(t, (v) => resizeBilinear(v, [2, 7], ac, hp), [x], { label: `bilinear down/up ${ac} ${hp}` });
    gradcheck(t, (v) => resizeNearestNeighbor(v, [5, 3], ac, hp), [x], { label: `nearest ${ac} ${hp}` });
  }
});

test('same size is the identity; single images; dtypes; chained methods; tf.image', (t) => {
  const values = uniform(3 * 4 * 2, -1, 1, 41);
  const x = tensor(values, [3, 4, 2]);
  close(t, resizeBilinear(x, [3, 4]).dataSync(), values);
  close(t, resizeBilinear(x, [3, 4], false, true).dataSync(), values);
  close(t, resizeNearestNeighbor(x, [3, 4], true).dataSync(), values);
  const y = resizeBilinear(x, [6, 8], false, true);
  t.deepEqual(y.shape, [6, 8, 2]);
  close(t, y.dataSync(), resizeBilinear(tensor(values, [1, 3, 4, 2]), [6, 8], false, true).dataSync());
  close(t, x.resizeBilinear([6, 8], false, true).dataSync(), y.dataSync());
  close(t, x.resizeNearestNeighbor([5, 5]).dataSync(), resizeNearestNeighbor(x, [5, 5]).dataSync());
  t.is(tf.image.resizeBilinear, resizeBilinear);
  t.is(tf.image.resizeNearestNeighbor, resizeNearestNeighbor);
  const ints = tensor([1, 2, 3, 4], [2, 2, 1], 'int32');
  const bi = resizeBilinear(ints, [3, 3]);
  t.is(bi.dtype, 'float32');
  close(t, bi.dataSync(), [1, 5 / 3, 2, 7 / 3, 3, 10 / 3, 3, 11 / 3, 4]);
  const ni = resizeNearestNeighbor(ints, [4, 4]);
  t.is(ni.dtype, 'int32');
  t.deepEqual(Array.from(ni.dataSync()), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  const nb = resizeNearestNeighbor(tensor([true, false], [1, 2, 1]), [1, 4]);
  t.is(nb.dtype, 'bool');
  t.deepEqual(Array.from(nb.dataSync()), [1, 1, 0, 0]);
});

test('BAD CALL – resize arguments', (t) => {
  const x = tensor(uniform(8), [1, 2, 2, 2]);
  const flat = tensor(uniform(4), [2, 2]);
  const empty = tensor([], [1, 0, 2, 1]);
  const before = memory().numTensors;
  let e = t.throws(() => resizeBilinear(x, [2, 2], true, true), { instanceOf: RangeError });
  t.is(e.message, "resizeBilinear: expected false when alignCorners is true (the two rules exclude each other) for 'halfPixelCenters' but received true of type boolean");
  e = t.throws(() => resizeNearestNeighbor(flat, [2, 2]), { instanceOf: RangeError });
  t.is(e.message, "resizeNearestNeighbor: expected a tensor of rank 3 ([height, width, channels]) or 4 ([batch, height, width, channels]) for 'images' but received a float32 tensor of shape [2,2]");
  t.throws(() => resizeBilinear(x, [2]), { instanceOf: TypeError, message: "resizeBilinear: expected an array [newHeight, newWidth] for 'size' but received [2]" });
  t.throws(() => resizeBilinear(x, [0, 2]), { instanceOf: RangeError, message: /for 'size' but received 0/ });
  t.throws(() => resizeBilinear(x, [2.5, 2]), { instanceOf: TypeError, message: /for 'size'/ });
  t.throws(() => resizeBilinear(x, [2, 2], 1), { instanceOf: TypeError, message: /'alignCorners'/ });
  t.throws(() => resizeBilinear(empty, [2, 2]), { instanceOf: RangeError, message: /images of at least one pixel/ });
  t.is(memory().numTensors, before);
  t.throws(() => resizeBilinear([[1, 2]], [2, 2]));
  t.is(memory().numTensors, before);
});

test('resizing leaves no tensors behind', (t) => {
  const x = tensor(uniform(2 * 3 * 3 * 1), [2, 3, 3, 1]);
  const before = memory().numTensors;
  const y = resizeBilinear([[[1], [2]], [[3], [4]]], [3, 3], true);
  y.dispose();
  const g = grads((v) => resizeNearestNeighbor(resizeBilinear(v, [4, 5], false, true), [2, 2]))([x]);
  g.forEach((v) => v.dispose());
  t.is(memory().numTensors, before);
});
