'use strict';
const test = require('ava');
const ew = require('../../dist/ops/elementwise');
const { tensor, scalar } = require('../../dist/ops/creation');
const { sum } = require('../../dist/ops/reduce');
const { grad } = require('../../dist/autograd/gradients');
const { tidy, memory } = require('../../dist/tensor/scope');
const { gradcheck, close, uniform } = require('./gradcheck');

// ------------------------------------------------------------------ float64 references

function size(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

/** NumPy broadcasting of flat row-major arrays, in float64. */
function broadcastRef(fn, a, aShape, b, bShape) {
  const rank = Math.max(aShape.length, bShape.length);
  const pa = Array(rank - aShape.length).fill(1).concat(aShape);
  const pb = Array(rank - bShape.length).fill(1).concat(bShape);
  const out = pa.map((d, i) => Math.max(d, pb[i]));
  const n = size(out);
  const res = new Array(n);
  const idx = new Array(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let r = k;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = r % out[d];
      r = Math.floor(r / out[d]);
    }
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      ia = ia * pa[d] + (pa[d] === 1 ? 0 : idx[d]);
      ib = ib * pb[d] + (pb[d] === 1 ? 0 : idx[d]);
    }
    res[k] = fn(a[ia], b[ib]);
  }
  return { values: res, shape: out };
}

const pyMod = (a, b) => a - Math.floor(a / b) * b;

const BINARY = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  floorDiv: (a, b) => Math.floor(a / b),
  divNoNan: (a, b) => (b === 0 ? 0 : a / b),
  mod: pyMod,
  pow: (a, b) => Math.pow(a, b),
  maximum: Math.max,
  minimum: Math.min,
  squaredDifference: (a, b) => (a - b) ** 2,
  atan2: Math.atan2,
};

const SHAPE_PAIRS = [
  [[2, 3], [2, 3]],
  [[2, 3], [3]],
  [[3], [2, 3]],
  [[2, 1, 3], [4, 1]],
  [[], [2, 2]],
  [[2, 2], []],
  [[1], [3, 1, 2]],
];

// ------------------------------------------------------------------ binary forward

for (const [name, ref] of Object.entries(BINARY)) {
  test(`${name}: forward with broadcasting against a float64 reference`, (t) => {
    for (const [sa, sb] of SHAPE_PAIRS) {
      // pow needs a positive base; the divisions a divisor away from 0.
      const a = uniform(size(sa), name === 'pow' ? 0.5 : -3, 3, 11);
      const b = uniform(size(sb), name === 'pow' ? -2 : 0.5, 2.5, 29).map((v, i) => (name === 'pow' || i % 2 ? v : -v));
      const expected = broadcastRef(ref, a, sa, b, sb);
      const y = ew[name](tensor(a, sa), tensor(b, sb));
      t.deepEqual(y.shape, expected.shape, `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)} shape`);
      t.is(y.dtype, 'float32');
      close(t, y.dataSync(), expected.values, { rtol: 2e-5, atol: 2e-6, label: `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}` });
    }
  });
}

test('divNoNan gives 0 where the divisor is 0', (t) => {
  t.deepEqual(Array.from(ew.divNoNan([1, 2, 0], [0, 4, 0]).dataSync()), [0, 0.5, 0]);
});

test('numbers and plain arrays are accepted as operands', (t) => {
  const x = tensor([1, 2, 3]);
  t.deepEqual(ew.add(x, 10).arraySync(), [11, 12, 13]);
  t.deepEqual(ew.sub(10, x).arraySync(), [9, 8, 7]);
  t.deepEqual(ew.mul([[1], [2]], [3, 4]).arraySync(), [[3, 4], [6, 8]]);
  t.is(ew.add(2, 3).arraySync(), 5);
});

// ------------------------------------------------------------------ dtypes

test('int32 arithmetic stays int32; mixing with float32 upcasts', (t) => {
  const a = tensor([7, -7, 5], undefined, 'int32');
  const b = tensor([2, 2, -3], undefined, 'int32');
  const s = ew.add(a, b);
  t.is(s.dtype, 'int32');
  t.deepEqual(Array.from(s.dataSync()), [9, -5, 2]);
  t.deepEqual(Array.from(ew.mul(a, b).dataSync()), [14, -14, -15]);
  t.deepEqual(Array.from(ew.mod(a, b).dataSync()), [1, 1, -1]);
  t.deepEqual(Array.from(ew.floorDiv(a, b).dataSync()), [3, -4, -2]);
  t.deepEqual(Array.from(ew.maximum(a, b).dataSync()), [7, 2, 5]);
  const p = ew.pow(tensor([2, 3], undefined, 'int32'), tensor([3, 2], undefined, 'int32'));
  t.is(p.dtype, 'int32');
  t.deepEqual(Array.from(p.dataSync()), [8, 9]);
  const f = ew.add(a, tensor([0.5, 0.5, 0.5]));
  t.is(f.dtype, 'float32');
  t.deepEqual(Array.from(f.dataSync()), [7.5, -6.5, 5.5]);
});

test('div of two int32 tensors is a floor division (TF.js); with a number it is a float division', (t) => {
  const a = tensor([7, -7], undefined, 'int32');
  const q = ew.div(a, tensor([2, 2], undefined, 'int32'));
  t.is(q.dtype, 'int32');
  t.deepEqual(Array.from(q.dataSync()), [3, -4]);
  // A number converts as float32, as in TF.js: 7 / 2 = 3.5.
  const r = ew.div(a, 2);
  t.is(r.dtype, 'float32');
  t.deepEqual(Array.from(r.dataSync()), [3.5, -3.5]);
});

test('bool operands compute arithmetic in int32', (t) => {
  const y = ew.add(tensor([true, false]), tensor([true, true]));
  t.is(y.dtype, 'int32');
  t.deepEqual(Array.from(y.dataSync()), [2, 1]);
});

// ------------------------------------------------------------------ comparisons, logical, where

test('comparisons return bool with broadcasting', (t) => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);
  const cases = {
    equal: (x, y) => x === y,
    notEqual: (x, y) => x !== y,
    less: (x, y) => x < y,
    lessEqual: (x, y) => x <= y,
    greater: (x, y) => x > y,
    greaterEqual: (x, y) => x >= y,
  };
  for (const [name, ref] of Object.entries(cases)) {
    const y = ew[name](a, [2, 2, 6]);
    t.is(y.dtype, 'bool', name);
    const expected = broadcastRef((x, z) => (ref(x, z) ? 1 : 0), [1, 2, 3, 4, 5, 6], [2, 3], [2, 2, 6], [3]);
    t.deepEqual(Array.from(y.dataSync()), expected.values, name);
  }
  t.deepEqual(Array.from(ew.equal(tensor([1, 2], undefined, 'int32'), tensor([1, 3], undefined, 'int32')).dataSync()), [1, 0]);
  t.deepEqual(Array.from(ew.equal(tensor([true, false]), tensor([true, true])).dataSync()), [1, 0]);
});

test('logical ops on bool tensors', (t) => {
  const a = tensor([true, true, false, false]);
  const b = tensor([true, false, true, false]);
  t.deepEqual(Array.from(ew.logicalAnd(a, b).dataSync()), [1, 0, 0, 0]);
  t.deepEqual(Array.from(ew.logicalOr(a, b).dataSync()), [1, 1, 1, 0]);
  t.deepEqual(Array.from(ew.logicalXor(a, b).dataSync()), [0, 1, 1, 0]);
  t.deepEqual(Array.from(ew.logicalNot(a).dataSync()), [0, 0, 1, 1]);
  t.is(ew.logicalAnd(a, b).dtype, 'bool');
  // broadcasting and plain arrays
  t.deepEqual(ew.logicalAnd([[true], [false]], [true, false]).arraySync(), [[1, 0], [0, 0]]);
});

test('where picks from a or b with the three shapes broadcast', (t) => {
  const y = ew.where(tensor([[true], [false]]), tensor([1, 2, 3]), tensor([[10, 20, 30], [40, 50, 60]]));
  t.deepEqual(y.arraySync(), [[1, 2, 3], [40, 50, 60]]);
  t.deepEqual(tensor([1, 2]).where(tensor([false, true]), 9).arraySync(), [9, 2]);
  const i = ew.where([true, false], tensor([1, 2], undefined, 'int32'), tensor([3, 4], undefined, 'int32'));
  t.is(i.dtype, 'int32');
});

test('cast and its method aliases', (t) => {
  const x = tensor([1.7, -1.7, 0]);
  const i = ew.cast(x, 'int32');
  t.is(i.dtype, 'int32');
  t.deepEqual(Array.from(i.dataSync()), [1, -1, 0]);
  t.deepEqual(Array.from(x.toBool().dataSync()), [1, 1, 0]);
  t.is(x.toInt().dtype, 'int32');
  t.is(i.toFloat().dtype, 'float32');
  t.is(x.asType('bool').dtype, 'bool');
  const same = x.cast('float32');
  t.not(same, x);
  t.deepEqual(Array.from(same.dataSync()), Array.from(x.dataSync()));
});

// ------------------------------------------------------------------ unary forward

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

function erfRef(x) {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7).
  const s = Math.sign(x);
  const a = Math.abs(x);
  const k = 1 / (1 + 0.3275911 * a);
  const y = 1 - (((((1.061405429 * k - 1.453152027) * k) + 1.421413741) * k - 0.284496736) * k + 0.254829592) * k * Math.exp(-a * a);
  return s * y;
}

const UNARY = {
  neg: [(x) => -x],
  abs: [Math.abs],
  sign: [Math.sign],
  square: [(x) => x * x],
  exp: [Math.exp],
  expm1: [Math.expm1],
  log: [Math.log, 0.1, 5],
  log1p: [Math.log1p, -0.5, 5],
  sqrt: [Math.sqrt, 0, 5],
  rsqrt: [(x) => 1 / Math.sqrt(x), 0.1, 5],
  reciprocal: [(x) => 1 / x, 0.5, 3],
  sin: [Math.sin],
  cos: [Math.cos],
  tan: [Math.tan, -1.2, 1.2],
  asin: [Math.asin, -0.95, 0.95],
  acos: [Math.acos, -0.95, 0.95],
  atan: [Math.atan],
  sinh: [Math.sinh],
  cosh: [Math.cosh],
  tanh: [Math.tanh],
  sigmoid: [(x) => 1 / (1 + Math.exp(-x))],
  logSigmoid: [(x) => -Math.log1p(Math.exp(-x))],
  softplus: [(x) => Math.log1p(Math.exp(x))],
  softsign: [(x) => x / (1 + Math.abs(x))],
  relu: [(x) => Math.max(x, 0)],
  relu6: [(x) => Math.min(Math.max(x, 0), 6), -3, 9],
  elu: [(x) => (x > 0 ? x : Math.expm1(x))],
  selu: [(x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x))],
  leakyRelu: [(x) => (x > 0 ? x : 0.2 * x)],
  erf: [erfRef],
  floor: [Math.floor],
  ceil: [Math.ceil],
  step: [(x) => (x > 0 ? 1 : 0)],
};

for (const [name, [ref, lo = -3, hi = 3]] of Object.entries(UNARY)) {
  test(`${name}: forward against a float64 reference, as function and method`, (t) => {
    const values = uniform(24, lo, hi, name.length * 7 + 3);
    const x = tensor(values, [2, 3, 4]);
    const y = ew[name](x);
    t.deepEqual(y.shape, [2, 3, 4]);
    t.is(y.dtype, 'float32');
    close(t, y.dataSync(), values.map(ref), { rtol: 2e-5, atol: 2e-6, label: name });
    close(t, x[name]().dataSync(), values.map(ref), { rtol: 2e-5, atol: 2e-6, label: `${name} method` });
  });
}

test('round is half to even', (t) => {
  t.deepEqual(Array.from(ew.round([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6]).dataSync()), [0, 2, 2, -0, -2, 2, 3]);
});

test('leakyRelu, step and clipByValue take their parameters', (t) => {
  close(t, ew.leakyRelu([-2, 3], 0.1).dataSync(), [-0.2, 3]);
  t.deepEqual(Array.from(ew.step([-2, 0, 3], 0.5).dataSync()), [0.5, 0.5, 1]);
  close(t, ew.clipByValue([-5, 0.5, 5], 0, 1).dataSync(), [0, 0.5, 1]);
  t.deepEqual(Array.from(tensor([-1, 9]).clipByValue(0, 6).dataSync()), [0, 6]);
});

test('prelu broadcasts alpha', (t) => {
  const y = ew.prelu(tensor([[-2, 2], [-4, 4]]), tensor([0.5, 0.25]));
  t.deepEqual(y.arraySync(), [[-1, 2], [-2, 4]]);
});

test('isNaN returns bool', (t) => {
  const y = ew.isNaN([NaN, 1, Infinity]);
  t.is(y.dtype, 'bool');
  t.deepEqual(Array.from(y.dataSync()), [1, 0, 0]);
});

test('int32 inputs: neg/abs/sign/square stay int32, float functions compute in float32', (t) => {
  const x = tensor([-3, 0, 2], undefined, 'int32');
  for (const [name, expected] of [['neg', [3, 0, -2]], ['abs', [3, 0, 2]], ['sign', [-1, 0, 1]], ['square', [9, 0, 4]]]) {
    const y = ew[name](x);
    t.is(y.dtype, 'int32', name);
    t.deepEqual(Array.from(y.dataSync()), expected, name);
  }
  const e = ew.exp(x);
  t.is(e.dtype, 'float32');
  close(t, e.dataSync(), [Math.exp(-3), 1, Math.exp(2)]);
});

test('addN sums tensors of one shape', (t) => {
  const y = ew.addN([tensor([1, 2]), tensor([10, 20]), [100, 200]]);
  t.deepEqual(Array.from(y.dataSync()), [111, 222]);
  t.deepEqual(Array.from(ew.addN([tensor([1, 2])]).dataSync()), [1, 2]);
});

test('chained methods', (t) => {
  const y = tensor([-1, 2, 3]).add(tensor([1, 1, 1])).mul(2).relu().sub(1);
  t.deepEqual(Array.from(y.dataSync()), [-1, 5, 7]);
  t.deepEqual(Array.from(tensor([4, 9]).sqrt().reciprocal().dataSync()), [0.5, 1 / 3].map(Math.fround));
});

// ------------------------------------------------------------------ gradients

const GRAD_SHAPES = [
  [[2, 3], [2, 3]],
  [[2, 3], [3]],
  [[2, 1], [1, 3]],
  [[], [2, 2]],
];

for (const name of Object.keys(BINARY)) {
  if (name === 'floorDiv') continue;
  test(`${name}: gradients of both operands (with broadcasting) match finite differences`, (t) => {
    for (const [sa, sb] of GRAD_SHAPES) {
      let a = uniform(size(sa), -2, 2, 3);
      let b = uniform(size(sb), -2, 2, 5);
      if (name === 'pow') a = a.map((v) => Math.abs(v) + 0.5);
      if (name === 'div' || name === 'divNoNan' || name === 'mod') b = b.map((v) => (v < 0 ? v - 0.5 : v + 0.5));
      if (name === 'mod') a = a.map((v, i) => 0.37 + 0.6 * i); // away from the jumps of mod
      if (name === 'maximum' || name === 'minimum') b = b.map((v) => v + 0.05); // no ties
      gradcheck(t, (x, y) => ew[name](x, y), [tensor(a, sa), tensor(b, sb)], { label: `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}` });
    }
  });
}

const UNARY_GRAD = {
  neg: [], abs: [], square: [], exp: [], expm1: [], log: [0.5, 3], log1p: [-0.5, 3], sqrt: [0.5, 3], rsqrt: [0.5, 3],
  reciprocal: [0.5, 3], sin: [], cos: [], tan: [-1, 1], asin: [-0.8, 0.8], acos: [-0.8, 0.8], atan: [], sinh: [], cosh: [],
  tanh: [], sigmoid: [], logSigmoid: [], softplus: [], softsign: [], relu: [], relu6: [-3, 9], elu: [], selu: [], leakyRelu: [], erf: [],
};

for (const [name, [lo = -2, hi = 2]] of Object.entries(UNARY_GRAD)) {
  test(`${name}: gradient matches finite differences`, (t) => {
    // Keep points off the kinks (0 for relu/abs, 6 for relu6) by more than eps.
    const values = uniform(12, lo, hi, 17).map((v) => (Math.abs(v) < 0.05 ? v + 0.1 : Math.abs(v - 6) < 0.05 ? v + 0.1 : v));
    gradcheck(t, (x) => ew[name](x), [tensor(values, [3, 4])], { label: name });
  });
}

test('clipByValue, leakyRelu(alpha) and prelu gradients match finite differences', (t) => {
  const x = tensor([-1.5, -0.3, 0.2, 0.7, 1.4, 2.2]);
  gradcheck(t, (v) => ew.clipByValue(v, -0.5, 1), [x], { label: 'clipByValue' });
  gradcheck(t, (v) => ew.leakyRelu(v, 0.3), [x], { label: 'leakyRelu' });
  gradcheck(t, (v, a) => ew.prelu(v, a), [tensor([[-1.5, 0.3, -0.2], [0.7, -1.4, 2.2]]), tensor([0.1, 0.2, 0.3])], { label: 'prelu' });
});

test('where, cast and addN pass gradients through', (t) => {
  const c = tensor([[true, false, true], [false, true, false]]);
  gradcheck(t, (a, b) => ew.where(c, a, b), [tensor([1, 2, 3]), tensor([[4, 5, 6], [7, 8, 9]])], { label: 'where' });
  gradcheck(t, (a) => ew.cast(ew.mul(a, a), 'float32'), [tensor([1, -2, 3])], { label: 'cast' });
  gradcheck(t, (a, b) => ew.addN([a, b, a]), [tensor([1, 2]), tensor([3, 4])], { label: 'addN' });
});

test('comparisons, sign, round, floor, ceil, step and floorDiv pass no gradient (zeros, as TF.js)', (t) => {
  const x = tensor([0.3, 1.7]);
  for (const f of [(v) => ew.sign(v), (v) => ew.round(v), (v) => ew.floor(v), (v) => ew.ceil(v), (v) => ew.step(v), (v) => ew.floorDiv(v, 2)]) {
    t.deepEqual(Array.from(grad(f)(x).dataSync()), [0, 0]);
  }
  const g = grad((v) => ew.add(v, ew.cast(ew.greater(v, 1), 'float32')))(x);
  t.deepEqual(Array.from(g.dataSync()), [1, 1]);
});

test('the gradient of mul through chained methods', (t) => {
  const g = grad((x) => x.mul(x).add(x).sum())(tensor([1, 2, 3]));
  t.deepEqual(Array.from(g.dataSync()), [3, 5, 7]);
});

// ------------------------------------------------------------------ errors

test('BAD CALL – incompatible broadcast shapes name both shapes', (t) => {
  const e = t.throws(() => ew.add(tensor([[1, 2, 3], [4, 5, 6]]), tensor([1, 2])));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.regex(e.message, /^add: operands could not be broadcast together \(\[2,3\] and \[2\]\)/);
  const w = t.throws(() => ew.where([true, false, true], [1, 2], [1, 2]));
  t.is(w.code, 'ERR_SHAPE_MISMATCH');
  t.regex(w.message, /\[3\] and \[2\]/);
});

test('BAD CALL – logicalAnd with a float tensor', (t) => {
  const e = t.throws(() => ew.logicalAnd(tensor([1, 0]), tensor([true, false])), { instanceOf: TypeError });
  t.is(e.code, 'ERR_INVALID_ARG_TYPE');
  t.is(e.message, "logicalAnd: expected a bool tensor for 'a' but received a float32 tensor of shape [2]");
  t.throws(() => ew.logicalNot(tensor([1], undefined, 'int32')), { instanceOf: TypeError, message: /logicalNot: expected a bool tensor for 'x'/ });
  t.throws(() => ew.where(tensor([1, 0]), 1, 2), { instanceOf: TypeError, message: /where: expected a bool tensor for 'condition'/ });
});

test('BAD CALL – disposed inputs', (t) => {
  const x = tensor([1, 2]);
  x.dispose();
  const e = t.throws(() => ew.add(x, 1));
  t.is(e.code, 'ERR_TENSOR_DISPOSED');
  t.regex(e.message, /^add: tensor \d+ .* is disposed/);
  t.is(t.throws(() => ew.relu(x)).code, 'ERR_TENSOR_DISPOSED');
  t.is(t.throws(() => x.exp()).code, 'ERR_TENSOR_DISPOSED');
});

test('BAD CALL – wrong argument types and values', (t) => {
  const e = t.throws(() => ew.add(tensor([1]), 'x'), { instanceOf: TypeError });
  t.is(e.message, "add: expected a Tensor, number, boolean, array or typed array for 'b' but received 'x'");
  const c = t.throws(() => ew.cast(tensor([1]), 'float64'), { instanceOf: TypeError });
  t.is(c.message, "cast: expected one of 'float32', 'int32', 'bool' for 'dtype' but received 'float64'");
  const r = t.throws(() => ew.clipByValue(tensor([1]), 2, 1), { instanceOf: RangeError });
  t.is(r.code, 'ERR_OUT_OF_RANGE');
  t.is(r.message, "clipByValue: expected a number >= clipValueMin (2) for 'clipValueMax' but received 1 of type number");
  const n = t.throws(() => ew.addN([tensor([1, 2]), tensor([1, 2, 3])]));
  t.is(n.code, 'ERR_SHAPE_MISMATCH');
  t.regex(n.message, /\[2\] and \[3\]/);
  t.throws(() => ew.addN([]), { instanceOf: TypeError, message: /addN: expected a non-empty array of tensors for 'tensors'/ });
});

// ------------------------------------------------------------------ memory

test('ops with converted operands leave only their result alive', (t) => {
  const x = tensor([1, 2, 3]);
  const i = tensor([1, 2, 3], undefined, 'int32');
  const before = memory().numTensors;
  const ys = [ew.add(x, 1), ew.mul([1, 2, 3], 2), ew.exp(i), ew.logSigmoid([0]), ew.prelu([-1, 1], 0.5), ew.logicalXor([true], [false]), ew.div(i, 2), ew.add(i, x)];
  t.is(memory().numTensors, before + ys.length);
  const s = tidy(() => ew.add(ew.mul(x, 2), ew.exp(x)).sum());
  t.is(memory().numTensors, before + ys.length + 1);
  t.is(s.shape.length, 0);
});

test('inside tidy, a forward + backward leaves nothing behind', (t) => {
  const x = tensor([[1, -2, 3], [4, 5, -6]]);
  const b = tensor([0.5, -0.5, 1]);
  const before = memory().numTensors;
  tidy(() => {
    grad((v) => sum(ew.mul(ew.tanh(ew.add(v, b)), ew.sigmoid(v))))(x);
  });
  t.is(memory().numTensors, before);
});
