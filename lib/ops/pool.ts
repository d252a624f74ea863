// Max and average pooling over 1, 2 or 3 spatial dims, channels-last (our own
// kernels in native/src/cpu/pool.cc). The window arithmetic (output size,
// padding) follows TF.js's conv_util; padding never enters a result: max
// ignores it and average divides by the number of real elements, as
// TensorFlow does.
//
// Max pooling under a tape keeps an int32 argmax of the output's shape (which
// cell of its window each maximum came from) for the gradient; without a tape
// it keeps nothing.
import { native, PoolKind } from '../native';
import { check, rangeError, typeError } from '../errors';
import { Rank } from '../tensor/dtype';
import { makeOutput, Tensor } from '../tensor/tensor';
import { defineOp, run1 } from './registry';
import { toTensor, TensorLike } from './convert';
import { cast, freeTemps, inDtype } from './elementwise';
import { reshape } from './shape';

/** TF.js's explicit padding for NHWC: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];
export type PoolPadding = 'valid' | 'same' | number | ExplicitPadding;
export type DimRoundingMode = 'floor' | 'round' | 'ceil';

/** One pooling window over the spatial dims, as the kernel takes it. */
interface PoolWindow {
  kernel: number[];
  strides: number[];
  padBefore: number[];
  padAfter: number[];
  /** The output's spatial sizes. */
  out: number[];
}

function sizes(fn: string, arg: string, v: unknown, n: number): number[] {
  const list = typeof v === 'number' ? new Array<number>(n).fill(v) : v;
  const what = n === 1 ? 'a positive integer' : `a positive integer or an array of ${n} positive integers`;
  if (!Array.isArray(list) || list.length !== n || !list.every((d) => typeof d === 'number' && Number.isInteger(d))) {
    throw typeError(fn, arg, what, v);
  }
  if (!list.every((d) => d >= 1)) throw rangeError(fn, arg, what, v);
  return list.slice();
}

/** TF.js's conv_util round: truncation without a rounding mode. */
function roundBy(v: number, mode: DimRoundingMode | undefined): number {
  switch (mode) {
    case undefined: return Math.trunc(v);
    case 'floor': return Math.floor(v);
    case 'ceil': return Math.ceil(v);
    case 'round': return Math.round(v);
  }
}

/**
 * The window for input spatial sizes `spatial` (x's rank is spatial.length + 2).
 * Numeric padding uses each dim's own filter and stride (TF.js uses the
 * height's for both, a slip we do not copy).
 */
function poolWindow(fn: string, xShape: readonly number[], filterSize: unknown, strides: unknown, pad: unknown, roundingMode: unknown): PoolWindow {
  const spatial = xShape.slice(1, -1);
  const n = spatial.length;
  const kernel = sizes(fn, 'filterSize', filterSize, n);
  const stride = sizes(fn, 'strides', strides, n);
  if (roundingMode !== undefined && roundingMode !== null) {
    check.oneOf(fn, 'dimRoundingMode', roundingMode, ['floor', 'round', 'ceil'] as const);
    if (typeof pad === 'string') throw typeError(fn, 'pad', 'a number or explicit paddings when dimRoundingMode is given', pad);
  }
  const mode = (roundingMode ?? undefined) as DimRoundingMode | undefined;
  const before: number[] = [];
  const out: number[] = [];
  const explicitWhat = `explicit paddings [[0, 0], ${new Array(n).fill('[before, after]').join(', ')}, [0, 0]] of non-negative integers`;
  for (let i = 0; i < n; i++) {
    const x = spatial[i];
    const k = kernel[i];
    const s = stride[i];
    if (pad === 'same') {
      out.push(Math.ceil(x / s));
      before.push(Math.floor(Math.max(0, (out[i] - 1) * s + k - x) / 2));
    } else if (pad === 'valid') {
      out.push(Math.ceil((x - k + 1) / s));
      before.push(0);
    } else if (typeof pad === 'number') {
      if (!Number.isInteger(pad) || pad < 0) throw typeError(fn, 'pad', "'valid', 'same', a non-negative integer or explicit paddings", pad);
      out.push(roundBy((x - k + 2 * pad) / s + 1, mode));
      before.push(pad);
    } else if (Array.isArray(pad)) {
      const ok = pad.length === n + 2 && pad.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0));
      if (!ok || pad[0][0] || pad[0][1] || pad[n + 1][0] || pad[n + 1][1]) throw typeError(fn, 'pad', explicitWhat, pad);
      const [b, a] = pad[i + 1] as [number, number];
      out.push(roundBy((x - k + b + a) / s + 1, mode));
      before.push(b);
    } else {
      throw typeError(fn, 'pad', "'valid', 'same', a non-negative integer or explicit paddings", pad);
    }
  }
  // The padding after is what the last window needs (the rounding mode may have added or dropped a window).
  const after = out.map((o, i) => Math.max(0, (o - 1) * stride[i] + kernel[i] - spatial[i] - before[i]));
  for (let i = 0; i < n; i++) {
    if (out[i] < 1) throw rangeError(fn, 'filterSize', `a window that fits the padded input (spatial size ${spatial[i]} in dim ${i + 1})`, filterSize);
    if (before[i] >= kernel[i] || after[i] >= kernel[i]) {
      throw rangeError(fn, 'pad', `padding smaller than the filter in every dim (dim ${i + 1} would have a window of padding only)`, pad);
    }
  }
  return { kernel, strides: stride, padBefore: before, padAfter: after, out };
}

interface PoolAttrs extends PoolWindow {
  outShape: number[];
}

function poolOp(name: string, kind: PoolKind) {
  return defineOp<PoolAttrs>({
    name,
    forward([x], at, ctx) {
      const argmax = kind === PoolKind.Max && ctx.needsGrad ? makeOutput(at.outShape.slice(), 'int32', () => {}) : null;
      try {
        const y = makeOutput(at.outShape.slice(), 'float32', (h) => native.pool(kind, x.handle, h, at.kernel, at.strides, at.padBefore, at.padAfter, argmax && argmax.handle));
        if (argmax) ctx.save(argmax);
        return y;
      } catch (e) {
        argmax?.dispose();
        throw e;
      }
    },
    backward: ([dy], { inputs: [x], saved, attrs: at }) => [
      makeOutput(x.shape.slice(), 'float32', (h) =>
        native.poolGrad(kind, dy.handle, saved.length ? saved[0].handle : null, h, at.kernel, at.strides, at.padBefore, at.padAfter)),
    ],
  });
}

const MaxPool = poolOp('MaxPool', PoolKind.Max);
const AvgPool = poolOp('AvgPool', PoolKind.Avg);

/**
 * Pools x of rank `spatial + 2` (or `spatial + 1`, a single example) with
 * channels last. Max pooling keeps int32 as int32 (computed in float32: exact
 * up to 2^24); average pooling returns float32.
 */
function runPool(fn: string, kind: PoolKind, spatial: number, x: unknown, filterSize: unknown, strides: unknown, pad: unknown, roundingMode: unknown): Tensor {
  const t0 = toTensor(x, 'x', fn);
  const rank = spatial + 2;
  const dtype = t0.dtype;
  const single = t0.rank === rank - 1;
  const batchShape = single ? [1, ...t0.shape] : t0.shape;
  let window: PoolWindow;
  try {
    if (t0.rank !== rank && !single) throw rangeError(fn, 'x', `a tensor of rank ${rank - 1} or ${rank} (channels last)`, t0);
    if (dtype === 'bool') throw typeError(fn, 'x', 'a float32 or int32 tensor', t0);
    window = poolWindow(fn, batchShape, filterSize, strides, pad, roundingMode);
  } catch (e) {
    freeTemps(t0, x);
    throw e;
  }
  const t = inDtype(t0, 'float32', x);
  const tb = single ? reshape(t, batchShape) : t;
  const outShape = [batchShape[0], ...window.out, batchShape[rank - 1]];
  let y = run1(kind === PoolKind.Max ? MaxPool : AvgPool, [tb], { ...window, outShape });
  if (tb !== t) freeTemps(tb, null);
  freeTemps(t, x);
  if (single) {
    const batched = y;
    y = reshape(batched, outShape.slice(1));
    freeTemps(batched, null);
  }
  if (kind === PoolKind.Max && dtype === 'int32') {
    const f = y;
    y = cast(f, 'int32');
    freeTemps(f, null);
  }
  return y;
}

/**
 * 2-D max pooling of NHWC images (rank 4, or rank 3 for one image).
 * `pad`: 'valid', 'same', a number of pixels on every side, or explicit
 * paddings; `dimRoundingMode` rounds the output size when pad is a number.
 * `tf.maxPool(x, 2, 2, 'valid')` halves each spatial dim.
 */
export function maxPool<T extends Tensor>(x: T | TensorLike, filterSize: [number, number] | number, strides: [number, number] | number,
  pad: PoolPadding, dimRoundingMode?: DimRoundingMode): T {
  return runPool('maxPool', PoolKind.Max, 2, x, filterSize, strides, pad, dimRoundingMode) as T;
}

/**
 * 2-D average pooling of NHWC images; at the borders of 'same' padding the
 * average is over the real pixels only. `tf.avgPool(x, [2, 2], 1, 'same')`.
 */
export function avgPool<T extends Tensor>(x: T | TensorLike, filterSize: [number, number] | number, strides: [number, number] | number,
  pad: PoolPadding, dimRoundingMode?: DimRoundingMode): T {
  return runPool('avgPool', PoolKind.Avg, 2, x, filterSize, strides, pad, dimRoundingMode) as T;
}

function checkDataFormat3d(fn: string, dataFormat: unknown): void {
  if (dataFormat !== 'NDHWC') throw typeError(fn, 'dataFormat', "'NDHWC' (channels last, the only layout TF.js supports)", dataFormat);
}

/** 3-D max pooling of NDHWC volumes (rank 5, or rank 4 for one volume). `tf.maxPool3d(x, 2, 2, 'valid')`. */
export function maxPool3d<T extends Tensor>(x: T | TensorLike, filterSize: [number, number, number] | number = [1, 1, 1],
  strides: [number, number, number] | number, pad: 'valid' | 'same' | number, dimRoundingMode?: DimRoundingMode, dataFormat: 'NDHWC' = 'NDHWC'): T {
  checkDataFormat3d('maxPool3d', dataFormat);
  return runPool('maxPool3d', PoolKind.Max, 3, x, filterSize, strides, pad, dimRoundingMode) as T;
}

/** 3-D average pooling of NDHWC volumes. `tf.avgPool3d(x, [2, 2, 2], 1, 'same')`. */
export function avgPool3d<T extends Tensor>(x: T | TensorLike, filterSize: [number, number, number] | number = [1, 1, 1],
  strides: [number, number, number] | number, pad: 'valid' | 'same' | number, dimRoundingMode?: DimRoundingMode, dataFormat: 'NDHWC' = 'NDHWC'): T {
  checkDataFormat3d('avgPool3d', dataFormat);
  return runPool('avgPool3d', PoolKind.Avg, 3, x, filterSize, strides, pad, dimRoundingMode) as T;
}

/**
 * @internal 1-D max pooling of [N, W, C] sequences (rank 2 for one sequence),
 * the kernel of maxPooling1d layers: oneDNN pools 'nwc' directly, so nothing
 * is expanded to 2-D.
 */
export function maxPool1d(x: TensorLike, poolSize: number, stride: number, pad: 'valid' | 'same' | number, dimRoundingMode?: DimRoundingMode): Tensor {
  return runPool('maxPool1d', PoolKind.Max, 1, x, poolSize, stride, pad, dimRoundingMode);
}

/** @internal 1-D average pooling of [N, W, C] sequences, the kernel of averagePooling1d layers. */
export function avgPool1d(x: TensorLike, poolSize: number, stride: number, pad: 'valid' | 'same' | number, dimRoundingMode?: DimRoundingMode): Tensor {
  return runPool('avgPool1d', PoolKind.Avg, 1, x, poolSize, stride, pad, dimRoundingMode);
}

// ------------------------------------------------------------------ chained API

declare module '../tensor/tensor' {
  interface Tensor<R extends Rank = Rank> {
    maxPool(filterSize: [number, number] | number, strides: [number, number] | number, pad: PoolPadding, dimRoundingMode?: DimRoundingMode): Tensor;
    avgPool(filterSize: [number, number] | number, strides: [number, number] | number, pad: PoolPadding, dimRoundingMode?: DimRoundingMode): Tensor;
  }
}

Tensor.prototype.maxPool = function (filterSize, strides, pad, dimRoundingMode) { return maxPool(this, filterSize, strides, pad, dimRoundingMode); };
Tensor.prototype.avgPool = function (filterSize, strides, pad, dimRoundingMode) { return avgPool(this, filterSize, strides, pad, dimRoundingMode); };
