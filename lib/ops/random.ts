// Random tensors. Every draw comes from the native counter-based generator
// (Philox): element i of a call is a pure function of (seed, offset + i).
// Without a seed argument a call takes the next counters of the global stream
// (reproducible after setSeed); with one it uses (seed, 0), so the same call
// with the same seed gives the same numbers, as TF.js's seeded ops do.
import { DTypeCode, native, TensorHandle, UnaryOp } from '../native';
import { check, rangeError, typeError } from '../errors';
import { DataType } from '../tensor/dtype';
import { engine, nextRandom } from '../tensor/engine';
import { fromTypedArray, makeOutput, Tensor } from '../tensor/tensor';
import { toTensor, TensorLike } from './convert';
import { freeTemps } from './elementwise';
import { sizeOf } from '../tensor/shape';

export type Seed = number | string;

const NUMERIC: readonly DataType[] = ['float32', 'int32'];

/** A seed the native generator takes: non-negative safe integers as they are, anything else hashed (FNV-1a). */
function seedValue(fn: string, seed: unknown): number {
  if (typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0) return seed;
  if ((typeof seed !== 'number' || !Number.isFinite(seed)) && typeof seed !== 'string') {
    throw typeError(fn, 'seed', 'a number or a string', seed);
  }
  const s = String(seed);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function counters(fn: string, seed: unknown, count: number): { seed: number; offset: number } {
  return seed === undefined || seed === null ? nextRandom(count) : { seed: seedValue(fn, seed), offset: 0 };
}

/**
 * Restarts the global random stream from `seed`: every unseeded random op
 * (and dropout, and the initializers that draw from it) then repeats the
 * same sequence. `tf.setSeed(42)`.
 */
export function setSeed(seed: Seed): void {
  engine.seed = seedValue('setSeed', seed);
  engine.randomOffset = 0;
}

/**
 * Values drawn uniformly from [minval, maxval); int32 gives integers in that
 * range. `tf.randomUniform([2, 3], -1, 1)`, `tf.randomUniform([4], 0, 10, 'int32', 7)`.
 */
export function randomUniform(shape: number[], minval = 0, maxval = 1, dtype: DataType = 'float32', seed?: Seed): Tensor {
  const fn = 'randomUniform';
  check.isShape(fn, 'shape', shape);
  check.isNumber(fn, 'minval', minval);
  check.isNumber(fn, 'maxval', maxval);
  check.oneOf(fn, 'dtype', dtype, NUMERIC);
  if (dtype === 'int32' && !(maxval > minval)) throw rangeError(fn, 'maxval', `a number > minval (${minval}) for int32`, maxval);
  const c = counters(fn, seed, sizeOf(shape));
  return makeOutput(shape.slice(), dtype, (h) => native.randomUniform(c.seed, c.offset, minval, maxval, h));
}

/** Integers drawn uniformly from [minval, maxval), as TF.js's randomUniformInt. `tf.randomUniformInt([3], 0, 10)`. */
export function randomUniformInt(shape: number[], minval: number, maxval: number, seed?: Seed): Tensor {
  return randomUniform(shape, minval, maxval, 'int32', seed);
}

function normal(fn: string, shape: number[], mean: number, stdDev: number, dtype: DataType, seed: unknown, truncated: boolean): Tensor {
  check.isShape(fn, 'shape', shape);
  check.isNumber(fn, 'mean', mean);
  check.isNumber(fn, 'stdDev', stdDev);
  if (stdDev < 0) throw rangeError(fn, 'stdDev', 'a number >= 0', stdDev);
  check.oneOf(fn, 'dtype', dtype, NUMERIC);
  const c = counters(fn, seed, sizeOf(shape));
  const draw = (h: TensorHandle): void => native.randomNormal(c.seed, c.offset, mean, stdDev, truncated, h);
  if (dtype === 'float32') return makeOutput(shape.slice(), 'float32', draw);
  // int32 as TF.js: draw in float, then round to the nearest integer.
  const f = new native.TensorHandle(DTypeCode.Float32, shape);
  const r = new native.TensorHandle(DTypeCode.Float32, shape);
  try {
    draw(f);
    native.unary(UnaryOp.Round, f, r, 0, 0);
    return makeOutput(shape.slice(), 'int32', (h) => native.cast(r, h));
  } finally {
    f.dispose();
    r.dispose();
  }
}

/** Values from a normal distribution. `tf.randomNormal([2, 2], 0, 0.05)`. */
export function randomNormal(shape: number[], mean = 0, stdDev = 1, dtype: DataType = 'float32', seed?: Seed): Tensor {
  return normal('randomNormal', shape, mean, stdDev, dtype, seed, false);
}

/** Values from a normal distribution, drawn again where they fall beyond 2 standard deviations. `tf.truncatedNormal([3, 3])`. */
export function truncatedNormal(shape: number[], mean = 0, stdDev = 1, dtype: DataType = 'float32', seed?: Seed): Tensor {
  return normal('truncatedNormal', shape, mean, stdDev, dtype, seed, true);
}

/** Values from the standard normal distribution (mean 0, stdDev 1). `tf.randomStandardNormal([5])`. */
export function randomStandardNormal(shape: number[], dtype: DataType = 'float32', seed?: Seed): Tensor {
  return normal('randomStandardNormal', shape, 0, 1, dtype, seed, false);
}

/**
 * `numSamples` class indices per row of `logits` ([k] or [batch, k]),
 * drawn with probabilities softmax(logits), or the values themselves
 * when `normalized`. int32, shape [numSamples] or [batch, numSamples].
 * `tf.multinomial([0, 0, Math.log(8)], 5)` → mostly 2s.
 */
export function multinomial(logits: TensorLike, numSamples: number, seed?: Seed, normalized = false): Tensor {
  const fn = 'multinomial';
  const t = toTensor(logits, 'logits', fn);
  const shape = t.shape;
  let values: ArrayLike<number>;
  try {
    if (t.rank !== 1 && t.rank !== 2) throw rangeError(fn, 'logits', 'a tensor of rank 1 or 2', t);
    check.isInt(fn, 'numSamples', numSamples, 1);
    if (shape[shape.length - 1] < 2) throw rangeError(fn, 'logits', 'at least 2 outcomes (classes along the last axis)', t);
    values = t.dataSync();
  } finally {
    freeTemps(t, logits);
  }
  const k = shape[shape.length - 1];
  const batch = shape.length === 1 ? 1 : shape[0];

  const c = counters(fn, seed, batch * numSamples);
  const u = new native.TensorHandle(DTypeCode.Float32, [batch * numSamples]);
  let draws: Float32Array;
  try {
    native.randomUniform(c.seed, c.offset, 0, 1, u);
    draws = u.read() as Float32Array;
  } finally {
    u.dispose();
  }
  // Inverse CDF per row, in float64.
  const out = new Int32Array(batch * numSamples);
  const cdf = new Float64Array(k);
  for (let b = 0; b < batch; b++) {
    let max = -Infinity;
    if (!normalized) for (let j = 0; j < k; j++) max = Math.max(max, values[b * k + j]);
    let total = 0;
    for (let j = 0; j < k; j++) {
      const v = values[b * k + j];
      total += normalized ? v : Math.exp(v - max);
      cdf[j] = total;
    }
    for (let s = 0; s < numSamples; s++) {
      const target = draws[b * numSamples + s] * total;
      let lo = 0;
      let hi = k - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid] > target) hi = mid;
        else lo = mid + 1;
      }
      out[b * numSamples + s] = lo;
    }
  }
  return fromTypedArray(out, shape.length === 1 ? [numSamples] : [batch, numSamples], 'int32', true);
}
