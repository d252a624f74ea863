'use strict';
// Chains of convolutions whose outputs stay in oneDNN's blocked layout until
// the next reader (native/src/cpu/layout.h: the next convolution reads them
// as they are, a pool or an activation's gradient converts them) against the
// same chains with every intermediate made plain by a non-convolution op
// (add 0): outputs and gradients within 1e-5, with no tensor left behind.
const test = require('ava');
const { fused } = require('../../dist/ops/linalg');
const conv = require('../../dist/ops/conv');
const pool = require('../../dist/ops/pool');
const { matMul } = require('../../dist/ops/linalg');
const { add, mul } = require('../../dist/ops/elementwise');
const { reshape } = require('../../dist/ops/shape');
const { sum } = require('../../dist/ops/reduce');
const { grads } = require('../../dist/autograd/gradients');
const { memory, tidy } = require('../../dist/tensor/scope');
const { tensor } = require('../../dist/ops/creation');
const { close, uniform } = require('./gradcheck');

const rand = (shape, seed) => tensor(uniform(shape.reduce((a, b) => a * b, 1), -1, 1, seed), shape);

const plain = (t) => add(t, 0);
const same = (t) => t;

/** conv(relu) -> pool -> conv(relu) -> conv -> a weighted sum, `edge` applied between every two ops. */
function chain(edge, kind) {
  const poolFn = kind === 'max' ? pool.maxPool : pool.avgPool;
  return (x, f1, f2, f3, w) => {
    let h = edge(fused.conv2d({ x, filter: f1, strides: 1, pad: 'same', activation: 'relu' }));
    h = edge(poolFn(h, 2, 2, 'valid'));
    h = edge(fused.conv2d({ x: h, filter: f2, strides: 1, pad: 'valid', activation: 'relu' }));
    h = edge(conv.conv2d(h, f3, 1, 'same'));
    return sum(mul(h, w));
  };
}

// Channel counts that are and are not multiples of oneDNN's 8-wide blocks.
const CASES = [
  { n: 1, c: [3, 12, 8, 16] },
  { n: 3, c: [1, 16, 12, 3] },
  { n: 2, c: [8, 32, 64, 12] },
  { n: 1, c: [16, 12, 20, 5] },
];

for (const kind of ['max', 'avg']) {
  for (const { n, c } of CASES) {
    test(`${kind}: conv -> pool -> conv -> conv equals the chain through plain tensors (batch ${n}, channels ${c})`, (t) => {
      const before = memory().numTensors;
      const inputs = [
        rand([n, 10, 10, c[0]], 1),
        rand([3, 3, c[0], c[1]], 2),
        rand([3, 3, c[1], c[2]], 3),
        rand([3, 3, c[2], c[3]], 4),
        rand([n, 3, 3, c[3]], 5),
      ];
      const fast = chain(same, kind);
      const slow = chain(plain, kind);
      const y = tidy(() => fast(...inputs));
      const yPlain = tidy(() => slow(...inputs));
      close(t, y.dataSync(), yPlain.dataSync(), { rtol: 1e-5, atol: 1e-5 });
      const g = grads(fast)(inputs);
      const gPlain = grads(slow)(inputs);
      for (let i = 0; i < g.length; i++) close(t, g[i].dataSync(), gPlain[i].dataSync(), { rtol: 1e-5, atol: 1e-5, label: `gradient ${i}` });
      for (const x of [y, yPlain, ...g, ...gPlain, ...inputs]) x.dispose();
      t.is(memory().numTensors, before);
    });
  }
}

test('a blocked conv output read by dataSync, reshape, matMul and add, and disposed', (t) => {
  const before = memory().numTensors;
  const x = rand([2, 6, 6, 16], 11);
  const f = rand([3, 3, 16, 12], 12);
  const reference = tidy(() => plain(conv.conv2d(x, f, 1, 'valid')).dataSync());
  const y = () => conv.conv2d(x, f, 1, 'valid');

  const a = y();
  t.is(a.handle.layout, 'blocked');
  close(t, a.dataSync(), reference, { rtol: 1e-6, atol: 1e-6 });

  const b = y();
  const flat = reshape(b, [2, 4 * 4 * 12]);
  close(t, flat.dataSync(), reference, { rtol: 1e-6, atol: 1e-6 });
  const w = rand([4 * 4 * 12, 5], 13);
  const c = y();
  const dense = tidy(() => matMul(reshape(c, [2, 4 * 4 * 12]), w));
  const denseRef = tidy(() => matMul(reshape(a, [2, 4 * 4 * 12]), w));
  close(t, dense.dataSync(), denseRef.dataSync(), { rtol: 1e-6, atol: 1e-6 });

  const d = y();
  d.dispose();  // before it was ever made plain
  const e = y();
  const sumE = add(e, e);
  close(t, sumE.dataSync(), Array.from(reference, (v) => 2 * v), { rtol: 1e-6, atol: 1e-6 });
  for (const z of [a, b, flat, w, c, dense, denseRef, e, sumE, x, f]) z.dispose();
  t.is(memory().numTensors, before);
});
