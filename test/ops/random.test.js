// Random ops: reproducibility (setSeed and seed arguments), the moments of
// 1e5 samples against the distributions' exact values, and argument errors.
const test = require('ava');
const r = require('../../dist/ops/random');
const { tensor } = require('../../dist/ops/creation');
const { memory } = require('../../dist/tensor/scope');

const N = 100000;

function moments(values) {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  variance /= values.length;
  return { mean, std: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values) };
}

// Standard normal density and distribution function (erf by Abramowitz & Stegun 7.1.26).
const phi = (x) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
function Phi(x) {
  const a = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * a);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return 0.5 * (1 + Math.sign(x) * erf);
}

test.serial('setSeed makes the global stream repeat; successive draws differ', (t) => {
  r.setSeed(42);
  const a = r.randomUniform([50]).dataSync();
  const b = r.randomNormal([50]).dataSync();
  r.setSeed(42);
  t.deepEqual(r.randomUniform([50]).dataSync(), a);
  t.deepEqual(r.randomNormal([50]).dataSync(), b);
  t.notDeepEqual(r.randomUniform([50]).dataSync(), a);
  r.setSeed('experiment-1');
  const c = r.randomUniform([10]).dataSync();
  r.setSeed('experiment-1');
  t.deepEqual(r.randomUniform([10]).dataSync(), c);
  r.setSeed(43);
  t.notDeepEqual(r.randomUniform([50]).dataSync(), a);
});

test.serial('a seed argument gives the same numbers whatever the global stream did', (t) => {
  const a = r.randomUniform([20], 0, 1, 'float32', 7).dataSync();
  r.randomUniform([1000]);
  t.deepEqual(r.randomUniform([20], 0, 1, 'float32', 7).dataSync(), a);
  t.notDeepEqual(r.randomUniform([20], 0, 1, 'float32', 8).dataSync(), a);
  t.deepEqual(r.randomNormal([5], 0, 1, 'float32', 'abc').dataSync(), r.randomNormal([5], 0, 1, 'float32', 'abc').dataSync());
  t.deepEqual(r.truncatedNormal([5], 0, 1, 'float32', 1.5).dataSync(), r.truncatedNormal([5], 0, 1, 'float32', 1.5).dataSync());
  t.deepEqual(r.multinomial([1, 2, 3], 20, 9).dataSync(), r.multinomial([1, 2, 3], 20, 9).dataSync());
});

test('randomUniform float32: range and moments of 1e5 samples', (t) => {
  const x = r.randomUniform([N], 2, 5);
  t.is(x.dtype, 'float32');
  t.deepEqual(x.shape, [N]);
  const m = moments(x.dataSync());
  t.true(m.min >= 2 && m.max < 5);
  // Uniform(2, 5): mean 3.5, std 3 / sqrt(12); the standard error of the mean is ~0.003.
  t.true(Math.abs(m.mean - 3.5) < 0.02, `mean ${m.mean}`);
  t.true(Math.abs(m.std - 3 / Math.sqrt(12)) < 0.01, `std ${m.std}`);
  t.deepEqual(r.randomUniform([2, 3]).shape, [2, 3]);
});

test('randomUniform int32: integers in [minval, maxval), every value drawn', (t) => {
  const x = r.randomUniform([N], -3, 7, 'int32');
  t.is(x.dtype, 'int32');
  const v = x.dataSync();
  const counts = new Map();
  for (const k of v) counts.set(k, (counts.get(k) ?? 0) + 1);
  t.deepEqual([...counts.keys()].sort((a, b) => a - b), [-3, -2, -1, 0, 1, 2, 3, 4, 5, 6]);
  for (const c of counts.values()) t.true(Math.abs(c / N - 0.1) < 0.01);
  t.is(r.randomUniformInt([4], 0, 2).dtype, 'int32');
});

test('randomNormal: moments of 1e5 samples', (t) => {
  const m = moments(r.randomNormal([N], 1, 2).dataSync());
  t.true(Math.abs(m.mean - 1) < 0.03, `mean ${m.mean}`);
  t.true(Math.abs(m.std - 2) < 0.03, `std ${m.std}`);
  const s = moments(r.randomStandardNormal([N]).dataSync());
  t.true(Math.abs(s.mean) < 0.015 && Math.abs(s.std - 1) < 0.015);
  const ints = r.randomNormal([1000], 0, 10, 'int32');
  t.is(ints.dtype, 'int32');
  t.true(moments(ints.dataSync()).std > 8);
});

test('truncatedNormal stays within 2 stddev with the truncated moments', (t) => {
  const mean = -1;
  const std = 0.5;
  const m = moments(r.truncatedNormal([N], mean, std).dataSync());
  t.true(m.min >= mean - 2 * std && m.max <= mean + 2 * std, `range [${m.min}, ${m.max}]`);
  // The normal truncated to ±2σ has std σ·sqrt(1 − 2·2φ(2) / (Φ(2) − Φ(−2))) ≈ 0.88σ.
  const expectedStd = std * Math.sqrt(1 - (4 * phi(2)) / (Phi(2) - Phi(-2)));
  t.true(Math.abs(m.mean - mean) < 0.01, `mean ${m.mean}`);
  t.true(Math.abs(m.std - expectedStd) < 0.01, `std ${m.std} vs ${expectedStd}`);
});

test('multinomial samples with the softmax (or given) probabilities', (t) => {
  const logits = [Math.log(1), Math.log(3), Math.log(6)];
  const x = r.multinomial(logits, 20000);
  t.is(x.dtype, 'int32');
  t.deepEqual(x.shape, [20000]);
  const counts = [0, 0, 0];
  for (const k of x.dataSync()) counts[k]++;
  [0.1, 0.3, 0.6].forEach((p, k) => t.true(Math.abs(counts[k] / 20000 - p) < 0.015, `class ${k}: ${counts[k]}`));

  const probs = tensor([[0, 1, 0], [0.5, 0, 0.5]]);
  const y = r.multinomial(probs, 1000, 3, true);
  t.deepEqual(y.shape, [2, 1000]);
  const rows = y.arraySync();
  t.true(rows[0].every((k) => k === 1));
  t.true(rows[1].every((k) => k === 0 || k === 2));
  const zeros = rows[1].filter((k) => k === 0).length;
  t.true(zeros > 400 && zeros < 600);
});

test('random ops: argument errors', (t) => {
  t.throws(() => r.randomUniform([2], 0, 1, 'bool'), { instanceOf: TypeError, message: "randomUniform: expected one of 'float32', 'int32' for 'dtype' but received 'bool'" });
  t.throws(() => r.randomUniform([2, -1]), { instanceOf: TypeError, message: /randomUniform: expected a shape/ });
  t.throws(() => r.randomUniform([2], 5, 5, 'int32'), { instanceOf: RangeError, message: /maxval/ });
  t.throws(() => r.randomNormal([2], 0, -1), { instanceOf: RangeError, message: "randomNormal: expected a number >= 0 for 'stdDev' but received -1 of type number" });
  t.throws(() => r.randomNormal([2], 0, 1, 'float32', {}), { instanceOf: TypeError, message: /for 'seed'/ });
  t.throws(() => r.multinomial([[[1, 2]]], 2), { instanceOf: RangeError, message: /multinomial: expected a tensor of rank 1 or 2 for 'logits'/ });
  t.throws(() => r.multinomial([1], 2), { instanceOf: RangeError, message: /at least 2 outcomes/ });
  t.throws(() => r.multinomial([1, 2], 0), { instanceOf: RangeError, message: /numSamples/ });
  t.throws(() => r.setSeed(null), { instanceOf: TypeError });
});

test('random ops leave only their result', (t) => {
  const before = memory().numTensors;
  const a = r.randomNormal([3], 0, 1, 'int32');
  const b = r.multinomial([1, 2], 3);
  t.is(memory().numTensors, before + 2);
  a.dispose();
  b.dispose();
});
