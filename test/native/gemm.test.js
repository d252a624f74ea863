// matmul against a float64 reference: both transposes, batches with broadcast,
// fused bias + every activation, on the small-product loop and the oneDNN path.
const test = require('ava');
const { TensorHandle, addon, F32, I32, SELU_ALPHA, SELU_SCALE, seeded, erf, sigmoid } = require('./helpers');

const { randomArray } = seeded(12345);

const Act = { Linear: 0, Relu: 1, Relu6: 2, Sigmoid: 3, Tanh: 4, Elu: 5, Selu: 6, LeakyRelu: 7, Softplus: 8, Swish: 9, Gelu: 10 };

function activate(act, v, alpha) {
  switch (act) {
    case Act.Linear: return v;
    case Act.Relu: return Math.max(v, 0);
    case Act.Relu6: return Math.min(Math.max(v, 0), 6);
    case Act.Sigmoid: return sigmoid(v);
    case Act.Tanh: return Math.tanh(v);
    case Act.Elu: return v > 0 ? v : alpha * Math.expm1(v);
    case Act.Selu: return SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v));
    case Act.LeakyRelu: return v > 0 ? v : alpha * v;
    case Act.Softplus: return Math.log1p(Math.exp(v));
    case Act.Swish: return v * sigmoid(v);
    case Act.Gelu: return 0.5 * v * (1 + erf(v / Math.SQRT2));
    default: throw new Error(`unknown activation ${act}`);
  }
}

// Returns the reference and, per element, the sum of |a_ik * b_kj|: float32
// rounding error grows with that, not with the (possibly cancelled) result.
function reference({ a, aShape, b, bShape, bias, tA, tB, act = Act.Linear, alpha = 0 }) {
  const batchA = aShape.length === 3 ? aShape[0] : 1;
  const batchB = bShape.length === 3 ? bShape[0] : 1;
  const [a0, a1] = aShape.slice(-2);
  const [b0, b1] = bShape.slice(-2);
  const M = tA ? a1 : a0;
  const K = tA ? a0 : a1;
  const N = tB ? b0 : b1;
  const B = Math.max(batchA, batchB);
  const out = new Float64Array(B * M * N);
  const mag = new Float64Array(B * M * N);
  for (let bi = 0; bi < B; bi++) {
    const ao = (batchA === 1 ? 0 : bi) * M * K;
    const bo = (batchB === 1 ? 0 : bi) * K * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = bias ? bias[j] : 0;
        let m = Math.abs(s);
        for (let k = 0; k < K; k++) {
          const av = a[ao + (tA ? k * M + i : i * K + k)];
          const bv = b[bo + (tB ? j * K + k : k * N + j)];
          s += av * bv;
          m += Math.abs(av * bv);
        }
        out[(bi * M + i) * N + j] = activate(act, s, alpha);
        mag[(bi * M + i) * N + j] = m;
      }
    }
  }
  return { out, mag, shape: aShape.length === 3 || bShape.length === 3 ? [B, M, N] : [M, N] };
}

function run(c) {
  const A = new TensorHandle(F32, c.aShape, c.a);
  const Bh = new TensorHandle(F32, c.bShape, c.b);
  const bias = c.bias ? new TensorHandle(F32, [c.bias.length], c.bias) : null;
  const ref = reference(c);
  const out = new TensorHandle(F32, ref.shape);
  addon.matmul(A, Bh, bias, out, !!c.tA, !!c.tB, c.act || Act.Linear, c.alpha || 0);
  return { got: out.read(), ref };
}

function assertClose(t, got, ref, label) {
  t.is(got.length, ref.out.length, label);
  for (let i = 0; i < got.length; i++) {
    const tol = 2e-5 * (Math.abs(ref.out[i]) + ref.mag[i]) + 1e-6;
    if (!(Math.abs(got[i] - ref.out[i]) <= tol)) {
      t.fail(`${label}: element ${i} is ${got[i]}, expected ${ref.out[i]}`);
      return;
    }
  }
  t.pass();
}

function makeCase(M, K, N, { tA = false, tB = false, batchA = 0, batchB = 0, bias = false, act, alpha } = {}) {
  const aShape = tA ? [K, M] : [M, K];
  const bShape = tB ? [N, K] : [K, N];
  if (batchA) aShape.unshift(batchA);
  if (batchB) bShape.unshift(batchB);
  return {
    a: randomArray(aShape.reduce((x, y) => x * y, 1)),
    aShape,
    b: randomArray(bShape.reduce((x, y) => x * y, 1)),
    bShape,
    bias: bias ? randomArray(N) : null,
    tA,
    tB,
    act,
    alpha,
  };
}

// 3x5x7 takes the small-product loop, 33x65x31 the oneDNN primitive.
const SIZES = [[1, 1, 1], [3, 5, 7], [7, 1, 33], [33, 65, 31], [1, 784, 10]];

for (const [M, K, N] of SIZES) {
  for (const tA of [false, true]) {
    for (const tB of [false, true]) {
      test(`rank 2 ${M}x${K}x${N} transposeA=${tA} transposeB=${tB}`, (t) => {
        const { got, ref } = run(makeCase(M, K, N, { tA, tB }));
        assertClose(t, got, ref, `${M}x${K}x${N}`);
      });
    }
  }
}

for (const [M, K, N] of [[3, 4, 5], [17, 33, 9]]) {
  for (const [batchA, batchB] of [[4, 4], [1, 4], [4, 1], [3, 0], [0, 3]]) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        test(`rank 3 ${M}x${K}x${N} batch ${batchA || '-'} by ${batchB || '-'} transposeA=${tA} transposeB=${tB}`, (t) => {
          const { got, ref } = run(makeCase(M, K, N, { tA, tB, batchA, batchB, bias: true }));
          assertClose(t, got, ref, 'batched');
        });
      }
    }
  }
}

for (const [name, act] of Object.entries(Act)) {
  for (const [M, K, N] of [[4, 6, 5], [32, 100, 40]]) {
    test(`bias + ${name} fused (${M}x${K}x${N})`, (t) => {
      const alpha = act === Act.LeakyRelu ? 0.2 : act === Act.Elu ? 1.3 : 0;
      const c = makeCase(M, K, N, { bias: true, act, alpha });
      // Spread the pre-activations over every branch (relu6's cap included).
      c.a = c.a.map((v) => v * 3);
      const { got, ref } = run(c);
      assertClose(t, got, ref, name);
    });
  }
}

test('fused softplus stays positive and accurate for very negative pre-activations', (t) => {
  // Large enough for the oneDNN path, whose own soft_relu goes negative here.
  const c = makeCase(32, 64, 40, { bias: true, act: Act.Softplus });
  c.a = c.a.map(Math.abs);
  c.b = c.b.map((v) => -Math.abs(v));
  c.bias = c.bias.map((v) => v - 20);
  const { got, ref } = run(c);
  t.true(got.every((v) => v > 0));
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i] - ref.out[i]) <= 1e-5 * ref.out[i] + 1e-12)) {
      t.fail(`element ${i} is ${got[i]}, expected ${ref.out[i]}`);
      return;
    }
  }
});

test('Dense hot path 32x784x200 with bias and relu', (t) => {
  const { got, ref } = run(makeCase(32, 784, 200, { bias: true, act: Act.Relu }));
  assertClose(t, got, ref, 'dense');
});

test('weight gradient X^T dY and input gradient dY W^T', (t) => {
  const x = run(makeCase(200, 32, 64, { tA: true }));
  assertClose(t, x.got, x.ref, 'X^T dY');
  const w = run(makeCase(32, 64, 200, { tB: true }));
  assertClose(t, w.got, w.ref, 'dY W^T');
});

test('the same primitive is reused across calls with new data', (t) => {
  for (let i = 0; i < 3; i++) {
    const { got, ref } = run(makeCase(20, 30, 40, { bias: true, act: Act.Tanh }));
    assertClose(t, got, ref, `call ${i}`);
  }
});

test('K = 0 gives the activated bias', (t) => {
  const A = new TensorHandle(F32, [3, 0]);
  const B = new TensorHandle(F32, [0, 2]);
  const bias = new TensorHandle(F32, [2], new Float32Array([-1, 2]));
  const out = new TensorHandle(F32, [3, 2]);
  addon.matmul(A, B, bias, out, false, false, Act.Relu, 0);
  t.deepEqual(Array.from(out.read()), [0, 2, 0, 2, 0, 2]);
});

test('hand-checked 2x2 product', (t) => {
  const A = new TensorHandle(F32, [2, 2], new Float32Array([1, 2, 3, 4]));
  const B = new TensorHandle(F32, [2, 2], new Float32Array([5, 6, 7, 8]));
  const out = new TensorHandle(F32, [2, 2]);
  addon.matmul(A, B, null, out, false, false, Act.Linear, 0);
  t.deepEqual(Array.from(out.read()), [19, 22, 43, 50]);
  addon.matmul(A, B, null, out, true, true, Act.Linear, 0);
  t.deepEqual(Array.from(out.read()), [23, 31, 34, 46]);
});

test('BAD CALL - int32 operands are rejected with the dtype named', (t) => {
  const A = new TensorHandle(I32, [2, 2]);
  const B = new TensorHandle(F32, [2, 2]);
  const out = new TensorHandle(F32, [2, 2]);
  const e = t.throws(() => addon.matmul(A, B, null, out, false, false, 0, 0));
  t.is(e.code, 'ERR_UNSUPPORTED_DTYPE');
  t.regex(e.message, /int32/);
});

test('BAD CALL - mismatched inner dimensions', (t) => {
  const A = new TensorHandle(F32, [2, 3]);
  const B = new TensorHandle(F32, [4, 2]);
  const out = new TensorHandle(F32, [2, 2]);
  const e = t.throws(() => addon.matmul(A, B, null, out, false, false, 0, 0));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.regex(e.message, /\[2,3\].*\[4,2\]/);
});

test('BAD CALL - wrong out shape, bias size and batch', (t) => {
  const A = new TensorHandle(F32, [2, 3]);
  const B = new TensorHandle(F32, [3, 4]);
  t.is(t.throws(() => addon.matmul(A, B, null, new TensorHandle(F32, [2, 5]), false, false, 0, 0)).code, 'ERR_SHAPE_MISMATCH');
  const bias = new TensorHandle(F32, [3]);
  t.is(t.throws(() => addon.matmul(A, B, bias, new TensorHandle(F32, [2, 4]), false, false, 0, 0)).code, 'ERR_SHAPE_MISMATCH');
  const A3 = new TensorHandle(F32, [2, 2, 3]);
  const B3 = new TensorHandle(F32, [3, 3, 4]);
  t.is(t.throws(() => addon.matmul(A3, B3, null, new TensorHandle(F32, [3, 2, 4]), false, false, 0, 0)).code, 'ERR_SHAPE_MISMATCH');
});

test('BAD CALL - unknown activation code', (t) => {
  const A = new TensorHandle(F32, [40, 40]);
  const B = new TensorHandle(F32, [40, 40]);
  const e = t.throws(() => addon.matmul(A, B, null, new TensorHandle(F32, [40, 40]), false, false, 99, 0));
  t.is(e.code, 'ERR_UNSUPPORTED');
});
