// Optimizer state saved with the model: model.save(url, {includeOptimizer: true})
// then tf.loadLayersModel restores the weights, the optimizer's class, config
// (schedules included), slots and step count, so that training continues
// exactly as if the model had never been saved.
// Serial: the tests share the engine's variable names and tf.memory().
const test = require('ava').serial;
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('../../dist');
const { rng } = require('../rng');

const { schedules } = tf.train;

function tmpdir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-io-optim-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A seeded stream in [-1, 1). */
function signedRng(seed) {
  const r = rng(seed);
  return () => r() * 2 - 1;
}

function buildModel(optimizer) {
  const input = tf.input({ shape: [3] });
  const hidden = tf.layers.dense({ units: 4, activation: 'tanh' }).apply(input);
  const output = tf.layers.dense({ units: 2 }).apply(hidden);
  const model = tf.model({ inputs: input, outputs: output });
  const r = signedRng(7);
  model.setWeights(model.getWeights().map((w) => tf.tensor(Array.from({ length: w.size }, r), w.shape)));
  model.compile({ optimizer, loss: 'meanSquaredError' });
  return model;
}

const weightsOf = (model) => model.getWeights().map((w) => Array.from(w.dataSync()));
const maxDiff = (a, b) => Math.max(...a.flatMap((w, i) => w.map((v, j) => Math.abs(v - b[i][j]))));

const CASES = {
  'adam + exponentialDecay': () => tf.train.adam(schedules.exponentialDecay({ initialLearningRate: 0.05, decaySteps: 3, decayRate: 0.5 })),
  'nadam + cosineDecay with warmup': () => tf.train.nadam(schedules.cosineDecay({ initialLearningRate: 0.001, decaySteps: 10, warmupTarget: 0.02, warmupSteps: 4 })),
  'lion + piecewiseConstantDecay, weight decay': () => tf.train.lion(schedules.piecewiseConstantDecay({ boundaries: [3, 7], values: [0.01, 0.005, 0.002] }), 0.9, 0.99, 0.1),
  'rmsprop(momentum) + staircase decay': () => tf.train.rmsprop(schedules.exponentialDecay({ initialLearningRate: 0.01, decaySteps: 4, decayRate: 0.3, staircase: true }), 0.9, 0.8),
  'adamw + cosineDecay, globalClipNorm': () => tf.train.adamw({ learningRate: schedules.cosineDecay({ initialLearningRate: 0.03, decaySteps: 12, alpha: 0.1 }), weightDecay: 0.05, globalClipNorm: 0.5 }),
};

for (const [name, make] of Object.entries(CASES)) {
  test(`${name}: training after save + load follows the unsaved model to 1e-6`, async (t) => {
    const r = signedRng(3);
    const x = tf.tensor(Array.from({ length: 24 }, r), [8, 3]);
    const y = tf.tensor(Array.from({ length: 16 }, r), [8, 2]);
    const fitArgs = { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 };
    const model = buildModel(make());
    await model.fit(x, y, fitArgs);
    const dir = tmpdir(t);
    await model.save(`file://${dir}`, { includeOptimizer: true });

    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const saved = json.trainingConfig.optimizer_config;
    t.is(saved.class_name, model.optimizer.getClassName());
    t.is(saved.config.learningRate.className, model.optimizer.learningRateSchedule.getClassName());
    const iter = json.weightsManifest[0].weights.find((w) => w.name === 'iter');
    t.deepEqual([iter.group, iter.dtype], ['optimizer', 'int32']);

    const loaded = await tf.loadLayersModel(`file://${dir}/model.json`);
    t.is(loaded.optimizer.getClassName(), model.optimizer.getClassName());
    t.deepEqual(loaded.optimizer.getConfig(), model.optimizer.getConfig());
    t.is(loaded.optimizer.iterations, 6);
    t.is(loaded.optimizer.learningRate, model.optimizer.learningRate);

    // The same weights but a fresh optimizer (step 0, empty slots) goes elsewhere: the state matters.
    const fresh = buildModel(make());
    fresh.setWeights(model.getWeights());

    const before = tf.memory().numTensors;
    await model.fit(x, y, fitArgs);
    await loaded.fit(x, y, fitArgs);
    await fresh.fit(x, y, fitArgs);
    t.is(tf.memory().numTensors, before);
    t.is(loaded.optimizer.iterations, 12);
    const diff = maxDiff(weightsOf(loaded), weightsOf(model));
    t.true(diff <= 1e-6, `loaded vs unsaved: ${diff}`);
    t.true(maxDiff(weightsOf(fresh), weightsOf(model)) > 1e-4, 'a fresh optimizer should not follow the same path');
    tf.dispose([x, y]);
    for (const m of [model, loaded, fresh]) m.dispose();
  });
}

test('a Keras-style training config with a schedule (class_name, snake_case) compiles the model', (t) => {
  const model = buildModel('sgd');
  model.loadTrainingConfig({
    loss: 'mean_squared_error',
    metrics: null,
    optimizer_config: {
      class_name: 'Adam',
      config: {
        learning_rate: { module: 'keras.optimizers.schedules', class_name: 'PiecewiseConstantDecay', config: { boundaries: [10], values: [0.01, 0.001], name: 'PiecewiseConstant' }, registered_name: null },
        beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, clipnorm: 2,
      },
    },
  });
  const opt = model.optimizer;
  t.is(opt.getClassName(), 'Adam');
  t.true(opt.learningRateSchedule instanceof schedules.PiecewiseConstantDecay);
  t.is(opt.learningRate, 0.01);
  t.is(opt.clipNorm, 2);
  model.dispose();
});

test('BAD CALL – saving an optimizer whose learning rate is a plain function names the fix', async (t) => {
  const model = buildModel(tf.train.sgd((step) => 0.1 / (step + 1)));
  const err = await t.throwsAsync(model.save(`file://${tmpdir(t)}`, { includeOptimizer: true }));
  t.is(err.code, 'ERR_UNSUPPORTED');
  t.regex(err.message, /a learning rate given as a function cannot be saved; use a tf\.train\.schedules schedule/);
  model.dispose();
});
