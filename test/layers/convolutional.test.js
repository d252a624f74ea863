// Convolutional layers (lib/layers/convolutional.ts): outputs against PyTorch
// fixtures (scripts/fixtures/conv_layer_fixtures.py) and float64 references
// (conv_reference.js); gradients against central differences of those
// references; shapes, configs, save / load, summary, training, memory, errors.
// Serial: tests compare tf.memory() before and after.
const test = require('ava').serial;
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('../../dist');
const { layers } = tf;
const { deserialize, serializeKerasObject } = require('../../dist/serialization');
const { close, numericGrad, values: rawValues, dot } = require('./helpers');
const ref = require('./conv_reference');
const { cases } = require('../fixtures/conv_layers.json');

const size = (shape) => shape.reduce((a, b) => a * b, 1);
// float32-representable inputs, so that exact comparisons (max, copies) see the same numbers on both sides.
const values = (n, seed) => rawValues(n, seed).map(Math.fround);
const data = (x) => Array.from(x.dataSync());

/** The layer built for inputs of xShape, with the given weight values (flat arrays, in getWeights order). */
function withWeights(layer, xShape, weights) {
  layer.build(xShape);
  layer.setWeights(weights.map((w, i) => tf.tensor(w, layer.weights[i].shape)));
  return layer;
}

/** The layer's output for x (flat values of xShape), as {y, shape}. */
function run(layer, xv, xShape) {
  return tf.tidy(() => {
    const y = layer.apply(tf.tensor(xv, xShape));
    return { y: data(y), shape: y.shape };
  });
}

function tmpdir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-conv-layers-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * d(sum(y * dy))/d(input and every weight) of the layer against central
 * differences of `reference(x, weights)` (float64, flat arrays).
 */
function checkGradients(t, name, layer, xv, xShape, weights, reference, tol = 1e-4) {
  withWeights(layer, xShape, weights);
  const x = tf.tensor(xv, xShape);
  const yShape = run(layer, xv, xShape).shape;
  const dyv = values(size(yShape), 99);
  const dy = tf.tensor(dyv, yShape);
  const dx = tf.grad((v) => layer.apply(v))(x, dy);
  const vars = layer.trainableWeights.map((w) => w.val);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x), dy)), vars);
  const loss = (xx, ws) => dot(reference(xx, ws), dyv);
  close(t, [value.dataSync()[0]], [loss(xv, weights)], 1e-5, `${name}: loss`);
  close(t, dx.dataSync(), numericGrad((v) => loss(v, weights), xv), tol, `${name}: dx`);
  weights.forEach((w, i) => {
    const numeric = numericGrad((v) => loss(xv, weights.map((u, j) => (j === i ? v : u))), w);
    close(t, grads[vars[i].name].dataSync(), numeric, tol, `${name}: d${layer.weights[i].originalName}`);
  });
  tf.dispose([x, dy, dx, value, ...Object.values(grads)]);
}

// ------------------------------------------------------------------ PyTorch fixtures

test('conv2d (same, stride 2, relu) matches PyTorch with TF padding', (t) => {
  const c = cases.conv2d_same_stride2_relu;
  const layer = withWeights(layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), c.xShape, [c.kernel, c.bias]);
  const { y, shape } = run(layer, c.x, c.xShape);
  t.deepEqual(shape, c.yShape);
  close(t, y, c.y, 1e-5);
});

test('conv2d (same, dilation 2, no bias) matches PyTorch', (t) => {
  const c = cases.conv2d_same_dilation2;
  const layer = withWeights(layers.conv2d({ filters: 3, kernelSize: [3, 3], dilationRate: 2, padding: 'same', useBias: false }), c.xShape, [c.kernel]);
  t.is(layer.weights.length, 1);
  const { y, shape } = run(layer, c.x, c.xShape);
  t.deepEqual(shape, c.yShape);
  close(t, y, c.y, 1e-5);
});

test('conv1d (causal, dilation 2, tanh) matches PyTorch', (t) => {
  const c = cases.conv1d_causal_dilation2_tanh;
  const layer = withWeights(layers.conv1d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'causal', activation: 'tanh' }), c.xShape, [c.kernel, c.bias]);
  const { y, shape } = run(layer, c.x, c.xShape);
  t.deepEqual(shape, c.yShape);
  close(t, y, c.y, 1e-5);
});

test('conv3d (valid, strides [1, 2, 1]) matches PyTorch', (t) => {
  const c = cases.conv3d_valid_stride121;
  const layer = withWeights(layers.conv3d({ filters: 3, kernelSize: [2, 3, 2], strides: [1, 2, 1] }), c.xShape, [c.kernel, c.bias]);
  const { y, shape } = run(layer, c.x, c.xShape);
  t.deepEqual(shape, c.yShape);
  close(t, y, c.y, 1e-5);
});

test('depthwiseConv2d (depthMultiplier 2, same, stride 2) matches PyTorch grouped convolution', (t) => {
  const c = cases.depthwise_mult2_same_stride2;
  const layer = withWeights(layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' }), c.xShape, [c.kernel, c.bias]);
  t.deepEqual(layer.weights.map((w) => [w.originalName.split('/')[1], w.shape]), [['depthwise_kernel', [3, 3, 3, 2]], ['bias', [6]]]);
  const { y, shape } = run(layer, c.x, c.xShape);
  t.deepEqual(shape, c.yShape);
  close(t, y, c.y, 1e-5);
});

test('separableConv2d (depthMultiplier 2, valid, relu) matches PyTorch', (t) => {
  const c = cases.separable_mult2_valid_relu;
  const layer = withWeights(layers.separableConv2d({ filters: 3, kernelSize: 3, depthMultiplier: 2, activation: 'relu' }), c.xShape, [c.depthwiseKernel, c.pointwiseKernel, c.bias]);
  t.deepEqual(layer.weights.map((w) => [w.originalName.split('/')[1], w.shape]), [['depthwise_kernel', [3, 3, 2, 2]], ['pointwise_kernel', [1, 1, 4, 3]], ['bias', [3]]]);
  const { y, shape } = run(layer, c.x, c.xShape);
  t.deepEqual(shape, c.yShape);
  close(t, y, c.y, 1e-5);
});

test('conv2dTranspose (same, stride 2) matches PyTorch; the kernel is [kh, kw, filters, in]', (t) => {
  const c = cases.conv2d_transpose_same_stride2;
  const layer = withWeights(layers.conv2dTranspose({ filters: 5, kernelSize: 3, strides: 2, padding: 'same' }), c.xShape, [c.kernel, c.bias]);
  t.deepEqual(layer.kernel.shape, [3, 3, 5, 3]);
  const { y, shape } = run(layer, c.x, c.xShape);
  t.deepEqual(shape, c.yShape);
  close(t, y, c.y, 1e-5);
});

test('conv2dTranspose (valid, kernel 2 < stride 3) matches PyTorch: the output is input * stride', (t) => {
  const c = cases.conv2d_transpose_valid_k2_stride3;
  const layer = withWeights(layers.conv2dTranspose({ filters: 3, kernelSize: 2, strides: 3 }), c.xShape, [c.kernel, c.bias]);
  const { y, shape } = run(layer, c.x, c.xShape);
  t.deepEqual(shape, c.yShape);
  close(t, y, c.y, 1e-5);
});

// ------------------------------------------------------------------ float64 references

const CONV2D_CASES = [
  { kernelSize: 3, strides: 1, padding: 'valid', activation: 'linear' },
  { kernelSize: [2, 3], strides: [2, 1], padding: 'same', activation: 'elu' },
  { kernelSize: 3, dilationRate: [2, 1], padding: 'valid', activation: 'sigmoid', useBias: false },
  { kernelSize: [3, 2], strides: 3, padding: 'same', activation: 'relu6' },
  { kernelSize: 2, padding: 'valid', activation: 'selu' },
  { kernelSize: 3, strides: 2, padding: 'same', activation: 'softplus' },
];

for (const args of CONV2D_CASES) {
  test(`conv2d ${JSON.stringify(args)}: output is the float64 convolution`, (t) => {
    const xShape = [2, 7, 6, 3];
    const ks = typeof args.kernelSize === 'number' ? [args.kernelSize, args.kernelSize] : args.kernelSize;
    const kShape = [...ks, 3, 4];
    const x = values(size(xShape), 1).map((v) => 2 * v);
    const k = values(size(kShape), 2);
    const b = values(4, 3);
    const useBias = args.useBias !== false;
    const layer = withWeights(layers.conv2d({ filters: 4, ...args }), xShape, useBias ? [k, b] : [k]);
    const pair = (v) => (v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : v);
    const expected = ref.conv(x, xShape, k, kShape, {
      strides: pair(args.strides), dilations: pair(args.dilationRate), padding: args.padding, bias: useBias ? b : null, act: args.activation,
    });
    const { y, shape } = run(layer, x, xShape);
    t.deepEqual(shape, expected.shape);
    t.deepEqual(layer.computeOutputShape([null, ...xShape.slice(1)]), [null, ...expected.shape.slice(1)]);
    close(t, y, expected.y, 1e-5);
  });
}

test('conv2d channelsFirst: NCHW in and out, the same kernel as channelsLast', (t) => {
  const xShape = [2, 7, 6, 3];
  const x = values(size(xShape), 4);
  const k = values(3 * 3 * 3 * 4, 5);
  const b = values(4, 6);
  const expected = ref.conv(x, xShape, k, [3, 3, 3, 4], { strides: [2, 2], dilations: [1, 1], padding: 'same', bias: b, act: 'relu' });
  const nchw = ref.permute(x, xShape, [0, 3, 1, 2]);
  const layer = withWeights(layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', dataFormat: 'channelsFirst' }), nchw.shape, [k, b]);
  t.deepEqual(layer.kernel.shape, [3, 3, 3, 4]);
  const { y, shape } = run(layer, nchw.y, nchw.shape);
  t.deepEqual(shape, [2, 4, 4, 3]);
  t.deepEqual(layer.computeOutputShape([null, 3, 7, 6]), [null, 4, 4, 3]);
  close(t, y, ref.permute(expected.y, expected.shape, [0, 3, 1, 2]).y, 1e-5);
});

test('conv2d: an activation outside the kernel sees the output in its data format (softmax on the last axis, as Keras)', (t) => {
  const xShape = [1, 5, 4, 3];
  const x = values(size(xShape), 23);
  const k = values(3 * 3 * 3 * 2, 24);
  const linear = ref.conv(x, xShape, k, [3, 3, 3, 2], { strides: [1, 1], dilations: [1, 1], padding: 'same' });
  const nchw = ref.permute(linear.y, linear.shape, [0, 3, 1, 2]);
  const softmaxRows = [];
  for (let r = 0; r < nchw.y.length; r += 4) {
    const e = nchw.y.slice(r, r + 4).map(Math.exp);
    softmaxRows.push(...e.map((v) => v / e.reduce((a, b) => a + b, 0)));
  }
  const input = ref.permute(x, xShape, [0, 3, 1, 2]);
  const layer = withWeights(layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', useBias: false, activation: 'softmax', dataFormat: 'channelsFirst' }), input.shape, [k]);
  const { y, shape } = run(layer, input.y, input.shape);
  t.deepEqual(shape, [1, 2, 5, 4]);
  close(t, y, softmaxRows, 1e-6);
});

for (const args of [
  { kernelSize: 3, strides: 2, padding: 'valid' },
  { kernelSize: 4, strides: 3, padding: 'same', activation: 'relu' },
  { kernelSize: [2], dilationRate: [3], padding: 'causal', activation: 'sigmoid' },
  { kernelSize: 3, strides: 2, padding: 'causal', activation: 'softplus' },
]) {
  test(`conv1d ${JSON.stringify(args)}: output is the float64 convolution`, (t) => {
    const xShape = [3, 11, 2];
    const k0 = Array.isArray(args.kernelSize) ? args.kernelSize[0] : args.kernelSize;
    const x = values(size(xShape), 7);
    const k = values(k0 * 2 * 5, 8);
    const b = values(5, 9);
    const layer = withWeights(layers.conv1d({ filters: 5, ...args }), xShape, [k, b]);
    const one = (v) => [v === undefined ? 1 : Array.isArray(v) ? v[0] : v];
    const expected = ref.conv(x, xShape, k, [k0, 2, 5], { strides: one(args.strides), dilations: one(args.dilationRate), padding: args.padding, bias: b, act: args.activation ?? 'linear' });
    const { y, shape } = run(layer, x, xShape);
    t.deepEqual(shape, expected.shape);
    t.deepEqual(layer.computeOutputShape([null, 11, 2]), [null, ...expected.shape.slice(1)]);
    close(t, y, expected.y, 1e-5);
  });
}

test('conv3d (same, stride 2, relu; and channelsFirst) is the float64 convolution', (t) => {
  const xShape = [2, 5, 4, 3, 2];
  const kShape = [3, 2, 2, 2, 3];
  const x = values(size(xShape), 10);
  const k = values(size(kShape), 11);
  const b = values(3, 12);
  const expected = ref.conv(x, xShape, k, kShape, { strides: [2, 2, 2], dilations: [1, 1, 1], padding: 'same', bias: b, act: 'relu' });
  const last = withWeights(layers.conv3d({ filters: 3, kernelSize: [3, 2, 2], strides: 2, padding: 'same', activation: 'relu' }), xShape, [k, b]);
  const a = run(last, x, xShape);
  t.deepEqual(a.shape, expected.shape);
  close(t, a.y, expected.y, 1e-5);
  const ncdhw = ref.permute(x, xShape, [0, 4, 1, 2, 3]);
  const first = withWeights(layers.conv3d({ filters: 3, kernelSize: [3, 2, 2], strides: 2, padding: 'same', activation: 'relu', dataFormat: 'channelsFirst' }), ncdhw.shape, [k, b]);
  const c = run(first, ncdhw.y, ncdhw.shape);
  t.deepEqual(c.shape, [2, 3, 3, 2, 2]);
  close(t, c.y, ref.permute(expected.y, expected.shape, [0, 4, 1, 2, 3]).y, 1e-5);
});

for (const args of [
  { kernelSize: 3, dilationRate: 2, padding: 'valid', activation: 'tanh' },
  { kernelSize: [2, 3], depthMultiplier: 3, strides: [1, 2], padding: 'same', useBias: false },
  { kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'softplus', dataFormat: 'channelsFirst' },
]) {
  test(`depthwiseConv2d ${JSON.stringify(args)}: output is the float64 depthwise convolution`, (t) => {
    const xShape = [2, 7, 6, 3];
    const m = args.depthMultiplier ?? 1;
    const ks = typeof args.kernelSize === 'number' ? [args.kernelSize, args.kernelSize] : args.kernelSize;
    const kShape = [...ks, 3, m];
    const x = values(size(xShape), 13);
    const k = values(size(kShape), 14);
    const b = values(3 * m, 15);
    const useBias = args.useBias !== false;
    const pair = (v) => (v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : v);
    const expected = ref.depthwise(x, xShape, k, kShape, { strides: pair(args.strides), dilations: pair(args.dilationRate), padding: args.padding, bias: useBias ? b : null, act: args.activation ?? 'linear' });
    const cf = args.dataFormat === 'channelsFirst';
    const input = cf ? ref.permute(x, xShape, [0, 3, 1, 2]) : { y: x, shape: xShape };
    const layer = withWeights(layers.depthwiseConv2d(args), input.shape, useBias ? [k, b] : [k]);
    const { y, shape } = run(layer, input.y, input.shape);
    const want = cf ? ref.permute(expected.y, expected.shape, [0, 3, 1, 2]) : expected;
    t.deepEqual(shape, want.shape);
    t.deepEqual(layer.computeOutputShape([null, ...input.shape.slice(1)]), [null, ...want.shape.slice(1)]);
    close(t, y, want.y, 1e-5);
  });
}

/** float64 separable convolution: depthwise, then a 1x1 convolution with bias and activation. */
function separableRef(x, xShape, dk, dkShape, pk, filters, { strides, dilations, padding, bias, act }) {
  const d = ref.depthwise(x, xShape, dk, dkShape, { strides, dilations, padding });
  return ref.conv(d.y, d.shape, pk, [1, 1, d.shape[3], filters], { strides: [1, 1], dilations: [1, 1], bias, act });
}

test('separableConv2d (same, stride 2, sigmoid; channelsFirst) is depthwise then pointwise in float64', (t) => {
  const xShape = [2, 7, 6, 3];
  const x = values(size(xShape), 16);
  const dk = values(3 * 3 * 3, 17);
  const pk = values(3 * 4, 18);
  const b = values(4, 19);
  const expected = separableRef(x, xShape, dk, [3, 3, 3, 1], pk, 4, { strides: [2, 2], dilations: [1, 1], padding: 'same', bias: b, act: 'sigmoid' });
  const args = { filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' };
  const last = withWeights(layers.separableConv2d(args), xShape, [dk, pk, b]);
  const a = run(last, x, xShape);
  t.deepEqual(a.shape, expected.shape);
  close(t, a.y, expected.y, 1e-5);
  const nchw = ref.permute(x, xShape, [0, 3, 1, 2]);
  const first = withWeights(layers.separableConv2d({ ...args, dataFormat: 'channelsFirst' }), nchw.shape, [dk, pk, b]);
  const c = run(first, nchw.y, nchw.shape);
  close(t, c.y, ref.permute(expected.y, expected.shape, [0, 3, 1, 2]).y, 1e-5);
  t.deepEqual(first.computeOutputShape([null, 3, 7, 6]), [null, 4, 4, 3]);
});

for (const args of [
  { kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' },
  { kernelSize: [2, 3], strides: 1, padding: 'same', activation: 'softplus' },
  { kernelSize: 4, strides: [2, 3], padding: 'same', useBias: false },
  { kernelSize: 3, strides: 2, padding: 'same', dataFormat: 'channelsFirst', activation: 'tanh' },
]) {
  test(`conv2dTranspose ${JSON.stringify(args)}: output is the float64 transposed convolution`, (t) => {
    const xShape = [2, 4, 3, 3];
    const ks = typeof args.kernelSize === 'number' ? [args.kernelSize, args.kernelSize] : args.kernelSize;
    const st = typeof args.strides === 'number' ? [args.strides, args.strides] : args.strides;
    const kShape = [...ks, 2, 3];
    const x = values(size(xShape), 20);
    const k = values(size(kShape), 21);
    const b = values(2, 22);
    const useBias = args.useBias !== false;
    const out = [0, 1].map((i) => (args.padding === 'same' ? xShape[i + 1] * st[i] : xShape[i + 1] * st[i] + Math.max(ks[i] - st[i], 0)));
    const expected = ref.convTranspose(x, xShape, k, kShape, out, { strides: st, padding: args.padding, bias: useBias ? b : null, act: args.activation ?? 'linear' });
    const cf = args.dataFormat === 'channelsFirst';
    const input = cf ? ref.permute(x, xShape, [0, 3, 1, 2]) : { y: x, shape: xShape };
    const layer = withWeights(layers.conv2dTranspose({ filters: 2, ...args }), input.shape, useBias ? [k, b] : [k]);
    const { y, shape } = run(layer, input.y, input.shape);
    const want = cf ? ref.permute(expected.y, expected.shape, [0, 3, 1, 2]) : expected;
    t.deepEqual(shape, want.shape);
    t.deepEqual(layer.computeOutputShape([null, ...input.shape.slice(1)]), [null, ...want.shape.slice(1)]);
    close(t, y, want.y, 1e-5);
  });
}

// ------------------------------------------------------------------ gradients

test('conv2d gradients (same, stride 2, tanh) w.r.t. input, kernel and bias match central differences', (t) => {
  const xShape = [2, 5, 4, 2];
  const kShape = [3, 3, 2, 3];
  checkGradients(t, 'conv2d', layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }),
    values(size(xShape), 30), xShape, [values(size(kShape), 31), values(3, 32)],
    (x, [k, b]) => ref.conv(x, xShape, k, kShape, { strides: [2, 2], dilations: [1, 1], padding: 'same', bias: b, act: 'tanh' }).y);
});

test('conv2d gradients through channelsFirst transposes and an unfused activation', (t) => {
  const xShape = [2, 5, 4, 2];
  const kShape = [2, 3, 2, 3];
  const nchw = [2, 2, 5, 4];
  checkGradients(t, 'conv2d channelsFirst', layers.conv2d({ filters: 3, kernelSize: [2, 3], dilationRate: [2, 1], activation: 'softplus', dataFormat: 'channelsFirst' }),
    values(size(nchw), 33), nchw, [values(size(kShape), 34), values(3, 35)],
    (x, [k, b]) => {
      const last = ref.permute(x, nchw, [0, 2, 3, 1]);
      const y = ref.conv(last.y, xShape, k, kShape, { strides: [1, 1], dilations: [2, 1], padding: 'valid', bias: b, act: 'softplus' });
      return ref.permute(y.y, y.shape, [0, 3, 1, 2]).y;
    });
});

test('conv1d gradients (causal, dilation 2, stride 2)', (t) => {
  const xShape = [2, 7, 2];
  const kShape = [3, 2, 3];
  checkGradients(t, 'conv1d', layers.conv1d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'causal', activation: 'sigmoid' }),
    values(size(xShape), 36), xShape, [values(size(kShape), 37), values(3, 38)],
    (x, [k, b]) => ref.conv(x, xShape, k, kShape, { strides: [1], dilations: [2], padding: 'causal', bias: b, act: 'sigmoid' }).y);
  const strided = [2, 9, 2];
  checkGradients(t, 'conv1d stride 2', layers.conv1d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }),
    values(size(strided), 39), strided, [values(size(kShape), 40), values(3, 41)],
    (x, [k, b]) => ref.conv(x, strided, k, kShape, { strides: [2], dilations: [1], padding: 'same', bias: b }).y);
});

test('conv3d gradients', (t) => {
  const xShape = [1, 3, 4, 3, 2];
  const kShape = [2, 2, 2, 2, 2];
  checkGradients(t, 'conv3d', layers.conv3d({ filters: 2, kernelSize: 2, strides: [1, 2, 1], padding: 'same', activation: 'tanh' }),
    values(size(xShape), 42), xShape, [values(size(kShape), 43), values(2, 44)],
    (x, [k, b]) => ref.conv(x, xShape, k, kShape, { strides: [1, 2, 1], dilations: [1, 1, 1], padding: 'same', bias: b, act: 'tanh' }).y);
});

test('depthwiseConv2d gradients (depthMultiplier 2, same, stride 2)', (t) => {
  const xShape = [2, 5, 4, 2];
  const kShape = [3, 2, 2, 2];
  checkGradients(t, 'depthwiseConv2d', layers.depthwiseConv2d({ kernelSize: [3, 2], depthMultiplier: 2, strides: 2, padding: 'same', activation: 'elu' }),
    values(size(xShape), 45), xShape, [values(size(kShape), 46), values(4, 47)],
    (x, [k, b]) => ref.depthwise(x, xShape, k, kShape, { strides: [2, 2], dilations: [1, 1], padding: 'same', bias: b, act: 'elu' }).y);
});

test('separableConv2d gradients w.r.t. input, both kernels and bias', (t) => {
  const xShape = [2, 5, 5, 2];
  checkGradients(t, 'separableConv2d', layers.separableConv2d({ filters: 3, kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'tanh' }),
    values(size(xShape), 48), xShape, [values(3 * 3 * 2 * 2, 49), values(4 * 3, 50), values(3, 51)],
    (x, [dk, pk, b]) => separableRef(x, xShape, dk, [3, 3, 2, 2], pk, 3, { strides: [1, 1], dilations: [1, 1], padding: 'same', bias: b, act: 'tanh' }).y);
});

test('conv2dTranspose gradients (same, stride 2)', (t) => {
  const xShape = [2, 3, 2, 2];
  const kShape = [3, 3, 3, 2];
  checkGradients(t, 'conv2dTranspose', layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }),
    values(size(xShape), 52), xShape, [values(size(kShape), 53), values(3, 54)],
    (x, [k, b]) => ref.convTranspose(x, xShape, k, kShape, [6, 4], { strides: [2, 2], padding: 'same', bias: b, act: 'sigmoid' }).y);
});

// ------------------------------------------------------------------ one fused op

test('conv2d runs one fused.conv2d per call carrying bias and activation; conv1d too', (t) => {
  const conv = require('../../dist/ops/linalg');
  const original = conv.fused.conv2d;
  const calls = [];
  conv.fused.conv2d = (config) => {
    calls.push(config);
    return original(config);
  };
  try {
    const layer = layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' });
    tf.tidy(() => layer.apply(tf.ones([1, 5, 5, 2])));
    t.is(calls.length, 1);
    t.is(calls[0].activation, 'relu');
    t.is(calls[0].bias, layer.bias.read());
    const c1 = layers.conv1d({ filters: 2, kernelSize: 3, activation: 'elu' });
    tf.tidy(() => c1.apply(tf.ones([1, 6, 2])));
    t.is(calls.length, 2);
    t.is(calls[1].activation, 'elu');
  } finally {
    conv.fused.conv2d = original;
  }
});

test('depthwiseConv2d runs one fused.depthwiseConv2d per call', (t) => {
  const conv = require('../../dist/ops/linalg');
  const original = conv.fused.depthwiseConv2d;
  const calls = [];
  conv.fused.depthwiseConv2d = (config) => {
    calls.push(config);
    return original(config);
  };
  try {
    const layer = layers.depthwiseConv2d({ kernelSize: 3, activation: 'relu6' });
    tf.tidy(() => layer.apply(tf.ones([1, 5, 5, 2])));
  } finally {
    conv.fused.depthwiseConv2d = original;
  }
  t.is(calls.length, 1);
  t.is(calls[0].activation, 'relu6');
});

// ------------------------------------------------------------------ cropping and upsampling

test('cropping2D: the three forms of cropping, both data formats, null dims; the gradient pads back', (t) => {
  const xShape = [2, 6, 7, 3];
  const xv = values(size(xShape), 60);
  const x = tf.tensor(xv, xShape);
  const crop = (v, [t0, b0], [l0, r0]) => tf.tidy(() => tf.slice(v, [0, t0, l0, 0], [-1, 6 - t0 - b0, 7 - l0 - r0, -1]).arraySync());
  t.deepEqual(tf.tidy(() => layers.cropping2D({ cropping: 1 }).apply(x).arraySync()), crop(x, [1, 1], [1, 1]));
  t.deepEqual(tf.tidy(() => layers.cropping2D({ cropping: [2, 1] }).apply(x).arraySync()), crop(x, [2, 2], [1, 1]));
  const layer = layers.cropping2D({ cropping: [[0, 2], [3, 1]] });
  t.deepEqual(tf.tidy(() => layer.apply(x).arraySync()), crop(x, [0, 2], [3, 1]));
  t.deepEqual(layer.computeOutputShape([null, 6, null, 3]), [null, 4, null, 3]);
  const nchw = tf.transpose(x, [0, 3, 1, 2]);
  const first = layers.cropping2D({ cropping: [[0, 2], [3, 1]], dataFormat: 'channelsFirst' });
  t.deepEqual(tf.tidy(() => tf.transpose(first.apply(nchw), [0, 2, 3, 1]).arraySync()), crop(x, [0, 2], [3, 1]));
  t.deepEqual(first.computeOutputShape([null, 3, 6, 7]), [null, 3, 4, 3]);
  const dx = tf.grad((v) => layer.apply(v))(x);
  const expected = tf.tidy(() => tf.pad(tf.ones([2, 4, 3, 3]), [[0, 0], [0, 2], [3, 1], [0, 0]]).arraySync());
  t.deepEqual(dx.arraySync(), expected);
  tf.dispose([x, nchw, dx]);
});

test('upSampling2d nearest repeats rows and columns; bilinear interpolates as TF.js resizeBilinear', (t) => {
  const xShape = [2, 3, 4, 2];
  const xv = values(size(xShape), 61);
  const x = tf.tensor(xv, xShape);
  const nearest = layers.upSampling2d({ size: [2, 3] });
  const a = run(nearest, xv, xShape);
  t.deepEqual(a.shape, [2, 6, 12, 2]);
  close(t, a.y, ref.resize(xv, xShape, [6, 12], 'nearest').y, 0);
  const bilinear = layers.upSampling2d({ size: 2, interpolation: 'bilinear' });
  const b = run(bilinear, xv, xShape);
  t.deepEqual(b.shape, [2, 6, 8, 2]);
  close(t, b.y, ref.resize(xv, xShape, [6, 8], 'bilinear').y, 1e-6);
  const first = layers.upSampling2d({ size: [2, 3], dataFormat: 'channelsFirst' });
  const nchw = ref.permute(xv, xShape, [0, 3, 1, 2]);
  const c = run(first, nchw.y, nchw.shape);
  t.deepEqual(c.shape, [2, 2, 6, 12]);
  close(t, c.y, ref.permute(a.y, a.shape, [0, 3, 1, 2]).y, 0);
  t.deepEqual(nearest.computeOutputShape([null, null, 4, 2]), [null, null, 12, 2]);
  t.deepEqual(first.computeOutputShape([null, 2, 3, null]), [null, 2, 6, null]);
  // Each input pixel feeds a 2x3 block: its gradient is the block's sum of dy.
  const dyv = values(2 * 6 * 12 * 2, 62);
  const dx = tf.grad((v) => nearest.apply(v))(x, tf.tensor(dyv, [2, 6, 12, 2]));
  const want = xv.map((_, i) => {
    const c0 = i % 2;
    const j = Math.floor(i / 2) % 4;
    const r = Math.floor(i / 8) % 3;
    const n = Math.floor(i / 24);
    let s = 0;
    for (let p = 0; p < 2; p++) for (let q = 0; q < 3; q++) s += dyv[((n * 6 + 2 * r + p) * 12 + 3 * j + q) * 2 + c0];
    return s;
  });
  close(t, dx.dataSync(), want, 1e-5);
  tf.dispose([x, dx]);
});

// ------------------------------------------------------------------ shapes

test('symbolic shapes: null batch and null spatial dims flow through every layer', (t) => {
  const cases2 = [
    [layers.conv2d({ filters: 8, kernelSize: 3 }), [null, 28, 28, 1], [null, 26, 26, 8]],
    [layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' }), [null, null, 27, 3], [null, null, 14, 8]],
    [layers.conv1d({ filters: 4, kernelSize: 5, padding: 'causal' }), [null, null, 3], [null, null, 4]],
    [layers.conv1d({ filters: 4, kernelSize: 5, strides: 2 }), [null, 20, 3], [null, 8, 4]],
    [layers.conv3d({ filters: 2, kernelSize: [1, 3, 3], padding: 'same', strides: [1, 2, 2] }), [null, 4, 9, 9, 1], [null, 4, 5, 5, 2]],
    [layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2 }), [null, 7, null, 4], [null, 15, null, 3]],
    [layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', dataFormat: 'channelsFirst' }), [null, 4, 7, 5], [null, 3, 14, 10]],
    [layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 4 }), [null, 10, 10, 3], [null, 8, 8, 12]],
    [layers.separableConv2d({ filters: 16, kernelSize: 3, dilationRate: 2 }), [null, 10, 10, 3], [null, 6, 6, 16]],
    [layers.cropping2D({ cropping: [[1, 2], [3, 4]] }), [null, 10, 10, 3], [null, 7, 3, 3]],
    [layers.upSampling2d(), [null, 5, 6, 3], [null, 10, 12, 3]],
  ];
  for (const [layer, inShape, outShape] of cases2) {
    const x = tf.input({ batchShape: inShape });
    const y = layer.apply(x);
    t.deepEqual(y.shape, outShape, layer.getClassName());
  }
});

// ------------------------------------------------------------------ configs

test('conv2d getConfig holds TF.js keys in TF.js order and round-trips', (t) => {
  const layer = layers.conv2d({
    filters: 6, kernelSize: [3, 2], strides: 2, padding: 'same', dilationRate: 1, activation: 'relu', kernelRegularizer: 'l2',
    biasConstraint: 'nonNeg', activityRegularizer: 'l1', name: 'cfg_conv2d', inputShape: [8, 8, 3],
  });
  const config = layer.getConfig();
  t.deepEqual(Object.keys(config), [
    'filters', 'kernelInitializer', 'kernelRegularizer', 'kernelConstraint', 'kernelSize', 'strides', 'padding', 'dataFormat',
    'dilationRate', 'activation', 'useBias', 'biasInitializer', 'biasRegularizer', 'activityRegularizer', 'biasConstraint',
    'name', 'trainable', 'batchInputShape', 'dtype',
  ]);
  t.like(config, {
    filters: 6, kernelSize: [3, 2], strides: [2, 2], padding: 'same', dataFormat: 'channelsLast', dilationRate: [1, 1], activation: 'relu', useBias: true,
    kernelInitializer: { className: 'VarianceScaling', config: { scale: 1, mode: 'fanAvg', distribution: 'uniform', seed: null } },
    biasInitializer: { className: 'Zeros', config: {} },
    kernelRegularizer: { className: 'L1L2', config: { l1: 0, l2: 0.01 } },
    biasConstraint: { className: 'NonNeg', config: {} },
    activityRegularizer: { className: 'L1L2', config: { l1: 0.01, l2: 0 } },
    batchInputShape: [null, 8, 8, 3],
  });
  const copy = layers.Conv2D.fromConfig(layers.Conv2D, config);
  t.deepEqual(copy.getConfig(), config);
});

test('every convolutional layer rebuilds from its serialized config', (t) => {
  const made = [
    layers.conv1d({ filters: 3, kernelSize: 4, padding: 'causal', dilationRate: 2, activation: 'tanh' }),
    layers.conv2d({ filters: 3, kernelSize: 3, dataFormat: 'channelsFirst', useBias: false, kernelConstraint: 'maxNorm' }),
    layers.conv3d({ filters: 2, kernelSize: [1, 2, 3], strides: [1, 1, 2], padding: 'same' }),
    layers.conv2dTranspose({ filters: 4, kernelSize: 2, strides: 2, activation: 'sigmoid' }),
    layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, depthwiseRegularizer: 'l1', depthwiseConstraint: 'nonNeg' }),
    layers.separableConv2d({ filters: 5, kernelSize: 3, depthMultiplier: 2, pointwiseInitializer: 'heNormal', pointwiseConstraint: 'unitNorm' }),
    layers.cropping2D({ cropping: [[1, 0], [2, 3]], dataFormat: 'channelsFirst' }),
    layers.upSampling2d({ size: [3, 2], interpolation: 'bilinear' }),
  ];
  for (const layer of made) {
    const saved = serializeKerasObject(layer);
    const copy = deserialize(saved);
    t.is(copy.constructor, layer.constructor, layer.getClassName());
    t.deepEqual(copy.getConfig(), saved.config, layer.getClassName());
  }
  const keys = (l) => Object.keys(l.getConfig());
  t.false(keys(made[0]).includes('dataFormat'), 'Conv1D saves no dataFormat, as TF.js');
  t.false(keys(made[3]).includes('dilationRate'), 'Conv2DTranspose saves no dilationRate, as TF.js');
  t.like(made[4].getConfig(), { depthMultiplier: 2, depthwiseRegularizer: { className: 'L1L2' }, depthwiseConstraint: { className: 'NonNeg' } });
  const sep = made[5].getConfig();
  t.false('kernelInitializer' in sep);
  t.like(sep, { depthMultiplier: 2, pointwiseInitializer: { className: 'VarianceScaling', config: { scale: 2, mode: 'fanIn' } }, pointwiseConstraint: { className: 'UnitNorm' } });
  t.like(made[6].getConfig(), { cropping: [[1, 0], [2, 3]], dataFormat: 'channelsFirst' });
  t.like(made[7].getConfig(), { size: [3, 2], dataFormat: 'channelsLast', interpolation: 'bilinear' });
});

// ------------------------------------------------------------------ models: summary, save / load, training

function cnn() {
  return tf.sequential({
    layers: [
      layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.flatten(),
      layers.dense({ units: 128, activation: 'relu' }),
      layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

test('summary of the cnn workload: 320 / 18,496 / 204,928 / 1,290 parameters and the shapes between', (t) => {
  const model = cnn();
  const lines = [];
  model.summary(undefined, undefined, (l) => lines.push(l));
  // TF.js's columns end at 28, 54, 80 and 90 (long layer names are cut).
  const rows = lines.filter((l) => /^\S+ \([A-Z]/.test(l));
  t.deepEqual(rows.map((l) => Number(l.slice(80).trim())), [320, 0, 18496, 0, 0, 204928, 1290]);
  t.deepEqual(rows.map((l) => l.slice(54, 80).trim()), ['[null,26,26,32]', '[null,13,13,32]', '[null,11,11,64]', '[null,5,5,64]', '[null,1600]', '[null,128]', '[null,10]']);
  t.true(lines.includes('Total params: 225034'));
  t.deepEqual(model.layers[0].kernel.shape, [3, 3, 1, 32]);
  model.dispose();
});

test('a conv model saved and loaded through file:// predicts the same and saves the same topology', async (t) => {
  const before = tf.memory().numTensors;
  const input = tf.input({ shape: [9, 9, 2] });
  let h = layers.zeroPadding2d({ padding: [[1, 0], [0, 1]] }).apply(input);
  h = layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', padding: 'same' }).apply(h);
  h = layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, activation: 'tanh' }).apply(h);
  h = layers.separableConv2d({ filters: 3, kernelSize: 2, padding: 'same', dataFormat: 'channelsLast' }).apply(h);
  h = layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' }).apply(h);
  h = layers.cropping2D({ cropping: 1 }).apply(h);
  h = layers.upSampling2d({ size: 2, interpolation: 'bilinear' }).apply(h);
  h = layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(h);
  const a = layers.globalMaxPooling2d().apply(h);
  const s = layers.reshape({ targetShape: [9, 8] }).apply(layers.flatten().apply(h));
  const b = layers.globalAveragePooling1d().apply(layers.maxPooling1d({ poolSize: 2 }).apply(layers.conv1d({ filters: 3, kernelSize: 2, padding: 'causal' }).apply(s)));
  const m = tf.model({ inputs: input, outputs: [a, b] });
  const dir = tmpdir(t);
  await m.save(`file://${dir}`);
  const loaded = await tf.loadLayersModel(`file://${dir}/model.json`);
  const x = tf.tensor(values(3 * 9 * 9 * 2, 70), [3, 9, 9, 2]);
  const ya = m.predict(x);
  const yb = loaded.predict(x);
  t.deepEqual(ya.map((y) => y.shape), [[3, 2], [3, 3]]);
  ya.forEach((y, i) => t.deepEqual(data(yb[i]), data(y)));
  await loaded.save(`file://${dir}/again`);
  const first = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const second = JSON.parse(fs.readFileSync(path.join(dir, 'again/model.json'), 'utf8'));
  t.deepEqual(second.modelTopology, first.modelTopology);
  const convLayer = first.modelTopology.config.layers.find((l) => l.class_name === 'Conv2D');
  t.like(convLayer.config, { kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1], use_bias: true });
  const names = first.weightsManifest[0].weights.map((w) => w.name.replace(/_\d+\//, '/'));
  t.true(names.includes('depthwise_conv2d/depthwise_kernel') && names.includes('separable_conv2d/pointwise_kernel'), names.join(' '));
  tf.dispose([x, ...ya, ...yb]);
  m.dispose();
  loaded.dispose();
  t.is(tf.memory().numTensors, before);
});

// A model.json as TensorFlow.js 4.x writes it for
// conv2d(relu) → maxPooling2d → flatten → dense(softmax), with its weights.
test('a TF.js conv model.json with HWIO weights loads, predicts the float64 reference and saves back the same topology', async (t) => {
  const glorot = { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } };
  const zerosInit = { class_name: 'Zeros', config: {} };
  const topology = {
    class_name: 'Sequential',
    config: {
      name: 'sequential_1',
      layers: [
        {
          class_name: 'Conv2D',
          config: {
            filters: 2, kernel_initializer: glorot, kernel_regularizer: null, kernel_constraint: null, kernel_size: [2, 2], strides: [1, 1],
            padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'relu', use_bias: true, bias_initializer: zerosInit,
            bias_regularizer: null, activity_regularizer: null, bias_constraint: null, name: 'conv2d_Conv2D1', trainable: true,
            batch_input_shape: [null, 5, 5, 1], dtype: 'float32',
          },
        },
        { class_name: 'MaxPooling2D', config: { pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_last', name: 'max_pooling2d_MaxPooling2D1', trainable: true } },
        { class_name: 'Flatten', config: { data_format: 'channels_last', name: 'flatten_Flatten1', trainable: true } },
        {
          class_name: 'Dense',
          config: {
            units: 2, activation: 'softmax', use_bias: true, kernel_initializer: glorot, bias_initializer: zerosInit, kernel_regularizer: null,
            bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null, name: 'dense_Dense1', trainable: true,
          },
        },
      ],
    },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
  const K = values(8, 80);
  const B = values(2, 81);
  const W = values(8 * 2, 82);
  const C = values(2, 83);
  const specs = [
    { name: 'conv2d_Conv2D1/kernel', shape: [2, 2, 1, 2], dtype: 'float32' },
    { name: 'conv2d_Conv2D1/bias', shape: [2], dtype: 'float32' },
    { name: 'dense_Dense1/kernel', shape: [8, 2], dtype: 'float32' },
    { name: 'dense_Dense1/bias', shape: [2], dtype: 'float32' },
  ];
  const dir = tmpdir(t);
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: topology, weightsManifest: [{ paths: ['weights.bin'], weights: specs }], format: 'layers-model' }));
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(new Float32Array([...K, ...B, ...W, ...C]).buffer));
  const model = await tf.loadLayersModel(`file://${dir}/model.json`);
  const xv = values(2 * 25, 84);
  const y = model.predict(tf.tensor(xv, [2, 5, 5, 1]));
  const f32 = (a) => a.map(Math.fround);
  const c = ref.conv(xv.map(Math.fround), [2, 5, 5, 1], f32(K), [2, 2, 1, 2], { strides: [1, 1], dilations: [1, 1], bias: f32(B), act: 'relu' });
  const p = ref.pool(c.y, c.shape, { poolSize: [2, 2], strides: [2, 2], mode: 'max' });
  const expected = [];
  for (let n = 0; n < 2; n++) {
    const z = [0, 1].map((j) => Math.fround(C[j]) + p.y.slice(n * 8, n * 8 + 8).reduce((s, v, i) => s + v * Math.fround(W[i * 2 + j]), 0));
    const e = z.map((v) => Math.exp(v - Math.max(...z)));
    expected.push(...e.map((v) => v / (e[0] + e[1])));
  }
  close(t, y.dataSync(), expected, 1e-5);
  const out = tmpdir(t);
  await model.save(`file://${out}`);
  const saved = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8'));
  t.deepEqual(saved.modelTopology, topology);
  t.deepEqual(saved.weightsManifest[0].weights, specs);
  y.dispose();
  model.dispose();
});

test('a small conv model learns: the loss falls over a few epochs; memory comes back after fit and predict', async (t) => {
  tf.setSeed(3);
  // Class 1: a bright 3x3 blob in the top half; class 0: in the bottom half.
  const n = 32;
  const xs = [];
  const ys = [];
  const noise = values(n * 64, 90);
  for (let i = 0; i < n; i++) {
    const cls = i % 2;
    const r0 = cls ? 0 : 5;
    const c0 = i % 5;
    for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) xs.push(0.1 * noise[(i * 8 + r) * 8 + c] + (r >= r0 && r < r0 + 3 && c >= c0 && c < c0 + 3 ? 1 : 0));
    ys.push(cls ? 0 : 1, cls);
  }
  const model = tf.sequential({
    layers: [
      layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [8, 8, 1], kernelRegularizer: 'l2' }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.separableConv2d({ filters: 4, kernelSize: 3, activation: 'relu' }),
      layers.globalAveragePooling2d(),
      layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
  const x = tf.tensor(xs, [n, 8, 8, 1]);
  const y = tf.tensor(ys, [n, 2]);
  // The first fit creates the optimizer's slot variables; later ones leave nothing behind.
  const first = await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
  const before = tf.memory().numTensors;
  const history = await model.fit(x, y, { epochs: 15, batchSize: 8, verbose: 0 });
  const loss = [first.history.loss[0], ...history.history.loss];
  t.true(loss[loss.length - 1] < 0.6 * loss[0], `loss ${loss[0]} → ${loss[loss.length - 1]}`);
  t.is(tf.memory().numTensors, before, 'fit leaves no tensors behind');
  model.predict(x).dispose();
  t.is(tf.memory().numTensors, before, 'predict leaves no tensors behind');
  tf.dispose([x, y]);
  model.dispose();
});

// ------------------------------------------------------------------ regularizers, constraints, memory

test('kernel and bias regularizers add their losses; the activity regularizer applies to training calls', (t) => {
  const layer = layers.conv2d({ filters: 2, kernelSize: 2, kernelRegularizer: tf.regularizers.l2({ l2: 0.5 }), biasRegularizer: 'l1', activityRegularizer: tf.regularizers.l1({ l1: 0.25 }) });
  const k = values(2 * 2 * 1 * 2, 100);
  const b = values(2, 101);
  withWeights(layer, [1, 3, 3, 1], [k, b]);
  t.is(layer.losses.length, 2);
  const [lk, lb] = layer.losses.map((f) => f().dataSync()[0]);
  close(t, [lk, lb], [0.5 * k.reduce((s, v) => s + v * v, 0), 0.01 * b.reduce((s, v) => s + Math.abs(v), 0)], 1e-6);
  const xv = values(9, 102);
  const x = tf.tensor(xv, [1, 3, 3, 1]);
  const y = layer.apply(x, { training: true });
  t.is(layer.losses.length, 3);
  close(t, [layer.losses[2]().dataSync()[0]], [0.25 * data(y).reduce((s, v) => s + Math.abs(v), 0)], 1e-6);
  tf.dispose([x, y, ...layer.takeCallLosses()]);
  tf.tidy(() => layer.apply(tf.tensor(xv, [1, 3, 3, 1])));
  t.is(layer.losses.length, 2, 'inference calls add no activity loss');
});

test('depthwise and pointwise constraints apply when weights are written', (t) => {
  const layer = layers.separableConv2d({ filters: 2, kernelSize: 1, depthwiseConstraint: 'nonNeg', pointwiseConstraint: 'nonNeg', biasConstraint: 'nonNeg' });
  withWeights(layer, [1, 2, 2, 2], [[-1, 2], [3, -4, -5, 6], [-7, 8]]);
  t.deepEqual(layer.getWeights().map(data), [[0, 2], [3, 0, 0, 6], [0, 8]]);
});

test('each layer leaves only its output alive, in both data formats', (t) => {
  const made = [
    [layers.conv1d({ filters: 2, kernelSize: 3, padding: 'causal', activation: 'softplus' }), [2, 6, 3]],
    [layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu', dataFormat: 'channelsFirst' }), [2, 3, 6, 6]],
    [layers.conv2d({ filters: 2, kernelSize: 3, activation: 'softmax' }), [2, 6, 6, 3]],
    [layers.conv3d({ filters: 2, kernelSize: 2, activation: 'relu', dataFormat: 'channelsFirst' }), [1, 2, 3, 3, 3]],
    [layers.conv2dTranspose({ filters: 2, kernelSize: 3, activation: 'tanh', dataFormat: 'channelsFirst' }), [2, 3, 4, 4]],
    [layers.depthwiseConv2d({ kernelSize: 3, activation: 'softplus', dataFormat: 'channelsFirst' }), [2, 3, 6, 6]],
    [layers.separableConv2d({ filters: 2, kernelSize: 3, activation: 'softplus', dataFormat: 'channelsFirst' }), [2, 3, 6, 6]],
    [layers.cropping2D({ cropping: 1, dataFormat: 'channelsFirst' }), [2, 3, 6, 6]],
    [layers.upSampling2d({ dataFormat: 'channelsFirst', interpolation: 'bilinear' }), [2, 3, 6, 6]],
  ];
  for (const [layer, shape] of made) {
    const x = tf.ones(shape);
    layer.apply(x).dispose();
    const before = tf.memory().numTensors;
    layer.apply(x).dispose();
    t.is(tf.memory().numTensors, before, layer.getClassName());
    x.dispose();
  }
});

// ------------------------------------------------------------------ errors

test('BAD CALL - conv layer arguments: filters, kernelSize, strides, padding, dataFormat, depthMultiplier', (t) => {
  let e = t.throws(() => layers.conv2d({ filters: 0, kernelSize: 3 }), { instanceOf: RangeError });
  t.is(e.message, "Conv2D: expected an integer >= 1 for 'filters' but received 0 of type number");
  e = t.throws(() => layers.conv2d({ kernelSize: 3 }), { instanceOf: TypeError });
  t.is(e.message, "Conv2D: expected an integer for 'filters' but received undefined");
  e = t.throws(() => layers.conv2d({ filters: 2, kernelSize: [3, 3, 3] }), { instanceOf: TypeError });
  t.is(e.message, "Conv2D: expected a positive integer or an array of 2 positive integers for 'kernelSize' but received [3, 3, 3]");
  e = t.throws(() => layers.conv3d({ filters: 2, kernelSize: [3, 3] }), { instanceOf: TypeError });
  t.regex(e.message, /^Conv3D: expected a positive integer or an array of 3 positive integers for 'kernelSize'/);
  e = t.throws(() => layers.conv1d({ filters: 2, kernelSize: 0 }), { instanceOf: RangeError });
  t.is(e.message, "Conv1D: expected a positive integer or an array of 1 positive integers for 'kernelSize' but received 0 of type number");
  e = t.throws(() => layers.conv2d({ filters: 2, kernelSize: 3, strides: [1, 0] }), { instanceOf: RangeError });
  t.regex(e.message, /'strides'/);
  e = t.throws(() => layers.conv2d({ filters: 2, kernelSize: 3, padding: 'causal' }), { instanceOf: TypeError });
  t.is(e.message, "Conv2D: expected one of 'valid', 'same' for 'padding' but received 'causal'");
  e = t.throws(() => layers.conv2d({ filters: 2, kernelSize: 3, dataFormat: 'NHWC' }), { instanceOf: TypeError });
  t.is(e.message, "Conv2D: expected one of 'channelsLast', 'channelsFirst' for 'dataFormat' but received 'NHWC'");
  e = t.throws(() => layers.conv1d({ filters: 2, kernelSize: 3, dataFormat: 'channelsFirst' }), { instanceOf: TypeError });
  t.regex(e.message, /^Conv1D: expected 'channelsLast'/);
  e = t.throws(() => layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 0 }), { instanceOf: RangeError });
  t.is(e.message, "DepthwiseConv2D: expected an integer >= 1 for 'depthMultiplier' but received 0 of type number");
  e = t.throws(() => layers.separableConv2d({ filters: 2, kernelSize: 3, kernelInitializer: 'ones' }), { instanceOf: TypeError });
  t.regex(e.message, /^SeparableConv2D: expected nothing: SeparableConv2D has depthwiseInitializer and pointwiseInitializer instead for 'kernelInitializer'/);
  e = t.throws(() => layers.conv2dTranspose({ filters: 2, kernelSize: 3, dilationRate: 2 }), { instanceOf: TypeError });
  t.regex(e.message, /^Conv2DTranspose: expected 1 \(dilated transposed convolution is not supported\) for 'dilationRate'/);
  e = t.throws(() => layers.conv2dTranspose({ filters: 2, kernelSize: 3, outputPadding: 1 }), { instanceOf: TypeError });
  t.regex(e.message, /^Conv2DTranspose: expected null .* for 'outputPadding' but received 1 of type number$/);
  t.notThrows(() => layers.conv2dTranspose({ filters: 2, kernelSize: 3, outputPadding: null }), 'Keras configs hold output_padding: null');
  e = t.throws(() => layers.conv2d({ filters: 2, kernelSize: 3, useBias: 'yes' }), { instanceOf: TypeError });
  t.is(e.message, "Conv2D: expected a boolean for 'useBias' but received 'yes'");
  e = t.throws(() => layers.conv2d({ filters: 2, kernelSize: 3, activation: 'nope' }));
  t.regex(e.message, /nope/);
});

test('BAD CALL - conv layers on inputs of the wrong rank, channel count or size', (t) => {
  const layer = layers.conv2d({ filters: 2, kernelSize: 3, name: 'bad_conv' });
  let e = t.throws(() => layer.apply(tf.zeros([4, 5, 5])));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, "bad_conv (Conv2D): expected an input of rank 4 for 'inputs' but received a float32 tensor of shape [4,5,5]");
  tf.tidy(() => layer.apply(tf.zeros([1, 5, 5, 3])));
  e = t.throws(() => layer.apply(tf.zeros([1, 5, 5, 2])));
  t.is(e.message, "bad_conv (Conv2D): expected an input whose axis 3 has size 3 (shape [null,5,5,3]) for 'inputs' but received a float32 tensor of shape [1,5,5,2]");
  e = t.throws(() => layers.conv2d({ filters: 2, kernelSize: 3, name: 'small_conv' }).apply(tf.input({ shape: [2, 8, 1] })));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, "small_conv (Conv2D): the input's spatial shape [2,8] is smaller than the dilated kernel [3,3] with padding 'valid'; input shape [null,2,8,1]");
  e = t.throws(() => layers.conv2d({ filters: 2, kernelSize: 3, name: 'open_conv' }).apply(tf.input({ shape: [8, 8, null] })));
  t.is(e.message, 'open_conv (Conv2D): the channel axis of the input must be known to create the kernel, but the input shape is [null,8,8,null]');
  e = t.throws(() => layers.conv1d({ filters: 2, kernelSize: 3 }).apply(tf.input({ shape: [8, 8, 1] })));
  t.regex(e.message, /expected an input of rank 3/);
});

test('BAD CALL - cropping and upsampling arguments', (t) => {
  let e = t.throws(() => layers.cropping2D({ cropping: [1, 2, 3] }), { instanceOf: TypeError });
  t.is(e.message, "Cropping2D: expected a non-negative integer, [rows, cols], or [[top, bottom], [left, right]] of non-negative integers for 'cropping' but received [1, 2, 3]");
  t.throws(() => layers.cropping2D({ cropping: -1 }), { instanceOf: TypeError });
  t.throws(() => layers.cropping2D({}), { instanceOf: TypeError });
  e = t.throws(() => layers.cropping2D({ cropping: 3, name: 'big_crop' }).apply(tf.input({ shape: [6, 9, 1] })));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'big_crop (Cropping2D): cropping [[3,3],[3,3]] leaves nothing of an input of shape [null,6,9,1]');
  e = t.throws(() => layers.upSampling2d({ size: [2, 0] }), { instanceOf: RangeError });
  t.regex(e.message, /^UpSampling2D: expected a positive integer or an array of 2 positive integers for 'size'/);
  e = t.throws(() => layers.upSampling2d({ interpolation: 'bicubic' }), { instanceOf: TypeError });
  t.is(e.message, "UpSampling2D: expected one of 'nearest', 'bilinear' for 'interpolation' but received 'bicubic'");
});

test('tf.layers has the TF.js convolutional factories, each returning its layer class', (t) => {
  const expected = {
    conv1d: 'Conv1D', conv2d: 'Conv2D', conv3d: 'Conv3D', conv2dTranspose: 'Conv2DTranspose', depthwiseConv2d: 'DepthwiseConv2D',
    separableConv2d: 'SeparableConv2D', cropping2D: 'Cropping2D', upSampling2d: 'UpSampling2D',
  };
  for (const [factory, className] of Object.entries(expected)) {
    const layer = layers[factory]({ filters: 1, kernelSize: 1, cropping: 1 });
    t.is(layer.constructor.className, className, factory);
    t.true(layer instanceof layers.Layer);
  }
});
