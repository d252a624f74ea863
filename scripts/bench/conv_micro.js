#!/usr/bin/env node
// node scripts/bench/conv_micro.js [--repeats N] [--only <shape name substring>]
// Times the three convolution kernels (convForward, convBackwardData,
// convBackwardFilter) on the layer shapes of the seed workloads (the cnn's
// convolutions at batch 128, the GAN's generator and discriminator at batch
// 256) and prints one JSON line: GFLOP/s and ms per kernel per shape, the
// median of N timed calls after two warm-up calls (which also build the
// cached primitives). FLOPs count 2 per multiply-add of the convolution;
// the three kernels do the same number.
//
// A transposed convolution (the generator) runs convBackwardData forward,
// convForward for its data gradient and convBackwardFilter for its filter
// gradient; its rows name the kernels by role.
'use strict';
const path = require('path');
const addon = require('node-gyp-build')(path.join(__dirname, '..', '..'));
const { medianMs } = require('./timing');

const { TensorHandle } = addon;
const F32 = 0;
const RELU = 1;

/**
 * Each shape as the forward convolution it is built on: x [N, H, W, Cin],
 * filter [kh, kw, Cin, Cout], stride, TF 'same' or 'valid', and whether the
 * layer is a transposed convolution (then x is its output and y its input).
 */
const SHAPES = [
  { name: 'cnn conv1 28x28x1->32 k3 valid relu', x: [128, 28, 28, 1], k: 3, cout: 32, stride: 1, pad: 'valid', relu: true },
  { name: 'cnn conv2 13x13x32->64 k3 valid relu', x: [128, 13, 13, 32], k: 3, cout: 64, stride: 1, pad: 'valid', relu: true },
  { name: 'gan gen convT 7x7x256->128 k5 s1 same', x: [256, 7, 7, 128], k: 5, cout: 256, stride: 1, pad: 'same', transposed: true },
  { name: 'gan gen convT 7x7x128->64 k5 s2 same', x: [256, 14, 14, 64], k: 5, cout: 128, stride: 2, pad: 'same', transposed: true },
  { name: 'gan gen convT 14x14x64->1 k5 s2 same', x: [256, 28, 28, 1], k: 5, cout: 64, stride: 2, pad: 'same', transposed: true },
  { name: 'gan disc conv 28x28x1->64 k5 s2 same', x: [256, 28, 28, 1], k: 5, cout: 64, stride: 2, pad: 'same' },
  { name: 'gan disc conv 14x14x64->128 k5 s2 same', x: [256, 14, 14, 64], k: 5, cout: 128, stride: 2, pad: 'same' },
];

function parseArgs(argv) {
  const args = { repeats: 5, only: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--repeats') args.repeats = Number(argv[++i]);
    else if (argv[i] === '--only') args.only = argv[++i];
    else throw new Error(`conv_micro: unexpected argument '${argv[i]}'`);
  }
  if (!Number.isInteger(args.repeats) || args.repeats < 1) throw new Error('conv_micro: --repeats expects a positive integer');
  return args;
}

/** Output size and TF's paddings for one spatial dim. */
function geometry(n, k, s, pad) {
  if (pad === 'valid') return { out: Math.ceil((n - k + 1) / s), before: 0, after: 0 };
  const out = Math.ceil(n / s);
  const total = Math.max(0, (out - 1) * s + k - n);
  return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
}

function filled(shape) {
  const h = new TensorHandle(F32, shape);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.7) * 0.5;
  h.write(v);
  return h;
}

function benchShape(s, repeats) {
  const [n, h, w, cin] = s.x;
  const gh = geometry(h, s.k, s.stride, s.pad);
  const gw = geometry(w, s.k, s.stride, s.pad);
  const conv = [[s.stride, s.stride], [1, 1], [gh.before, gw.before], [gh.after, gw.after], 1];
  const yShape = [n, gh.out, gw.out, s.cout];
  const fShape = [s.k, s.k, cin, s.cout];
  const x = filled(s.x);
  const f = filled(fShape);
  const y = filled(yShape);
  const bias = filled([s.cout]);
  const dx = new TensorHandle(F32, s.x);
  const df = new TensorHandle(F32, fShape);
  const db = new TensorHandle(F32, [s.cout]);
  const flops = 2 * n * gh.out * gw.out * s.cout * s.k * s.k * cin;
  const kernels = s.transposed
    ? {
        // y of the transposed layer is `x` here, its input is `y`.
        'forward (convBackwardData)': () => addon.convBackwardData(y, f, dx, ...conv),
        'dx (convForward)': () => addon.convForward(dx, f, null, y, ...conv, 0, 0),
        'dfilter (convBackwardFilter)': () => addon.convBackwardFilter(x, y, df, null, ...conv),
      }
    : {
        [`forward (convForward${s.relu ? ' + bias + relu' : ''})`]: () => addon.convForward(x, f, s.relu ? bias : null, y, ...conv, s.relu ? RELU : 0, 0),
        'dx (convBackwardData)': () => addon.convBackwardData(y, f, dx, ...conv),
        'dfilter + dbias (convBackwardFilter)': () => addon.convBackwardFilter(x, y, df, db, ...conv),
      };
  const rows = [];
  for (const [kernel, fn] of Object.entries(kernels)) {
    const ms = medianMs(fn, repeats);
    rows.push({ shape: s.name, kernel, ms: Number(ms.toFixed(3)), gflops: Number((flops / ms / 1e6).toFixed(1)) });
  }
  for (const t of [x, f, y, bias, dx, df, db]) t.dispose();
  return rows;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const shapes = SHAPES.filter((s) => !args.only || s.name.includes(args.only));
  const results = shapes.flatMap((s) => benchShape(s, args.repeats));
  const info = addon.runtimeInfo();
  console.log(JSON.stringify({ onednn: info.onednn, threads: info.threads, repeats: args.repeats, results }));
}

main();
