// optimStep: three steps of every optimizer against a float64 re-implementation
// of TensorFlow.js's update rules (tfjs-core/src/optimizers/*_optimizer.ts) —
// Keras 3's (keras/src/optimizers) for AdamW, Nadam and Lion, which TF.js
// lacks — on a small variable and on one big enough to be split across threads.
const test = require('ava');
const { TensorHandle, addon, F32, seeded } = require('./helpers');

const { randomArray } = seeded(99);

const Kind = { Sgd: 0, Momentum: 1, Adam: 2, AdamW: 3, Adamax: 4, Rmsprop: 5, Adagrad: 6, Adadelta: 7, Nadam: 8, Lion: 9 };

// Nadam's momentum cache u_t = b1 (1 - 0.5 * 0.96^t) and its product U_t = u_1 ... u_t.
const nadamU = (b1, t) => b1 * (1 - 0.5 * 0.96 ** t);
function nadamUProduct(b1, t) {
  let U = 1;
  for (let i = 1; i <= t; i++) U *= nadamU(b1, i);
  return U;
}

// Relative error, with the array's mean magnitude as the floor: slots that are
// sums of cancelling terms (m, mg) carry float32 rounding of the terms' size.
function assertClose(t, actual, expected, tol, what) {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale += Math.abs(expected[i]) / expected.length;
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / (scale + Math.abs(expected[i]));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  t.true(worst <= tol, `${what}: element ${at} is ${actual[at]}, expected ${expected[at]} (error ${worst})`);
}

// The float64 reference: one element-wise update, slots as arrays of numbers.
// `t` is the 1-based step. RMSprop centered adds epsilon under the root (see
// native/src/cpu/optim.cc: tfjs subtracts it); Adadelta divides by the
// accumulator from before the step, as tfjs does.
function referenceStep(kind, h, p, g, slots, t) {
  const n = p.length;
  const eps = h.epsilon;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    switch (kind) {
      case Kind.Sgd:
        p[i] -= h.lr * gi;
        break;
      case Kind.Momentum: {
        const [a] = slots;
        a[i] = h.momentum * a[i] + gi;
        p[i] -= h.lr * (h.nesterov ? gi + h.momentum * a[i] : a[i]);
        break;
      }
      case Kind.Adam: {
        const [m, v] = slots;
        m[i] = h.beta1 * m[i] + (1 - h.beta1) * gi;
        v[i] = h.beta2 * v[i] + (1 - h.beta2) * gi * gi;
        const mHat = m[i] / (1 - h.beta1 ** t);
        const vHat = v[i] / (1 - h.beta2 ** t);
        p[i] += -h.lr * (mHat / (Math.sqrt(vHat) + eps));
        break;
      }
      case Kind.AdamW: {
        // Keras: decoupled decay first; epsilon added to sqrt(v) before the bias correction.
        const [m, v] = slots;
        p[i] -= p[i] * h.weightDecay * h.lr;
        const alpha = (h.lr * Math.sqrt(1 - h.beta2 ** t)) / (1 - h.beta1 ** t);
        m[i] += (gi - m[i]) * (1 - h.beta1);
        v[i] += (gi * gi - v[i]) * (1 - h.beta2);
        p[i] -= (m[i] * alpha) / (Math.sqrt(v[i]) + eps);
        break;
      }
      case Kind.Nadam: {
        const [m, v] = slots;
        const uT = nadamU(h.beta1, t);
        const uNext = nadamU(h.beta1, t + 1);
        const U = nadamUProduct(h.beta1, t);
        m[i] += (gi - m[i]) * (1 - h.beta1);
        v[i] += (gi * gi - v[i]) * (1 - h.beta2);
        const mHat = (uNext * m[i]) / (1 - U * uNext) + ((1 - uT) * gi) / (1 - U);
        const vHat = v[i] / (1 - h.beta2 ** t);
        p[i] -= (mHat * h.lr) / (Math.sqrt(vHat) + eps);
        break;
      }
      case Kind.Lion: {
        const [m] = slots;
        p[i] -= p[i] * h.weightDecay * h.lr;
        p[i] -= h.lr * Math.sign(m[i] * h.beta1 + gi * (1 - h.beta1));
        m[i] = m[i] * h.beta2 + gi * (1 - h.beta2);
        break;
      }
      case Kind.Adamax: {
        const [m, u] = slots;
        m[i] = h.beta1 * m[i] + (1 - h.beta1) * gi;
        u[i] = Math.max(h.beta2 * u[i], Math.abs(gi));
        p[i] += (-h.lr / (1 - h.beta1 ** t)) * (m[i] / (u[i] + eps));
        break;
      }
      case Kind.Rmsprop: {
        const [ms, mom, mg] = slots;
        ms[i] = h.rho * ms[i] + (1 - h.rho) * gi * gi;
        let denom;
        if (h.centered) {
          mg[i] = h.rho * mg[i] + (1 - h.rho) * gi;
          denom = Math.sqrt(ms[i] - mg[i] * mg[i] + eps);
        } else {
          denom = Math.sqrt(ms[i] + eps);
        }
        mom[i] = h.momentum * mom[i] + (h.lr * gi) / denom;
        p[i] -= mom[i];
        break;
      }
      case Kind.Adagrad: {
        const [a] = slots;
        a[i] += gi * gi;
        p[i] += -h.lr * (gi / Math.sqrt(a[i] + eps));
        break;
      }
      case Kind.Adadelta: {
        const [ag, au] = slots;
        const newAg = h.rho * ag[i] + (1 - h.rho) * gi * gi;
        const upd = (Math.sqrt(au[i] + eps) / Math.sqrt(ag[i] + eps)) * gi;
        au[i] = h.rho * au[i] + (1 - h.rho) * upd * upd;
        ag[i] = newAg;
        p[i] += -h.lr * upd;
        break;
      }
      default:
        throw new Error(`unknown kind ${kind}`);
    }
  }
}

const DEFAULTS = {
  lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, momentum: 0, rho: 0.9, weightDecay: 0,
  nesterov: false, centered: false,
};

const CASES = [
  { name: 'sgd', kind: Kind.Sgd, slots: 0, hyper: { lr: 0.1 } },
  { name: 'momentum', kind: Kind.Momentum, slots: 1, hyper: { lr: 0.05, momentum: 0.9 } },
  { name: 'momentum (nesterov)', kind: Kind.Momentum, slots: 1, hyper: { lr: 0.05, momentum: 0.9, nesterov: true } },
  { name: 'adam', kind: Kind.Adam, slots: 2, hyper: { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } },
  { name: 'adamw', kind: Kind.AdamW, slots: 2,
    hyper: { lr: 0.01, beta1: 0.9, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.05 } },
  { name: 'adamax', kind: Kind.Adamax, slots: 2, hyper: { lr: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } },
  { name: 'rmsprop', kind: Kind.Rmsprop, slots: 2, hyper: { lr: 0.001, rho: 0.9, epsilon: 1e-7 } },
  { name: 'rmsprop (momentum)', kind: Kind.Rmsprop, slots: 2,
    hyper: { lr: 0.001, rho: 0.95, momentum: 0.8, epsilon: 1e-7 } },
  { name: 'rmsprop (centered)', kind: Kind.Rmsprop, slots: 3,
    hyper: { lr: 0.001, rho: 0.9, centered: true, epsilon: 1e-7 } },
  { name: 'rmsprop (centered, momentum)', kind: Kind.Rmsprop, slots: 3,
    hyper: { lr: 0.001, rho: 0.9, momentum: 0.5, centered: true, epsilon: 1e-7 } },
  { name: 'adagrad', kind: Kind.Adagrad, slots: 1, hyper: { lr: 0.1, epsilon: 1e-7 }, initialSlot: 0.1 },
  { name: 'adadelta', kind: Kind.Adadelta, slots: 2, hyper: { lr: 1, rho: 0.95, epsilon: 1e-6 } },
  { name: 'nadam', kind: Kind.Nadam, slots: 2, hyper: { lr: 0.01, beta1: 0.9, beta2: 0.99, epsilon: 1e-7 },
    perStep: (t) => ({ uProduct: nadamUProduct(0.9, t) }) },
  { name: 'lion', kind: Kind.Lion, slots: 1, hyper: { lr: 0.01, beta1: 0.9, beta2: 0.99, weightDecay: 0.1 } },
];

// 1003 elements: several blocks and a ragged tail; 70001: split across threads.
const SIZES = [1003, 70001];

for (const c of CASES) {
  test(`optimStep ${c.name}: three steps match the float64 rule`, (t) => {
    const h = { ...DEFAULTS, ...c.hyper };
    const params = SIZES.map((n) => randomArray(n));
    const refParams = params.map((p) => Float64Array.from(p));
    const init = c.initialSlot ?? 0;
    const refSlots = SIZES.map((n) => Array.from({ length: c.slots }, () => new Float64Array(n).fill(init)));
    const pH = params.map((p, i) => new TensorHandle(F32, [SIZES[i]], p));
    const sH = refSlots.map((list) => list.map((s) => new TensorHandle(F32, [s.length], Float32Array.from(s))));
    for (let step = 1; step <= 3; step++) {
      const grads = SIZES.map((n) => randomArray(n, 2));
      addon.optimStep(c.kind, pH, grads.map((g, i) => new TensorHandle(F32, [SIZES[i]], g)), sH, { ...c.hyper, step, ...c.perStep?.(step) });
      SIZES.forEach((_, i) => referenceStep(c.kind, h, refParams[i], grads[i], refSlots[i], step));
    }
    SIZES.forEach((n, i) => {
      assertClose(t, pH[i].read(), refParams[i], 1e-5, `param of size ${n}`);
      sH[i].forEach((s, k) => assertClose(t, s.read(), refSlots[i][k], 1e-5, `slot ${k} of size ${n}`));
    });
  });
}

test('optimStep adam: hand-checked first step (bias correction makes it lr * sign(g))', (t) => {
  const p = new TensorHandle(F32, [3], new Float32Array([1, 2, 3]));
  const m = new TensorHandle(F32, [3], new Float32Array(3));
  const v = new TensorHandle(F32, [3], new Float32Array(3));
  addon.optimStep(Kind.Adam, [p], [new TensorHandle(F32, [3], new Float32Array([0.5, -2, 0]))], [[m, v]],
    { lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: 1 });
  // m^ = g, v^ = g^2, so the step is lr * g / (|g| + eps).
  assertClose(t, p.read(), [1 - 0.1 * (0.5 / (0.5 + 1e-7)), 2 + 0.1 * (2 / (2 + 1e-7)), 3], 1e-6, 'param');
  assertClose(t, m.read(), [0.05, -0.2, 0], 1e-6, 'm');
  // OptimHyper holds beta2 as a float, so 1 - beta2 is 1.3e-5 off 0.001 (tfjs forms it in double).
  assertClose(t, v.read(), [0.00025, 0.004, 0], 2e-5, 'v');
});

test('BAD CALL – optimStep with the wrong slot count or mismatched lists throws and updates nothing', (t) => {
  const p1 = new TensorHandle(F32, [2], new Float32Array([1, 2]));
  const p2 = new TensorHandle(F32, [2], new Float32Array([3, 4]));
  const g = () => new TensorHandle(F32, [2], new Float32Array([1, 1]));
  const s = () => new TensorHandle(F32, [2], new Float32Array(2));
  // The second variable's slot list is short: the first must not have moved either.
  const err = t.throws(() =>
    addon.optimStep(Kind.Adam, [p1, p2], [g(), g()], [[s(), s()], [s()]], { lr: 0.1, step: 1 }));
  t.is(err.code, 'ERR_INVALID_ARG');
  t.is(err.message, 'optimStep: slots[1] has 1 tensors but this optimizer needs 2');
  t.deepEqual(Array.from(p1.read()), [1, 2]);
  const lenErr = t.throws(() => addon.optimStep(Kind.Sgd, [p1, p2], [g()], [[], []], { lr: 0.1 }));
  t.is(lenErr.code, 'ERR_INVALID_ARG');
  t.is(lenErr.message, 'optimStep: got 2 params, 1 grads and 2 slot lists');
  const centered = t.throws(() =>
    addon.optimStep(Kind.Rmsprop, [p1], [g()], [[s(), s()]], { lr: 0.1, centered: true }));
  t.is(centered.message, 'optimStep: slots[0] has 2 tensors but this optimizer needs 3');
  const sizeErr = t.throws(() =>
    addon.optimStep(Kind.Sgd, [p1], [new TensorHandle(F32, [3], null)], [[]], { lr: 0.1 }));
  t.is(sizeErr.code, 'ERR_SHAPE_MISMATCH');
  const lionErr = t.throws(() => addon.optimStep(Kind.Lion, [p1], [g()], [[s(), s()]], { lr: 0.1 }));
  t.is(lionErr.message, 'optimStep: slots[0] has 2 tensors but this optimizer needs 1');
  const kindErr = t.throws(() => addon.optimStep(10, [p1], [g()], [[]], { lr: 0.1 }));
  t.is(kindErr.message, 'optimStep: unknown optimizer kind 10');
  const uErr = t.throws(() => addon.optimStep(Kind.Nadam, [p1], [g()], [[s(), s()]], { lr: 0.1, uProduct: 'x' }));
  t.is(uErr.message, 'optimStep: expected a number for hyper.uProduct');
  t.deepEqual(Array.from(p1.read()), [1, 2]);
});
