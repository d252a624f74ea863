// Shared by the layer tests: comparisons with tolerances and central finite
// differences of float64 reference functions.

/** Every element of `actual` within tol (relative above 1, absolute below) of `expected`. */
function close(t, actual, expected, tol, what = 'value') {
  const a = Array.from(actual);
  const e = Array.from(expected);
  if (a.length !== e.length) return t.fail(`${what}: ${a.length} values instead of ${e.length}`);
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs(a[i] - e[i]);
    if (!(err <= tol * Math.max(1, Math.abs(e[i])))) return t.fail(`${what}[${i}]: ${a[i]} instead of ${e[i]} (error ${err})`);
  }
  return t.pass();
}

/**
 * d loss / d values[i] for every i, by central differences in float64:
 * `loss(values)` is a float64 reference computation.
 */
function numericGrad(loss, values, h = 1e-6) {
  const v = Array.from(values);
  return v.map((_, i) => {
    const plus = v.slice();
    const minus = v.slice();
    plus[i] += h;
    minus[i] -= h;
    return (loss(plus) - loss(minus)) / (2 * h);
  });
}

/** Deterministic pseudo-random values in [-1, 1) (a small LCG), for inputs and weights. */
function values(n, seed = 1) {
  let s = seed >>> 0;
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** sum(a[i] * b[i]) */
function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

module.exports = { close, numericGrad, values, dot };
