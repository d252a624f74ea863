// The functional model and Sequential (lib/models/model.ts, sequential.ts,
// summary.ts): graph building and execution on concrete tensors, shared
// layers, nested models, masks, weights, configs and summary.
const test = require('ava');
const layers = require('../../dist/layers');
const { Layer, getExactlyOneTensor } = require('../../dist/layers/layer');
const { LayersModel, model, Sequential, sequential } = require('../../dist/models');
const serialization = require('../../dist/serialization');
const { tensor, zeros, ones } = require('../../dist/ops/creation');
const { notEqual } = require('../../dist/ops/elementwise');
const { memory, tidy, dispose } = require('../../dist/tensor/scope');

const data = (t) => Array.from(t.dataSync());
const close = (t, a, b, tol = 1e-5) => {
  t.is(a.length, b.length);
  a.forEach((v, i) => t.true(Math.abs(v - b[i]) <= tol * (1 + Math.abs(b[i])), `element ${i}: ${v} vs ${b[i]}`));
};

// y = x W + b in float64, W given as rows.
function affine64(x, W, b) {
  return x.map((row) => b.map((bj, j) => row.reduce((s, v, k) => s + v * W[k][j], bj)));
}

function setDense(layer, W, b) {
  layer.setWeights([tensor(W), tensor(b)]);
}

function mlpSequential() {
  return sequential({
    layers: [
      layers.flatten({ inputShape: [28, 28] }),
      layers.dense({ units: 200, activation: 'relu' }),
      layers.dense({ units: 150, activation: 'relu' }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

function mlpFunctional() {
  const x = layers.input({ shape: [28, 28] });
  let h = layers.flatten().apply(x);
  h = layers.dense({ units: 200, activation: 'relu' }).apply(h);
  h = layers.dense({ units: 150, activation: 'relu' }).apply(h);
  const y = layers.dense({ units: 10, activation: 'softmax' }).apply(h);
  return model({ inputs: x, outputs: y });
}

function summaryLines(m) {
  const lines = [];
  m.summary(undefined, undefined, (l) => lines.push(l));
  return lines;
}

test('mlp summary: 157000 / 30150 / 1510 parameters, sequential and functional alike', (t) => {
  const seq = summaryLines(mlpSequential());
  const fun = summaryLines(mlpFunctional());
  for (const lines of [seq, fun]) {
    const params = lines.filter((l) => /\(Dense\)/.test(l)).map((l) => Number(l.trim().split(/\s+/).pop()));
    t.deepEqual(params, [157000, 30150, 1510]);
    t.true(lines.includes('Total params: 188660'));
    t.true(lines.includes('Trainable params: 188660'));
    t.true(lines.includes('Non-trainable params: 0'));
  }
  // TF.js's layout: 90 columns, fields ending at 28, 54, 80 and 90.
  t.is(seq[0], '_'.repeat(90));
  t.is(seq[1], `Layer (type)${' '.repeat(16)}Input Shape${' '.repeat(15)}Output shape${' '.repeat(14)}Param #${' '.repeat(3)}`);
  t.is(seq[2], '='.repeat(90));
  t.regex(seq[3], /^flatten(_\d+)? \(Flatten\)\s+\[null,28,28\]\s+\[null,784\]\s+0\s*$/);
  t.is(seq[3].slice(28, 54).trim(), '[null,28,28]');
  t.is(seq[3].slice(54, 80).trim(), '[null,784]');
  t.is(seq[3].slice(80).trim(), '0');
  // Sequential lists no InputLayer; the functional model does (with TF.js's [[shape]] input column).
  t.false(seq.some((l) => /InputLayer/.test(l)));
  t.regex(fun[3], /^input(_\d+)? \(InputLayer\)\s+\[\[null,28,28\]\]\s+\[null,28,28\]\s+0/);
  t.is(seq.length, 3 + 2 * 4 + 4);
});

test('summary of a branched graph adds the Receives inputs column', (t) => {
  const a = layers.input({ shape: [4], name: 'sa' });
  const b = layers.input({ shape: [4], name: 'sb' });
  const sum = layers.add({ name: 'summed' }).apply([a, b]);
  const out = layers.dense({ units: 2, name: 'sout' }).apply(sum);
  const lines = summaryLines(model({ inputs: [a, b], outputs: out }));
  t.is(lines[0].length, 115);
  t.regex(lines[1], /Receives inputs\s*$/);
  const row = lines.findIndex((l) => l.startsWith('summed (Add)'));
  t.regex(lines[row], /sa\[0\]\[0\]\s*$/);
  t.regex(lines[row + 1], /^\s+sb\[0\]\[0\]\s*$/);
  t.true(lines.includes('Total params: 10'));
});

test('functional model: outputs match a float64 reference; input and output names', (t) => {
  const x = layers.input({ shape: [3], name: 'fx' });
  const d1 = layers.dense({ units: 2, name: 'fd1' });
  const d2 = layers.dense({ units: 1, name: 'fd2' });
  const y = d2.apply(d1.apply(x));
  const m = model({ inputs: x, outputs: y, name: 'fm' });
  const W1 = [[1, -1], [0.5, 2], [-1, 0.25]];
  const W2 = [[2], [-3]];
  setDense(d1, W1, [0.1, -0.2]);
  setDense(d2, W2, [0.5]);
  const xv = [[1, 2, 3], [-1, 0, 4]];
  const out = m.predict(tensor(xv));
  const ref = affine64(affine64(xv, W1, [0.1, -0.2]), W2, [0.5]);
  close(t, data(out), ref.flat());
  // execute() fetches intermediate tensors by name, as TF.js's.
  const before = memory().numTensors;
  const [hidden, last] = m.execute(tensor(xv), [d1.output.name, d2.output.name]);
  close(t, data(hidden), affine64(xv, W1, [0.1, -0.2]).flat());
  close(t, data(last), ref.flat());
  t.is(memory().numTensors, before + 2 + 1 /* the input */);
  const e0 = t.throws(() => m.execute(tensor(xv), 'nope'));
  t.regex(e0.message, /^fm\.execute: unknown tensor name 'nope'; known: fx, fd1, fd2$/);
  t.deepEqual(m.inputNames, ['fx']);
  t.deepEqual(m.outputNames, ['fd2']);
  t.deepEqual(m.layers.map((l) => l.name), ['fx', 'fd1', 'fd2']);
  t.is(m.getLayer('fd1'), d1);
  t.is(m.getLayer(2), d2);
  t.is(m.getLayer(undefined, 0).name, 'fx');
  const e = t.throws(() => m.getLayer('nope'));
  t.is(e.code, 'ERR_UNKNOWN_NAME');
  t.regex(e.message, /^fm\.getLayer: unknown layer 'nope'; known: fx, fd1, fd2$/);
  t.throws(() => m.getLayer(9), { instanceOf: TypeError, message: /an integer in \[0, 2\]/ });
});

test('several inputs and outputs; apply on concrete tensors', (t) => {
  const a = layers.input({ shape: [2], name: 'mi_a' });
  const b = layers.input({ shape: [2], name: 'mi_b' });
  const cat = layers.concatenate().apply([a, b]);
  const o1 = layers.dense({ units: 1, name: 'mi_o1', kernelInitializer: 'ones' }).apply(cat);
  const o2 = layers.dense({ units: 2, name: 'mi_o2', kernelInitializer: 'ones' }).apply(a);
  const m = model({ inputs: [a, b], outputs: [o1, o2] });
  const [y1, y2] = m.predict([tensor([[1, 2]]), tensor([[3, 4]])]);
  t.deepEqual(data(y1), [10]);
  t.deepEqual(data(y2), [3, 3]);
  // Inputs by name work too, and apply() runs the graph eagerly.
  const [z1] = m.predict({ mi_b: tensor([[3, 4]]), mi_a: tensor([[1, 2]]) });
  t.deepEqual(data(z1), [10]);
  const [w1, w2] = m.apply([tensor([[0, 0]]), tensor([[1, 1]])]);
  t.deepEqual(data(w1), [2]);
  t.deepEqual(data(w2), [0, 0]);
});

test('shared layers share weights and run once per application', (t) => {
  const shared = layers.dense({ units: 2, name: 'shared_d' });
  const a = layers.input({ shape: [2] });
  const b = layers.input({ shape: [2] });
  const m = model({ inputs: [a, b], outputs: layers.add().apply([shared.apply(a), shared.apply(b)]) });
  t.is(m.weights.length, 2, 'one kernel and one bias');
  t.is(m.layers.filter((l) => l === shared).length, 1);
  setDense(shared, [[1, 2], [3, 4]], [1, 1]);
  const out = m.predict([tensor([[1, 0]]), tensor([[0, 1]])]);
  // (x_a + x_b) W + 2b
  t.deepEqual(data(out), [1 + 3 + 2, 2 + 4 + 2]);
  t.is(shared.inboundNodes.length, 2);
});

test('models nest as layers; weights and shapes come through', (t) => {
  const innerIn = layers.input({ shape: [3] });
  const inner = model({ inputs: innerIn, outputs: layers.dense({ units: 2, name: 'inner_d' }).apply(innerIn), name: 'inner' });
  setDense(inner.getLayer('inner_d'), [[1, 0], [0, 1], [1, 1]], [0, 0]);
  const x = layers.input({ shape: [3] });
  const h = inner.apply(x);
  t.deepEqual(h.shape, [null, 2]);
  const head = layers.dense({ units: 1, name: 'outer_head', kernelInitializer: 'ones' });
  const outer = model({ inputs: x, outputs: head.apply(h) });
  t.deepEqual(outer.layers.map((l) => l.name).slice(1), ['inner', 'outer_head']);
  t.is(outer.weights.length, 4);
  t.deepEqual(data(outer.predict(tensor([[1, 2, 3]]))), [1 + 3 + 2 + 3]);
  // Freezing the nested model moves its weights to the non-trainable list.
  inner.trainable = false;
  t.is(outer.trainableWeights.length, 2);
  t.is(outer.nonTrainableWeights.length, 2);
  t.false(inner.getLayer('inner_d').trainable);
  // Sequential with a model as first layer keeps it as one layer.
  const seq = sequential({ layers: [inner, layers.dense({ units: 1 })] });
  t.deepEqual(seq.layers.map((l) => l.name)[0], 'inner');
  t.deepEqual(seq.outputs[0].shape, [null, 1]);
});

test('masks propagate through the graph via computeMask', (t) => {
  class ZeroMask extends Layer {
    computeMask(inputs) {
      return notEqual(getExactlyOneTensor(inputs), 0);
    }
  }
  ZeroMask.className = 'ZeroMask';
  class MaskedSum extends Layer {
    constructor() {
      super();
      this.supportsMasking = true;
    }
    call(inputs, kwargs) {
      const x = getExactlyOneTensor(inputs);
      const m = kwargs.mask;
      const xv = x.dataSync();
      const mv = m ? m.dataSync() : xv.map(() => 1);
      const n = x.shape[1];
      const out = [];
      for (let i = 0; i < x.shape[0]; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += mv[i * n + j] ? xv[i * n + j] * 10 : 1000;
        out.push([s]);
      }
      return tensor(out);
    }
    computeOutputShape(s) {
      return [s[0], 1];
    }
    computeMask() {
      return null;
    }
  }
  MaskedSum.className = 'MaskedSum';
  const x = layers.input({ shape: [3] });
  class Pass extends Layer {
    constructor() {
      super();
      this.supportsMasking = true;
    }
  }
  Pass.className = 'Pass';
  const y = new MaskedSum().apply(new Pass().apply(new ZeroMask().apply(x)));
  const m = model({ inputs: x, outputs: y });
  // The zero is masked (its term is 1000, the others 10 x); a mask-supporting layer in between passes the mask on.
  t.deepEqual(data(m.predict(tensor([[1, 0, 2]]))), [10 + 1000 + 20]);
  t.deepEqual(data(m.predict(tensor([[1, 3, 2]]))), [60]);
});

test('graph errors: disconnected graph, non-input inputs, duplicate names', (t) => {
  const a = layers.input({ shape: [2], name: 'ga' });
  const b = layers.input({ shape: [2], name: 'gb' });
  const y = layers.add().apply([a, b]);
  const e = t.throws(() => model({ inputs: a, outputs: y }));
  t.is(e.code, 'ERR_INVALID_ARG_VALUE');
  t.regex(e.message, /graph disconnected: cannot obtain the value of tensor 'gb' needed by layer 'add(_\d+)?' from the model's inputs \(ga\)/);
  const h = layers.dense({ units: 2 }).apply(a);
  t.throws(() => model({ inputs: h, outputs: y }), { instanceOf: TypeError, message: /the output of tf\.input\(\) \(an InputLayer\)/ });
  const c = layers.input({ shape: [2], name: 'dup' });
  const d = layers.dense({ units: 2, name: 'dup' }).apply(c);
  t.throws(() => model({ inputs: c, outputs: d }), { message: /the layer name 'dup' is used 2 times/ });
  t.throws(() => model({ outputs: d }), { instanceOf: TypeError, message: /^model: expected a SymbolicTensor or an array of them \(from tf\.input\(\)\) for 'inputs'/ });
});

test('getWeights lists trainable weights first; setWeights round-trips', (t) => {
  const x = layers.input({ shape: [2] });
  const frozen = layers.dense({ units: 2, trainable: false, name: 'frz' });
  const live = layers.dense({ units: 1, name: 'lv' });
  const m = model({ inputs: x, outputs: live.apply(frozen.apply(x)) });
  t.deepEqual(m.weights.map((w) => w.originalName), ['lv/kernel', 'lv/bias', 'frz/kernel', 'frz/bias']);
  const values = [tensor([[1], [2]]), tensor([3]), tensor([[4, 5], [6, 7]]), tensor([8, 9])];
  m.setWeights(values);
  t.deepEqual(m.getWeights().map(data), values.map(data));
  m.trainable = false;
  t.deepEqual(m.trainableWeights, []);
  t.is(m.nonTrainableWeights.length, 4);
});

test('Sequential: add, pop, layers, deferred build from data', (t) => {
  const s = sequential({ name: 'seq_t' });
  s.add(layers.dense({ units: 4, inputShape: [3], name: 'sq1' }));
  s.add(layers.dense({ units: 2, name: 'sq2' }));
  t.deepEqual(s.layers.map((l) => l.name), ['sq1', 'sq2']);
  t.deepEqual(s.outputs[0].shape, [null, 2]);
  s.pop();
  t.deepEqual(s.outputs[0].shape, [null, 4]);
  t.deepEqual(s.layers.map((l) => l.name), ['sq1']);
  t.true(s instanceof LayersModel);

  const lazy = sequential({ layers: [layers.dense({ units: 3, kernelInitializer: 'ones' })] });
  t.is(lazy.outputs.length, 0);
  const e = t.throws(() => lazy.summary(undefined, undefined, () => {}));
  t.is(e.code, 'ERR_NOT_BUILT');
  t.regex(e.message, /summary: the model has not been built yet/);
  const out = lazy.predict(ones([2, 5]));
  t.deepEqual(out.shape, [2, 3]);
  t.deepEqual(lazy.inputs[0].shape, [null, 5]);
  t.throws(() => s.add(layers.inputLayer({ inputShape: [2] })), { instanceOf: TypeError, message: /an InputLayer only as the first layer/ });
  const e2 = t.throws(() => s.add('dense'), { instanceOf: TypeError });
  t.regex(e2.message, /^seq_t\.add: expected a layer/);
});

test('Sequential starting with an InputLayer', (t) => {
  const s = sequential({ layers: [layers.inputLayer({ inputShape: [2] }), layers.dense({ units: 3 })] });
  t.deepEqual(s.outputs[0].shape, [null, 3]);
  t.is(s.layers.length, 1);
  const config = s.getConfig();
  t.is(config.layers[0].className, 'InputLayer');
  const copy = Sequential.fromConfig(Sequential, config);
  t.deepEqual(copy.outputs[0].shape, [null, 3]);
});

test('configs: Sequential and functional round-trip through the registry', (t) => {
  const seq = mlpSequential();
  const config = seq.getConfig();
  t.deepEqual(Object.keys(config), ['name', 'layers']);
  t.deepEqual(config.layers.map((l) => l.className), ['Flatten', 'Dense', 'Dense', 'Dense']);
  t.deepEqual(config.layers[0].config.batchInputShape, [null, 28, 28]);
  const copy = serialization.deserialize({ className: 'Sequential', config });
  t.true(copy instanceof Sequential);
  t.deepEqual(copy.weights.map((w) => w.shape), seq.weights.map((w) => w.shape));

  const a = layers.input({ shape: [4], name: 'cfg_a' });
  const b = layers.input({ shape: [4], name: 'cfg_b' });
  const shared = layers.dense({ units: 3, name: 'cfg_shared' });
  const out = layers.concatenate({ name: 'cfg_cat' }).apply([shared.apply(a), shared.apply(b)]);
  const fm = model({ inputs: [a, b], outputs: out, name: 'cfg_model' });
  const fc = fm.getConfig();
  t.deepEqual(fc.inputLayers, [['cfg_a', 0, 0], ['cfg_b', 0, 0]]);
  t.deepEqual(fc.outputLayers, [['cfg_cat', 0, 0]]);
  const sharedCfg = fc.layers.find((l) => l.name === 'cfg_shared');
  t.deepEqual(sharedCfg.inboundNodes, [[['cfg_a', 0, 0, {}]], [['cfg_b', 0, 0, {}]]]);
  t.deepEqual(fc.layers.find((l) => l.name === 'cfg_cat').inboundNodes, [[['cfg_shared', 0, 0, {}], ['cfg_shared', 1, 0, {}]]]);
  const rebuilt = serialization.deserialize({ className: 'Model', config: fc });
  t.true(rebuilt instanceof LayersModel);
  t.deepEqual(rebuilt.getConfig(), fc);
  rebuilt.setWeights(fm.getWeights());
  const xa = tensor([[1, 2, 3, 4]]);
  const xb = tensor([[4, 3, 2, 1]]);
  close(t, data(rebuilt.predict([xa, xb])), data(fm.predict([xa, xb])));
});

test('configs: a nested functional model reloads with the right node indices', (t) => {
  const ii = layers.input({ shape: [2], name: 'nest_in' });
  const inner = model({ inputs: ii, outputs: layers.dense({ units: 2, name: 'nest_d' }).apply(ii), name: 'nest_inner' });
  const x = layers.input({ shape: [2], name: 'nest_x' });
  const outer = model({ inputs: x, outputs: layers.dense({ units: 1, name: 'nest_head' }).apply(inner.apply(x)), name: 'nest_outer' });
  const config = outer.getConfig();
  const innerCfg = config.layers.find((l) => l.name === 'nest_inner');
  t.deepEqual(innerCfg.inboundNodes, [[['nest_x', 0, 0, {}]]]);
  t.is(innerCfg.className, 'Model');
  const copy = LayersModel.fromConfig(LayersModel, config);
  copy.setWeights(outer.getWeights());
  const v = tensor([[0.5, -1]]);
  close(t, data(copy.predict(v)), data(outer.predict(v)));
});

test('toJSON gives the Keras-style topology', (t) => {
  const m = sequential({ layers: [layers.dense({ units: 2, inputShape: [3], name: 'js_d' })], name: 'js_seq' });
  const json = JSON.parse(m.toJSON());
  t.is(json.class_name, 'Sequential');
  t.is(json.config.name, 'js_seq');
  t.deepEqual(json.config.layers[0].config.batch_input_shape, [null, 3]);
  t.is(typeof m.toJSON(null, false), 'object');
});

test('predict checks the input shape and names the input', (t) => {
  const m = sequential({ layers: [layers.dense({ units: 2, inputShape: [4] })] });
  const name = m.inputNames[0];
  const e = t.throws(() => m.predict(zeros([3, 5])));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, `${m.name}.predict: expected a tensor of shape [null,4] for input '${name}' ('x') but received float32 tensor of shape [3,5]`);
  t.throws(() => m.predict([zeros([1, 4]), zeros([1, 4])]), { instanceOf: TypeError, message: /expected 1 tensor \(one per model input/ });
});

test('predict in batches: same values, numTensors unchanged', (t) => {
  const m = mlpSequential();
  const x = tidy(() => tensor(Array.from({ length: 70 * 784 }, (_, i) => Math.sin(i)), [70, 28, 28]));
  const whole = m.predict(x, { batchSize: 100 });
  const before = memory().numTensors;
  const batched = m.predict(x, { batchSize: 32 });
  t.is(memory().numTensors, before + 1);
  close(t, data(batched), data(whole), 1e-5);
  dispose([whole, batched, x]);
  const one = ones([2, 28, 28]);
  const b2 = memory().numTensors;
  m.predictOnBatch(one).dispose();
  t.is(memory().numTensors, b2);
});

test('save and load through tf.io: the same predictions, sequential and functional', async (t) => {
  const io = require('../../dist/io');
  const os = require('os');
  const path = require('path');
  const fs = require('fs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-model-'));
  const seq = mlpSequential();
  await seq.save(`file://${dir}/seq`);
  const seqBack = await io.loadLayersModel(`file://${dir}/seq/model.json`);
  t.deepEqual(seqBack.layers.map((l) => l.getClassName()), ['Flatten', 'Dense', 'Dense', 'Dense']);
  const x = tensor(Array.from({ length: 2 * 784 }, (_, i) => Math.cos(i)), [2, 28, 28]);
  close(t, data(seqBack.predict(x)), data(seq.predict(x)));

  const a = layers.input({ shape: [3], name: 'io_a' });
  const b = layers.input({ shape: [3], name: 'io_b' });
  const shared = layers.dense({ units: 2, name: 'io_shared' });
  const out = layers.dense({ units: 1, name: 'io_out' }).apply(layers.concatenate({ name: 'io_cat' }).apply([shared.apply(a), shared.apply(b)]));
  const fm = model({ inputs: [a, b], outputs: out, name: 'io_model' });
  fm.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  await fm.save(`file://${dir}/fun`, { includeOptimizer: true });
  const fmBack = await io.loadLayersModel(`file://${dir}/fun/model.json`);
  t.is(fmBack.name, 'io_model');
  t.is(fmBack.weights.length, 4);
  t.is(fmBack.optimizer.getClassName(), 'Adam');
  const xa = tensor([[1, 2, 3]]);
  const xb = tensor([[-1, 0, 1]]);
  close(t, data(fmBack.predict([xa, xb])), data(fm.predict([xa, xb])));
  fs.rmSync(dir, { recursive: true, force: true });
});
