#!/usr/bin/env node
// node scripts/bench/pool_micro.js [--threads N] [--repeats R]
// Times the native pooling kernels on the shapes of the cnn and cnn-deep
// workloads (batch 128, pool 2 stride 2 'valid', plus an overlapping pool 3
// stride 2) and the relu gradient that runs next to them in the backward pass.
// Prints one JSON line: per kernel the median and the fastest of R calls, in
// ms. The machine may be shared: compare medians of runs taken side by side.
'use strict';
const path = require('path');
const addon = require('node-gyp-build')(path.join(__dirname, '..', '..'));
const { timeCalls } = require('./timing');

const { TensorHandle } = addon;
const F32 = 0;
const I32 = 1;
const MAX = 0;
const AVG = 1;
const RELU = 15;

function parseArgs(argv) {
  const args = { threads: addon.runtimeInfo().threads, repeats: 50 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    const value = Number(argv[++i]);
    if (!(key in args) || !(Number.isInteger(value) && value > 0)) {
      throw new Error(`pool_micro: expected --threads N or --repeats R with a positive integer but received '${argv[i - 1]} ${argv[i]}'`);
    }
    args[key] = value;
  }
  return args;
}

const size = (shape) => shape.reduce((a, b) => a * b, 1);
function uniform(n, seed) {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648) * 2 - 1;
  }
  return out;
}

function time(f, repeats) {
  const ms = timeCalls(f, repeats).sort((a, b) => a - b);
  const round = (v) => Math.round(v * 1000) / 1000;
  return { medianMs: round(ms[ms.length >> 1]), minMs: round(ms[0]) };
}

// [x shape, pool, stride]: 'valid' windows, the output size rounded down.
const CASES = [
  [[128, 26, 26, 32], 2, 2], // cnn: after conv1
  [[128, 11, 11, 64], 2, 2], // cnn: after conv2 (11 -> 5)
  [[128, 24, 24, 32], 2, 2], // cnn-deep
  [[128, 8, 8, 64], 2, 2], // cnn-deep
  [[128, 26, 26, 32], 3, 2], // overlapping windows
];

function main() {
  const { threads, repeats } = parseArgs(process.argv.slice(2));
  addon.setNumThreads(threads);
  const results = [];
  for (const [xShape, pool, stride] of CASES) {
    const k = [pool, pool];
    const s = [stride, stride];
    const pad = [0, 0];
    const outShape = [xShape[0], ...xShape.slice(1, 3).map((n) => Math.floor((n - pool) / stride) + 1), xShape[3]];
    const x = new TensorHandle(F32, xShape, uniform(size(xShape), 1));
    const y = new TensorHandle(F32, outShape);
    const argmax = new TensorHandle(I32, outShape);
    const dy = new TensorHandle(F32, outShape, uniform(size(outShape), 2));
    const dx = new TensorHandle(F32, xShape);
    const kernels = {
      maxForwardInference: () => addon.pool(MAX, x, y, k, s, pad, pad, null),
      maxForwardTraining: () => addon.pool(MAX, x, y, k, s, pad, pad, argmax),
      maxBackward: () => addon.poolGrad(MAX, dy, argmax, dx, k, s, pad, pad),
      avgForward: () => addon.pool(AVG, x, y, k, s, pad, pad, null),
      avgBackward: () => addon.poolGrad(AVG, dy, null, dx, k, s, pad, pad),
    };
    if (pool === 2) {
      // x stands for the relu output, dx for the gradient the pool sent back.
      const g = new TensorHandle(F32, xShape);
      kernels.reluGrad = () => addon.unaryGrad(RELU, x, dx, g, 0, 0);
    }
    const row = { xShape, pool, stride };
    for (const [name, f] of Object.entries(kernels)) row[name] = time(f, repeats);
    results.push(row);
  }
  console.log(JSON.stringify({ threads, repeats, onednn: addon.runtimeInfo().onednn, results }));
}

main();
