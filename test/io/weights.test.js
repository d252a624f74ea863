// tf.io.encodeWeights / decodeWeights: TensorFlow.js's weight byte layout.
// Serial: several tests compare tf.memory() before and after.
const test = require('ava').serial;
const { tensor } = require('../../dist/ops/creation');
const { memory } = require('../../dist/tensor/scope');
const io = require('../../dist/io');

function bytesOf(typed) {
  return Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
}

test('encodeWeights lays out float32, int32 and bool values little-endian, in order, with specs', async (t) => {
  const before = memory().numTensors;
  const a = tensor([1.5, -2.25, 3.4e38, 1e-45, NaN, -Infinity], [2, 3]);
  const b = tensor([7, -1, 2147483647], [3], 'int32');
  const c = tensor([true, false, true], [3], 'bool');
  const { data, specs } = await io.encodeWeights({ a, b, c });
  t.true(data instanceof ArrayBuffer);
  t.deepEqual(specs, [
    { name: 'a', shape: [2, 3], dtype: 'float32' },
    { name: 'b', shape: [3], dtype: 'int32' },
    { name: 'c', shape: [3], dtype: 'bool' },
  ]);
  t.is(data.byteLength, 6 * 4 + 3 * 4 + 3);
  const view = new DataView(data);
  const expectedA = [1.5, -2.25, Math.fround(3.4e38), Math.fround(1e-45), NaN, -Infinity];
  expectedA.forEach((v, i) => t.is(view.getFloat32(4 * i, true), v));
  [7, -1, 2147483647].forEach((v, i) => t.is(view.getInt32(24 + 4 * i, true), v));
  t.deepEqual([...new Uint8Array(data, 36, 3)], [1, 0, 1]);
  a.dispose(); b.dispose(); c.dispose();
  t.is(memory().numTensors, before);
});

test('encodeWeights takes [{name, tensor}] and marks a group', async (t) => {
  const w = tensor([1, 2], [2]);
  const { specs } = await io.encodeWeights([{ name: 'opt/iter', tensor: w }], 'optimizer');
  t.deepEqual(specs, [{ name: 'opt/iter', shape: [2], dtype: 'float32', group: 'optimizer' }]);
  w.dispose();
});

test('decodeWeights inverts encodeWeights bit for bit', async (t) => {
  const before = memory().numTensors;
  const a = tensor([0.1, -0, 65504, -1e-38, 1 / 3, 2 ** -126], [3, 2]);
  const b = tensor([-2147483648, 0, 5], [3, 1], 'int32');
  const c = tensor([false, true], [2], 'bool');
  const s = tensor(42);
  const { data, specs } = await io.encodeWeights({ a, b, c, s });
  const out = io.decodeWeights(data, specs);
  t.deepEqual(Object.keys(out), ['a', 'b', 'c', 's']);
  for (const [name, orig] of Object.entries({ a, b, c, s })) {
    t.deepEqual(out[name].shape, orig.shape, name);
    t.is(out[name].dtype, orig.dtype, name);
    t.deepEqual(bytesOf(out[name].dataSync()), bytesOf(orig.dataSync()), name);
  }
  for (const x of [a, b, c, s, ...Object.values(out)]) x.dispose();
  t.is(memory().numTensors, before);
});

test('decodeWeights reads shards given as a list of buffers as one stream', (t) => {
  const all = new Float32Array([1, 2, 3, 4, 5]);
  const bytes = new Uint8Array(all.buffer);
  // A shard boundary in the middle of a value, as the converter's shards may fall.
  const shards = [bytes.slice(0, 6).buffer, bytes.slice(6, 13).buffer, bytes.slice(13).buffer];
  const out = io.decodeWeights(shards, [
    { name: 'x', shape: [2], dtype: 'float32' },
    { name: 'y', shape: [3], dtype: 'float32' },
  ]);
  t.deepEqual([...out.x.dataSync()], [1, 2]);
  t.deepEqual([...out.y.dataSync()], [3, 4, 5]);
  out.x.dispose(); out.y.dispose();
});

test('decodeWeights dequantizes uint8 / uint16 (q * scale + min), int32 rounding, and float16, at odd offsets', (t) => {
  const before = memory().numTensors;
  const buf = new ArrayBuffer(4 + 3 * 2 + 4 + 6 * 2);
  const v = new DataView(buf);
  [0, 1, 128, 255].forEach((q, i) => v.setUint8(i, q)); // 4 bytes of uint8
  [0, 1000, 65535].forEach((q, i) => v.setUint16(4 + 2 * i, q, true)); // uint16 after them
  [0, 1, 2, 3].forEach((q, i) => v.setUint8(10 + i, q)); // int32 weight quantized as uint8
  [0x3c00, 0xc000, 0x3555, 0x7c00, 0x0001, 0x7bff].forEach((q, i) => v.setUint16(14 + 2 * i, q, true));
  const specs = [
    { name: 'u8', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
    { name: 'u16', shape: [3], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.001, min: 0 } },
    { name: 'i', shape: [4], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.4, min: 1 } },
    { name: 'f16', shape: [6], dtype: 'float32', quantization: { dtype: 'float16' } },
  ];
  // Slice off one leading byte so that the uint16 words sit at odd addresses of the underlying buffer.
  const shifted = new Uint8Array(buf.byteLength + 1);
  shifted.set(new Uint8Array(buf), 1);
  for (const data of [buf, [shifted.buffer.slice(1)]]) {
    const out = io.decodeWeights(data, specs);
    t.deepEqual([...out.u8.dataSync()], [-1, -0.5, 63, 126.5]);
    t.deepEqual(out.u8.shape, [2, 2]);
    t.deepEqual([...out.u16.dataSync()], [0, Math.fround(1000 * 0.001), Math.fround(65535 * 0.001)]);
    t.is(out.i.dtype, 'int32');
    t.deepEqual([...out.i.dataSync()], [1, 1, 2, 2]); // round(1), round(1.4), round(1.8), round(2.2)
    t.deepEqual([...out.f16.dataSync()], [1, -2, Math.fround(0.333251953125), Infinity, Math.fround(2 ** -24), 65504]);
    for (const x of Object.values(out)) x.dispose();
  }
  t.is(memory().numTensors, before);
});

test('BAD CALL – decodeWeights with too few bytes names the weight and the byte range', (t) => {
  const before = memory().numTensors;
  const err = t.throws(() => io.decodeWeights(new ArrayBuffer(20), [
    { name: 'ok', shape: [2], dtype: 'float32' },
    { name: 'dense/kernel', shape: [2, 2], dtype: 'float32' },
  ]));
  t.is(err.code, 'ERR_IO');
  t.is(err.message, "decodeWeights: weight 'dense/kernel' (shape [2,2], float32) needs bytes 8 to 24 but the weight data holds only 20 bytes");
  t.is(memory().numTensors, before, 'the weights decoded before the failure are freed');
});

test('BAD CALL – decodeWeights rejects unsupported dtypes and incomplete quantization', (t) => {
  let err = t.throws(() => io.decodeWeights(new ArrayBuffer(8), [{ name: 's', shape: [1], dtype: 'string' }]));
  t.is(err.code, 'ERR_UNSUPPORTED');
  t.is(err.message, `decodeWeights: weight 's' has dtype "string"; supported: 'float32', 'int32', 'bool'`);
  err = t.throws(() => io.decodeWeights(new ArrayBuffer(8), [{ name: 'q', shape: [1], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1 } }]));
  t.is(err.code, 'ERR_IO');
  t.is(err.message, "decodeWeights: weight 'q' is quantized as uint8 but its quantization lacks numeric 'scale' and 'min'");
  err = t.throws(() => io.decodeWeights(new ArrayBuffer(8), [{ name: 'q', shape: [1], dtype: 'float32', quantization: { dtype: 'int4' } }]));
  t.is(err.code, 'ERR_UNSUPPORTED');
  err = t.throws(() => io.decodeWeights(new ArrayBuffer(8), [{ name: 'bad', shape: [-1], dtype: 'float32' }]));
  t.is(err.code, 'ERR_IO');
  t.is(err.message, "decodeWeights: expected a shape (non-negative integers) for weight 'bad' but received [-1]");
  err = t.throws(() => io.decodeWeights(new ArrayBuffer(8), { name: 'x' }), { instanceOf: TypeError });
  t.is(err.code, 'ERR_INVALID_ARG_TYPE');
});

test('BAD CALL – encodeWeights with a non-tensor names the entry', async (t) => {
  const err = await t.throwsAsync(io.encodeWeights({ w: [1, 2] }), { instanceOf: TypeError });
  t.is(err.code, 'ERR_INVALID_ARG_TYPE');
  t.is(err.message, "encodeWeights: expected a Tensor for 'tensors['w']' but received [1, 2]");
});

test('concatenateArrayBuffers and getWeightSpecs', (t) => {
  const joined = io.concatenateArrayBuffers([new Uint8Array([1, 2]).buffer, new Uint8Array([3]).buffer]);
  t.deepEqual([...new Uint8Array(joined)], [1, 2, 3]);
  const specs = io.getWeightSpecs([{ paths: ['a'], weights: [{ name: 'x', shape: [], dtype: 'float32' }] }, { paths: ['b'], weights: [{ name: 'y', shape: [1], dtype: 'int32' }] }]);
  t.deepEqual(specs.map((s) => s.name), ['x', 'y']);
});
