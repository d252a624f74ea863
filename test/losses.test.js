// Losses against float64 references written here, their gradients against
// central finite differences of those references, the fused logits paths
// (fromLogits, kerasLogits) against the plain formulas, TF.js's weighted
// tf.losses.*, and the name lookup.
const test = require('ava');
const L = require('../dist/losses');
const { losses, getLoss, Reduction } = L;
const { tensor } = require('../dist/ops/creation');
const { sum } = require('../dist/ops/reduce');
const { softmax } = require('../dist/ops/nn');
const { grad } = require('../dist/autograd/gradients');
const { memory } = require('../dist/tensor/scope');

const EPS = 1e-7;
const clip = (x, lo, hi) => Math.min(Math.max(x, lo), hi);
const avg = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const total = (xs) => xs.reduce((a, b) => a + b, 0);
const rows = (t, p, f) => t.map((row, i) => f(row, p[i]));
const logSoftmax = (z) => {
  const m = Math.max(...z);
  const lse = m + Math.log(total(z.map((v) => Math.exp(v - m))));
  return z.map((v) => v - lse);
};
const smooth = (y, s, k) => y.map((v) => v * (1 - s) + s / k);

// Float64 references: (yTrue rows, yPred rows) → per-sample losses.
const REF = {
  meanSquaredError: (t, p) => rows(t, p, (a, b) => avg(a.map((v, j) => (b[j] - v) ** 2))),
  meanAbsoluteError: (t, p) => rows(t, p, (a, b) => avg(a.map((v, j) => Math.abs(b[j] - v)))),
  meanAbsolutePercentageError: (t, p) => rows(t, p, (a, b) => 100 * avg(a.map((v, j) => Math.abs((v - b[j]) / Math.max(Math.abs(v), EPS))))),
  meanSquaredLogarithmicError: (t, p) => rows(t, p, (a, b) => avg(a.map((v, j) => (Math.log1p(Math.max(b[j], EPS)) - Math.log1p(Math.max(v, EPS))) ** 2))),
  huber: (t, p) => rows(t, p, (a, b) => avg(a.map((v, j) => {
    const e = Math.abs(b[j] - v);
    return e <= 1 ? 0.5 * e * e : e - 0.5;
  }))),
  logCosh: (t, p) => rows(t, p, (a, b) => avg(a.map((v, j) => Math.log(Math.cosh(b[j] - v))))),
  hinge: (t, p) => rows(t, p, (a, b) => avg(a.map((v, j) => Math.max(1 - hingeLabel(t, v) * b[j], 0)))),
  squaredHinge: (t, p) => rows(t, p, (a, b) => avg(a.map((v, j) => Math.max(1 - hingeLabel(t, v) * b[j], 0) ** 2))),
  categoricalHinge: (t, p) => rows(t, p, (a, b) => {
    const pos = total(a.map((v, j) => v * b[j]));
    const neg = Math.max(...a.map((v, j) => (1 - v) * b[j]));
    return Math.max(0, neg - pos + 1);
  }),
  binaryCrossentropy: (t, p) => rows(t, p, (a, b) => avg(a.map((v, j) => {
    const q = clip(b[j], EPS, 1 - EPS);
    return -(v * Math.log(q) + (1 - v) * Math.log(1 - q));
  }))),
  categoricalCrossentropy: (t, p) => rows(t, p, (a, b) => {
    const s = total(b);
    return -total(a.map((v, j) => v * Math.log(clip(b[j] / s, EPS, 1 - EPS))));
  }),
  kullbackLeiblerDivergence: (t, p) => rows(t, p, (a, b) => total(a.map((v, j) => {
    const tc = clip(v, EPS, 1);
    return tc * Math.log(tc / clip(b[j], EPS, 1));
  }))),
  poisson: (t, p) => rows(t, p, (a, b) => avg(a.map((v, j) => b[j] - v * Math.log(b[j] + EPS)))),
  cosineProximity: (t, p) => rows(t, p, (a, b) => {
    const na = Math.sqrt(Math.max(total(a.map((v) => v * v)), EPS));
    const nb = Math.sqrt(Math.max(total(b.map((v) => v * v)), EPS));
    return -total(a.map((v, j) => (v / na) * (b[j] / nb)));
  }),
};
// Keras converts hinge labels in {0, 1} to {-1, 1} when every label is 0 or 1.
function hingeLabel(all, v) {
  const binary = all.every((r) => r.every((x) => x === 0 || x === 1));
  return binary ? 2 * v - 1 : v;
}

const REGRESSION = { t: [[0.5, -1, 2], [1.5, 0.2, -0.3]], p: [[0.1, -0.4, 2.5], [1, 1, 1.2]] };
const POSITIVE = { t: [[0.2, 0.5, 0.3], [0.1, 0.6, 0.3]], p: [[0.3, 0.4, 0.3], [0.25, 0.25, 0.5]] };
const HINGE = { t: [[0, 1, 1], [1, 0, 0]], p: [[0.3, -0.2, 1.4], [2.1, 0.5, -0.8]] };
const SIGNED = { t: [[-1, 1, 1], [1, -1, -1]], p: HINGE.p };
const ONEHOT = { t: [[0, 1, 0], [1, 0, 0]], p: [[0.2, 0.7, 0.1], [0.5, 0.3, 0.2]] };
const CATHINGE = { t: [[0, 1, 0], [0, 0, 1]], p: HINGE.p };

const CASES = [
  ['meanSquaredError', REGRESSION],
  ['meanAbsoluteError', REGRESSION],
  ['meanAbsolutePercentageError', REGRESSION],
  ['meanSquaredLogarithmicError', POSITIVE],
  ['huber', REGRESSION],
  ['logCosh', REGRESSION],
  ['hinge', HINGE],
  ['hinge', SIGNED],
  ['squaredHinge', HINGE],
  ['categoricalHinge', CATHINGE],
  ['binaryCrossentropy', POSITIVE],
  ['categoricalCrossentropy', ONEHOT],
  ['categoricalCrossentropy', POSITIVE],
  ['kullbackLeiblerDivergence', POSITIVE],
  ['poisson', POSITIVE],
  ['cosineProximity', REGRESSION],
];

function near(t, actual, expected, tol, what = '') {
  t.is(actual.length, expected.length, `${what} length`);
  for (let i = 0; i < expected.length; i++) {
    t.true(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Central differences in float64 of sum(ref(t, p)) with respect to p. */
function numericGrad(ref, yt, yp, h = 1e-6) {
  const out = [];
  yp.forEach((row, i) => row.forEach((_, j) => {
    const plus = yp.map((r) => r.slice());
    const minus = yp.map((r) => r.slice());
    plus[i][j] += h;
    minus[i][j] -= h;
    out.push((total(ref(yt, plus)) - total(ref(yt, minus))) / (2 * h));
  }));
  return out;
}

function checkLoss(t, fn, ref, data, extra = {}) {
  const yt = tensor(data.t);
  const yp = tensor(data.p);
  const before = memory().numTensors;
  const value = fn(yt, yp);
  t.is(memory().numTensors, before + 1, 'only the result is left');
  t.deepEqual(value.shape, [data.t.length]);
  near(t, Array.from(value.dataSync()), ref(data.t, data.p), extra.tol ?? 1e-5, 'value');
  const g = grad((p) => sum(fn(yt, p)))(yp);
  near(t, Array.from(g.dataSync()), numericGrad(ref, data.t, data.p), extra.gradTol ?? 2e-3, 'gradient');
  for (const x of [yt, yp, value, g]) x.dispose();
}

const DATA_NAMES = new Map([[REGRESSION, 'regression'], [POSITIVE, 'positive values'], [HINGE, 'labels 0/1'], [SIGNED, 'labels -1/1'], [ONEHOT, 'one-hot labels'], [CATHINGE, 'one-hot labels']]);
for (const [name, data] of CASES) {
  test(`${name}: per-sample values and gradient (${DATA_NAMES.get(data)})`, (t) => {
    checkLoss(t, L[name], REF[name], data);
  });
}

test('Keras-style losses are what getLoss returns, under camelCase, snake_case and short names', (t) => {
  for (const name of Object.keys(REF)) t.is(getLoss(name), L[name]);
  t.is(getLoss('mse'), L.meanSquaredError);
  t.is(getLoss('MAE'), L.meanAbsoluteError);
  t.is(getLoss('mape'), L.meanAbsolutePercentageError);
  t.is(getLoss('msle'), L.meanSquaredLogarithmicError);
  t.is(getLoss('categorical_crossentropy'), L.categoricalCrossentropy);
  t.is(getLoss('sparse_categorical_crossentropy'), L.sparseCategoricalCrossentropy);
  t.is(getLoss('SparseCategoricalCrossentropy'), L.sparseCategoricalCrossentropy);
  t.is(getLoss('binary_crossentropy'), L.binaryCrossentropy);
  t.is(getLoss('kl_divergence'), L.kullbackLeiblerDivergence);
  t.is(getLoss('kld'), L.kullbackLeiblerDivergence);
  t.is(getLoss('log_cosh'), L.logCosh);
  t.is(getLoss('logcosh'), L.logCosh);
  t.is(getLoss('cosine_similarity'), L.cosineProximity);
  t.is(getLoss('huber_loss'), L.huber);
  const mine = (a, b) => a;
  t.is(getLoss(mine), mine);
});

test('BAD CALL – getLoss with an unknown name lists the known ones', (t) => {
  const err = t.throws(() => getLoss('softmaxCrossEntropy'));
  t.is(err.code, 'ERR_UNKNOWN_NAME');
  t.regex(err.message, /^getLoss: unknown loss 'softmaxCrossEntropy'; known: meanSquaredError, meanAbsoluteError, .*categoricalCrossentropy, sparseCategoricalCrossentropy, .*mse, /);
  t.is(t.throws(() => getLoss(3)).code, 'ERR_UNKNOWN_NAME');
});

test('binaryCrossentropy clips probabilities at 1e-7 as Keras', (t) => {
  const v = L.binaryCrossentropy(tensor([[1, 1]]), tensor([[0, 0]]));
  near(t, Array.from(v.dataSync()), [-Math.log(EPS)], 1e-4);
});

test('binaryCrossentropy fromLogits: the stable sigmoid form, with label smoothing', (t) => {
  const yt = [[1, 0, 1], [0, 0, 1]];
  const z = [[2.5, -1, -40], [0.3, 50, 1]];
  const ref = (s) => (tt, zz) => rows(tt, zz, (a, b) => avg(a.map((v, j) => {
    const y = v * (1 - s) + 0.5 * s;
    return Math.max(b[j], 0) - b[j] * y + Math.log1p(Math.exp(-Math.abs(b[j])));
  })));
  checkLoss(t, (a, b) => L.binaryCrossentropy(a, b, true), ref(0), { t: yt, p: z });
  checkLoss(t, (a, b) => L.binaryCrossentropy(a, b, { fromLogits: true, labelSmoothing: 0.2 }), ref(0.2), { t: yt, p: z });
  // Far from the clipped region the probability form agrees.
  const sig = (x) => 1 / (1 + Math.exp(-x));
  const zs = [[0.5, -1, 2]];
  const probs = L.binaryCrossentropy(tensor([[1, 0, 0]]), tensor(zs.map((r) => r.map(sig))), false, 0.1);
  const logits = L.binaryCrossentropy(tensor([[1, 0, 0]]), tensor(zs), true, 0.1);
  near(t, Array.from(probs.dataSync()), Array.from(logits.dataSync()), 1e-5);
});

const LOGITS = [[1, 2, -1], [0.5, -0.3, 0.2]];
const SPARSE = [1, 0];
const cceFromLogits = (s) => (tt, zz) => rows(tt, zz, (a, b) => {
  const ls = logSoftmax(b);
  return -total(smooth(a, s, a.length).map((v, j) => v * ls[j]));
});

test('categoricalCrossentropy fromLogits uses the fused kernel: value and gradient, with label smoothing', (t) => {
  checkLoss(t, (a, b) => L.categoricalCrossentropy(a, b, true), cceFromLogits(0), { t: ONEHOT.t, p: LOGITS });
  checkLoss(t, (a, b) => L.categoricalCrossentropy(a, b, { fromLogits: true, labelSmoothing: 0.1 }), cceFromLogits(0.1), { t: ONEHOT.t, p: LOGITS });
});

test('categoricalCrossentropy with label smoothing on probabilities', (t) => {
  const ref = (tt, pp) => REF.categoricalCrossentropy(tt.map((r) => smooth(r, 0.3, 3)), pp);
  checkLoss(t, (a, b) => L.categoricalCrossentropy(a, b, false, 0.3), ref, ONEHOT);
});

test('sparseCategoricalCrossentropy: int or float ids of shape [N] or [N, 1], probabilities or logits', (t) => {
  const onehotRef = (ref) => (_tt, pp) => ref(ONEHOT.t, pp);
  for (const labels of [tensor(SPARSE, [2], 'int32'), tensor(SPARSE), tensor([[1], [0]]), tensor([[1], [0]], [2, 1], 'int32')]) {
    checkLoss(t, (_a, b) => L.sparseCategoricalCrossentropy(labels, b), onehotRef(REF.categoricalCrossentropy), { t: ONEHOT.t, p: ONEHOT.p });
    checkLoss(t, (_a, b) => L.sparseCategoricalCrossentropy(labels, b, true), onehotRef(cceFromLogits(0)), { t: ONEHOT.t, p: LOGITS });
    checkLoss(t, (_a, b) => L.sparseCategoricalCrossentropy(labels, b, { fromLogits: true, labelSmoothing: 0.2 }), onehotRef(cceFromLogits(0.2)), { t: ONEHOT.t, p: LOGITS });
    labels.dispose();
  }
});

test('the kerasLogits fast path gives the plain value and gradient within 1e-5', (t) => {
  const yt = tensor(ONEHOT.t);
  const ids = tensor(SPARSE, [2], 'int32');
  const z = tensor(LOGITS);
  const withLogits = (f) => (x) => {
    const p = softmax(x);
    p.kerasLogits = x;
    return f(p);
  };
  for (const [f, labels] of [[L.categoricalCrossentropy, yt], [L.sparseCategoricalCrossentropy, ids]]) {
    const plain = f(labels, softmax(z));
    const fast = withLogits((p) => f(labels, p))(z);
    near(t, Array.from(fast.dataSync()), Array.from(plain.dataSync()), 1e-5, 'value');
    const gPlain = grad((x) => sum(f(labels, softmax(x))))(z);
    const gFast = grad(withLogits((p) => sum(f(labels, p))))(z);
    near(t, Array.from(gFast.dataSync()), Array.from(gPlain.dataSync()), 1e-5, 'gradient');
  }
  // Proof that the logits were used: Keras's clipped formula caps the loss at -log(1e-7).
  const far = tensor([[30, -30, 0]]);
  const capped = L.categoricalCrossentropy(tensor([[0, 1, 0]]), softmax(far));
  near(t, Array.from(capped.dataSync()), [-Math.log(EPS)], 1e-4);
  const exact = withLogits((p) => L.categoricalCrossentropy(tensor([[0, 1, 0]]), p))(far);
  near(t, Array.from(exact.dataSync()), [60], 1e-5);
});

test('losses accept nested arrays and leave no intermediate tensors', (t) => {
  const before = memory().numTensors;
  const v = L.meanSquaredError([[1, 2], [3, 4]], [[1, 2], [3, 6]]);
  t.deepEqual(Array.from(v.dataSync()), [0, 2]);
  t.is(memory().numTensors, before + 1);
});

test('Keras rank matching: [N] labels against [N, 1] predictions give [N] losses', (t) => {
  const v = L.meanSquaredError(tensor([1, 2, 3]), tensor([[1], [4], [5]]));
  t.deepEqual(v.shape, [3]);
  t.deepEqual(Array.from(v.dataSync()), [0, 4, 4]);
  const b = L.binaryCrossentropy(tensor([[1], [0]]), tensor([0.9, 0.2]));
  t.deepEqual(b.shape, [2]);
});

test('BAD CALL – losses: mismatched shapes, bad options', (t) => {
  let err = t.throws(() => L.meanSquaredError(tensor([[1, 2, 3]]), tensor([[1, 2]])));
  t.is(err.code, 'ERR_SHAPE_MISMATCH');
  t.is(err.message, 'meanSquaredError: yTrue and yPred must have the same shape ([1,3] and [1,2])');
  err = t.throws(() => L.categoricalCrossentropy(tensor([1, 0]), tensor([[0.5, 0.5], [0.5, 0.5]])));
  t.is(err.code, 'ERR_SHAPE_MISMATCH');
  t.regex(err.message, /^categoricalCrossentropy: yTrue and yPred must have the same shape .*sparseCategoricalCrossentropy.* \(\[2\] and \[2,2\]\)$/);
  err = t.throws(() => L.sparseCategoricalCrossentropy(tensor([1, 0, 1]), tensor([[0.5, 0.5], [0.5, 0.5]])));
  t.is(err.code, 'ERR_SHAPE_MISMATCH');
  err = t.throws(() => L.categoricalCrossentropy(tensor([[1, 0]]), tensor([[1, 0]]), 'yes'), { instanceOf: TypeError });
  t.is(err.message, "categoricalCrossentropy: expected a boolean for 'fromLogits' but received 'yes'");
  err = t.throws(() => L.binaryCrossentropy(tensor([[1, 0]]), tensor([[1, 0]]), { labelSmoothing: 2 }), { instanceOf: RangeError });
  t.is(err.message, "binaryCrossentropy: expected a number in [0, 1] for 'labelSmoothing' but received 2 of type number");
  err = t.throws(() => L.meanSquaredError('a', tensor([1])), { instanceOf: TypeError });
  t.is(err.code, 'ERR_INVALID_ARG_TYPE');
});

// ------------------------------------------------ TF.js's weighted tf.losses

function scalarOf(x) {
  if (x.rank !== 0) throw new Error(`expected a scalar, got shape [${x.shape}]`);
  return x.dataSync()[0];
}

test('tf.losses.meanSquaredError: TF.js weights and reductions', (t) => {
  const labels = tensor([[1, 2], [3, 4]]);
  const preds = tensor([[1, 3], [5, 4]]);
  const w = tensor([2, 0]);
  t.is(scalarOf(losses.meanSquaredError([1, 2], [1, 4])), 2);
  t.is(scalarOf(losses.meanSquaredError(labels, preds)), 5 / 4);
  t.is(scalarOf(losses.meanSquaredError(labels, preds, w)), 4);
  t.is(scalarOf(losses.meanSquaredError(labels, preds, w, Reduction.SUM)), 8);
  t.is(scalarOf(losses.meanSquaredError(labels, preds, w, Reduction.MEAN)), 2);
  t.is(scalarOf(losses.meanSquaredError(labels, preds, null, Reduction.MEAN)), 5 / 4);
  t.deepEqual(losses.meanSquaredError(labels, preds, w, Reduction.NONE).arraySync(), [[0, 0], [8, 0]]);
  t.is(scalarOf(losses.computeWeightedLoss(tensor([1, 2, 3]), tensor([1, 0, 1]))), 2);
  const err = t.throws(() => losses.meanSquaredError(labels, preds, null, 7), { instanceOf: TypeError });
  t.is(err.message, "meanSquaredError: expected a tf.Reduction (NONE, MEAN, SUM or SUM_BY_NONZERO_WEIGHTS) for 'reduction' but received 7 of type number");
});

test('tf.losses.absoluteDifference / hingeLoss / huberLoss / logLoss / cosineDistance', (t) => {
  const near1 = (x, e) => t.true(Math.abs(scalarOf(x) - e) < 1e-6, `${x.dataSync()[0]} vs ${e}`);
  near1(losses.absoluteDifference([1, 2, 3], [2, 2, 1]), 1);
  // labels 0/1 → -1/1: max(0, 1 - y p)
  near1(losses.hingeLoss([0, 1, 1], [0.5, 0.2, 2]), (1.5 + 0.8 + 0) / 3);
  near1(losses.huberLoss([0, 0], [0.5, 3]), (0.125 + 2.5) / 2);
  near1(losses.huberLoss([0, 0], [0.5, 3], null, 2), (0.125 + 4) / 2);
  near1(losses.logLoss([1, 0], [0.8, 0.4]), (-Math.log(0.8 + EPS) - Math.log(0.6 + EPS)) / 2);
  near1(losses.cosineDistance([[0, 1], [1, 0]], [[0, 1], [0.6, 0.8]], 1), (0 + 0.4) / 2);
});

test('tf.losses.sigmoidCrossEntropy and softmaxCrossEntropy (fused) with label smoothing', (t) => {
  const z = [[1, -2], [0.5, 3]];
  const y = [[1, 0], [0, 1]];
  const sce = (s) => avg(z.flatMap((r, i) => r.map((v, j) => {
    const yy = y[i][j] * (1 - s) + 0.5 * s;
    return Math.max(v, 0) - v * yy + Math.log1p(Math.exp(-Math.abs(v)));
  })));
  t.true(Math.abs(scalarOf(losses.sigmoidCrossEntropy(y, z)) - sce(0)) < 1e-6);
  t.true(Math.abs(scalarOf(losses.sigmoidCrossEntropy(y, z, null, 0.2)) - sce(0.2)) < 1e-6);
  for (const s of [0, 0.1]) {
    const expected = avg(cceFromLogits(s)(y, z));
    t.true(Math.abs(scalarOf(losses.softmaxCrossEntropy(y, z, null, s)) - expected) < 1e-6);
  }
  const g = grad((x) => losses.softmaxCrossEntropy(tensor(y), x))(tensor(z));
  near(t, Array.from(g.dataSync()), numericGrad((tt, zz) => [avg(cceFromLogits(0)(tt, zz))], y, z), 2e-3);
});

test('the tf.losses namespace: TF.js names plus the Keras-only ones', (t) => {
  t.is(losses.meanSquaredError, L.weightedMeanSquaredError);
  for (const name of ['binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'meanAbsoluteError', 'huber', 'logCosh', 'poisson']) {
    t.is(losses[name], L[name]);
  }
});
