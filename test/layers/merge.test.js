// Merge layers: values against float64 references, broadcasting as TF.js's
// Merge, gradients against finite differences, shape errors naming both shapes.
const test = require('ava');
const layers = require('../../dist/layers');
const { input } = require('../../dist/layers/input');
const { tensor, zeros } = require('../../dist/ops/creation');
const { grads } = require('../../dist/autograd/gradients');
const { deserialize, serializeKerasObject } = require('../../dist/serialization');
const { memory } = require('../../dist/tensor/scope');
const { close, numericGrad, values, dot } = require('./helpers');

const A = values(6, 51);
const B = values(6, 52);
const C = values(6, 53);

const ELEMENTWISE = {
  add: (xs) => xs[0].map((_, i) => xs.reduce((s, x) => s + x[i], 0)),
  subtract: (xs) => xs[0].map((v, i) => v - xs[1][i]),
  multiply: (xs) => xs[0].map((_, i) => xs.reduce((s, x) => s * x[i], 1)),
  average: (xs) => xs[0].map((_, i) => xs.reduce((s, x) => s + x[i], 0) / xs.length),
  maximum: (xs) => xs[0].map((_, i) => Math.max(...xs.map((x) => x[i]))),
  minimum: (xs) => xs[0].map((_, i) => Math.min(...xs.map((x) => x[i]))),
};

for (const [name, ref] of Object.entries(ELEMENTWISE)) {
  const inputs = name === 'subtract' ? [A, B] : [A, B, C];
  test(`${name}: values and gradients for ${inputs.length} inputs`, (t) => {
    const layer = layers[name]();
    const xs = inputs.map((v) => tensor(v, [2, 3]));
    const y = layer.apply(xs);
    t.deepEqual(y.shape, [2, 3]);
    close(t, y.dataSync(), ref(inputs), 1e-6, name);
    t.deepEqual(layer.computeOutputShape(inputs.map(() => [null, 3])), [null, 3]);
    const dy = values(6, 54);
    const gs = grads((...ts) => layer.apply(ts))(xs, tensor(dy, [2, 3]));
    gs.forEach((g, k) => {
      const loss = (v) => dot(ref(inputs.map((x, j) => (j === k ? v : x))), dy);
      close(t, g.dataSync(), numericGrad(loss, inputs[k]), 1e-5, `d${name}/dx${k}`);
    });
  });
}

test('add: a [batch, 1] input broadcasts against [batch, 3]', (t) => {
  const y = layers.add().apply([tensor([[1], [2]]), tensor([[1, 2, 3], [4, 5, 6]])]);
  t.deepEqual(y.arraySync(), [[2, 3, 4], [6, 7, 8]]);
  t.deepEqual(layers.add().computeOutputShape([[null, 1], [null, 3]]), [null, 3]);
});

test('multiply: a lower-rank input gets unit axes after the batch axis, as TF.js', (t) => {
  const layer = layers.multiply();
  t.deepEqual(layer.computeOutputShape([[null, 2], [null, 3, 2]]), [null, 3, 2]);
  const y = layer.apply([tensor([[1, 10]]), tensor([[[1, 2], [3, 4], [5, 6]]])]);
  t.deepEqual(y.arraySync(), [[[1, 20], [3, 40], [5, 60]]]);
  const g = grads((a, b) => layers.multiply().apply([a, b]))([tensor([[1, 10]]), tensor([[[1, 2], [3, 4], [5, 6]]])]);
  t.deepEqual(g[0].arraySync(), [[9, 12]]);
  t.deepEqual(g[0].shape, [1, 2]);
});

test('tf.layers.add([a, b]) applies a new layer directly; symbolic inputs give a symbolic output', (t) => {
  t.deepEqual(layers.add([tensor([1, 2], [1, 2]), tensor([3, 4], [1, 2])]).arraySync(), [[4, 6]]);
  const out = layers.add([input({ shape: [4] }), input({ shape: [4] })]);
  t.deepEqual(out.shape, [null, 4]);
});

test('BAD CALL - elementwise merge of shapes that cannot broadcast names both shapes', (t) => {
  const e = t.throws(() => layers.add({ name: 'bad_add' }).apply([input({ shape: [3] }), input({ shape: [4] })]));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'bad_add (Add): inputs could not be broadcast together ([null,3] and [null,4])');
  const e2 = t.throws(() => layers.maximum({ name: 'bad_max' }).apply([zeros([2, 3]), zeros([2, 5])]));
  t.is(e2.message, 'bad_max (Maximum): inputs could not be broadcast together ([2,3] and [2,5])');
  const e3 = t.throws(() => layers.add({ name: 'bad_batch' }).apply([zeros([2, 3]), zeros([4, 3])]));
  t.is(e3.message, 'bad_batch (Add): inputs have different batch sizes ([2,3] and [4,3])');
});

test('BAD CALL - merge layers with too few or too many inputs', (t) => {
  let e = t.throws(() => layers.add({ name: 'lonely' }).apply(zeros([2, 3])), { instanceOf: TypeError });
  t.is(e.message, "lonely (Add): expected a list of at least 2 tensors for 'inputs' but received 'a single tensor'");
  e = t.throws(() => layers.subtract({ name: 'three' }).apply([zeros([1, 2]), zeros([1, 2]), zeros([1, 2])]), { instanceOf: TypeError });
  t.is(e.message, "three (Subtract): expected a list of exactly 2 tensors for 'inputs' but received '3 tensors'");
});

test('merge masks: the AND of the inputs masks', (t) => {
  const a = tensor([[[1], [2], [3]]]);
  const b = tensor([[[1], [2], [3]]]);
  a.kerasMask = tensor([[true, true, false]]);
  b.kerasMask = tensor([[true, false, true]]);
  const y = layers.add().apply([a, b]);
  t.deepEqual(Array.from(y.kerasMask.dataSync()), [1, 0, 0]);
});

test('concatenate: values along the last axis and axis 1, gradient splits back', (t) => {
  const a = tensor(A, [2, 3]);
  const b = tensor(B.slice(0, 4), [2, 2]);
  const y = layers.concatenate().apply([a, b]);
  t.deepEqual(y.shape, [2, 5]);
  t.deepEqual(y.arraySync(), [[...a.arraySync()[0], ...b.arraySync()[0]], [...a.arraySync()[1], ...b.arraySync()[1]]]);
  const y1 = layers.concatenate({ axis: 1 }).apply([tensor(A, [1, 2, 3]), tensor(B, [1, 2, 3])]);
  t.deepEqual(y1.shape, [1, 4, 3]);
  t.deepEqual(layers.concatenate({ axis: 1 }).computeOutputShape([[null, 2, 3], [null, null, 3]]), [null, null, 3]);
  const dy = values(10, 55);
  const [ga, gb] = grads((p, q) => layers.concatenate().apply([p, q]))([a, b], tensor(dy, [2, 5]));
  close(t, ga.dataSync(), [dy[0], dy[1], dy[2], dy[5], dy[6], dy[7]], 1e-7);
  close(t, gb.dataSync(), [dy[3], dy[4], dy[8], dy[9]], 1e-7);
  t.is(layers.concatenate({ axis: 1 }).getConfig().axis, 1);
});

test('BAD CALL - concatenate of shapes that differ off the axis names both shapes', (t) => {
  const e = t.throws(() => layers.concatenate({ name: 'bad_cat' }).apply([input({ shape: [2, 3] }), input({ shape: [4, 5] })]));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'bad_cat (Concatenate): inputs must match on every axis but the concatenation axis -1 ([null,2,3] and [null,4,5])');
});

test('concatenate masks: missing masks count as true, reduced over the last axis', (t) => {
  const a = tensor(values(6, 1), [1, 3, 2]);
  const b = tensor(values(6, 2), [1, 3, 2]);
  a.kerasMask = tensor([[true, false, true]]);
  const y = layers.concatenate({ axis: 1 }).apply([a, b]);
  t.deepEqual(Array.from(y.kerasMask.dataSync()), [1, 0, 1, 1, 1, 1]);
});

/** float64 batch dot of [b, k] rows: one value per sample. */
function rowDots(x, y, b, k, normalize) {
  const out = [];
  for (let i = 0; i < b; i++) {
    const u = x.slice(i * k, (i + 1) * k);
    const v = y.slice(i * k, (i + 1) * k);
    const s = dot(u, v);
    out.push(normalize ? s / Math.sqrt(dot(u, u) * dot(v, v)) : s);
  }
  return out;
}

test('dot: rank-2 inputs give [batch, 1]; normalize gives cosine similarity; gradients', (t) => {
  for (const normalize of [false, true]) {
    const layer = layers.dot({ axes: -1, normalize });
    const a = tensor(A, [2, 3]);
    const b = tensor(B, [2, 3]);
    const y = layer.apply([a, b]);
    t.deepEqual(y.shape, [2, 1]);
    close(t, y.dataSync(), rowDots(A, B, 2, 3, normalize), 1e-5);
    t.deepEqual(layer.computeOutputShape([[null, 3], [null, 3]]), [null, 1]);
    const dy = [0.7, -1.3];
    const [ga, gb] = grads((p, q) => layers.dot({ axes: 1, normalize }).apply([p, q]))([a, b], tensor(dy, [2, 1]));
    close(t, ga.dataSync(), numericGrad((v) => dot(rowDots(v, B, 2, 3, normalize), dy), A), 1e-4);
    close(t, gb.dataSync(), numericGrad((v) => dot(rowDots(A, v, 2, 3, normalize), dy), B), 1e-4);
  }
});

/** float64 out[b][i][j] = sum_k x[b][k][i] y[b][k][j] for x [n, K, I], y [n, K, J]. */
function contractFirst(xv, yv, n, K, I, J) {
  const out = [];
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < I; i++) {
      for (let j = 0; j < J; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += xv[b * K * I + k * I + i] * yv[b * K * J + k * J + j];
        out.push(s);
      }
    }
  }
  return out;
}

test('dot: rank-3 inputs contract the given axes as a batched matrix product', (t) => {
  const xv = values(12, 61);
  const yv = values(16, 62);
  const out = layers.dot({ axes: [1, 1] }).apply([tensor(xv, [2, 2, 3]), tensor(yv, [2, 2, 4])]);
  t.deepEqual(out.shape, [2, 3, 4]);
  close(t, out.dataSync(), contractFirst(xv, yv, 2, 2, 3, 4), 1e-6);
  t.deepEqual(layers.dot({ axes: [1, 1] }).computeOutputShape([[null, 2, 3], [null, 2, 4]]), [null, 3, 4]);
  // Rank 3 with rank 2: x [2, 2, 3] · v [2, 3] over axes [2, 1] → [2, 2].
  const vv = [1, 2, 3, -1, 0, 2];
  const mv = layers.dot({ axes: [2, 1] }).apply([tensor(xv, [2, 2, 3]), tensor(vv, [2, 3])]);
  t.deepEqual(mv.shape, [2, 2]);
  const expected = [];
  for (let b = 0; b < 2; b++) for (let i = 0; i < 2; i++) expected.push(dot(xv.slice(b * 6 + i * 3, b * 6 + i * 3 + 3), vv.slice(b * 3, b * 3 + 3)));
  close(t, mv.dataSync(), expected, 1e-6);
});

test('dot: a batch of one sample (batched matMul with batch size 1)', (t) => {
  const xv = values(6, 63);
  const yv = values(8, 64);
  const out = layers.dot({ axes: [1, 1] }).apply([tensor(xv, [1, 2, 3]), tensor(yv, [1, 2, 4])]);
  t.deepEqual(out.shape, [1, 3, 4]);
  close(t, out.dataSync(), contractFirst(xv, yv, 1, 2, 3, 4), 1e-6);
});

test('BAD CALL - dot of axes with different sizes names both shapes', (t) => {
  const e = t.throws(() => layers.dot({ axes: -1, name: 'bad_dot' }).apply([input({ shape: [3] }), input({ shape: [4] })]));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'bad_dot (Dot): the contracted axes differ in size (3 vs 4) ([null,3] and [null,4])');
  t.throws(() => layers.dot({ axes: 'last' }), { instanceOf: TypeError });
});

test('merge layers rebuild from their configs and leave only their output', (t) => {
  const made = [layers.add(), layers.subtract(), layers.multiply(), layers.average(), layers.maximum(), layers.minimum(), layers.concatenate({ axis: -1 }), layers.dot({ axes: [1, 1], normalize: true })];
  const xs = [tensor(A, [2, 3]), tensor(B, [2, 3])];
  const before = memory().numTensors;
  for (const layer of made) {
    const saved = serializeKerasObject(layer);
    const copy = deserialize(saved);
    t.is(copy.constructor, layer.constructor);
    t.deepEqual(copy.getConfig(), saved.config);
    layer.apply(xs).dispose();
  }
  t.is(memory().numTensors, before);
});
