// Real models through the layers-model format: files written as TensorFlow.js
// 4.x writes them load here, and what tensorforge saves loads back identically.
// Serial: tests compare tf.memory() before and after.
const test = require('ava').serial;
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('../../dist');

function tmpdir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-io-model-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const glorotNormal = { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } };
const zeros = { class_name: 'Zeros', config: {} };
function denseConfig(name, units, activation, extra = {}) {
  return {
    class_name: 'Dense',
    config: {
      units, activation, use_bias: true, kernel_initializer: glorotNormal, bias_initializer: zeros,
      kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
      name, trainable: true, ...extra,
    },
  };
}

// model.json of tf.sequential([dense({units: 4, activation: 'relu', inputShape: [3]}), dense({units: 2, activation: 'softmax'})])
// as TensorFlow.js 4.22 saves it with model.save('file://...').
const tfjsTopology = {
  class_name: 'Sequential',
  config: {
    name: 'sequential_1',
    layers: [
      denseConfig('dense_Dense1', 4, 'relu', { batch_input_shape: [null, 3], dtype: 'float32' }),
      denseConfig('dense_Dense2', 2, 'softmax'),
    ],
  },
  keras_version: 'tfjs-layers 4.22.0',
  backend: 'tensor_flow.js',
};
const tfjsSpecs = [
  { name: 'dense_Dense1/kernel', shape: [3, 4], dtype: 'float32' },
  { name: 'dense_Dense1/bias', shape: [4], dtype: 'float32' },
  { name: 'dense_Dense2/kernel', shape: [4, 2], dtype: 'float32' },
  { name: 'dense_Dense2/bias', shape: [2], dtype: 'float32' },
];
const W1 = [[0.5, -0.25, 1, 0.125], [-1, 0.75, 0.5, -0.5], [0.25, 0.5, -0.75, 1]];
const b1 = [0.1, -0.2, 0.05, 0];
const W2 = [[1, -1], [0.5, 0.25], [-0.5, 1.5], [2, -0.125]];
const b2 = [0.3, -0.3];

function writeTfjsModel(dir, { topology = tfjsTopology, specs = tfjsSpecs } = {}) {
  const json = { modelTopology: topology, weightsManifest: [{ paths: ['weights.bin'], weights: specs }], format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0', convertedBy: null };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  const floats = new Float32Array([...W1.flat(), ...b1, ...W2.flat(), ...b2]);
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(floats.buffer));
  return `file://${dir}/model.json`;
}

// The expected output in float64: softmax(relu(x W1 + b1) W2 + b2), from the float32-rounded weights.
function reference(x, weights = [W1, b1, W2, b2]) {
  const f = (m) => m.map((r) => (Array.isArray(r) ? r.map(Math.fround) : Math.fround(r)));
  const [w1, c1, w2, c2] = weights.map(f);
  return x.map((row) => {
    const h = c1.map((b, j) => Math.max(0, b + row.reduce((s, v, i) => s + Math.fround(v) * w1[i][j], 0)));
    const z = c2.map((b, k) => b + h.reduce((s, v, j) => s + v * w2[j][k], 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  });
}

function assertClose(t, actual, expected, tol = 1e-6) {
  t.is(actual.length, expected.length);
  actual.forEach((row, i) => row.forEach((v, j) => t.true(Math.abs(v - expected[i][j]) <= tol, `[${i}][${j}]: ${v} vs ${expected[i][j]}`)));
}

const X = [[0.5, -1, 2], [1, 1, 1], [-2, 0.25, 0]];

test('a model.json + weights.bin written as TensorFlow.js 4.x writes them loads and predicts the float64 reference', async (t) => {
  const url = writeTfjsModel(tmpdir(t));
  const model = await tf.loadLayersModel(url);
  t.is(model.getClassName(), 'Sequential');
  t.deepEqual(model.layers.map((l) => l.name), ['dense_Dense1', 'dense_Dense2']);
  const before = tf.memory().numTensors;
  const x = tf.tensor2d(X);
  const y = model.predict(x);
  t.deepEqual(y.shape, [3, 2]);
  assertClose(t, y.arraySync(), reference(X));
  x.dispose();
  y.dispose();
  t.is(tf.memory().numTensors, before);
  // Saving what was loaded gives TF.js's topology back, key for key.
  const dir = tmpdir(t);
  await model.save(`file://${dir}`);
  const saved = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  t.deepEqual(saved.modelTopology, tfjsTopology);
  t.deepEqual(saved.weightsManifest, [{ paths: ['weights.bin'], weights: tfjsSpecs }]);
  t.is(saved.format, 'layers-model');
  t.deepEqual(fs.readFileSync(path.join(dir, 'weights.bin')), fs.readFileSync(new URL(url).pathname.replace('model.json', 'weights.bin')));
  model.dispose();
});

test('TF.js 1.0 files (a Sequential config that is a bare list of layers) load too', async (t) => {
  const topology = { ...tfjsTopology, config: tfjsTopology.config.layers, keras_version: 'tfjs-layers 1.0.0' };
  const model = await tf.loadLayersModel(writeTfjsModel(tmpdir(t), { topology }));
  const x = tf.tensor2d(X);
  const y = model.predict(x);
  assertClose(t, y.arraySync(), reference(X));
  tf.dispose([x, y]);
  model.dispose();
});

// Python Keras 2.x through tensorflowjs_converter --quantize_uint8: an InputLayer, Keras
// initializer names, model_config + training_config, uint8 weights in two shards.
test('a Keras model converted by tensorflowjs_converter (uint8-quantized, sharded) loads and predicts', async (t) => {
  const dense = (name, units, activation) => ({
    class_name: 'Dense',
    config: {
      name, trainable: true, dtype: 'float32', units, activation, use_bias: true,
      kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
    },
  });
  const modelTopology = {
    keras_version: '2.13.1',
    backend: 'tensorflow',
    model_config: {
      class_name: 'Sequential',
      config: {
        name: 'sequential',
        layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, 3], dtype: 'float32', sparse: false, ragged: false, name: 'dense_input' } },
          dense('dense', 4, 'relu'),
          dense('dense_1', 2, 'softmax'),
        ],
      },
    },
    training_config: { loss: 'categorical_crossentropy', metrics: null, optimizer_config: { class_name: 'Adam', config: { learning_rate: 0.001 } } },
  };
  const names = ['dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias'];
  const shapes = [[3, 4], [4], [4, 2], [2]];
  const quantized = [];
  const dequantized = [];
  const specs = [W1, b1, W2, b2].map((w, i) => {
    const flat = w.flat();
    const min = Math.min(...flat);
    const scale = (Math.max(...flat) - min) / 255;
    const q = flat.map((v) => Math.round((v - min) / scale));
    quantized.push(...q);
    const back = q.map((v) => v * scale + min);
    dequantized.push(shapes[i].length === 2 ? Array.from({ length: shapes[i][0] }, (_, r) => back.slice(r * shapes[i][1], (r + 1) * shapes[i][1])) : back);
    return { name: names[i], shape: shapes[i], dtype: 'float32', quantization: { dtype: 'uint8', scale, min, original_dtype: 'float32' } };
  });
  const dir = tmpdir(t);
  const bytes = Buffer.from(quantized);
  fs.writeFileSync(path.join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, 7));
  fs.writeFileSync(path.join(dir, 'group1-shard2of2.bin'), bytes.subarray(7));
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
    format: 'layers-model', generatedBy: 'keras v2.13.1', convertedBy: 'TensorFlow.js Converter v4.22.0', modelTopology,
    weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: specs }],
  }));
  const model = await tf.loadLayersModel(`file://${dir}/model.json`);
  const x = tf.tensor2d(X);
  const y = model.predict(x);
  assertClose(t, y.arraySync(), reference(X, dequantized));
  tf.dispose([x, y]);
  model.dispose();
});

test('save -> load round trip of a trained-looking Sequential: same predictions, same model.json topology', async (t) => {
  const before = tf.memory().numTensors;
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 5, activation: 'tanh', inputShape: [3], name: 'hidden' }),
      tf.layers.dense({ units: 2, activation: 'sigmoid', useBias: false }),
    ],
  });
  const dir = tmpdir(t);
  const result = await model.save(`file://${dir}/nested/model-1`);
  t.is(result.modelArtifactsInfo.modelTopologyType, 'JSON');
  t.is(result.modelArtifactsInfo.weightDataBytes, (3 * 5 + 5 + 5 * 2) * 4);
  const loaded = await tf.loadLayersModel(`file://${dir}/nested/model-1/model.json`);
  const x = tf.tensor2d(X);
  const a = model.predict(x);
  const b = loaded.predict(x);
  t.deepEqual(b.arraySync(), a.arraySync());
  tf.dispose([x, a, b]);
  await loaded.save(`file://${dir}/again`);
  const first = fs.readFileSync(path.join(dir, 'nested/model-1/model.json'), 'utf8');
  const second = fs.readFileSync(path.join(dir, 'again/model.json'), 'utf8');
  t.is(JSON.stringify(JSON.parse(second).modelTopology), JSON.stringify(JSON.parse(first).modelTopology));
  t.deepEqual(fs.readFileSync(path.join(dir, 'again/weights.bin')), fs.readFileSync(path.join(dir, 'nested/model-1/weights.bin')));
  model.dispose();
  loaded.dispose();
  t.is(tf.memory().numTensors, before, 'saving and loading leave no tensors behind');
});

test('save -> load round trip of a functional model', async (t) => {
  const input = tf.input({ shape: [3], name: 'features' });
  const h = tf.layers.dense({ units: 4, activation: 'relu', name: 'h' }).apply(input);
  const out = tf.layers.dense({ units: 1, name: 'out' }).apply(h);
  const model = tf.model({ inputs: input, outputs: out, name: 'fn_model' });
  const dir = tmpdir(t);
  await model.save(`file://${dir}`);
  const loaded = await tf.loadLayersModel(`file://${dir}/model.json`);
  t.is(loaded.getClassName(), 'Model');
  const x = tf.tensor2d(X);
  const a = model.predict(x);
  const b = loaded.predict(x);
  t.deepEqual(b.arraySync(), a.arraySync());
  tf.dispose([x, a, b]);
  model.dispose();
  loaded.dispose();
});

test('includeOptimizer saves the training config and Adam state; training resumes identically after loading', async (t) => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, activation: 'relu', inputShape: [3] }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const x = tf.tensor2d(X);
  const y = tf.tensor2d([[1, 0], [0, 1], [1, 0]]);
  await model.trainOnBatch(x, y);
  await model.trainOnBatch(x, y);
  const dir = tmpdir(t);
  await model.save(`file://${dir}`, { includeOptimizer: true });
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  t.truthy(json.trainingConfig);
  t.true(json.weightsManifest[0].weights.some((w) => w.group === 'optimizer'));
  const loaded = await tf.loadLayersModel(`file://${dir}/model.json`);
  t.truthy(loaded.optimizer, 'the loaded model is compiled from the training config');
  const [la, lb] = [await model.trainOnBatch(x, y), await loaded.trainOnBatch(x, y)];
  t.is(lb, la);
  const a = model.predict(x);
  const b = loaded.predict(x);
  t.deepEqual(b.arraySync(), a.arraySync());
  tf.dispose([x, y, a, b]);
  model.dispose();
  loaded.dispose();
});

test('tf.io.withSaveHandler and tf.io.fromMemory move a model without files', async (t) => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  let artifacts;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  t.is(artifacts.modelTopology.class_name, 'Sequential');
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const x = tf.tensor2d(X);
  const a = model.predict(x);
  const b = loaded.predict(x);
  t.deepEqual(b.arraySync(), a.arraySync());
  tf.dispose([x, a, b]);
  model.dispose();
  loaded.dispose();
});

test('BAD CALL – a missing weights file is named', async (t) => {
  const dir = tmpdir(t);
  writeTfjsModel(dir);
  fs.unlinkSync(path.join(dir, 'weights.bin'));
  const err = await t.throwsAsync(tf.loadLayersModel(`file://${dir}/model.json`));
  t.is(err.code, 'ERR_IO');
  t.is(err.message, `loadLayersModel: weight file '${path.join(dir, 'weights.bin')}' listed in '${path.join(dir, 'model.json')}' does not exist`);
});

test('BAD CALL – a weight of the wrong shape names the weight, expected and received shape', async (t) => {
  const specs = tfjsSpecs.map((s) => (s.name === 'dense_Dense1/kernel' ? { ...s, shape: [4, 3] } : s));
  const url = writeTfjsModel(tmpdir(t), { specs });
  const before = tf.memory().numTensors;
  const err = await t.throwsAsync(tf.loadLayersModel(url));
  t.is(err.code, 'ERR_SHAPE_MISMATCH');
  t.is(err.message, "loadLayersModel: weight 'dense_Dense1/kernel' expects shape [3,4] but the weight data holds shape [4,3]");
  t.is(tf.memory().numTensors, before);
});

test('BAD CALL – an unknown layer class is named', async (t) => {
  const topology = JSON.parse(JSON.stringify(tfjsTopology));
  topology.config.layers[1].class_name = 'NoSuchLayer';
  const url = writeTfjsModel(tmpdir(t), { topology });
  const err = await t.throwsAsync(tf.loadLayersModel(url));
  t.is(err.code, 'ERR_UNKNOWN_NAME');
  t.true(err.message.includes("'NoSuchLayer'"), err.message);
});
