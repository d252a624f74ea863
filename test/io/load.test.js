// Saving and loading through a stand-in model class, so the artifacts pipeline
// (topology, weight names, strict matching, optimizer state) is tested apart
// from the real layers; test/io/layers_model.test.js does it with tf.sequential.
// Serial: tests compare tf.memory() before and after.
const test = require('ava').serial;
const fs = require('fs');
const os = require('os');
const path = require('path');
const { tensor } = require('../../dist/ops/creation');
const { memory } = require('../../dist/tensor/scope');
const { registerClass } = require('../../dist/serialization');
const io = require('../../dist/io');

function tmpdir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-io-load-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// A weight as tfjs-layers' LayerVariable presents it.
class FakeWeight {
  constructor(name, shape, values, trainable = true) {
    this.name = `${name}_unique`;
    this.originalName = name;
    this.shape = shape;
    this.dtype = 'float32';
    this.trainable = trainable;
    this.value = tensor(values, shape);
  }
  read() { return this.value; }
  write(v) {
    this.value.dispose();
    this.value = tensor(v.dataSync(), v.shape, v.dtype);
  }
}

// Builds one weight per config.weights entry [name, shape]; values count up from config.start.
class FakeModel {
  constructor(config) {
    this.config = config;
    let k = config.start;
    this.weights = config.weights.map(([name, shape, trainable]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: n }, () => k++);
      return new FakeWeight(name, shape, values, trainable !== false);
    });
    this.optimizer = null;
  }
  getClassName() { return 'FakeModel'; }
  getConfig() { return this.config; }
  static fromConfig(cls, config) { return new cls(config); }
  dispose() { for (const w of this.weights) w.value.dispose(); }
}
FakeModel.className = 'FakeModel';
registerClass(FakeModel);

const config = { name: 'fake_Model1', start: 1, useBias: true, weights: [['dense/kernel', [2, 3]], ['dense/bias', [3]]] };

function valuesOf(model) {
  return Object.fromEntries(model.weights.map((w) => [w.originalName, [...w.read().dataSync()]]));
}

test('modelToArtifacts: snake_case topology, weights by original name in model order, TF.js header fields', async (t) => {
  const model = new FakeModel(config);
  const before = memory().numTensors;
  const a = await io.modelToArtifacts(model);
  t.deepEqual(a.modelTopology, {
    class_name: 'FakeModel',
    config: { name: 'fake_Model1', start: 1, use_bias: true, weights: [['dense/kernel', [2, 3]], ['dense/bias', [3]]] },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  });
  t.is(a.format, 'layers-model');
  t.is(a.generatedBy, `tensorforge v${require('../../package.json').version}`);
  t.is(a.convertedBy, null);
  t.deepEqual(a.weightSpecs, [{ name: 'dense/kernel', shape: [2, 3], dtype: 'float32' }, { name: 'dense/bias', shape: [3], dtype: 'float32' }]);
  t.deepEqual([...new Float32Array(a.weightData)], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  t.is(a.trainingConfig, undefined);
  t.is(memory().numTensors, before);
  model.dispose();
});

test('modelToArtifacts: trainableOnly skips frozen weights; includeOptimizer appends the optimizer group', async (t) => {
  const model = new FakeModel({ ...config, weights: [['a/kernel', [2]], ['bn/moving_mean', [1], false]] });
  let a = await io.modelToArtifacts(model, { trainableOnly: true });
  t.deepEqual(a.weightSpecs.map((s) => s.name), ['a/kernel']);
  const iter = tensor([3]);
  model.optimizer = { getWeights: async () => [{ name: 'iter', tensor: iter }], setWeights: async () => {} };
  model.getTrainingConfig = () => ({ loss: 'meanSquaredError' });
  a = await io.modelToArtifacts(model, { includeOptimizer: true });
  t.deepEqual(a.weightSpecs.map((s) => [s.name, s.group]), [['a/kernel', undefined], ['bn/moving_mean', undefined], ['iter', 'optimizer']]);
  t.deepEqual([...new Float32Array(a.weightData)], [1, 2, 3, 3]);
  t.deepEqual(a.trainingConfig, { loss: 'meanSquaredError' });
  iter.dispose();
  model.dispose();
});

test('saveLayersModel then loadLayersModel rebuilds the class from the topology and sets every weight', async (t) => {
  const dir = tmpdir(t);
  const model = new FakeModel(config);
  const result = await io.saveLayersModel(model, `file://${dir}`);
  t.is(result.modelArtifactsInfo.weightDataBytes, 36);
  const before = memory().numTensors;
  const loaded = await io.loadLayersModel(`file://${dir}/model.json`);
  t.true(loaded instanceof FakeModel);
  t.deepEqual(loaded.getConfig(), config);
  t.deepEqual(valuesOf(loaded), valuesOf(model));
  t.is(memory().numTensors, before + 2, 'only the new model\'s two weights remain');
  // The saved topology survives a second round trip unchanged.
  await io.saveLayersModel(loaded, `file://${dir}/again`);
  const first = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const second = JSON.parse(fs.readFileSync(path.join(dir, 'again', 'model.json'), 'utf8'));
  t.deepEqual(second.modelTopology, first.modelTopology);
  t.deepEqual(second.weightsManifest, first.weightsManifest);
  model.dispose();
  loaded.dispose();
});

async function savedWith(t, specs, floats) {
  const dir = tmpdir(t);
  const json = { modelTopology: io.getModelTopology(new FakeModel({ ...config, weights: [] })), format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
  json.modelTopology.config.weights = [['dense/kernel', [2, 3]], ['dense/bias', [3]]];
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(new Float32Array(floats).buffer));
  return `file://${dir}/model.json`;
}

const kernel = { name: 'dense/kernel', shape: [2, 3], dtype: 'float32' };
const bias = { name: 'dense/bias', shape: [3], dtype: 'float32' };

test('BAD CALL – a weight of the wrong shape names the weight and both shapes; nothing leaks', async (t) => {
  const url = await savedWith(t, [{ ...kernel, shape: [3, 2] }, bias], [0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const before = memory().numTensors;
  const err = await t.throwsAsync(io.loadLayersModel(url));
  t.is(err.code, 'ERR_SHAPE_MISMATCH');
  t.is(err.message, "loadLayersModel: weight 'dense/kernel' expects shape [2,3] but the weight data holds shape [3,2]");
  t.is(memory().numTensors, before, 'the decoded weights and the half-built model are freed');
});

test('BAD CALL – strict loading: a missing weight and an extra weight are named; strict: false ignores both', async (t) => {
  let url = await savedWith(t, [kernel], [1, 2, 3, 4, 5, 6]);
  let err = await t.throwsAsync(io.loadLayersModel(url));
  t.is(err.code, 'ERR_IO');
  t.is(err.message, "loadLayersModel: 1 of 2 model weights are missing from the weight data: 'dense/bias'");
  url = await savedWith(t, [kernel, bias, { name: 'extra/w', shape: [1], dtype: 'float32' }], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  err = await t.throwsAsync(io.loadLayersModel(url));
  t.is(err.code, 'ERR_IO');
  t.is(err.message, "loadLayersModel: the weight data holds 'extra/w' but the model has no weight of that name; the model's weights are 'dense/kernel', 'dense/bias'");
  const m = await io.loadLayersModel(url, { strict: false });
  t.deepEqual(valuesOf(m), { 'dense/kernel': [1, 2, 3, 4, 5, 6], 'dense/bias': [7, 8, 9] });
  m.dispose();
  url = await savedWith(t, [bias], [-1, -2, -3]);
  const partial = await io.loadLayersModel(url, { strict: false });
  t.deepEqual(valuesOf(partial), { 'dense/kernel': [1, 2, 3, 4, 5, 6], 'dense/bias': [-1, -2, -3] });
  partial.dispose();
});

test('a saved name with a cell scope (layer/cell/weight, tf.keras >= 2.2) matches layer/weight', async (t) => {
  const url = await savedWith(t, [{ ...kernel, name: 'dense/dense_cell/kernel' }, bias], [9, 8, 7, 6, 5, 4, 3, 2, 1]);
  const m = await io.loadLayersModel(url);
  t.deepEqual(valuesOf(m), { 'dense/kernel': [9, 8, 7, 6, 5, 4], 'dense/bias': [3, 2, 1] });
  m.dispose();
});

test('BAD CALL – an unknown class in the topology is named', async (t) => {
  const dir = tmpdir(t);
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: { class_name: 'NoSuchModel', config: {} }, weightsManifest: [] }));
  const err = await t.throwsAsync(io.loadLayersModel(`file://${dir}/model.json`));
  t.is(err.code, 'ERR_UNKNOWN_NAME');
  t.true(err.message.includes("'NoSuchModel'"), err.message);
});

test('BAD CALL – graph models and topologies without class_name are refused clearly', async (t) => {
  let err = await t.throwsAsync(io.loadLayersModel(io.fromMemory({ modelTopology: { node: [] }, format: 'graph-model' })));
  t.is(err.code, 'ERR_UNSUPPORTED');
  t.is(err.message, 'loadLayersModel: this is a TensorFlow.js graph model (tf.loadGraphModel); tensorforge loads layers models only');
  err = await t.throwsAsync(io.loadLayersModel(io.fromMemory({ modelTopology: { config: {} } })));
  t.is(err.code, 'ERR_IO');
  t.is(err.message, "loadLayersModel: the model topology has no 'class_name' string; expected {class_name, config, ...}");
});

test('a Keras full-model topology ({model_config, training_config}) loads its model_config', async (t) => {
  const artifacts = await io.modelToArtifacts(new FakeModel(config));
  artifacts.modelTopology = { model_config: artifacts.modelTopology, training_config: { loss: 'mse' } };
  const m = await io.loadLayersModel(io.fromMemory(artifacts));
  t.deepEqual(valuesOf(m), { 'dense/kernel': [1, 2, 3, 4, 5, 6], 'dense/bias': [7, 8, 9] });
  m.dispose();
});

test('optimizer weights go to model.optimizer.setWeights; trainingConfig to loadTrainingConfig', async (t) => {
  const source = new FakeModel(config);
  const iter = tensor([5]);
  source.optimizer = { getWeights: async () => [{ name: 'iter', tensor: iter }], setWeights: async () => {} };
  source.getTrainingConfig = () => ({ loss: 'mean_squared_error' });
  const artifacts = await io.modelToArtifacts(source, { includeOptimizer: true });
  const seen = {};
  class FakeCompiledModel extends FakeModel {
    loadTrainingConfig(c) {
      seen.trainingConfig = c;
      this.optimizer = { getWeights: async () => [], setWeights: async (ws) => { seen.optimizer = ws.map((w) => [w.name, [...w.tensor.dataSync()]]); } };
    }
  }
  FakeCompiledModel.className = 'FakeCompiledModel';
  registerClass(FakeCompiledModel);
  artifacts.modelTopology.class_name = 'FakeCompiledModel';
  const before = memory().numTensors;
  const m = await io.loadLayersModel(io.fromMemory(artifacts));
  t.deepEqual(seen, { trainingConfig: { loss: 'mean_squared_error' }, optimizer: [['iter', [5]]] });
  t.is(memory().numTensors, before + 2);
  m.dispose();
  source.dispose();
  iter.dispose();
});

test('modelFromJSON builds from a topology alone, or with weightsManifest + pathPrefix', async (t) => {
  const model = new FakeModel({ ...config, start: 100 });
  const fresh = await io.modelFromJSON(io.getModelTopology(model));
  t.deepEqual(valuesOf(fresh), { 'dense/kernel': [100, 101, 102, 103, 104, 105], 'dense/bias': [106, 107, 108] });
  const dir = tmpdir(t);
  await io.saveLayersModel(model, `file://${dir}`);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  json.modelTopology.config.start = 0;
  const loaded = await io.modelFromJSON({ modelTopology: json.modelTopology, weightsManifest: json.weightsManifest, pathPrefix: dir });
  t.deepEqual(valuesOf(loaded), valuesOf(model));
  for (const m of [model, fresh, loaded]) m.dispose();
});

test('BAD CALL – loadWeightsByName rejects a wrong dtype and duplicate model weight names', (t) => {
  const w = new FakeWeight('k', [2], [0, 0]);
  const v = tensor([1, 2], [2], 'int32');
  let err = t.throws(() => io.loadWeightsByName([w], { k: v }));
  t.is(err.code, 'ERR_DTYPE_MISMATCH');
  t.is(err.message, "loadWeights: weight 'k' expects dtype float32 but the weight data holds int32");
  err = t.throws(() => io.loadWeightsByName([w, w], {}));
  t.is(err.message, "loadWeights: the model has two weights named 'k'");
  v.dispose();
  w.value.dispose();
});
