// unary, unaryGrad, binary, where, cast, fill against float64 references, on
// small tensors (plain loops) and large ones (oneDNN where it has the op).
const test = require('ava');
const { TensorHandle, addon, F32, I32, BOOL, SELU_ALPHA, SELU_SCALE, seeded, size, erf, sigmoid } = require('./helpers');

const { random, uniform, randomInts } = seeded(987654);

const U = {
  Neg: 0, Abs: 1, Sign: 2, Exp: 3, Expm1: 4, Log: 5, Log1p: 6, Sqrt: 7, Rsqrt: 8, Square: 9, Reciprocal: 10,
  Sin: 11, Cos: 12, Tanh: 13, Sigmoid: 14, Relu: 15, Relu6: 16, Elu: 17, Selu: 18, LeakyRelu: 19, Softplus: 20,
  Erf: 21, Round: 22, Floor: 23, Ceil: 24, LogicalNot: 25, Clip: 26, Step: 27, IsNan: 28, Swish: 29, Gelu: 30,
  Tan: 31, Asin: 32, Acos: 33, Atan: 34, Sinh: 35, Cosh: 36, Softsign: 37,
};
const B = {
  Add: 0, Sub: 1, Mul: 2, Div: 3, FloorDiv: 4, Mod: 5, Pow: 6, Maximum: 7, Minimum: 8, SquaredDifference: 9,
  Equal: 10, NotEqual: 11, Less: 12, LessEqual: 13, Greater: 14, GreaterEqual: 15, LogicalAnd: 16, LogicalOr: 17,
  Atan2: 18, DivNoNan: 19,
};

function roundHalfEven(v) {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function close(t, got, want, label, rtol = 1e-5, atol = 1e-6) {
  t.is(got.length, want.length, `${label}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : g === w || Math.abs(g - w) <= atol + rtol * Math.abs(w);
    if (!ok) {
      t.fail(`${label}: element ${i} is ${g}, expected ${w}`);
      return;
    }
  }
  t.pass();
}

// ---------------------------------------------------------------- unary

const ALPHA = 0.3;
const BETA = 0.8;
// op -> [reference, input range]
const UNARY = {
  Neg: [(v) => -v, -5, 5],
  Abs: [Math.abs, -5, 5],
  Sign: [Math.sign, -5, 5],
  Exp: [Math.exp, -10, 10],
  Expm1: [Math.expm1, -3, 3],
  Log: [Math.log, 0.01, 100],
  Log1p: [Math.log1p, -0.9, 10],
  Sqrt: [Math.sqrt, 0, 100],
  Rsqrt: [(v) => 1 / Math.sqrt(v), 0.01, 100],
  Square: [(v) => v * v, -5, 5],
  Reciprocal: [(v) => 1 / v, 0.1, 10],
  Sin: [Math.sin, -6, 6],
  Cos: [Math.cos, -6, 6],
  Tan: [Math.tan, -1.4, 1.4],
  Asin: [Math.asin, -0.99, 0.99],
  Acos: [Math.acos, -0.99, 0.99],
  Atan: [Math.atan, -10, 10],
  Sinh: [Math.sinh, -5, 5],
  Cosh: [Math.cosh, -5, 5],
  Tanh: [Math.tanh, -5, 5],
  Sigmoid: [sigmoid, -10, 10],
  Relu: [(v) => Math.max(v, 0), -5, 5],
  Relu6: [(v) => Math.min(Math.max(v, 0), 6), -3, 9],
  Elu: [(v) => (v > 0 ? v : ALPHA * Math.expm1(v)), -5, 5],
  Selu: [(v) => SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v)), -5, 5],
  LeakyRelu: [(v) => (v > 0 ? v : ALPHA * v), -5, 5],
  Softplus: [(v) => Math.log1p(Math.exp(v)), -20, 20],
  Erf: [erf, -4, 4],
  Round: [roundHalfEven, -10, 10],
  Floor: [Math.floor, -10, 10],
  Ceil: [Math.ceil, -10, 10],
  Clip: [(v) => Math.min(Math.max(v, ALPHA), BETA), -2, 2],
  Step: [(v) => (v > 0 ? 1 : ALPHA), -2, 2],
  Swish: [(v) => v * sigmoid(v), -10, 10],
  Gelu: [(v) => 0.5 * v * (1 + erf(v / Math.SQRT2)), -6, 6],
  Softsign: [(v) => v / (1 + Math.abs(v)), -10, 10],
};

function runUnary(op, x, shape, dtype = F32, outDtype = dtype) {
  const X = new TensorHandle(dtype, shape, x);
  const out = new TensorHandle(outDtype, shape);
  addon.unary(op, X, out, ALPHA, BETA);
  return out.read();
}

// 7 and 33 run the loops; 5000 reaches oneDNN for transcendental ops and
// 140000 for the cheap ones.
const UNARY_SIZES = [1, 7, 33, 5000, 140000];

for (const [name, [ref, lo, hi]] of Object.entries(UNARY)) {
  test(`unary ${name} float32`, (t) => {
    for (const n of UNARY_SIZES) {
      const x = uniform(n, lo, hi);
      if (n > 4) x.set([0, lo, hi].map(Math.fround).filter((v) => v >= lo && v <= hi), 1);
      const want = Array.from(x, ref);
      // oneDNN's vector approximations are a few ulp off; still far inside 1e-5.
      close(t, runUnary(U[name], x, [n]), want, `${name} n=${n}`, 2e-5, name === 'Expm1' || name === 'Erf' ? 1e-7 : 1e-6);
    }
  });
}

test('unary Round is half-to-even on both paths', (t) => {
  const halves = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, 0.4999, 0.5001, -7.5];
  for (const n of [halves.length, 140000]) {
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = halves[i % halves.length];
    const got = runUnary(U.Round, x, [n]);
    t.deepEqual(Array.from(got.slice(0, halves.length)), [0, 2, 2, -0, -2, -2, 4, 0, 1, -8]);
    t.is(got[n - 1], roundHalfEven(x[n - 1]));
  }
});

test('unary Softplus does not overflow for large inputs', (t) => {
  const got = runUnary(U.Softplus, new Float32Array([100, -100, 0]), [3]);
  close(t, got, [100, Math.log1p(Math.exp(-100)), Math.LN2], 'softplus', 1e-6, 1e-30);
});

test('unary on int32: Neg, Abs, Sign, Square (wrapping)', (t) => {
  const x = new Int32Array([0, 1, -1, 7, -7, 46341, 2147483647, -2147483648]);
  t.deepEqual(Array.from(runUnary(U.Neg, x, [8], I32)), [0, -1, 1, -7, 7, -46341, -2147483647, -2147483648]);
  t.deepEqual(Array.from(runUnary(U.Abs, x, [8], I32)), [0, 1, 1, 7, 7, 46341, 2147483647, -2147483648]);
  t.deepEqual(Array.from(runUnary(U.Sign, x, [8], I32)), [0, 1, -1, 1, -1, 1, 1, -1]);
  t.deepEqual(Array.from(runUnary(U.Square, x, [8], I32)), Array.from(x, (v) => Math.imul(v, v)));
  const big = randomInts(70000, -1000, 1000);
  t.deepEqual(Array.from(runUnary(U.Square, big, [70000], I32)), Array.from(big, (v) => v * v));
});

test('unary LogicalNot on bool and IsNan to bool', (t) => {
  t.deepEqual(Array.from(runUnary(U.LogicalNot, new Uint8Array([0, 1, 1, 0]), [4], BOOL)), [1, 0, 0, 1]);
  const x = new Float32Array([0, NaN, Infinity, -1, NaN]);
  t.deepEqual(Array.from(runUnary(U.IsNan, x, [5], F32, BOOL)), [0, 1, 0, 0, 1]);
});

test('unary keeps NaN through relu and sign', (t) => {
  const x = new Float32Array([NaN, -1, 2]);
  t.true(Number.isNaN(runUnary(U.Relu, x, [3])[0]));
  t.true(Number.isNaN(runUnary(U.Sign, x, [3])[0]));
});

test('BAD CALL - unary op without an int32 form names op and dtype', (t) => {
  const e = t.throws(() => runUnary(U.Exp, new Int32Array(3), [3], I32));
  t.is(e.code, 'ERR_UNSUPPORTED_DTYPE');
  t.regex(e.message, /exp.*int32/);
  t.is(t.throws(() => runUnary(U.Neg, new Uint8Array(3), [3], BOOL)).code, 'ERR_UNSUPPORTED_DTYPE');
  t.is(t.throws(() => runUnary(99, new Float32Array(3), [3])).code, 'ERR_UNSUPPORTED');
  const X = new TensorHandle(F32, [3]);
  t.is(t.throws(() => addon.unary(U.Neg, X, new TensorHandle(F32, [4]), 0, 0)).code, 'ERR_SHAPE_MISMATCH');
  t.is(t.throws(() => addon.unary(U.Neg, X, new TensorHandle(I32, [3]), 0, 0)).code, 'ERR_UNSUPPORTED_DTYPE');
});

// ---------------------------------------------------------------- unaryGrad

// op -> [forward, derivative at x, input range, whether `at` is the output]
const GRAD = {
  Relu: [UNARY.Relu[0], (x) => (x > 0 ? 1 : 0), -3, 3, true],
  Relu6: [UNARY.Relu6[0], (x) => (x > 0 && x < 6 ? 1 : 0), -3, 9, true],
  Sigmoid: [sigmoid, (x) => sigmoid(x) * (1 - sigmoid(x)), -6, 6, true],
  Tanh: [Math.tanh, (x) => 1 - Math.tanh(x) ** 2, -4, 4, true],
  Elu: [UNARY.Elu[0], (x) => (x > 0 ? 1 : ALPHA * Math.exp(x)), -4, 4, true],
  Selu: [UNARY.Selu[0], (x) => SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x)), -4, 4, true],
  LeakyRelu: [UNARY.LeakyRelu[0], (x) => (x > 0 ? 1 : ALPHA), -3, 3, true],
  Softplus: [null, sigmoid, -10, 10, false],
  Swish: [null, (x) => sigmoid(x) * (1 + x * (1 - sigmoid(x))), -8, 8, false],
  Gelu: [null, (x) => 0.5 * (1 + erf(x / Math.SQRT2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI), -5, 5, false],
  Clip: [null, (x) => (x >= ALPHA && x <= BETA ? 1 : 0), -2, 2, false],
  Abs: [null, Math.sign, -3, 3, false],
};

for (const [name, [fwd, deriv, lo, hi, fromOutput]] of Object.entries(GRAD)) {
  test(`unaryGrad ${name} (at = forward ${fromOutput ? 'output' : 'input'})`, (t) => {
    for (const n of [7, 33, 5000, 140000]) {
      const x = uniform(n, lo, hi);
      const dy = uniform(n, -2, 2);
      const at = fromOutput ? Float32Array.from(x, fwd) : x;
      const want = Array.from(x, (v, i) => dy[i] * deriv(v));
      const dx = new TensorHandle(F32, [n]);
      addon.unaryGrad(U[name], new TensorHandle(F32, [n], at), new TensorHandle(F32, [n], dy), dx, ALPHA, BETA);
      // Derivatives from the rounded float32 output carry its rounding error.
      close(t, dx.read(), want, `${name} n=${n}`, fromOutput ? 1e-4 : 2e-5, 1e-6);
    }
  });
}

test('unaryGrad agrees with finite differences of unary', (t) => {
  const x = new Float32Array([-1.7, -0.6, -0.1, 0.2, 0.9, 2.3]);
  const h = 1e-2;
  for (const name of Object.keys(GRAD)) {
    const fromOutput = GRAD[name][4];
    const y = runUnary(U[name], x, [6]);
    const plus = runUnary(U[name], Float32Array.from(x, (v) => v + h), [6]);
    const minus = runUnary(U[name], Float32Array.from(x, (v) => v - h), [6]);
    const dx = new TensorHandle(F32, [6]);
    addon.unaryGrad(U[name], new TensorHandle(F32, [6], fromOutput ? y : x), new TensorHandle(F32, [6], new Float32Array(6).fill(1)), dx, ALPHA, BETA);
    const fd = Array.from(x, (_, i) => (plus[i] - minus[i]) / (2 * h));
    close(t, dx.read(), fd, `${name} finite differences`, 1e-2, 1e-3);
  }
});

test('BAD CALL - unaryGrad of an op without a gradient kernel', (t) => {
  const X = new TensorHandle(F32, [3]);
  const e = t.throws(() => addon.unaryGrad(U.Sin, X, X, new TensorHandle(F32, [3]), 0, 0));
  t.is(e.code, 'ERR_UNSUPPORTED');
  t.regex(e.message, /sin/);
});

// ---------------------------------------------------------------- binary

function broadcastRef(shapes, outShape, fn, inputs) {
  const R = outShape.length;
  const n = size(outShape);
  const out = new Array(n);
  const strides = shapes.map((s) => {
    const padded = new Array(R - s.length).fill(1).concat(s);
    const st = new Array(R);
    let acc = 1;
    for (let d = R - 1; d >= 0; d--) {
      st[d] = padded[d] === 1 ? 0 : acc;
      acc *= padded[d];
    }
    return st;
  });
  const idx = new Array(R).fill(0);
  for (let i = 0; i < n; i++) {
    let rem = i;
    for (let d = R - 1; d >= 0; d--) {
      idx[d] = rem % outShape[d];
      rem = Math.floor(rem / outShape[d]);
    }
    const args = inputs.map((arr, k) => arr[idx.reduce((o, v, d) => o + v * strides[k][d], 0)]);
    out[i] = fn(...args);
  }
  return out;
}

const pyMod = (a, b) => {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
};
const FLOAT_BINARY = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  FloorDiv: (a, b) => Math.floor(a / b),
  Mod: pyMod,
  Pow: (a, b) => Math.pow(a, b),
  Maximum: Math.max,
  Minimum: Math.min,
  SquaredDifference: (a, b) => (a - b) * (a - b),
  Atan2: Math.atan2,
  DivNoNan: (a, b) => (b === 0 ? 0 : a / b),
};
const COMPARE = {
  Equal: (a, b) => +(a === b),
  NotEqual: (a, b) => +(a !== b),
  Less: (a, b) => +(a < b),
  LessEqual: (a, b) => +(a <= b),
  Greater: (a, b) => +(a > b),
  GreaterEqual: (a, b) => +(a >= b),
};

const BROADCASTS = [
  [[7], [7], [7]],
  [[2, 3, 4], [2, 3, 4], [2, 3, 4]],
  [[2, 3, 4], [4], [2, 3, 4]],
  [[2, 3, 4], [3, 1], [2, 3, 4]],
  [[2, 1, 4], [2, 3, 4], [2, 3, 4]],
  [[3, 1], [1, 5], [3, 5]],
  [[], [33], [33]],
  [[33], [], [33]],
  [[1], [2, 1, 3], [2, 1, 3]],
  [[], [], []],
  [[5, 1, 7, 1], [1, 3, 1, 2], [5, 3, 7, 2]],
];

function floatInputs(op, n) {
  if (op === 'Pow') return uniform(n, 0.1, 3);
  // Away from 0 so Div and Mod stay well conditioned; a few exact zeros for DivNoNan.
  const a = uniform(n, -5, 5).map((v) => (Math.abs(v) < 0.25 ? 0.25 : v));
  if (op === 'DivNoNan' && n > 2) a[1] = 0;
  return a;
}

function runBinary(op, a, aShape, b, bShape, outShape, dtype, outDtype) {
  const out = new TensorHandle(outDtype, outShape);
  addon.binary(op, new TensorHandle(dtype, aShape, a), new TensorHandle(dtype, bShape, b), out);
  return out.read();
}

for (const [name, fn] of Object.entries({ ...FLOAT_BINARY, ...COMPARE })) {
  const isCompare = name in COMPARE;
  test(`binary ${name} float32 with broadcasting`, (t) => {
    for (const [aShape, bShape, outShape] of BROADCASTS) {
      const a = floatInputs(name, size(aShape));
      const b = floatInputs(name, size(bShape));
      // Equal values somewhere so the comparisons see ties.
      if (a.length > 1 && b.length > 1) b[0] = a[0];
      const want = broadcastRef([aShape, bShape], outShape, fn, [a, b]);
      const got = runBinary(B[name], a, aShape, b, bShape, outShape, F32, isCompare ? BOOL : F32);
      close(t, got, want, `${name} ${JSON.stringify([aShape, bShape])}`);
    }
  });
}

test('binary float32 on large tensors (oneDNN path, with either operand broadcast)', (t) => {
  const cases = [
    [[400, 350], [400, 350]],
    [[400, 350], [350]],
    [[350], [400, 350]],
    [[400, 1], [400, 350]],
    [[20, 70, 100], [20, 1, 100]],
  ];
  for (const name of ['Add', 'Sub', 'Mul', 'Div', 'Maximum', 'Minimum', 'Pow', 'Less']) {
    for (const [aShape, bShape] of cases) {
      const outShape = size(aShape) > size(bShape) ? aShape : bShape;
      const a = floatInputs(name, size(aShape));
      const b = floatInputs(name, size(bShape));
      const fn = FLOAT_BINARY[name] || COMPARE[name];
      const want = broadcastRef([aShape, bShape], outShape, fn, [a, b]);
      const got = runBinary(B[name], a, aShape, b, bShape, outShape, F32, name === 'Less' ? BOOL : F32);
      close(t, got, want, `${name} ${JSON.stringify([aShape, bShape])}`);
    }
  }
});

test('binary Mod and FloorDiv follow Python sign rules (float32 and int32)', (t) => {
  const a = [7, -7, 7, -7, 6, -6, 0];
  const b = [3, 3, -3, -3, 3, -3, 5];
  const mod = [1, 2, -2, -1, 0, -0, 0];
  const fdiv = [2, -3, -3, 2, 2, 2, 0];
  t.deepEqual(Array.from(runBinary(B.Mod, new Float32Array(a), [7], new Float32Array(b), [7], [7], F32, F32)), mod);
  t.deepEqual(Array.from(runBinary(B.FloorDiv, new Float32Array(a), [7], new Float32Array(b), [7], [7], F32, F32)), fdiv);
  t.deepEqual(Array.from(runBinary(B.Mod, new Int32Array(a), [7], new Int32Array(b), [7], [7], I32, I32)), mod.map((v) => v + 0));
  t.deepEqual(Array.from(runBinary(B.FloorDiv, new Int32Array(a), [7], new Int32Array(b), [7], [7], I32, I32)), fdiv);
  close(t, runBinary(B.Mod, new Float32Array([5.5, -5.5]), [2], new Float32Array([2]), [1], [2], F32, F32), [1.5, 0.5], 'fractional mod');
});

const intFloorDiv = (a, b) => (b === 0 ? 0 : Math.floor(a / b) | 0);
const INT_BINARY = {
  Add: (a, b) => (a + b) | 0,
  Sub: (a, b) => (a - b) | 0,
  Mul: Math.imul,
  Div: intFloorDiv,
  FloorDiv: intFloorDiv,
  DivNoNan: intFloorDiv,
  Mod: (a, b) => (b === 0 ? 0 : pyMod(a, b) | 0),
  Pow: (a, b) => (b < 0 ? (a === 1 ? 1 : a === -1 ? (b % 2 ? -1 : 1) : 0) : Number(BigInt.asIntN(32, BigInt(a) ** BigInt(b)))),
  Maximum: Math.max,
  Minimum: Math.min,
  SquaredDifference: (a, b) => Math.imul(a - b, a - b),
};

for (const [name, fn] of Object.entries({ ...INT_BINARY, ...COMPARE })) {
  const isCompare = name in COMPARE;
  test(`binary ${name} int32 with broadcasting`, (t) => {
    for (const [aShape, bShape, outShape] of [...BROADCASTS, [[300, 300], [300], [300, 300]]]) {
      const a = randomInts(size(aShape), -20, 20);
      const b = name === 'Pow' ? randomInts(size(bShape), -2, 6) : randomInts(size(bShape), -5, 5);
      const want = broadcastRef([aShape, bShape], outShape, fn, [a, b]);
      const got = runBinary(B[name], a, aShape, b, bShape, outShape, I32, isCompare ? BOOL : I32);
      t.deepEqual(Array.from(got), want, `${name} ${JSON.stringify([aShape, bShape])}`);
    }
  });
}

test('binary int32 edge cases: overflow wraps, division by zero gives 0', (t) => {
  const a = new Int32Array([2147483647, -2147483648, 5, -2147483648, 3]);
  const b = new Int32Array([1, -1, 0, -1, 31]);
  const run = (op) => Array.from(runBinary(op, a, [5], b, [5], [5], I32, I32));
  t.deepEqual(run(B.Add), [-2147483648, 2147483647, 5, 2147483647, 34]);
  t.deepEqual(run(B.Div), [2147483647, -2147483648, 0, -2147483648, 0]);
  t.deepEqual(run(B.Mod), [0, 0, 0, 0, 3]);
  t.deepEqual(run(B.Pow), [2147483647, 0, 1, 0, Number(BigInt.asIntN(32, 3n ** 31n))]);
});

test('binary logical and comparison ops on bool', (t) => {
  const a = new Uint8Array([0, 0, 1, 1]);
  const b = new Uint8Array([0, 1, 0, 1]);
  const run = (op) => Array.from(runBinary(op, a, [4], b, [4], [4], BOOL, BOOL));
  t.deepEqual(run(B.LogicalAnd), [0, 0, 0, 1]);
  t.deepEqual(run(B.LogicalOr), [0, 1, 1, 1]);
  t.deepEqual(run(B.Equal), [1, 0, 0, 1]);
  t.deepEqual(run(B.NotEqual), [0, 1, 1, 0]);
  t.deepEqual(run(B.Less), [0, 1, 0, 0]);
  t.deepEqual(run(B.GreaterEqual), [1, 0, 1, 1]);
  const got = runBinary(B.LogicalAnd, new Uint8Array([1, 0, 1]), [3, 1], new Uint8Array([1, 1]), [1, 2], [3, 2], BOOL, BOOL);
  t.deepEqual(Array.from(got), [1, 1, 0, 0, 1, 1]);
});

test('BAD CALL - binary dtype and shape errors', (t) => {
  const f = new TensorHandle(F32, [3]);
  const i = new TensorHandle(I32, [3]);
  const bl = new TensorHandle(BOOL, [3]);
  let e = t.throws(() => addon.binary(B.Add, f, i, new TensorHandle(F32, [3])));
  t.is(e.code, 'ERR_UNSUPPORTED_DTYPE');
  e = t.throws(() => addon.binary(B.Add, bl, bl, new TensorHandle(BOOL, [3])));
  t.is(e.code, 'ERR_UNSUPPORTED_DTYPE');
  t.regex(e.message, /add.*bool/);
  t.is(t.throws(() => addon.binary(B.LogicalAnd, f, f, new TensorHandle(BOOL, [3]))).code, 'ERR_UNSUPPORTED_DTYPE');
  t.is(t.throws(() => addon.binary(B.Atan2, i, i, new TensorHandle(I32, [3]))).code, 'ERR_UNSUPPORTED_DTYPE');
  t.is(t.throws(() => addon.binary(B.Less, f, f, new TensorHandle(F32, [3]))).code, 'ERR_UNSUPPORTED_DTYPE');
  e = t.throws(() => addon.binary(B.Add, f, new TensorHandle(F32, [4]), new TensorHandle(F32, [3])));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.regex(e.message, /\[4\].*\[3\]/);
  t.is(t.throws(() => addon.binary(B.Add, new TensorHandle(F32, [2, 3]), f, new TensorHandle(F32, [3]))).code, 'ERR_SHAPE_MISMATCH');
  t.is(t.throws(() => addon.binary(42, f, f, new TensorHandle(F32, [3]))).code, 'ERR_UNSUPPORTED');
});

// ---------------------------------------------------------------- where

test('where broadcasts cond, a and b for every dtype', (t) => {
  const cases = [
    [[2, 3], [2, 3], [2, 3], [2, 3]],
    [[3], [2, 3], [], [2, 3]],
    [[2, 1], [1, 3], [3], [2, 3]],
    [[4, 1, 5], [1, 7, 1], [4, 7, 5], [4, 7, 5]],
    [[300, 300], [300], [300, 1], [300, 300]],
  ];
  for (const [cShape, aShape, bShape, outShape] of cases) {
    const cond = Uint8Array.from({ length: size(cShape) }, () => (random() < 0.5 ? 1 : 0));
    for (const [dtype, make] of [[F32, (n) => uniform(n, -5, 5)], [I32, (n) => randomInts(n, -100, 100)], [BOOL, (n) => Uint8Array.from({ length: n }, () => (random() < 0.5 ? 1 : 0))]]) {
      const a = make(size(aShape));
      const b = make(size(bShape));
      const want = broadcastRef([cShape, aShape, bShape], outShape, (c, x, y) => (c ? x : y), [cond, a, b]);
      const out = new TensorHandle(dtype, outShape);
      addon.where(new TensorHandle(BOOL, cShape, cond), new TensorHandle(dtype, aShape, a), new TensorHandle(dtype, bShape, b), out);
      t.deepEqual(Array.from(out.read()), want, `${JSON.stringify([cShape, aShape, bShape])} dtype ${dtype}`);
    }
  }
});

test('BAD CALL - where with a non-bool cond or mixed dtypes', (t) => {
  const f = new TensorHandle(F32, [2]);
  t.is(t.throws(() => addon.where(f, f, f, new TensorHandle(F32, [2]))).code, 'ERR_UNSUPPORTED_DTYPE');
  const c = new TensorHandle(BOOL, [2]);
  t.is(t.throws(() => addon.where(c, f, new TensorHandle(I32, [2]), new TensorHandle(F32, [2]))).code, 'ERR_UNSUPPORTED_DTYPE');
});

// ---------------------------------------------------------------- cast, fill

test('cast between every pair of dtypes', (t) => {
  const run = (x, from, to) => {
    const out = new TensorHandle(to, [x.length]);
    addon.cast(new TensorHandle(from, [x.length], x), out);
    return Array.from(out.read());
  };
  const f = new Float32Array([0, 1.9, -1.9, 2.5, NaN, 3e9, -3e9, 0.25, -0]);
  t.deepEqual(run(f, F32, I32), [0, 1, -1, 2, 0, 2147483647, -2147483648, 0, 0]);
  t.deepEqual(run(f, F32, BOOL), [0, 1, 1, 1, 1, 1, 1, 1, 0]);
  t.deepEqual(run(f, F32, F32), Array.from(f));
  const i = new Int32Array([0, 5, -7, 16777217, -2147483648]);
  t.deepEqual(run(i, I32, F32), [0, 5, -7, 16777216, -2147483648]);
  t.deepEqual(run(i, I32, BOOL), [0, 1, 1, 1, 1]);
  const bl = new Uint8Array([0, 1, 1, 0]);
  t.deepEqual(run(bl, BOOL, F32), [0, 1, 1, 0]);
  t.deepEqual(run(bl, BOOL, I32), [0, 1, 1, 0]);
  const big = uniform(100000, -1000, 1000);
  t.deepEqual(run(big, F32, I32), Array.from(big, (v) => Math.trunc(v) | 0));
});

test('fill converts the value to each dtype', (t) => {
  for (const n of [1, 7, 100000]) {
    const f = new TensorHandle(F32, [n]);
    addon.fill(f, 0.1);
    t.true(f.read().every((v) => v === Math.fround(0.1)));
    const i = new TensorHandle(I32, [n]);
    addon.fill(i, -3.7);
    t.true(i.read().every((v) => v === -3));
    const bl = new TensorHandle(BOOL, [n]);
    addon.fill(bl, 2);
    t.true(bl.read().every((v) => v === 1));
  }
  const e = new TensorHandle(F32, [0]);
  addon.fill(e, 1);
  t.is(e.read().length, 0);
});

test('BAD CALL - cast with sizes that differ', (t) => {
  const e = t.throws(() => addon.cast(new TensorHandle(F32, [3]), new TensorHandle(I32, [4])));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
});
