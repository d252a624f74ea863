// Each optimizer's update rule, several steps on a quadratic over two
// variables (one native call updates both), against a float64 re-implementation
// of TensorFlow.js's rule written here.
const test = require('ava');
const { train } = require('../../dist/optimizers');
const { tensor, variable } = require('../../dist/ops/creation');
const { add, mul, squaredDifference } = require('../../dist/ops/elementwise');
const { sum } = require('../../dist/ops/reduce');
const { memory } = require('../../dist/tensor/scope');

const EPS = 1e-7;
const INIT = [[0.5, -1.5, 2], [1, -0.25, 0.75, -2]];
const TARGET = [[1, 1, -1], [0, 0.5, 0.5, 3]];
const COEF = [[1, 2, 0.5], [3, 0.25, 1, 0.1]];
const SHAPES = [[3], [2, 2]];

// loss = sum_k sum(c_k * (w_k - t_k)^2), so grad_k = 2 c_k (w_k - t_k).
function gradsOf(params) {
  return params.map((p, k) => p.map((x, i) => 2 * COEF[k][i] * (x - TARGET[k][i])));
}

// Float64 references of TF.js's rules: update(state, p, g, t) mutates p in place
// (t is the 1-based step); state holds the per-element slots.
const RULES = {
  sgd: {
    make: () => train.sgd(0.1),
    slots: () => ({}),
    step(s, p, g) {
      for (let i = 0; i < p.length; i++) p[i] -= 0.1 * g[i];
    },
  },
  momentum: {
    make: () => train.momentum(0.05, 0.9),
    slots: (n) => ({ a: new Array(n).fill(0) }),
    step(s, p, g) {
      for (let i = 0; i < p.length; i++) {
        s.a[i] = 0.9 * s.a[i] + g[i];
        p[i] -= 0.05 * s.a[i];
      }
    },
  },
  nesterov: {
    make: () => train.momentum(0.05, 0.9, true),
    slots: (n) => ({ a: new Array(n).fill(0) }),
    step(s, p, g) {
      for (let i = 0; i < p.length; i++) {
        s.a[i] = 0.9 * s.a[i] + g[i];
        p[i] -= 0.05 * (g[i] + 0.9 * s.a[i]);
      }
    },
  },
  adam: {
    make: () => train.adam(0.1, 0.8, 0.95),
    slots: (n) => ({ m: new Array(n).fill(0), v: new Array(n).fill(0) }),
    step(s, p, g, t) {
      adamStep(s, p, g, t, 0.1, 0.8, 0.95, EPS);
    },
  },
  adamw: {
    make: () => train.adamw(0.1, 0.9, 0.999, 1e-7, 0.3),
    slots: (n) => ({ m: new Array(n).fill(0), v: new Array(n).fill(0) }),
    step(s, p, g, t) {
      // Keras: decay the value first (decoupled), then the Adam step.
      for (let i = 0; i < p.length; i++) p[i] -= 0.1 * 0.3 * p[i];
      adamStep(s, p, g, t, 0.1, 0.9, 0.999, EPS);
    },
  },
  adamax: {
    make: () => train.adamax(0.05, 0.9, 0.99, 1e-7, 0.1),
    slots: (n) => ({ m: new Array(n).fill(0), u: new Array(n).fill(0) }),
    step(s, p, g, t) {
      const lr = 0.05 / (1 + 0.1 * (t - 1));
      for (let i = 0; i < p.length; i++) {
        s.m[i] = 0.9 * s.m[i] + 0.1 * g[i];
        s.u[i] = Math.max(0.99 * s.u[i], Math.abs(g[i]));
        p[i] -= (lr / (1 - 0.9 ** t)) * (s.m[i] / (s.u[i] + EPS));
      }
    },
  },
  adagrad: {
    make: () => train.adagrad(0.2, 0.5),
    slots: (n) => ({ a: new Array(n).fill(0.5) }),
    step(s, p, g) {
      for (let i = 0; i < p.length; i++) {
        s.a[i] += g[i] * g[i];
        p[i] -= (0.2 * g[i]) / Math.sqrt(s.a[i] + EPS);
      }
    },
  },
  adadelta: {
    make: () => train.adadelta(1, 0.9, 1e-3),
    slots: (n) => ({ ag: new Array(n).fill(0), au: new Array(n).fill(0) }),
    step(s, p, g) {
      for (let i = 0; i < p.length; i++) {
        // TF.js divides by the accumulator from before this step.
        const upd = (Math.sqrt(s.au[i] + 1e-3) / Math.sqrt(s.ag[i] + 1e-3)) * g[i];
        s.ag[i] = 0.9 * s.ag[i] + 0.1 * g[i] * g[i];
        s.au[i] = 0.9 * s.au[i] + 0.1 * upd * upd;
        p[i] -= upd;
      }
    },
  },
  rmsprop: {
    make: () => train.rmsprop(0.01, 0.9, 0.5),
    slots: (n) => ({ ms: new Array(n).fill(0), mom: new Array(n).fill(0) }),
    step(s, p, g) {
      for (let i = 0; i < p.length; i++) {
        s.ms[i] = 0.9 * s.ms[i] + 0.1 * g[i] * g[i];
        s.mom[i] = 0.5 * s.mom[i] + (0.01 * g[i]) / Math.sqrt(s.ms[i] + EPS);
        p[i] -= s.mom[i];
      }
    },
  },
  rmspropCentered: {
    make: () => train.rmsprop(0.01, 0.9, 0.2, 1e-6, true),
    slots: (n) => ({ ms: new Array(n).fill(0), mom: new Array(n).fill(0), mg: new Array(n).fill(0) }),
    step(s, p, g) {
      for (let i = 0; i < p.length; i++) {
        s.ms[i] = 0.9 * s.ms[i] + 0.1 * g[i] * g[i];
        s.mg[i] = 0.9 * s.mg[i] + 0.1 * g[i];
        // TensorFlow / Keras: epsilon added inside the root (TF.js subtracts it).
        s.mom[i] = 0.2 * s.mom[i] + (0.01 * g[i]) / Math.sqrt(s.ms[i] - s.mg[i] * s.mg[i] + 1e-6);
        p[i] -= s.mom[i];
      }
    },
  },
};

function adamStep(s, p, g, t, lr, b1, b2, eps) {
  for (let i = 0; i < p.length; i++) {
    s.m[i] = b1 * s.m[i] + (1 - b1) * g[i];
    s.v[i] = b2 * s.v[i] + (1 - b2) * g[i] * g[i];
    p[i] -= (lr * (s.m[i] / (1 - b1 ** t))) / (Math.sqrt(s.v[i] / (1 - b2 ** t)) + eps);
  }
}

function close(t, actual, expected, what) {
  for (let i = 0; i < expected.length; i++) {
    const tol = 2e-5 * Math.max(1, Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      t.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
      return;
    }
  }
  t.pass();
}

let counter = 0;
for (const [name, rule] of Object.entries(RULES)) {
  test(`${name}: 6 steps of minimize match the float64 reference of the TF.js rule`, (t) => {
    const vars = INIT.map((v, k) => variable(tensor(v, SHAPES[k]), true, `${name}_w${k}_${counter++}`));
    const targets = TARGET.map((v, k) => tensor(v, SHAPES[k]));
    const coefs = COEF.map((v, k) => tensor(v, SHAPES[k]));
    const opt = rule.make();
    const loss = () => add(sum(mul(coefs[0], squaredDifference(vars[0], targets[0]))), sum(mul(coefs[1], squaredDifference(vars[1], targets[1]))));
    const ref = INIT.map((v) => v.slice());
    const states = ref.map((v) => rule.slots(v.length));
    let first;
    let before;
    for (let step = 1; step <= 6; step++) {
      const grads = gradsOf(ref);
      ref.forEach((p, k) => rule.step(states[k], p, grads[k], step));
      const cost = opt.minimize(loss, true, vars);
      cost.dispose();
      if (step === 1) first = cost;
      if (step === 2) before = memory().numTensors;
      vars.forEach((v, k) => close(t, Array.from(v.dataSync()), ref[k], `step ${step} w${k}`));
    }
    t.is(opt.iterations, 6);
    // Slots are made on the first step only: nothing accumulates afterwards.
    t.is(memory().numTensors, before);
    t.true(first.isDisposed);
    opt.dispose();
    for (const v of [...vars, ...targets, ...coefs]) v.dispose();
  });
}

test('minimize decreases the loss and returns null without returnCost', (t) => {
  const w = variable(tensor([3, -4]), true, 'decrease_w');
  const opt = train.adam(0.1);
  const loss = () => sum(mul(w, w));
  const first = opt.minimize(loss, true);
  const v0 = first.dataSync()[0];
  first.dispose();
  for (let i = 0; i < 20; i++) t.is(opt.minimize(loss), null);
  const last = opt.minimize(loss, true);
  t.true(last.dataSync()[0] < v0 / 2);
  last.dispose();
  opt.dispose();
  w.dispose();
});

test('minimize without varList updates every trainable variable, and only those', (t) => {
  const a = variable(tensor([1]), true, 'all_a');
  const frozen = variable(tensor([1]), false, 'all_frozen');
  const opt = train.sgd(0.5);
  opt.minimize(() => add(sum(mul(a, a)), sum(mul(frozen, frozen))));
  t.deepEqual(Array.from(a.dataSync()), [0]);
  t.deepEqual(Array.from(frozen.dataSync()), [1]);
  a.dispose();
  frozen.dispose();
});
