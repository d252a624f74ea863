'use strict';
const test = require('ava');
const la = require('../../dist/ops/linalg');
const { tensor } = require('../../dist/ops/creation');
const { grads } = require('../../dist/autograd/gradients');
const { memory, tidy } = require('../../dist/tensor/scope');
const { gradcheck, close, uniform } = require('./gradcheck');

// ------------------------------------------------------------------ float64 reference

function size(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

/** op(A)·op(B) for flat row-major matrices, in float64. */
function matmulRef(a, aShape, b, bShape, tA = false, tB = false) {
  const [ar, ac] = aShape;
  const [br, bc] = bShape;
  const m = tA ? ac : ar;
  const k = tA ? ar : ac;
  const n = tB ? br : bc;
  const at = (i, p) => (tA ? a[p * ac + i] : a[i * ac + p]);
  const bt = (p, j) => (tB ? b[j * bc + p] : b[p * bc + j]);
  const out = new Array(m * n).fill(0);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) out[i * n + j] += at(i, p) * bt(p, j);
  return out;
}

/** Batched reference with NumPy batch broadcasting. */
function batchedRef(a, aShape, b, bShape, tA, tB) {
  const ba = aShape.slice(0, -2);
  const bb = bShape.slice(0, -2);
  const rank = Math.max(ba.length, bb.length);
  const pa = Array(rank - ba.length).fill(1).concat(ba);
  const pb = Array(rank - bb.length).fill(1).concat(bb);
  const batch = pa.map((d, i) => Math.max(d, pb[i]));
  const ma = aShape.slice(-2);
  const mb = bShape.slice(-2);
  const out = [];
  const idx = new Array(rank).fill(0);
  for (let k = 0; k < size(batch); k++) {
    let r = k;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = r % batch[d];
      r = Math.floor(r / batch[d]);
    }
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      ia = ia * pa[d] + (pa[d] === 1 ? 0 : idx[d]);
      ib = ib * pb[d] + (pb[d] === 1 ? 0 : idx[d]);
    }
    const sa = size(ma);
    const sb = size(mb);
    out.push(...matmulRef(a.slice(ia * sa, (ia + 1) * sa), ma, b.slice(ib * sb, (ib + 1) * sb), mb, tA, tB));
  }
  const m = tA ? ma[1] : ma[0];
  const n = tB ? mb[0] : mb[1];
  return { values: out, shape: [...batch, m, n] };
}

const ACT = {
  linear: (x) => x,
  relu: (x) => Math.max(x, 0),
  relu6: (x) => Math.min(Math.max(x, 0), 6),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  elu: (x) => (x > 0 ? x : Math.expm1(x)),
  selu: (x) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x)),
  leakyrelu: (x) => (x > 0 ? x : 0.1 * x),
};

// ------------------------------------------------------------------ matMul forward

test('matMul: rank 2 with every transpose combination', (t) => {
  const a = uniform(12, -2, 2, 1);
  const b = uniform(20, -2, 2, 2);
  for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
    const aShape = tA ? [4, 3] : [3, 4];
    const bShape = tB ? [5, 4] : [4, 5];
    const y = la.matMul(tensor(a, aShape), tensor(b, bShape), tA, tB);
    t.deepEqual(y.shape, [3, 5]);
    close(t, y.dataSync(), matmulRef(a, aShape, b, bShape, tA, tB), { rtol: 1e-5, atol: 1e-5, label: `${tA} ${tB}` });
  }
  t.deepEqual(tensor([[1, 2], [3, 4]]).matMul(tensor([[5], [6]])).arraySync(), [[17], [39]]);
});

test('matMul: batched, with batch broadcasting and mixed ranks', (t) => {
  const cases = [
    [[2, 3, 4], [2, 4, 5], false, false],
    [[2, 3, 4], [4, 5], false, false],
    [[3, 4], [2, 4, 5], false, false],
    [[1, 3, 4], [2, 4, 5], false, false],
    [[2, 1, 3, 4], [1, 3, 4, 2], false, false],
    [[2, 2, 4, 3], [2, 2, 5, 4], true, true],
    [[3, 2, 4], [3, 5, 4], false, true],
    [[2, 1, 4, 3], [3, 4, 2], true, false],
    [[2, 4, 3], [4, 5], true, false],
    [[2, 2, 3, 4], [5, 4], false, true],
  ];
  for (const [sa, sb, tA, tB] of cases) {
    const a = uniform(size(sa), -1, 1, 3);
    const b = uniform(size(sb), -1, 1, 4);
    const expected = batchedRef(a, sa, b, sb, tA, tB);
    const y = la.matMul(tensor(a, sa), tensor(b, sb), tA, tB);
    const label = `${JSON.stringify(sa)} x ${JSON.stringify(sb)} ${tA} ${tB}`;
    t.deepEqual(y.shape, expected.shape, label);
    close(t, y.dataSync(), expected.values, { rtol: 1e-5, atol: 1e-5, label });
  }
});

test('matMul of int32 tensors is int32', (t) => {
  const y = la.matMul(tensor([[1, 2], [3, 4]], undefined, 'int32'), tensor([[5, 6], [7, 8]], undefined, 'int32'));
  t.is(y.dtype, 'int32');
  t.deepEqual(y.arraySync(), [[19, 22], [43, 50]]);
});

test('dot: vector·vector, matrix·vector, vector·matrix, matrix·matrix', (t) => {
  const s = la.dot([1, 2, 3], [4, 5, 6]);
  t.deepEqual(s.shape, []);
  t.is(s.arraySync(), 32);
  t.deepEqual(la.dot([[1, 2], [3, 4]], [1, 1]).arraySync(), [3, 7]);
  t.deepEqual(la.dot([1, 1], [[1, 2], [3, 4]]).arraySync(), [4, 6]);
  t.deepEqual(la.dot([[1, 2], [3, 4]], [[1, 0], [0, 1]]).arraySync(), [[1, 2], [3, 4]]);
  t.is(tensor([1, 2]).dot(tensor([3, 4])).arraySync(), 11);
});

test('outerProduct', (t) => {
  t.deepEqual(la.outerProduct([1, 2], [3, 4, 5]).arraySync(), [[3, 4, 5], [6, 8, 10]]);
});

// ------------------------------------------------------------------ fused.matMul forward

test('fused.matMul: bias and every activation in one call', (t) => {
  const a = uniform(12, -2, 2, 5);
  const b = uniform(8, -2, 2, 6);
  const A = tensor(a, [6, 2]);
  const B = tensor(b, [4, 2]);
  const biasT = tensor([0.5, -0.25, 1, -1]);
  const pre = matmulRef(a, [6, 2], b, [4, 2], false, true).map((v, i) => v + [0.5, -0.25, 1, -1][i % 4]);
  for (const [name, f] of Object.entries(ACT)) {
    const y = la.fused.matMul({ a: A, b: B, transposeB: true, bias: biasT, activation: name, leakyreluAlpha: 0.1 });
    t.deepEqual(y.shape, [6, 4]);
    close(t, y.dataSync(), pre.map(f), { rtol: 1e-5, atol: 1e-5, label: name });
  }
  // no bias, default activation
  close(t, la.fused.matMul({ a: A, b: B, transposeB: true }).dataSync(), matmulRef(a, [6, 2], b, [4, 2], false, true), { rtol: 1e-5, atol: 1e-5 });
});

test('fused.matMul: batched input, a [M,N] bias (unfused path) and prelu', (t) => {
  const a = uniform(24, -1, 1, 7);
  const b = uniform(12, -1, 1, 8);
  const ref = batchedRef(a, [2, 3, 4], b, [4, 3], false, false);
  const y = la.fused.matMul({ a: tensor(a, [2, 3, 4]), b: tensor(b, [4, 3]), bias: tensor([1, 2, 3]), activation: 'relu' });
  t.deepEqual(y.shape, [2, 3, 3]);
  close(t, y.dataSync(), ref.values.map((v, i) => Math.max(v + [1, 2, 3][i % 3], 0)), { rtol: 1e-5, atol: 1e-5 });
  const full = uniform(9, -1, 1, 9);
  const y2 = la.fused.matMul({ a: tensor(a, [2, 3, 4]), b: tensor(b, [4, 3]), bias: tensor(full, [3, 3]), activation: 'tanh' });
  close(t, y2.dataSync(), ref.values.map((v, i) => Math.tanh(v + full[i % 9])), { rtol: 1e-5, atol: 1e-5 });
  const y3 = la.fused.matMul({ a: tensor(a, [2, 3, 4]), b: tensor(b, [4, 3]), activation: 'prelu', preluActivationWeights: tensor([0.5, 0.1, 0.2]) });
  close(t, y3.dataSync(), ref.values.map((v, i) => (v > 0 ? v : [0.5, 0.1, 0.2][i % 3] * v)), { rtol: 1e-5, atol: 1e-5 });
});

// ------------------------------------------------------------------ gradients

test('matMul gradients match finite differences for every transpose combination', (t) => {
  for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
    const a = tensor(uniform(6, -1, 1, 11), tA ? [3, 2] : [2, 3]);
    const b = tensor(uniform(12, -1, 1, 12), tB ? [4, 3] : [3, 4]);
    gradcheck(t, (x, y) => la.matMul(x, y, tA, tB), [a, b], { label: `matMul ${tA} ${tB}` });
  }
});

test('batched matMul gradients sum over broadcast batch dims', (t) => {
  const cases = [
    [[2, 2, 3], [2, 3, 2], false, false],
    [[2, 2, 3], [3, 2], false, false],
    [[2, 3], [2, 2, 2], true, false],
    [[2, 1, 2, 3], [1, 2, 2, 3], false, true],
    [[2, 3, 2], [3, 2], true, false],
    [[2, 2, 2, 3], [4, 3], false, true],
  ];
  for (const [sa, sb, tA, tB] of cases) {
    gradcheck(t, (x, y) => la.matMul(x, y, tA, tB), [tensor(uniform(size(sa), -1, 1, 13), sa), tensor(uniform(size(sb), -1, 1, 14), sb)], {
      label: `${JSON.stringify(sa)} x ${JSON.stringify(sb)}`,
    });
  }
});

test('fused.matMul gradients (a, b, bias) match finite differences for every activation', (t) => {
  // Points kept away from the kinks of relu / relu6 / leakyrelu.
  const a = tensor([[0.9, -0.4, 0.3], [-0.7, 0.8, 0.5], [0.2, 0.6, -0.9], [1.1, -0.3, 0.4]]);
  const b = tensor([[0.7, -0.5], [0.4, 0.9], [-0.6, 0.3]]);
  const bias = tensor([0.35, -0.45]);
  for (const activation of Object.keys(ACT)) {
    gradcheck(t, (x, w, c) => la.fused.matMul({ a: x, b: w, bias: c, activation, leakyreluAlpha: 0.1 }), [a, b, bias], { label: activation });
  }
  gradcheck(t, (x, w, c) => la.fused.matMul({ a: x, b: w, bias: c, transposeA: true, transposeB: true, activation: 'sigmoid' }),
    [tensor(uniform(8, -1, 1, 15), [2, 4]), tensor(uniform(6, -1, 1, 16), [3, 2]), tensor([0.1, 0.2, 0.3])], { label: 'transposed' });
  gradcheck(t, (x, w, c) => la.fused.matMul({ a: x, b: w, bias: c, activation: 'tanh' }),
    [tensor(uniform(12, -1, 1, 17), [2, 2, 3]), b, bias], { label: 'batched' });
});

test('fused.matMul computes only the gradients asked for', (t) => {
  const a = tensor([[1, 2], [3, 4]]);
  const b = tensor([[0.5, -1], [1, 0.25]]);
  const bias = tensor([0.1, -0.1]);
  const [ga] = grads((x) => la.fused.matMul({ a: x, b, bias, activation: 'relu' }).sum())([a]);
  const [gb] = grads((w) => la.fused.matMul({ a, b: w, bias, activation: 'relu' }).sum())([b]);
  const [gc] = grads((c) => la.fused.matMul({ a, b, bias: c, activation: 'relu' }).sum())([bias]);
  // z = [[2.6, -0.6], [5.6, -2.1]]: the second column is cut by relu.
  close(t, ga.dataSync(), [0.5, 1, 0.5, 1]);
  close(t, gb.dataSync(), [4, 0, 6, 0]);
  close(t, gc.dataSync(), [2, 0]);
});

test('dot and outerProduct gradients match finite differences', (t) => {
  gradcheck(t, (x, y) => la.dot(x, y), [tensor([1, -2, 3]), tensor([0.5, 0.25, -1])], { label: 'dot 1x1' });
  gradcheck(t, (x, y) => la.dot(x, y), [tensor([[1, -2, 3], [0.5, 2, 1]]), tensor([0.5, 0.25, -1])], { label: 'dot 2x1' });
  gradcheck(t, (x, y) => la.dot(x, y), [tensor([1, -2]), tensor([[1, -2, 3], [0.5, 2, 1]])], { label: 'dot 1x2' });
  gradcheck(t, (x, y) => la.outerProduct(x, y), [tensor([1, -2]), tensor([0.5, 0.25, -1])], { label: 'outerProduct' });
});

// ------------------------------------------------------------------ errors and memory

test('BAD CALL – inner dimensions that do not match print both shapes', (t) => {
  const e = t.throws(() => la.matMul(tensor(uniform(6), [2, 3]), tensor(uniform(8), [4, 2])));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'matMul: inner dimensions must match (transposeA=false, transposeB=false) ([2,3] and [4,2]): 3 vs 4');
  const b = t.throws(() => la.matMul(tensor(uniform(12), [2, 2, 3]), tensor(uniform(18), [3, 3, 2])));
  t.regex(b.message, /batch dimensions could not be broadcast together \(\[2,2,3\] and \[3,3,2\]\)/);
  t.throws(() => la.matMul(tensor([1, 2]), tensor([[1], [2]])), { message: /matMul: both operands must have rank >= 2 \(\[2\] and \[2,1\]\)/ });
  t.throws(() => la.dot([1, 2, 3], [1, 2]), { message: 'dot: inner dimensions must match ([3] and [2]): 3 vs 2' });
  t.throws(() => la.outerProduct([[1]], [1]), { message: /outerProduct: both operands must have rank 1/ });
  const f = t.throws(() => la.fused.matMul({ a: tensor(uniform(6), [2, 3]), b: tensor(uniform(6), [3, 2]), activation: 'swishy' }));
  t.is(f.code, 'ERR_UNKNOWN_NAME');
  t.regex(f.message, /^fused\.matMul: unknown activation 'swishy'; known: linear, relu/);
  t.throws(() => la.matMul(tensor([[1]]), tensor([[1]]), 'yes'), { instanceOf: TypeError, message: "matMul: expected a boolean for 'transposeA' but received 'yes'" });
});

test('BAD CALL – disposed input', (t) => {
  const a = tensor([[1, 2]]);
  a.dispose();
  t.is(t.throws(() => la.matMul(a, tensor([[1], [2]]))).code, 'ERR_TENSOR_DISPOSED');
  t.is(t.throws(() => la.fused.matMul({ a, b: tensor([[1], [2]]) })).code, 'ERR_TENSOR_DISPOSED');
});

test('inside tidy, fused.matMul forward + backward leaves no tensor behind', (t) => {
  const x = tensor(uniform(32 * 20, -1, 1, 3), [32, 20]);
  const w = tensor(uniform(20 * 10, -1, 1, 4), [20, 10]);
  const bias = tensor(uniform(10, -1, 1, 5));
  const before = memory().numTensors;
  for (const activation of ['relu', 'linear', 'sigmoid']) {
    tidy(() => {
      const [gx, gw, gb] = grads((a, b, c) => la.fused.matMul({ a, b, bias: c, activation }).square().mean())([x, w, bias]);
      t.deepEqual(gw.shape, [20, 10]);
      t.deepEqual(gb.shape, [10]);
      t.deepEqual(gx.shape, [32, 20]);
    });
    t.is(memory().numTensors, before, activation);
  }
  // Outside tidy too, only the outputs remain.
  const y = la.fused.matMul({ a: x, b: w, bias: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], activation: 'relu' });
  const z = la.matMul(x, w);
  t.is(memory().numTensors, before + 2);
  t.deepEqual([y.shape, z.shape], [[32, 10], [32, 10]]);
});
