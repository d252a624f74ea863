// Deterministic lifetimes: tidy, keep, dispose, memory.
import { typeError } from '../errors';
import { endScope, engine, startScope } from './engine';
import { Tensor } from './tensor';

export type TensorContainer = Tensor | TensorContainer[] | { [key: string]: TensorContainer } | number | string | boolean | null | undefined | void;

/** Adds every tensor in x (a tensor, or nested arrays / plain objects of them) to out. */
export function collect(x: unknown, out: Set<Tensor>, depth = 0): void {
  if (x instanceof Tensor) out.add(x);
  else if (depth > 32 || x === null || typeof x !== 'object') return;
  else if (Array.isArray(x)) for (const v of x) collect(v, out, depth + 1);
  else if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) collect(v, out, depth + 1);
}

/**
 * Runs fn and disposes every tensor it created except those it returns
 * (a tensor, or arrays / objects of them) and those passed to keep().
 * `tf.tidy(() => a.add(b).square())` leaves only the result alive.
 */
export function tidy<T extends TensorContainer>(nameOrFn: string | (() => T), maybeFn?: () => T): T {
  const fn = typeof nameOrFn === 'function' ? nameOrFn : maybeFn;
  const name = typeof nameOrFn === 'string' ? nameOrFn : 'tidy';
  if (typeof fn !== 'function') throw typeError('tidy', 'fn', 'a function', fn);
  startScope(name);
  const keep = new Set<Tensor>();
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) {
      throw typeError('tidy', 'fn', 'a synchronous function (tidy cannot track async work)', result);
    }
    collect(result, keep);
  } finally {
    endScope(keep);
  }
  return result;
}

/** Keeps a tensor alive past the tidy scopes around it. */
export function keep<T extends Tensor>(t: T): T {
  if (!(t instanceof Tensor)) throw typeError('keep', 't', 'a tensor', t);
  t.kept = true;
  return t;
}

/** Disposes a tensor, or every tensor inside arrays / plain objects. */
export function dispose(container: TensorContainer): void {
  const s = new Set<Tensor>();
  collect(container, s);
  for (const t of s) t.dispose();
}

export interface MemoryInfo {
  numTensors: number;
  numBytes: number;
  numDataBuffers: number;
  /** Bytes on accelerators (0 on the CPU backend). */
  numBytesInGPU: number;
  unreliable: boolean;
}

export function memory(): MemoryInfo {
  return { numTensors: engine.numTensors, numBytes: engine.numBytes, numDataBuffers: engine.numTensors, numBytesInGPU: 0, unreliable: false };
}
