// Activations against float64 references, their gradients against central
// finite differences of those references, and the name lookup.
const test = require('ava');
const { getActivation, serializeActivation, Activation, Relu } = require('../dist/activations');
const { tensor } = require('../dist/ops/creation');
const { grad } = require('../dist/autograd/gradients');
const { memory } = require('../dist/tensor/scope');
const { mul } = require('../dist/ops/elementwise');
const { registerClass } = require('../dist/serialization');

// Abramowitz & Stegun 7.1.26: accurate to 1.5e-7, below what float32 checks resolve.
function erf(x) {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}
const sigmoid = (x) => 1 / (1 + Math.exp(-x));
const softplus = (x) => Math.log1p(Math.exp(x));
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

const ELEMENTWISE = {
  linear: (x) => x,
  relu: (x) => Math.max(x, 0),
  relu6: (x) => Math.min(Math.max(x, 0), 6),
  elu: (x) => (x > 0 ? x : Math.expm1(x)),
  selu: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
  sigmoid,
  hardSigmoid: (x) => Math.min(Math.max(0.2 * x + 0.5, 0), 1),
  softplus,
  softsign: (x) => x / (1 + Math.abs(x)),
  tanh: Math.tanh,
  swish: (x) => x * sigmoid(x),
  mish: (x) => x * Math.tanh(softplus(x)),
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  gelu_new: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
};

// Away from every kink (0, 6, ±2.5) so that finite differences are smooth.
const XS = [-4.1, -2.2, -1.3, -0.7, -0.2, 0.3, 0.9, 1.7, 2.9, 5.2, 7.3];
const H = 1e-5;

function close(t, actual, expected, tol, what) {
  t.is(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= tol * Math.max(1, Math.abs(expected[i])))) {
      t.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]} (error ${err})`);
      return;
    }
  }
  t.pass();
}

for (const [name, ref] of Object.entries(ELEMENTWISE)) {
  test(`${name}: forward matches the float64 reference`, (t) => {
    const x = tensor(XS);
    const y = getActivation(name).apply(x);
    close(t, Array.from(y.dataSync()), XS.map(ref), 2e-6, name);
    t.deepEqual(y.shape, [XS.length]);
  });

  test(`${name}: gradient matches central differences`, (t) => {
    const x = tensor(XS);
    const dx = grad((v) => getActivation(name).apply(v))(x);
    const fd = XS.map((v) => (ref(v + H) - ref(v - H)) / (2 * H));
    close(t, Array.from(dx.dataSync()), fd, 1e-4, `d ${name}`);
  });
}

const ROWS = [[0.5, -1.2, 2.0, 0.1], [3.0, 2.9, -4.0, 0.0]];
const DY = [[0.3, -0.7, 1.1, 0.2], [-0.4, 0.9, 0.5, -1.3]];
const softmaxRow = (r) => {
  const m = Math.max(...r);
  const e = r.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const REF_2D = {
  softmax: (rows) => rows.map(softmaxRow),
  logSoftmax: (rows) => rows.map((r) => softmaxRow(r).map(Math.log)),
};

for (const [name, ref] of Object.entries(REF_2D)) {
  test(`${name}: forward over the last axis matches the float64 reference`, (t) => {
    const y = getActivation(name).apply(tensor(ROWS));
    close(t, Array.from(y.dataSync()), ref(ROWS).flat(), 1e-6, name);
  });

  test(`${name}: gradient matches central differences of sum(dy * f(x))`, (t) => {
    const dx = grad((v) => getActivation(name).apply(v))(tensor(ROWS), tensor(DY));
    const objective = (rows) => ref(rows).flat().reduce((a, v, i) => a + v * DY.flat()[i], 0);
    const fd = [];
    for (let i = 0; i < ROWS.length; i++) {
      for (let j = 0; j < ROWS[0].length; j++) {
        const plus = ROWS.map((r) => r.slice());
        const minus = ROWS.map((r) => r.slice());
        plus[i][j] += H;
        minus[i][j] -= H;
        fd.push((objective(plus) - objective(minus)) / (2 * H));
      }
    }
    close(t, Array.from(dx.dataSync()), fd, 1e-4, `d ${name}`);
  });
}

test('softmax: apply(x, axis) normalises along the given axis', (t) => {
  const y = getActivation('softmax').apply(tensor(ROWS), 0);
  const cols = ROWS[0].map((_, j) => softmaxRow(ROWS.map((r) => r[j])));
  const expected = ROWS.map((_, i) => cols.map((c) => c[i])).flat();
  close(t, Array.from(y.dataSync()), expected, 1e-6, 'softmax axis 0');
});

test('elu: apply(x, alpha) scales the negative part only', (t) => {
  const y = getActivation('elu').apply(tensor(XS), 0.5);
  close(t, Array.from(y.dataSync()), XS.map((v) => (v > 0 ? v : 0.5 * Math.expm1(v))), 2e-6, 'elu alpha 0.5');
});

test('getActivation: TF.js, Keras and class spellings find the same activation', (t) => {
  t.is(getActivation('hardSigmoid').getClassName(), 'hardSigmoid');
  t.is(getActivation('hard_sigmoid').getClassName(), 'hardSigmoid');
  t.is(getActivation('log_softmax').getClassName(), 'logSoftmax');
  t.is(getActivation('ReLU').getClassName(), 'relu');
  t.is(getActivation('gelu_new').getClassName(), 'gelu_new');
  t.is(getActivation({ className: 'tanh', config: {} }).getClassName(), 'tanh');
  t.is(getActivation(null).getClassName(), 'linear');
  t.is(getActivation(undefined).getClassName(), 'linear');
  const relu = new Relu();
  t.is(getActivation(relu), relu);
  t.true(getActivation('relu') instanceof Activation);
  t.is(serializeActivation(getActivation('softmax')), 'softmax');
});

test('getActivation: a registered custom Activation is found by its class name', (t) => {
  class Cube extends Activation {
    apply(x) {
      return mul(mul(x, x), x);
    }
  }
  Cube.className = 'CubeForActivationTest';
  registerClass(Cube);
  const a = getActivation('CubeForActivationTest');
  t.true(a instanceof Cube);
  t.deepEqual(Array.from(a.apply(tensor([2, -1])).dataSync()), [8, -1]);
});

test('BAD CALL - getActivation with an unknown name lists the known ones', (t) => {
  const e = t.throws(() => getActivation('relu7'));
  t.is(e.code, 'ERR_UNKNOWN_NAME');
  t.regex(e.message, /^getActivation: unknown activation 'relu7'; known: linear, relu, relu6, /);
});

test('BAD CALL - getActivation with a number', (t) => {
  const e = t.throws(() => getActivation(3), { instanceOf: TypeError });
  t.is(e.code, 'ERR_INVALID_ARG_TYPE');
  t.is(e.message, "getActivation: expected an activation name, a {className} config or an Activation for 'identifier' but received 3 of type number");
});

test('activations leave no tensors behind but their result', (t) => {
  const x = tensor(XS);
  const before = memory().numTensors;
  for (const name of Object.keys(ELEMENTWISE)) {
    const y = getActivation(name).apply(x);
    if (y !== x) y.dispose();
  }
  t.is(memory().numTensors, before);
});
