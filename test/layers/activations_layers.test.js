// Advanced-activation layers against float64 references, gradients against
// central finite differences, configs and errors.
const test = require('ava');
const layers = require('../../dist/layers');
const { tensor, zeros } = require('../../dist/ops/creation');
const { mul } = require('../../dist/ops/elementwise');
const { sum } = require('../../dist/ops/reduce');
const { grad, variableGrads } = require('../../dist/autograd/gradients');
const { deserialize, serializeKerasObject } = require('../../dist/serialization');
const { memory } = require('../../dist/tensor/scope');
const { close, numericGrad, values, dot } = require('./helpers');

// Away from the kinks at 0, 0.5, 1, 4 and 6 so that differences are smooth.
const XV = [-3.1, -1.3, -0.4, 0.2, 0.7, 1.6, 4.3, 7.9];
const DY = values(XV.length, 31);

const CASES = [
  ['leakyReLU default alpha 0.3', () => layers.leakyReLU(), (v) => (v > 0 ? v : 0.3 * v)],
  ['leakyReLU alpha 0.1', () => layers.leakyReLU({ alpha: 0.1 }), (v) => (v > 0 ? v : 0.1 * v)],
  ['elu', () => layers.elu(), (v) => (v > 0 ? v : Math.expm1(v))],
  ['elu alpha 0.5', () => layers.elu({ alpha: 0.5 }), (v) => (v > 0 ? v : 0.5 * Math.expm1(v))],
  ['reLU', () => layers.reLU(), (v) => Math.max(v, 0)],
  ['reLU maxValue 6', () => layers.reLU({ maxValue: 6 }), (v) => Math.min(Math.max(v, 0), 6)],
  ['reLU with Keras negativeSlope, threshold and maxValue', () => layers.reLU({ negativeSlope: 0.1, threshold: 0.5, maxValue: 4 }), (v) => (v >= 4 ? 4 : v >= 0.5 ? v : 0.1 * (v - 0.5))],
  ['leakyReLU from a Keras 3 config (negativeSlope)', () => layers.leakyReLU({ negativeSlope: 0.2 }), (v) => (v > 0 ? v : 0.2 * v)],
  ['thresholdedReLU default theta 1', () => layers.thresholdedReLU(), (v) => (v > 1 ? v : 0)],
  ['thresholdedReLU theta 0.5', () => layers.thresholdedReLU({ theta: 0.5 }), (v) => (v > 0.5 ? v : 0)],
];

for (const [name, make, ref] of CASES) {
  test(`${name}: output and gradient`, (t) => {
    const layer = make();
    const x = tensor(XV, [2, 4]);
    const y = layer.apply(x);
    t.deepEqual(y.shape, [2, 4]);
    close(t, y.dataSync(), XV.map(ref), 2e-6, name);
    const dx = grad((v) => layer.apply(v))(x, tensor(DY, [2, 4]));
    close(t, dx.dataSync(), numericGrad((v) => dot(v.map(ref), DY), XV), 1e-5, `d ${name}`);
  });
}

const softmaxRows = (v, rows, cols) => {
  const out = [];
  for (let i = 0; i < rows; i++) {
    const r = v.slice(i * cols, (i + 1) * cols);
    const m = Math.max(...r);
    const e = r.map((a) => Math.exp(a - m));
    const z = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((a) => a / z));
  }
  return out;
};

test('softmax layer: last axis by default; output and gradient', (t) => {
  const layer = layers.softmax();
  const x = tensor(XV, [2, 4]);
  close(t, layer.apply(x).dataSync(), softmaxRows(XV, 2, 4), 1e-6);
  const dx = grad((v) => layer.apply(v))(x, tensor(DY, [2, 4]));
  close(t, dx.dataSync(), numericGrad((v) => dot(softmaxRows(v, 2, 4), DY), XV), 1e-5);
  t.is(layer.getConfig().axis, -1);
  t.truthy(layer.apply(x, { training: true }).kerasLogits, 'last-axis softmax keeps its logits in training');
});

test('softmax layer: axis 1 of a rank-3 input', (t) => {
  const x = tensor(XV, [2, 2, 2]);
  const y = layers.softmax({ axis: 1 }).apply(x).arraySync();
  const xa = x.arraySync();
  for (let b = 0; b < 2; b++) {
    for (let c = 0; c < 2; c++) {
      const col = softmaxRows([xa[b][0][c], xa[b][1][c]], 1, 2);
      close(t, [y[b][0][c], y[b][1][c]], col, 1e-6);
    }
  }
});

/** float64 prelu with alpha broadcast from shape [.., 1 on shared axes, ..]. */
function preluRef(xv, alpha, shape, alphaShape) {
  const strides = (s) => s.map((_, i) => s.slice(i + 1).reduce((a, b) => a * b, 1));
  const xs = strides(shape);
  const as = strides(alphaShape);
  return xv.map((v, flat) => {
    let ai = 0;
    for (let d = 0; d < shape.length; d++) {
      const idx = Math.floor(flat / xs[d]) % shape[d];
      ai += (alphaShape[d] === 1 ? 0 : idx) * as[d];
    }
    return v > 0 ? v : alpha[ai] * v;
  });
}

test('prelu: one learned slope per element, gradients for input and alpha', (t) => {
  const layer = layers.prelu();
  const x = tensor(XV, [2, 4]);
  layer.apply(x);
  t.deepEqual(layer.alpha.shape, [4]);
  t.deepEqual(Array.from(layer.alpha.read().dataSync()), [0, 0, 0, 0], 'zeros by default');
  const alpha = [0.1, 0.2, 0.3, 0.4];
  layer.setWeights([tensor(alpha)]);
  close(t, layer.apply(x).dataSync(), preluRef(XV, alpha, [2, 4], [1, 4]), 1e-6);
  const dy = tensor(DY, [2, 4]);
  const dx = grad((v) => layer.apply(v))(x, dy);
  close(t, dx.dataSync(), numericGrad((v) => dot(preluRef(v, alpha, [2, 4], [1, 4]), DY), XV), 1e-5, 'dx');
  const { grads } = variableGrads(() => sum(mul(layer.apply(x), dy)), [layer.alpha.val]);
  close(t, grads[layer.alpha.name].dataSync(), numericGrad((a) => dot(preluRef(XV, a, [2, 4], [1, 4]), DY), alpha), 1e-5, 'dalpha');
});

test('prelu: sharedAxes [1, 2] gives one slope per channel', (t) => {
  const layer = layers.prelu({ sharedAxes: [1, 2], alphaInitializer: { className: 'Constant', config: { value: 0.25 } } });
  const xv = values(2 * 3 * 3 * 2, 41);
  const x = tensor(xv, [2, 3, 3, 2]);
  const y = layer.apply(x);
  t.deepEqual(layer.alpha.shape, [1, 1, 2]);
  close(t, y.dataSync(), preluRef(xv, [0.25, 0.25], [2, 3, 3, 2], [1, 1, 1, 2]), 1e-6);
  const dyv = values(xv.length, 42);
  const { grads } = variableGrads(() => sum(mul(layer.apply(x), tensor(dyv, [2, 3, 3, 2]))), [layer.alpha.val]);
  close(t, grads[layer.alpha.name].dataSync(), numericGrad((a) => dot(preluRef(xv, a, [2, 3, 3, 2], [1, 1, 1, 2]), dyv), [0.25, 0.25]), 1e-5);
  t.deepEqual(layer.getConfig().sharedAxes, [1, 2]);
  t.deepEqual(layer.getConfig().alphaInitializer, { className: 'Constant', config: { value: 0.25 } });
});

test('advanced activation layers rebuild from their configs', (t) => {
  const made = [
    layers.leakyReLU({ alpha: 0.2 }), layers.elu({ alpha: 0.7 }), layers.reLU({ maxValue: 3 }), layers.softmax({ axis: 1 }),
    layers.reLU({ negativeSlope: 0.1, threshold: 1 }),
    layers.prelu({ sharedAxes: [1] }), layers.thresholdedReLU({ theta: 0.4 }),
  ];
  const x = tensor(XV, [2, 4]);
  for (const layer of made) {
    const saved = serializeKerasObject(layer);
    t.is(saved.className, layer.constructor.className);
    const copy = deserialize({ ...saved, config: { ...saved.config, name: `${saved.config.name}_copy` } });
    t.deepEqual({ ...copy.getConfig(), name: saved.config.name }, saved.config);
    if (!(layer instanceof layers.PReLU)) t.deepEqual(Array.from(copy.apply(x).dataSync()), Array.from(layer.apply(x).dataSync()));
  }
  t.deepEqual(layers.leakyReLU().getConfig().alpha, 0.3);
  t.deepEqual(layers.reLU().getConfig().maxValue, null);
});

test('advanced activation layers keep the shape and leave only their output', (t) => {
  const x = tensor(XV, [2, 4]);
  const before = memory().numTensors;
  for (const make of [() => layers.leakyReLU(), () => layers.thresholdedReLU(), () => layers.elu({ alpha: 2 }), () => layers.reLU({ maxValue: 1 })]) {
    const layer = make();
    t.deepEqual(layer.computeOutputShape([null, 4]), [null, 4]);
    layer.apply(x).dispose();
  }
  t.is(memory().numTensors, before);
});

test('BAD CALL - advanced activation layers with bad arguments', (t) => {
  let e = t.throws(() => layers.leakyReLU({ alpha: 'big' }), { instanceOf: TypeError });
  t.is(e.message, "LeakyReLU: expected a number for 'alpha' but received 'big'");
  e = t.throws(() => layers.reLU({ maxValue: -1 }), { instanceOf: RangeError });
  t.is(e.message, "ReLU: expected a number >= 0 for 'maxValue' but received -1 of type number");
  e = t.throws(() => layers.prelu({ sharedAxes: [0] }), { instanceOf: TypeError });
  t.is(e.code, 'ERR_INVALID_ARG_TYPE');
  e = t.throws(() => layers.prelu({ sharedAxes: [3] }).apply(zeros([2, 4])), { instanceOf: RangeError });
  t.regex(e.message, /^PReLU: expected axes in \[1, 1\] for inputs of rank 2 for 'sharedAxes'/);
});
