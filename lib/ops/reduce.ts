// Reductions (sum, mean, max, ... over axes), arg reductions, topk, cumsum and
// the composites built on them (logSumExp, moments, norm). The native reduce
// kernel writes an output of x's rank with the reduced dims set to 1; the
// keepDims=false shape is a view of that same memory.
import { BinaryOp, DTypeCode, native, ReduceOp, UnaryOp } from '../native';
import { check, rangeError, typeError } from '../errors';
import { DataType, Rank } from '../tensor/dtype';
import { makeOutput, reshapeView, Tensor } from '../tensor/tensor';
import { defineOp, OpDef, run1, runOp } from './registry';
import { toTensor, TensorLike } from './convert';
import {
  abs, cast, div, equal, exp, freeTemps, inDtype, mul, sqrt, square, sub, where,
} from './elementwise';
import { sameShape } from '../tensor/shape';

// ------------------------------------------------------------------ helpers

/**
 * @internal Normalises an axis argument: null/undefined is every axis; negative
 * axes count from the end. Returns the axes sorted, or in the order given when `keepOrder`.
 */
export function parseAxes(fn: string, axis: unknown, rank: number, keepOrder = false): number[] {
  if (axis === undefined || axis === null) {
    const all = new Array<number>(rank);
    for (let i = 0; i < rank; i++) all[i] = i;
    return all;
  }
  const list = typeof axis === 'number' ? [axis] : axis;
  const what = 'an integer, an array of integers or null';
  if (!Array.isArray(list)) throw typeError(fn, 'axis', what, axis);
  const out: number[] = [];
  for (const a of list) {
    if (typeof a !== 'number' || !Number.isInteger(a)) throw typeError(fn, 'axis', what, axis);
    if (a < -rank || a >= rank) throw rangeError(fn, 'axis', `axes in [${-rank}, ${rank}) for a tensor of rank ${rank}`, axis);
    const p = a < 0 ? a + rank : a;
    if (out.includes(p)) throw rangeError(fn, 'axis', 'distinct axes', axis);
    out.push(p);
  }
  return keepOrder ? out : out.sort((x, y) => x - y);
}

function checkKeepDims(fn: string, keepDims: unknown): asserts keepDims is boolean {
  if (typeof keepDims !== 'boolean') throw typeError(fn, 'keepDims', 'a boolean', keepDims);
}

/** @internal Runs a native reduction of x over sorted `axes` into a new tensor of `shape` (kept: x's rank with reduced dims 1). */
export function reduceRaw(op: ReduceOp, x: Tensor, axes: number[], kept: number[], shape: number[], dtype: DataType = x.dtype): Tensor {
  return makeOutput(shape, dtype, (h) => {
    if (shape.length === kept.length) return native.reduce(op, x.handle, axes, h);
    const v = h.reshape(kept);
    try {
      native.reduce(op, x.handle, axes, v);
    } finally {
      v.dispose();
    }
  });
}

/** @internal t (whose shape has `kept`'s size) repeated along the size-1 dims of `kept` up to `shape`. */
export function broadcastRaw(t: Tensor, kept: number[], shape: number[]): Tensor {
  return makeOutput(shape.slice(), t.dtype, (h) => {
    if (sameShape(t.shape, kept)) return native.tile(t.handle, h);
    const v = t.handle.reshape(kept);
    try {
      native.tile(v, h);
    } finally {
      v.dispose();
    }
  });
}

// ------------------------------------------------------------------ reductions over axes

interface ReduceAttrs {
  /** Sorted, unique. */
  axes: number[];
  /** x's shape with the reduced dims set to 1. */
  kept: number[];
  /** The output shape (kept, or kept without the reduced dims). */
  shape: number[];
}

function reduceAttrs(xShape: readonly number[], axes: number[], keepDims: boolean): ReduceAttrs {
  const kept = xShape.slice();
  for (const a of axes) kept[a] = 1;
  const shape = keepDims ? kept.slice() : xShape.filter((_, i) => !axes.includes(i));
  return { axes, kept, shape };
}

type ReduceGrad = (dy: Tensor, x: Tensor, y: Tensor, a: ReduceAttrs) => Tensor;
type ReduceDef = OpDef<ReduceAttrs> & { fn: string };

function reduceOp(name: string, fn: string, code: ReduceOp, grad: ReduceGrad | null): ReduceDef {
  const def = defineOp<ReduceAttrs>({
    name,
    forward([x], a) {
      // No axes (a scalar, or axis []): nothing to reduce, a copy.
      if (a.axes.length === 0) return makeOutput(a.shape, x.dtype, (h) => native.tile(x.handle, h));
      return reduceRaw(code, x, a.axes, a.kept, a.shape);
    },
    backward: grad && (([dy], { inputs, outputs, attrs }) => [grad(dy, inputs[0], outputs[0], attrs)]),
  }) as ReduceDef;
  def.fn = fn;
  return def;
}

const Sum = reduceOp('Sum', 'sum', ReduceOp.Sum, (dy, x, _y, a) => broadcastRaw(dy, a.kept, x.shape));
const Mean = reduceOp('Mean', 'mean', ReduceOp.Mean, (dy, x, _y, a) => {
  let n = 1;
  for (const ax of a.axes) n *= x.shape[ax];
  return broadcastRaw(div(dy, n), a.kept, x.shape);
});
// Every position equal to the extremum gets the full gradient, ties included (as TF.js).
const extremumGrad: ReduceGrad = (dy, x, y, a) => {
  const mask = equal(x, reshapeView(y, a.kept));
  return mul(reshapeView(dy, a.kept), mask);
};
const Max = reduceOp('Max', 'max', ReduceOp.Max, extremumGrad);
const Min = reduceOp('Min', 'min', ReduceOp.Min, extremumGrad);
const Prod = reduceOp('Prod', 'prod', ReduceOp.Prod, (dy, x, _y, a) => {
  // d prod / d x_i = product of the others. Division by x_i fails on zeros, so:
  // with no zero in the group it is prod / x_i; with exactly one zero, only
  // that position gets the product of the non-zeros; with more, all get 0.
  const isZero = equal(x, 0);
  const nonZero = where(isZero, 1, x);
  const prodNonZero = prod(nonZero, a.axes, true);
  const zeroCount = sum(isZero, a.axes, true);
  const atZero = cast(equal(zeroCount, 1), 'float32');
  const elsewhere = div(cast(equal(zeroCount, 0), 'float32'), nonZero);
  const factor = where(isZero, atZero, elsewhere);
  return mul(mul(factor, prodNonZero), reshapeView(dy, a.kept));
});
const All = reduceOp('All', 'all', ReduceOp.All, null);
const Any = reduceOp('Any', 'any', ReduceOp.Any, null);

function reduction(def: ReduceDef, x: unknown, axis: unknown, keepDims: unknown, dtypeFor: (d: DataType) => DataType): Tensor {
  const fn = def.fn;
  checkKeepDims(fn, keepDims);
  const t0 = toTensor(x, 'x', fn);
  const axes = parseAxes(fn, axis, t0.rank);
  const t = inDtype(t0, dtypeFor(t0.dtype), x);
  const y = run1(def, [t], reduceAttrs(t.shape, axes, keepDims));
  freeTemps(t, x);
  return y;
}

const numeric = (d: DataType): DataType => (d === 'bool' ? 'int32' : d);
const float = (): DataType => 'float32';
const bool = (): DataType => 'bool';

/** Sum over `axis` (all axes by default); bools sum as int32. `tf.sum([[1, 2], [3, 4]], 0)` → [4, 6]. */
export function sum(x: TensorLike, axis: number | number[] | null = null, keepDims = false): Tensor {
  return reduction(Sum, x, axis, keepDims, numeric);
}
/** Mean over `axis` (all by default), as float32. `tf.mean([[1, 2], [3, 4]], 1)` → [1.5, 3.5]. */
export function mean(x: TensorLike, axis: number | number[] | null = null, keepDims = false): Tensor {
  return reduction(Mean, x, axis, keepDims, float);
}
/** Maximum over `axis`. `tf.max([[1, 5], [3, 4]], 1)` → [5, 4]. */
export function max(x: TensorLike, axis: number | number[] | null = null, keepDims = false): Tensor {
  return reduction(Max, x, axis, keepDims, numeric);
}
/** Minimum over `axis`. `tf.min([[1, 5], [3, 4]], 0)` → [1, 4]. */
export function min(x: TensorLike, axis: number | number[] | null = null, keepDims = false): Tensor {
  return reduction(Min, x, axis, keepDims, numeric);
}
/** Product over `axis`. `tf.prod([[1, 2], [3, 4]])` → 24. */
export function prod(x: TensorLike, axis: number | number[] | null = null, keepDims = false): Tensor {
  return reduction(Prod, x, axis, keepDims, numeric);
}
/** Logical AND over `axis` (non-bool inputs count as x != 0). `tf.all([true, false])` → false. */
export function all(x: TensorLike, axis: number | number[] | null = null, keepDims = false): Tensor {
  return reduction(All, x, axis, keepDims, bool);
}
/** Logical OR over `axis`. `tf.any([true, false])` → true. */
export function any(x: TensorLike, axis: number | number[] | null = null, keepDims = false): Tensor {
  return reduction(Any, x, axis, keepDims, bool);
}

// ------------------------------------------------------------------ logSumExp

const LogSumExp = defineOp<ReduceAttrs>({
  name: 'LogSumExp',
  // log Σ exp(x) = m + log Σ exp(x - m), m the max: no overflow. Scratch
  // handles stay native (no tensors) and are freed before returning.
  forward([x], a) {
    const H = native.TensorHandle;
    const m = new H(DTypeCode.Float32, a.kept);
    const e = new H(DTypeCode.Float32, x.shape);
    const s = new H(DTypeCode.Float32, a.kept);
    try {
      native.reduce(ReduceOp.Max, x.handle, a.axes, m);
      native.binary(BinaryOp.Sub, x.handle, m, e);
      native.unary(UnaryOp.Exp, e, e, 0, 0);
      native.reduce(ReduceOp.Sum, e, a.axes, s);
      native.unary(UnaryOp.Log, s, s, 0, 0);
      return makeOutput(a.shape, 'float32', (h) => {
        const v = h.reshape(a.kept);
        try {
          native.binary(BinaryOp.Add, s, m, v);
        } finally {
          v.dispose();
        }
      });
    } finally {
      m.dispose();
      e.dispose();
      s.dispose();
    }
  },
  // d/dx = exp(x - y): the softmax over the reduced axes.
  backward: ([dy], { inputs: [x], outputs: [y], attrs }) => [mul(reshapeView(dy, attrs.kept), exp(sub(x, reshapeView(y, attrs.kept))))],
});

/** log(sum(exp(x))) over `axis`, computed without overflow. `tf.logSumExp([0, 0])` → 0.693. */
export function logSumExp(x: TensorLike, axis: number | number[] | null = null, keepDims = false): Tensor {
  const fn = 'logSumExp';
  checkKeepDims(fn, keepDims);
  const t0 = toTensor(x, 'x', fn);
  const axes = parseAxes(fn, axis, t0.rank);
  const t = inDtype(t0, 'float32', x);
  const y = axes.length === 0 ? cast(t, 'float32') : run1(LogSumExp, [t], reduceAttrs(t.shape, axes, keepDims));
  freeTemps(t, x);
  return y;
}

// ------------------------------------------------------------------ moments, norm

/**
 * Mean and variance over `axis` (population variance, as TF.js).
 * `tf.moments([1, 2, 3, 4])` → {mean: 2.5, variance: 1.25}.
 */
export function moments(x: TensorLike, axis: number | number[] | null = null, keepDims = false): { mean: Tensor; variance: Tensor } {
  const fn = 'moments';
  checkKeepDims(fn, keepDims);
  const t0 = toTensor(x, 'x', fn);
  const axes = parseAxes(fn, axis, t0.rank);
  const t = inDtype(t0, 'float32', x);
  const meanKept = mean(t, axes, true);
  const centered = sub(t, meanKept);
  const squared = square(centered);
  const variance = mean(squared, axes, keepDims);
  // A second (cheap) reduction gives the mean its keepDims=false shape as a recorded op.
  const m = keepDims ? meanKept : mean(t, axes, false);
  freeTemps(squared, null);
  freeTemps(centered, null);
  if (!keepDims) freeTemps(meanKept, null);
  freeTemps(t, x);
  return { mean: m, variance };
}

export type NormOrd = number | 'euclidean' | 'fro';

/**
 * Vector or matrix norm. With no axis, x is treated as one vector. ord:
 * 'euclidean' (default) or 2, 1, Infinity, -Infinity for vectors; 'fro' /
 * 'euclidean', 1, Infinity, -Infinity for matrices (two axes).
 * `tf.norm([3, 4])` → 5; `tf.norm([[1, -2], [3, 4]], 1, [0, 1])` → 6.
 */
export function norm(x: TensorLike, ord: NormOrd = 'euclidean', axis: number | number[] | null = null, keepDims = false): Tensor {
  const fn = 'norm';
  checkKeepDims(fn, keepDims);
  const t0 = toTensor(x, 'x', fn);
  const axes = parseAxes(fn, axis, t0.rank, true);
  const t = inDtype(t0, 'float32', x);
  const temps: Tensor[] = [];
  const tmp = (r: Tensor): Tensor => (temps.push(r), r);
  let y: Tensor;
  if (t.rank === 0) {
    y = abs(t);
  } else if (axis === null || axis === undefined || axes.length === 1) {
    if (ord === 1) y = sum(tmp(abs(t)), axes, keepDims);
    else if (ord === Infinity) y = max(tmp(abs(t)), axes, keepDims);
    else if (ord === -Infinity) y = min(tmp(abs(t)), axes, keepDims);
    else if (ord === 'euclidean' || ord === 2) y = sqrt(tmp(sum(tmp(square(t)), axes, keepDims)));
    else throw rangeError(fn, 'ord', "1, 2, Infinity, -Infinity or 'euclidean' for a vector norm", ord);
  } else if (axes.length === 2) {
    const [rows, cols] = axes;
    if (ord === 1) y = max(tmp(sum(tmp(abs(t)), rows, true)), axes, keepDims);
    else if (ord === Infinity) y = max(tmp(sum(tmp(abs(t)), cols, true)), axes, keepDims);
    else if (ord === -Infinity) y = min(tmp(sum(tmp(abs(t)), cols, true)), axes, keepDims);
    else if (ord === 'fro' || ord === 'euclidean') y = sqrt(tmp(sum(tmp(square(t)), axes, keepDims)));
    else throw rangeError(fn, 'ord', "1, Infinity, -Infinity, 'fro' or 'euclidean' for a matrix norm", ord);
  } else {
    throw rangeError(fn, 'axis', 'null, one axis or two axes', axis);
  }
  for (const r of temps) freeTemps(r, null);
  freeTemps(t, x);
  return y;
}

// ------------------------------------------------------------------ argMax, argMin, topk, cumsum

function argOp(name: string, isMax: boolean): OpDef<{ axis: number }> {
  return defineOp<{ axis: number }>({
    name,
    forward([x], { axis }) {
      const shape = x.shape.filter((_, i) => i !== axis);
      return makeOutput(shape, 'int32', (h) => native.argReduce(isMax, x.handle, axis, h));
    },
    backward: null,
  });
}
const ArgMax = argOp('ArgMax', true);
const ArgMin = argOp('ArgMin', false);

function argReduction(def: OpDef<{ axis: number }>, fn: string, x: unknown, axis: unknown): Tensor {
  const t0 = toTensor(x, 'x', fn);
  check.isInt(fn, 'axis', axis);
  const [a] = parseAxes(fn, axis, t0.rank);
  const t = inDtype(t0, numeric(t0.dtype), x);
  const y = run1(def, [t], { axis: a });
  freeTemps(t, x);
  return y;
}

/** Index of the largest value along `axis` (default 0; first index on ties), int32. `tf.argMax([1, 9, 3])` → 1. */
export function argMax(x: TensorLike, axis = 0): Tensor {
  return argReduction(ArgMax, 'argMax', x, axis);
}
/** Index of the smallest value along `axis` (default 0), int32. `tf.argMin([4, 1, 3])` → 1. */
export function argMin(x: TensorLike, axis = 0): Tensor {
  return argReduction(ArgMin, 'argMin', x, axis);
}

const TopK = defineOp<{ k: number }>({
  name: 'TopK',
  forward([x], { k }) {
    const shape = x.shape.slice();
    shape[shape.length - 1] = k;
    const indices = makeOutput(shape.slice(), 'int32', () => {});
    try {
      const values = makeOutput(shape, x.dtype, (h) => native.topk(x.handle, k, h, indices.handle));
      return [values, indices];
    } catch (e) {
      indices.dispose();
      throw e;
    }
  },
  // The values' gradient goes back to the positions they came from:
  // dx[r, :] = dy[r, :] · oneHot(indices[r, :], n), one batched product.
  backward([dy], { inputs: [x], outputs: [, indices], attrs: { k } }) {
    const n = x.shape[x.rank - 1];
    const rows = x.size / Math.max(n, 1);
    const H = native.TensorHandle;
    const oneHot = new H(DTypeCode.Float32, [rows, k, n]);
    try {
      const idx = indices.handle.reshape([rows, k]);
      const g = dy.handle.reshape([rows, 1, k]);
      try {
        native.oneHot(idx, n, 1, 0, oneHot);
        return [makeOutput(x.shape.slice(), 'float32', (h) => {
          const v = h.reshape([rows, 1, n]);
          try {
            native.matmul(g, oneHot, null, v, false, false, 0, 0);
          } finally {
            v.dispose();
          }
        })];
      } finally {
        idx.dispose();
        g.dispose();
      }
    } finally {
      oneHot.dispose();
    }
  },
});

/**
 * The k largest values along the last axis and their indices, largest first
 * (ties: lower index first). `tf.topk([1, 9, 3], 2)` → {values: [9, 3], indices: [1, 2]}.
 */
export function topk(x: TensorLike, k = 1, sorted = true): { values: Tensor; indices: Tensor } {
  const fn = 'topk';
  const t0 = toTensor(x, 'x', fn);
  if (t0.rank === 0) throw rangeError(fn, 'x', 'a tensor of rank >= 1', t0);
  const n = t0.shape[t0.rank - 1];
  check.isInt(fn, 'k', k, 0);
  if (k > n) throw rangeError(fn, 'k', `an integer <= the last dimension (${n})`, k);
  if (typeof sorted !== 'boolean') throw typeError(fn, 'sorted', 'a boolean', sorted);
  const t = inDtype(t0, numeric(t0.dtype), x);
  // Values always come sorted: `sorted: false` leaves the order unspecified.
  const [values, indices] = runOp(TopK, [t], { k });
  freeTemps(t, x);
  return { values, indices };
}

interface CumsumAttrs {
  axis: number;
  exclusive: boolean;
  reverse: boolean;
}
const Cumsum: OpDef<CumsumAttrs> = defineOp<CumsumAttrs>({
  name: 'Cumsum',
  forward([x], { axis, exclusive, reverse }) {
    return makeOutput(x.shape.slice(), x.dtype, (h) => native.cumsum(x.handle, axis, exclusive, reverse, h));
  },
  // Each x_i feeds every later sum: the adjoint sums dy in the other direction.
  backward: ([dy], { attrs }) => [run1(Cumsum, [dy], { axis: attrs.axis, exclusive: attrs.exclusive, reverse: !attrs.reverse })],
});

/**
 * Running sum along `axis`. `exclusive` leaves out the current element;
 * `reverse` sums from the end. `tf.cumsum([1, 2, 3])` → [1, 3, 6].
 */
export function cumsum(x: TensorLike, axis = 0, exclusive = false, reverse = false): Tensor {
  const fn = 'cumsum';
  const t0 = toTensor(x, 'x', fn);
  check.isInt(fn, 'axis', axis);
  if (typeof exclusive !== 'boolean') throw typeError(fn, 'exclusive', 'a boolean', exclusive);
  if (typeof reverse !== 'boolean') throw typeError(fn, 'reverse', 'a boolean', reverse);
  const [a] = parseAxes(fn, axis, t0.rank);
  const t = inDtype(t0, numeric(t0.dtype), x);
  const y = run1(Cumsum, [t], { axis: a, exclusive, reverse });
  freeTemps(t, x);
  return y;
}

// ------------------------------------------------------------------ chained API

declare module '../tensor/tensor' {
  interface Tensor<R extends Rank = Rank> {
    sum(axis?: number | number[] | null, keepDims?: boolean): Tensor;
    mean(axis?: number | number[] | null, keepDims?: boolean): Tensor;
    max(axis?: number | number[] | null, keepDims?: boolean): Tensor;
    min(axis?: number | number[] | null, keepDims?: boolean): Tensor;
    prod(axis?: number | number[] | null, keepDims?: boolean): Tensor;
    all(axis?: number | number[] | null, keepDims?: boolean): Tensor;
    any(axis?: number | number[] | null, keepDims?: boolean): Tensor;
    logSumExp(axis?: number | number[] | null, keepDims?: boolean): Tensor;
    norm(ord?: NormOrd, axis?: number | number[] | null, keepDims?: boolean): Tensor;
    argMax(axis?: number): Tensor;
    argMin(axis?: number): Tensor;
    topk(k?: number, sorted?: boolean): { values: Tensor; indices: Tensor };
    cumsum(axis?: number, exclusive?: boolean, reverse?: boolean): Tensor;
  }
}

const proto = Tensor.prototype;
proto.sum = function (axis, keepDims) { return sum(this, axis, keepDims); };
proto.mean = function (axis, keepDims) { return mean(this, axis, keepDims); };
proto.max = function (axis, keepDims) { return max(this, axis, keepDims); };
proto.min = function (axis, keepDims) { return min(this, axis, keepDims); };
proto.prod = function (axis, keepDims) { return prod(this, axis, keepDims); };
proto.all = function (axis, keepDims) { return all(this, axis, keepDims); };
proto.any = function (axis, keepDims) { return any(this, axis, keepDims); };
proto.logSumExp = function (axis, keepDims) { return logSumExp(this, axis, keepDims); };
proto.norm = function (ord, axis, keepDims) { return norm(this, ord, axis, keepDims); };
proto.argMax = function (axis) { return argMax(this, axis); };
proto.argMin = function (axis) { return argMin(this, axis); };
proto.topk = function (k, sorted) { return topk(this, k, sorted); };
proto.cumsum = function (axis, exclusive, reverse) { return cumsum(this, axis, exclusive, reverse); };
