#!/usr/bin/env node
// node scripts/bench/rnn_micro.js [--repeats N] [--only lstm|gru|rnn] [--no-torch]
// Times the whole-sequence recurrent kernels on the lstm workload's shape
// (x [128, 28, 28], 128 units) and the same layers in PyTorch (Debian's
// python3-torch, 2 threads, OpenBLAS-OpenMP) in the same run, and prints one
// JSON line: per layer the median ms of N timed calls after two warm-up calls
// (which also build the cached primitives) of
//   - forward (inference): no workspace kept (PyTorch: under no_grad),
//   - forward (training): the workspace kept for the backward,
//   - backward: every gradient (x, weights, bias),
//   - step: forward (training) + backward through the op and autograd, as a
//     layer in training runs it (tensorforge: rnnSequence under tf.grads with
//     the last output's loss; PyTorch: the module's forward and backward).
// and, for the LSTM, one training step of the lstm workload built from ops
// (LSTM(128) -> Dense(10) -> softmax cross-entropy -> Adam on a batch of 128;
// PyTorch: the same modules, loss and optimizer).
'use strict';
const path = require('path');
const fs = require('fs');
const { spawnSync } = require('child_process');
const addon = require('node-gyp-build')(path.join(__dirname, '..', '..'));
const { rnnSequence } = require('../../dist/ops/rnn');
const { tensor } = require('../../dist/ops/creation');
const { sum } = require('../../dist/ops/reduce');
const { grads } = require('../../dist/autograd/gradients');
const { tidy, dispose } = require('../../dist/tensor/scope');
const { medianMs } = require('./timing');

const { TensorHandle } = addon;
const F32 = 0;
const BOOL = 2;
const TANH = 4;
const N = 128;
const T = 28;
const F = 28;
const U = 128;
const LAYERS = [
  { name: 'lstm', kind: 0, gates: 4 },
  { name: 'gru', kind: 1, gates: 3 },
  { name: 'rnn', kind: 2, gates: 1 },
];

function parseArgs(argv) {
  const args = { repeats: 10, only: null, torch: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--repeats') args.repeats = Number(argv[++i]);
    else if (argv[i] === '--only') args.only = argv[++i];
    else if (argv[i] === '--no-torch') args.torch = false;
    else throw new Error(`rnn_micro: unexpected argument '${argv[i]}'`);
  }
  if (!Number.isInteger(args.repeats) || args.repeats < 1) throw new Error('rnn_micro: --repeats expects a positive integer');
  return args;
}

function values(n, scale) {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.7) * scale;
  return v;
}

function filled(shape, scale = 0.5) {
  return new TensorHandle(F32, shape, values(shape.reduce((a, b) => a * b, 1), scale));
}

const time = (fn, repeats) => Number(medianMs(fn, repeats).toFixed(2));

function benchLayer(layer, repeats) {
  const gu = layer.gates * U;
  const gru = layer.name === 'gru';
  const x = filled([N, T, F], 1);
  const kernel = filled([F, gu], 0.1);
  const rec = filled([U, gu], 0.1);
  const bias = filled(gru ? [2, gu] : [gu], 0.1);
  const y = new TensorHandle(F32, [N, U]);
  const hT = new TensorHandle(F32, [N, U]);
  const cT = layer.name === 'lstm' ? new TensorHandle(F32, [N, U]) : null;
  const dy = filled([N, U]);
  const dhT = new TensorHandle(F32, [N, U], null, 1);
  const dcT = cT ? new TensorHandle(F32, [N, U], null, 1) : null;
  const head = [layer.kind, TANH, false];
  const ws = new TensorHandle(BOOL, [addon.rnnWorkspaceBytes(...head, [N, T, F], U, false, false)]);
  const out = [y, hT, cT];
  const d = [new TensorHandle(F32, [N, T, F]), null, null, new TensorHandle(F32, [F, gu]), new TensorHandle(F32, [U, gu]), new TensorHandle(F32, bias.shape)];
  const row = { layer: `${layer.name}(${U}) x [${N}, ${T}, ${F}]`, workspaceMB: Number((ws.byteSize / 2 ** 20).toFixed(1)) };
  row.forwardInference = time(() => addon.rnnForward(...head, x, null, null, kernel, rec, bias, ...out, null), repeats);
  row.forwardTraining = time(() => addon.rnnForward(...head, x, null, null, kernel, rec, bias, ...out, ws), repeats);
  row.backward = time(() => addon.rnnBackward(...head, x, null, null, kernel, rec, bias, ...out, ws, dy, dhT, dcT, ...d), repeats);

  const tx = tensor(values(N * T * F, 1), [N, T, F]);
  const tw = [tensor(values(F * gu, 0.1), [F, gu]), tensor(values(U * gu, 0.1), [U, gu]), tensor(values(bias.byteSize / 4, 0.1), bias.shape)];
  row.step = time(() => {
    const g = grads((xv, k, r, b) => tidy(() => sum(rnnSequence({ kind: layer.name, x: xv, kernel: k, recurrentKernel: r, bias: b }).output)))([tx, ...tw]);
    dispose(g);
  }, repeats);
  for (const h of [x, kernel, rec, bias, y, hT, cT, dy, dhT, dcT, ws, ...d]) h?.dispose();
  dispose([tx, ...tw]);
  if (layer.name === 'lstm') row.trainStep = time(trainStep(), repeats);
  return row;
}

/** One Adam step of LSTM(128) -> Dense(10) on random sequences and labels, as the lstm workload trains. */
function trainStep() {
  const tf = require('../../dist');
  const v = (shape, scale) => tf.variable(tensor(values(shape.reduce((a, b) => a * b, 1), scale), shape));
  const weights = [v([F, 4 * U], 0.1), v([U, 4 * U], 0.1), v([4 * U], 0.1), v([U, 10], 0.1), v([10], 0.1)];
  const [kernel, recurrentKernel, bias, dense, denseBias] = weights;
  const x = tensor(values(N * T * F, 1), [N, T, F]);
  const labels = tensor(Int32Array.from({ length: N }, (_, i) => i % 10), [N], 'int32');
  const optimizer = tf.train.adam(1e-3);
  return () => {
    const loss = optimizer.minimize(() => {
      const h = rnnSequence({ kind: 'lstm', x, kernel, recurrentKernel, bias }).output;
      const logits = tf.fused.matMul({ a: h, b: dense, bias: denseBias });
      return tf.mean(tf.softmaxCrossEntropyWithLogits(labels, logits));
    }, true, weights);
    loss.dataSync();
    loss.dispose();
  };
}

// PyTorch is given its fastest BLAS, as scripts/bench/run.js does.
const OPENBLAS_OPENMP = '/usr/lib/x86_64-linux-gnu/openblas-openmp';
const TORCH = String.raw`
import json, statistics, sys, time, torch
torch.set_num_threads(2)
names, repeats = sys.argv[1].split(','), int(sys.argv[2])
N, T, F, U = 128, 28, 28, 128
def timed(fn):
    fn(); fn()
    ms = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); ms.append((time.perf_counter() - t0) * 1e3)
    return round(statistics.median(ms), 2)
rows = []
for name in names:
    layer = {'lstm': torch.nn.LSTM, 'gru': torch.nn.GRU, 'rnn': torch.nn.RNN}[name](F, U, batch_first=True)
    x = torch.sin(torch.arange(N * T * F, dtype=torch.float32) * 0.7).reshape(N, T, F)
    def last(): return layer(x)[0][:, -1]
    def infer():
        with torch.no_grad(): last()
    state = {}
    def fwd(): state['y'] = last()
    def bwd(): state['y'].sum().backward()
    def both(): fwd(); bwd()
    row = {'layer': name, 'forwardInference': timed(infer), 'forwardTraining': timed(fwd)}
    # The backward needs a fresh forward each time: time the pair, subtract the forward.
    row['step'] = timed(both)
    row['backward'] = round(row['step'] - row['forwardTraining'], 2)
    if name == 'lstm':
        dense = torch.nn.Linear(U, 10)
        opt = torch.optim.Adam(list(layer.parameters()) + list(dense.parameters()), lr=1e-3, eps=1e-7)
        labels = torch.arange(N) % 10
        def train_step():
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(dense(last()), labels)
            loss.backward()
            opt.step()
            loss.item()
        row['trainStep'] = timed(train_step)
    rows.append(row)
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'results': rows}))
`;

function runTorch(names, repeats) {
  const env = { ...process.env };
  if (fs.existsSync(path.join(OPENBLAS_OPENMP, 'libblas.so.3'))) env.LD_LIBRARY_PATH = [OPENBLAS_OPENMP, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const r = spawnSync(python, ['-c', TORCH, names.join(','), String(repeats)], { encoding: 'utf8', env });
  if (r.error || r.status !== 0) throw new Error(`rnn_micro: the PyTorch run failed:\n${r.error ? r.error.message : r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const layers = LAYERS.filter((l) => !args.only || l.name === args.only);
  const results = layers.map((l) => benchLayer(l, args.repeats));
  const info = addon.runtimeInfo();
  const line = { onednn: info.onednn, threads: info.threads, repeats: args.repeats, results };
  if (args.torch) {
    line.pytorch = runTorch(layers.map((l) => l.name), args.repeats);
    line.stepRatio = Object.fromEntries(layers.map((l, i) => [l.name, Number((line.pytorch.results[i].step / results[i].step).toFixed(2))]));
    const lstm = layers.findIndex((l) => l.name === 'lstm');
    if (lstm >= 0) line.trainStepRatio = Number((line.pytorch.results[lstm].trainStep / results[lstm].trainStep).toFixed(2));
  }
  console.log(JSON.stringify(line));
}

main();
