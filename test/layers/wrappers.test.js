// Bidirectional against PyTorch (test/fixtures/rnn_layers/bidirectional.json,
// written by scripts/fixtures/rnn_layer_fixtures.py): every merge mode, with
// and without masks, returnState, initial states; TimeDistributed over Dense
// and Conv2D against per-step references; weight names, configs, save/load,
// summaries and errors. Serial: several tests compare tf.memory().
const test = require('ava').serial;
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('../../dist');
const { close, values } = require('./helpers');
const { gradcheck } = require('../ops/gradcheck');

const { layers, tensor } = tf;
const FIX = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/rnn_layers/bidirectional.json'), 'utf8')).cases;
const GATES = { lstm: 4, gru: 3 };
const FACTORY = { lstm: layers.lstm, gru: layers.gru };
const data = (t) => Array.from(t.dataSync());

function weightsOf(c, w) {
  const g = GATES[c.kind];
  return [tensor(w.kernel, [c.xShape[2], g * c.units]), tensor(w.recurrentKernel, [c.units, g * c.units]), tensor(w.bias, c.biasShape)];
}

/** A Bidirectional layer over the case's layer kind with the fixture's forward and backward weights. */
function bidirectional(c, args = {}, mergeMode) {
  const { returnSequences = true, returnState = false, ...rest } = args;
  const layer = layers.bidirectional({ layer: FACTORY[c.kind]({ units: c.units, returnSequences, returnState }), mergeMode, ...rest });
  const x = tensor(c.x, c.xShape);
  tf.dispose(layer.apply(x));
  const fw = weightsOf(c, c.forward);
  const bw = weightsOf(c, c.backward);
  layer.setWeights([...fw, ...bw]);
  tf.dispose([x, fw, bw]);
  return layer;
}

function maskOf(c) {
  return c.mask ? tf.tidy(() => tf.cast(tensor(c.mask, [c.xShape[0], c.xShape[1]]), 'bool')) : null;
}

for (const [name, c] of Object.entries(FIX)) {
  test(`bidirectional ${name}: every merge mode equals PyTorch's forward and reversed backward runs`, (t) => {
    const before = tf.memory().numTensors;
    const x = tensor(c.x, c.xShape);
    const mask = maskOf(c);
    const kwargs = mask ? { mask } : {};
    for (const mode of ['concat', 'sum', 'mul', 'ave']) {
      const layer = bidirectional(c, {}, mode);
      const y = layer.apply(x, kwargs);
      close(t, data(y), c.sequences[mode], 1e-5, mode);
      t.deepEqual(y.shape, [c.xShape[0], c.xShape[1], mode === 'concat' ? 2 * c.units : c.units]);
      if (mask) t.deepEqual(data(y.kerasMask), c.mask, 'the mask passes on with the sequence');
      y.dispose();
      layer.dispose();
    }
    // mergeMode null: both sequences, the backward one in time order; with returnState the states follow.
    const layer = bidirectional(c, { returnState: true }, null);
    const out = layer.apply(x, kwargs);
    const n = c.kind === 'lstm' ? 2 : 1;
    t.is(out.length, 2 + 2 * n);
    close(t, data(out[0]), c.forwardSequence, 1e-5, 'forward');
    close(t, data(out[1]), c.backwardSequence, 1e-5, 'backward');
    for (let i = 0; i < n; i++) {
      close(t, data(out[2 + i]), c.forwardStates[i], 1e-5, `forward state ${i}`);
      close(t, data(out[2 + n + i]), c.backwardStates[i], 1e-5, `backward state ${i}`);
    }
    tf.dispose(out);
    layer.dispose();
    // The last outputs, concatenated.
    const lastLayer = bidirectional(c, { returnSequences: false });
    const last = lastLayer.apply(x, kwargs);
    close(t, data(last), c.lastConcat, 1e-5, 'last outputs');
    tf.dispose([x, mask, last]);
    lastLayer.dispose();
    t.is(tf.memory().numTensors, before);
  });
}

test('bidirectional: weights are the forward then the backward layer\'s, named as TF.js; summary counts both', (t) => {
  const model = tf.sequential({ layers: [layers.bidirectional({ layer: layers.gru({ units: 32 }), inputShape: [24, 14], name: 'bidi' }), layers.dense({ units: 1 })] });
  const inner = model.layers[0].forwardLayer.name;
  t.deepEqual(model.layers[0].weights.map((w) => w.originalName), [
    `bidi/${inner}/kernel`, `bidi/${inner}/recurrent_kernel`, `bidi/${inner}/bias`,
    `bidi/${inner.replace('forward', 'backward')}/kernel`, `bidi/${inner.replace('forward', 'backward')}/recurrent_kernel`, `bidi/${inner.replace('forward', 'backward')}/bias`,
  ]);
  t.regex(inner, /^forward_gru/);
  // 2 directions x 3 gates x (F*U + U*U + 2*U) with resetAfter.
  t.is(model.layers[0].countParams(), 2 * 3 * (14 * 32 + 32 * 32 + 2 * 32));
  const lines = [];
  model.summary(undefined, undefined, (l) => lines.push(l));
  t.true(lines.some((l) => /\[null,64\]\s+9216/.test(l)));
  model.dispose();
});

test('bidirectional: initial states (forward then backward) as {initialState} and as model inputs', (t) => {
  const c = FIX.gru;
  const units = c.units;
  const b = c.xShape[0];
  const h0 = [tensor(values(b * units, 5), [b, units]), tensor(values(b * units, 6), [b, units])];
  const layer = bidirectional(c, { returnState: true }, null);
  const x = tensor(c.x, c.xShape);
  const eager = layer.apply(x, { initialState: h0 });
  // Each direction alone, from its own state.
  const fwd = layers.gru({ units, returnSequences: true, returnState: true, weights: weightsOf(c, c.forward) });
  const bwd = layers.gru({ units, returnSequences: true, returnState: true, goBackwards: true, weights: weightsOf(c, c.backward) });
  const [yf, sf] = fwd.apply(x, { initialState: [h0[0]] });
  const [yb, sb] = bwd.apply(x, { initialState: [h0[1]] });
  close(t, data(eager[0]), data(yf), 1e-6);
  close(t, data(eager[1]), data(tf.reverse(yb, 1)), 1e-6);
  close(t, data(eager[2]), data(sf), 1e-6);
  close(t, data(eager[3]), data(sb), 1e-6);
  // Symbolic states become inputs of the node.
  const xi = layers.input({ shape: c.xShape.slice(1) });
  const hi = [layers.input({ shape: [units] }), layers.input({ shape: [units] })];
  const sym = layer.apply(xi, { initialState: hi });
  t.is(sym.length, 4);
  const model = tf.model({ inputs: [xi, ...hi], outputs: sym[0] });
  const p = model.predict([x, ...h0]);
  close(t, data(p), data(yf), 1e-6);
  const e = t.throws(() => layer.apply(x, { initialState: [h0[0]] }));
  t.regex(e.message, /expected 2 initial state tensors/);
  tf.dispose([h0, eager, x, yf, sf, yb, sb, p]);
  [layer, fwd, bwd].forEach((l) => l.dispose());
});

test('bidirectional: config round trip (layer, mergeMode, backwardLayer), save and load, gradients', async (t) => {
  const layer = layers.bidirectional({ layer: layers.lstm({ units: 3, returnSequences: true, name: 'inner' }), mergeMode: 'sum', name: 'bd_cfg' });
  const config = tf.serialization.serializeKerasObject(layer);
  t.is(config.className, 'Bidirectional');
  t.is(config.config.mergeMode, 'sum');
  t.is(config.config.layer.className, 'LSTM');
  t.is(config.config.layer.config.name, 'inner', 'the wrapped layer is saved under its own name');
  t.false('backwardLayer' in config.config);
  const back = tf.serialization.deserialize(config);
  t.deepEqual(back.getConfig(), layer.getConfig());
  t.is(back.forwardLayer.name, 'forward_inner');
  t.true(back.backwardLayer.goBackwards);

  // A backward layer of its own (Keras's backward_layer): a GRU backwards beside an LSTM forwards.
  const custom = layers.bidirectional({
    layer: layers.lstm({ units: 3, returnSequences: true }),
    backwardLayer: layers.gru({ units: 3, returnSequences: true, goBackwards: true, name: 'back_gru' }),
  });
  const cc = custom.getConfig();
  t.is(cc.backwardLayer.className, 'GRU');
  const x = tf.randomNormal([2, 4, 5]);
  const model = tf.sequential({ layers: [layers.inputLayer({ inputShape: [4, 5] }), custom, layers.globalAveragePooling1d()] });
  const y = model.predict(x);
  t.deepEqual(y.shape, [2, 6]);
  t.deepEqual(custom.backwardLayer.getClassName(), 'GRU');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-bidi-'));
  await model.save(`file://${dir}`);
  const loaded = await tf.loadLayersModel(`file://${dir}/model.json`);
  t.deepEqual(loaded.weights.map((w) => w.originalName), model.weights.map((w) => w.originalName));
  close(t, data(loaded.predict(x)), data(y), 1e-6);
  fs.rmSync(dir, { recursive: true, force: true });

  // Gradients through both directions (finite differences of the layer).
  const small = layers.bidirectional({ layer: layers.gru({ units: 2, returnSequences: true }), mergeMode: 'ave' });
  gradcheck(t, (xx) => small.apply(xx), [tensor(values(2 * 3 * 2, 9), [2, 3, 2])], { label: 'bidirectional' });
  tf.dispose([x, y]);
  [layer, back, model, loaded, small].forEach((l) => l.dispose());
});

// ------------------------------------------------------------------ TimeDistributed

test('timeDistributed(dense): the same Dense at every step; weights named time_distributed/...', (t) => {
  const before = tf.memory().numTensors;
  const td = layers.timeDistributed({ layer: layers.dense({ units: 3, activation: 'tanh' }), name: 'td' });
  const xv = values(2 * 4 * 5, 21);
  const x = tensor(xv, [2, 4, 5]);
  const y = td.apply(x);
  t.deepEqual(y.shape, [2, 4, 3]);
  t.deepEqual(td.weights.map((w) => w.originalName), ['td/kernel', 'td/bias']);
  const [k, b] = td.getWeights().map(data);
  const ref = [];
  for (let r = 0; r < 8; r++) {
    for (let j = 0; j < 3; j++) {
      let s = b[j];
      for (let i = 0; i < 5; i++) s += xv[r * 5 + i] * k[i * 3 + j];
      ref.push(Math.tanh(s));
    }
  }
  close(t, data(y), ref, 1e-5);
  t.deepEqual(td.computeOutputShape([null, null, 5]), [null, null, 3]);
  // The input mask passes on (Dense keeps it per step).
  const m = tf.tidy(() => tf.cast(tensor([[1, 1, 0, 0], [1, 0, 1, 1]]), 'bool'));
  const ym = td.apply(x, { mask: m });
  t.deepEqual(data(ym.kerasMask), [1, 1, 0, 0, 1, 0, 1, 1]);
  tf.dispose([x, y, m, ym.kerasMask, ym]);
  td.dispose();
  t.is(tf.memory().numTensors, before);
});

test('timeDistributed(conv2d): each frame convolved alone; gradients; config round trip and save/load', async (t) => {
  const conv = layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same' });
  const td = layers.timeDistributed({ layer: conv, inputShape: [3, 5, 5, 2] });
  const model = tf.sequential({ layers: [td, layers.flatten(), layers.dense({ units: 1 })] });
  t.deepEqual(model.layers[0].outputShape, [null, 3, 5, 5, 2]);
  const x = tensor(values(2 * 3 * 5 * 5 * 2, 30), [2, 3, 5, 5, 2]);
  const y = td.apply(x);
  for (let f = 0; f < 3; f++) {
    const frame = tf.squeeze(tf.slice(x, [0, f, 0, 0, 0], [2, 1, 5, 5, 2]), [1]);
    const one = conv.apply(frame);
    close(t, data(tf.squeeze(tf.slice(y, [0, f, 0, 0, 0], [2, 1, 5, 5, 2]), [1])), data(one), 1e-6, `frame ${f}`);
  }
  const small = layers.timeDistributed({ layer: layers.dense({ units: 2 }) });
  gradcheck(t, (xx) => small.apply(xx), [tensor(values(2 * 3 * 2, 31), [2, 3, 2])], { label: 'timeDistributed' });

  const config = tf.serialization.serializeKerasObject(td);
  t.is(config.config.layer.className, 'Conv2D');
  const back = tf.serialization.deserialize(config);
  t.deepEqual(back.getConfig(), td.getConfig());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-td-'));
  await model.save(`file://${dir}`);
  const loaded = await tf.loadLayersModel(`file://${dir}/model.json`);
  t.deepEqual(loaded.weights.map((w) => w.originalName), model.weights.map((w) => w.originalName));
  close(t, data(loaded.predict(x)), data(model.predict(x)), 1e-6);
  fs.rmSync(dir, { recursive: true, force: true });
  [model, loaded, small, back].forEach((l) => l.dispose());
});

test('trainable false on a wrapper freezes the wrapped weights; fit leaves memory where it was', async (t) => {
  const bd = layers.bidirectional({ layer: layers.lstm({ units: 2 }), inputShape: [3, 2] });
  const model = tf.sequential({ layers: [bd, layers.dense({ units: 1 })] });
  t.is(bd.trainableWeights.length, 6);
  bd.trainable = false;
  t.is(bd.trainableWeights.length, 0);
  t.is(bd.nonTrainableWeights.length, 6);
  t.false(bd.forwardLayer.trainable);
  bd.trainable = true;
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const x = tf.randomNormal([8, 3, 2]);
  const y = tf.randomNormal([8, 1]);
  await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
  const before = tf.memory().numTensors;
  await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
  tf.dispose(model.predict(x));
  t.is(tf.memory().numTensors, before);
  tf.dispose([x, y]);
  model.dispose();
});

test('BAD CALL – wrappers reject what they cannot wrap', (t) => {
  t.throws(() => layers.bidirectional({ layer: layers.dense({ units: 2 }) }), { instanceOf: TypeError, message: /expected a recurrent layer/ });
  t.throws(() => layers.bidirectional({ layer: layers.lstm({ units: 2 }), mergeMode: 'max' }), {
    instanceOf: TypeError,
    message: "Bidirectional: expected one of 'sum', 'mul', 'concat', 'ave' for 'mergeMode' but received 'max'",
  });
  t.throws(() => layers.bidirectional({ layer: layers.lstm({ units: 2 }), backwardLayer: layers.lstm({ units: 2 }) }), {
    instanceOf: TypeError,
    message: "Bidirectional: expected true, the opposite of layer.goBackwards for 'backwardLayer.goBackwards' but received false of type boolean",
  });
  t.throws(() => layers.timeDistributed({ layer: 'dense' }), { instanceOf: TypeError, message: "TimeDistributed: expected a layer for 'layer' but received 'dense'" });
  const e = t.throws(() => layers.timeDistributed({ layer: layers.dense({ units: 2 }), name: 'td_rank' }).apply(tf.zeros([2, 3])));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
});
