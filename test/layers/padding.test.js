// ZeroPadding2D (lib/layers/padding.ts): the three forms of padding, both
// data formats, shapes with unknown sizes, gradient, config and errors.
const test = require('ava');
const tf = require('../../dist');
const { layers } = tf;
const { deserialize, serializeKerasObject } = require('../../dist/serialization');
const { values } = require('./helpers');

/** x [N, H, W, C] (nested arrays) with rows / cols of zeros added, in float64. */
function padded(x, [top, bottom], [left, right]) {
  return x.map((img) => {
    const w = img[0].length + left + right;
    const c = img[0][0].length;
    const zeroRow = () => Array.from({ length: w }, () => new Array(c).fill(0));
    const rows = img.map((row) => [...Array.from({ length: left }, () => new Array(c).fill(0)), ...row, ...Array.from({ length: right }, () => new Array(c).fill(0))]);
    return [...Array.from({ length: top }, zeroRow), ...rows, ...Array.from({ length: bottom }, zeroRow)];
  });
}

test('zeroPadding2d: default 1, an int, [rows, cols] and [[top, bottom], [left, right]]', (t) => {
  const x = tf.tensor(values(2 * 3 * 4 * 2, 1), [2, 3, 4, 2]);
  const xa = x.arraySync();
  const cases = [
    [undefined, [1, 1], [1, 1]],
    [2, [2, 2], [2, 2]],
    [[1, 3], [1, 1], [3, 3]],
    [[[0, 2], [3, 1]], [0, 2], [3, 1]],
  ];
  for (const [padding, rows, cols] of cases) {
    const layer = layers.zeroPadding2d(padding === undefined ? undefined : { padding });
    t.deepEqual(layer.padding, [rows, cols]);
    const y = layer.apply(x);
    t.deepEqual(y.shape, [2, 3 + rows[0] + rows[1], 4 + cols[0] + cols[1], 2]);
    t.deepEqual(y.arraySync(), padded(xa, rows, cols), JSON.stringify(padding));
    y.dispose();
  }
  x.dispose();
});

test('zeroPadding2d channelsFirst pads axes 2 and 3; shapes keep unknown sizes unknown', (t) => {
  const x = tf.tensor(values(2 * 3 * 4 * 2, 2), [2, 3, 4, 2]);
  const layer = layers.zeroPadding2d({ padding: [[1, 0], [2, 3]], dataFormat: 'channelsFirst' });
  const nchw = tf.transpose(x, [0, 3, 1, 2]);
  const y = layer.apply(nchw);
  t.deepEqual(y.shape, [2, 2, 4, 9]);
  const back = tf.transpose(y, [0, 2, 3, 1]);
  t.deepEqual(back.arraySync(), padded(x.arraySync(), [1, 0], [2, 3]));
  t.deepEqual(layer.computeOutputShape([null, 2, null, 4]), [null, 2, null, 9]);
  t.deepEqual(layers.zeroPadding2d({ padding: 1 }).computeOutputShape([null, 5, null, 3]), [null, 7, null, 3]);
  const sym = layers.zeroPadding2d({ padding: [2, 1] }).apply(tf.input({ shape: [28, 28, 1] }));
  t.deepEqual(sym.shape, [null, 32, 30, 1]);
  tf.dispose([x, nchw, y, back]);
});

test('zeroPadding2d: the gradient is dy without the padding; nothing is left behind', (t) => {
  const layer = layers.zeroPadding2d({ padding: [[1, 2], [0, 1]] });
  const x = tf.ones([1, 2, 3, 2]);
  const dyv = values(1 * 5 * 4 * 2, 3);
  const dy = tf.tensor(dyv, [1, 5, 4, 2]);
  const before = tf.memory().numTensors;
  const dx = tf.grad((v) => layer.apply(v))(x, dy);
  t.is(tf.memory().numTensors, before + 1);
  const expected = tf.tidy(() => tf.slice(dy, [0, 1, 0, 0], [1, 2, 3, 2]).arraySync());
  t.deepEqual(dx.arraySync(), expected);
  tf.dispose([x, dy, dx]);
});

test('zeroPadding2d config holds TF.js keys and rebuilds', (t) => {
  const layer = layers.zeroPadding2d({ padding: [1, 2], dataFormat: 'channelsFirst', name: 'zp_cfg' });
  t.deepEqual(layer.getConfig(), { padding: [[1, 1], [2, 2]], dataFormat: 'channelsFirst', name: 'zp_cfg', trainable: true });
  const saved = serializeKerasObject(layer);
  t.is(saved.className, 'ZeroPadding2D');
  const copy = deserialize({ ...saved, config: { ...saved.config, name: 'zp_cfg_copy' } });
  t.true(copy instanceof layers.ZeroPadding2D);
  t.deepEqual(copy.padding, [[1, 1], [2, 2]]);
  t.is(copy.dataFormat, 'channelsFirst');
});

test('BAD CALL - zeroPadding2d with bad padding, data format or input rank', (t) => {
  let e = t.throws(() => layers.zeroPadding2d({ padding: [1, 2, 3] }), { instanceOf: TypeError });
  t.is(e.message, "ZeroPadding2D: expected a non-negative integer, [rows, cols], or [[top, bottom], [left, right]] of non-negative integers for 'padding' but received [1, 2, 3]");
  t.throws(() => layers.zeroPadding2d({ padding: [[1, 2], [3]] }), { instanceOf: TypeError });
  t.throws(() => layers.zeroPadding2d({ padding: -1 }), { instanceOf: TypeError });
  e = t.throws(() => layers.zeroPadding2d({ dataFormat: 'channels_first' }), { instanceOf: TypeError });
  t.is(e.message, "ZeroPadding2D: expected one of 'channelsLast', 'channelsFirst' for 'dataFormat' but received 'channels_first'");
  e = t.throws(() => layers.zeroPadding2d({ name: 'zp_rank' }).apply(tf.zeros([2, 3, 4])));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, "zp_rank (ZeroPadding2D): expected an input of rank 4 for 'inputs' but received a float32 tensor of shape [2,3,4]");
  t.is(typeof layers.zeroPadding2d, 'function');
});
