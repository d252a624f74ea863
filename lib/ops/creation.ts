// Creating tensors: from values, constants, ranges and buffers.
import { native, TypedArray } from '../native';
import { check, rangeError, shapeError, typeError } from '../errors';
import { DataType, DTYPES, typedArrayFor } from '../tensor/dtype';
import { fromTypedArray, makeOutput, NestedArray, Tensor, Variable } from '../tensor/tensor';

function inferShape(values: unknown, fn: string): number[] {
  const shape: number[] = [];
  let v: unknown = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  if (ArrayBuffer.isView(v)) shape.push((v as TypedArray).length);
  return shape;
}

function flattenInto(values: unknown, shape: number[], dim: number, out: TypedArray, offset: number, fn: string): number {
  if (dim === shape.length) {
    if (typeof values === 'boolean') out[offset] = values ? 1 : 0;
    else if (typeof values === 'number') out[offset] = values;
    else throw typeError(fn, 'values', 'numbers or booleans', values);
    return offset + 1;
  }
  const arr = values as ArrayLike<unknown>;
  if ((!Array.isArray(arr) && !ArrayBuffer.isView(arr)) || arr.length !== shape[dim]) {
    throw typeError(fn, 'values', `a nested array of shape [${shape.join(',')}] (every row the same length)`, values);
  }
  for (let i = 0; i < arr.length; i++) offset = flattenInto(arr[i], shape, dim + 1, out, offset, fn);
  return offset;
}

function inferDtype(values: unknown): DataType {
  if (values instanceof Int32Array) return 'int32';
  if (values instanceof Uint8Array) return 'bool';
  let v: unknown = values;
  while (Array.isArray(v)) v = v[0];
  return typeof v === 'boolean' ? 'bool' : 'float32';
}

/**
 * Creates a tensor from a number, boolean, (nested) array or typed array.
 * `tf.tensor([[1, 2], [3, 4]])` is a 2x2 float32 tensor; `tf.tensor([1, 2, 3, 4], [2, 2], 'int32')` too, as int32.
 */
export function tensor(values: NestedArray | TypedArray | Float64Array, shape?: number[], dtype?: DataType): Tensor {
  const fn = 'tensor';
  if (dtype !== undefined) check.oneOf(fn, 'dtype', dtype, DTYPES);
  if (shape !== undefined) check.isShape(fn, 'shape', shape);
  const d = dtype ?? inferDtype(values);
  const inferred = typeof values === 'number' || typeof values === 'boolean' ? [] : inferShape(values, fn);
  let size = 1;
  for (const s of inferred) size *= s;
  const target = shape ?? inferred;
  let targetSize = 1;
  for (const s of target) targetSize *= s;
  let flat: TypedArray;
  if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
    const ta = values as TypedArray;
    if (ta.length !== targetSize) throw shapeError(fn, `the number of values does not match the shape`, [ta.length], target);
    flat = typedArrayFor(d, ta.length);
    if (d === 'bool') for (let i = 0; i < ta.length; i++) flat[i] = ta[i] ? 1 : 0;
    else flat.set(ta as any);
  } else {
    flat = typedArrayFor(d, size);
    flattenInto(values, inferred, 0, flat, 0, fn);
    if (d === 'bool') for (let i = 0; i < flat.length; i++) flat[i] = flat[i] ? 1 : 0;
    if (size !== targetSize) {
      // A flat array with an explicit shape, or one value filled over the shape.
      if (size === 1 && shape !== undefined && inferred.length === 0) return fill(target, flat[0], d);
      throw shapeError(fn, `the number of values does not match the shape`, inferred, target, `${size} values for ${targetSize} elements`);
    }
  }
  return fromTypedArray(flat, target.slice(), d, true);
}

export function scalar(value: number | boolean, dtype?: DataType): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') throw typeError('scalar', 'value', 'a number or boolean', value);
  return tensor(value, [], dtype);
}

function ofRank(fn: string, rank: number) {
  return (values: NestedArray | TypedArray, shape?: number[], dtype?: DataType): Tensor => {
    const t = tensor(values, shape, dtype);
    if (t.rank !== rank) {
      const r = t.rank;
      t.dispose();
      throw rangeError(fn, 'values', `values of rank ${rank}`, `values of rank ${r}`);
    }
    return t;
  };
}
/** As TF.js: tensor1d(values, dtype?) takes no shape. */
export function tensor1d(values: NestedArray | TypedArray, dtype?: DataType): Tensor {
  return ofRank('tensor1d', 1)(values, undefined, dtype);
}
export const tensor2d = ofRank('tensor2d', 2);
export const tensor3d = ofRank('tensor3d', 3);
export const tensor4d = ofRank('tensor4d', 4);
export const tensor5d = ofRank('tensor5d', 5);
export const tensor6d = ofRank('tensor6d', 6);

/** A tensor of `shape` filled with `value`. */
export function fill(shape: number[], value: number | boolean, dtype?: DataType): Tensor {
  check.isShape('fill', 'shape', shape);
  const d = dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  check.oneOf('fill', 'dtype', d, DTYPES);
  return makeOutput(shape.slice(), d, (h) => native.fill(h, Number(value)));
}

export function zeros(shape: number[], dtype: DataType = 'float32'): Tensor {
  check.isShape('zeros', 'shape', shape);
  check.oneOf('zeros', 'dtype', dtype, DTYPES);
  return makeOutput(shape.slice(), dtype, () => {}, true);
}

export function ones(shape: number[], dtype: DataType = 'float32'): Tensor {
  return fill(shape, 1, dtype);
}

export function zerosLike(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw typeError('zerosLike', 'x', 'a Tensor', x);
  return zeros(x.shape, x.dtype);
}

export function onesLike(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw typeError('onesLike', 'x', 'a Tensor', x);
  return ones(x.shape, x.dtype);
}

/** [start, start + step, ...) up to stop, as TF.js's tf.range. */
export function range(start: number, stop?: number, step = 1, dtype: DataType = 'float32'): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  check.isNumber('range', 'start', start);
  check.isNumber('range', 'stop', stop);
  check.isNumber('range', 'step', step);
  if (step === 0) throw rangeError('range', 'step', 'a non-zero number', step);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const out = typedArrayFor(dtype, n);
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  return fromTypedArray(out, [n], dtype, true);
}

export function linspace(start: number, stop: number, num: number): Tensor {
  check.isInt('linspace', 'num', num, 1);
  const out = new Float32Array(num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) out[i] = start + i * step;
  return fromTypedArray(out, [num], 'float32', true);
}

/** Identity matrix (numRows x numColumns), optionally batched. */
export function eye(numRows: number, numColumns?: number, batchShape?: number[], dtype: DataType = 'float32'): Tensor {
  check.isInt('eye', 'numRows', numRows, 0);
  const cols = numColumns ?? numRows;
  check.isInt('eye', 'numColumns', cols, 0);
  const batch = batchShape ?? [];
  const b = batch.reduce((a, c) => a * c, 1);
  const out = typedArrayFor(dtype, b * numRows * cols);
  for (let k = 0; k < b; k++) for (let i = 0; i < Math.min(numRows, cols); i++) out[k * numRows * cols + i * cols + i] = 1;
  return fromTypedArray(out, [...batch, numRows, cols], dtype, true);
}

/** A mutable host buffer that becomes a tensor with toTensor(). */
export class TensorBuffer {
  readonly size: number;
  readonly strides: number[];
  readonly values: TypedArray;
  constructor(readonly shape: number[], readonly dtype: DataType = 'float32', values?: TypedArray) {
    check.isShape('buffer', 'shape', shape);
    this.size = shape.reduce((a, b) => a * b, 1);
    this.strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1)).slice(0, -1);
    if (values && values.length !== this.size) throw shapeError('buffer', 'values do not match the shape', [values.length], shape);
    this.values = values ?? typedArrayFor(dtype, this.size);
  }
  private index(locs: number[]): number {
    if (locs.length !== this.shape.length) throw rangeError('TensorBuffer', 'locs', `${this.shape.length} indices`, locs);
    let i = 0;
    for (let k = 0; k < locs.length; k++) {
      if (!Number.isInteger(locs[k]) || locs[k] < 0 || locs[k] >= this.shape[k]) throw rangeError('TensorBuffer', 'locs', `indices within [${this.shape.join(',')}]`, locs);
      i = i * this.shape[k] + locs[k];
    }
    return i;
  }
  set(value: number | boolean, ...locs: number[]): void {
    this.values[this.index(locs)] = Number(value);
  }
  get(...locs: number[]): number {
    return this.values[this.index(locs)];
  }
  toTensor(): Tensor {
    return tensor(this.values, this.shape, this.dtype);
  }
}

export function buffer(shape: number[], dtype: DataType = 'float32', values?: TypedArray): TensorBuffer {
  return new TensorBuffer(shape, dtype, values);
}

let variableCounter = 0;

/**
 * A mutable tensor that gradients can be taken with respect to.
 * `const w = tf.variable(tf.zeros([3]))`; `w.assign(tf.ones([3]))`.
 */
export function variable(initialValue: Tensor, trainable = true, name?: string, dtype?: DataType): Variable {
  if (!(initialValue instanceof Tensor)) throw typeError('variable', 'initialValue', 'a Tensor', initialValue);
  if (name !== undefined && typeof name !== 'string') throw typeError('variable', 'name', 'a string', name);
  if (dtype !== undefined && dtype !== initialValue.dtype) {
    throw typeError('variable', 'dtype', `the initial value's dtype '${initialValue.dtype}'`, dtype);
  }
  return new Variable(initialValue, trainable, name ?? `Variable_${variableCounter++}`);
}
