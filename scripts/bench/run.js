#!/usr/bin/env node
// npm run bench -- <workload> [--epochs N] [--seed S] [--compare pytorch]
// Trains a workload of ../shared/WORKLOADS.md (on Fashion-MNIST, or on the
// generated series or reviews of ./series.js and ./reviews.js) and prints one
// JSON line: samples/s (median over epochs), ms per step, peak RSS, and test
// accuracy, or for the series the validation MAE beside the naive forecast's.
// With --compare pytorch the same workload runs in PyTorch (Debian's
// python3-torch, 2 threads) on the same data in the same run, and the line
// carries both and their ratio. The two run one after the other, never at once.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { WORKLOADS } = require('./workloads');
const series = require('./series');
const reviews = require('./reviews');
const { median } = require('./timing');

function parseArgs(argv) {
  const args = { workload: null, epochs: null, compare: null, seed: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--epochs') args.epochs = Number(argv[++i]);
    else if (a === '--compare') args.compare = argv[++i];
    else if (a === '--seed') args.seed = Number(argv[++i]);
    else if (!args.workload) args.workload = a;
    else throw new Error(`bench: unexpected argument '${a}'`);
  }
  if (!WORKLOADS[args.workload]) {
    throw new Error(`bench: expected a workload (${Object.keys(WORKLOADS).join(', ')}) but received ${args.workload === null ? 'none' : `'${args.workload}'`}`);
  }
  if (args.epochs !== null && !(Number.isInteger(args.epochs) && args.epochs > 0)) throw new Error(`bench: --epochs expects a positive integer`);
  if (!Number.isInteger(args.seed) || args.seed < 0) throw new Error('bench: --seed expects a non-negative integer');
  if (args.compare !== null && args.compare !== 'pytorch') throw new Error(`bench: --compare expects 'pytorch' but received '${args.compare}'`);
  return args;
}

/** Callbacks that time each epoch (its validation pass included, as PyTorch's) and keep the last logs. */
function epochTimer(samplesPerEpoch) {
  const timer = { rates: [], lastLogs: {} };
  let t0 = 0;
  timer.callbacks = {
    onEpochBegin: () => { t0 = performance.now(); },
    onEpochEnd: (epoch, logs) => { timer.rates.push(samplesPerEpoch / ((performance.now() - t0) / 1000)); timer.lastLogs = logs; },
  };
  return timer;
}

const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The model's accuracy on a test set: argmax for softmax outputs, 0.5 for a sigmoid. */
function testAccuracy(tf, model, x, labels) {
  const accuracy = tf.tidy(() => {
    const probs = model.predict(x, { batchSize: 1000 });
    const predicted = probs.shape[1] === 1 ? probs.greater(0.5).toFloat().reshape([-1]) : probs.argMax(-1);
    return predicted.equal(labels).toFloat().mean().dataSync()[0];
  });
  return round(accuracy, 4);
}

async function trainFashionMnist(tf, w, epochs) {
  const { train, test } = tf.node.datasets.loadFashionMnist({ imageShape: w.imageShape ?? [28, 28, 1] });
  const toTargets = (labels) => (w.labels === 'onehot' ? tf.node.datasets.toCategorical(labels, 10) : labels);
  const model = w.build(tf);
  const fitArgs = w.fitArgs ?? {};
  // Samples trained per epoch: validationSplit holds the tail of the set out.
  const timer = epochTimer(Math.floor(train.images.shape[0] * (1 - (fitArgs.validationSplit ?? 0))));
  await model.fit(train.images, toTargets(train.labels), { ...fitArgs, epochs, batchSize: w.batchSize, shuffle: true, verbose: 0, callbacks: timer.callbacks });
  const valAccuracy = timer.lastLogs.val_acc ?? timer.lastLogs.val_accuracy;
  return {
    rates: timer.rates,
    results: {
      testAccuracy: testAccuracy(tf, model, test.images, test.labels),
      ...(valAccuracy !== undefined ? { valAccuracy: round(valAccuracy, 4) } : {}),
    },
  };
}

/** The normalised series, its splits, and the naive forecast's MAE on the validation windows. */
function prepareSeries(w) {
  const s = w.series;
  const { data, hours, features } = series.generateSeries({ hours: s.hours, seed: 0 });
  const split = series.splitRows(hours);
  const stats = series.featureStats(data, features.length, split.train[1]);
  const normalised = series.normalise(data, features.length, stats);
  const baselineMae = series.naiveMae({ data: normalised, features: features.length, start: split.val[0], end: split.val[1], lookback: s.lookback, delay: s.delay });
  return { data: normalised, features: features.length, split, temperatureStd: stats.std[series.TEMPERATURE], baselineMae };
}

async function trainSeries(tf, w, epochs, seed, d) {
  const windows = (range, args) => series.windowDataset(tf, { data: d.data, features: d.features, start: range[0], end: range[1], lookback: w.series.lookback, delay: w.series.delay, ...args });
  const train = windows(d.split.train, { batchSize: w.batchSize, shuffle: true, seed });
  const val = windows(d.split.val, { batchSize: w.validationBatchSize });
  const model = w.build(tf, d.features);
  const timer = epochTimer(w.batchesPerEpoch * w.batchSize);
  await model.fitDataset(train, { epochs, batchesPerEpoch: w.batchesPerEpoch, validationData: val, verbose: 0, callbacks: timer.callbacks });
  const valMae = timer.lastLogs.val_loss;
  return {
    rates: timer.rates,
    results: {
      valMae: round(valMae, 4),
      valMaeDegC: round(valMae * d.temperatureStd, 3),
      baselineMae: round(d.baselineMae, 4),
      baselineMaeDegC: round(d.baselineMae * d.temperatureStd, 3),
    },
  };
}

/** Training and test reviews: different seeds, the same sentiment words. */
function prepareReviews(w) {
  const r = w.reviews;
  const make = (count, seed) => reviews.generateReviews({ count, seed, vocabSize: r.vocabSize, maxlen: r.maxlen });
  return { train: make(r.train, 1), test: make(r.test, 2), maxlen: r.maxlen };
}

async function trainReviews(tf, w, epochs, seed, d) {
  const asTensors = (set) => [tf.tensor2d(set.ids, [set.labels.length, d.maxlen], 'int32'), tf.tensor2d(set.labels, [set.labels.length, 1])];
  const [x, y] = asTensors(d.train);
  const [xTest, yTest] = asTensors(d.test);
  const model = w.build(tf);
  const fitArgs = w.fitArgs ?? {};
  const timer = epochTimer(Math.floor(d.train.labels.length * (1 - (fitArgs.validationSplit ?? 0))));
  await model.fit(x, y, { ...fitArgs, epochs, batchSize: w.batchSize, shuffle: true, verbose: 0, callbacks: timer.callbacks });
  const labels = yTest.reshape([-1]);
  const results = { testAccuracy: testAccuracy(tf, model, xTest, labels), valAccuracy: round(timer.lastLogs.val_acc, 4) };
  tf.dispose([x, y, xTest, yTest, labels]);
  return { rates: timer.rates, results };
}

const DATA = {
  'fashion-mnist': { prepare: () => null, train: trainFashionMnist },
  series: { prepare: prepareSeries, train: trainSeries },
  reviews: { prepare: prepareReviews, train: trainReviews },
};

async function runTensorforge(name, epochsArg, seed, data) {
  const tf = require('../..');
  const w = WORKLOADS[name];
  const epochs = epochsArg ?? w.epochs;
  tf.setSeed(seed);
  const { rates, results } = await DATA[w.data ?? 'fashion-mnist'].train(tf, w, epochs, seed, data);
  const sps = median(rates);
  return {
    framework: `tensorforge ${require('../../package.json').version} (oneDNN ${tf.device().cpu.onednn})`,
    workload: name,
    threads: tf.device().cpu.threads,
    epochs,
    seed,
    batchSize: w.batchSize,
    samplesPerSec: round(sps, 1),
    samplesPerSecByEpoch: rates.map((r) => round(r, 1)),
    msPerStep: round((1000 * w.batchSize) / sps, 4),
    ...results,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
  };
}

/**
 * Writes a generated data set for torch_workloads.py (raw little-endian
 * arrays and a JSON of their shapes), so that both frameworks train on the
 * same numbers.
 */
function writeTorchData(dir, w, d) {
  const write = (file, array) => fs.writeFileSync(path.join(dir, file), Buffer.from(array.buffer, array.byteOffset, array.byteLength));
  let meta;
  if (w.data === 'series') {
    write('series.f32', d.data);
    meta = { rows: d.data.length / d.features, features: d.features, split: d.split, lookback: w.series.lookback, delay: w.series.delay, temperatureStd: d.temperatureStd, batchesPerEpoch: w.batchesPerEpoch, validationBatchSize: w.validationBatchSize };
  } else {
    for (const part of ['train', 'test']) {
      write(`${part}_ids.i32`, d[part].ids);
      write(`${part}_labels.f32`, d[part].labels);
    }
    meta = { maxlen: d.maxlen, train: d.train.labels.length, test: d.test.labels.length };
  }
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta));
}

// PyTorch is given its fastest BLAS here: OpenBLAS built for OpenMP (the
// pthread build oversubscribes the 2 cores alongside PyTorch's own OpenMP
// threads, and reference BLAS is 6x slower). The JSON names the one it used.
const OPENBLAS_OPENMP = '/usr/lib/x86_64-linux-gnu/openblas-openmp';

function runPytorch(name, epochs, seed, data) {
  const script = path.join(__dirname, 'torch_workloads.py');
  const env = { ...process.env };
  if (fs.existsSync(path.join(OPENBLAS_OPENMP, 'libblas.so.3'))) env.LD_LIBRARY_PATH = [OPENBLAS_OPENMP, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  // Debian's python3-torch lives in the system interpreter, not in a pyenv/venv one.
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const dir = data === null ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'tensorforge-bench-'));
  try {
    if (dir !== null) writeTorchData(dir, WORKLOADS[name], data);
    const r = spawnSync(python, [script, name, '--epochs', String(epochs), '--seed', String(seed), ...(dir !== null ? ['--data', dir] : [])], { encoding: 'utf8', env });
    if (r.error || r.status !== 0) {
      throw new Error(`bench: the PyTorch run failed (run: bash scripts/setup.sh --torch):\n${r.error ? r.error.message : r.stderr}`);
    }
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } finally {
    if (dir !== null) fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const w = WORKLOADS[args.workload];
  // setup.sh installs what is missing; it is run only then, since it also
  // reinstalls the npm dependencies (npm ci) whenever package.json is newer.
  const missing = [];
  if (args.compare === 'pytorch' && !(fs.existsSync('/usr/lib/python3/dist-packages/torch') && fs.existsSync(path.join(OPENBLAS_OPENMP, 'libblas.so.3')))) missing.push('--torch');
  if (w.data === undefined && !fs.existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz')) missing.push('--data');
  if (missing.length > 0) {
    const setup = spawnSync('bash', [path.join(__dirname, '..', 'setup.sh'), ...missing], { stdio: 'inherit' });
    if (setup.status !== 0) throw new Error(`bench: setup.sh ${missing.join(' ')} failed`);
  }
  // Generated data is made once, for both frameworks.
  const data = DATA[w.data ?? 'fashion-mnist'].prepare(w);
  const ours = await runTensorforge(args.workload, args.epochs, args.seed, data);
  if (!args.compare) {
    console.log(JSON.stringify(ours));
    return;
  }
  const theirs = runPytorch(args.workload, args.epochs ?? w.epochs, args.seed, data);
  console.log(JSON.stringify({
    workload: args.workload,
    tensorforge: ours,
    pytorch: theirs,
    ratio: Math.round((ours.samplesPerSec / theirs.samplesPerSec) * 100) / 100,
  }));
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
