// softmax / logSoftmax on every axis and their gradients, and the fused
// softmax cross-entropy, against float64 references; the gradients also
// against finite differences of those references.
const test = require('ava');
const { TensorHandle, addon, I32, seeded, size, f32, assertClose } = require('./helpers');

const { random, randomArray } = seeded(2024);

// [outer, C, inner] around `axis`.
function around(shape, axis) {
  return { outer: size(shape.slice(0, axis)), c: shape[axis], inner: size(shape.slice(axis + 1)) };
}

function softmaxRef(x, shape, axis, log) {
  const { outer, c, inner } = around(shape, axis);
  const y = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j) => (o * c + j) * inner + i;
      let m = -Infinity;
      for (let j = 0; j < c; j++) m = Math.max(m, x[at(j)]);
      let s = 0;
      for (let j = 0; j < c; j++) s += Math.exp(x[at(j)] - m);
      for (let j = 0; j < c; j++) y[at(j)] = log ? x[at(j)] - m - Math.log(s) : Math.exp(x[at(j)] - m) / s;
    }
  }
  return y;
}

// d/dx of sum(dy * f(x)) by central differences of the float64 reference.
function numericGrad(f, x, dy) {
  const h = 1e-5;
  const xp = Float64Array.from(x);
  const g = new Float64Array(x.length);
  const dot = (y) => y.reduce((s, v, i) => s + v * dy[i], 0);
  for (let i = 0; i < x.length; i++) {
    xp[i] = x[i] + h;
    const up = dot(f(xp));
    xp[i] = x[i] - h;
    const down = dot(f(xp));
    xp[i] = x[i];
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

function runSoftmax(x, shape, axis, log) {
  const out = f32(shape);
  addon.softmax(f32(shape, x), axis, log, out);
  return out.read();
}

for (const log of [false, true]) {
  const name = log ? 'logSoftmax' : 'softmax';
  for (const axis of [0, 1, 2, -1]) {
    test(`${name} on axis ${axis} of a [3,4,5] tensor matches the float64 reference`, (t) => {
      const shape = [3, 4, 5];
      const x = randomArray(size(shape), 4);
      const a = axis < 0 ? axis + 3 : axis;
      assertClose(t, runSoftmax(x, shape, axis, log), softmaxRef(x, shape, a, log), 2e-6, name);
    });

    test(`${name}Grad on axis ${axis} of a [3,4,5] tensor matches finite differences`, (t) => {
      const shape = [3, 4, 5];
      const a = axis < 0 ? axis + 3 : axis;
      const x = randomArray(size(shape), 2);
      const dy = randomArray(size(shape));
      const y = f32(shape);
      addon.softmax(f32(shape, x), axis, log, y);
      const dx = f32(shape);
      addon.softmaxGrad(y, f32(shape, dy), axis, log, dx);
      const expected = numericGrad((v) => softmaxRef(v, shape, a, log), x, dy);
      assertClose(t, dx.read(), expected, 2e-5, `${name}Grad`);
    });
  }

  test(`${name} on long rows (oneDNN), many short rows (threaded) and the middle axis of a big tensor`, (t) => {
    for (const rows of [[700, 100], [300, 400]]) {
      const x = randomArray(size(rows), 10);
      assertClose(t, runSoftmax(x, rows, 1, log), softmaxRef(x, rows, 1, log), 2e-6, `${name} [${rows}]`);
    }
    const mid = [16, 33, 300];
    const z = randomArray(size(mid), 10);
    assertClose(t, runSoftmax(z, mid, 1, log), softmaxRef(z, mid, 1, log), 2e-6, `${name} [16,33,70] axis 1`);
  });

  test(`${name}Grad over a strided axis wider than one column block matches the analytic float64 rule`, (t) => {
    const shape = [3, 4, 600];
    const y = f32(shape);
    addon.softmax(f32(shape, randomArray(size(shape), 3)), 1, log, y);
    const dy = randomArray(size(shape));
    const dx = f32(shape);
    addon.softmaxGrad(y, f32(shape, dy), 1, log, dx);
    const yv = y.read();
    const expected = new Float64Array(yv.length);
    for (let o = 0; o < 3; o++) {
      for (let i = 0; i < 600; i++) {
        const at = (j) => (o * 4 + j) * 600 + i;
        let s = 0;
        for (let j = 0; j < 4; j++) s += log ? dy[at(j)] : dy[at(j)] * yv[at(j)];
        for (let j = 0; j < 4; j++) {
          expected[at(j)] = log ? dy[at(j)] - Math.exp(yv[at(j)]) * s : yv[at(j)] * (dy[at(j)] - s);
        }
      }
    }
    assertClose(t, dx.read(), expected, 2e-6, `${name}Grad`);
  });

  test(`${name} is stable for huge logits`, (t) => {
    const x = [1000, -1000, 0, 999, 88, -88];
    const got = runSoftmax(x, [2, 3], 1, log);
    assertClose(t, got, softmaxRef(x, [2, 3], 1, log), 1e-6, name);
    t.true(got.every(Number.isFinite));
  });
}

function xentRef(logits, n, c, labelAt, smoothing) {
  const loss = new Float64Array(n);
  const grad = new Float64Array(n * c);
  for (let r = 0; r < n; r++) {
    const row = logits.slice(r * c, (r + 1) * c);
    const logp = softmaxRef(row, [c], 0, true);
    for (let j = 0; j < c; j++) {
      const y = labelAt(r, j) * (1 - smoothing) + smoothing / c;
      loss[r] -= y * logp[j];
      grad[r * c + j] = Math.exp(logp[j]) - y;
    }
  }
  return { loss, grad };
}

function runXent(logits, labels, n, c, smoothing, withGrad = true) {
  const loss = f32([n]);
  const grad = withGrad ? f32([n, c]) : null;
  addon.softmaxCrossEntropy(f32([n, c], logits), labels, smoothing, loss, grad);
  return { loss: loss.read(), grad: withGrad ? grad.read() : null };
}

test('softmaxCrossEntropy with sparse int32 labels: loss and grad', (t) => {
  const n = 6;
  const c = 5;
  const logits = randomArray(n * c, 3);
  const ids = [0, 4, 2, 2, 1, 3];
  const got = runXent(logits, new TensorHandle(I32, [n], Int32Array.from(ids)), n, c, 0);
  const ref = xentRef(logits, n, c, (r, j) => (ids[r] === j ? 1 : 0), 0);
  assertClose(t, got.loss, ref.loss, 2e-6, 'loss');
  assertClose(t, got.grad, ref.grad, 2e-6, 'grad');
  // grad row r is d loss_r / d logits_r: check it against finite differences too.
  const dy = new Float64Array(n * c).fill(0);
  const total = (v) => {
    const l = xentRef(v, n, c, (r, j) => (ids[r] === j ? 1 : 0), 0).loss;
    const out = new Float64Array(n * c);
    for (let r = 0; r < n; r++) out[r * c] = l[r];
    return out;
  };
  for (let r = 0; r < n; r++) dy[r * c] = 1;
  assertClose(t, got.grad, numericGrad(total, logits, dy), 2e-5, 'grad vs finite differences');
});

test('softmaxCrossEntropy with one-hot labels equals the sparse form; loss alone without grad', (t) => {
  const n = 7;
  const c = 10;
  const logits = randomArray(n * c, 5);
  const ids = [9, 0, 3, 3, 7, 1, 5];
  const oneHot = new Float32Array(n * c);
  ids.forEach((id, r) => { oneHot[r * c + id] = 1; });
  const dense = runXent(logits, f32([n, c], oneHot), n, c, 0);
  const sparse = runXent(logits, new TensorHandle(I32, [n], Int32Array.from(ids)), n, c, 0);
  const ref = xentRef(logits, n, c, (r, j) => oneHot[r * c + j], 0);
  assertClose(t, dense.loss, ref.loss, 2e-6, 'dense loss');
  assertClose(t, dense.grad, ref.grad, 2e-6, 'dense grad');
  assertClose(t, sparse.loss, dense.loss, 2e-6, 'sparse vs dense loss');
  const lossOnly = runXent(logits, f32([n, c], oneHot), n, c, 0, false);
  assertClose(t, lossOnly.loss, ref.loss, 2e-6, 'loss without grad');
});

test('softmaxCrossEntropy with soft labels and label smoothing', (t) => {
  const n = 5;
  const c = 4;
  const logits = randomArray(n * c, 3);
  const probs = new Float32Array(n * c);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += probs[r * c + j] = random();
    for (let j = 0; j < c; j++) probs[r * c + j] /= s;
  }
  for (const smoothing of [0, 0.1, 0.3]) {
    const got = runXent(logits, f32([n, c], probs), n, c, smoothing);
    const ref = xentRef(logits, n, c, (r, j) => probs[r * c + j], smoothing);
    assertClose(t, got.loss, ref.loss, 2e-6, `loss, smoothing ${smoothing}`);
    assertClose(t, got.grad, ref.grad, 2e-6, `grad, smoothing ${smoothing}`);
  }
  // Smoothing of sparse labels means the same y' as smoothing their one-hot form.
  const ids = [1, 0, 3, 2, 2];
  const sparse = runXent(logits, new TensorHandle(I32, [n], Int32Array.from(ids)), n, c, 0.2);
  const ref = xentRef(logits, n, c, (r, j) => (ids[r] === j ? 1 : 0), 0.2);
  assertClose(t, sparse.loss, ref.loss, 2e-6, 'sparse smoothed loss');
  assertClose(t, sparse.grad, ref.grad, 2e-6, 'sparse smoothed grad');
});

test('softmaxCrossEntropy on a big batch (threaded) and with extreme logits', (t) => {
  const n = 5000;
  const c = 10;
  const logits = randomArray(n * c, 20);
  logits[0] = 1e4;
  logits[11] = -1e4;
  const ids = Int32Array.from({ length: n }, () => Math.floor(random() * c));
  const got = runXent(logits, new TensorHandle(I32, [n], ids), n, c, 0);
  const ref = xentRef(logits, n, c, (r, j) => (ids[r] === j ? 1 : 0), 0);
  assertClose(t, got.loss, ref.loss, 1e-5, 'loss');
  assertClose(t, got.grad, ref.grad, 2e-6, 'grad');
  t.true(got.loss.every(Number.isFinite));
});

test('BAD CALL – softmaxCrossEntropy with a label outside [0, C) throws and writes nothing', (t) => {
  const loss = f32([3], [7, 7, 7]);
  for (const bad of [[0, 5, 1], [0, -1, 1]]) {
    const labels = new TensorHandle(I32, [3], Int32Array.from(bad));
    const err = t.throws(() => addon.softmaxCrossEntropy(f32([3, 5], randomArray(15)), labels, 0, loss, null));
    t.is(err.code, 'ERR_INDEX_OUT_OF_RANGE');
    t.is(err.message, `softmaxCrossEntropy: label ${bad[1]} of sample 1 is out of range for 5 classes`);
  }
  t.deepEqual(Array.from(loss.read()), [7, 7, 7]);
});

test('BAD CALL – softmax with mismatched shapes or a bad axis', (t) => {
  const err = t.throws(() => addon.softmax(f32([2, 3]), 1, false, f32([3, 2])));
  t.is(err.code, 'ERR_SHAPE_MISMATCH');
  const axisErr = t.throws(() => addon.softmax(f32([2, 3]), 2, false, f32([2, 3])));
  t.is(axisErr.code, 'ERR_INVALID_ARG');
});
