// Pooling layers (lib/layers/pooling.ts) against PyTorch fixtures and float64
// references (conv_reference.js, TF's 'same' windows); gradients against
// central differences; shapes, configs, memory and errors.
// Serial: tests compare tf.memory() before and after.
const test = require('ava').serial;
const tf = require('../../dist');
const { layers } = tf;
const { deserialize, serializeKerasObject } = require('../../dist/serialization');
const { close, numericGrad, values: rawValues, dot } = require('./helpers');
const ref = require('./conv_reference');
const { cases } = require('../fixtures/conv_layers.json');

const size = (shape) => shape.reduce((a, b) => a * b, 1);
// float32-representable inputs, so that exact comparisons (max, copies) see the same numbers on both sides.
const values = (n, seed) => rawValues(n, seed).map(Math.fround);

function run(layer, xv, xShape) {
  return tf.tidy(() => {
    const y = layer.apply(tf.tensor(xv, xShape));
    return { y: Array.from(y.dataSync()), shape: y.shape };
  });
}

/** Distinct values (a shuffled ramp), so that every max window has one winner and the gradient is defined. */
function distinct(n, seed) {
  const keys = values(n, seed);
  const order = keys.map((k, i) => [k, i]).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
  const out = new Array(n);
  order.forEach((i, rank) => { out[i] = (rank - n / 2) / 7; });
  return out;
}

test('maxPooling2d (3, stride 2, same) and averagePooling2d (3, stride 2, same) match PyTorch', (t) => {
  let c = cases.maxpool_3_stride2_same;
  let r = run(layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), c.x, c.xShape);
  t.deepEqual(r.shape, c.yShape);
  close(t, r.y, c.y, 1e-6);
  c = cases.avgpool_3_stride2_same;
  r = run(layers.averagePooling2d({ poolSize: [3, 3], strides: [2, 2], padding: 'same' }), c.x, c.xShape);
  t.deepEqual(r.shape, c.yShape);
  close(t, r.y, c.y, 1e-6);
});

const POOL2D_CASES = [
  {},
  { poolSize: 3 },
  { poolSize: [2, 3], strides: [1, 2], padding: 'same' },
  { poolSize: 3, strides: 2, padding: 'same' },
  { poolSize: 2, strides: 1, padding: 'valid' },
  { poolSize: [3, 2], padding: 'same', dataFormat: 'channelsFirst' },
];

for (const mode of ['max', 'avg']) {
  for (const args of POOL2D_CASES) {
    test(`${mode}Pooling2d ${JSON.stringify(args)}: the float64 pool, default strides = poolSize`, (t) => {
      const xShape = [2, 7, 6, 3];
      const xv = values(size(xShape), 1);
      const pair = (v, d) => (v === undefined ? d : typeof v === 'number' ? [v, v] : v);
      const poolSize = pair(args.poolSize, [2, 2]);
      const expected = ref.pool(xv, xShape, { poolSize, strides: pair(args.strides, poolSize), padding: args.padding ?? 'valid', mode });
      const cf = args.dataFormat === 'channelsFirst';
      const input = cf ? ref.permute(xv, xShape, [0, 3, 1, 2]) : { y: xv, shape: xShape };
      const layer = mode === 'max' ? layers.maxPooling2d(args) : layers.averagePooling2d(args);
      const { y, shape } = run(layer, input.y, input.shape);
      const want = cf ? ref.permute(expected.y, expected.shape, [0, 3, 1, 2]) : expected;
      t.deepEqual(shape, want.shape);
      t.deepEqual(layer.computeOutputShape([null, ...input.shape.slice(1)]), [null, ...want.shape.slice(1)]);
      close(t, y, want.y, 1e-6);
    });
  }
}

for (const mode of ['max', 'avg']) {
  for (const args of [{}, { poolSize: 3, strides: 2, padding: 'same' }, { poolSize: [2], strides: [1] }]) {
    test(`${mode}Pooling1d ${JSON.stringify(args)}: the float64 pool over steps`, (t) => {
      const xShape = [3, 9, 2];
      const xv = values(size(xShape), 2);
      const one = (v, d) => (v === undefined ? d : Array.isArray(v) ? v : [v]);
      const poolSize = one(args.poolSize, [2]);
      const expected = ref.pool(xv, xShape, { poolSize, strides: one(args.strides, poolSize), padding: args.padding ?? 'valid', mode });
      const layer = mode === 'max' ? layers.maxPooling1d(args) : layers.averagePooling1d(args);
      const { y, shape } = run(layer, xv, xShape);
      t.deepEqual(shape, expected.shape);
      t.deepEqual(layer.computeOutputShape([null, 9, 2]), [null, ...expected.shape.slice(1)]);
      close(t, y, expected.y, 1e-6);
    });
  }
}

for (const mode of ['max', 'avg']) {
  test(`${mode}Pooling3d: the float64 pool over volumes, both data formats`, (t) => {
    const xShape = [2, 5, 4, 3, 2];
    const xv = values(size(xShape), 3);
    const expected = ref.pool(xv, xShape, { poolSize: [2, 3, 2], strides: [2, 1, 2], padding: 'same', mode });
    const args = { poolSize: [2, 3, 2], strides: [2, 1, 2], padding: 'same' };
    const make = mode === 'max' ? layers.maxPooling3d : layers.averagePooling3d;
    const a = run(make(args), xv, xShape);
    t.deepEqual(a.shape, expected.shape);
    close(t, a.y, expected.y, 1e-6);
    const ncdhw = ref.permute(xv, xShape, [0, 4, 1, 2, 3]);
    const first = make({ ...args, dataFormat: 'channelsFirst' });
    const b = run(first, ncdhw.y, ncdhw.shape);
    close(t, b.y, ref.permute(expected.y, expected.shape, [0, 4, 1, 2, 3]).y, 1e-6);
    t.deepEqual(first.computeOutputShape([null, 2, 5, 4, 3]), [null, 2, 3, 4, 2]);
    t.deepEqual(make().computeOutputShape([null, 4, 5, 6, 1]), [null, 2, 2, 3, 1], 'poolSize 2, strides = poolSize by default');
  });
}

test('global poolings reduce every step / pixel, in both data formats', (t) => {
  const x3 = [2, 5, 3];
  const xv3 = values(size(x3), 4);
  const per = (xv, n, steps, c, f) => {
    const out = [];
    for (let b = 0; b < n; b++) for (let ci = 0; ci < c; ci++) out.push(f(Array.from({ length: steps }, (_, s) => xv[(b * steps + s) * c + ci])));
    return out;
  };
  const avg = (a) => a.reduce((s, v) => s + v, 0) / a.length;
  const mx = (a) => Math.max(...a);
  close(t, run(layers.globalAveragePooling1d(), xv3, x3).y, per(xv3, 2, 5, 3, avg), 1e-6);
  close(t, run(layers.globalMaxPooling1d(), xv3, x3).y, per(xv3, 2, 5, 3, mx), 0);
  const x4 = [2, 3, 4, 5];
  const xv4 = values(size(x4), 5);
  close(t, run(layers.globalAveragePooling2d(), xv4, x4).y, per(xv4, 2, 12, 5, avg), 1e-6);
  close(t, run(layers.globalMaxPooling2d(), xv4, x4).y, per(xv4, 2, 12, 5, mx), 0);
  const nchw = ref.permute(xv4, x4, [0, 3, 1, 2]);
  close(t, run(layers.globalAveragePooling2d({ dataFormat: 'channelsFirst' }), nchw.y, nchw.shape).y, per(xv4, 2, 12, 5, avg), 1e-6);
  const gmax = layers.globalMaxPooling2d({ dataFormat: 'channelsFirst' });
  close(t, run(gmax, nchw.y, nchw.shape).y, per(xv4, 2, 12, 5, mx), 0);
  t.deepEqual(gmax.computeOutputShape([null, 5, null, null]), [null, 5]);
  t.deepEqual(layers.globalAveragePooling2d().computeOutputShape([null, null, null, 7]), [null, 7]);
  t.deepEqual(layers.globalMaxPooling1d().computeOutputShape([null, null, 7]), [null, 7]);
});

/** d(sum(y * dy))/dx of a pooling layer against central differences of the float64 pool. */
function checkPoolGradient(t, name, layer, xShape, reference) {
  const xv = distinct(size(xShape), 6);
  const x = tf.tensor(xv, xShape);
  const yShape = tf.tidy(() => layer.apply(x).shape);
  const dyv = values(size(yShape), 7);
  const dx = tf.grad((v) => layer.apply(v))(x, tf.tensor(dyv, yShape));
  close(t, dx.dataSync(), numericGrad((v) => dot(reference(v), dyv), xv, 1e-4), 1e-4, name);
  tf.dispose([x, dx]);
}

test('pooling gradients match central differences (max routes to the winner, average spreads over the window)', (t) => {
  const xShape = [2, 5, 6, 2];
  for (const mode of ['max', 'avg']) {
    for (const args of [{ poolSize: 2 }, { poolSize: 3, strides: 2, padding: 'same' }, { poolSize: 3, strides: 1, padding: 'valid' }]) {
      const pair = (v) => (typeof v === 'number' ? [v, v] : v);
      const layer = mode === 'max' ? layers.maxPooling2d(args) : layers.averagePooling2d(args);
      const geometry = { poolSize: pair(args.poolSize), strides: pair(args.strides ?? args.poolSize), padding: args.padding ?? 'valid', mode };
      checkPoolGradient(t, `${mode} ${JSON.stringify(args)}`, layer, xShape, (v) => ref.pool(v, xShape, geometry).y);
    }
  }
  const seq = [2, 7, 3];
  checkPoolGradient(t, 'maxPooling1d', layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' }), seq,
    (v) => ref.pool(v, seq, { poolSize: [3], strides: [2], padding: 'same', mode: 'max' }).y);
  checkPoolGradient(t, 'averagePooling1d', layers.averagePooling1d({ poolSize: 2 }), seq,
    (v) => ref.pool(v, seq, { poolSize: [2], strides: [2], mode: 'avg' }).y);
  const vol = [1, 4, 3, 4, 2];
  checkPoolGradient(t, 'maxPooling3d', layers.maxPooling3d({ poolSize: 2, padding: 'same' }), vol,
    (v) => ref.pool(v, vol, { poolSize: [2, 2, 2], strides: [2, 2, 2], padding: 'same', mode: 'max' }).y);
  checkPoolGradient(t, 'averagePooling3d', layers.averagePooling3d({ poolSize: [1, 2, 2], strides: 1 }), vol,
    (v) => ref.pool(v, vol, { poolSize: [1, 2, 2], strides: [1, 1, 1], mode: 'avg' }).y);
  checkPoolGradient(t, 'globalMaxPooling2d', layers.globalMaxPooling2d(), xShape,
    (v) => ref.pool(v, xShape, { poolSize: [5, 6], strides: [5, 6], mode: 'max' }).y);
  checkPoolGradient(t, 'globalAveragePooling1d', layers.globalAveragePooling1d(), seq,
    (v) => ref.pool(v, seq, { poolSize: [7], strides: [7], mode: 'avg' }).y);
});

test('pooling configs hold TF.js keys and rebuild from their serialized form', (t) => {
  const made = [
    layers.maxPooling1d({ poolSize: 3, strides: 1, padding: 'same' }), layers.averagePooling1d(),
    layers.maxPooling2d({ poolSize: [2, 3], dataFormat: 'channelsFirst' }), layers.averagePooling2d({ poolSize: 2, strides: 1 }),
    layers.maxPooling3d({ poolSize: 2 }), layers.averagePooling3d({ poolSize: [1, 2, 2], padding: 'same' }),
    layers.globalMaxPooling1d(), layers.globalAveragePooling1d(), layers.globalMaxPooling2d({ dataFormat: 'channelsFirst' }), layers.globalAveragePooling2d(),
  ];
  for (const layer of made) {
    const saved = serializeKerasObject(layer);
    const copy = deserialize(saved);
    t.is(copy.constructor, layer.constructor, layer.getClassName());
    t.deepEqual(copy.getConfig(), saved.config, layer.getClassName());
  }
  const { name: _n1, ...c1 } = made[0].getConfig();
  t.deepEqual(c1, { poolSize: [3], padding: 'same', strides: [1], trainable: true });
  const { name: _n2, ...c2 } = made[2].getConfig();
  t.deepEqual(c2, { poolSize: [2, 3], padding: 'valid', strides: [2, 3], dataFormat: 'channelsFirst', trainable: true });
  t.like(made[8].getConfig(), { dataFormat: 'channelsFirst' });
  t.like(made[5].getConfig(), { poolSize: [1, 2, 2], strides: [1, 2, 2], padding: 'same', dataFormat: 'channelsLast' });
});

test('pooling layers leave only their output alive', (t) => {
  const made = [
    [layers.maxPooling1d(), [2, 6, 3]], [layers.averagePooling1d({ padding: 'same', poolSize: 3 }), [2, 6, 3]],
    [layers.maxPooling2d({ dataFormat: 'channelsFirst' }), [2, 3, 6, 6]], [layers.averagePooling2d(), [2, 6, 6, 3]],
    [layers.maxPooling3d({ dataFormat: 'channelsFirst' }), [1, 2, 4, 4, 4]], [layers.averagePooling3d(), [1, 4, 4, 4, 2]],
    [layers.globalMaxPooling1d(), [2, 6, 3]], [layers.globalAveragePooling2d({ dataFormat: 'channelsFirst' }), [2, 3, 6, 6]],
  ];
  for (const [layer, shape] of made) {
    const x = tf.ones(shape);
    const before = tf.memory().numTensors;
    layer.apply(x).dispose();
    t.is(tf.memory().numTensors, before, layer.getClassName());
    x.dispose();
  }
});

test('BAD CALL - pooling arguments and inputs', (t) => {
  let e = t.throws(() => layers.maxPooling2d({ poolSize: 0 }), { instanceOf: RangeError });
  t.is(e.message, "MaxPooling2D: expected a positive integer or an array of 2 positive integers for 'poolSize' but received 0 of type number");
  e = t.throws(() => layers.averagePooling2d({ poolSize: 2, strides: [1, 2, 3] }), { instanceOf: TypeError });
  t.is(e.message, "AveragePooling2D: expected a positive integer or an array of 2 positive integers for 'strides' but received [1, 2, 3]");
  e = t.throws(() => layers.maxPooling1d({ padding: 'causal' }), { instanceOf: TypeError });
  t.is(e.message, "MaxPooling1D: expected one of 'valid', 'same' for 'padding' but received 'causal'");
  e = t.throws(() => layers.maxPooling1d({ dataFormat: 'channelsFirst' }), { instanceOf: TypeError });
  t.regex(e.message, /^MaxPooling1D: expected 'channelsLast'/);
  e = t.throws(() => layers.globalAveragePooling2d({ dataFormat: 'NCHW' }), { instanceOf: TypeError });
  t.is(e.message, "GlobalAveragePooling2D: expected one of 'channelsLast', 'channelsFirst' for 'dataFormat' but received 'NCHW'");
  e = t.throws(() => layers.maxPooling2d({ name: 'rank_pool' }).apply(tf.input({ shape: [4, 4] })));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, "rank_pool (MaxPooling2D): expected an input of rank 4 for 'inputs' but received a symbolic float32 tensor of shape [null,4,4]");
  e = t.throws(() => layers.maxPooling2d({ poolSize: 5, name: 'wide_pool' }).apply(tf.input({ shape: [4, 8, 1] })));
  t.is(e.message, "wide_pool (MaxPooling2D): the input's spatial shape [4,8] is smaller than the pool window [5,5] with padding 'valid'; input shape [null,4,8,1]");
});

test('tf.layers has the TF.js pooling factories and aliases', (t) => {
  const expected = {
    maxPooling1d: 'MaxPooling1D', maxPooling2d: 'MaxPooling2D', maxPooling3d: 'MaxPooling3D', averagePooling1d: 'AveragePooling1D',
    averagePooling2d: 'AveragePooling2D', averagePooling3d: 'AveragePooling3D', globalMaxPooling1d: 'GlobalMaxPooling1D',
    globalMaxPooling2d: 'GlobalMaxPooling2D', globalAveragePooling1d: 'GlobalAveragePooling1D', globalAveragePooling2d: 'GlobalAveragePooling2D',
    maxPool1d: 'MaxPooling1D', maxPool2d: 'MaxPooling2D', avgPool1d: 'AveragePooling1D', avgPooling1d: 'AveragePooling1D',
    avgPool2d: 'AveragePooling2D', avgPooling2d: 'AveragePooling2D', avgPool3d: 'AveragePooling3D', avgPooling3d: 'AveragePooling3D',
    globalMaxPool1d: 'GlobalMaxPooling1D', globalMaxPool2d: 'GlobalMaxPooling2D',
  };
  for (const [factory, className] of Object.entries(expected)) {
    t.is(typeof layers[factory], 'function', factory);
    t.is(layers[factory]().constructor.className, className, factory);
  }
});
