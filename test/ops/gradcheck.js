// Finite-difference gradient checks shared by the op tests.
//
// gradcheck(t, f, inputs, options) compares tf.grads(f) with central
// differences of L(xs) = Σ_k f(xs)_k · w_k, where w is a fixed pseudo-random
// weight per output element (so every output element's gradient counts).
// L is summed in float64 on the JS side; the op itself runs in float32, hence
// eps ~1e-2 and a ~1e-2 relative tolerance.
'use strict';
const { grads } = require('../../dist/autograd/gradients');
const { tensor } = require('../../dist/ops/creation');
const { Tensor } = require('../../dist/tensor/tensor');

/** n deterministic weights in [-1, 1], away from 0. */
function weights(n, seed = 12345) {
  const w = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32; // [0, 1)
    w[i] = (u < 0.5 ? -1 : 1) * (0.25 + 1.5 * Math.abs(u - 0.5));
  }
  return w;
}

/** Seeded uniform values in [lo, hi), as a flat array (for building test inputs). */
function uniform(n, lo = -1, hi = 1, seed = 7) {
  const out = new Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (hi - lo) * (s / 2 ** 32);
  }
  return out;
}

function weightedSum(y, w) {
  const v = y.dataSync();
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k] * w[k];
  return s;
}

/**
 * @param t ava's t
 * @param f (...tensors) => tensor
 * @param inputs tensors, or values accepted by tf.tensor (float32)
 * @param options {eps, rtol, atol, wrt: indices of the inputs to check (default all float32 ones), label}
 */
function gradcheck(t, f, inputs, options = {}) {
  const { eps = 1e-2, rtol = 1e-2, atol = 1e-3, label = '' } = options;
  const xs = inputs.map((x) => (x instanceof Tensor ? x : tensor(x)));
  const wrt = options.wrt ?? xs.map((x, i) => (x.dtype === 'float32' ? i : -1)).filter((i) => i >= 0);

  const y0 = f(...xs);
  const w = weights(y0.size);
  const dy = tensor(Float32Array.from(w), y0.shape.slice());
  y0.dispose();
  const analytic = grads(f)(xs, dy);
  const failures = [];
  for (const i of wrt) {
    t.deepEqual(analytic[i].shape, xs[i].shape, `${label} gradient ${i} has the input's shape`);
    const a = analytic[i].dataSync();
    const base = xs[i].dataSync();
    for (let j = 0; j < base.length; j++) {
      const plus = Float32Array.from(base);
      const minus = Float32Array.from(base);
      plus[j] = Math.fround(base[j] + eps);
      minus[j] = Math.fround(base[j] - eps);
      const lossAt = (values) => {
        const xj = tensor(values, xs[i].shape.slice());
        const args = xs.slice();
        args[i] = xj;
        const y = f(...args);
        const l = weightedSum(y, w);
        y.dispose();
        xj.dispose();
        return l;
      };
      const numeric = (lossAt(plus) - lossAt(minus)) / (plus[j] - minus[j]);
      if (!(Math.abs(a[j] - numeric) <= atol + rtol * Math.max(Math.abs(a[j]), Math.abs(numeric)))) {
        failures.push(`input ${i} [${j}]: analytic ${a[j]} vs numeric ${numeric}`);
      }
    }
  }
  t.deepEqual(failures, [], `${label} gradients match finite differences`);
  for (const g of analytic) g.dispose();
  dy.dispose();
  xs.forEach((x, i) => {
    if (x !== inputs[i]) x.dispose();
  });
}

/** Asserts |actual - expected| <= atol + rtol * |expected| elementwise (flat or nested arrays / typed arrays). */
function close(t, actual, expected, { rtol = 1e-5, atol = 1e-6, label = '' } = {}) {
  const a = flat(actual);
  const e = flat(expected);
  t.is(a.length, e.length, `${label} length`);
  const bad = [];
  for (let i = 0; i < e.length; i++) {
    const ok = Number.isNaN(e[i]) ? Number.isNaN(a[i]) : a[i] === e[i] || Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]);
    if (!ok) bad.push(`[${i}] ${a[i]} vs ${e[i]}`);
  }
  t.deepEqual(bad.slice(0, 10), [], `${label} values match`);
}

function flat(x) {
  if (typeof x === 'number' || typeof x === 'boolean') return [Number(x)];
  if (ArrayBuffer.isView(x)) return Array.from(x);
  return x.flat(Infinity).map(Number);
}

module.exports = { gradcheck, close, weights, uniform };
