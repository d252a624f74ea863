// Counter-based random numbers: the values against a JS Philox4x32-10 (itself
// checked on the Random123 known-answer vectors), determinism per (seed,
// offset) on any thread count, and the moments of 1e5 samples.
const test = require('ava');
const path = require('path');
const addon = require('node-gyp-build')(path.join(__dirname, '..', '..'));

const { TensorHandle } = addon;
const F32 = 0;
const I32 = 1;
const BOOL = 2;
const N = 100000;

// Philox4x32-10 on 32-bit words; BigInt keeps the 32 x 32 -> 64 products exact.
function philox(key, ctr) {
  let [c0, c1, c2, c3] = ctr;
  let [k0, k1] = key;
  for (let round = 0; round < 10; round++) {
    const p0 = 0xd2511f53n * BigInt(c0);
    const p1 = 0xcd9e8d57n * BigInt(c2);
    const n0 = (Number(p1 >> 32n) ^ c1 ^ k0) >>> 0;
    const n2 = (Number(p0 >> 32n) ^ c3 ^ k1) >>> 0;
    c1 = Number(p1 & 0xffffffffn);
    c3 = Number(p0 & 0xffffffffn);
    c0 = n0;
    c2 = n2;
    k0 = (k0 + 0x9e3779b9) >>> 0;
    k1 = (k1 + 0xbb67ae85) >>> 0;
  }
  return [c0, c1, c2, c3];
}

// The words element i of a call with (seed, offset) draws from.
function words(seed, offset, i, attempt = 0) {
  const s = BigInt(seed);
  const c = BigInt(offset + i);
  return philox([Number(s & 0xffffffffn), Number(s >> 32n)], [Number(c & 0xffffffffn), Number(c >> 32n), attempt, 0]);
}

function draw(kind, ...args) {
  const out = args.pop();
  addon[kind](...args, out);
  return out.read();
}
const f32 = (n) => new TensorHandle(F32, [n], null);
const uniform = (seed, offset, n, low = 0, high = 1) => draw('randomUniform', seed, offset, low, high, f32(n));
const normal = (seed, offset, n, mean = 0, sd = 1, truncated = false) =>
  draw('randomNormal', seed, offset, mean, sd, truncated, f32(n));

function moments(a) {
  let mean = 0;
  for (const v of a) mean += v / a.length;
  let variance = 0;
  for (const v of a) variance += (v - mean) ** 2 / a.length;
  return { mean, variance };
}

test('the JS Philox4x32-10 reproduces the Random123 known-answer vectors', (t) => {
  const hex = (w) => w.map((v) => v.toString(16).padStart(8, '0')).join(' ');
  t.is(hex(philox([0, 0], [0, 0, 0, 0])), '6627e8d5 e169c58d bc57ac4c 9b00dbd8');
  t.is(hex(philox([0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff])),
    '408f276d 41c83b0e a20bc7c6 6d5451fd');
  t.is(hex(philox([0xa4093822, 0x299f31d0], [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344])),
    'd16cfe09 94fdcceb 5001e420 24126ea1');
});

test('randomUniform element i is (word 0 of Philox(seed, offset + i)) >> 8 / 2^24', (t) => {
  for (const [seed, offset] of [[0, 0], [42, 7], [2 ** 40 + 123, 2 ** 33 + 5]]) {
    const got = uniform(seed, offset, 64);
    for (let i = 0; i < 64; i++) t.is(got[i], (words(seed, offset, i)[0] >>> 8) / 2 ** 24, `seed ${seed} element ${i}`);
  }
});

test('same (seed, offset) gives the same numbers; offsets address one stream; seeds differ', (t) => {
  t.deepEqual(uniform(7, 100, 2000), uniform(7, 100, 2000));
  t.deepEqual(normal(7, 100, 2000, 0, 1, true), normal(7, 100, 2000, 0, 1, true));
  // Element i of offset 1000 is element 1000 + i of offset 0: lib hands out disjoint ranges.
  t.deepEqual(uniform(7, 0, 3000).slice(1000), uniform(7, 1000, 2000));
  const a = uniform(7, 0, 1000);
  const b = uniform(7, 1, 1000);
  const c = uniform(8, 0, 1000);
  t.true(a.filter((v, i) => v === b[i]).length < 5, 'offsets 0 and 1 differ element-wise');
  t.true(a.filter((v, i) => v === c[i]).length < 5, 'seeds 7 and 8 differ');
});

test('results do not depend on the thread count', (t) => {
  const all = () => {
    const x = new TensorHandle(F32, [N], new Float32Array(N).fill(1));
    const out = f32(N);
    const mask = f32(N);
    addon.dropout(3, 11, 0.4, x, out, mask);
    return [uniform(3, 11, N), normal(3, 11, N), normal(3, 11, N, 0, 1, true), mask.read(),
      draw('randomUniform', 3, 11, -50, 50, new TensorHandle(I32, [N], null))];
  };
  const threads = addon.runtimeInfo().threads;
  addon.setNumThreads(1);
  const one = all();
  addon.setNumThreads(Math.max(2, threads));
  const many = all();
  addon.setNumThreads(threads);
  one.forEach((a, k) => t.deepEqual(a, many[k], `output ${k}`));
});

test('randomUniform float32 in [low, high) with the right mean and variance', (t) => {
  const a = uniform(1, 0, N, 2, 5);
  t.true(a.every((v) => v >= 2 && v < 5));
  const { mean, variance } = moments(a);
  t.true(Math.abs(mean - 3.5) < 0.015, `mean ${mean}`);
  t.true(Math.abs(variance - 0.75) < 0.015, `variance ${variance}`);
  // A range whose top would round up in float32 still stays below high.
  t.true(uniform(1, 0, 10000, 1e8, 1e8 + 8).every((v) => v < 1e8 + 8));
});

test('randomUniform int32 in [low, high): every value, evenly, by floor', (t) => {
  const a = draw('randomUniform', 5, 9, -3, 4, new TensorHandle(I32, [N], null));
  for (let i = 0; i < 16; i++) t.is(a[i], Math.floor(-3 + (7 * words(5, 9, i)[0]) / 2 ** 32));
  const counts = new Map();
  for (const v of a) counts.set(v, (counts.get(v) ?? 0) + 1);
  t.deepEqual([...counts.keys()].sort((x, y) => x - y), [-3, -2, -1, 0, 1, 2, 3]);
  for (const [v, c] of counts) t.true(Math.abs(c / N - 1 / 7) < 0.006, `frequency of ${v}: ${c / N}`);
});

test('randomNormal: Box-Muller of the Philox words, with the right mean and variance', (t) => {
  const first = normal(9, 4, 32, 1, 2);
  for (let i = 0; i < 32; i++) {
    const [w0, w1] = words(9, 4, i);
    const z = Math.sqrt(-2 * Math.log((w0 + 1) / 2 ** 32)) * Math.cos((2 * Math.PI * w1) / 2 ** 32);
    t.true(Math.abs(first[i] - (1 + 2 * z)) < 1e-5, `element ${i}: ${first[i]} vs ${1 + 2 * z}`);
  }
  const { mean, variance } = moments(normal(9, 0, N, 1, 2));
  t.true(Math.abs(mean - 1) < 0.03, `mean ${mean}`);
  t.true(Math.abs(variance - 4) < 0.1, `variance ${variance}`);
});

test('truncated randomNormal never goes beyond 2 stddev and has the truncated variance', (t) => {
  const a = normal(13, 0, N, -1, 1.5, true);
  t.true(a.every((v) => Math.abs(v + 1) <= 3 + 1e-5));
  const { mean, variance } = moments(a);
  // Var of N(0, 1) cut at +-2: 1 - 4 phi(2) / (Phi(2) - Phi(-2)) = 0.77371.
  t.true(Math.abs(mean + 1) < 0.02, `mean ${mean}`);
  t.true(Math.abs(variance - 0.77371 * 2.25) < 0.04, `variance ${variance}`);
  // The first candidate is the plain normal draw; only those beyond 2 stddev are replaced.
  const plain = normal(13, 0, N, -1, 1.5);
  let replaced = 0;
  for (let i = 0; i < N; i++) {
    const inside = Math.abs(plain[i] + 1) <= 3;
    if (inside !== (plain[i] === a[i])) return t.fail(`element ${i}: plain ${plain[i]}, truncated ${a[i]}`);
    if (!inside) replaced++;
  }
  t.true(Math.abs(replaced / N - 0.0455) < 0.004, `replaced ${replaced / N}`);
});

test('dropout: mask is 0 or 1 / (1 - rate) by u >= rate, out = x * mask', (t) => {
  const rate = 0.3;
  const x = Float32Array.from({ length: N }, (_, i) => Math.sin(i));
  const out = f32(N);
  const mask = f32(N);
  addon.dropout(21, 77, rate, new TensorHandle(F32, [N], x), out, mask);
  const m = mask.read();
  const o = out.read();
  const scale = Math.fround(1 / Math.fround(1 - Math.fround(rate)));
  let kept = 0;
  for (let i = 0; i < N; i++) {
    if (m[i] !== 0 && m[i] !== scale) return t.fail(`mask[${i}] is ${m[i]}`);
    if (o[i] !== Math.fround(x[i] * m[i])) return t.fail(`out[${i}] is ${o[i]}`);
    if (m[i] !== 0) kept++;
  }
  t.true(Math.abs(kept / N - 0.7) < 0.01, `kept ${kept / N}`);
  for (let i = 0; i < 32; i++) t.is(m[i] !== 0, (words(21, 77, i)[0] >>> 8) / 2 ** 24 >= Math.fround(rate));
});

test('dropout with rate 0 keeps everything and with rate 1 drops everything (no NaN)', (t) => {
  const x = new TensorHandle(F32, [1000], new Float32Array(1000).fill(2));
  const out = f32(1000);
  const mask = f32(1000);
  addon.dropout(1, 0, 0, x, out, mask);
  t.true(mask.read().every((v) => v === 1) && out.read().every((v) => v === 2));
  addon.dropout(1, 0, 1, x, out, mask);
  t.true(mask.read().every((v) => v === 0) && out.read().every((v) => v === 0));
});

test('BAD CALL – random kernels with a bool output, a fractional seed or an empty int range', (t) => {
  const dtypeErr = t.throws(() => addon.randomUniform(1, 0, 0, 1, new TensorHandle(BOOL, [4], null)));
  t.is(dtypeErr.code, 'ERR_UNSUPPORTED_DTYPE');
  t.is(dtypeErr.message, 'randomUniform: expected float32 or int32 output, got bool');
  const seedErr = t.throws(() => addon.randomNormal(1.5, 0, 0, 1, false, f32(4)));
  t.is(seedErr.code, 'ERR_INVALID_ARG');
  const rangeErr = t.throws(() => addon.randomUniform(1, 0, 2.2, 2.7, new TensorHandle(I32, [4], null)));
  t.is(rangeErr.code, 'ERR_INVALID_ARG');
});
