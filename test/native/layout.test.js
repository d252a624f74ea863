'use strict';
// Blocked copies (native/src/cpu/layout.h): a convolution may leave its
// output in oneDNN's blocked layout and keep the reordered copies of its
// inputs. Every chain through blocked tensors must equal the same chain
// through plain copies, every other reader must see the plain contents, and
// a tensor changed in place must never be read through a stale copy.
const test = require('ava');
const path = require('path');
const addon = require('node-gyp-build')(path.join(__dirname, '..', '..'));

const { TensorHandle } = addon;
const F32 = 0;
const Relu = 1;
const Linear = 0;
const NEG = 0; // UnaryOp.Neg
const ADD = 0; // BinaryOp.Add

let seed = 77;
function randomArray(n) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    a[i] = (seed / 2147483648) * 2 - 1;
  }
  return a;
}
const size = (shape) => shape.reduce((a, b) => a * b, 1);
const handle = (shape, data) => new TensorHandle(F32, shape, data || null);
const random = (shape) => handle(shape, randomArray(size(shape)));
/** A plain copy: the contents read back into a fresh handle. */
const copy = (h) => handle(h.shape, h.read());

// 3x3 kernels, stride 1, no padding: [n, s, s, c] -> [n, s - 2, s - 2, cout].
const ARGS = [[1, 1], [1, 1], [0, 0], [0, 0], 1];
function conv(x, f, act = Relu) {
  const [n, h, w] = x.shape;
  const y = handle([n, h - 2, w - 2, f.shape[3]]);
  addon.convForward(x, f, null, y, ...ARGS, act, 0);
  return y;
}
function convDx(dy, f, xShape) {
  const dx = handle(xShape);
  addon.convBackwardData(dy, f, dx, ...ARGS);
  return dx;
}
function convDf(x, dy, fShape) {
  const df = handle(fShape);
  addon.convBackwardFilter(x, dy, df, null, ...ARGS);
  return df;
}

/** Float64 NHWC convolution with a [3, 3, cin, cout] filter and relu. */
function reference(x, xShape, f, cout) {
  const [n, h, w, cin] = xShape;
  const oh = h - 2;
  const ow = w - 2;
  const y = new Float64Array(n * oh * ow * cout);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let o = 0; o < cout; o++) {
          let s = 0;
          for (let ki = 0; ki < 3; ki++) {
            for (let kj = 0; kj < 3; kj++) {
              const xb = ((b * h + i + ki) * w + j + kj) * cin;
              const fb = (ki * 3 + kj) * cin * cout;
              for (let c = 0; c < cin; c++) s += x[xb + c] * f[fb + c * cout + o];
            }
          }
          y[((b * oh + i) * ow + j) * cout + o] = Math.max(s, 0);
        }
      }
    }
  }
  return y;
}

function maxDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// Channel counts that are and are not multiples of oneDNN's 8-wide blocks;
// cin < 8 computes channels-last (conv.cc's layout policy), wider ones blocked.
const CHAINS = [[3, 12, 12], [12, 32, 8], [8, 16, 3], [16, 24, 64]];

for (const [c0, c1, c2] of CHAINS) {
  for (const n of [1, 4]) {
    test(`conv -> conv through a blocked intermediate equals the plain chain (channels ${c0}, ${c1}, ${c2}, batch ${n})`, (t) => {
      const x = random([n, 10, 10, c0]);
      const f1 = random([3, 3, c0, c1]);
      const f2 = random([3, 3, c1, c2]);
      const y1 = conv(x, f1);
      if (c0 >= 8) t.is(y1.layout, 'blocked');
      const y2 = conv(y1, f2);
      const plainY1 = copy(y1);
      t.true(maxDiff(plainY1.read(), reference(x.read(), x.shape, f1.read(), c1)) < 1e-4);
      const y2Plain = conv(plainY1, copy(f2));
      t.true(maxDiff(y2.read(), y2Plain.read()) <= 1e-5);

      // Backward: dx of the second conv (blocked when c1 < 8) feeds both kernels of the first.
      const dy2 = random(y2.shape);
      const dx1 = convDx(dy2, f2, y1.shape);
      const df2 = convDf(y1, dy2, f2.shape);
      const dx0 = convDx(dx1, f1, x.shape);
      const df1 = convDf(x, dx1, f1.shape);
      const dx1Plain = convDx(copy(dy2), copy(f2), y1.shape);
      t.true(maxDiff(dx1.read(), dx1Plain.read()) <= 1e-5);
      t.true(maxDiff(df2.read(), convDf(plainY1, copy(dy2), f2.shape).read()) <= 1e-5);
      t.true(maxDiff(dx0.read(), convDx(copy(dx1Plain), copy(f1), x.shape).read()) <= 1e-5);
      t.true(maxDiff(df1.read(), convDf(copy(x), copy(dx1Plain), f1.shape).read()) <= 1e-5);
      t.is(df1.layout, 'plain', 'filter gradients are plain: the optimizer reads them');
    });
  }
}

test('the backward kernels reuse the forward copies of x and the filter', (t) => {
  const x = random([2, 9, 9, 16]);
  const f = random([3, 3, 16, 16]);
  const y = conv(x, f, Linear);
  t.is(x.layout, 'both', 'x keeps its reordered copy');
  t.is(f.layout, 'both', 'the filter keeps its reordered copy');
  const dy = random(y.shape);
  const df = convDf(x, dy, f.shape);
  t.true(maxDiff(df.read(), convDf(copy(x), copy(dy), f.shape).read()) <= 1e-5);
});

test('a blocked tensor reads the same through read, reshape, an elementwise op and a plain copy', (t) => {
  const x = random([2, 8, 8, 12]);
  const f = random([3, 3, 12, 20]);
  const expected = reference(x.read(), x.shape, f.read(), 20);

  const y1 = conv(x, f);
  t.is(y1.layout, 'blocked');
  t.true(maxDiff(y1.read(), expected) < 1e-4);
  t.is(y1.layout, 'both');

  const y2 = conv(x, f);
  const flat = y2.reshape([2, 6 * 6 * 20]);
  t.true(maxDiff(flat.read(), expected) < 1e-4, 'a reshaped view of a blocked tensor');
  flat.dispose();
  y2.dispose();

  const y3 = conv(x, f);
  const zero = handle([1], new Float32Array([0]));
  const sum = handle(y3.shape);
  addon.binary(ADD, y3, zero, sum);
  t.true(maxDiff(sum.read(), expected) < 1e-4, 'a non-convolution op reads plain contents');
  t.is(y3.layout, 'plain', 'a plain kernel argument drops the copy: it may write');

  const y4 = conv(x, f);
  const view = y4.reshape([2, 6, 6, 20]);
  y4.dispose();
  t.true(maxDiff(view.read(), expected) < 1e-4, 'a view outlives the handle it came from');
  view.dispose();

  const y5 = conv(x, f);
  y5.dispose();
  t.true(y5.disposed, 'disposed while blocked');
  t.throws(() => y5.read(), { code: 'ERR_TENSOR_DISPOSED' });
});

test('a filter changed in place is never read through its old copy', (t) => {
  const x = random([2, 7, 7, 16]);
  const f = random([3, 3, 16, 8]);
  conv(x, f, Linear);
  t.is(f.layout, 'both');
  // In place through a kernel, as the optimizers update variables.
  addon.unary(NEG, f, f, 0, 0);
  t.true(maxDiff(conv(x, f, Linear).read(), conv(copy(x), copy(f), Linear).read()) <= 1e-5);
  // And through write().
  conv(x, f, Linear);
  f.write(randomArray(size(f.shape)));
  t.is(f.layout, 'plain');
  t.true(maxDiff(conv(x, f, Linear).read(), conv(copy(x), copy(f), Linear).read()) <= 1e-5);
});

test('a blocked tensor reshaped to another 4-d shape is read as that shape', (t) => {
  const x = random([2, 8, 8, 16]);
  const f1 = random([3, 3, 16, 16]);
  const y = conv(x, f1);
  t.is(y.layout, 'blocked');
  // [2, 6, 6, 16] seen as [2, 6, 16, 6]: a convolution must read the plain bytes, not the copy.
  const other = y.reshape([2, 6, 16, 6]);
  const f2 = random([3, 3, 6, 8]);
  const z = conv(other, f2);
  t.true(maxDiff(z.read(), conv(handle(other.shape, y.read()), copy(f2)).read()) <= 1e-5);
  other.dispose();
});

