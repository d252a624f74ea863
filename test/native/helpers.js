// Shared by the native tests: the addon and its dtype codes, seeded random
// data (each file starts its own stream, so its data are the same on every
// run), the float64 erf and sigmoid of the activation references, and the
// closeness check.
const path = require('path');

const addon = require('node-gyp-build')(path.join(__dirname, '..', '..'));
const { TensorHandle } = addon;

// The addon's dtype codes.
const F32 = 0;
const I32 = 1;
const BOOL = 2;

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** Random data from a linear congruential generator started at `seed`. */
function seeded(seed) {
  /** A number in [0, 1). */
  function random() {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  }
  /** n floats in [-scale, scale). */
  function randomArray(n, scale = 1) {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (random() * 2 - 1) * scale;
    return a;
  }
  /** n floats in [lo, hi). */
  function uniform(n, lo, hi) {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * random();
    return a;
  }
  /** n integers in [lo, hi]. */
  function randomInts(n, lo, hi) {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + Math.floor((hi - lo + 1) * random());
    return a;
  }
  return { random, randomArray, uniform, randomInts };
}

const size = (shape) => shape.reduce((a, b) => a * b, 1);
const f32 = (shape, data) => new TensorHandle(F32, shape, data ? Float32Array.from(data) : null);

// Abramowitz-Stegun is too coarse near 0; a series is exact enough here.
function erf(x) {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 100; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
      if (Math.abs(term) < 1e-17) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  const x2 = x * x;
  const tail = (Math.exp(-x2) / (ax * Math.sqrt(Math.PI))) * (1 - 1 / (2 * x2) + 3 / (4 * x2 * x2) - 15 / (8 * x2 * x2 * x2));
  return Math.sign(x) * (1 - tail);
}

const sigmoid = (v) => 1 / (1 + Math.exp(-v));

/** The largest error |actual - expected| / (1 + |expected|) is at most tol. */
function assertClose(t, actual, expected, tol, what) {
  t.is(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  t.true(worst <= tol, `${what}: element ${at} is ${actual[at]}, expected ${expected[at]} (error ${worst})`);
}

module.exports = { addon, TensorHandle, F32, I32, BOOL, SELU_ALPHA, SELU_SCALE, seeded, size, f32, erf, sigmoid, assertClose };
