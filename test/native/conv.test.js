// convForward / convBackwardData / convBackwardFilter against a float64
// reference: 1, 2 and 3 spatial dims, strides, dilations, asymmetric padding,
// groups (depthwise), narrow and wide channels (which compute in different
// layouts), fused bias + activation, and the errors of bad calls.
const test = require('ava');
const { TensorHandle, addon, F32, I32, seeded, size } = require('./helpers');

const { randomArray } = seeded(2024);

const Act = { Linear: 0, Relu: 1, Relu6: 2, Sigmoid: 3, Tanh: 4, Elu: 5, Selu: 6, LeakyRelu: 7, Softplus: 8, Swish: 9, Gelu: 10 };

/** The output's spatial size per dim, as the kernel expects it. */
function outSpatial(c) {
  return c.in.map((n, i) => Math.floor((n + c.padBefore[i] + c.padAfter[i] - ((c.k[i] - 1) * c.dilations[i] + 1)) / c.strides[i]) + 1);
}

/**
 * Calls visit(xi, fi, yi) for every product x[xi] * f[fi] that contributes to
 * y[yi]: forward, backward data and backward filter are three uses of it.
 */
function eachTap(c, visit) {
  const out = outSpatial(c);
  const sp = c.in.length;
  const ig = c.cin / c.groups;
  const og = c.cout / c.groups;
  const strideOf = (dims, inner) => {
    const s = new Array(dims.length);
    for (let i = dims.length - 1; i >= 0; i--) {
      s[i] = inner;
      inner *= dims[i];
    }
    return s;
  };
  const xStr = strideOf(c.in, c.cin);
  const yStr = strideOf(out, c.cout);
  const fStr = strideOf(c.k, ig * c.cout);
  const outPos = new Array(sp).fill(0);
  const kPos = new Array(sp).fill(0);
  const next = (pos, dims) => {
    for (let i = dims.length - 1; i >= 0; i--) {
      if (++pos[i] < dims[i]) return true;
      pos[i] = 0;
    }
    return false;
  };
  for (let n = 0; n < c.n; n++) {
    outPos.fill(0);
    do {
      let yBase = n * size(out) * c.cout;
      for (let i = 0; i < sp; i++) yBase += outPos[i] * yStr[i];
      kPos.fill(0);
      do {
        let xBase = n * size(c.in) * c.cin;
        let fBase = 0;
        let inside = true;
        for (let i = 0; i < sp; i++) {
          const p = outPos[i] * c.strides[i] - c.padBefore[i] + kPos[i] * c.dilations[i];
          if (p < 0 || p >= c.in[i]) inside = false;
          xBase += p * xStr[i];
          fBase += kPos[i] * fStr[i];
        }
        if (!inside) continue;
        for (let co = 0; co < c.cout; co++) {
          const g = Math.floor(co / og);
          for (let ci = 0; ci < ig; ci++) visit(xBase + g * ig + ci, fBase + ci * c.cout + co, yBase + co);
        }
      } while (next(kPos, c.k));
    } while (next(outPos, out));
  }
}

const ACT = {
  [Act.Linear]: (v) => v,
  [Act.Relu]: (v) => Math.max(v, 0),
  [Act.Relu6]: (v) => Math.min(Math.max(v, 0), 6),
  [Act.Sigmoid]: (v) => 1 / (1 + Math.exp(-v)),
  [Act.Tanh]: Math.tanh,
  [Act.Elu]: (v, a) => (v > 0 ? v : a * Math.expm1(v)),
  [Act.LeakyRelu]: (v, a) => (v > 0 ? v : a * v),
  [Act.Softplus]: (v) => Math.log1p(Math.exp(v)),
  [Act.Swish]: (v) => v / (1 + Math.exp(-v)),
};

function makeCase(o) {
  const sp = o.in.length;
  const c = {
    n: 2, groups: 1, strides: new Array(sp).fill(1), dilations: new Array(sp).fill(1),
    padBefore: new Array(sp).fill(0), padAfter: new Array(sp).fill(0), act: Act.Linear, alpha: 0, ...o,
  };
  c.xShape = [c.n, ...c.in, c.cin];
  c.fShape = [...c.k, c.cin / c.groups, c.cout];
  c.yShape = [c.n, ...outSpatial(c), c.cout];
  c.x = randomArray(size(c.xShape));
  c.f = randomArray(size(c.fShape));
  c.bias = o.bias ? randomArray(c.cout) : null;
  return c;
}

function args(c) {
  return [c.strides, c.dilations, c.padBefore, c.padAfter, c.groups];
}

function assertClose(t, got, ref, mag, label) {
  t.is(got.length, ref.length, label);
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i] - ref[i]) <= 2e-5 * mag[i] + 1e-6)) {
      t.fail(`${label}: element ${i} is ${got[i]}, expected ${ref[i]}`);
      return;
    }
  }
  t.pass();
}

function checkForward(t, c) {
  const acc = new Float64Array(size(c.yShape));
  const mag = new Float64Array(acc.length);
  eachTap(c, (xi, fi, yi) => {
    acc[yi] += c.x[xi] * c.f[fi];
    mag[yi] += Math.abs(c.x[xi] * c.f[fi]);
  });
  const ref = acc.map((v, i) => ACT[c.act](v + (c.bias ? c.bias[i % c.cout] : 0), c.alpha));
  const x = new TensorHandle(F32, c.xShape, c.x);
  const f = new TensorHandle(F32, c.fShape, c.f);
  const b = c.bias ? new TensorHandle(F32, [c.cout], c.bias) : null;
  const y = new TensorHandle(F32, c.yShape);
  addon.convForward(x, f, b, y, ...args(c), c.act, c.alpha);
  assertClose(t, y.read(), ref, mag.map((m) => m + 1), 'forward');
}

function checkBackward(t, c) {
  const dy = randomArray(size(c.yShape));
  const dx = new Float64Array(size(c.xShape));
  const dxMag = new Float64Array(dx.length);
  const df = new Float64Array(size(c.fShape));
  const dfMag = new Float64Array(df.length);
  eachTap(c, (xi, fi, yi) => {
    dx[xi] += dy[yi] * c.f[fi];
    dxMag[xi] += Math.abs(dy[yi] * c.f[fi]);
    df[fi] += c.x[xi] * dy[yi];
    dfMag[fi] += Math.abs(c.x[xi] * dy[yi]);
  });
  const db = new Float64Array(c.cout);
  const dbMag = new Float64Array(c.cout);
  dy.forEach((v, i) => {
    db[i % c.cout] += v;
    dbMag[i % c.cout] += Math.abs(v);
  });
  const hx = new TensorHandle(F32, c.xShape, c.x);
  const hf = new TensorHandle(F32, c.fShape, c.f);
  const hdy = new TensorHandle(F32, c.yShape, dy);
  const hdx = new TensorHandle(F32, c.xShape);
  addon.convBackwardData(hdy, hf, hdx, ...args(c));
  assertClose(t, hdx.read(), dx, dxMag.map((m) => m + 1), 'backward data');
  const hdf = new TensorHandle(F32, c.fShape);
  const hdb = new TensorHandle(F32, [c.cout]);
  addon.convBackwardFilter(hx, hdy, hdf, hdb, ...args(c));
  assertClose(t, hdf.read(), df, dfMag.map((m) => m + 1), 'backward filter');
  assertClose(t, hdb.read(), db, dbMag.map((m) => m + 1), 'backward bias');
  const hdf2 = new TensorHandle(F32, c.fShape);
  addon.convBackwardFilter(hx, hdy, hdf2, null, ...args(c));
  assertClose(t, hdf2.read(), df, dfMag.map((m) => m + 1), 'backward filter without bias');
}

const CASES = {
  '1-d, stride 2, asymmetric padding': { in: [9], k: [3], cin: 3, cout: 4, strides: [2], padBefore: [1], padAfter: [2] },
  '1-d, dilation 3': { in: [11], k: [3], cin: 2, cout: 5, dilations: [3] },
  '2-d, valid 3x3': { in: [7, 6], k: [3, 3], cin: 3, cout: 8 },
  '2-d, same 5x5 stride 2 (TF pads 1 before, 2 after)': { in: [8, 8], k: [5, 5], cin: 4, cout: 6, strides: [2, 2], padBefore: [1, 1], padAfter: [2, 2] },
  '2-d, non-square kernel, odd sizes, mixed strides': { in: [9, 7], k: [2, 3], cin: 5, cout: 3, strides: [1, 2], padBefore: [0, 1], padAfter: [1, 1] },
  '2-d, dilation 2 with padding': { in: [10, 9], k: [3, 3], cin: 3, cout: 4, dilations: [2, 2], padBefore: [2, 2], padAfter: [2, 2] },
  '2-d, stride 3 leaves rows unused': { in: [10, 11], k: [3, 2], cin: 2, cout: 3, strides: [3, 3] },
  '2-d, batch 1, one channel (first layer)': { n: 1, in: [12, 12], k: [3, 3], cin: 1, cout: 8 },
  '2-d, depthwise (groups = Cin)': { in: [8, 7], k: [3, 3], cin: 4, cout: 4, groups: 4, padBefore: [1, 1], padAfter: [1, 1] },
  '2-d, depthwise multiplier 3, stride 2': { in: [9, 9], k: [3, 3], cin: 3, cout: 9, groups: 3, strides: [2, 2] },
  '2-d, two groups': { in: [6, 6], k: [3, 3], cin: 4, cout: 6, groups: 2 },
  '2-d, wide channels (blocked layouts)': { in: [6, 5], k: [3, 3], cin: 16, cout: 32, padBefore: [1, 1], padAfter: [1, 1] },
  '2-d, depthwise on wide channels, multiplier 2': { in: [6, 6], k: [3, 3], cin: 16, cout: 32, groups: 16, padBefore: [1, 1], padAfter: [1, 1] },
  '2-d, four groups on wide channels': { in: [5, 5], k: [3, 3], cin: 16, cout: 8, groups: 4, strides: [2, 2] },
  '1-d, wide channels, stride 2': { in: [9], k: [3], cin: 16, cout: 8, strides: [2], padBefore: [1], padAfter: [1] },
  '3-d, wide channels': { in: [4, 4, 3], k: [2, 2, 2], cin: 8, cout: 16, padAfter: [1, 0, 1] },
  '3-d, same padding': { in: [5, 6, 4], k: [3, 3, 2], cin: 2, cout: 3, padBefore: [1, 1, 0], padAfter: [1, 1, 1] },
  '3-d, stride 2 and dilation': { in: [7, 6, 6], k: [2, 2, 2], cin: 3, cout: 2, strides: [2, 1, 2], dilations: [1, 2, 1] },
};

for (const [name, o] of Object.entries(CASES)) {
  test(`forward: ${name}`, (t) => checkForward(t, makeCase(o)));
  test(`forward with bias: ${name}`, (t) => checkForward(t, makeCase({ ...o, bias: true })));
  test(`backward: ${name}`, (t) => checkBackward(t, makeCase(o)));
}

for (const [name, act] of Object.entries(Act)) {
  if (act === Act.Selu || act === Act.Gelu) continue;
  test(`forward: bias + ${name} fused`, (t) => {
    const alpha = act === Act.LeakyRelu ? 0.2 : act === Act.Elu ? 1.3 : 0;
    const c = makeCase({ in: [6, 6], k: [3, 3], cin: 8, cout: 16, bias: true, act, alpha, padBefore: [1, 1], padAfter: [1, 1] });
    // Spread the pre-activations over every branch (relu6's cap included).
    c.x = c.x.map((v) => v * 3);
    checkForward(t, c);
  });
}

test('the same shape with and without bias or activation uses distinct primitives', (t) => {
  const o = { in: [5, 5], k: [3, 3], cin: 3, cout: 4 };
  checkForward(t, makeCase({ ...o, bias: true, act: Act.Relu }));
  checkForward(t, makeCase(o));
  checkForward(t, makeCase({ ...o, bias: true }));
});

test('an empty batch gives an empty output and zero filter gradients', (t) => {
  const c = makeCase({ n: 0, in: [5, 5], k: [3, 3], cin: 2, cout: 3 });
  const x = new TensorHandle(F32, c.xShape);
  const f = new TensorHandle(F32, c.fShape, c.f);
  const y = new TensorHandle(F32, c.yShape);
  addon.convForward(x, f, null, y, ...args(c), Act.Linear, 0);
  const df = new TensorHandle(F32, c.fShape, new Float32Array(size(c.fShape)).fill(7));
  const db = new TensorHandle(F32, [3], new Float32Array([7, 7, 7]));
  addon.convBackwardFilter(x, y, df, db, ...args(c));
  t.true(df.read().every((v) => v === 0));
  t.deepEqual(Array.from(db.read()), [0, 0, 0]);
});

test('BAD CALL – shapes that do not fit throw with every shape in the message', (t) => {
  const x = new TensorHandle(F32, [1, 5, 5, 3]);
  const f = new TensorHandle(F32, [3, 3, 3, 4]);
  const e = t.throws(() => addon.convForward(x, f, null, new TensorHandle(F32, [1, 4, 4, 4]), [1, 1], [1, 1], [0, 0], [0, 0], 1, 0, 0));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, "convForward: y's spatial size does not follow from x, filter, strides and paddings (x [1,5,5,3], filter [3,3,3,4], y [1,4,4,4])");
  const wrongIn = new TensorHandle(F32, [3, 3, 2, 4]);
  t.regex(t.throws(() => addon.convBackwardData(new TensorHandle(F32, [1, 3, 3, 4]), wrongIn, x, [1, 1], [1, 1], [0, 0], [0, 0], 1)).message,
    /^convBackwardData: filter does not fit the channels/);
  t.regex(t.throws(() => addon.convForward(x, f, null, new TensorHandle(F32, [1, 3, 3, 4]), [1], [1, 1], [0, 0], [0, 0], 1, 0, 0)).message,
    /one value per spatial dim/);
  t.regex(t.throws(() => addon.convForward(x, f, null, new TensorHandle(F32, [1, 3, 3, 4]), [0, 1], [1, 1], [0, 0], [0, 0], 1, 0, 0)).message,
    /bad stride/);
  t.regex(t.throws(() => addon.convForward(x, f, new TensorHandle(F32, [3]), new TensorHandle(F32, [1, 3, 3, 4]), [1, 1], [1, 1], [0, 0], [0, 0], 1, 0, 0)).message,
    /bias must have 4 elements, got \[3\]/);
  const ints = new TensorHandle(I32, [1, 5, 5, 3]);
  t.is(t.throws(() => addon.convForward(ints, f, null, new TensorHandle(F32, [1, 3, 3, 4]), [1, 1], [1, 1], [0, 0], [0, 0], 1, 0, 0)).code,
    'ERR_UNSUPPORTED_DTYPE');
  t.regex(t.throws(() => addon.convForward(x, f, null, new TensorHandle(F32, [1, 3, 3, 4]), [1, 1], [1, 1], [0, 0], [0, 0], 2, 0, 0)).message,
    /groups must divide both channel counts/);
});
