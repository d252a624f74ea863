// rnnForward / rnnBackward (LSTM, GRU with reset after, simple RNN) against
// Keras's cell formulas in float64, the workspace contract, the backward
// overwriting (not accumulating into) its outputs, and bad calls.
const test = require('ava');
const path = require('path');
const addon = require('node-gyp-build')(path.join(__dirname, '..', '..'));

const { TensorHandle } = addon;
const F32 = 0;
const I32 = 1;
const BOOL = 2;
const KIND = { lstm: 0, gru: 1, rnn: 2 };
const ACT = { relu: 1, sigmoid: 3, tanh: 4 };
const GATES = { lstm: 4, gru: 3, rnn: 1 };

const f32 = (shape, data) => new TensorHandle(F32, shape, data ? Float32Array.from(data) : null);

let seed = 4242;
function random(n, scale = 1) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    out[i] = (seed / 2147483648 * 2 - 1) * scale;
  }
  return out;
}

function assertClose(t, actual, expected, tol, what) {
  t.is(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  t.true(worst <= tol, `${what}: element ${at} is ${actual[at]}, expected ${expected[at]} (error ${worst})`);
}

const sigmoid = (v) => 1 / (1 + Math.exp(-v));
const ACTIVATIONS = { tanh: Math.tanh, relu: (v) => Math.max(0, v), sigmoid };

/**
 * Keras's layers in float64: the sequence read from its end when
 * goBackwards, outputs in the order computed. Returns y [n, t, u], hT, cT.
 */
function reference(c) {
  const { kind, n, t: steps, f, u } = c;
  const g = GATES[kind];
  const y = new Float64Array(n * steps * u);
  const hT = new Float64Array(n * u);
  const cT = new Float64Array(n * u);
  for (let b = 0; b < n; b++) {
    let h = Array.from({ length: u }, (_, j) => (c.h0 ? c.h0[b * u + j] : 0));
    let cell = Array.from({ length: u }, (_, j) => (c.c0 ? c.c0[b * u + j] : 0));
    for (let k = 0; k < steps; k++) {
      const step = c.goBackwards ? steps - 1 - k : k;
      // xw = x_t · kernel (+ input bias), hw = h · recurrentKernel (+ recurrent bias), G*U wide.
      const xw = new Float64Array(g * u);
      const hw = new Float64Array(g * u);
      for (let o = 0; o < g * u; o++) {
        for (let i = 0; i < f; i++) xw[o] += c.x[(b * steps + step) * f + i] * c.kernel[i * g * u + o];
        for (let i = 0; i < u; i++) hw[o] += h[i] * c.recurrentKernel[i * g * u + o];
        if (c.bias) {
          xw[o] += c.bias[o];
          if (kind === 'gru') hw[o] += c.bias[g * u + o];
        }
      }
      const next = new Array(u);
      for (let j = 0; j < u; j++) {
        if (kind === 'lstm') {
          const z = (q) => xw[q * u + j] + hw[q * u + j];
          cell[j] = sigmoid(z(1)) * cell[j] + sigmoid(z(0)) * Math.tanh(z(2));
          next[j] = sigmoid(z(3)) * Math.tanh(cell[j]);
        } else if (kind === 'gru') {
          const z = sigmoid(xw[j] + hw[j]);
          const r = sigmoid(xw[u + j] + hw[u + j]);
          const hh = Math.tanh(xw[2 * u + j] + r * hw[2 * u + j]);
          next[j] = z * h[j] + (1 - z) * hh;
        } else {
          next[j] = ACTIVATIONS[c.activation](xw[j] + hw[j]);
        }
      }
      h = next;
      for (let j = 0; j < u; j++) y[(b * steps + k) * u + j] = h[j];
    }
    for (let j = 0; j < u; j++) {
      hT[b * u + j] = h[j];
      cT[b * u + j] = cell[j];
    }
  }
  return { y, hT, cT };
}

/** A random problem: plain arrays for the reference, handles for the addon. */
function problem(kind, { n = 3, t = 4, f = 5, u = 6, bias = true, state = true, goBackwards = false, activation = 'tanh' } = {}) {
  const g = GATES[kind];
  const c = {
    kind, n, t, f, u, goBackwards, activation,
    x: random(n * t * f), kernel: random(f * g * u, 0.6), recurrentKernel: random(u * g * u, 0.6),
    bias: bias ? random((kind === 'gru' ? 2 : 1) * g * u, 0.5) : null,
    h0: state ? random(n * u) : null, c0: state && kind === 'lstm' ? random(n * u) : null,
  };
  c.h = {
    x: f32([n, t, f], c.x), kernel: f32([f, g * u], c.kernel), recurrentKernel: f32([u, g * u], c.recurrentKernel),
    bias: c.bias ? f32(kind === 'gru' ? [2, g * u] : [g * u], c.bias) : null,
    h0: c.h0 ? f32([n, u], c.h0) : null, c0: c.c0 ? f32([n, u], c.c0) : null,
  };
  return c;
}

const head = (c) => [KIND[c.kind], ACT[c.activation], c.goBackwards];

/** Runs the forward; returns its outputs (handles). */
function forward(c, { sequences = true, training = false } = {}) {
  const { n, t, u } = c;
  const out = {
    y: f32(sequences ? [n, t, u] : [n, u]), hT: f32([n, u]), cT: c.kind === 'lstm' ? f32([n, u]) : null,
    ws: training ? new TensorHandle(BOOL, [addon.rnnWorkspaceBytes(...head(c), [n, t, c.f], u, sequences, c.h0 !== null)]) : null,
  };
  const h = c.h;
  addon.rnnForward(...head(c), h.x, h.h0, h.c0, h.kernel, h.recurrentKernel, h.bias, out.y, out.hT, out.cT, out.ws);
  return out;
}

const lastSteps = (y, n, t, u) => {
  const out = [];
  for (let b = 0; b < n; b++) out.push(...y.slice((b * t + t - 1) * u, (b * t + t) * u));
  return out;
};

const configs = [
  ['lstm', {}], ['lstm', { goBackwards: true, state: false }], ['lstm', { bias: false, t: 1, n: 1 }],
  ['gru', {}], ['gru', { goBackwards: true }], ['gru', { bias: false, state: false }],
  ['rnn', { activation: 'tanh' }], ['rnn', { activation: 'relu', goBackwards: true }], ['rnn', { activation: 'sigmoid', state: false }],
];

for (const [kind, options] of configs) {
  const name = `${kind} ${JSON.stringify(options)}`;
  test(`${name}: inference and training forwards match Keras's formulas in float64`, (t) => {
    const c = problem(kind, options);
    const ref = reference(c);
    for (const training of [false, true]) {
      for (const sequences of [true, false]) {
        const out = forward(c, { sequences, training });
        const what = `${training ? 'training' : 'inference'}, ${sequences ? 'sequences' : 'last step'}`;
        assertClose(t, out.y.read(), sequences ? ref.y : lastSteps(ref.y, c.n, c.t, c.u), 2e-6, `${what} y`);
        assertClose(t, out.hT.read(), ref.hT, 2e-6, `${what} hT`);
        if (out.cT) assertClose(t, out.cT.read(), ref.cT, 2e-6, `${what} cT`);
      }
    }
  });
}

test('the backward overwrites its outputs: two calls give the same gradients', (t) => {
  for (const kind of ['lstm', 'gru', 'rnn']) {
    const c = problem(kind, { goBackwards: true });
    const { n, t: steps, f, u } = c;
    const g = GATES[kind];
    const out = forward(c, { training: true });
    const dy = f32([n, steps, u], random(n * steps * u));
    const dhT = f32([n, u], random(n * u));
    const dcT = kind === 'lstm' ? f32([n, u], random(n * u)) : null;
    const run = () => {
      const d = {
        dx: f32([n, steps, f], random(n * steps * f)), dh0: f32([n, u], random(n * u)), dc0: kind === 'lstm' ? f32([n, u], random(n * u)) : null,
        dk: f32([f, g * u], random(f * g * u)), dr: f32([u, g * u], random(u * g * u)), db: f32(c.h.bias.shape, random(c.bias.length)),
      };
      const h = c.h;
      addon.rnnBackward(...head(c), h.x, h.h0, h.c0, h.kernel, h.recurrentKernel, h.bias, out.y, out.hT, out.cT, out.ws,
        dy, dhT, dcT, d.dx, d.dh0, d.dc0, d.dk, d.dr, d.db);
      return Object.fromEntries(Object.entries(d).filter(([, v]) => v).map(([k, v]) => [k, Array.from(v.read())]));
    };
    t.deepEqual(run(), run(), kind);
  }
});

test('every gradient output is optional, and leaving one out does not change the others', (t) => {
  const c = problem('lstm');
  const { n, t: steps, f, u } = c;
  const out = forward(c, { training: true });
  const dy = f32([n, steps, u], random(n * steps * u));
  const dhT = f32([n, u], random(n * u));
  const dcT = f32([n, u], random(n * u));
  const h = c.h;
  const full = [f32([n, steps, f]), f32([n, u]), f32([n, u]), f32([f, 4 * u]), f32([u, 4 * u]), f32([4 * u])];
  addon.rnnBackward(...head(c), h.x, h.h0, h.c0, h.kernel, h.recurrentKernel, h.bias, out.y, out.hT, out.cT, out.ws, dy, dhT, dcT, ...full);
  const onlyKernel = f32([f, 4 * u]);
  addon.rnnBackward(...head(c), h.x, h.h0, h.c0, h.kernel, h.recurrentKernel, h.bias, out.y, out.hT, out.cT, out.ws, dy, dhT, dcT,
    null, null, null, onlyKernel, null, null);
  t.deepEqual(onlyKernel.read(), full[3].read());
});

test('results do not depend on the thread count (primitives are cached per count)', (t) => {
  const c = problem('gru', { n: 8, t: 6, f: 7, u: 16 });
  const threads = addon.runtimeInfo().threads;
  const many = forward(c).y.read();
  addon.setNumThreads(1);
  try {
    assertClose(t, forward(c).y.read(), many, 1e-6, 'y on one thread');
  } finally {
    addon.setNumThreads(threads);
  }
});

test('the workspace grows by dst_layer exactly when y cannot hold it', (t) => {
  const shape = [4, 5, 3];
  const bytes = (goBackwards, sequences) => addon.rnnWorkspaceBytes(KIND.lstm, ACT.tanh, goBackwards, shape, 8, sequences, false);
  const own = bytes(false, true);
  t.true(own > 0 && own % 64 === 0);
  const dst = 4 * 5 * 8 * 4;
  t.is(bytes(false, false), own + dst);
  t.is(bytes(true, true), bytes(true, false));
  t.is(bytes(true, true) - dst, own);
  t.is(addon.rnnWorkspaceBytes(KIND.lstm, ACT.tanh, false, [0, 5, 3], 8, true, false), 0);
});

test('BAD CALL – rnn shapes, dtypes, states and workspaces', (t) => {
  const c = problem('lstm');
  const { n, t: steps, f, u } = c;
  const h = c.h;
  const y = f32([n, steps, u]);
  const hT = f32([n, u]);
  const cT = f32([n, u]);
  const fwd = (patch) => {
    const a = { kind: KIND.lstm, act: ACT.tanh, back: false, x: h.x, h0: h.h0, c0: h.c0, k: h.kernel, r: h.recurrentKernel, b: h.bias, y, hT, cT, ws: null, ...patch };
    return () => addon.rnnForward(a.kind, a.act, a.back, a.x, a.h0, a.c0, a.k, a.r, a.b, a.y, a.hT, a.cT, a.ws);
  };
  let e = t.throws(fwd({ k: f32([f + 1, 4 * u]) }));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, `rnnForward: kernel must be [${f},${4 * u}], got [${f + 1},${4 * u}]`);
  t.throws(fwd({ x: f32([n, steps]) }), { message: `rnnForward: x must be [batch, steps, features], got [${n},${steps}]` });
  t.throws(fwd({ r: f32([u, 3 * u]) }), { message: `rnnForward: recurrentKernel must be [${u},${4 * u}], got [${u},${3 * u}]` });
  t.throws(fwd({ b: f32([2, 4 * u]) }), { message: `rnnForward: bias must be [${4 * u}], got [2,${4 * u}]` });
  t.throws(fwd({ y: f32([n, steps + 1, u]) }), { message: `rnnForward: y must be [${n},${steps},${u}], got [${n},${steps + 1},${u}]` });
  t.throws(fwd({ x: new TensorHandle(I32, [n, steps, f]) }), { message: 'rnnForward: expected float32 for x, got int32' });
  t.throws(fwd({ c0: null }), { message: 'rnnForward: an LSTM takes h0 and c0 together' });
  t.throws(fwd({ cT: null }), { message: 'rnnForward: an LSTM needs cT' });
  t.throws(fwd({ kind: KIND.gru }), { message: 'rnnForward: only an LSTM has a cell state (c0, cT)' });
  t.throws(fwd({ kind: KIND.rnn, act: 2, r: f32([u, u]), k: f32([f, u]), b: null, c0: null, cT: null }), { message: 'rnnForward: a simple RNN runs tanh, relu or sigmoid only' });
  t.throws(fwd({ kind: 9 }), { message: 'rnnForward: unknown recurrent kind 9' });
  t.throws(fwd({ ws: new TensorHandle(BOOL, [5]) }), { message: /^rnnForward: the workspace has 5 bytes, the primitive needs \d+$/ });
  t.throws(fwd({ back: 1 }), { message: 'rnnForward: expected a boolean for goBackwards' });
  t.throws(() => addon.rnnBackward(KIND.lstm, ACT.tanh, false, h.x, h.h0, h.c0, h.kernel, h.recurrentKernel, h.bias, y, hT, cT, null,
    y, hT, cT, null, null, null, null, null, null), { message: /^rnnBackward: expected a TensorHandle for workspace/ });
  const out = forward(c, { training: true });
  const bwd = (patch) => {
    const a = { dy: f32([n, steps, u]), dhT: f32([n, u]), dcT: f32([n, u]), dx: null, dh0: null, dc0: null, dk: null, dr: null, db: null, ...patch };
    return () => addon.rnnBackward(KIND.lstm, ACT.tanh, false, h.x, h.h0, h.c0, h.kernel, h.recurrentKernel, h.bias, out.y, out.hT, out.cT, out.ws,
      a.dy, a.dhT, a.dcT, a.dx, a.dh0, a.dc0, a.dk, a.dr, a.db);
  };
  t.notThrows(bwd({}));
  t.throws(bwd({ dcT: null }), { message: 'rnnBackward: dy, dhT (and dcT for an LSTM) are required' });
  t.throws(bwd({ dy: f32([n, u]) }), { message: `rnnBackward: dy must be [${n},${steps},${u}], got [${n},${u}]` });
  t.throws(bwd({ dk: f32([f, u]) }), { message: `rnnBackward: dkernel must be [${f},${4 * u}], got [${f},${u}]` });
});
