// Initializers: statistics of the random ones against their definitions,
// exact values of the deterministic ones, configs and name lookup.
const test = require('ava');
const {
  initializers, getInitializer, serializeInitializer, computeFans, Initializer, VarianceScaling, GlorotUniform,
} = require('../dist/initializers');
const { memory } = require('../dist/tensor/scope');

function stats(values) {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  variance /= values.length;
  let maxAbs = 0;
  for (const v of values) maxAbs = Math.max(maxAbs, Math.abs(v));
  return { mean, std: Math.sqrt(variance), maxAbs };
}

// The standard deviation of a unit normal truncated to [-2, 2].
const TRUNCATED_STD = 0.8796256610342398;

/** The values of init.apply(shape), after checking the shape. */
function draw(init, shape) {
  const w = init.apply(shape);
  if (w.shape.join(',') !== shape.join(',')) throw new Error(`shape [${w.shape}] instead of [${shape}]`);
  const v = w.dataSync();
  w.dispose();
  return v;
}

test('glorotUniform: uniform in ±sqrt(6 / (fanIn + fanOut))', (t) => {
  const limit = Math.sqrt(6 / (200 + 300));
  const s = stats(draw(initializers.glorotUniform(), [200, 300]));
  t.true(s.maxAbs <= limit + 1e-7, `max |w| ${s.maxAbs} > ${limit}`);
  t.true(s.maxAbs > 0.99 * limit, `max |w| ${s.maxAbs} far below ${limit}`);
  t.true(Math.abs(s.mean) < 0.01 * limit);
  t.true(Math.abs(s.std / (limit / Math.sqrt(3)) - 1) < 0.02, `std ${s.std}`);
});

test('glorotNormal: truncated normal of std sqrt(2 / (fanIn + fanOut)) before truncation', (t) => {
  const sigma = Math.sqrt(2 / (100 + 400));
  const s = stats(draw(initializers.glorotNormal(), [100, 400]));
  t.true(s.maxAbs <= 2 * sigma + 1e-6);
  t.true(Math.abs(s.std / (sigma * TRUNCATED_STD) - 1) < 0.03, `std ${s.std}`);
});

test('heNormal: std sqrt(2 / fanIn) truncated at two standard deviations, as TF.js', (t) => {
  const sigma = Math.sqrt(2 / 400);
  const s = stats(draw(initializers.heNormal(), [400, 300]));
  t.true(Math.abs(s.mean) < 0.01 * sigma);
  t.true(s.maxAbs <= 2 * sigma + 1e-6);
  t.true(Math.abs(s.std / (sigma * TRUNCATED_STD) - 1) < 0.03, `std ${s.std}`);
});

test('heUniform, leCunUniform, leCunNormal use fan-in', (t) => {
  const he = stats(draw(initializers.heUniform(), [50, 2000]));
  t.true(he.maxAbs <= Math.sqrt(6 / 50) + 1e-6 && he.maxAbs > 0.99 * Math.sqrt(6 / 50));
  const lu = stats(draw(initializers.leCunUniform(), [50, 2000]));
  t.true(lu.maxAbs <= Math.sqrt(3 / 50) + 1e-6 && lu.maxAbs > 0.99 * Math.sqrt(3 / 50));
  const ln = stats(draw(initializers.leCunNormal(), [50, 2000]));
  t.true(Math.abs(ln.std / (Math.sqrt(1 / 50) * TRUNCATED_STD) - 1) < 0.03);
});

test("varianceScaling: 'truncatedNormal' corrects for truncation, 'untruncatedNormal' does not truncate", (t) => {
  const sigma = Math.sqrt(3 / 100);
  const tn = stats(draw(initializers.varianceScaling({ scale: 3, mode: 'fanIn', distribution: 'truncatedNormal' }), [100, 1000]));
  t.true(Math.abs(tn.std / sigma - 1) < 0.03, `std ${tn.std}`);
  t.true(tn.maxAbs <= 2 * sigma / TRUNCATED_STD + 1e-6);
  const un = stats(draw(initializers.varianceScaling({ scale: 3, mode: 'fanIn', distribution: 'untruncatedNormal' }), [100, 1000]));
  t.true(Math.abs(un.std / sigma - 1) < 0.03, `std ${un.std}`);
  t.true(un.maxAbs > 3 * sigma, 'a plain normal of 100,000 draws reaches 3 sigma');
});

test('varianceScaling: fanOut and fanAvg modes, and convolution kernels count the receptive field', (t) => {
  t.deepEqual(computeFans([3, 3, 16, 32]), [144, 288]);
  t.deepEqual(computeFans([5, 7]), [5, 7]);
  t.deepEqual(computeFans([4]), [4, 4]);
  t.deepEqual(computeFans([]), [1, 1]);
  const out = stats(draw(initializers.varianceScaling({ mode: 'fanOut', distribution: 'uniform' }), [3, 3, 16, 32]));
  t.true(out.maxAbs <= Math.sqrt(3 / 288) + 1e-6 && out.maxAbs > 0.98 * Math.sqrt(3 / 288));
  const avg = stats(draw(initializers.varianceScaling({ mode: 'fan_avg', distribution: 'uniform' }), [3, 3, 16, 32]));
  t.true(avg.maxAbs <= Math.sqrt(3 / 216) + 1e-6 && avg.maxAbs > 0.98 * Math.sqrt(3 / 216));
});

test('randomUniform, randomNormal, truncatedNormal use their arguments and defaults', (t) => {
  const u = stats(draw(initializers.randomUniform(), [100, 100]));
  t.true(u.maxAbs <= 0.05 + 1e-7 && u.maxAbs > 0.049);
  const u2 = draw(initializers.randomUniform({ minval: 0, maxval: 2 }), [100, 100]);
  t.true(u2.every((v) => v >= 0 && v <= 2), 'an explicit minval of 0 is kept');
  const n = stats(draw(initializers.randomNormal({ mean: 1, stddev: 0.5 }), [200, 200]));
  t.true(Math.abs(n.mean - 1) < 0.01 && Math.abs(n.std - 0.5) < 0.01);
  const tn = draw(initializers.truncatedNormal({ mean: -1, stddev: 0.1 }), [200, 100]);
  t.true(tn.every((v) => v >= -1.2 - 1e-6 && v <= -0.8 + 1e-6));
});

test('zeros, ones, constant and identity give exact values', (t) => {
  t.deepEqual(Array.from(draw(initializers.zeros(), [2, 2])), [0, 0, 0, 0]);
  t.deepEqual(Array.from(draw(initializers.ones(), [3])), [1, 1, 1]);
  t.deepEqual(Array.from(draw(initializers.constant({ value: 2.5 }), [2])), [2.5, 2.5]);
  t.deepEqual(Array.from(draw(initializers.identity({ gain: 3 }), [2, 3])), [3, 0, 0, 0, 3, 0]);
  const ints = initializers.ones().apply([2], 'int32');
  t.is(ints.dtype, 'int32');
});

function gram(values, rows, cols, byColumns) {
  // byColumns: W^T W (cols x cols); otherwise W W^T (rows x rows).
  const n = byColumns ? cols : rows;
  const g = [];
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      let s = 0;
      const k = byColumns ? rows : cols;
      for (let i = 0; i < k; i++) s += byColumns ? values[i * cols + a] * values[i * cols + b] : values[a * cols + i] * values[b * cols + i];
      g.push(s);
    }
  }
  return { g, n };
}

function assertIdentity(t, { g, n }, scale) {
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
    const want = a === b ? scale : 0;
    if (Math.abs(g[a * n + b] - want) > 1e-5 * scale) return t.fail(`G[${a}][${b}] = ${g[a * n + b]}, expected ${want}`);
  }
  t.pass();
}

test('orthogonal: a tall weight has orthonormal columns, a wide one orthonormal rows, gain scales', (t) => {
  assertIdentity(t, gram(draw(initializers.orthogonal(), [50, 30]), 50, 30, true), 1);
  assertIdentity(t, gram(draw(initializers.orthogonal(), [30, 50]), 30, 50, false), 1);
  assertIdentity(t, gram(draw(initializers.orthogonal({ gain: 2 }), [20, 20]), 20, 20, true), 4);
  // Rank 3 flattens to [3 * 4, 6].
  assertIdentity(t, gram(draw(initializers.orthogonal(), [3, 4, 6]), 12, 6, true), 1);
});

test('a seed makes a random initializer repeat itself', (t) => {
  for (const make of [initializers.glorotUniform, initializers.heNormal, initializers.orthogonal, initializers.randomNormal]) {
    const a = draw(make({ seed: 42 }), [8, 6]);
    const b = draw(make({ seed: 42 }), [8, 6]);
    t.deepEqual(Array.from(a), Array.from(b));
  }
  const c = draw(initializers.glorotUniform(), [8, 6]);
  const d = draw(initializers.glorotUniform(), [8, 6]);
  t.notDeepEqual(Array.from(c), Array.from(d), 'unseeded draws move along the global stream');
});

test('configs: presets save as VarianceScaling, as TF.js and Keras do, and load back', (t) => {
  const saved = serializeInitializer(initializers.glorotUniform());
  t.deepEqual(saved, { className: 'VarianceScaling', config: { scale: 1, mode: 'fanAvg', distribution: 'uniform', seed: null } });
  const loaded = getInitializer(saved);
  t.true(loaded instanceof VarianceScaling);
  t.deepEqual(loaded.getConfig(), saved.config);
  t.deepEqual(serializeInitializer(initializers.constant({ value: 3 })), { className: 'Constant', config: { value: 3 } });
  t.deepEqual(serializeInitializer(initializers.randomNormal({ seed: 7 })), { className: 'RandomNormal', config: { mean: 0, stddev: 0.05, seed: 7 } });
  t.deepEqual(getInitializer({ className: 'Orthogonal', config: { gain: 2 } }).getConfig(), { gain: 2, seed: null });
});

test('getInitializer: TF.js names, Keras names, class names and instances', (t) => {
  t.true(getInitializer('glorotUniform') instanceof GlorotUniform);
  t.true(getInitializer('glorot_uniform') instanceof GlorotUniform);
  t.true(getInitializer('GlorotUniform') instanceof GlorotUniform);
  t.is(getInitializer('he_normal').getConfig().scale, 2);
  t.is(getInitializer('zeros').getClassName(), 'Zeros');
  t.is(getInitializer({ className: 'VarianceScaling', config: { scale: 2, mode: 'fan_out', distribution: 'truncated_normal' } }).getConfig().mode, 'fanOut');
  const mine = initializers.ones();
  t.is(getInitializer(mine), mine);
  t.true(mine instanceof Initializer);
});

test('BAD CALL - getInitializer with an unknown name', (t) => {
  const e = t.throws(() => getInitializer('xavier'));
  t.is(e.code, 'ERR_UNKNOWN_NAME');
  t.regex(e.message, /^getInitializer: unknown initializer 'xavier'; known: Zeros, Ones, Constant, /);
});

test('BAD CALL - varianceScaling with a bad scale, mode or distribution', (t) => {
  let e = t.throws(() => initializers.varianceScaling({ scale: -1 }), { instanceOf: RangeError });
  t.is(e.message, "initializers.varianceScaling: expected a positive number for 'scale' but received -1 of type number");
  e = t.throws(() => initializers.varianceScaling({ mode: 'fanSum' }), { instanceOf: TypeError });
  t.is(e.message, "initializers.varianceScaling: expected one of 'fanIn', 'fanOut', 'fanAvg' for 'mode' but received 'fanSum'");
  e = t.throws(() => initializers.varianceScaling({ distribution: 'cauchy' }), { instanceOf: TypeError });
  t.is(e.code, 'ERR_INVALID_ARG_TYPE');
});

test('BAD CALL - constant without a value, identity and orthogonal on the wrong rank', (t) => {
  let e = t.throws(() => initializers.constant({}), { instanceOf: TypeError });
  t.is(e.message, "initializers.constant: expected a number for 'value' but received undefined");
  e = t.throws(() => initializers.identity().apply([2, 2, 2]), { instanceOf: RangeError });
  t.is(e.message, "initializers.identity: expected a 2-D shape for 'shape' but received [2, 2, 2]");
  e = t.throws(() => initializers.orthogonal().apply([5]), { instanceOf: RangeError });
  t.is(e.code, 'ERR_OUT_OF_RANGE');
});

test('initializers leave only their result alive', (t) => {
  const before = memory().numTensors;
  for (const make of Object.values(initializers)) {
    if (make === Initializer) continue;
    const init = make === initializers.constant ? make({ value: 1 }) : make();
    init.apply([6, 6]).dispose();
  }
  t.is(memory().numTensors, before);
});
