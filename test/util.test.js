// tf.util helpers against hand-checked values.
const test = require('ava');
const util = require('../dist/util');

test('assert throws the message, built lazily', (t) => {
  t.notThrows(() => util.assert(true, () => t.fail('message built when the assertion holds')));
  t.throws(() => util.assert(false, 'x must be positive'), { instanceOf: Error, message: 'x must be positive' });
  const e = t.throws(() => util.assert(0, () => 'lazy'));
  t.is(e.message, 'lazy');
  t.is(e.code, 'ERR_INVALID_ARG_VALUE');
});

test('shuffle permutes in place', (t) => {
  const a = Array.from({ length: 100 }, (_, i) => i);
  util.shuffle(a);
  t.notDeepEqual(a, Array.from({ length: 100 }, (_, i) => i));
  t.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  const typed = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  util.shuffle(typed);
  t.deepEqual(Array.from(typed).sort(), [1, 2, 3, 4, 5, 6, 7, 8]);
  t.throws(() => util.shuffle('abc'), { instanceOf: TypeError, message: "util.shuffle: expected an array or typed array for 'array' but received 'abc'" });
});

test('shuffleCombo keeps pairs together', (t) => {
  const a = Array.from({ length: 50 }, (_, i) => i);
  const b = Int32Array.from(a, (i) => i * 10);
  util.shuffleCombo(a, b);
  t.notDeepEqual(a, Array.from({ length: 50 }, (_, i) => i));
  a.forEach((v, i) => t.is(b[i], v * 10));
  const e = t.throws(() => util.shuffleCombo([1, 2], [1]));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'util.shuffleCombo: array and array2 must have the same length ([2] and [1])');
});

test('createShuffledIndices is a permutation of 0..n-1', (t) => {
  const idx = util.createShuffledIndices(1000);
  t.true(idx instanceof Uint32Array);
  t.deepEqual(Array.from(idx).sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  t.is(util.createShuffledIndices(0).length, 0);
  t.throws(() => util.createShuffledIndices(-1), { instanceOf: TypeError });
});

test('sizeFromShape, arraysEqual, assertShapesMatch', (t) => {
  t.is(util.sizeFromShape([2, 3, 4]), 24);
  t.is(util.sizeFromShape([]), 1);
  t.is(util.sizeFromShape([5, 0]), 0);
  t.true(util.arraysEqual([1, 2], [1, 2]));
  t.true(util.arraysEqual(Float32Array.from([1, 2]), [1, 2]));
  t.false(util.arraysEqual([1, 2], [1, 2, 3]));
  t.false(util.arraysEqual([1, 2], [2, 1]));
  t.notThrows(() => util.assertShapesMatch([2, 3], [2, 3]));
  const e = t.throws(() => util.assertShapesMatch([2, 3], [3, 2], 'myOp:'));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'myOp: shapes must match ([2,3] and [3,2])');
  t.throws(() => util.assertShapesMatch([1], [2]), { message: 'util.assertShapesMatch: shapes must match ([1] and [2])' });
});

test('now is a high-resolution, increasing clock in ms', (t) => {
  const a = util.now();
  const end = Date.now() + 5;
  while (Date.now() < end);
  const b = util.now();
  t.true(b - a >= 4 && b - a < 1000);
});

test('flatten nested arrays and typed arrays', (t) => {
  t.deepEqual(util.flatten([[1, 2], [3, [4, [5]]]]), [1, 2, 3, 4, 5]);
  t.deepEqual(util.flatten([Float32Array.from([1, 2]), [3]]), [1, 2, 3]);
  const typed = Int32Array.from([1, 2]);
  t.deepEqual(util.flatten([typed, [3]], [], true), [typed, 3]);
  t.deepEqual(util.flatten(7), [7]);
});

test('isTypedArray, encodeString, decodeString', (t) => {
  t.true(util.isTypedArray(new Float32Array(2)));
  t.true(util.isTypedArray(new Uint8Array(2)));
  t.false(util.isTypedArray([1, 2]));
  t.false(util.isTypedArray(new DataView(new ArrayBuffer(2))));
  const bytes = util.encodeString('héllo');
  t.true(bytes instanceof Uint8Array);
  t.deepEqual(Array.from(bytes), [104, 195, 169, 108, 108, 111]);
  t.is(util.decodeString(bytes), 'héllo');
  t.is(util.decodeString(util.encodeString('abc', 'latin1'), 'latin1'), 'abc');
  t.throws(() => util.encodeString(5), { instanceOf: TypeError });
  t.throws(() => util.decodeString('abc'), { instanceOf: TypeError, message: /decodeString: expected a Uint8Array/ });
});
