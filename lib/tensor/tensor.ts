// Tensor and Variable: a typed view of a native TensorHandle plus lifetime
// bookkeeping. Ops are attached as methods by lib/ops/methods.ts.
import { HandleFlags, native, TensorHandle, TypedArray } from '../native';
import { codedError } from '../errors';
import { engine, track } from './engine';
import { bytesPerElement, DataType, DataTypeMap, dtypeCode, Rank } from './dtype';

/** Shared by tensors that view the same memory (reshape), so bytes are counted once. */
class Storage {
  refs = 1;
  constructor(readonly bytes: number) {}
}

export type NestedArray = number | boolean | NestedArray[];

export class Tensor<R extends Rank = Rank> {
  readonly id: number;
  readonly shape: number[];
  readonly dtype: DataType;
  readonly size: number;
  /** @internal */ handle: TensorHandle;
  /** @internal */ storage: Storage;
  /** @internal Kept tensors survive every tidy scope. */ kept = false;
  /** @internal Keras metadata: the mask flowing with this tensor, and pre-softmax logits. */
  kerasMask?: Tensor | null;
  /** @internal */ kerasLogits?: Tensor;
  private disposedFlag = false;

  /** @internal Use the creation functions (tf.tensor, tf.zeros, ...). */
  constructor(handle: TensorHandle, shape: number[], dtype: DataType, storage?: Storage) {
    this.id = engine.nextTensorId++;
    this.handle = handle;
    this.shape = shape;
    this.dtype = dtype;
    let size = 1;
    for (const d of shape) size *= d;
    this.size = size;
    if (storage) {
      storage.refs++;
      this.storage = storage;
    } else {
      this.storage = new Storage(size * bytesPerElement(dtype));
      engine.numBytes += this.storage.bytes;
    }
    engine.numTensors++;
    track(this);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /** @internal Throws a clear error when the tensor was disposed. */
  assertLive(fn = 'tensor'): void {
    if (this.disposedFlag) {
      throw codedError('ERR_TENSOR_DISPOSED', `${fn}: tensor ${this.id} (shape [${this.shape.join(',')}], ${this.dtype}) is disposed`);
    }
  }

  /** A copy of the values as a typed array (synchronous). */
  dataSync<D extends DataType = DataType>(): DataTypeMap[D] {
    this.assertLive('dataSync');
    return this.handle.read() as DataTypeMap[D];
  }

  /** A copy of the values as a typed array. */
  async data<D extends DataType = DataType>(): Promise<DataTypeMap[D]> {
    return this.dataSync<D>();
  }

  /** The values as nested arrays (booleans as 0/1 numbers, as TF.js does). */
  arraySync(): any {
    const flat = Array.from(this.dataSync() as TypedArray);
    if (this.shape.length === 0) return flat[0];
    return nest(flat, this.shape, 0, 0);
  }

  async array(): Promise<any> {
    return this.arraySync();
  }

  /** A string rendering, as TF.js's tensor.toString(). */
  toString(verbose = false): string {
    const head = verbose ? `Tensor\n  dtype: ${this.dtype}\n  rank: ${this.rank}\n  shape: [${this.shape.join(',')}]\n  values:\n` : 'Tensor\n';
    if (this.isDisposed) return head + '    <disposed>';
    return head + '    ' + JSON.stringify(this.arraySync());
  }

  print(verbose = false): void {
    console.log(this.toString(verbose));
  }

  /** Frees the memory now. Safe to call twice. */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    engine.numTensors--;
    if (--this.storage.refs === 0) engine.numBytes -= this.storage.bytes;
    this.handle.dispose();
  }
}

/** A tensor whose value can change: model weights and optimizer state. */
export class Variable<R extends Rank = Rank> extends Tensor<R> {
  readonly name: string;
  trainable: boolean;

  /** @internal Use tf.variable(). */
  constructor(initial: Tensor, trainable: boolean, name: string) {
    super(copyHandle(initial), initial.shape.slice(), initial.dtype);
    untrack(this);
    this.kept = true;
    this.trainable = trainable;
    this.name = name;
    if (engine.variables.has(name)) {
      throw codedError('ERR_INVALID_ARG_VALUE', `variable: a variable named '${name}' already exists`);
    }
    engine.variables.set(name, this);
  }

  /** Replaces the value (same shape and dtype) by copying from `value`. */
  assign(value: Tensor): void {
    this.assertLive('Variable.assign');
    value.assertLive('Variable.assign');
    if (value.dtype !== this.dtype) {
      throw codedError('ERR_DTYPE_MISMATCH', `Variable.assign: variable '${this.name}' is ${this.dtype} but the value is ${value.dtype}`);
    }
    if (value.shape.length !== this.shape.length || value.shape.some((d, i) => d !== this.shape[i])) {
      throw codedError('ERR_SHAPE_MISMATCH', `Variable.assign: variable '${this.name}' has shape [${this.shape.join(',')}] but the value has shape [${value.shape.join(',')}]`);
    }
    native.tile(value.handle, this.handle);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (engine.variables.get(this.name) === this) engine.variables.delete(this.name);
    super.dispose();
  }
}

function copyHandle(t: Tensor): TensorHandle {
  t.assertLive('variable');
  const h = new native.TensorHandle(dtypeCode(t.dtype), t.shape);
  // tile with equal shapes is a plain copy, for any dtype.
  native.tile(t.handle, h);
  return h;
}

function untrack(t: Tensor): void {
  for (const s of engine.scopes) {
    const i = s.tracked.lastIndexOf(t);
    if (i >= 0) s.tracked.splice(i, 1);
  }
}

function nest(flat: number[], shape: number[], dim: number, offset: number): any {
  const n = shape[dim];
  if (dim === shape.length - 1) return flat.slice(offset, offset + n);
  const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = nest(flat, shape, dim + 1, offset + i * stride);
  return out;
}

/** @internal Wraps a freshly written handle. */
export function fromHandle(handle: TensorHandle, shape: number[], dtype: DataType): Tensor {
  return new Tensor(handle, shape, dtype);
}

/** @internal A view with another shape over the same memory. */
export function reshapeView(t: Tensor, shape: number[]): Tensor {
  return new Tensor(t.handle.reshape(shape), shape, t.dtype, t.storage);
}

/**
 * @internal Allocates an output, lets `write` fill it through a kernel, and
 * frees it again if the kernel throws.
 */
export function makeOutput(shape: number[], dtype: DataType, write: (h: TensorHandle) => void, zero = false): Tensor {
  const h = new native.TensorHandle(dtypeCode(dtype), shape, null, zero ? HandleFlags.Zero : HandleFlags.None);
  try {
    write(h);
  } catch (e) {
    h.dispose();
    throw e;
  }
  return new Tensor(h, shape, dtype);
}

/** @internal A tensor from a typed array of the dtype's element type (copied, or adopted when `adopt`). */
export function fromTypedArray(values: TypedArray, shape: number[], dtype: DataType, adopt = false): Tensor {
  const h = new native.TensorHandle(dtypeCode(dtype), shape, values, adopt ? HandleFlags.Adopt : HandleFlags.None);
  return new Tensor(h, shape, dtype);
}
