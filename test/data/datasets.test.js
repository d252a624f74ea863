const test = require('ava');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const tf = require('../../dist');
const { readIdx, loadMnist, toCategorical } = require('../../dist/data');

// Writes an IDX file the way MNIST's are laid out: 0,0,type,rank, big-endian dims, data.
function idxBytes(typeCode, shape, values, bytesPer, write) {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = typeCode;
  header[3] = shape.length;
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const body = Buffer.alloc(values.length * bytesPer);
  values.forEach((v, i) => write(body, v, i * bytesPer));
  return Buffer.concat([header, body]);
}
const u8 = (shape, values) => idxBytes(0x08, shape, values, 1, (b, v, o) => b.writeUInt8(v, o));

function tmpdir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tf-idx-'));
}

function writeMnist(dir, n, gz) {
  const images = Array.from({ length: n * 28 * 28 }, (_, i) => (i * 7) % 256);
  const labels = Array.from({ length: n }, (_, i) => i % 10);
  const put = (name, bytes) => fs.writeFileSync(path.join(dir, gz ? `${name}.gz` : name), gz ? zlib.gzipSync(bytes) : bytes);
  for (const prefix of ['train', 't10k']) {
    put(`${prefix}-images-idx3-ubyte`, u8([n, 28, 28], images));
    put(`${prefix}-labels-idx1-ubyte`, u8([n], labels));
  }
  return { images, labels };
}

test('readIdx reads raw and gzipped uint8 files with their shape', (t) => {
  const dir = tmpdir();
  const bytes = u8([2, 3], [1, 2, 3, 250, 251, 252]);
  fs.writeFileSync(path.join(dir, 'a'), bytes);
  fs.writeFileSync(path.join(dir, 'a.gz'), zlib.gzipSync(bytes));
  for (const f of ['a', 'a.gz']) {
    const r = readIdx(path.join(dir, f));
    t.deepEqual(r.shape, [2, 3]);
    t.deepEqual(Array.from(r.data), [1, 2, 3, 250, 251, 252]);
  }
});

test('readIdx reads big-endian int32 and float32 files', (t) => {
  const dir = tmpdir();
  fs.writeFileSync(path.join(dir, 'i'), idxBytes(0x0c, [3], [-5, 7, 1 << 20], 4, (b, v, o) => b.writeInt32BE(v, o)));
  fs.writeFileSync(path.join(dir, 'f'), idxBytes(0x0d, [2], [1.5, -0.25], 4, (b, v, o) => b.writeFloatBE(v, o)));
  t.deepEqual(Array.from(readIdx(path.join(dir, 'i')).data), [-5, 7, 1 << 20]);
  t.deepEqual(Array.from(readIdx(path.join(dir, 'f')).data), [1.5, -0.25]);
});

test('BAD CALL – readIdx rejects a bad magic number, a truncated file and a missing file', (t) => {
  const dir = tmpdir();
  const good = u8([2, 2], [1, 2, 3, 4]);
  const badMagic = Buffer.from(good);
  badMagic[0] = 1;
  fs.writeFileSync(path.join(dir, 'magic'), badMagic);
  fs.writeFileSync(path.join(dir, 'short'), good.subarray(0, good.length - 1));
  let e = t.throws(() => readIdx(path.join(dir, 'magic')));
  t.is(e.code, 'ERR_IO');
  t.regex(e.message, /magic number/);
  e = t.throws(() => readIdx(path.join(dir, 'short')));
  t.regex(e.message, /shape \[2,2\] of uint8 needs 16 bytes but the file has 15/);
  e = t.throws(() => readIdx(path.join(dir, 'nope')));
  t.is(e.code, 'ERR_IO');
  t.regex(e.message, /cannot read/);
});

test('loadMnist returns scaled float32 images and int32 labels from gzipped or raw files', (t) => {
  for (const gz of [true, false]) {
    const dir = tmpdir();
    const { images, labels } = writeMnist(dir, 3, gz);
    const before = tf.memory().numTensors;
    const { train, test: testSplit } = loadMnist({ dir });
    t.deepEqual(train.images.shape, [3, 28, 28, 1]);
    t.is(train.images.dtype, 'float32');
    t.deepEqual(train.labels.shape, [3]);
    t.is(train.labels.dtype, 'int32');
    const px = train.images.dataSync();
    t.true(Math.abs(px[5] - images[5] / 255) < 1e-7);
    t.deepEqual(Array.from(testSplit.labels.dataSync()), labels);
    tf.dispose([train, testSplit]);
    t.is(tf.memory().numTensors, before);
  }
});

test('loadMnist can keep raw pixel values and flatten images', (t) => {
  const dir = tmpdir();
  const { images } = writeMnist(dir, 2, true);
  const { train, test: testSplit } = loadMnist({ dir, scale: false, imageShape: [784] });
  t.deepEqual(train.images.shape, [2, 784]);
  t.is(train.images.dataSync()[9], images[9]);
  tf.dispose([train, testSplit]);
});

test('BAD CALL – loadMnist names the missing file and the fix', (t) => {
  const e = t.throws(() => loadMnist({ dir: tmpdir() }));
  t.is(e.code, 'ERR_IO');
  t.regex(e.message, /train-images-idx3-ubyte/);
});

test('toCategorical makes one-hot float32 rows', (t) => {
  const y = toCategorical(tf.tensor1d([0, 2, 1], 'int32'), 3);
  t.deepEqual(y.shape, [3, 3]);
  t.is(y.dtype, 'float32');
  t.deepEqual(y.arraySync(), [[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
  t.deepEqual(toCategorical([1, 0]).arraySync(), [[0, 1], [1, 0]]);
});

test('BAD CALL – toCategorical rejects negative ids and too few classes', (t) => {
  let e = t.throws(() => toCategorical([0, -1], 3), { instanceOf: RangeError });
  t.regex(e.message, /toCategorical: expected non-negative integer class ids for 'labels' but received -1/);
  e = t.throws(() => toCategorical([0, 4], 3), { instanceOf: RangeError });
  t.regex(e.message, /numClasses/);
});
