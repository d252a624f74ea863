// pool / poolGrad (max and average, 1-3 spatial dims, channels-last) against a
// float64 reference, the argmax contract of max pooling (ties, NaN, padding),
// and bad calls.
const test = require('ava');
const { TensorHandle, addon, I32, BOOL, seeded, size, f32, assertClose } = require('./helpers');

const { random } = seeded(99);

const MAX = 0;
const AVG = 1;

const i32 = (shape) => new TensorHandle(I32, shape, null);

/** n distinct values in [-0.5, 0.5) (no ties for max pooling) in a scrambled order. */
function distinct(n) {
  const keys = Array.from({ length: n }, () => random());
  const order = keys.map((k, i) => [k, i]).sort((a, b) => a[0] - b[0]);
  const out = new Float32Array(n);
  order.forEach(([, i], r) => (out[i] = (r - n / 2) / n));
  return out;
}

/** Output spatial sizes from the window (floor rule, as oneDNN takes it). */
const outSizes = (xShape, a) => xShape.slice(1, -1).map((n, i) => Math.floor((n + a.padBefore[i] + a.padAfter[i] - a.kernel[i]) / a.strides[i]) + 1);

/**
 * float64 pooling over channels-last x; returns y, for each output element the
 * input elements of its window (for the gradient) and, for max, the cell of
 * the window (row-major, padding counted) that holds the first maximum.
 */
function poolRef(kind, x, xShape, a) {
  const spatial = xShape.slice(1, -1);
  const n = xShape[0];
  const c = xShape[xShape.length - 1];
  const out = outSizes(xShape, a);
  const y = [];
  const windows = [];
  const argmax = [];
  const index = (b, pos, k) => {
    let flat = b;
    for (let i = 0; i < spatial.length; i++) flat = flat * spatial[i] + pos[i];
    return flat * c + k;
  };
  const positions = (dims) => dims.reduce((acc, d) => acc.flatMap((p) => Array.from({ length: d }, (_, i) => [...p, i])), [[]]);
  for (let b = 0; b < n; b++) {
    for (const o of positions(out)) {
      for (let k = 0; k < c; k++) {
        const members = [];
        const cells = [];
        positions(a.kernel).forEach((w, cell) => {
          const pos = o.map((oi, i) => oi * a.strides[i] - a.padBefore[i] + w[i]);
          if (pos.every((p, i) => p >= 0 && p < spatial[i])) {
            members.push(index(b, pos, k));
            cells.push(cell);
          }
        });
        windows.push(members);
        if (kind === MAX) {
          let best = 0;
          members.forEach((m, j) => { if (x[m] > x[members[best]]) best = j; });
          y.push(x[members[best]]);
          argmax.push(cells[best]);
        } else {
          y.push(members.reduce((s, m) => s + x[m], 0) / members.length);
        }
      }
    }
  }
  return { y, windows, argmax, outShape: [n, ...out, c] };
}

function gradRef(kind, x, windows, dy) {
  const dx = new Float64Array(x.length);
  windows.forEach((members, j) => {
    if (kind === MAX) {
      let best = members[0];
      for (const m of members) if (x[m] > x[best]) best = m;
      dx[best] += dy[j];
    } else {
      for (const m of members) dx[m] += dy[j] / members.length;
    }
  });
  return dx;
}

const win = (kernel, strides, padBefore, padAfter) => ({ kernel, strides, padBefore, padAfter });
const CASES = [
  { xShape: [2, 9, 3], a: win([3], [2], [1], [1]) },
  { xShape: [2, 5, 7, 3], a: win([3, 3], [2, 2], [1, 1], [1, 1]) },
  { xShape: [1, 6, 6, 16], a: win([2, 2], [2, 2], [0, 0], [0, 0]) },
  { xShape: [3, 7, 5, 2], a: win([3, 2], [2, 1], [1, 0], [1, 1]) },
  { xShape: [1, 6, 6, 3], a: win([3, 3], [2, 2], [1, 1], [2, 2]) },
  { xShape: [1, 4, 5, 6, 2], a: win([2, 2, 2], [2, 2, 2], [0, 0, 0], [0, 1, 1]) },
  { xShape: [2, 3, 5, 4, 3], a: win([2, 3, 2], [1, 1, 1], [0, 1, 0], [1, 1, 1]) },
];
const args = (a) => [a.kernel, a.strides, a.padBefore, a.padAfter];

/** Runs inference, training and backward on x and compares all with the float64 reference. */
function checkPool(t, kind, xShape, a, x, name) {
  const ref = poolRef(kind, x, xShape, a);
  const xh = f32(xShape, x);
  const y = f32(ref.outShape);
  addon.pool(kind, xh, y, ...args(a), null);
  assertClose(t, y.read(), ref.y, 1e-6, `${name} inference`);
  let argmax = null;
  if (kind === MAX) {
    argmax = i32(ref.outShape);
    const yt = f32(ref.outShape);
    addon.pool(kind, xh, yt, ...args(a), argmax);
    assertClose(t, yt.read(), ref.y, 1e-6, `${name} training`);
    t.deepEqual(Array.from(argmax.read()), ref.argmax, `${name} argmax`);
  }
  const dy = Array.from(distinct(ref.y.length));
  const dx = f32(xShape);
  addon.poolGrad(kind, f32(ref.outShape, dy), argmax, dx, ...args(a));
  assertClose(t, dx.read(), gradRef(kind, x, ref.windows, dy), 1e-6, `${name} backward`);
}

const describe = (kind, xShape, a) =>
  `${kind === MAX ? 'max' : 'avg'} pooling x [${xShape}] k [${a.kernel}] s [${a.strides}] pads [${a.padBefore}]/[${a.padAfter}]`;

for (const { xShape, a } of CASES) {
  for (const kind of [MAX, AVG]) {
    const name = describe(kind, xShape, a);
    test(`${name}: forward (inference and training) and backward match float64`, (t) => {
      checkPool(t, kind, xShape, a, distinct(size(xShape)), name);
    });
  }
}

test('max pooling ties: the first maximum in the window wins, in y, argmax and the gradient; padding never wins over negatives', (t) => {
  // Values from {-3, -2, -1}: windows tie, and every padded border holds only negatives.
  for (const { xShape, a } of CASES) {
    const x = Float32Array.from({ length: size(xShape) }, () => -1 - Math.floor(random() * 3));
    checkPool(t, MAX, xShape, a, x, `ties: ${describe(MAX, xShape, a)}`);
  }
  // A window of equal values sends its whole gradient to its first cell.
  const argmax = i32([1, 1, 1, 1]);
  const y = f32([1, 1, 1, 1]);
  addon.pool(MAX, f32([1, 2, 2, 1], [-4, -4, -4, -4]), y, [2, 2], [2, 2], [0, 0], [0, 0], argmax);
  t.deepEqual(Array.from(argmax.read()), [0]);
  const dx = f32([1, 2, 2, 1]);
  addon.poolGrad(MAX, f32([1, 1, 1, 1], [3]), argmax, dx, [2, 2], [2, 2], [0, 0], [0, 0]);
  t.deepEqual(Array.from(dx.read()), [3, 0, 0, 0]);
});

test('max pooling propagates NaN, and its gradient goes to the NaN', (t) => {
  const x = f32([1, 2, 2, 2], [1, 5, NaN, 2, 3, -1, 0, 4]);
  const y = f32([1, 1, 1, 2]);
  const argmax = i32([1, 1, 1, 2]);
  addon.pool(MAX, x, y, [2, 2], [2, 2], [0, 0], [0, 0], argmax);
  const ys = y.read();
  t.true(Number.isNaN(ys[0]));
  t.is(ys[1], 5);
  t.deepEqual(Array.from(argmax.read()), [1, 0]);
  const inference = f32([1, 1, 1, 2]);
  addon.pool(MAX, x, inference, [2, 2], [2, 2], [0, 0], [0, 0], null);
  t.true(Number.isNaN(inference.read()[0]));
});

test('a pooling large enough to run on every thread matches float64 (overlapping windows, uneven padding)', (t) => {
  const xShape = [3, 33, 31, 24];
  const a = win([3, 3], [2, 2], [1, 0], [1, 1]);
  for (const kind of [MAX, AVG]) checkPool(t, kind, xShape, a, distinct(size(xShape)), describe(kind, xShape, a));
});

test('results do not depend on the thread count', (t) => {
  const xShape = [4, 32, 32, 16];
  const a = win([3, 3], [2, 2], [1, 1], [1, 1]);
  const x = f32(xShape, distinct(size(xShape)));
  const outShape = [4, 16, 16, 16];
  const dy = f32(outShape, distinct(size(outShape)));
  const run = () => Array.from([MAX, AVG], (kind) => {
    const y = f32(outShape);
    const argmax = kind === MAX ? i32(outShape) : null;
    addon.pool(kind, x, y, ...args(a), argmax);
    const dx = f32(xShape);
    addon.poolGrad(kind, dy, argmax, dx, ...args(a));
    return [y.read(), dx.read()];
  });
  const threads = addon.runtimeInfo().threads;
  const many = run();
  addon.setNumThreads(1);
  try {
    t.deepEqual(run(), many);
  } finally {
    addon.setNumThreads(threads);
  }
});

test('BAD CALL – pool shapes, dtypes and argmax', (t) => {
  const a = win([2, 2], [2, 2], [0, 0], [0, 0]);
  const x = f32([1, 4, 4, 1], distinct(16));
  const y = f32([1, 2, 2, 1]);
  let e = t.throws(() => addon.pool(MAX, x, f32([1, 3, 2, 1]), ...args(a), null));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, "pool: the window does not give out's spatial size (x [1,4,4,1], out [1,3,2,1])");
  t.throws(() => addon.pool(MAX, x, y, [2], [2], [0], [0], null), { message: /one value per spatial dim/ });
  t.throws(() => addon.pool(MAX, x, f32([1, 3, 3, 1]), [2, 2], [1, 1], [2, 0], [0, 0], null), { message: /each padding must be smaller than the window/ });
  t.throws(() => addon.pool(AVG, f32([4, 4]), y, ...args(a), null), { message: /x must have rank 3, 4 or 5/ });
  t.throws(() => addon.pool(MAX, new TensorHandle(I32, [1, 4, 4, 1]), y, ...args(a), null), { message: 'pool: expected float32 for x, got int32' });
  t.throws(() => addon.pool(AVG, x, y, ...args(a), i32([1, 2, 2, 1])), { message: 'pool: only max pooling keeps an argmax' });
  e = t.throws(() => addon.pool(MAX, x, y, ...args(a), i32([1, 2, 1, 2])));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, "pool: argmax must have out's shape [1,2,2,1], got [1,2,1,2]");
  t.throws(() => addon.pool(MAX, x, y, ...args(a), new TensorHandle(BOOL, [1, 2, 2, 1])), { message: 'pool: expected int32 for argmax, got bool' });
  t.throws(() => addon.poolGrad(MAX, y, null, f32([1, 4, 4, 1]), ...args(a)), { message: 'poolGrad: max pooling needs the argmax of its forward pass' });
  t.throws(() => addon.poolGrad(MAX, y, i32([1, 2, 2, 2]), f32([1, 4, 4, 1]), ...args(a)), { message: /argmax must have out's shape/ });
  t.throws(() => addon.pool(7, x, y, ...args(a), null), { message: /unknown pooling kind 7/ });
  t.throws(() => addon.poolGrad(7, y, null, f32([1, 4, 4, 1]), ...args(a)), { message: /unknown pooling kind 7/ });
  t.throws(() => addon.pool(MAX, x, y, 2, ...args(a).slice(1), null), { message: /expected an array of integers for kernel/ });
});
