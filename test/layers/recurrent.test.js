// SimpleRNN, LSTM, GRU, RNN with cells and stacked cells: outputs and final
// states against PyTorch (test/fixtures/rnn_layers, written by
// scripts/fixtures/rnn_layer_fixtures.py) with and without masks, forwards
// and backwards; the settings PyTorch lacks (hardSigmoid, GRU resetAfter
// false) against the float64 reference below; gradients against central
// differences of that reference; masks through models, dropout, stateful
// layers, initial states, configs, save/load, summaries, memory and errors.
// Serial: many tests compare tf.memory() before and after.
const test = require('ava').serial;
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('../../dist');
const { close, numericGrad, values, dot } = require('./helpers');
const { gradcheck } = require('../ops/gradcheck');

const { layers, tensor } = tf;
const FIX = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/rnn_layers/recurrent.json'), 'utf8'));
const { batch: B, steps: T, features: F, units: U } = FIX;
const GATES = { lstm: 4, gru: 3, rnn: 1 };
const FACTORY = { lstm: layers.lstm, gru: layers.gru, rnn: layers.simpleRNN };

// ------------------------------------------------------------------ float64 reference

const ACT = {
  tanh: Math.tanh,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  hardSigmoid: (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)),
  linear: (v) => v,
  relu: (v) => Math.max(0, v),
};

/** row · M[:, from:from+n] for a row-major matrix M with `cols` columns. */
function rowTimes(row, m, cols, from, n) {
  const out = new Array(n).fill(0);
  for (let k = 0; k < row.length; k++) for (let j = 0; j < n; j++) out[j] += row[k] * m[k * cols + from + j];
  return out;
}

/**
 * One recurrent layer in float64, Keras semantics: outputs [B, T, U] in
 * processing order and the final states. opts: units, features,
 * activation, recurrentActivation, resetAfter, goBackwards, mask (B*T, 0/1),
 * initial (arrays of B*U), zeroOutput.
 */
function reference(kind, w, x, shape, opts = {}) {
  const [b, t, f] = shape;
  const u = opts.units ?? U;
  const g = GATES[kind];
  const act = ACT[opts.activation ?? 'tanh'];
  const ract = ACT[opts.recurrentActivation ?? 'sigmoid'];
  const resetAfter = opts.resetAfter ?? true;
  const nStates = kind === 'lstm' ? 2 : 1;
  const outputs = new Array(b * t * u).fill(0);
  const finals = Array.from({ length: nStates }, () => new Array(b * u).fill(0));
  const order = [...Array(t).keys()];
  if (opts.goBackwards) order.reverse();
  for (let i = 0; i < b; i++) {
    let states = Array.from({ length: nStates }, (_, k) => (opts.initial ? opts.initial[k].slice(i * u, (i + 1) * u) : new Array(u).fill(0)));
    let prev = new Array(u).fill(0);
    order.forEach((s, p) => {
      const valid = !opts.mask || opts.mask[i * t + s] !== 0;
      if (valid) {
        const xt = x.slice((i * t + s) * f, (i * t + s + 1) * f);
        const xp = rowTimes(xt, w.kernel, g * u, 0, g * u).map((v, j) => v + (w.bias ? w.bias[j] : 0));
        const h = states[0];
        let next;
        if (kind === 'rnn') {
          const hp = rowTimes(h, w.recurrentKernel, u, 0, u);
          const out = xp.map((v, j) => act(v + hp[j]));
          next = [out];
        } else if (kind === 'lstm') {
          const hp = rowTimes(h, w.recurrentKernel, 4 * u, 0, 4 * u);
          const z = xp.map((v, j) => v + hp[j]);
          const c = states[1].map((cv, j) => ract(z[u + j]) * cv + ract(z[j]) * act(z[2 * u + j]));
          const hn = c.map((cv, j) => ract(z[3 * u + j]) * act(cv));
          next = [hn, c];
        } else if (resetAfter) {
          const hp = rowTimes(h, w.recurrentKernel, 3 * u, 0, 3 * u).map((v, j) => v + (w.bias ? w.bias[3 * u + j] : 0));
          next = [h.map((hv, j) => {
            const z = ract(xp[j] + hp[j]);
            const r = ract(xp[u + j] + hp[u + j]);
            const cand = act(xp[2 * u + j] + r * hp[2 * u + j]);
            return z * hv + (1 - z) * cand;
          })];
        } else {
          const hp = rowTimes(h, w.recurrentKernel, 3 * u, 0, 2 * u);
          const z = hp.slice(0, u).map((v, j) => ract(xp[j] + v));
          const r = hp.slice(u).map((v, j) => ract(xp[u + j] + v));
          const hc = rowTimes(h.map((hv, j) => r[j] * hv), w.recurrentKernel, 3 * u, 2 * u, u);
          next = [h.map((hv, j) => z[j] * hv + (1 - z[j]) * act(xp[2 * u + j] + hc[j]))];
        }
        states = next;
        prev = next[0];
        for (let j = 0; j < u; j++) outputs[(i * t + p) * u + j] = prev[j];
      } else if (!opts.zeroOutput) {
        for (let j = 0; j < u; j++) outputs[(i * t + p) * u + j] = prev[j];
      }
    });
    states.forEach((s, k) => s.forEach((v, j) => { finals[k][i * u + j] = v; }));
  }
  return { outputs, states: finals };
}

/** Keras-layout weights of a layer as flat arrays (deterministic). */
function randomWeights(kind, f, u, seed, opts = {}) {
  const g = GATES[kind];
  const biasSize = kind === 'gru' && (opts.resetAfter ?? true) ? 2 * 3 * u : g * u;
  return {
    kernel: values(f * g * u, seed).map((v) => Math.fround(v * 0.6)),
    recurrentKernel: values(u * g * u, seed + 1).map((v) => Math.fround(v * 0.6)),
    bias: values(biasSize, seed + 2).map((v) => Math.fround(v * 0.3)),
  };
}

function weightTensors(kind, w, f, u, resetAfter = true) {
  const g = GATES[kind];
  return [tensor(w.kernel, [f, g * u]), tensor(w.recurrentKernel, [u, g * u]), tensor(w.bias, kind === 'gru' && resetAfter ? [2, 3 * u] : [g * u])];
}

const data = (t) => Array.from(t.dataSync());

// ------------------------------------------------------------------ PyTorch fixtures

for (const [name, c] of Object.entries(FIX.cases)) for (const fused of c.mask ? [false] : [true, false]) {
  test(`${name} (${fused ? 'fused kernel' : 'cell path'}): outputs and final states equal PyTorch's (converted to the Keras layout)`, (t) => {
    const before = tf.memory().numTensors;
    const weights = [tensor(c.kernel, [F, GATES[c.kind] * U]), tensor(c.recurrentKernel, [U, GATES[c.kind] * U]), tensor(c.bias, c.biasShape)];
    const layer = FACTORY[c.kind]({ units: U, returnSequences: true, returnState: true, goBackwards: c.goBackwards, weights });
    layer.allowFused = fused;
    const x = tensor(c.x, c.xShape);
    const mask = c.mask ? tf.tidy(() => tf.cast(tensor(c.mask, [B, T]), 'bool')) : null;
    const kwargs = {};
    if (mask) kwargs.mask = mask;
    if (c.initialState) kwargs.initialState = c.initialState.map((s) => tensor(s, [B, U]));
    const [y, ...states] = layer.apply(x, kwargs);
    t.deepEqual(y.shape, [B, T, U]);
    close(t, data(y), c.outputs, 1e-5, 'outputs');
    t.is(states.length, c.states.length);
    states.forEach((s, i) => close(t, data(s), c.states[i], 1e-5, `state ${i}`));

    // The last output alone (returnSequences false) is the last step of the sequence.
    const lastLayer = FACTORY[c.kind]({ units: U, goBackwards: c.goBackwards, weights });
    lastLayer.allowFused = fused;
    const last = lastLayer.apply(x, kwargs);
    t.deepEqual(last.shape, [B, U]);
    const lastExpected = [];
    for (let i = 0; i < B; i++) lastExpected.push(...c.outputs.slice((i * T + T - 1) * U, (i * T + T) * U));
    close(t, data(last), lastExpected, 1e-5, 'last output');

    // The float64 reference of this file agrees with PyTorch too.
    const ref = reference(c.kind, { kernel: c.kernel, recurrentKernel: c.recurrentKernel, bias: c.bias }, c.x, c.xShape, {
      goBackwards: c.goBackwards, mask: c.mask, initial: c.initialState,
    });
    close(t, ref.outputs, c.outputs, 1e-6, 'reference');

    tf.dispose([x, mask, y, states, last, weights, kwargs.initialState]);
    layer.dispose();
    lastLayer.dispose();
    t.is(tf.memory().numTensors, before);
  });
}

test('a Masking layer before the recurrent layer skips the masked steps (functional and sequential)', (t) => {
  for (const kind of ['lstm', 'gru', 'rnn']) {
    const c = FIX.cases[`${kind}_masked`];
    // Masked steps become all zeros, which Masking turns into the mask.
    const xv = c.x.map((v, i) => (c.mask[Math.floor(i / F)] ? v : 0));
    const weights = [tensor(c.kernel, [F, GATES[kind] * U]), tensor(c.recurrentKernel, [U, GATES[kind] * U]), tensor(c.bias, c.biasShape)];
    const model = tf.sequential({ layers: [layers.masking({ maskValue: 0, inputShape: [null, F] }), FACTORY[kind]({ units: U, returnSequences: true, weights })] });
    const x = tensor(xv, c.xShape);
    const y = model.apply(x);
    close(t, data(y), c.outputs, 1e-5, kind);
    t.truthy(y.kerasMask, 'a returned sequence carries the mask on');
    t.deepEqual(data(y.kerasMask), c.mask);
    y.kerasMask.dispose();
    tf.dispose([x, y, weights]);
    model.dispose();
  }
});

test('Embedding maskZero: the mask reaches the LSTM through a functional model; a layer without masking support ends it', (t) => {
  const ids = [[3, 1, 4, 0, 0], [0, 0, 2, 7, 1]];
  const input = layers.input({ shape: [null], dtype: 'int32' });
  const emb = layers.embedding({ inputDim: 8, outputDim: 3, maskZero: true });
  const lstm = layers.lstm({ units: 4 });
  const model = tf.model({ inputs: input, outputs: lstm.apply(emb.apply(input)) });
  const x = tensor(ids, undefined, 'int32');
  const y = model.predict(x);
  const e = emb.apply(x);
  const w = lstm.getWeights().map((v) => data(v));
  const ref = reference('lstm', { kernel: w[0], recurrentKernel: w[1], bias: w[2] }, data(e), [2, 5, 3], { units: 4, mask: ids.flat().map((v) => (v ? 1 : 0)) });
  const lastRef = [0, 1].flatMap((i) => ref.outputs.slice((i * 5 + 4) * 4, (i * 5 + 5) * 4));
  close(t, data(y), lastRef, 1e-5);
  // Without the mask the padded steps would count.
  const unmasked = reference('lstm', { kernel: w[0], recurrentKernel: w[1], bias: w[2] }, data(e), [2, 5, 3], { units: 4 });
  t.true(Math.abs(unmasked.outputs[4 * 4] - lastRef[0]) > 1e-4);

  // Conv1D does not support masking: the LSTM after it sees no mask.
  const conv = layers.conv1d({ filters: 3, kernelSize: 1, useBias: false, weights: [tf.reshape(tf.eye(3), [1, 3, 3])] });
  const lstm2 = layers.lstm({ units: 4, weights: lstm.getWeights() });
  const model2 = tf.model({ inputs: input, outputs: lstm2.apply(conv.apply(emb.apply(input))) });
  const y2 = model2.predict(x);
  const unmaskedLast = [0, 1].flatMap((i) => unmasked.outputs.slice((i * 5 + 4) * 4, (i * 5 + 5) * 4));
  close(t, data(y2), unmaskedLast, 1e-5);
  tf.dispose([x, y, e, y2]);
  model.dispose();
  model2.dispose();
});

// ------------------------------------------------------------------ settings PyTorch lacks

test('hardSigmoid gates, GRU resetAfter false and other activations equal the float64 reference', (t) => {
  const x = values(B * T * F, 31);
  const mask = [1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0];
  const cases = [
    ['lstm', { recurrentActivation: 'hardSigmoid' }],
    ['gru', { recurrentActivation: 'hardSigmoid', resetAfter: false }],
    ['gru', { resetAfter: false }],
    ['gru', { resetAfter: false, goBackwards: true, masked: true }],
    ['lstm', { activation: 'relu', recurrentActivation: 'hardSigmoid', goBackwards: true, masked: true }],
    ['rnn', { activation: 'relu' }],
    ['rnn', { activation: 'linear', masked: true }],
  ];
  cases.forEach(([kind, opts], k) => {
    const w = randomWeights(kind, F, U, 40 + 3 * k, opts);
    const { masked, ...args } = opts;
    const layer = FACTORY[kind]({ units: U, returnSequences: true, returnState: true, ...args, weights: weightTensors(kind, w, F, U, opts.resetAfter ?? true) });
    const xt = tensor(x, [B, T, F]);
    const m = masked ? tensor(mask, [B, T]) : null;
    const [y, ...states] = layer.apply(xt, m ? { mask: m } : {});
    const ref = reference(kind, w, x, [B, T, F], { ...opts, mask: masked ? mask : null });
    close(t, data(y), ref.outputs, 1e-5, `${kind} ${JSON.stringify(opts)} outputs`);
    states.forEach((s, i) => close(t, data(s), ref.states[i], 1e-5, `${kind} ${JSON.stringify(opts)} state ${i}`));
    tf.dispose([xt, m, y, states]);
    layer.dispose();
  });
});

test('defaults are Keras 2+: sigmoid gates, GRU resetAfter, glorotUniform / orthogonal / zeros with unitForgetBias', (t) => {
  const lstm = layers.lstm({ units: 6 });
  const gru = layers.gru({ units: 6 });
  const x = tf.zeros([1, 2, 5]);
  tf.dispose([lstm.apply(x), gru.apply(x)]);
  t.is(lstm.getConfig().recurrentActivation, 'sigmoid');
  t.is(gru.getConfig().recurrentActivation, 'sigmoid');
  t.true(gru.getConfig().resetAfter);
  t.deepEqual(lstm.weights.map((w) => [w.originalName, w.shape]), [['lstm/kernel', [5, 24]], ['lstm/recurrent_kernel', [6, 24]], ['lstm/bias', [24]]].map(([n, s]) => [n.replace('lstm', lstm.name), s]));
  t.deepEqual(gru.weights.map((w) => w.shape), [[5, 18], [6, 18], [2, 18]]);
  // unitForgetBias: the forget block starts at one, the rest at zero.
  t.deepEqual(data(lstm.getWeights()[2]), [...new Array(6).fill(0), ...new Array(6).fill(1), ...new Array(12).fill(0)]);
  // orthogonal: the rows of the [6, 24] recurrent kernel are orthonormal.
  const r = data(lstm.getWeights()[1]);
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 6; j++) {
      let s = 0;
      for (let k = 0; k < 24; k++) s += r[i * 24 + k] * r[j * 24 + k];
      t.true(Math.abs(s - (i === j ? 1 : 0)) < 1e-5);
    }
  }
  // glorotUniform: |w| <= sqrt(6 / (fanIn + fanOut)).
  const limit = Math.sqrt(6 / (5 + 24));
  t.true(data(lstm.getWeights()[0]).every((v) => Math.abs(v) <= limit));
  t.deepEqual(layers.lstm({ units: 2, unitForgetBias: false }).getConfig().unitForgetBias, false);
  x.dispose();
  lstm.dispose();
  gru.dispose();
});

// ------------------------------------------------------------------ gradients

/** d(Σ w·[outputs, states]) / d(x, weights, initial states) against central differences of the float64 reference. */
function checkGradients(t, kind, opts = {}) {
  const b = 2;
  const steps = 3;
  const f = 2;
  const u = 3;
  const resetAfter = opts.resetAfter ?? true;
  const w = randomWeights(kind, f, u, 60, opts);
  const x = values(b * steps * f, 61);
  const nStates = kind === 'lstm' ? 2 : 1;
  const init = Array.from({ length: nStates }, (_, k) => values(b * u, 62 + k).map((v) => Math.fround(v * 0.5)));
  const dOut = values(b * steps * u, 64);
  const dStates = Array.from({ length: nStates }, (_, k) => values(b * u, 65 + k));
  const refLoss = (ww, xx, ii) => {
    const r = reference(kind, ww, xx, [b, steps, f], { ...opts, units: u, initial: ii });
    return dot(r.outputs, dOut) + r.states.reduce((s, st, k) => s + dot(st, dStates[k]), 0);
  };
  const { masked, ...args } = opts;
  const layer = FACTORY[kind]({ units: u, returnSequences: true, returnState: true, ...args, weights: weightTensors(kind, w, f, u, resetAfter) });
  const xt = tensor(x, [b, steps, f]);
  const it = init.map((s) => tensor(s, [b, u]));
  const m = opts.mask ? tensor(opts.mask, [b, steps]) : null;
  tf.dispose(layer.apply(xt));
  const lossOf = (xx, states) => {
    const [y, ...fin] = layer.apply(xx, m ? { initialState: states, mask: m } : { initialState: states });
    let l = tf.sum(tf.mul(y, tensor(dOut, y.shape)));
    fin.forEach((s, k) => { l = tf.add(l, tf.sum(tf.mul(s, tensor(dStates[k], s.shape)))); });
    return l;
  };
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(() => lossOf(xt, it), layer.trainableWeights.map((v) => v.val));
  value.dispose();
  const names = ['kernel', 'recurrentKernel', 'bias'];
  layer.trainableWeights.forEach((v, k) => {
    const key = names[k];
    const numeric = numericGrad((vals) => refLoss({ ...w, [key]: vals }, x, init), w[key]);
    close(t, data(grads[v.name]), numeric, 2e-4, `${kind} ${JSON.stringify(opts)} d${key}`);
  });
  tf.dispose(grads);
  t.is(tf.memory().numTensors, before, 'the gradients leave nothing behind');
  // Input and initial-state gradients with test/ops/gradcheck.js (finite differences of the layer itself).
  gradcheck(t, (xx, ...states) => {
    const [y, ...fin] = layer.apply(xx, m ? { initialState: states, mask: m } : { initialState: states });
    return tf.concat([tf.reshape(y, [-1]), ...fin.map((s) => tf.reshape(s, [-1]))], 0);
  }, [xt, ...it], { label: `${kind} ${JSON.stringify(opts)}` });
  // And against the reference for x.
  const gx = tf.grads((xx) => lossOf(xx, it))([xt]);
  close(t, data(gx[0]), numericGrad((xx) => refLoss(w, xx, init), x), 2e-4, `${kind} dx`);
  tf.dispose([gx, xt, it, m]);
  layer.dispose();
}

test('gradients through a short sequence: LSTM', (t) => checkGradients(t, 'lstm'));
test('gradients through a short sequence: GRU (resetAfter)', (t) => checkGradients(t, 'gru'));
test('gradients through a short sequence: GRU (resetAfter false, hardSigmoid)', (t) => checkGradients(t, 'gru', { resetAfter: false, recurrentActivation: 'hardSigmoid' }));
test('gradients through a short sequence: SimpleRNN', (t) => checkGradients(t, 'rnn'));
test('gradients through masked steps and goBackwards: LSTM', (t) => checkGradients(t, 'lstm', { mask: [1, 0, 1, 0, 1, 1], goBackwards: true }));
test('gradients through masked steps: GRU', (t) => checkGradients(t, 'gru', { mask: [1, 0, 1, 0, 1, 1] }));
test('gradients goBackwards: SimpleRNN', (t) => checkGradients(t, 'rnn', { goBackwards: true }));

// ------------------------------------------------------------------ fused kernel vs cell path

/** Counts the calls of the fused whole-sequence op while fn runs. */
function countFused(fn) {
  const ops = require('../../dist/ops/rnn');
  const original = ops.rnnSequence;
  let calls = 0;
  ops.rnnSequence = (...args) => {
    calls++;
    return original(...args);
  };
  try {
    fn();
  } finally {
    ops.rnnSequence = original;
  }
  return calls;
}

test('the fused kernel and the cell path agree: outputs, states and gradients', (t) => {
  const settings = [
    ['lstm', {}],
    ['lstm', { goBackwards: true, returnSequences: false }],
    ['gru', {}],
    ['gru', { goBackwards: true }],
    ['rnn', {}],
    ['rnn', { activation: 'relu', goBackwards: true }],
    ['rnn', { activation: 'sigmoid', useBias: false }],
    ['lstm', { useBias: false }],
  ];
  settings.forEach(([kind, args], k) => {
    const label = `${kind} ${JSON.stringify(args)}`;
    const w = randomWeights(kind, F, U, 200 + 3 * k);
    const ws = weightTensors(kind, w, F, U);
    if (args.useBias === false) ws.pop().dispose();
    const layer = FACTORY[kind]({ units: U, returnSequences: true, returnState: true, ...args, weights: ws });
    const x = tensor(values(B * T * F, 210 + k), [B, T, F]);
    const h0 = (kind === 'lstm' ? [0, 1] : [0]).map((i) => tensor(values(B * U, 220 + i), [B, U]));
    tf.dispose(layer.apply(x));
    const run = (fused) => {
      layer.allowFused = fused;
      const vars = layer.trainableWeights.map((v) => v.val);
      let out;
      const calls = countFused(() => {
        out = tf.tidy(() => {
          const g = tf.grads((xx, ...st) => {
            const [y, ...fin] = layer.apply(xx, { initialState: st });
            return tf.addN([tf.sum(tf.mul(y, y)), ...fin.map((s) => tf.sum(tf.mul(s, tensor(values(s.size, 230), s.shape))))]);
          })([x, ...h0]);
          const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { initialState: h0 })[0])), vars);
          value.dispose();
          return { y: layer.apply(x, { initialState: h0 }), g, wg: vars.map((v) => grads[v.name]) };
        });
      });
      return { ...out, calls };
    };
    const fused = run(true);
    const cell = run(false);
    t.true(fused.calls > 0, `${label}: the fused kernel ran`);
    t.is(cell.calls, 0, `${label}: the cell path ran`);
    fused.y.forEach((v, i) => close(t, data(v), data(cell.y[i]), 1e-5, `${label} output ${i}`));
    fused.g.forEach((v, i) => close(t, data(v), data(cell.g[i]), 1e-4, `${label} input gradient ${i}`));
    fused.wg.forEach((v, i) => close(t, data(v), data(cell.wg[i]), 1e-4, `${label} weight gradient ${i}`));
    tf.dispose([x, h0, fused.y, fused.g, fused.wg, cell.y, cell.g, cell.wg]);
    layer.dispose();
  });
});

test('which path runs: masks, hardSigmoid, resetAfter false, recurrentDropout in training and stacked cells take the cell path', (t) => {
  const x = tf.ones([2, 3, 4]);
  const mask = tf.tidy(() => tf.cast(tensor([[1, 1, 0], [1, 0, 0]]), 'bool'));
  const calls = (layer, kwargs = {}) => {
    let n;
    const y = [];
    n = countFused(() => y.push(layer.apply(x, kwargs)));
    tf.dispose(y);
    layer.dispose();
    return n;
  };
  t.is(calls(layers.lstm({ units: 2 })), 1);
  t.is(calls(layers.lstm({ units: 2 }), { mask }), 0);
  t.is(calls(layers.lstm({ units: 2, recurrentActivation: 'hardSigmoid' })), 0);
  t.is(calls(layers.gru({ units: 2, resetAfter: false })), 0);
  t.is(calls(layers.gru({ units: 2 })), 1);
  t.is(calls(layers.gru({ units: 2, recurrentDropout: 0.3 }), { training: true }), 0);
  t.is(calls(layers.gru({ units: 2, recurrentDropout: 0.3 })), 1, 'recurrent dropout does nothing in inference');
  t.is(calls(layers.gru({ units: 2, dropout: 0.3 }), { training: true }), 1, 'input dropout is one mask on x');
  t.is(calls(layers.simpleRNN({ units: 2, activation: 'linear' })), 0);
  t.is(calls(layers.rnn({ cell: layers.lstmCell({ units: 2 }) })), 1);
  t.is(calls(layers.rnn({ cell: [layers.lstmCell({ units: 2 }), layers.lstmCell({ units: 2 })] })), 0);
  t.is(calls(layers.bidirectional({ layer: layers.lstm({ units: 2 }) })), 2);
  tf.dispose([x, mask]);
});

// ------------------------------------------------------------------ dropout

for (const activation of ['linear', 'relu']) {
  test(`dropout: one input mask per sequence, only in training; predict is deterministic (${activation === 'linear' ? 'cell path' : 'fused kernel'})`, (t) => {
    // SimpleRNN with kernel I and no recurrence on positive inputs: each output step is x_t times the input mask.
    const n = 6;
    const eye = tf.eye(n);
    const layer = layers.simpleRNN({ units: n, activation, dropout: 0.5, returnSequences: true, useBias: false, weights: [eye, tf.zeros([n, n])] });
    const x = tf.ones([4, 5, n]);
    const y = layer.apply(x, { training: true });
    const v = data(y);
    for (let b = 0; b < 4; b++) {
      const first = v.slice(b * 5 * n, b * 5 * n + n);
      t.true(first.every((e) => e === 0 || Math.abs(e - 2) < 1e-6), 'kept units are scaled by 1 / (1 - rate)');
      for (let s = 1; s < 5; s++) t.deepEqual(v.slice((b * 5 + s) * n, (b * 5 + s + 1) * n), first, 'the same mask at every step');
    }
    t.true(v.some((e) => e === 0) && v.some((e) => e !== 0));
    const inference = layer.apply(x);
    t.deepEqual(data(inference), new Array(4 * 5 * n).fill(1));
    tf.dispose([eye, x, y, inference]);
    layer.dispose();
  });
}

test('recurrentDropout: one mask on the state per sequence, in training only', (t) => {
  // Linear SimpleRNN with recurrent kernel I and no input: h_t = (h_{t-1} ⊙ m) = m^t ⊙ h_0.
  const n = 8;
  const layer = layers.simpleRNN({ units: n, activation: 'linear', recurrentDropout: 0.5, returnSequences: true, useBias: false, weights: [tf.zeros([1, n]), tf.eye(n)] });
  const x = tf.zeros([3, 4, 1]);
  const h0 = tf.ones([3, n]);
  const y = layer.apply(x, { training: true, initialState: [h0] });
  const v = data(y);
  for (let b = 0; b < 3; b++) {
    const m = v.slice(b * 4 * n, b * 4 * n + n);
    t.true(m.every((e) => e === 0 || Math.abs(e - 2) < 1e-6));
    for (let s = 1; s < 4; s++) {
      const row = v.slice((b * 4 + s) * n, (b * 4 + s + 1) * n);
      row.forEach((e, j) => t.true(Math.abs(e - m[j] ** (s + 1)) < 1e-4, 'the same mask at every step'));
    }
  }
  const plain = layer.apply(x, { initialState: [h0] });
  t.deepEqual(data(plain), new Array(3 * 4 * n).fill(1));
  tf.dispose([x, h0, y, plain]);
  layer.dispose();
});

// ------------------------------------------------------------------ states

test('returnState: [output, h, c] for LSTM, [output, h] for GRU and SimpleRNN; the output is h', (t) => {
  const x = tf.randomNormal([2, 4, 3]);
  for (const [kind, n] of [['lstm', 3], ['gru', 2], ['rnn', 2]]) {
    const out = FACTORY[kind]({ units: 5, returnState: true }).apply(x);
    t.is(out.length, n, kind);
    out.forEach((s) => t.deepEqual(s.shape, [2, 5]));
    t.deepEqual(data(out[0]), data(out[1]));
    tf.dispose(out);
  }
  const sym = layers.lstm({ units: 5, returnState: true, returnSequences: true }).apply(layers.input({ shape: [null, 3] }));
  t.deepEqual(sym.map((s) => s.shape), [[null, null, 5], [null, 5], [null, 5]]);
  x.dispose();
});

test('initialState as {initialState} and as extra model inputs; the graph saves and reloads with them', async (t) => {
  const c = FIX.cases.lstm_initial;
  const weights = () => [tensor(c.kernel, [F, 4 * U]), tensor(c.recurrentKernel, [U, 4 * U]), tensor(c.bias, c.biasShape)];
  const x = layers.input({ shape: [T, F] });
  const h0 = layers.input({ shape: [U] });
  const c0 = layers.input({ shape: [U] });
  const lstm = layers.lstm({ units: U, returnSequences: true, weights: weights() });
  const y = lstm.apply(x, { initialState: [h0, c0] });
  t.is(lstm.inboundNodes[0].inputTensors.length, 3, 'the states are inputs of the node');
  const model = tf.model({ inputs: [x, h0, c0], outputs: y });
  const xs = [tensor(c.x, c.xShape), tensor(c.initialState[0], [B, U]), tensor(c.initialState[1], [B, U])];
  const p = model.predict(xs);
  close(t, data(p), c.outputs, 1e-5);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-rnn-'));
  await model.save(`file://${dir}`);
  const back = await tf.loadLayersModel(`file://${dir}/model.json`);
  const p2 = back.predict(xs);
  close(t, data(p2), c.outputs, 1e-5, 'reloaded');
  fs.rmSync(dir, { recursive: true, force: true });

  // A list input [x, h, c] to apply() is the same as {initialState}.
  const eager = layers.lstm({ units: U, returnSequences: true, weights: weights() });
  const p3 = eager.apply(xs);
  close(t, data(p3), c.outputs, 1e-5, 'list input');
  tf.dispose([xs, p, p2, p3]);
  model.dispose();
  back.dispose();
  eager.dispose();
});

test('stateful: the states carry over between batches until resetStates(); memory stays flat', (t) => {
  const w = randomWeights('lstm', 3, 4, 80);
  const x = values(2 * 6 * 3, 81);
  const make = () => layers.lstm({ units: 4, stateful: true, returnSequences: true, batchInputShape: [2, 3, 3], weights: weightTensors('lstm', w, 3, 4) });
  const model = tf.sequential({ layers: [make()] });
  const lstm = model.layers[0];
  const first = tensor([0, 1].flatMap((b) => x.slice(b * 18, b * 18 + 9)), [2, 3, 3]);
  const second = tensor([0, 1].flatMap((b) => x.slice(b * 18 + 9, b * 18 + 18)), [2, 3, 3]);
  const ref = reference('lstm', w, x, [2, 6, 3], { units: 4 });
  const y1 = model.predict(first);
  const afterOne = tf.memory().numTensors;
  const y2 = model.predict(second);
  t.is(tf.memory().numTensors, afterOne + 1, 'only the new output is left');
  const refHalf = (h) => [0, 1].flatMap((b) => ref.outputs.slice((b * 6 + 3 * h) * 4, (b * 6 + 3 * h + 3) * 4));
  close(t, data(y1), refHalf(0), 1e-5, 'first batch');
  close(t, data(y2), refHalf(1), 1e-5, 'second batch continues from the first');
  t.deepEqual(lstm.states.map((s) => s.shape), [[2, 4], [2, 4]]);
  model.resetStates();
  const y3 = model.predict(first);
  close(t, data(y3), refHalf(0), 1e-5, 'after resetStates');
  lstm.resetStates([tf.zeros([2, 4]), tf.zeros([2, 4])]);
  const e1 = t.throws(() => model.predict(tf.zeros([3, 3, 3])));
  t.is(e1.code, 'ERR_SHAPE_MISMATCH');
  const e2 = t.throws(() => layers.lstm({ units: 2, stateful: true }).apply(layers.input({ shape: [3, 3] })));
  t.regex(e2.message, /stateful RNN needs a fixed batch size/);
  const e3 = t.throws(() => layers.lstm({ units: 2 }).resetStates());
  t.is(e3.code, 'ERR_UNSUPPORTED');
  const e4 = t.throws(() => lstm.resetStates([tf.zeros([2, 4])]));
  t.regex(e4.message, /expected 2 initial state tensors/);
  tf.dispose([first, second, y1, y2, y3]);
  model.dispose();
});

test('a null time dimension: one model takes sequences of any length', (t) => {
  const model = tf.sequential({ layers: [layers.gru({ units: 3, inputShape: [null, 2], returnSequences: true }), layers.simpleRNN({ units: 2 })] });
  t.deepEqual(model.outputs[0].shape, [null, 2]);
  for (const steps of [1, 4, 9]) {
    const y = model.predict(tf.ones([2, steps, 2]));
    t.deepEqual(y.shape, [2, 2]);
    y.dispose();
  }
  model.dispose();
});

// ------------------------------------------------------------------ rnn with cells

test('rnn with lstmCell / gruCell / simpleRNNCell equals the lstm / gru / simpleRNN layer; a cell call is one step', (t) => {
  const x = tf.randomNormal([2, 4, 3]);
  for (const [kind, cellFactory] of [['lstm', layers.lstmCell], ['gru', layers.gruCell], ['rnn', layers.simpleRNNCell]]) {
    const w = randomWeights(kind, 3, 5, 90);
    const layer = FACTORY[kind]({ units: 5, returnState: true, weights: weightTensors(kind, w, 3, 5) });
    const cell = cellFactory({ units: 5 });
    const generic = layers.rnn({ cell, returnState: true, weights: weightTensors(kind, w, 3, 5) });
    const a = layer.apply(x);
    const b = generic.apply(x);
    a.forEach((v, i) => close(t, data(b[i]), data(v), 1e-6, `${kind} ${i}`));
    t.deepEqual(generic.weights.map((v) => v.originalName), layer.weights.map((v) => v.originalName.replace(layer.name, generic.name)));
    // One step of the cell.
    const x0 = tf.squeeze(tf.slice(x, [0, 0, 0], [2, 1, 3]), [1]);
    const s0 = (kind === 'lstm' ? [5, 5] : [5]).map(() => tf.zeros([2, 5]));
    const step = cell.call([x0, ...s0], {});
    const ref = reference(kind, w, data(x0), [2, 1, 3], { units: 5 });
    close(t, data(step[0]), ref.outputs, 1e-5, `${kind} cell step`);
    t.is(step.length, s0.length + 1);
    tf.dispose([a, b, x0, s0, step]);
    layer.dispose();
    generic.dispose();
  }
  x.dispose();
});

test('rnn with a custom cell (a subclass of tf.layers.RNNCell): its call() runs at every step, masks carry its state', (t) => {
  // A running sum: h' = h + x.
  class SumCell extends layers.RNNCell {
    constructor() {
      super({});
      this.stateSize = 2;
    }
    call([x, h]) {
      const next = tf.add(x, h);
      return [next, next];
    }
  }
  const x = tensor([[[1, 2], [3, 4], [5, 6]]]);
  const mask = tf.tidy(() => tf.cast(tensor([[1, 0, 1]]), 'bool'));
  const [seq, h] = layers.rnn({ cell: new SumCell(), returnSequences: true, returnState: true }).apply(x, { mask });
  t.deepEqual(seq.arraySync(), [[[1, 2], [1, 2], [6, 8]]]);
  t.deepEqual(h.arraySync(), [[6, 8]]);
  const back = layers.rnn({ cell: new SumCell(), goBackwards: true, returnSequences: true }).apply(x);
  t.deepEqual(back.arraySync(), [[[5, 6], [8, 10], [9, 12]]]);
  tf.dispose([x, mask, seq, h, back]);
});

test('stackedRNNCells: the cells run bottom to top at each step; states are listed top cell first', (t) => {
  const x = tf.randomNormal([2, 4, 3]);
  const w1 = randomWeights('lstm', 3, 4, 100);
  const w2 = randomWeights('gru', 4, 2, 110);
  const lower = layers.lstm({ units: 4, returnSequences: true, returnState: true, weights: weightTensors('lstm', w1, 3, 4) });
  const upper = layers.gru({ units: 2, returnSequences: true, returnState: true, weights: weightTensors('gru', w2, 4, 2) });
  const [seq1, h1, c1] = lower.apply(x);
  const [seq2, h2] = upper.apply(seq1);
  const stacked = layers.rnn({
    cell: layers.stackedRNNCells({ cells: [layers.lstmCell({ units: 4 }), layers.gruCell({ units: 2 })] }),
    returnSequences: true,
    returnState: true,
    weights: [...weightTensors('lstm', w1, 3, 4), ...weightTensors('gru', w2, 4, 2)],
  });
  const out = stacked.apply(x);
  t.is(out.length, 4);
  close(t, data(out[0]), data(seq2), 1e-5, 'output');
  close(t, data(out[1]), data(h2), 1e-5, 'top state');
  close(t, data(out[2]), data(h1), 1e-5, 'lower h');
  close(t, data(out[3]), data(c1), 1e-5, 'lower c');
  t.deepEqual(stacked.cell.stateSize, [2, 4, 4]);
  t.deepEqual(stacked.weights.map((v) => v.originalName.split('/').slice(1).join('/')), [
    'RNNCell_0/kernel', 'RNNCell_0/recurrent_kernel', 'RNNCell_0/bias', 'RNNCell_1/kernel', 'RNNCell_1/recurrent_kernel', 'RNNCell_1/bias',
  ]);
  // An array of cells is the same as stackedRNNCells.
  const arr = layers.rnn({ cell: [layers.lstmCell({ units: 4 }), layers.gruCell({ units: 2 })], weights: stacked.getWeights() });
  const last = arr.apply(x);
  close(t, data(last), data(h2), 1e-5, 'array of cells');
  // Round trip of the config.
  const back = tf.serialization.deserialize(tf.serialization.serializeKerasObject(stacked));
  t.deepEqual(back.getConfig(), stacked.getConfig());
  tf.dispose([x, seq1, h1, c1, seq2, h2, out, last]);
  [lower, upper, stacked, arr, back].forEach((l) => l.dispose());
});

// ------------------------------------------------------------------ configs, save / load

test('getConfig holds the TF.js keys and rebuilds each layer', (t) => {
  const lstm = layers.lstm({ units: 7, returnSequences: true, goBackwards: true, dropout: 0.1, recurrentActivation: 'hardSigmoid', name: 'lstm_cfg' });
  const config = tf.serialization.serializeKerasObject(lstm);
  t.is(config.className, 'LSTM');
  t.like(config.config, {
    name: 'lstm_cfg', units: 7, activation: 'tanh', recurrentActivation: 'hardSigmoid', useBias: true, unitForgetBias: true,
    kernelInitializer: { className: 'VarianceScaling', config: { scale: 1, mode: 'fanAvg', distribution: 'uniform', seed: null } }, recurrentInitializer: { className: 'Orthogonal', config: { gain: 1, seed: null } },
    biasInitializer: { className: 'Zeros', config: {} }, dropout: 0.1, recurrentDropout: 0, implementation: 2,
    returnSequences: true, returnState: false, goBackwards: true, stateful: false, unroll: false, activityRegularizer: null,
  });
  const reg = layers.simpleRNN({ units: 2, activityRegularizer: 'l2' });
  t.is(tf.serialization.deserialize(tf.serialization.serializeKerasObject(reg)).activityRegularizer.getClassName(), 'L1L2');
  const back = tf.serialization.deserialize(config);
  t.deepEqual(back.getConfig(), lstm.getConfig());
  const gruConfig = layers.gru({ units: 3, resetAfter: false, name: 'gru_cfg' }).getConfig();
  t.false(gruConfig.resetAfter);
  const rnnConfig = tf.serialization.serializeKerasObject(layers.rnn({ cell: layers.gruCell({ units: 3 }), name: 'rnn_cfg' }));
  t.is(rnnConfig.config.cell.className, 'GRUCell');
  t.is(tf.serialization.deserialize(rnnConfig).cell.units, 3);
});

test("a TF.js model.json keeps its saved settings: 'hard_sigmoid' gates, reset_after false (or absent)", async (t) => {
  const gruLayer = (extra) => ({
    class_name: 'GRU',
    config: { name: 'g', units: 2, activation: 'tanh', recurrent_activation: 'hard_sigmoid', use_bias: true, return_sequences: false, batch_input_shape: [null, 3, 2], ...extra },
  });
  for (const extra of [{ reset_after: false }, {}]) {
    const topology = { class_name: 'Sequential', config: { name: 's', layers: [gruLayer(extra)] } };
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology }));
    const g = model.layers[0];
    t.is(g.cell.recurrentActivation.getClassName(), 'hardSigmoid');
    t.false(g.cell.resetAfter);
    t.deepEqual(g.weights.map((w) => w.shape), [[2, 6], [2, 6], [6]]);
    model.dispose();
  }
});

test('save and load: the same predictions and weight names for LSTM, GRU and SimpleRNN models', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-rnn-'));
  const model = tf.sequential({
    layers: [
      layers.embedding({ inputDim: 10, outputDim: 4, maskZero: true, inputShape: [null] }),
      layers.lstm({ units: 5, returnSequences: true }),
      layers.gru({ units: 4, returnSequences: true, goBackwards: true }),
      layers.simpleRNN({ units: 3 }),
      layers.dense({ units: 1 }),
    ],
  });
  const x = tensor([[1, 2, 3, 0], [0, 4, 5, 6]], undefined, 'int32');
  const before = model.predict(x);
  await model.save(`file://${dir}`);
  const back = await tf.loadLayersModel(`file://${dir}/model.json`);
  t.deepEqual(back.weights.map((w) => w.originalName), model.weights.map((w) => w.originalName));
  const after = back.predict(x);
  close(t, data(after), data(before), 1e-6);
  fs.rmSync(dir, { recursive: true, force: true });
  tf.dispose([x, before, after]);
  model.dispose();
  back.dispose();
});

test('summary: LSTM(128) on 28 features has 80,384 parameters', (t) => {
  const model = tf.sequential({ layers: [layers.lstm({ units: 128, inputShape: [28, 28] }), layers.dense({ units: 10 })] });
  t.is(model.layers[0].countParams(), 80384);
  const lines = [];
  model.summary(undefined, undefined, (l) => lines.push(l));
  t.true(lines.some((l) => /\(LSTM\)\s+\[null,28,28\]\s+\[null,128\]\s+80384/.test(l)));
  t.is(layers.simpleRNN({ units: 4, inputShape: [3, 2] }).apply(layers.input({ shape: [3, 2] })).shape[1], 4);
  model.dispose();
});

// ------------------------------------------------------------------ training and memory

test('fit, evaluate and predict on recurrent models leave memory where it was', async (t) => {
  const x = tensor(values(16 * 5 * 3, 150), [16, 5, 3]);
  // A target the layers can learn: the first feature of the last step.
  const y = tf.tidy(() => tf.reshape(tf.slice(x, [0, 4, 0], [16, 1, 1]), [16, 1]));
  const model = tf.sequential({
    layers: [
      layers.masking({ inputShape: [5, 3] }),
      layers.lstm({ units: 4, returnSequences: true, dropout: 0.2, recurrentDropout: 0.2 }),
      layers.gru({ units: 3, dropout: 0.1 }),
      layers.dense({ units: 1 }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError' });
  await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
  const before = tf.memory().numTensors;
  const h = await model.fit(x, y, { epochs: 8, batchSize: 8, verbose: 0 });
  t.true(h.history.loss[7] < h.history.loss[0], 'the loss goes down');
  const p = model.predict(x);
  p.dispose();
  tf.dispose(model.evaluate(x, y, { batchSize: 8 }));
  t.is(tf.memory().numTensors, before);

  // A stateful layer in training keeps exactly its states.
  const sm = tf.sequential({ layers: [layers.simpleRNN({ units: 2, stateful: true, batchInputShape: [8, 5, 3] }), layers.dense({ units: 1 })] });
  sm.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  await sm.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
  const b2 = tf.memory().numTensors;
  await sm.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
  t.is(tf.memory().numTensors, b2);
  tf.dispose([x, y]);
  model.dispose();
  sm.dispose();
});

// ------------------------------------------------------------------ errors

test('BAD CALL – clear errors for bad arguments and inputs', (t) => {
  const e1 = t.throws(() => layers.lstm({ units: 0 }), { instanceOf: RangeError });
  t.is(e1.message, 'LSTMCell: expected an integer >= 1 for \'units\' but received 0 of type number');
  const e2 = t.throws(() => layers.gru({ units: 2, dropout: 1 }), { instanceOf: RangeError });
  t.is(e2.message, "GRUCell: expected a number in [0, 1) for 'dropout' but received 1 of type number");
  t.throws(() => layers.simpleRNN({ units: 2, recurrentDropout: 'x' }), { instanceOf: TypeError });
  t.throws(() => layers.lstm({ units: 2, activation: 'nope' }), { code: 'ERR_UNKNOWN_NAME' });
  t.throws(() => layers.rnn({ cell: layers.dense({ units: 2 }) }), { instanceOf: TypeError, message: /expected an RNN cell/ });
  t.throws(() => layers.stackedRNNCells({ cells: [] }), { instanceOf: TypeError });
  const e3 = t.throws(() => layers.lstm({ units: 2, name: 'bad_rank' }).apply(tf.zeros([2, 3])));
  t.is(e3.code, 'ERR_SHAPE_MISMATCH');
  t.regex(e3.message, /bad_rank \(LSTM\): expected an input of rank 3/);
  const layer = layers.lstm({ units: 2, name: 'bad_state' });
  const e4 = t.throws(() => layer.apply(tf.zeros([2, 3, 4]), { initialState: [tf.zeros([2, 2])] }));
  t.is(e4.message, "bad_state (LSTM): expected 2 initial state tensors (sizes 2, 2) for 'initialState' but received an array of length 1");
  const e5 = t.throws(() => layer.apply(tf.zeros([2, 3, 4]), { initialState: [tf.zeros([2, 2]), tf.zeros([2, 3])] }));
  t.is(e5.message, 'bad_state (LSTM): expected initial state 1 of shape [2,2] but received shape [2,3]');
  const e6 = t.throws(() => layers.gru({ units: 2, name: 'no_feat' }).apply(layers.input({ shape: [3, null] })));
  t.regex(e6.message, /the feature axis of the input must be known/);
  const e7 = t.throws(() => layers.lstm({ units: 2, name: 'no_steps' }).apply(tf.zeros([2, 0, 3])));
  t.regex(e7.message, /no time steps/);
  const e8 = t.throws(() => layers.gru({ units: 2, name: 'bad_mask' }).apply(tf.zeros([2, 3, 1]), { mask: tf.ones([2, 4]) }));
  t.is(e8.message, 'bad_mask (GRU): expected a mask of shape [2,3] (batch, steps) but received shape [2,4]');
  t.throws(() => layers.lstm({ units: 2, timeMajor: true }), { code: 'ERR_UNSUPPORTED' });
});
