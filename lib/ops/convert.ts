// Turning op arguments (tensors, numbers, nested arrays, typed arrays) into
// tensors, with the one error formula when that is not possible.
import { typeError } from '../errors';
import { DataType } from '../tensor/dtype';
import { Tensor } from '../tensor/tensor';
import { tensor } from './creation';

export type TensorLike = Tensor | number | boolean | number[] | boolean[] | any[] | Float32Array | Int32Array | Uint8Array;

/**
 * `x` as a tensor: a live tensor is returned as is; a number, boolean or
 * (nested) array becomes a new tensor of `dtype` (or the inferred one).
 */
export function toTensor(x: unknown, arg: string, fn: string, dtype?: DataType): Tensor {
  if (x instanceof Tensor) {
    x.assertLive(fn);
    return x;
  }
  if (typeof x === 'number' || typeof x === 'boolean' || Array.isArray(x) || ArrayBuffer.isView(x)) {
    return tensor(x as any, undefined, dtype ?? (typeof x === 'boolean' ? 'bool' : undefined));
  }
  throw typeError(fn, arg, 'a Tensor, number, boolean, array or typed array', x);
}

/** The same for an operand of a binary op: a plain number takes the other operand's dtype. */
export function toTensorLike(x: unknown, other: unknown, arg: string, fn: string): Tensor {
  if (typeof x === 'number' && other instanceof Tensor) return toTensor(x, arg, fn, other.dtype === 'bool' ? 'float32' : other.dtype);
  return toTensor(x, arg, fn);
}
