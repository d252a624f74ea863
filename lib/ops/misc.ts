// The rest of TF.js's top-level tensor helpers that are not ops of one family:
// printing, timing, and yielding to the event loop.
import { typeError } from '../errors';
import { Tensor } from '../tensor/tensor';

/** Prints x (its values; with `verbose`, also dtype, rank and shape). `tf.print(tf.tensor([1, 2]))`. */
export function print(x: Tensor, verbose = false): void {
  if (!(x instanceof Tensor)) throw typeError('print', 'x', 'a Tensor', x);
  x.print(verbose);
}

export interface TimingInfo {
  /** Wall-clock milliseconds f took. */
  wallMs: number;
  /** Kernels run synchronously on the calling thread, so this equals wallMs. */
  kernelMs: number;
}

/**
 * How long f takes, as TF.js's tf.time. `const {wallMs} = await tf.time(() => a.matMul(b))`.
 * (f's result is not disposed: wrap f's body in tf.tidy to free it.)
 */
export async function time(f: () => unknown): Promise<TimingInfo> {
  if (typeof f !== 'function') throw typeError('time', 'f', 'a function', f);
  const start = performance.now();
  await f();
  const wallMs = performance.now() - start;
  return { wallMs, kernelMs: wallMs };
}

/**
 * Resolves after the event loop has run once (pending I/O and timers get
 * their turn), as TF.js programs `await tf.nextFrame()` inside long loops.
 */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
