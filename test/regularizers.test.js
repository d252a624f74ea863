// Regularizers and constraints: values against hand computations, the
// penalty's gradient against finite differences, configs and name lookup.
const test = require('ava');
const { regularizers, getRegularizer, serializeRegularizer, L1L2 } = require('../dist/regularizers');
const { constraints, getConstraint, serializeConstraint, MaxNorm } = require('../dist/constraints');
const { tensor } = require('../dist/ops/creation');
const { grad } = require('../dist/autograd/gradients');
const { memory } = require('../dist/tensor/scope');

const W = [[1.5, -2.0, 0.25], [-0.5, 3.0, -1.0]];
const flat = W.flat();

function near(t, actual, expected, tol = 1e-6) {
  t.true(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${actual} vs ${expected}`);
}

test('l1, l2 and l1l2 penalties', (t) => {
  const sumAbs = flat.reduce((a, v) => a + Math.abs(v), 0);
  const sumSq = flat.reduce((a, v) => a + v * v, 0);
  near(t, regularizers.l1({ l1: 0.1 }).apply(tensor(W)).dataSync()[0], 0.1 * sumAbs);
  near(t, regularizers.l2({ l2: 0.2 }).apply(tensor(W)).dataSync()[0], 0.2 * sumSq);
  near(t, regularizers.l1l2({ l1: 0.1, l2: 0.2 }).apply(tensor(W)).dataSync()[0], 0.1 * sumAbs + 0.2 * sumSq);
  near(t, regularizers.l1l2().apply(tensor(W)).dataSync()[0], 0.01 * sumAbs + 0.01 * sumSq);
  const zero = regularizers.l1l2({ l1: 0, l2: 0 }).apply(tensor(W));
  t.deepEqual(zero.shape, []);
  t.is(zero.dataSync()[0], 0);
});

test('l1l2: gradient matches central differences', (t) => {
  const r = regularizers.l1l2({ l1: 0.1, l2: 0.2 });
  const dw = grad((w) => r.apply(w))(tensor(W)).dataSync();
  const penalty = (v) => v.reduce((a, x) => a + 0.1 * Math.abs(x) + 0.2 * x * x, 0);
  const h = 1e-6;
  flat.forEach((_, i) => {
    const plus = flat.slice();
    const minus = flat.slice();
    plus[i] += h;
    minus[i] -= h;
    near(t, dw[i], (penalty(plus) - penalty(minus)) / (2 * h), 1e-5);
  });
});

test('regularizer configs and lookup', (t) => {
  t.deepEqual(serializeRegularizer(regularizers.l2({ l2: 0.5 })), { className: 'L1L2', config: { l1: 0, l2: 0.5 } });
  t.deepEqual(getRegularizer({ className: 'L1L2', config: { l1: 0.3, l2: 0 } }).getConfig(), { l1: 0.3, l2: 0 });
  t.deepEqual(getRegularizer('l1l2').getConfig(), { l1: 0.01, l2: 0.01 });
  t.deepEqual(getRegularizer('l1_l2').getConfig(), { l1: 0.01, l2: 0.01 });
  // Keras 3 saves L1 and L2 as classes of their own.
  t.deepEqual(getRegularizer({ className: 'L1', config: { l1: 0.2 } }).getConfig(), { l1: 0.2, l2: 0 });
  t.deepEqual(getRegularizer({ className: 'L2', config: { l2: 0.2 } }).getConfig(), { l1: 0, l2: 0.2 });
  const r = new L1L2();
  t.is(getRegularizer(r), r);
});

test('BAD CALL - regularizers with a negative factor or an unknown name', (t) => {
  let e = t.throws(() => regularizers.l1({ l1: -1 }), { instanceOf: RangeError });
  t.is(e.message, "regularizers.l1l2: expected a number >= 0 for 'l1' but received -1 of type number");
  e = t.throws(() => getRegularizer('l3'));
  t.is(e.code, 'ERR_UNKNOWN_NAME');
  t.is(e.message, "getRegularizer: unknown regularizer 'l3'; known: l1, l2, l1l2, L1L2");
});

// Column norms of W (axis 0): sqrt(1.5²+0.5²), sqrt(4+9), sqrt(1/16+1).
const colNorms = [0, 1, 2].map((j) => Math.hypot(W[0][j], W[1][j]));

test('maxNorm: columns longer than maxValue are scaled down to it, shorter ones kept', (t) => {
  const out = constraints.maxNorm({ maxValue: 2 }).apply(tensor(W)).arraySync();
  for (let j = 0; j < 3; j++) {
    const scale = Math.min(colNorms[j], 2) / (colNorms[j] + 1e-7);
    for (let i = 0; i < 2; i++) near(t, out[i][j], W[i][j] * scale, 1e-6);
  }
});

test('maxNorm along axis 1 scales rows', (t) => {
  const rowNorms = W.map((r) => Math.hypot(...r));
  const out = constraints.maxNorm({ maxValue: 1, axis: 1 }).apply(tensor(W)).arraySync();
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) near(t, out[i][j], W[i][j] / (rowNorms[i] + 1e-7), 1e-6);
});

test('unitNorm, nonNeg and minMaxNorm', (t) => {
  const unit = constraints.unitNorm().apply(tensor(W)).arraySync();
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) near(t, unit[i][j], W[i][j] / (colNorms[j] + 1e-7));
  t.deepEqual(constraints.nonNeg().apply(tensor(W)).arraySync(), [[1.5, 0, 0.25], [0, 3, 0]]);
  const mm = constraints.minMaxNorm({ minValue: 1.2, maxValue: 2, rate: 0.5 }).apply(tensor(W)).arraySync();
  for (let j = 0; j < 3; j++) {
    const desired = 0.5 * Math.min(Math.max(colNorms[j], 1.2), 2) + 0.5 * colNorms[j];
    for (let i = 0; i < 2; i++) near(t, mm[i][j], (W[i][j] * desired) / (colNorms[j] + 1e-7));
  }
});

test('constraint configs and lookup', (t) => {
  t.deepEqual(serializeConstraint(constraints.maxNorm({ maxValue: 3 })), { className: 'MaxNorm', config: { maxValue: 3, axis: 0 } });
  t.deepEqual(serializeConstraint(constraints.minMaxNorm()), { className: 'MinMaxNorm', config: { minValue: 0, maxValue: 1, rate: 1, axis: 0 } });
  t.deepEqual(serializeConstraint(constraints.nonNeg()), { className: 'NonNeg', config: {} });
  t.true(getConstraint('maxNorm') instanceof MaxNorm);
  t.true(getConstraint('max_norm') instanceof MaxNorm);
  t.is(getConstraint('non_neg').getClassName(), 'NonNeg');
  t.deepEqual(getConstraint({ className: 'UnitNorm', config: { axis: 1 } }).getConfig(), { axis: 1 });
});

test('BAD CALL - constraints with bad arguments', (t) => {
  let e = t.throws(() => constraints.maxNorm({ maxValue: -1 }), { instanceOf: RangeError });
  t.is(e.message, "constraints.maxNorm: expected a number >= 0 for 'maxValue' but received -1 of type number");
  e = t.throws(() => constraints.unitNorm({ axis: 0.5 }), { instanceOf: TypeError });
  t.is(e.message, "constraints.unitNorm: expected an integer for 'axis' but received 0.5 of type number");
  e = t.throws(() => constraints.minMaxNorm({ rate: 2 }), { instanceOf: RangeError });
  t.is(e.code, 'ERR_OUT_OF_RANGE');
  e = t.throws(() => getConstraint('positive'));
  t.is(e.message, "getConstraint: unknown constraint 'positive'; known: MaxNorm, UnitNorm, NonNeg, MinMaxNorm");
});

test('regularizers and constraints leave only their result alive', (t) => {
  const w = tensor(W);
  const before = memory().numTensors;
  regularizers.l1l2({ l1: 0.1, l2: 0.1 }).apply(w).dispose();
  for (const c of [constraints.maxNorm(), constraints.unitNorm(), constraints.nonNeg(), constraints.minMaxNorm({ rate: 0.3 })]) c.apply(w).dispose();
  t.is(memory().numTensors, before);
});
