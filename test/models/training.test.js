// compile / fit / evaluate / trainOnBatch (lib/models/training.ts): learning
// on synthetic problems, losses and gradients against float64 references,
// validation logs, callbacks, event-loop yielding, memory, and errors.
// Serial: these tests time the event loop and share the random stream.
const test = require('ava').serial;
const layers = require('../../dist/layers');
const { model, sequential } = require('../../dist/models');
const { earlyStopping } = require('../../dist/callbacks');
const { sgd, adam } = require('../../dist/optimizers');
const { tensor, zeros } = require('../../dist/ops/creation');
const { memory, dispose } = require('../../dist/tensor/scope');
const { rng } = require('../rng');

const data = (t) => Array.from(t.dataSync());
const near = (a, b, tol = 1e-4) => Math.abs(a - b) <= tol * (1 + Math.abs(b));

/** y = 2 x0 - 3 x1 + 0.5: rows of x and y as plain arrays. */
function linearData(n, seed = 1) {
  const r = rng(seed);
  const x = [];
  const y = [];
  for (let i = 0; i < n; i++) {
    const a = r() * 2 - 1;
    const b = r() * 2 - 1;
    x.push([a, b]);
    y.push([2 * a - 3 * b + 0.5]);
  }
  return { x, y };
}

function linearModel(lr = 0.1) {
  const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros' })] });
  m.compile({ optimizer: sgd(lr), loss: 'meanSquaredError' });
  return m;
}

test('fit learns a linear regression to low loss; History holds one value per epoch', async (t) => {
  const { x, y } = linearData(256);
  const m = linearModel(0.2);
  const xs = tensor(x);
  const ys = tensor(y);
  const history = await m.fit(xs, ys, { epochs: 40, batchSize: 16, verbose: 0 });
  t.deepEqual(history.epoch, Array.from({ length: 40 }, (_, i) => i));
  t.is(history.history.loss.length, 40);
  t.true(history.history.loss[39] < 1e-4, `final loss ${history.history.loss[39]}`);
  t.true(history.history.loss[0] > history.history.loss[39]);
  const [w, b] = m.getWeights().map(data);
  t.true(near(w[0], 2, 1e-2) && near(w[1], -3, 1e-2) && near(b[0], 0.5, 1e-2), `${w} ${b}`);
  t.is(m.history, history);
});

test('fit learns XOR with accuracy logged as acc', async (t) => {
  const m = sequential({
    layers: [layers.dense({ units: 8, inputShape: [2], activation: 'tanh' }), layers.dense({ units: 1, activation: 'sigmoid' })],
  });
  m.compile({ optimizer: adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const xs = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const ys = tensor([[0], [1], [1], [0]]);
  const h = await m.fit(xs, ys, { epochs: 300, batchSize: 4, verbose: 0 });
  t.deepEqual(Object.keys(h.history), ['loss', 'acc']);
  t.is(h.history.acc[299], 1);
  const [loss, acc] = m.evaluate(xs, ys);
  t.true(loss.dataSync()[0] < 0.1);
  t.is(acc.dataSync()[0], 1);
  const p = data(m.predict(xs)).map((v) => Math.round(v));
  t.deepEqual(p, [0, 1, 1, 0]);
});

test('evaluate: MSE and sample weights against float64 references', (t) => {
  const m = linearModel();
  m.setWeights([tensor([[1], [-1]]), tensor([0.25])]);
  const x = [[1, 2], [3, -1], [0.5, 0.5], [2, 2]];
  const y = [[0], [1], [2], [-1]];
  const pred = x.map(([a, b]) => a - b + 0.25);
  const se = pred.map((p, i) => (p - y[i][0]) ** 2);
  const mse = se.reduce((a, b) => a + b) / 4;
  t.true(near(m.evaluate(tensor(x), tensor(y)).dataSync()[0], mse));
  // Batches of 3 and 1 average by sample, not by batch.
  t.true(near(m.evaluate(tensor(x), tensor(y), { batchSize: 3 }).dataSync()[0], mse));
  const sw = [1, 0, 2, 0.5];
  const weighted = se.reduce((a, v, i) => a + v * sw[i], 0) / 4;
  t.true(near(m.evaluate(tensor(x), tensor(y), { sampleWeight: tensor(sw) }).dataSync()[0], weighted));
});

test('one SGD step moves the weights by -lr * gradient (float64 gradient of the MSE)', async (t) => {
  const m = linearModel(0.1);
  const W = [0.3, -0.7];
  const b = 0.2;
  m.setWeights([tensor([[W[0]], [W[1]]]), tensor([b])]);
  const x = [[1, 2], [-1, 0.5], [0.25, -2]];
  const y = [1, -1, 0.5];
  const r = x.map(([p, q], i) => W[0] * p + W[1] * q + b - y[i]);
  const loss = await m.trainOnBatch(tensor(x), tensor(y.map((v) => [v])));
  t.true(near(loss, r.reduce((a, v) => a + v * v, 0) / 3));
  const gW = [0, 1].map((k) => (2 / 3) * r.reduce((a, v, i) => a + v * x[i][k], 0));
  const gb = (2 / 3) * r.reduce((a, v) => a + v, 0);
  const [w1, b1] = m.getWeights().map(data);
  t.true(near(w1[0], W[0] - 0.1 * gW[0], 1e-5) && near(w1[1], W[1] - 0.1 * gW[1], 1e-5), `${w1}`);
  t.true(near(b1[0], b - 0.1 * gb, 1e-5));
});

test('the training gradient matches central finite differences of the loss (with an L2 penalty)', async (t) => {
  const build = () => {
    const m = sequential({
      layers: [layers.dense({ units: 3, inputShape: [2], activation: 'tanh', kernelRegularizer: 'l2' }), layers.dense({ units: 1 })],
    });
    m.compile({ optimizer: sgd(1), loss: 'meanSquaredError' });
    return m;
  };
  const m = build();
  const init = m.getWeights().map((w) => ({ shape: w.shape, v: data(w) }));
  const x = tensor([[0.5, -1], [1, 2], [-0.3, 0.8]]);
  const y = tensor([[0.2], [-0.4], [1]]);
  const lossAt = (values) => {
    m.setWeights(values.map((w) => tensor(w.v, w.shape)));
    return m.evaluate(x, y).dataSync()[0];
  };
  // Move one kernel entry and one bias entry; the rest follow the same code path.
  const probes = [[0, 1], [0, 4], [1, 0], [2, 1]];
  const eps = 1e-2;
  const numeric = probes.map(([w, i]) => {
    const up = init.map((e) => ({ shape: e.shape, v: e.v.slice() }));
    const dn = init.map((e) => ({ shape: e.shape, v: e.v.slice() }));
    up[w].v[i] += eps;
    dn[w].v[i] -= eps;
    return (lossAt(up) - lossAt(dn)) / (2 * eps);
  });
  m.setWeights(init.map((w) => tensor(w.v, w.shape)));
  await m.trainOnBatch(x, y);
  const after = m.getWeights().map(data);
  probes.forEach(([w, i], k) => {
    const analytic = init[w].v[i] - after[w][i]; // lr = 1
    t.true(Math.abs(analytic - numeric[k]) <= 1e-2 * (1 + Math.abs(numeric[k])), `weight ${w}[${i}]: ${analytic} vs ${numeric[k]}`);
  });
});

test('multi-output: loss dict, lossWeights and per-output logs against references', async (t) => {
  const x = layers.input({ shape: [2], name: 'mo_in' });
  const a = layers.dense({ units: 1, name: 'age' }).apply(x);
  const g = layers.dense({ units: 1, activation: 'sigmoid', name: 'gender' }).apply(x);
  const m = model({ inputs: x, outputs: [a, g] });
  m.compile({ optimizer: sgd(0), loss: { age: 'meanSquaredError', gender: 'binaryCrossentropy' }, lossWeights: { age: 0.25, gender: 10 }, metrics: { gender: ['accuracy'] } });
  m.getLayer('age').setWeights([tensor([[1], [2]]), tensor([0])]);
  m.getLayer('gender').setWeights([tensor([[0.5], [-0.5]]), tensor([0.1])]);
  const xv = [[1, 0], [0, 1], [1, 1]];
  const ageY = [[1], [1], [2]];
  const genY = [[1], [0], [1]];
  const agePred = xv.map(([p, q]) => p + 2 * q);
  const mse = agePred.reduce((s, v, i) => s + (v - ageY[i][0]) ** 2, 0) / 3;
  const gp = xv.map(([p, q]) => 1 / (1 + Math.exp(-(0.5 * p - 0.5 * q + 0.1))));
  const bce = -gp.reduce((s, p, i) => s + (genY[i][0] ? Math.log(p) : Math.log(1 - p)), 0) / 3;
  const acc = gp.reduce((s, p, i) => s + ((p > 0.5 ? 1 : 0) === genY[i][0] ? 1 : 0), 0) / 3;
  const out = m.evaluate(tensor(xv), [tensor(ageY), tensor(genY)]).map((v) => v.dataSync()[0]);
  t.true(near(out[0], 0.25 * mse + 10 * bce, 1e-4), `${out[0]} vs ${0.25 * mse + 10 * bce}`);
  t.true(near(out[1], mse, 1e-4));
  t.true(near(out[2], bce, 1e-4));
  t.true(near(out[3], acc, 1e-6));
  const h = await m.fit(tensor(xv), { age: tensor(ageY), gender: tensor(genY) }, { epochs: 1, verbose: 0 });
  t.deepEqual(Object.keys(h.history), ['loss', 'age_loss', 'gender_loss', 'gender_acc']);
  t.true(near(h.history.loss[0], out[0], 1e-4));
  // A list of losses in output order works the same.
  m.compile({ optimizer: sgd(0), loss: ['meanSquaredError', 'binaryCrossentropy'], lossWeights: [0.25, 10] });
  t.true(near(m.evaluate(tensor(xv), [tensor(ageY), tensor(genY)])[0].dataSync()[0], 0.25 * mse + 10 * bce, 1e-4));
});

test('validationSplit takes the last samples before shuffling and logs val_*', async (t) => {
  const m = linearModel(0);
  m.setWeights([tensor([[1], [0]]), tensor([0])]);
  // First 8 rows fit exactly (y = x0); the last 2 are off by 3.
  const x = Array.from({ length: 10 }, (_, i) => [i, 0]);
  const y = x.map(([v], i) => [i >= 8 ? v + 3 : v]);
  const h = await m.fit(tensor(x), tensor(y), { epochs: 2, validationSplit: 0.2, verbose: 0 });
  t.deepEqual(Object.keys(h.history), ['loss', 'val_loss']);
  t.deepEqual(h.history.loss, [0, 0]);
  t.deepEqual(h.history.val_loss, [9, 9]);
  const h2 = await m.fit(tensor(x.slice(0, 8)), tensor(y.slice(0, 8)), { epochs: 1, validationData: [tensor(x.slice(8)), tensor(y.slice(8))], verbose: 0 });
  t.deepEqual(h2.history.val_loss, [9]);
});

test('earlyStopping stops when the monitored value stops improving, and can restore the best weights', async (t) => {
  const m = linearModel(0);
  const x = tensor([[1, 0], [0, 1]]);
  const y = tensor([[1], [1]]);
  const stopper = earlyStopping({ monitor: 'loss', patience: 2 });
  const h = await m.fit(x, y, { epochs: 20, callbacks: [stopper], verbose: 0 });
  // lr 0: the loss never improves after epoch 0, so epochs 1 and 2 exhaust the patience.
  t.is(h.epoch.length, 3);
  t.is(stopper.stoppedEpoch, 2);

  const m2 = linearModel(0.5);
  let epochs = 0;
  const diverge = {
    onEpochEnd: () => {
      epochs++;
      // After the first epoch, ruin the weights: the loss gets worse and training stops.
      if (epochs === 1) m2.setWeights([tensor([[100], [100]]), tensor([100])]);
    },
  };
  const best = earlyStopping({ monitor: 'loss', patience: 1, restoreBestWeights: true });
  await m2.fit(x, y, { epochs: 1 + 5, batchSize: 2, callbacks: [best, diverge], verbose: 0, shuffle: false });
  // The best epoch is the first: its weights after the update are W = [0.5, 0.5], b = 1.
  const [w, b] = m2.getWeights().map(data);
  t.deepEqual(w, [0.5, 0.5]);
  t.deepEqual(b, [1]);
});

test('callbacks are called in order, async hooks are awaited, stopTraining works', async (t) => {
  const m = linearModel();
  const calls = [];
  const cb = {
    onTrainBegin: () => calls.push('trainBegin'),
    onEpochBegin: (e) => calls.push(`epochBegin ${e}`),
    onBatchBegin: (b, logs) => calls.push(`batchBegin ${b} ${logs.size}`),
    onBatchEnd: async (b, logs) => {
      await new Promise((r) => setTimeout(r, 1));
      calls.push(`batchEnd ${b} ${typeof logs.loss}`);
    },
    onEpochEnd: (e, logs) => calls.push(`epochEnd ${e} ${Object.keys(logs).join(',')}`),
    onTrainEnd: () => calls.push('trainEnd'),
  };
  await m.fit(zeros([3, 2]), zeros([3, 1]), { epochs: 2, batchSize: 2, callbacks: cb, verbose: 0 });
  t.deepEqual(calls, [
    'trainBegin',
    'epochBegin 0', 'batchBegin 0 2', 'batchEnd 0 number', 'batchBegin 1 1', 'batchEnd 1 number', 'epochEnd 0 loss',
    'epochBegin 1', 'batchBegin 0 2', 'batchEnd 0 number', 'batchBegin 1 1', 'batchEnd 1 number', 'epochEnd 1 loss',
    'trainEnd',
  ]);
  let batches = 0;
  const h = await m.fit(zeros([8, 2]), zeros([8, 1]), {
    epochs: 5,
    batchSize: 2,
    verbose: 0,
    callbacks: { onBatchEnd: () => { if (++batches === 3) m.stopTraining = true; } },
  });
  t.is(batches, 3);
  t.is(h.epoch.length, 1);
});

test('a setInterval timer keeps firing during fit', async (t) => {
  const m = sequential({ layers: [layers.dense({ units: 64, inputShape: [32], activation: 'relu' }), layers.dense({ units: 1 })] });
  m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  const xs = tensor(Array.from({ length: 4096 * 32 }, (_, i) => Math.sin(i)), [4096, 32]);
  const ys = zeros([4096, 1]);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const start = Date.now();
  await m.fit(xs, ys, { epochs: 2, batchSize: 8, verbose: 0 });
  const elapsed = Date.now() - start;
  clearInterval(timer);
  // Expect a tick at least every ~50 ms of training.
  t.true(ticks >= Math.floor(elapsed / 50), `${ticks} ticks in ${elapsed} ms`);
});

test('numTensors is unchanged by fit, evaluate and predict', async (t) => {
  const m = sequential({
    layers: [layers.dense({ units: 4, inputShape: [3], activation: 'relu' }), layers.dropout({ rate: 0.2 }), layers.dense({ units: 3, activation: 'softmax' })],
  });
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const xs = tensor(Array.from({ length: 50 * 3 }, (_, i) => Math.cos(i)), [50, 3]);
  const ys = tensor(Array.from({ length: 50 }, (_, i) => [0, 1, 2].map((k) => (i % 3 === k ? 1 : 0))));
  // The first fit creates the optimizer's slot variables (as TF.js does).
  await m.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0 });
  const before = memory().numTensors;
  await m.fit(xs, ys, { epochs: 2, batchSize: 8, validationSplit: 0.2, verbose: 0, callbacks: earlyStopping({ restoreBestWeights: true }) });
  t.is(memory().numTensors, before);
  await m.fit(xs, ys, { epochs: 1, batchSize: 16, verbose: 0, classWeight: { 0: 1, 1: 2, 2: 1 } });
  t.is(memory().numTensors, before);
  dispose(m.evaluate(xs, ys, { batchSize: 7 }));
  t.is(memory().numTensors, before);
  m.predict(xs, { batchSize: 7 }).dispose();
  t.is(memory().numTensors, before);
  await m.trainOnBatch(xs, ys);
  t.is(memory().numTensors, before);
});

test('classWeight multiplies each sample loss by its class weight', (t) => {
  const m = linearModel(0);
  m.setWeights([tensor([[0], [0]]), tensor([0])]);
  const x = tensor([[0, 0], [0, 0], [0, 0]]);
  const y = tensor([[1], [0], [1]]);
  // Per-sample squared errors 1, 0, 1; class 1 weighs 3: (3 + 0 + 3) / 3 = 2. Checked through fit's logged loss.
  return m.fit(x, y, { epochs: 1, classWeight: { 0: 1, 1: 3 }, verbose: 0 }).then((h) => t.true(near(h.history.loss[0], 2)));
});

test('trainable weights are fixed at compile', async (t) => {
  const m = linearModel(0.5);
  const before = m.getWeights().map(data);
  m.trainable = false;
  await m.trainOnBatch(tensor([[1, 1]]), tensor([[5]]));
  t.notDeepEqual(m.getWeights().map(data), before, 'still trains: compiled while trainable');
  m.compile({ optimizer: sgd(0.5), loss: 'meanSquaredError' });
  const frozen = m.getWeights().map(data);
  await m.trainOnBatch(tensor([[1, 1]]), tensor([[5]]));
  t.deepEqual(m.getWeights().map(data), frozen);
});

test('verbose prints a line per epoch when not a TTY', async (t) => {
  const m = linearModel();
  const { ProgressLogger } = require('../../dist/callbacks');
  const out = [];
  const logger = new ProgressLogger('auto', { isTTY: false, write: (s) => out.push(s) });
  await m.fit(zeros([4, 2]), zeros([4, 1]), { epochs: 2, verbose: 0, callbacks: [logger] });
  t.is(out.length, 4);
  t.is(out[0], 'Epoch 1 / 2\n');
  t.regex(out[1], /^\d+ms \d+us\/step - loss=0\n$/);
});

test('BAD CALL: fit before compile names the fix', async (t) => {
  const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
  const e = await t.throwsAsync(() => m.fit(zeros([2, 2]), zeros([2, 1])));
  t.is(e.code, 'ERR_NOT_COMPILED');
  t.is(e.message, `${m.name}.fit: the model must be compiled before fit(); call model.compile({optimizer, loss}) first`);
  t.throws(() => m.evaluate(zeros([2, 2]), zeros([2, 1])), { message: /must be compiled before evaluate\(\)/ });
});

test('BAD CALL: wrong input shape names the input layer and both shapes', async (t) => {
  const m = linearModel();
  const e = await t.throwsAsync(() => m.fit(zeros([4, 3]), zeros([4, 1]), { verbose: 0 }));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.regex(e.message, /\.fit: expected a tensor of shape \[null,2\] for input '[^']+' \('x'\) but received float32 tensor of shape \[4,3\]/);
  const e2 = await t.throwsAsync(() => m.fit(zeros([4, 2]), zeros([3, 1]), { verbose: 0 }));
  t.regex(e2.message, /same number of samples, but 'y' has 3 and the first has 4/);
  const e3 = await t.throwsAsync(() => m.fit(zeros([4, 2]), zeros([4, 5]), { verbose: 0 }));
  t.regex(e3.message, /expected a target of shape \[null,1\] for output '[^']+' \('y'\) but received float32 tensor of shape \[4,5\]/);
});

test('BAD CALL: unknown loss, optimizer and metric names', (t) => {
  const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
  const e = t.throws(() => m.compile({ optimizer: 'sgd', loss: 'meanSquaredEror' }));
  t.is(e.code, 'ERR_UNKNOWN_NAME');
  t.regex(e.message, /^getLoss: unknown loss 'meanSquaredEror'; known: .*meanSquaredError/);
  t.is(t.throws(() => m.compile({ optimizer: 'adamm', loss: 'mse' })).code, 'ERR_UNKNOWN_NAME');
  t.is(t.throws(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['accurcy'] })).code, 'ERR_UNKNOWN_NAME');
  t.throws(() => m.compile({ optimizer: 'sgd' }), { instanceOf: TypeError, message: /^compile: expected a loss name/ });
  const x = layers.input({ shape: [1] });
  const two = model({ inputs: x, outputs: [layers.dense({ units: 1, name: 'o_a' }).apply(x), layers.dense({ units: 1, name: 'o_b' }).apply(x)] });
  const e2 = t.throws(() => two.compile({ optimizer: 'sgd', loss: { o_a: 'mse', o_c: 'mse' } }));
  t.is(e2.message, "compile: unknown output name in 'loss' 'o_c'; known: o_a, o_b");
  t.throws(() => two.compile({ optimizer: 'sgd', loss: ['mse'] }), { instanceOf: TypeError, message: /one entry per model output \(2: o_a, o_b\)/ });
});

test('BAD CALL: fit options are checked', async (t) => {
  const m = linearModel();
  const x = zeros([4, 2]);
  const y = zeros([4, 1]);
  await t.throwsAsync(() => m.fit(x, y, { epochs: 0 }), { instanceOf: RangeError, message: /fit: expected an integer >= 1 for 'epochs' but received 0/ });
  await t.throwsAsync(() => m.fit(x, y, { batchSize: 2.5 }), { instanceOf: TypeError, message: /'batchSize'/ });
  await t.throwsAsync(() => m.fit(x, y, { validationSplit: 1 }), { instanceOf: RangeError, message: /'validationSplit'/ });
  await t.throwsAsync(() => m.fit(x, y, { callbacks: 5 }), { instanceOf: TypeError, message: /'callbacks'/ });
  await t.throwsAsync(() => m.fit(x, y, { callbacks: { onEpochEnd: 3 } }), { instanceOf: TypeError, message: /'onEpochEnd'/ });
  // A second fit while one runs is refused; the first still completes.
  const first = m.fit(x, y, { epochs: 2, verbose: 0 });
  await t.throwsAsync(() => m.fit(x, y, { verbose: 0 }), { message: /already training/ });
  await first;
});

test('training config round-trips through getTrainingConfig / loadTrainingConfig', (t) => {
  const m = linearModel();
  m.compile({ optimizer: adam(0.01), loss: 'meanSquaredError', metrics: ['mae'] });
  const config = m.getTrainingConfig();
  t.is(config.loss, 'mean_squared_error');
  t.deepEqual(config.metrics, ['mae']);
  t.is(config.optimizer_config.class_name, 'Adam');
  const other = linearModel();
  other.loadTrainingConfig(config);
  t.is(other.optimizer.getClassName(), 'Adam');
  t.deepEqual(other.compiled.metricsNames, ['loss', 'mae']);
});

test('a Sequential without an input shape compiles first and builds from the data in fit', async (t) => {
  const m = sequential({ layers: [layers.dense({ units: 1, kernelInitializer: 'zeros' })] });
  m.compile({ optimizer: sgd(0.1), loss: 'meanSquaredError' });
  t.is(m.outputs.length, 0);
  const h = await m.fit(tensor([[1, 2], [3, 4]]), tensor([[1], [2]]), { epochs: 2, verbose: 0 });
  t.deepEqual(m.inputs[0].shape, [null, 2]);
  t.is(h.history.loss.length, 2);
  t.true(near(h.history.loss[0], (1 + 4) / 2));
});

/** A dataset of `count` batches of the linear problem, made fresh on each iterator() (sync or async). */
function linearDataset(count, batch, asyncIter = false) {
  const { x, y } = linearData(count * batch, 7);
  return {
    iterator() {
      let i = 0;
      const next = () => {
        if (i >= count) return { done: true, value: undefined };
        const rows = [i * batch, (i + 1) * batch];
        i++;
        return { done: false, value: { xs: tensor(x.slice(...rows)), ys: tensor(y.slice(...rows)) } };
      };
      return asyncIter ? Promise.resolve({ next: async () => next() }) : { next };
    },
  };
}

test('fitDataset learns from batches of a dataset, validates on a dataset, and frees the batches', async (t) => {
  const m = linearModel(0.2);
  const ds = linearDataset(8, 16);
  await m.fitDataset(ds, { epochs: 1, verbose: 0 });
  const before = memory().numTensors;
  const h = await m.fitDataset(ds, { epochs: 30, verbose: 0, validationData: linearDataset(2, 8, true) });
  t.is(memory().numTensors, before);
  t.deepEqual(Object.keys(h.history), ['loss', 'val_loss']);
  t.true(h.history.loss[29] < 1e-3, `${h.history.loss[29]}`);
  t.true(h.history.val_loss[29] < 1e-3);
  const loss = await m.evaluateDataset(linearDataset(3, 4, true));
  t.true(loss.dataSync()[0] < 1e-3);
  t.is(memory().numTensors, before + 1);
  loss.dispose();
});

test('fitDataset with batchesPerEpoch keeps one iterator across epochs', async (t) => {
  const m = linearModel(0);
  m.setWeights([tensor([[0], [0]]), tensor([0])]);
  const seen = [];
  const h = await m.fitDataset(linearDataset(6, 2), {
    epochs: 3,
    batchesPerEpoch: 2,
    verbose: 0,
    callbacks: { onBatchEnd: (b, logs) => seen.push(`${b}:${logs.size}`) },
  });
  t.deepEqual(seen, ['0:2', '1:2', '0:2', '1:2', '0:2', '1:2']);
  t.is(h.epoch.length, 3);
  // Each epoch saw different rows: the losses differ.
  t.not(h.history.loss[0], h.history.loss[1]);
  await t.throwsAsync(() => m.fitDataset([1, 2], { epochs: 1 }), { instanceOf: TypeError, message: /expected a dataset \(an object with an iterator\(\) method\) for 'dataset'/ });
  const bad = { iterator: () => ({ next: () => ({ done: false, value: 5 }) }) };
  await t.throwsAsync(() => m.fitDataset(bad, { epochs: 1, verbose: 0 }), { instanceOf: TypeError, message: /batches of the form \{xs, ys\} or \[xs, ys\]/ });
});

test('Dense(softmax) + categoricalCrossentropy trains through the fused softmax-cross-entropy kernel', async (t) => {
  const { native } = require('../../dist/native');
  const original = native.softmaxCrossEntropy;
  let calls = 0;
  native.softmaxCrossEntropy = (...args) => {
    calls++;
    return original(...args);
  };
  try {
    const m = sequential({ layers: [layers.dense({ units: 3, inputShape: [2], activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['acc'] });
    await m.fit(tensor([[1, 0], [0, 1], [1, 1]]), tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), { epochs: 2, batchSize: 3, verbose: 0 });
    t.is(calls, 2, 'one fused call per training step');
  } finally {
    native.softmaxCrossEntropy = original;
  }
});

test('initialEpoch starts the epoch count there', async (t) => {
  const m = linearModel();
  const seen = [];
  const h = await m.fit(zeros([2, 2]), zeros([2, 1]), { epochs: 3, initialEpoch: 1, verbose: 0, callbacks: { onEpochBegin: (e) => seen.push(e) } });
  t.deepEqual(seen, [1, 2]);
  t.deepEqual(h.epoch, [1, 2]);
});
