// A program written for @tensorflow/tfjs-node, with only its import changed,
// must run: these tests are such programs, in the idioms TF.js users write.
const test = require('ava');
const path = require('path');
const { execFileSync } = require('child_process');
const tf = require('..');

test.serial('a tfjs-node dense-network program runs unchanged', async (t) => {
  // Learn y = 2x - 1 (the TF.js getting-started example).
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 1, inputShape: [1] }));
  model.compile({ loss: 'meanSquaredError', optimizer: 'sgd' });
  const xs = tf.tensor2d([-1, 0, 1, 2, 3, 4], [6, 1]);
  const ys = tf.tensor2d([-3, -1, 1, 3, 5, 7], [6, 1]);
  const history = await model.fit(xs, ys, { epochs: 250, verbose: 0 });
  t.true(history.history.loss[249] < history.history.loss[0]);
  const out = model.predict(tf.tensor2d([10], [1, 1]));
  const [value] = await out.data();
  t.true(Math.abs(value - 19) < 0.5, `predicted ${value}`);
  tf.dispose([xs, ys, out]);
});

test.serial('a classifier with tidy, callbacks, evaluate and argMax, as TF.js programs write it', async (t) => {
  tf.setSeed(1);
  const n = 256;
  const xs = tf.tidy(() => tf.randomUniform([n, 2], -1, 1));
  // Two classes split by the line x0 + x1 = 0.
  const labels = tf.tidy(() => xs.sum(1).greater(0).cast('int32'));
  const ys = tf.oneHot(labels, 2).toFloat();
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [2], units: 16, activation: 'relu' }),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const epochsSeen = [];
  const before = tf.memory().numTensors;
  await model.fit(xs, ys, {
    epochs: 20,
    batchSize: 32,
    verbose: 0,
    callbacks: { onEpochEnd: async (epoch, logs) => epochsSeen.push([epoch, logs.acc]) },
  });
  t.is(tf.memory().numTensors, before, 'fit leaves no tensor behind');
  t.is(epochsSeen.length, 20);
  const [loss, acc] = model.evaluate(xs, ys);
  t.true(acc.dataSync()[0] > 0.9, `accuracy ${acc.dataSync()[0]}`);
  const predicted = tf.tidy(() => model.predict(xs).argMax(-1));
  const agree = tf.tidy(() => predicted.equal(labels).sum().dataSync()[0]);
  t.true(agree > 0.9 * n);
  tf.dispose([xs, labels, ys, loss, acc, predicted]);
});

test.serial('a custom training loop with variables, optimizer.minimize and tf.grad', (t) => {
  const a = tf.variable(tf.scalar(0));
  const b = tf.variable(tf.scalar(0));
  const xs = tf.tensor1d([0, 1, 2, 3]);
  const ys = tf.tensor1d([1, 3, 5, 7]);
  const optimizer = tf.train.sgd(0.05);
  for (let i = 0; i < 300; i++) {
    optimizer.minimize(() => a.mul(xs).add(b).sub(ys).square().mean());
  }
  t.true(Math.abs(a.dataSync()[0] - 2) < 0.05);
  t.true(Math.abs(b.dataSync()[0] - 1) < 0.1);
  const g = tf.grad((x) => x.square())(tf.scalar(3));
  t.is(g.dataSync()[0], 6);
  tf.dispose([a, b, xs, ys, g]);
});

test.serial('the package loads from ESM, default and named imports', (t) => {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e',
    "import tf, { tensor, sequential } from 'tensorforge'; import * as ns from 'tensorforge';" +
    "console.log(tensor([1, 2]).add(1).dataSync().join(','), typeof sequential, typeof ns.layers.dense, typeof tf.train.adam);"],
  { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
  t.is(out.trim(), '2,3 function function function');
});

test.serial('two copies of the package share one engine', (t) => {
  // As when the package is installed twice, e.g. under an npm alias.
  const dist = path.dirname(require.resolve('..'));
  const saved = {};
  for (const k of Object.keys(require.cache)) {
    if (k.startsWith(dist)) {
      saved[k] = require.cache[k];
      delete require.cache[k];
    }
  }
  const second = require('..');
  Object.assign(require.cache, saved);
  t.not(second, tf);
  const before = tf.memory().numTensors;
  const x = second.tensor([1]);
  t.is(tf.memory().numTensors, before + 1);
  x.dispose();
  t.is(tf.memory().numTensors, before);
});

test.serial('internal op helpers stay off the public namespace', (t) => {
  for (const name of ['freeTemps', 'reduceToShape', 'broadcastShapes', 'toTensorLike', 'parseAxes', 'reduceRaw', 'inDtype']) {
    t.false(name in tf, `tf.${name} should not be public`);
  }
});
