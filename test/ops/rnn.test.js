'use strict';
// rnnSequence (whole-sequence LSTM, GRU with resetAfter, SimpleRNN): outputs,
// final states and every gradient against PyTorch fixtures
// (scripts/fixtures/rnn_fixtures.py), forwards and goBackwards, with and
// without initial states and bias, T = 1 and batch 1; finite differences on
// tiny cases; bad arguments; memory.
const test = require('ava');
const { rnnSequence } = require('../../dist/ops/rnn');
const { tensor } = require('../../dist/ops/creation');
const { sum } = require('../../dist/ops/reduce');
const { add, mul } = require('../../dist/ops/elementwise');
const { grads } = require('../../dist/autograd/gradients');
const { memory, tidy } = require('../../dist/tensor/scope');
const { gradcheck, close, uniform } = require('./gradcheck');

const fixtures = {
  lstm: require('../fixtures/rnn/lstm.json').cases,
  gru: require('../fixtures/rnn/gru.json').cases,
  rnn: require('../fixtures/rnn/rnn.json').cases,
};

function label(c) {
  const [n, t, f, u] = c.shape;
  return `${c.kind}${c.kind === 'rnn' ? ` ${c.activation}` : ''} N${n} T${t} F${f} U${u}${c.bias ? '' : ' no bias'}` +
    `${c.initialState ? ' initial state' : ''}${c.goBackwards ? ' goBackwards' : ''}`;
}

/** The case's inputs as tensors, in the op's order: x, kernel, recurrentKernel, bias?, states... */
function inputsOf(c) {
  const [n, t, f, u] = c.shape;
  const g = { lstm: 4, gru: 3, rnn: 1 }[c.kind];
  const list = [tensor(c.x, [n, t, f]), tensor(c.kernel, [f, g * u]), tensor(c.recurrentKernel, [u, g * u])];
  if (c.bias) list.push(tensor(c.bias, c.kind === 'gru' ? [2, g * u] : [g * u]));
  for (const s of c.initialState ?? []) list.push(tensor(s, [n, u]));
  return list;
}

/** Calls rnnSequence with inputs laid out as inputsOf gives them. */
function call(c, inputs, returnSequences) {
  const [x, kernel, recurrentKernel, ...rest] = inputs;
  const bias = c.bias ? rest.shift() : null;
  return rnnSequence({
    kind: c.kind, x, kernel, recurrentKernel, bias, initialState: c.initialState ? rest : null,
    goBackwards: c.goBackwards, returnSequences, ...(c.kind === 'rnn' ? { activation: c.activation } : {}),
  });
}

const lastStep = (values, n, t, u) => {
  const out = [];
  for (let i = 0; i < n; i++) out.push(...values.slice((i * t + t - 1) * u, (i * t + t) * u));
  return out;
};

const GRAD_NAMES = (c) => ['dx', 'dkernel', 'drecurrentKernel', ...(c.bias ? ['dbias'] : []),
  ...(c.initialState ? (c.kind === 'lstm' ? ['dh0', 'dc0'] : ['dh0']) : [])];

for (const kind of ['lstm', 'gru', 'rnn']) {
  test(`${kind}: outputs and final states match PyTorch within 1e-5`, (t) => {
    const before = memory().numTensors;
    for (const c of fixtures[kind]) {
      const [n, steps, , u] = c.shape;
      const inputs = inputsOf(c);
      const seq = call(c, inputs, true);
      t.deepEqual(seq.output.shape, [n, steps, u]);
      close(t, seq.output.dataSync(), c.y, { rtol: 0, atol: 1e-5, label: `${label(c)} y` });
      t.is(seq.states.length, kind === 'lstm' ? 2 : 1);
      close(t, seq.states[0].dataSync(), c.hT, { rtol: 0, atol: 1e-5, label: `${label(c)} hT` });
      if (kind === 'lstm') close(t, seq.states[1].dataSync(), c.cT, { rtol: 0, atol: 1e-5, label: `${label(c)} cT` });
      const last = call(c, inputs, false);
      t.deepEqual(last.output.shape, [n, u]);
      t.not(last.output, last.states[0]);
      close(t, last.output.dataSync(), lastStep(c.y, n, steps, u), { rtol: 0, atol: 1e-5, label: `${label(c)} last output` });
      close(t, last.states[0].dataSync(), c.hT, { rtol: 0, atol: 1e-5, label: `${label(c)} hT (last)` });
      for (const v of [...inputs, seq.output, ...seq.states, last.output, ...last.states]) v.dispose();
    }
    t.is(memory().numTensors, before);
  });

  test(`${kind}: gradients for x, weights, bias and initial states match PyTorch's autograd`, (t) => {
    const before = memory().numTensors;
    for (const c of fixtures[kind]) {
      const [n, steps, , u] = c.shape;
      for (const returnSequences of c.last ? [true, false] : [true]) {
        const expected = returnSequences ? c.grads : c.last;
        const inputs = inputsOf(c);
        const wy = returnSequences ? tensor(c.wy, [n, steps, u]) : tensor(lastStep(c.wy, n, steps, u), [n, u]);
        const wh = tensor(c.wh, [n, u]);
        const wc = c.wc ? tensor(c.wc, [n, u]) : null;
        let seen = null;
        const g = grads((...args) => tidy(() => {
          const r = call(c, args, returnSequences);
          seen = r.output.dataSync();
          let loss = add(sum(mul(r.output, wy)), sum(mul(r.states[0], wh)));
          if (wc) loss = add(loss, sum(mul(r.states[1], wc)));
          return loss;
        }))(inputs);
        // The training primitive (under a tape) computes what the inference one does.
        close(t, seen, returnSequences ? c.y : lastStep(c.y, n, steps, u), { rtol: 0, atol: 1e-5, label: `${label(c)} y under a tape` });
        GRAD_NAMES(c).forEach((name, i) => {
          t.deepEqual(g[i].shape, inputs[i].shape, `${label(c)} ${name} shape`);
          close(t, g[i].dataSync(), expected[name], { rtol: 1e-4, atol: 1e-5, label: `${label(c)}${returnSequences ? '' : ' (last only)'} ${name}` });
        });
        for (const v of [...inputs, wy, wh, wc, ...g]) v?.dispose();
      }
    }
    t.is(memory().numTensors, before);
  });
}

// ------------------------------------------------------------------ finite differences

const tinyCases = [
  { kind: 'lstm', goBackwards: false }, { kind: 'lstm', goBackwards: true },
  { kind: 'gru', goBackwards: false }, { kind: 'gru', goBackwards: true },
  { kind: 'rnn', goBackwards: false, activation: 'tanh' }, { kind: 'rnn', goBackwards: true, activation: 'sigmoid' },
];

for (const tc of tinyCases) {
  test(`gradcheck: ${tc.kind}${tc.activation ? ` ${tc.activation}` : ''}${tc.goBackwards ? ' goBackwards' : ''}, all inputs, sequence and final state`, (t) => {
    const [n, steps, f, u] = [2, 3, 2, 2];
    const g = { lstm: 4, gru: 3, rnn: 1 }[tc.kind];
    const states = tc.kind === 'lstm' ? 2 : 1;
    const inputs = [
      tensor(uniform(n * steps * f, -1, 1, 1), [n, steps, f]),
      tensor(uniform(f * g * u, -0.8, 0.8, 2), [f, g * u]),
      tensor(uniform(u * g * u, -0.8, 0.8, 3), [u, g * u]),
      tensor(uniform(g * u * (tc.kind === 'gru' ? 2 : 1), -0.5, 0.5, 4), tc.kind === 'gru' ? [2, g * u] : [g * u]),
      ...Array.from({ length: states }, (_, i) => tensor(uniform(n * u, -1, 1, 5 + i), [n, u])),
    ];
    const run = (returnSequences, pick) => (x, kernel, recurrentKernel, bias, ...initialState) => tidy(() => {
      const r = rnnSequence({ kind: tc.kind, x, kernel, recurrentKernel, bias, initialState, goBackwards: tc.goBackwards, returnSequences,
        ...(tc.activation ? { activation: tc.activation } : {}) });
      return pick(r);
    });
    gradcheck(t, run(true, (r) => r.output), inputs, { label: `${tc.kind} sequence` });
    gradcheck(t, run(false, (r) => r.states[states - 1]), inputs, { label: `${tc.kind} final state` });
    gradcheck(t, run(false, (r) => r.output), inputs, { label: `${tc.kind} last output` });
    for (const v of inputs) v.dispose();
  });
}

test('a gradient that is not wanted is not computed, and the others still are', (t) => {
  const c = fixtures.lstm[1];
  const before = memory().numTensors;
  const [x, kernel, recurrentKernel, bias, h0, c0] = inputsOf(c);
  // Only the weights are sources: x, bias and the states get no gradient.
  const [dk, dr] = grads((k, r) => tidy(() => sum(mul(call(c, [x, k, r, bias, h0, c0], true).output, tensor(c.wy, x.shape.slice(0, 2).concat([c.shape[3]]))))))([kernel, recurrentKernel]);
  const all = grads((...args) => tidy(() => sum(mul(call(c, args, true).output, tensor(c.wy, x.shape.slice(0, 2).concat([c.shape[3]]))))))([x, kernel, recurrentKernel, bias, h0, c0]);
  close(t, dk.dataSync(), all[1].dataSync(), { rtol: 0, atol: 0, label: 'dkernel' });
  close(t, dr.dataSync(), all[2].dataSync(), { rtol: 0, atol: 0, label: 'drecurrentKernel' });
  for (const v of [x, kernel, recurrentKernel, bias, h0, c0, dk, dr, ...all]) v.dispose();
  t.is(memory().numTensors, before);
});

test('two sequences through the same weights in one step keep their own workspaces', (t) => {
  const before = memory().numTensors;
  const c = fixtures.lstm[0];
  const [x1, kernel, recurrentKernel, bias] = inputsOf(c);
  const x2 = tensor(c.x.map((v) => -v), x1.shape);
  const wy = tensor(c.wy, c.shape.slice(0, 2).concat([c.shape[3]]));
  const loss = (x) => (k, r, b) => tidy(() => sum(mul(rnnSequence({ kind: 'lstm', x, kernel: k, recurrentKernel: r, bias: b, returnSequences: true }).output, wy)));
  const both = grads((k, r, b) => tidy(() => add(loss(x1)(k, r, b), loss(x2)(k, r, b))))([kernel, recurrentKernel, bias]);
  const one = grads(loss(x1))([kernel, recurrentKernel, bias]);
  const two = grads(loss(x2))([kernel, recurrentKernel, bias]);
  both.forEach((g, i) => {
    const sumOf = Array.from(one[i].dataSync(), (v, j) => v + two[i].dataSync()[j]);
    close(t, g.dataSync(), sumOf, { rtol: 1e-5, atol: 1e-6, label: `gradient ${i}` });
  });
  for (const v of [x1, x2, kernel, recurrentKernel, bias, wy, ...both, ...one, ...two]) v.dispose();
  t.is(memory().numTensors, before);
});

test('an empty batch gives empty outputs and zero weight gradients', (t) => {
  const before = memory().numTensors;
  const x = tensor([], [0, 3, 2]);
  const kernel = tensor(uniform(2 * 8, -1, 1, 9), [2, 8]);
  const recurrentKernel = tensor(uniform(2 * 8, -1, 1, 10), [2, 8]);
  const { output, states } = rnnSequence({ kind: 'lstm', x, kernel, recurrentKernel, returnSequences: true });
  t.deepEqual(output.shape, [0, 3, 2]);
  t.deepEqual(states.map((s) => s.shape), [[0, 2], [0, 2]]);
  const [dk] = grads((k) => tidy(() => sum(rnnSequence({ kind: 'lstm', x, kernel: k, recurrentKernel }).output)))([kernel]);
  t.deepEqual(Array.from(dk.dataSync()), new Array(16).fill(0));
  for (const v of [x, kernel, recurrentKernel, output, ...states, dk]) v.dispose();
  t.is(memory().numTensors, before);
});

test('tensor-like inputs are accepted and the tensors made for them are freed', (t) => {
  const before = memory().numTensors;
  const { output, states } = rnnSequence({
    kind: 'rnn', x: [[[1], [2]]], kernel: [[0.5]], recurrentKernel: [[0.25]], bias: [0.1], activation: 'relu', returnSequences: true,
  });
  // relu(0.5 + 0.1) = 0.6, then relu(1 + 0.6 * 0.25 + 0.1) = 1.25
  close(t, output.dataSync(), [0.6, 1.25], { rtol: 1e-6, label: 'relu rnn' });
  for (const v of [output, ...states]) v.dispose();
  t.is(memory().numTensors, before);
});

// ------------------------------------------------------------------ bad calls

test('BAD CALL – bad arguments name the argument, what was expected and what came', (t) => {
  const before = memory().numTensors;
  const x = tensor(uniform(2 * 3 * 4), [2, 3, 4]);
  const kernel = tensor(uniform(4 * 8), [4, 8]);
  const recurrentKernel = tensor(uniform(2 * 8), [2, 8]);
  const base = { kind: 'lstm', x, kernel, recurrentKernel };
  // patch is a function so that tidy frees the tensors it makes.
  const bad = (patch, cls, message) => tidy(() => {
    const e = t.throws(() => rnnSequence({ ...base, ...patch() }), { instanceOf: cls });
    t.is(e.message, message);
  });
  bad(() => ({ kind: 'lstmcell' }), TypeError, "rnnSequence: expected one of 'lstm', 'gru', 'rnn' for 'kind' but received 'lstmcell'");
  bad(() => ({ x: tensor([1, 2], [1, 2]) }), RangeError, "rnnSequence: expected a tensor of rank 3 ([batch, steps, features]) for 'x' but received a float32 tensor of shape [1,2]");
  bad(() => ({ x: tensor([], [2, 0, 4]) }), RangeError, "rnnSequence: expected at least one step for 'x' but received a float32 tensor of shape [2,0,4]");
  bad(() => ({ kernel: tensor(uniform(3 * 8), [3, 8]) }), Error, 'rnnSequence: kernel must be [features, 4 * units] for x and recurrentKernel ([3,8] and [4,8])');
  bad(() => ({ recurrentKernel: tensor(uniform(2 * 6), [2, 6]) }), RangeError, "rnnSequence: expected a tensor [units, 4 * units] (units >= 1) for 'recurrentKernel' but received a float32 tensor of shape [2,6]");
  bad(() => ({ bias: tensor(uniform(6), [6]) }), Error, 'rnnSequence: bias must be [4 * units] ([6] and [8])');
  bad(() => ({ kind: 'gru', kernel: tensor(uniform(4 * 6), [4, 6]), recurrentKernel: tensor(uniform(2 * 6), [2, 6]), bias: tensor(uniform(6), [6]) }), Error,
    'rnnSequence: bias must be [2, 3 * units] ([6] and [2,6])');
  bad(() => ({ initialState: [tensor(uniform(4), [2, 2])] }), TypeError, "rnnSequence: expected null or an array of 2 tensors ([h0, c0]) for 'initialState' but received an array of length 1");
  bad(() => ({ initialState: [tensor(uniform(4), [2, 2]), tensor(uniform(6), [3, 2])] }), Error, 'rnnSequence: initialState[1] must be [batch, units] ([3,2] and [2,2])');
  bad(() => ({ activation: 'relu' }), TypeError, "rnnSequence: expected one of 'tanh' for 'activation' but received 'relu'");
  bad(() => ({ kind: 'rnn', kernel: tensor(uniform(8), [4, 2]), recurrentKernel: tensor(uniform(4), [2, 2]), activation: 'selu' }), TypeError,
    "rnnSequence: expected one of 'tanh', 'relu', 'sigmoid' for 'activation' but received 'selu'");
  bad(() => ({ goBackwards: 1 }), TypeError, "rnnSequence: expected a boolean for 'goBackwards' but received 1 of type number");
  bad(() => ({ x: tensor([true, false], [1, 2, 1], 'bool') }), TypeError, "rnnSequence: expected a float32 tensor for 'x' but received a bool tensor of shape [1,2,1]");
  t.throws(() => rnnSequence(null), { instanceOf: TypeError, message: "rnnSequence: expected an object for 'args' but received null" });
  for (const v of [x, kernel, recurrentKernel]) v.dispose();
  t.is(memory().numTensors, before);
});

// ------------------------------------------------------------------ batches split between threads

// From N·U >= 4096 the LSTM kernel gives each thread its own block of rows
// for the whole sequence and sums the blocks' weight gradients at the end.
// Reference: the same LSTM unrolled step by step from public ops (matMul,
// sigmoid, tanh, ...) under autograd, an independent path.
function unrolledLstm(tf, x, kernel, recurrentKernel, bias, h0, c0, goBackwards) {
  const [, steps] = x.shape;
  let h = h0;
  let c = c0;
  const outputs = [];
  for (let k = 0; k < steps; k++) {
    const p = goBackwards ? steps - 1 - k : k;
    const xt = tf.squeeze(tf.slice(x, [0, p, 0], [-1, 1, -1]), [1]);
    const z = tf.add(tf.add(tf.matMul(xt, kernel), tf.matMul(h, recurrentKernel)), bias);
    const [zi, zf, zc, zo] = tf.split(z, 4, 1);
    c = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zc)));
    h = tf.mul(tf.sigmoid(zo), tf.tanh(c));
    outputs.push(h);
  }
  return { output: tf.stack(outputs, 1), states: [h, c] };
}

for (const goBackwards of [false, true]) {
  test(`lstm${goBackwards ? ' goBackwards' : ''}: a batch split between threads (N 33, U 128) matches the unrolled ops, outputs and every gradient`, (t) => {
    const tf = require('../../dist');
    const before = memory().numTensors;
    const [n, steps, f, u] = [33, 4, 5, 128];
    const inputs = [
      tensor(uniform(n * steps * f, -1, 1, 11), [n, steps, f]),
      tensor(uniform(f * 4 * u, -0.3, 0.3, 12), [f, 4 * u]),
      tensor(uniform(u * 4 * u, -0.1, 0.1, 13), [u, 4 * u]),
      tensor(uniform(4 * u, -0.5, 0.5, 14), [4 * u]),
      tensor(uniform(n * u, -1, 1, 15), [n, u]),
      tensor(uniform(n * u, -1, 1, 16), [n, u]),
    ];
    const wy = tensor(uniform(n * steps * u, -1, 1, 17), [n, steps, u]);
    const wc = tensor(uniform(n * u, -1, 1, 18), [n, u]);
    const loss = (r) => add(sum(mul(r.output, wy)), sum(mul(r.states[1], wc)));
    const fused = (x, k, rk, b, h0, c0) => tidy(() => loss(rnnSequence({ kind: 'lstm', x, kernel: k, recurrentKernel: rk, bias: b, initialState: [h0, c0], goBackwards, returnSequences: true })));
    const unrolled = (x, k, rk, b, h0, c0) => tidy(() => loss(unrolledLstm(tf, x, k, rk, b, h0, c0, goBackwards)));
    const got = tidy(() => rnnSequence({ kind: 'lstm', x: inputs[0], kernel: inputs[1], recurrentKernel: inputs[2], bias: inputs[3], initialState: inputs.slice(4), goBackwards, returnSequences: true }));
    const want = tidy(() => unrolledLstm(tf, ...inputs, goBackwards));
    close(t, got.output.dataSync(), want.output.dataSync(), { rtol: 1e-5, atol: 1e-5, label: 'output' });
    close(t, got.states[1].dataSync(), want.states[1].dataSync(), { rtol: 1e-5, atol: 1e-5, label: 'final c' });
    const g = grads(fused)(inputs);
    const r = grads(unrolled)(inputs);
    ['dx', 'dkernel', 'drecurrentKernel', 'dbias', 'dh0', 'dc0'].forEach((name, i) => close(t, g[i].dataSync(), r[i].dataSync(), { rtol: 1e-4, atol: 1e-4, label: name }));
    for (const v of [...inputs, wy, wc, got.output, ...got.states, want.output, ...want.states, ...g, ...r]) v.dispose();
    t.is(memory().numTensors, before);
  });
}
