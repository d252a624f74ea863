// tf.util: the small helpers TF.js programs call directly (assertions, shuffling
// data arrays, shape arithmetic, timing, string bytes).
import { codedError, shapeError, typeError } from '../errors';

type AnyArray = unknown[] | Float32Array | Int32Array | Uint8Array | Uint32Array | Float64Array | Int8Array | Int16Array | Uint16Array | Uint8ClampedArray;

/**
 * Throws an Error with `msg` (a string, or a function giving it lazily) when
 * `expr` is false. `tf.util.assert(x.rank === 2, () => 'x must be a matrix')`.
 */
export function assert(expr: unknown, msg: string | (() => string)): asserts expr {
  if (!expr) throw codedError('ERR_INVALID_ARG_VALUE', typeof msg === 'function' ? msg() : msg);
}

/** Shuffles an array (or typed array) in place, Fisher-Yates with Math.random. `tf.util.shuffle(indices)`. */
export function shuffle(array: AnyArray): void {
  if (!Array.isArray(array) && !isTypedArray(array)) throw typeError('util.shuffle', 'array', 'an array or typed array', array);
  const a = array as unknown[];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const tmp = a[i];
    a[i] = a[j];
    a[j] = tmp;
  }
}

/**
 * Shuffles two arrays of one length in place with the same permutation, so
 * pairs stay pairs. `tf.util.shuffleCombo(images, labels)`.
 */
export function shuffleCombo(array: AnyArray, array2: AnyArray): void {
  const fn = 'util.shuffleCombo';
  if (!Array.isArray(array) && !isTypedArray(array)) throw typeError(fn, 'array', 'an array or typed array', array);
  if (!Array.isArray(array2) && !isTypedArray(array2)) throw typeError(fn, 'array2', 'an array or typed array', array2);
  if (array.length !== array2.length) {
    throw shapeError(fn, 'array and array2 must have the same length', [array.length], [array2.length]);
  }
  const a = array as unknown[];
  const b = array2 as unknown[];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    let tmp = a[i];
    a[i] = a[j];
    a[j] = tmp;
    tmp = b[i];
    b[i] = b[j];
    b[j] = tmp;
  }
}

/** 0, 1, ..., n - 1 in random order. `tf.util.createShuffledIndices(60000)`. */
export function createShuffledIndices(n: number): Uint32Array {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw typeError('util.createShuffledIndices', 'n', 'a non-negative integer', n);
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  shuffle(indices);
  return indices;
}

/** The number of elements of a shape (1 for []). `tf.util.sizeFromShape([2, 3])` → 6. */
export function sizeFromShape(shape: number[]): number {
  if (!Array.isArray(shape)) throw typeError('util.sizeFromShape', 'shape', 'an array of integers', shape);
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A high-resolution timestamp in milliseconds. `const t0 = tf.util.now()`. */
export function now(): number {
  return performance.now();
}

/** Whether two arrays hold the same elements in the same order. `tf.util.arraysEqual([1, 2], [1, 2])` → true. */
export function arraysEqual(a: ArrayLike<unknown>, b: ArrayLike<unknown>): boolean {
  if (a === b) return true;
  if (a == null || b == null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Throws a shape error naming both shapes unless they are equal; `errorMessagePrefix`
 * starts the message. `tf.util.assertShapesMatch(a.shape, b.shape, 'add:')`.
 */
export function assertShapesMatch(shapeA: number[], shapeB: number[], errorMessagePrefix = ''): void {
  if (!arraysEqual(shapeA, shapeB)) {
    const prefix = errorMessagePrefix.replace(/:?\s*$/, '') || 'util.assertShapesMatch';
    throw shapeError(prefix, 'shapes must match', shapeA, shapeB);
  }
}

type Nested<T> = T | Nested<T>[];

/**
 * Nested arrays flattened into one array, depth first (typed arrays inside
 * are flattened too unless `skipTypedArray`). `tf.util.flatten([[1, 2], [3]])` → [1, 2, 3].
 */
export function flatten<T>(arr: Nested<T> | ArrayLike<T>, result: T[] = [], skipTypedArray = false): T[] {
  if (Array.isArray(arr) || (isTypedArray(arr) && !skipTypedArray)) {
    const a = arr as ArrayLike<Nested<T>>;
    for (let i = 0; i < a.length; i++) flatten(a[i], result, skipTypedArray);
  } else {
    result.push(arr as T);
  }
  return result;
}

/** Whether `a` is a typed array (Float32Array, Int32Array, ...), not a DataView. */
export function isTypedArray(a: unknown): a is Float32Array | Int32Array | Uint8Array | Uint8ClampedArray {
  return ArrayBuffer.isView(a) && !(a instanceof DataView);
}

/** A string's bytes (UTF-8 by default). `tf.util.encodeString('héllo')`. */
export function encodeString(s: string, encoding: BufferEncoding = 'utf-8'): Uint8Array {
  if (typeof s !== 'string') throw typeError('util.encodeString', 's', 'a string', s);
  return new Uint8Array(Buffer.from(s, encoding));
}

/** The string those bytes encode (UTF-8 by default). `tf.util.decodeString(bytes)`. */
export function decodeString(bytes: Uint8Array, encoding: BufferEncoding = 'utf-8'): string {
  if (!(bytes instanceof Uint8Array)) throw typeError('util.decodeString', 'bytes', 'a Uint8Array', bytes);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(encoding);
}
