'use strict';
const test = require('ava');
const nn = require('../../dist/ops/nn');
const { tensor } = require('../../dist/ops/creation');
const { mul } = require('../../dist/ops/elementwise');
const { grad, grads } = require('../../dist/autograd/gradients');
const { memory, tidy } = require('../../dist/tensor/scope');
const { gradcheck, close, uniform } = require('./gradcheck');

function softmaxRows(values, rows, cols) {
  const out = [];
  for (let r = 0; r < rows; r++) {
    const row = values.slice(r * cols, (r + 1) * cols);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((v) => v / s));
  }
  return out;
}

// ------------------------------------------------------------------ softmax, logSoftmax

test('softmax and logSoftmax along the last axis against a float64 reference', (t) => {
  const values = uniform(12, -3, 3, 1);
  const x = tensor(values, [3, 4]);
  const ref = softmaxRows(values, 3, 4);
  close(t, nn.softmax(x).dataSync(), ref, { rtol: 1e-5, atol: 1e-7 });
  close(t, x.softmax().dataSync(), ref, { rtol: 1e-5, atol: 1e-7 });
  close(t, nn.logSoftmax(x).dataSync(), ref.map(Math.log), { rtol: 1e-5, atol: 1e-6 });
  close(t, x.logSoftmax(-1).dataSync(), ref.map(Math.log), { rtol: 1e-5, atol: 1e-6 });
  // stable with large logits
  close(t, nn.softmax([1000, 1000]).dataSync(), [0.5, 0.5]);
  close(t, nn.logSoftmax([1000, 0]).dataSync(), [0, -1000]);
});

test('softmax along another axis', (t) => {
  const values = uniform(6, -1, 1, 2);
  // axis 0 of [2,3] = the rows of its transpose
  const transposed = [0, 3, 1, 4, 2, 5].map((i) => values[i]);
  const refT = softmaxRows(transposed, 3, 2);
  const ref = [0, 2, 4, 1, 3, 5].map((i) => refT[i]);
  close(t, nn.softmax(tensor(values, [2, 3]), 0).dataSync(), ref, { rtol: 1e-5, atol: 1e-7 });
});

test('softmax and logSoftmax gradients match finite differences', (t) => {
  const x = tensor(uniform(12, -2, 2, 3), [3, 4]);
  gradcheck(t, (v) => nn.softmax(v), [x], { label: 'softmax' });
  gradcheck(t, (v) => nn.logSoftmax(v), [x], { label: 'logSoftmax' });
  gradcheck(t, (v) => nn.softmax(v, 0), [x], { label: 'softmax axis 0' });
  gradcheck(t, (v) => nn.logSoftmax(v, -2), [x], { label: 'logSoftmax axis -2' });
});

// ------------------------------------------------------------------ softmax cross-entropy

function xentRef(logits, labels, rows, cols, smoothing = 0) {
  const p = softmaxRows(logits, rows, cols);
  const out = [];
  for (let r = 0; r < rows; r++) {
    let l = 0;
    for (let c = 0; c < cols; c++) {
      const y = labels[r * cols + c] * (1 - smoothing) + smoothing / cols;
      l -= y * Math.log(p[r * cols + c]);
    }
    out.push(l);
  }
  return out;
}

const oneHot = (ids, cols) => ids.flatMap((id) => Array.from({ length: cols }, (_, c) => (c === id ? 1 : 0)));

test('softmaxCrossEntropyWithLogits: sparse int32 labels and dense labels', (t) => {
  const logits = uniform(12, -2, 2, 4);
  const ids = [2, 0, 3];
  const sparse = nn.softmaxCrossEntropyWithLogits(tensor(ids, undefined, 'int32'), tensor(logits, [3, 4]));
  t.deepEqual(sparse.shape, [3]);
  close(t, sparse.dataSync(), xentRef(logits, oneHot(ids, 4), 3, 4), { rtol: 1e-5 });
  const probs = uniform(12, 0, 1, 5);
  const dense = nn.softmaxCrossEntropyWithLogits(tensor(probs, [3, 4]), tensor(logits, [3, 4]));
  close(t, dense.dataSync(), xentRef(logits, probs, 3, 4), { rtol: 1e-5 });
  // float class ids with sparse: true are converted
  const f = nn.softmaxCrossEntropyWithLogits(tensor(ids), tensor(logits, [3, 4]), { sparse: true });
  close(t, f.dataSync(), sparse.dataSync());
});

test('softmaxCrossEntropyWithLogits: label smoothing, sparse and dense', (t) => {
  const logits = uniform(8, -2, 2, 6);
  const ids = [1, 3];
  const ref = xentRef(logits, oneHot(ids, 4), 2, 4, 0.2);
  close(t, nn.softmaxCrossEntropyWithLogits(tensor(oneHot(ids, 4), [2, 4]), tensor(logits, [2, 4]), { labelSmoothing: 0.2 }).dataSync(), ref, { rtol: 1e-5 });
  close(t, nn.softmaxCrossEntropyWithLogits(tensor(ids, undefined, 'int32'), tensor(logits, [2, 4]), { labelSmoothing: 0.2 }).dataSync(), ref, { rtol: 1e-5 });
});

test('softmaxCrossEntropyWithLogits: higher-rank logits keep their batch shape', (t) => {
  const logits = uniform(24, -2, 2, 7);
  const ids = [0, 1, 2, 3, 2, 1];
  const y = nn.softmaxCrossEntropyWithLogits(tensor(ids, [2, 3], 'int32'), tensor(logits, [2, 3, 4]));
  t.deepEqual(y.shape, [2, 3]);
  close(t, y.dataSync(), xentRef(logits, oneHot(ids, 4), 6, 4), { rtol: 1e-5 });
  const one = nn.softmaxCrossEntropyWithLogits(tensor([1], undefined, 'int32'), [[0, 0]]);
  close(t, one.dataSync(), [Math.LN2]);
});

test('softmaxCrossEntropyWithLogits gradient (logits) matches finite differences; labels get none', (t) => {
  const logits = tensor(uniform(12, -2, 2, 8), [3, 4]);
  gradcheck(t, (z, y) => nn.softmaxCrossEntropyWithLogits(y, z), [logits, tensor([2, 0, 1], undefined, 'int32')], { wrt: [0], label: 'sparse' });
  const probs = tensor(softmaxRows(uniform(12, -1, 1, 9), 3, 4), [3, 4]);
  gradcheck(t, (z, y) => nn.softmaxCrossEntropyWithLogits(y, z, { labelSmoothing: 0.1 }), [logits, probs], { wrt: [0], label: 'dense smoothed' });
  gradcheck(t, (z, y) => nn.softmaxCrossEntropyWithLogits(y, z), [tensor(uniform(24, -2, 2, 10), [2, 3, 4]), tensor([0, 1, 2, 3, 2, 1], [2, 3], 'int32')], { wrt: [0], label: 'rank 3' });
  const [, gl] = grads((z, y) => nn.softmaxCrossEntropyWithLogits(y, z).sum())([logits, probs]);
  t.deepEqual(Array.from(gl.dataSync()), new Array(12).fill(0));
});

// ------------------------------------------------------------------ dropout

test('dropout: kept values scaled by 1/(1-rate), about rate dropped', (t) => {
  const x = tensor(new Float32Array(10000).fill(2));
  const y = nn.dropout(x, 0.3);
  const v = y.dataSync();
  const kept = v.filter((e) => e !== 0);
  t.true(kept.every((e) => Math.abs(e - 2 / 0.7) < 1e-5));
  const dropped = 1 - kept.length / v.length;
  t.true(Math.abs(dropped - 0.3) < 0.03, `dropped ${dropped}`);
  // two calls draw different masks
  t.notDeepEqual(Array.from(nn.dropout(x, 0.3).dataSync()), Array.from(v));
});

test('dropout: rate 0 returns x; a seed makes the mask reproducible', (t) => {
  const x = tensor(uniform(64, 1, 2, 3));
  t.is(nn.dropout(x, 0), x);
  const a = Array.from(nn.dropout(x, 0.5, null, 42).dataSync());
  const b = Array.from(nn.dropout(x, 0.5, null, 42).dataSync());
  t.deepEqual(a, b);
  t.notDeepEqual(a, Array.from(nn.dropout(x, 0.5, null, 43).dataSync()));
  t.deepEqual(Array.from(nn.dropout(x, 0.5, null, 'abc').dataSync()), Array.from(nn.dropout(x, 0.5, null, 'abc').dataSync()));
});

test('dropout: noiseShape shares one draw along its size-1 dims', (t) => {
  const x = tensor(new Float32Array(40 * 8).fill(1), [40, 8]);
  const y = nn.dropout(x, 0.5, [1, 8], 7).arraySync();
  for (const row of y) t.deepEqual(row, y[0]);
  t.true(y[0].every((v) => v === 0 || v === 2));
  const z = nn.dropout(x, 0.5, [null, 1], 7).arraySync();
  for (const row of z) t.true(row.every((v) => v === row[0]));
});

test('dropout gradient is dy * mask', (t) => {
  const x = tensor(uniform(200, 1, 2, 4));
  const w = tensor(uniform(200, -1, 1, 6));
  for (const noiseShape of [null, [1]]) {
    // A seeded dropout draws the same mask each time.
    const y = nn.dropout(x, 0.4, noiseShape, 5);
    const mask = Array.from(y.dataSync()).map((v, i) => v / x.dataSync()[i]);
    t.true(mask.every((m) => m === 0 || Math.abs(m - 1 / 0.6) < 1e-5));
    const g = grad((v) => mul(nn.dropout(v, 0.4, noiseShape, 5), w))(x);
    close(t, g.dataSync(), mask.map((m, i) => m * w.dataSync()[i]), { rtol: 1e-5, atol: 1e-6 });
  }
});

// ------------------------------------------------------------------ errors and memory

test('BAD CALL – dropout rate and dtype', (t) => {
  const x = tensor([1, 2]);
  const r = t.throws(() => nn.dropout(x, 1), { instanceOf: RangeError });
  t.is(r.code, 'ERR_OUT_OF_RANGE');
  t.is(r.message, "dropout: expected a number in [0, 1) for 'rate' but received 1 of type number");
  t.throws(() => nn.dropout(x, -0.1), { instanceOf: RangeError });
  t.throws(() => nn.dropout(tensor([1], undefined, 'int32'), 0.5), { instanceOf: TypeError, message: /dropout: expected a float32 tensor/ });
  t.throws(() => nn.dropout(x, 0.5, [3]), { message: /noiseShape must match x/ });
});

test('BAD CALL – softmax cross-entropy shapes and smoothing', (t) => {
  const e = t.throws(() => nn.softmaxCrossEntropyWithLogits(tensor([[1, 0]]), tensor([[1, 2, 3]])));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'softmaxCrossEntropyWithLogits: labels must have the shape of logits ([1,2] and [1,3])');
  t.throws(() => nn.softmaxCrossEntropyWithLogits(tensor([1, 0], undefined, 'int32'), tensor([[1, 2, 3]])), { message: /sparse labels must have the shape of logits without its last axis \(\[2\] and \[1,3\]\)/ });
  t.throws(() => nn.softmaxCrossEntropyWithLogits(tensor([0], undefined, 'int32'), tensor([[1, 2]]), { labelSmoothing: 2 }), { instanceOf: RangeError });
  t.throws(() => nn.softmax(tensor([1, 2]), 1), { instanceOf: RangeError, message: /^softmax: expected axes in \[-1, 1\)/ });
  const x = tensor([1, 2]);
  x.dispose();
  t.is(t.throws(() => nn.softmax(x)).code, 'ERR_TENSOR_DISPOSED');
  t.is(t.throws(() => nn.dropout(x, 0.5)).code, 'ERR_TENSOR_DISPOSED');
});

test('a training-style step leaves no tensor behind', (t) => {
  const logits = tensor(uniform(40, -1, 1, 11), [10, 4]);
  const labels = tensor([0, 1, 2, 3, 0, 1, 2, 3, 0, 1], undefined, 'int32');
  const before = memory().numTensors;
  tidy(() => {
    grad((z) => nn.softmaxCrossEntropyWithLogits(labels, nn.dropout(z, 0.2)).mean())(logits);
  });
  t.is(memory().numTensors, before);
  // Outside a tape, the forward saves no gradient: one output only.
  const loss = nn.softmaxCrossEntropyWithLogits(labels, logits);
  t.is(memory().numTensors, before + 1);
  t.deepEqual(loss.shape, [10]);
});
