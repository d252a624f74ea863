#!/usr/bin/env node
// npm run bench -- <workload> [--epochs N] [--seed S] [--compare pytorch]
// Trains a workload of ../shared/WORKLOADS.md on Fashion-MNIST and prints one
// JSON line: samples/s (median over epochs), ms per step, peak RSS, test
// accuracy. With --compare pytorch the same workload runs in PyTorch (Debian's
// python3-torch, 2 threads) in the same run, and the line carries both and
// their ratio. The two run one after the other, never at once.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');
const { WORKLOADS } = require('./workloads');

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

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function runTensorforge(name, epochsArg, seed) {
  const tf = require('../..');
  const w = WORKLOADS[name];
  const epochs = epochsArg ?? w.epochs;
  const { train, test } = tf.node.datasets.loadFashionMnist({ imageShape: w.imageShape ?? [28, 28, 1] });
  const toTargets = (labels) => (w.labels === 'onehot' ? tf.node.datasets.toCategorical(labels, 10) : labels);
  const yTrain = toTargets(train.labels);
  tf.setSeed(seed);
  const model = w.build(tf);
  const rates = [];
  let t0 = 0;
  let lastLogs = {};
  const fitArgs = w.fitArgs ?? {};
  // Samples trained per epoch: validationSplit holds the tail of the set out.
  const trained = Math.floor(train.images.shape[0] * (1 - (fitArgs.validationSplit ?? 0)));
  await model.fit(train.images, yTrain, {
    ...fitArgs,
    epochs,
    batchSize: w.batchSize,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochBegin: () => { t0 = performance.now(); },
      // The epoch's time includes its validation pass, as PyTorch's does.
      onEpochEnd: (epoch, logs) => { rates.push(trained / ((performance.now() - t0) / 1000)); lastLogs = logs; },
    },
  });
  const probs = model.predict(test.images, { batchSize: 1000 });
  const predicted = probs.argMax(-1);
  const acc = predicted.equal(test.labels).toFloat().mean();
  const testAccuracy = acc.dataSync()[0];
  tf.dispose([probs, predicted, acc]);
  const sps = median(rates);
  const valAccuracy = lastLogs.val_acc ?? lastLogs.val_accuracy;
  return {
    framework: `tensorforge ${require('../../package.json').version} (oneDNN ${tf.device().cpu.onednn})`,
    workload: name,
    threads: tf.device().cpu.threads,
    epochs,
    seed,
    batchSize: w.batchSize,
    samplesPerSec: Math.round(sps * 10) / 10,
    samplesPerSecByEpoch: rates.map((r) => Math.round(r * 10) / 10),
    msPerStep: Math.round((1000 * w.batchSize / sps) * 1e4) / 1e4,
    testAccuracy: Math.round(testAccuracy * 1e4) / 1e4,
    ...(valAccuracy !== undefined ? { valAccuracy: Math.round(valAccuracy * 1e4) / 1e4 } : {}),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
  };
}

// PyTorch is given its fastest BLAS here: OpenBLAS built for OpenMP (the
// pthread build oversubscribes the 2 cores alongside PyTorch's own OpenMP
// threads, and reference BLAS is 6x slower). The JSON names the one it used.
const OPENBLAS_OPENMP = '/usr/lib/x86_64-linux-gnu/openblas-openmp';

function runPytorch(name, epochs) {
  const script = path.join(__dirname, 'torch_workloads.py');
  const fs = require('fs');
  const env = { ...process.env };
  if (fs.existsSync(path.join(OPENBLAS_OPENMP, 'libblas.so.3'))) env.LD_LIBRARY_PATH = [OPENBLAS_OPENMP, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  // Debian's python3-torch lives in the system interpreter, not in a pyenv/venv one.
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const r = spawnSync(python, [script, name, ...(epochs ? ['--epochs', String(epochs)] : [])], { encoding: 'utf8', env });
  if (r.error || r.status !== 0) {
    throw new Error(`bench: the PyTorch run failed (run: bash scripts/setup.sh --torch):\n${r.error ? r.error.message : r.stderr}`);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.compare === 'pytorch') {
    const setup = spawnSync('bash', [path.join(__dirname, '..', 'setup.sh'), '--data', '--torch'], { stdio: 'inherit' });
    if (setup.status !== 0) throw new Error('bench: setting up PyTorch failed');
  }
  const ours = await runTensorforge(args.workload, args.epochs, args.seed);
  if (!args.compare) {
    console.log(JSON.stringify(ours));
    return;
  }
  const theirs = runPytorch(args.workload, args.epochs ?? WORKLOADS[args.workload].epochs);
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
