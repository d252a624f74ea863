'use strict';
// The convolution ops against PyTorch (test/fixtures/conv, written by
// scripts/fixtures/conv_fixtures.py): outputs and autograd's dx / dfilter /
// dbias; finite-difference gradchecks per op family; argument errors;
// tensors freed.
const test = require('ava');
const fs = require('fs');
const path = require('path');
const conv = require('../../dist/ops/conv');
const { fused } = require('../../dist/ops/linalg');
const { tensor } = require('../../dist/ops/creation');
const { add, relu } = require('../../dist/ops/elementwise');
const { sum } = require('../../dist/ops/reduce');
const { grads } = require('../../dist/autograd/gradients');
const { memory, tidy } = require('../../dist/tensor/scope');
const { gradcheck, close, uniform } = require('./gradcheck');

function fixtures(family) {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'conv', `${family}.json`), 'utf8')).cases;
}

const asTensor = (j) => tensor(j.values, j.shape);

/** Each family's fixture case as a call of the op on named input tensors. */
const CALLS = {
  conv2d: (a, { x, filter, bias }) => (a.activation
    ? fused.conv2d({ x, filter, bias, strides: a.strides, pad: a.pad, dataFormat: a.dataFormat, dilations: a.dilations, activation: a.activation, leakyreluAlpha: 0.2 })
    : conv.conv2d(x, filter, a.strides, a.pad, a.dataFormat, a.dilations, a.dimRoundingMode)),
  conv1d: (a, { x, filter }) => conv.conv1d(x, filter, a.strides, a.pad, a.dataFormat, a.dilations),
  conv3d: (a, { x, filter }) => conv.conv3d(x, filter, a.strides, a.pad, a.dataFormat, a.dilations),
  depthwise: (a, { x, filter, bias }) => (a.activation
    ? fused.depthwiseConv2d({ x, filter, bias, strides: a.strides, pad: a.pad, dilations: a.dilations, activation: a.activation })
    : conv.depthwiseConv2d(x, filter, a.strides, a.pad, 'NHWC', a.dilations)),
  separable: (a, { x, depthwiseFilter, pointwiseFilter }) => conv.separableConv2d(x, depthwiseFilter, pointwiseFilter, a.strides, a.pad, a.dilation),
  conv2d_transpose: (a, { x, filter }) => conv.conv2dTranspose(x, filter, a.outputShape, a.strides, a.pad),
};
const FAMILY_OF_FILE = { conv2d_fused: 'conv2d', conv2d_layouts: 'conv2d' };
const INPUTS = ['x', 'filter', 'bias', 'depthwiseFilter', 'pointwiseFilter'];

for (const file of ['conv2d', 'conv2d_fused', 'conv2d_layouts', 'conv1d', 'conv3d', 'depthwise', 'separable', 'conv2d_transpose']) {
  const call = CALLS[FAMILY_OF_FILE[file] ?? file];
  for (const c of fixtures(file)) {
    test(`${file}: ${c.name} matches PyTorch (y, and the gradient of every input)`, (t) => {
      const before = memory().numTensors;
      const names = INPUTS.filter((n) => c[n]);
      const xs = names.map((n) => asTensor(c[n]));
      const f = (...ts) => call(c.args, Object.fromEntries(names.map((n, i) => [n, ts[i]])));
      const y = f(...xs);
      t.deepEqual(y.shape, c.y.shape);
      close(t, y.dataSync(), c.y.values, { atol: 1e-4, rtol: 0, label: 'y' });
      const dy = asTensor(c.dy);
      const gs = grads(f)(xs, dy);
      names.forEach((n, i) => {
        t.deepEqual(gs[i].shape, c[`d${n}`].shape, `d${n} shape`);
        close(t, gs[i].dataSync(), c[`d${n}`].values, { atol: 1e-4, rtol: 1e-5, label: `d${n}` });
      });
      for (const g of [y, dy, ...gs, ...xs]) g.dispose();
      t.is(memory().numTensors, before);
    });
  }
}

// ------------------------------------------------------------------ finite differences

const rand = (shape, seed) => tensor(uniform(shape.reduce((a, b) => a * b, 1), -1, 1, seed), shape);

test('conv2d gradients (x, filter) match finite differences: same, stride 2', (t) => {
  gradcheck(t, (x, f) => conv.conv2d(x, f, 2, 'same'), [rand([2, 5, 4, 2], 1), rand([3, 3, 2, 3], 2)]);
});

test('conv2d gradients match finite differences: dilation 2, NCHW, unbatched', (t) => {
  gradcheck(t, (x, f) => conv.conv2d(x, f, 1, 'valid', 'NHWC', 2), [rand([1, 6, 6, 2], 3), rand([2, 2, 2, 2], 4)], { label: 'dilated' });
  gradcheck(t, (x, f) => conv.conv2d(x, f, [1, 2], 'same', 'NCHW'), [rand([1, 2, 5, 5], 5), rand([3, 2, 2, 2], 6)], { label: 'NCHW' });
  gradcheck(t, (x, f) => conv.conv2d(x, f, 1, 1), [rand([4, 4, 2], 7), rand([3, 3, 2, 1], 8)], { label: 'unbatched' });
});

for (const activation of ['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'elu', 'selu', 'leakyrelu', 'prelu']) {
  test(`fused.conv2d gradients (x, filter, bias) with ${activation} match finite differences`, (t) => {
    const alpha = tensor([0.1, 0.3, 0.2]);
    const f = (x, w, b) => fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation, preluActivationWeights: alpha, leakyreluAlpha: 0.15 });
    // Inputs away from relu's kink for the finite differences.
    gradcheck(t, f, [rand([1, 4, 4, 2], 9), rand([3, 3, 2, 3], 10), tensor([0.3, -0.2, 0.1])], { label: activation });
    alpha.dispose();
  });
}

test('fused.conv2d with a bias that is not per channel goes through separate ops', (t) => {
  const x = rand([1, 4, 4, 2], 11);
  const w = rand([3, 3, 2, 3], 12);
  const b = rand([4, 1, 3], 13);
  const got = fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation: 'relu' });
  const want = relu(add(conv.conv2d(x, w, 1, 'same'), b));
  close(t, got.dataSync(), want.dataSync());
  gradcheck(t, (xx, ww, bb) => fused.conv2d({ x: xx, filter: ww, strides: 1, pad: 'same', bias: bb, activation: 'tanh' }), [x, w, b]);
});

test('conv1d and conv3d gradients match finite differences', (t) => {
  gradcheck(t, (x, f) => conv.conv1d(x, f, 2, 'same'), [rand([2, 7, 2], 14), rand([3, 2, 3], 15)], { label: 'conv1d' });
  gradcheck(t, (x, f) => conv.conv3d(x, f, [1, 2, 1], 'same'), [rand([1, 4, 4, 3, 2], 16), rand([2, 3, 2, 2, 2], 17)], { label: 'conv3d' });
});

test('depthwiseConv2d and fused.depthwiseConv2d gradients match finite differences', (t) => {
  gradcheck(t, (x, f) => conv.depthwiseConv2d(x, f, 2, 'same'), [rand([1, 5, 5, 2], 18), rand([3, 3, 2, 2], 19)], { label: 'multiplier 2' });
  gradcheck(t, (x, f, b) => fused.depthwiseConv2d({ x, filter: f, strides: 1, pad: 'valid', bias: b, activation: 'elu' }),
    [rand([1, 5, 4, 3], 20), rand([2, 2, 3, 1], 21), tensor([0.1, -0.1, 0.2])], { label: 'fused' });
});

test('separableConv2d gradients match finite differences', (t) => {
  gradcheck(t, (x, d, p) => conv.separableConv2d(x, d, p, 1, 'same'), [rand([1, 4, 4, 2], 22), rand([3, 3, 2, 2], 23), rand([1, 1, 4, 3], 24)]);
});

test('conv2dTranspose gradients match finite differences', (t) => {
  gradcheck(t, (x, f) => conv.conv2dTranspose(x, f, [1, 6, 6, 2], 2, 'same'), [rand([1, 3, 3, 3], 25), rand([3, 3, 2, 3], 26)], { label: 'same' });
  gradcheck(t, (x, f) => conv.conv2dTranspose(x, f, [6, 5, 1], 1, 'valid'), [rand([4, 3, 2], 27), rand([3, 3, 1, 2], 28)], { label: 'unbatched' });
});

// ------------------------------------------------------------------ behaviour

test('only the wanted gradients are computed; the first conv of a network has no data gradient', (t) => {
  const x = rand([2, 5, 5, 1], 29);
  const w = rand([3, 3, 1, 2], 30);
  const b = tensor([0.1, 0.2]);
  const loss = (ww, bb) => sum(fused.conv2d({ x, filter: ww, strides: 1, pad: 'same', bias: bb, activation: 'relu' }));
  const [dw, db] = grads(loss)([w, b]);
  const [, dwAll, dbAll] = grads((xx, ww, bb) => sum(fused.conv2d({ x: xx, filter: ww, strides: 1, pad: 'same', bias: bb, activation: 'relu' })))([x, w, b]);
  close(t, dw.dataSync(), dwAll.dataSync());
  close(t, db.dataSync(), dbAll.dataSync());
  // The bias gradient alone (no filter gradient) comes from a reduction.
  const [dbOnly] = grads((bb) => sum(fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: bb, activation: 'relu' })))([b]);
  close(t, dbOnly.dataSync(), dbAll.dataSync(), { rtol: 1e-5, atol: 1e-5 });
});

test('int32 inputs are computed in float32; chained methods', (t) => {
  const x = tensor([1, 2, 3, 4], [1, 2, 2, 1], 'int32');
  const w = tensor([1, 1, 1, 1], [2, 2, 1, 1], 'int32');
  const y = conv.conv2d(x, w, 1, 'valid');
  t.is(y.dtype, 'float32');
  t.deepEqual(Array.from(y.dataSync()), [10]);
  const xf = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
  t.deepEqual(Array.from(xf.conv2d([[[[1]], [[1]]], [[[1]], [[1]]]], 1, 'valid').dataSync()), [10]);
  t.deepEqual(xf.depthwiseConv2d(tensor([1, 1, 1, 1], [2, 2, 1, 1]), 1, 'valid').shape, [1, 1, 1, 1]);
  t.deepEqual(tensor([1, 2, 3], [1, 3, 1]).conv1d(tensor([1, 1], [2, 1, 1]), 1, 'valid').shape, [1, 2, 1]);
  t.deepEqual(tensor([1], [1, 1, 1, 1]).conv2dTranspose(tensor([1, 1, 1, 1], [2, 2, 1, 1]), [1, 2, 2, 1], 1, 'valid').shape, [1, 2, 2, 1]);
  t.deepEqual(xf.separableConv2d(tensor([1, 1, 1, 1], [2, 2, 1, 1]), tensor([2], [1, 1, 1, 1]), 1, 'valid').dataSync()[0], 20);
});

test("'same' pads as TF: the odd padding goes after", (t) => {
  // x = 1..4 along width, filter [1, 10]: with 1 before, 0 after the last
  // window reads only x[3]; TF pads 0 before, 1 after, so the first reads x[0], x[1].
  const y = conv.conv1d(tensor([1, 2, 3, 4], [1, 4, 1]), tensor([1, 10], [2, 1, 1]), 1, 'same');
  t.deepEqual(Array.from(y.dataSync()), [21, 32, 43, 4]);
});

test('inside tidy, forward + backward of every op leaves no tensor behind', (t) => {
  const before = memory().numTensors;
  tidy(() => {
    const x = rand([1, 5, 5, 2], 31);
    const w = rand([3, 3, 2, 2], 32);
    grads((a, b) => sum(fused.conv2d({ x: a, filter: b, strides: 1, pad: 'same', bias: [0.1, 0.2], activation: 'relu' })))([x, w]);
    grads((a, b) => sum(conv.conv2d(a, b, 1, 'same', 'NCHW')))([rand([1, 2, 4, 4], 33), rand([3, 3, 2, 2], 34)]);
    grads((a, b) => sum(conv.depthwiseConv2d(a, b, 1, 'same')))([x, w]);
    grads((a, b) => sum(conv.conv2dTranspose(a, b, [1, 10, 10, 2], 2, 'same')))([x, w]);
    grads((a) => sum(conv.separableConv2d(a, w, rand([1, 1, 4, 1], 35), 1, 'same')))([x]);
  });
  t.is(memory().numTensors, before);
  // Without tidy, the op frees its own temporaries (casts, transposes, reshapes).
  const x = tensor(uniform(50), [1, 5, 5, 2]);
  const xc = tensor(uniform(50), [2, 5, 5]);
  const w = tensor(uniform(36), [3, 3, 2, 2]);
  const y = conv.conv2d(x, w, 1, 'same', 'NHWC');
  const z = conv.conv2d(xc, w, 1, 'same', 'NCHW');
  const u = conv.conv2d(x, [[[[0.5], [-0.25]]]], 1, 'same');
  t.is(memory().numTensors, before + 6);
  for (const v of [x, xc, w, y, z, u]) v.dispose();
});

// ------------------------------------------------------------------ BAD CALL

const x4 = () => tensor(uniform(2 * 5 * 5 * 3), [2, 5, 5, 3]);
const f4 = () => tensor(uniform(3 * 3 * 3 * 4), [3, 3, 3, 4]);

test('BAD CALL – wrong ranks name the argument and the expected layout', (t) => {
  const e = t.throws(() => conv.conv2d(tensor([1, 2]), f4(), 1, 'same'), { instanceOf: RangeError });
  t.is(e.message, "conv2d: expected a tensor of rank 4 [batch, height, width, inChannels] or 3 (unbatched) for 'x' but received a float32 tensor of shape [2]");
  t.throws(() => conv.conv2d(x4(), tensor([1, 2]), 1, 'same'), {
    message: "conv2d: expected a tensor of rank 4 [height, width, inChannels, outChannels] for 'filter' but received a float32 tensor of shape [2]",
  });
  t.throws(() => conv.conv1d(x4(), tensor(uniform(6), [3, 2, 1]), 1, 'same'), { message: /conv1d: expected a tensor of rank 3 \[batch, width, inChannels\]/ });
  t.throws(() => conv.depthwiseConv2d(x4(), tensor(uniform(9), [3, 3, 1]), 1, 'same'), { message: /depthwiseConv2d: expected a tensor of rank 4 \[filterHeight, filterWidth, inChannels, channelMultiplier\] for 'filter'/ });
});

test('BAD CALL – channel mismatches print both shapes', (t) => {
  const e = t.throws(() => conv.conv2d(x4(), tensor(uniform(36), [3, 3, 2, 2]), 1, 'same'));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, "conv2d: x's channels (3) must match the filter's input channels (2) ([2,5,5,3] and [3,3,2,2])");
  t.throws(() => conv.conv2d(tensor(uniform(150), [2, 3, 5, 5]), tensor(uniform(36), [3, 3, 2, 2]), 1, 'same', 'NCHW'), { message: /x's channels \(3\)/ });
  t.throws(() => conv.separableConv2d(x4(), tensor(uniform(54), [3, 3, 3, 2]), tensor(uniform(5), [1, 1, 5, 1]), 1, 'same'), {
    message: 'separableConv2d: pointwiseFilter must be [1, 1, 6, outChannels] for a depthwiseFilter with 3 channels times multiplier 2 ([3,3,3,2] and [1,1,5,1])',
  });
  t.throws(() => conv.conv2dTranspose(x4(), tensor(uniform(108), [3, 3, 4, 3]), [2, 5, 5, 3], 1, 'same'), {
    message: "conv2dTranspose: outputShape's channels (3) must match the filter's output channels (its third dim, 4) ([2,5,5,3] and [3,3,4,3])",
  });
});

test('BAD CALL – strides, dilations, pads, formats and rounding modes', (t) => {
  t.throws(() => conv.conv2d(x4(), f4(), 0, 'same'), { instanceOf: RangeError, message: "conv2d: expected integers >= 1 for 'strides' but received 0 of type number" });
  t.throws(() => conv.conv2d(x4(), f4(), [1, 1, 1], 'same'), { instanceOf: TypeError, message: "conv2d: expected an integer or an array of 2 integers for 'strides' but received [1, 1, 1]" });
  t.throws(() => conv.conv1d(tensor(uniform(6), [1, 6, 1]), tensor([1], [1, 1, 1]), 1.5, 'same'), { message: "conv1d: expected an integer for 'stride' but received 1.5 of type number" });
  t.throws(() => conv.conv2d(x4(), f4(), 1, 'same', 'NHWC', [1, 0]), { message: /expected integers >= 1 for 'dilations'/ });
  t.throws(() => conv.conv2d(x4(), f4(), 1, 'full'), {
    instanceOf: TypeError,
    message: "conv2d: expected 'valid', 'same', an integer >= 0 or explicit padding (4 [before, after] pairs) for 'pad' but received 'full'",
  });
  t.throws(() => conv.conv2d(x4(), f4(), 1, [[1, 1], [1, 1], [1, 1], [0, 0]]), { message: /expected explicit padding of \[0, 0\] on the batch and channel dims/ });
  t.throws(() => conv.conv2d(x4(), f4(), 1, 'same', 'NWHC'), { message: "conv2d: expected one of 'NHWC', 'NCHW' for 'dataFormat' but received 'NWHC'" });
  t.throws(() => conv.conv2d(x4(), f4(), 1, 'same', 'NHWC', 1, 'ceil'), { message: "conv2d: expected an integer or explicit padding when dimRoundingMode is 'ceil' for 'pad' but received 'same'" });
  t.throws(() => conv.conv2d(x4(), f4(), 1, 0, 'NHWC', 1, 'up'), { message: /expected one of 'floor', 'round', 'ceil' for 'dimRoundingMode'/ });
  t.throws(() => conv.separableConv2d(x4(), tensor(uniform(27), [3, 3, 3, 1]), tensor(uniform(3), [1, 1, 3, 1]), 1, 1), { message: /separableConv2d: expected 'valid' or 'same' for 'pad'/ });
});

test('BAD CALL – a filter larger than the padded input, and an outputShape that does not fit', (t) => {
  const e = t.throws(() => conv.conv2d(tensor(uniform(8), [1, 2, 4, 1]), tensor(uniform(9), [3, 3, 1, 1]), 1, 'valid'));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'conv2d: the filter (size 3) does not fit in the padded input along spatial dim 0 ([1,2,4,1] and [3,3,1,1]): input 2 with padding 0 + 0');
  t.throws(() => conv.conv2d(tensor(uniform(25), [1, 5, 5, 1]), tensor(uniform(9), [3, 3, 1, 1]), 1, 'valid', 'NHWC', 3), {
    message: /the dilated filter \(extent 7\) does not fit/,
  });
  t.throws(() => conv.conv2dTranspose(tensor(uniform(16), [1, 4, 4, 1]), tensor(uniform(9), [3, 3, 1, 1]), [1, 9, 8, 1], 2, 'same'), {
    message: 'conv2dTranspose: outputShape does not fit x: a conv2d of outputShape with these strides and pad has shape [1,5,4,1] ([1,9,8,1] and [1,4,4,1])',
  });
  t.throws(() => conv.conv2dTranspose(tensor(uniform(16), [1, 4, 4, 1]), tensor(uniform(9), [3, 3, 1, 1]), [8, 8, 1], 2, 'same'), {
    message: "conv2dTranspose: expected a shape of rank 4 (the rank of x) for 'outputShape' but received [8, 8, 1]",
  });
});

test('BAD CALL – fused activations and disposed inputs', (t) => {
  t.throws(() => fused.conv2d({ x: x4(), filter: f4(), strides: 1, pad: 'same', activation: 'swishy' }), { message: /fused\.conv2d: unknown activation 'swishy'; known: linear, relu/ });
  t.throws(() => fused.conv2d({ x: x4(), filter: f4(), strides: 1, pad: 'same', activation: 'prelu' }), {
    message: "fused.conv2d: expected a tensor when activation is 'prelu' for 'preluActivationWeights' but received null",
  });
  t.throws(() => fused.depthwiseConv2d(null), { message: /fused\.depthwiseConv2d: expected an object/ });
  const x = x4();
  x.dispose();
  t.is(t.throws(() => conv.conv2d(x, f4(), 1, 'same')).code, 'ERR_TENSOR_DISPOSED');
});

test('BAD CALL – failed calls leave no tensor behind', (t) => {
  const x = x4();
  const f = f4();
  const before = memory().numTensors;
  t.throws(() => conv.conv2d(x, [[[[1]]]], 1, 'same'));
  t.throws(() => conv.conv2d([[[[1, 2, 3]]]], f, 1, 'valid'));
  t.throws(() => fused.conv2d({ x, filter: f, strides: 1, pad: 'same', bias: [1, 2, 3, 4], activation: 'prelu' }));
  t.is(memory().numTensors, before);
  x.dispose();
  f.dispose();
});
