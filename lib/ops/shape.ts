// Shape ops: reshaping views, and copies that rearrange elements. The
// primitives (reshape, transpose, strided slice, concat, split, pad, tile,
// gather, oneHot, identity) are one registry entry each; squeeze, expandDims,
// stack, unstack, slice, reverse, broadcastTo, ... only parse their arguments
// into one of them, so their gradients come free.
import { native, TensorHandle } from '../native';
import { check, rangeError, shapeError, typeError } from '../errors';
import { DataType, DTYPES, dtypeCode, Rank, upcast } from '../tensor/dtype';
import { engine } from '../tensor/engine';
import { fromHandle, makeOutput, reshapeView, Tensor } from '../tensor/tensor';
import { tidy } from '../tensor/scope';
import { defineOp, OpDef, run1, runOp } from './registry';
import { toTensor, TensorLike } from './convert';
import { tensor } from './creation';
import { add, freeTemps } from './elementwise';
import { sameShape } from '../tensor/shape';
import { sum } from './reduce';
import { sizeOf } from '../tensor/shape';

// ------------------------------------------------------------------ helpers

function ones(n: number): number[] {
  return new Array<number>(n).fill(1);
}

/** `axis` as an index in [0, rank), accepting negative axes as TF.js does. */
function normAxis(fn: string, arg: string, axis: number, rank: number, x: Tensor): number {
  check.isInt(fn, arg, axis);
  if (axis < -rank || axis >= rank) {
    const what = rank === 0 ? `no axis (x is a scalar)` : `an axis in [${-rank}, ${rank - 1}] (x has shape [${x.shape.join(',')}])`;
    throw rangeError(fn, arg, what, axis);
  }
  return axis < 0 ? axis + rank : axis;
}

/** An axis where a new dimension goes: [-(rank + 1), rank]. */
function insertAxis(fn: string, arg: string, axis: number, rank: number): number {
  check.isInt(fn, arg, axis);
  if (axis < -(rank + 1) || axis > rank) throw rangeError(fn, arg, `an axis in [${-(rank + 1)}, ${rank}]`, axis);
  return axis < 0 ? axis + rank + 1 : axis;
}

function isIntArray(v: unknown, min: number): v is number[] {
  return Array.isArray(v) && v.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= min);
}

/**
 * Allocates a handle of `shape` for `write`, and returns it as a tensor of
 * `viewShape` (the same number of elements) without a copy.
 */
function makeOutputAs(shape: number[], viewShape: number[], dtype: DataType, write: (h: TensorHandle) => void): Tensor {
  if (sameShape(shape, viewShape)) return makeOutput(viewShape, dtype, write);
  const h = new native.TensorHandle(dtypeCode(dtype), shape);
  let view: TensorHandle;
  try {
    write(h);
    view = h.reshape(viewShape);
  } finally {
    h.dispose();
  }
  return fromHandle(view, viewShape, dtype);
}

/** Runs f on t's memory seen with another shape (no copy). */
function withShape<T>(t: Tensor, shape: number[], f: (h: TensorHandle) => T): T {
  if (sameShape(t.shape, shape)) return f(t.handle);
  const h = t.handle.reshape(shape);
  try {
    return f(h);
  } finally {
    h.dispose();
  }
}

/**
 * Runs a composite op: its intermediates are freed at once, except while a
 * gradient tape records (backward may read them; the gradient scope frees them).
 */
function composite<T extends Tensor | Tensor[]>(f: () => T): T {
  return engine.tapes.length ? f() : tidy(f);
}

/** Indices for gather / oneHot: an int32 tensor as is, or integers made into one. */
function toIndices(fn: string, arg: string, v: unknown): Tensor {
  if (v instanceof Tensor) {
    v.assertLive(fn);
    if (v.dtype !== 'int32') throw typeError(fn, arg, 'an int32 tensor (cast with .toInt()) or integers', v);
    return v;
  }
  if (!allIntegers(v, 0)) throw typeError(fn, arg, 'an int32 tensor or integers', v);
  return tensor(v as number, undefined, 'int32');
}

function allIntegers(v: unknown, depth: number): boolean {
  if (typeof v === 'number') return Number.isInteger(v);
  if (v instanceof Int32Array) return true;
  if (depth > 32 || !(Array.isArray(v) || v instanceof Float32Array || v instanceof Float64Array)) return false;
  for (let i = 0; i < v.length; i++) if (!allIntegers(v[i], depth + 1)) return false;
  return true;
}

// ------------------------------------------------------------------ reshape

const Reshape: OpDef<{ shape: number[] }> = defineOp<{ shape: number[] }>({
  name: 'Reshape',
  forward: ([x], { shape }) => reshapeView(x, shape),
  backward: ([dy], { inputs: [x] }) => [run1(Reshape, [dy], { shape: x.shape })],
});

/** The shape `shape` asks for, with its one -1 resolved against x's size. */
function resolveShape(fn: string, x: Tensor, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw typeError(fn, 'shape', 'an array of integers (one of them may be -1)', shape);
  let known = 1;
  let free = -1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d === -1 && free < 0) free = i;
    else if (typeof d === 'number' && Number.isInteger(d) && d >= 0) known *= d;
    else throw typeError(fn, 'shape', 'an array of non-negative integers with at most one -1', shape);
  }
  if (free < 0) {
    if (known !== x.size) throw shapeError(fn, 'the shape of x and the new shape hold different numbers of elements', x.shape, shape, `${x.size} vs ${known}`);
    return shape.slice();
  }
  if (known === 0 || x.size % known !== 0) {
    throw shapeError(fn, 'x cannot be reshaped into the new shape', x.shape, shape, `no size for the -1 makes ${x.size} elements`);
  }
  const out = shape.slice();
  out[free] = x.size / known;
  return out;
}

/**
 * x with a new shape, viewing the same memory (no copy). One dimension may
 * be -1: it takes whatever size is left. `tf.reshape(tf.range(0, 6), [2, -1])` → shape [2, 3].
 */
export function reshape(x: TensorLike, shape: number[]): Tensor {
  const t = toTensor(x, 'x', 'reshape');
  const y = run1(Reshape, [t], { shape: resolveShape('reshape', t, shape) });
  freeTemps(t, x);
  return y;
}

/** x with a dimension of size 1 inserted at `axis`. `tf.expandDims([1, 2], 1)` → shape [2, 1]. */
export function expandDims(x: TensorLike, axis = 0): Tensor {
  const t = toTensor(x, 'x', 'expandDims');
  const shape = t.shape.slice();
  shape.splice(insertAxis('expandDims', 'axis', axis, t.rank), 0, 1);
  const y = run1(Reshape, [t], { shape });
  freeTemps(t, x);
  return y;
}

/**
 * x without its dimensions of size 1 (or only those in `axis`, which must be 1).
 * `tf.squeeze(tf.zeros([1, 3, 1]))` → shape [3].
 */
export function squeeze(x: TensorLike, axis?: number | number[]): Tensor {
  const fn = 'squeeze';
  const t = toTensor(x, 'x', fn);
  let shape: number[];
  // As TF.js, no axis and an empty list both mean every axis of size 1.
  if (axis === undefined || axis === null || (Array.isArray(axis) && axis.length === 0)) {
    shape = t.shape.filter((d) => d !== 1);
  } else {
    const list = Array.isArray(axis) ? axis : [axis];
    const axes = list.map((a) => normAxis(fn, 'axis', a, t.rank, t));
    for (const a of axes) {
      if (t.shape[a] !== 1) throw rangeError(fn, 'axis', `axes whose dimension is 1 in x of shape [${t.shape.join(',')}]`, axis);
    }
    shape = t.shape.filter((_, i) => !axes.includes(i));
  }
  const y = run1(Reshape, [t], { shape });
  freeTemps(t, x);
  return y;
}

/** x as a 1-D tensor (a view). `tf.flatten([[1, 2], [3, 4]])` → [1, 2, 3, 4]. */
export function flatten(x: TensorLike): Tensor {
  const t = toTensor(x, 'x', 'flatten');
  const y = run1(Reshape, [t], { shape: [t.size] });
  freeTemps(t, x);
  return y;
}

// ------------------------------------------------------------------ transpose

const Transpose: OpDef<{ perm: number[] }> = defineOp<{ perm: number[] }>({
  name: 'Transpose',
  forward: ([x], { perm }) => makeOutput(perm.map((p) => x.shape[p]), x.dtype, (h) => native.transpose(x.handle, perm, h)),
  backward([dy], { attrs: { perm } }) {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [run1(Transpose, [dy], { perm: inverse })];
  },
});

/**
 * x with its axes permuted: output axis i is input axis perm[i] (default: reversed).
 * `tf.transpose(tf.zeros([2, 3, 4]), [1, 0, 2])` → shape [3, 2, 4].
 */
export function transpose(x: TensorLike, perm?: number[]): Tensor {
  const fn = 'transpose';
  const t = toTensor(x, 'x', fn);
  const rank = t.rank;
  let p: number[];
  if (perm === undefined || perm === null) {
    p = t.shape.map((_, i) => rank - 1 - i);
  } else {
    const seen = new Set<number>();
    if (!isIntArray(perm, 0) || perm.length !== rank || perm.some((a) => a >= rank || seen.size === seen.add(a).size)) {
      throw rangeError(fn, 'perm', `a permutation of the ${rank} axes of x (shape [${t.shape.join(',')}])`, perm);
    }
    p = perm.slice();
  }
  const y = run1(Transpose, [t], { perm: p });
  freeTemps(t, x);
  return y;
}

// ------------------------------------------------------------------ strided slice

interface SliceAttrs {
  /** Per axis of x: first index, step and count (the dense slice). */
  begin: number[];
  step: number[];
  size: number[];
  /** The output's shape: `size` with new axes added and shrunk axes dropped. */
  shape: number[];
}

const StridedSlice: OpDef<SliceAttrs> = defineOp<SliceAttrs>({
  name: 'StridedSlice',
  forward: ([x], a) => makeOutputAs(a.size, a.shape, x.dtype, (h) => native.stridedSlice(x.handle, a.begin, a.step, h)),
  backward: ([dy], { inputs: [x], attrs }) => [run1(StridedSliceGrad, [dy], { ...attrs, xShape: x.shape })],
});

/** Scatters dy back where the slice took it from (zeros elsewhere): the adjoint of StridedSlice. */
const StridedSliceGrad: OpDef<SliceAttrs & { xShape: number[] }> = defineOp<SliceAttrs & { xShape: number[] }>({
  name: 'StridedSliceGrad',
  forward: ([dy], a) =>
    withShape(dy, a.size, (dyh) => makeOutput(a.xShape.slice(), dy.dtype, (h) => native.stridedSliceGrad(dyh, a.begin, a.step, h))),
  backward: ([ddx], { attrs: { begin, step, size, shape } }) => [run1(StridedSlice, [ddx], { begin, step, size, shape })],
});

function parseSliceArg(fn: string, arg: string, v: unknown, rank: number, fillWith: number, min: number): number[] {
  let list: number[];
  if (typeof v === 'number') list = [v];
  else if (Array.isArray(v)) list = v.slice();
  else throw typeError(fn, arg, 'an integer or an array of integers', v);
  if (!isIntArray(list, min) || list.length > rank) throw typeError(fn, arg, `at most ${rank} integers >= ${min}`, v);
  while (list.length < rank) list.push(fillWith);
  return list;
}

/**
 * The block of x that starts at `begin` and spans `size` (-1: to the end of
 * that axis); missing trailing entries mean 0 and -1. `tf.slice([1, 2, 3, 4], 1, 2)` → [2, 3].
 */
export function slice(x: TensorLike, begin: number | number[], size?: number | number[]): Tensor {
  const fn = 'slice';
  const t = toTensor(x, 'x', fn);
  const b = parseSliceArg(fn, 'begin', begin, t.rank, 0, 0);
  const s = size === undefined || size === null ? new Array<number>(t.rank).fill(-1) : parseSliceArg(fn, 'size', size, t.rank, -1, -1);
  for (let i = 0; i < t.rank; i++) {
    if (b[i] > t.shape[i]) throw rangeError(fn, 'begin', `indices within x of shape [${t.shape.join(',')}]`, begin);
    if (s[i] === -1) s[i] = t.shape[i] - b[i];
    if (b[i] + s[i] > t.shape[i]) {
      throw rangeError(fn, 'size', `a size that fits in x of shape [${t.shape.join(',')}] from begin [${b.join(',')}]`, size);
    }
  }
  const y = run1(StridedSlice, [t], { begin: b, step: ones(t.rank), size: s, shape: s.slice() });
  freeTemps(t, x);
  return y;
}

const NEW_AXIS = -1;
const SHRUNK = -2;

/**
 * TF's strided-slice spec made dense: one (begin, step, size) per axis of x,
 * and the output shape. The masks' bit i refers to entry i of begin/end/strides.
 */
function denseSlice(
  fn: string, x: Tensor, begin: number[], end: number[], strides: number[],
  beginMask: number, endMask: number, ellipsisMask: number, newAxisMask: number, shrinkAxisMask: number,
): SliceAttrs {
  const rank = x.rank;
  let n = begin.length;
  if ((ellipsisMask & (ellipsisMask - 1)) !== 0) throw rangeError(fn, 'ellipsisMask', 'at most one bit set', ellipsisMask);
  // Without an ellipsis, one is implied after the last entry: unmentioned axes are taken whole.
  if (ellipsisMask === 0) ellipsisMask = 1 << n++;
  const ellipsisAt = 31 - Math.clz32(ellipsisMask);
  let newAxesAfterEllipsis = 0;
  for (let i = ellipsisAt + 1; i < n; i++) if (newAxisMask & (1 << i)) newAxesAfterEllipsis++;

  const out: SliceAttrs = { begin: [], step: [], size: [], shape: [] };
  // Per output axis: the axis of x it comes from, or NEW_AXIS; SHRUNK axes are dropped.
  const outAxes: number[] = [];
  let axis = 0;
  const take = (b: number, e: number, s: number, bMasked: boolean, eMasked: boolean, shrink: boolean): void => {
    const d = x.shape[axis];
    if (shrink) {
      const i = b < 0 ? b + d : b;
      if (i < 0 || i >= d) throw rangeError(fn, 'begin', `an index within axis ${axis} of x (shape [${x.shape.join(',')}]) for a shrunk axis`, b);
      out.begin.push(i);
      out.step.push(1);
      out.size.push(1);
      outAxes.push(SHRUNK);
    } else {
      const lo = s > 0 ? 0 : -1;
      const hi = s > 0 ? d : d - 1;
      const canon = (v: number): number => Math.min(hi, Math.max(lo, v < 0 ? v + d : v));
      const first = bMasked ? (s > 0 ? lo : hi) : canon(b);
      const stop = eMasked ? (s > 0 ? hi : lo) : canon(e);
      const count = Math.max(0, Math.ceil((stop - first) / s));
      // An empty slice reads nothing: give the kernel an index that is always valid.
      out.begin.push(count === 0 ? 0 : first);
      out.step.push(count === 0 ? 1 : s);
      out.size.push(count);
      outAxes.push(axis);
    }
    axis++;
  };
  for (let i = 0; i < n; i++) {
    const bit = 1 << i;
    if (ellipsisMask & bit) {
      const until = Math.min(rank - (n - i) + 1 + newAxesAfterEllipsis, rank);
      while (axis < until) take(0, 0, 1, true, true, false);
    } else if (newAxisMask & bit) {
      outAxes.push(NEW_AXIS);
    } else {
      if (axis >= rank) throw rangeError(fn, 'begin', `at most ${rank} indexed axes for x of shape [${x.shape.join(',')}]`, begin);
      take(begin[i], end[i], strides[i], (beginMask & bit) !== 0, (endMask & bit) !== 0, (shrinkAxisMask & bit) !== 0);
    }
  }
  for (const g of outAxes) {
    if (g === NEW_AXIS) out.shape.push(1);
    else if (g !== SHRUNK) out.shape.push(out.size[g]);
  }
  return out;
}

/**
 * Python-style slicing as TF.js's stridedSlice: x[begin:end:strides] per
 * axis, with the masks of tf.strided_slice (beginMask / endMask ignore that
 * axis's begin / end, ellipsisMask, newAxisMask, shrinkAxisMask).
 * `tf.stridedSlice([0, 1, 2, 3, 4, 5], [4], [0], [-2])` → [4, 2].
 */
export function stridedSlice(
  x: TensorLike, begin: number[], end: number[], strides?: number[],
  beginMask = 0, endMask = 0, ellipsisMask = 0, newAxisMask = 0, shrinkAxisMask = 0,
): Tensor {
  const fn = 'stridedSlice';
  const t = toTensor(x, 'x', fn);
  if (!isIntArray(begin, -Infinity)) throw typeError(fn, 'begin', 'an array of integers', begin);
  if (!isIntArray(end, -Infinity) || end.length !== begin.length) throw typeError(fn, 'end', `an array of ${begin.length} integers (as many as begin)`, end);
  const s = strides ?? ones(begin.length);
  if (!isIntArray(s, -Infinity) || s.length !== begin.length) throw typeError(fn, 'strides', `an array of ${begin.length} integers (as many as begin)`, strides);
  if (s.includes(0)) throw rangeError(fn, 'strides', 'non-zero strides', strides);
  const masks = { beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask };
  for (const [name, m] of Object.entries(masks)) check.isInt(fn, name, m, 0);
  const attrs = denseSlice(fn, t, begin, end, s, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask);
  const y = run1(StridedSlice, [t], attrs);
  freeTemps(t, x);
  return y;
}

/** x with the order of elements reversed along `axis` (default: every axis). `tf.reverse([1, 2, 3])` → [3, 2, 1]. */
export function reverse(x: TensorLike, axis?: number | number[]): Tensor {
  const fn = 'reverse';
  const t = toTensor(x, 'x', fn);
  const list = axis === undefined || axis === null ? t.shape.map((_, i) => i) : Array.isArray(axis) ? axis : [axis];
  const axes = list.map((a) => normAxis(fn, 'axis', a, t.rank, t));
  const begin = new Array<number>(t.rank).fill(0);
  const step = ones(t.rank);
  for (const a of axes) {
    if (t.shape[a] > 1) {
      begin[a] = t.shape[a] - 1;
      step[a] = -1;
    }
  }
  const y = run1(StridedSlice, [t], { begin, step, size: t.shape.slice(), shape: t.shape.slice() });
  freeTemps(t, x);
  return y;
}

// ------------------------------------------------------------------ concat, stack, split, unstack

interface ConcatAttrs {
  axis: number;
  /** stack: every input gains a dimension of size 1 at `axis` first. */
  stacked: boolean;
  shape: number[];
}

const Concat = defineOp<ConcatAttrs>({
  name: 'Concat',
  forward(xs, { axis, stacked, shape }) {
    let dtype = xs[0].dtype;
    for (const x of xs) dtype = upcast(dtype, x.dtype);
    return makeOutput(shape, dtype, (out) => {
      const temps: TensorHandle[] = [];
      try {
        const handles = xs.map((x) => {
          let h = x.handle;
          if (x.dtype !== dtype) {
            h = new native.TensorHandle(dtypeCode(dtype), x.shape);
            temps.push(h);
            native.cast(x.handle, h);
          }
          if (stacked) {
            const expanded = x.shape.slice();
            expanded.splice(axis, 0, 1);
            h = h.reshape(expanded);
            temps.push(h);
          }
          return h;
        });
        native.concat(handles, axis, out);
      } finally {
        for (const h of temps) h.dispose();
      }
    });
  },
  backward([dy], { inputs, attrs: { axis, stacked }, needs }) {
    const rank = dy.rank;
    let offset = 0;
    return inputs.map((x, i) => {
      const n = stacked ? 1 : x.shape[axis];
      const begin = new Array<number>(rank).fill(0);
      begin[axis] = offset;
      offset += n;
      if (!needs[i]) return null;
      const size = dy.shape.slice();
      size[axis] = n;
      return run1(StridedSlice, [dy], { begin, step: ones(rank), size, shape: x.shape });
    });
  },
});

function toTensorList(fn: string, tensors: unknown): Tensor[] {
  if (!Array.isArray(tensors) || tensors.length === 0) throw typeError(fn, 'tensors', 'a non-empty array of tensors', tensors);
  return tensors.map((t, i) => toTensor(t, `tensors[${i}]`, fn));
}

/**
 * Joins tensors along an existing axis; all other dimensions must match.
 * `tf.concat([[[1, 2]], [[3, 4]]], 0)` → [[1, 2], [3, 4]]; mixed dtypes upcast (bool < int32 < float32).
 */
export function concat(tensors: TensorLike[], axis = 0): Tensor {
  const fn = 'concat';
  const ts = toTensorList(fn, tensors);
  const first = ts[0];
  if (first.rank === 0) throw rangeError(fn, 'tensors', 'tensors of rank >= 1 (use tf.stack for scalars)', first);
  const ax = normAxis(fn, 'axis', axis, first.rank, first);
  const shape = first.shape.slice();
  shape[ax] = 0;
  for (let i = 0; i < ts.length; i++) {
    const s = ts[i].shape;
    if (s.length !== first.rank || s.some((d, k) => k !== ax && d !== first.shape[k])) {
      throw shapeError(fn, `tensors[0] and tensors[${i}] differ outside axis ${ax}`, first.shape, s);
    }
    shape[ax] += s[ax];
  }
  const y = ts.length === 1 ? clone(first) : run1(Concat, ts, { axis: ax, stacked: false, shape });
  ts.forEach((t, i) => freeTemps(t, tensors[i]));
  return y;
}

/**
 * Joins tensors of one shape along a new axis. `tf.stack([[1, 2], [3, 4]], 1)` → [[1, 3], [2, 4]].
 */
export function stack(tensors: TensorLike[], axis = 0): Tensor {
  const fn = 'stack';
  const ts = toTensorList(fn, tensors);
  const first = ts[0];
  for (let i = 1; i < ts.length; i++) {
    if (!sameShape(ts[i].shape, first.shape)) throw shapeError(fn, `tensors[0] and tensors[${i}] must have the same shape`, first.shape, ts[i].shape);
  }
  const ax = insertAxis(fn, 'axis', axis, first.rank);
  const shape = first.shape.slice();
  shape.splice(ax, 0, ts.length);
  const y = run1(Concat, ts, { axis: ax, stacked: true, shape });
  ts.forEach((t, i) => freeTemps(t, tensors[i]));
  return y;
}

interface SplitAttrs {
  axis: number;
  sizes: number[];
  /** unstack: each piece (of size 1 along axis) loses that axis. */
  squeezed: boolean;
}

const Split = defineOp<SplitAttrs>({
  name: 'Split',
  forward([x], { axis, sizes, squeezed }) {
    const outs: Tensor[] = [];
    const begin = new Array<number>(x.rank).fill(0);
    const step = ones(x.rank);
    try {
      for (const n of sizes) {
        const size = x.shape.slice();
        size[axis] = n;
        const shape = squeezed ? x.shape.filter((_, i) => i !== axis) : size;
        outs.push(makeOutputAs(size, shape, x.dtype, (h) => native.stridedSlice(x.handle, begin, step, h)));
        begin[axis] += n;
      }
    } catch (e) {
      for (const o of outs) o.dispose();
      throw e;
    }
    return outs;
  },
  backward: (dys, { inputs: [x], attrs: { axis, squeezed } }) => [run1(Concat, dys, { axis, stacked: squeezed, shape: x.shape })],
});

/**
 * Splits x along `axis` into `numOrSizeSplits` equal pieces, or pieces of the
 * given sizes (one may be -1). `tf.split(tf.zeros([2, 6]), [1, -1], 1)` → shapes [2, 1] and [2, 5].
 */
export function split(x: TensorLike, numOrSizeSplits: number | number[], axis = 0): Tensor[] {
  const fn = 'split';
  const t = toTensor(x, 'x', fn);
  const ax = normAxis(fn, 'axis', axis, t.rank, t);
  const d = t.shape[ax];
  let sizes: number[];
  if (typeof numOrSizeSplits === 'number') {
    check.isInt(fn, 'numOrSizeSplits', numOrSizeSplits, 1);
    if (d % numOrSizeSplits !== 0) throw rangeError(fn, 'numOrSizeSplits', `a number of splits that divides ${d} (axis ${ax} of x)`, numOrSizeSplits);
    sizes = new Array<number>(numOrSizeSplits).fill(d / numOrSizeSplits);
  } else {
    if (!isIntArray(numOrSizeSplits, -1) || numOrSizeSplits.filter((s) => s === -1).length > 1) {
      throw typeError(fn, 'numOrSizeSplits', 'a number, or an array of sizes (non-negative integers, at most one -1)', numOrSizeSplits);
    }
    sizes = numOrSizeSplits.slice();
    const known = sizes.reduce((a, s) => (s === -1 ? a : a + s), 0);
    const free = sizes.indexOf(-1);
    if (free >= 0 && known <= d) sizes[free] = d - known;
    if (sizes.reduce((a, s) => a + s, 0) !== d) throw rangeError(fn, 'numOrSizeSplits', `sizes that add up to ${d} (axis ${ax} of x)`, numOrSizeSplits);
  }
  const ys = runOp(Split, [t], { axis: ax, sizes, squeezed: false });
  freeTemps(t, x);
  return ys;
}

/** The slices of x along `axis`, each without that axis. `tf.unstack([[1, 2], [3, 4]])` → [1, 2] and [3, 4]. */
export function unstack(x: TensorLike, axis = 0): Tensor[] {
  const fn = 'unstack';
  const t = toTensor(x, 'x', fn);
  const ax = normAxis(fn, 'axis', axis, t.rank, t);
  const ys = runOp(Split, [t], { axis: ax, sizes: ones(t.shape[ax]), squeezed: true });
  freeTemps(t, x);
  return ys;
}

// ------------------------------------------------------------------ pad, tile, broadcastTo

const Pad = defineOp<{ before: number[]; after: number[]; value: number }>({
  name: 'Pad',
  forward: ([x], { before, after, value }) =>
    makeOutput(x.shape.map((d, i) => before[i] + d + after[i]), x.dtype, (h) => native.pad(x.handle, before, value, h)),
  backward: ([dy], { inputs: [x], attrs: { before } }) => [
    run1(StridedSlice, [dy], { begin: before, step: ones(x.rank), size: x.shape, shape: x.shape }),
  ],
});

/**
 * x with `paddings[i] = [before, after]` elements of `constantValue` around axis i.
 * `tf.pad([1, 2], [[1, 2]])` → [0, 1, 2, 0, 0].
 */
export function pad(x: TensorLike, paddings: Array<[number, number]>, constantValue = 0): Tensor {
  const fn = 'pad';
  const t = toTensor(x, 'x', fn);
  if (!Array.isArray(paddings) || paddings.length !== t.rank || !paddings.every((p) => isIntArray(p, 0) && p.length === 2)) {
    throw typeError(fn, 'paddings', `${t.rank} pairs [before, after] of non-negative integers, one per axis of x`, paddings);
  }
  check.isNumber(fn, 'constantValue', constantValue);
  const y = run1(Pad, [t], { before: paddings.map((p) => p[0]), after: paddings.map((p) => p[1]), value: constantValue });
  freeTemps(t, x);
  return y;
}

/** x's shape with leading 1s up to `rank`. */
function padShape(shape: readonly number[], rank: number): number[] {
  return [...ones(rank - shape.length), ...shape];
}

const Tile = defineOp<{ shape: number[] }>({
  name: 'Tile',
  // out[i] = x[i mod x.shape]: both tiling and broadcasting (x's missing leading axes are 1).
  forward: ([x], { shape }) =>
    makeOutput(shape, x.dtype, (h) => withShape(x, padShape(x.shape, shape.length), (xh) => native.tile(xh, h))),
  backward([dy], { inputs: [x], attrs: { shape } }) {
    // Split each tiled axis of size r·d into (r, d) and sum over the r's.
    const xs = padShape(x.shape, shape.length);
    const split: number[] = [];
    const axes: number[] = [];
    for (let k = 0; k < shape.length; k++) {
      const reps = xs[k] === 0 ? 1 : shape[k] / xs[k];
      if (reps === 1) {
        split.push(xs[k]);
        continue;
      }
      axes.push(split.length);
      split.push(reps);
      if (xs[k] !== 1) split.push(xs[k]);
    }
    if (axes.length === 0) return [run1(Reshape, [dy], { shape: x.shape })];
    return [run1(Reshape, [sum(run1(Reshape, [dy], { shape: split }), axes)], { shape: x.shape })];
  },
});

/** x repeated reps[i] times along axis i. `tf.tile([1, 2], [2])` → [1, 2, 1, 2]. */
export function tile(x: TensorLike, reps: number[]): Tensor {
  const fn = 'tile';
  const t = toTensor(x, 'x', fn);
  if (!isIntArray(reps, 0) || reps.length !== t.rank) throw typeError(fn, 'reps', `${t.rank} non-negative integers (one per axis of x)`, reps);
  const y = run1(Tile, [t], { shape: t.shape.map((d, i) => d * reps[i]) });
  freeTemps(t, x);
  return y;
}

/**
 * x broadcast to `shape` (NumPy rules: x's axes align to the right; each is 1
 * or equal). `tf.broadcastTo([1, 2], [2, 2])` → [[1, 2], [1, 2]].
 */
export function broadcastTo(x: TensorLike, shape: number[]): Tensor {
  const fn = 'broadcastTo';
  const t = toTensor(x, 'x', fn);
  check.isShape(fn, 'shape', shape);
  if (shape.length < t.rank) throw shapeError(fn, 'x has more axes than the target shape', t.shape, shape);
  const xs = padShape(t.shape, shape.length);
  for (let i = 0; i < shape.length; i++) {
    if (xs[i] !== shape[i] && xs[i] !== 1) throw shapeError(fn, `x cannot be broadcast to the shape (axis ${i})`, t.shape, shape);
  }
  // Nothing to repeat: a view is enough.
  const y = sameShape(xs, shape) ? run1(Reshape, [t], { shape: shape.slice() }) : run1(Tile, [t], { shape: shape.slice() });
  freeTemps(t, x);
  return y;
}

// ------------------------------------------------------------------ gather

const Gather: OpDef<{ axis: number }> = defineOp<{ axis: number }>({
  name: 'Gather',
  forward([x, indices], { axis }) {
    const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    return makeOutput(shape, x.dtype, (h) => native.gather(x.handle, indices.handle, axis, h));
  },
  backward: ([dy], { inputs: [x, indices], attrs: { axis }, needs }) => [
    needs[0] ? run1(GatherGrad, [dy, indices], { axis, shape: x.shape }) : null,
    null,
  ],
});

/** Adds dy's rows into zeros of x's shape at the gathered indices: the adjoint of Gather. */
const GatherGrad: OpDef<{ axis: number; shape: number[] }> = defineOp<{ axis: number; shape: number[] }>({
  name: 'GatherGrad',
  forward: ([dy, indices], { axis, shape }) => makeOutput(shape.slice(), dy.dtype, (h) => native.gatherGrad(dy.handle, indices.handle, axis, h)),
  backward: ([ddx], { inputs: [, indices], attrs: { axis } }) => [run1(Gather, [ddx, indices], { axis }), null],
});

function indexError(n: number, axis: number, index: number): RangeError {
  return rangeError('gather', 'indices', `indices in [0, ${n - 1}] (axis ${axis} of x)`, index);
}

/**
 * Slices of x along `axis` at `indices` (an int32 tensor or integers).
 * `tf.gather([[1, 2], [3, 4], [5, 6]], [2, 0])` → [[5, 6], [1, 2]]. With
 * batchDims b, the first b axes of x and indices are batch axes, gathered pairwise.
 */
export function gather(x: TensorLike, indices: TensorLike, axis = 0, batchDims = 0): Tensor {
  const fn = 'gather';
  const t = toTensor(x, 'x', fn);
  const idx = toIndices(fn, 'indices', indices);
  const ax = normAxis(fn, 'axis', axis, t.rank, t);
  check.isInt(fn, 'batchDims', batchDims);
  const bd = batchDims < 0 ? batchDims + idx.rank : batchDims;
  if (bd < 0 || bd > idx.rank || bd > ax) {
    throw rangeError(fn, 'batchDims', `a number of batch axes in [0, ${Math.min(idx.rank, ax)}] (indices rank ${idx.rank}, axis ${ax})`, batchDims);
  }
  for (let i = 0; i < bd; i++) {
    if (t.shape[i] !== idx.shape[i]) throw shapeError(fn, `x and indices differ in batch axis ${i}`, t.shape, idx.shape);
  }
  let y: Tensor;
  try {
    y = bd === 0 ? run1(Gather, [t, idx], { axis: ax }) : composite(() => batchGather(t, idx, ax, bd));
  } catch (e) {
    // The kernel checks every index; its error names the first bad one.
    const bad = (e as { code?: string }).code === 'ERR_INDEX_OUT_OF_RANGE' && /index (-?\d+)/.exec((e as Error).message);
    throw bad ? indexError(t.shape[ax], ax, Number(bad[1])) : e;
  } finally {
    freeTemps(idx, indices);
    freeTemps(t, x);
  }
  return y;
}

/**
 * gather with batch axes, as one plain gather: x [B…, M…, A, I…] becomes rows
 * [B·A, M·I] (A brought next to B) and each batch's indices are offset by b·A.
 */
function batchGather(x: Tensor, indices: Tensor, axis: number, bd: number): Tensor {
  const bShape = x.shape.slice(0, bd);
  const mShape = x.shape.slice(bd, axis);
  const iShape = x.shape.slice(axis + 1);
  const jShape = indices.shape.slice(bd);
  const [B, M, A, I, J] = [sizeOf(bShape), sizeOf(mShape), x.shape[axis], sizeOf(iShape), sizeOf(jShape)];
  // Offset indices stay in range of the flattened rows even when wrong for their batch: check them here.
  for (const i of indices.dataSync()) if (i < 0 || i >= A) throw indexError(A, axis, i);
  let rows = reshape(x, [B, M, A, I]);
  if (M > 1) rows = transpose(rows, [0, 2, 1, 3]);
  rows = reshape(rows, [B * A, M * I]);
  const offsets = new Int32Array(B);
  for (let b = 0; b < B; b++) offsets[b] = b * A;
  const flat = add(reshape(indices, [B, J]), tensor(offsets, [B, 1], 'int32'));
  let y = reshape(run1(Gather, [rows, flat], { axis: 0 }), [B, J, M, I]);
  if (M > 1) y = transpose(y, [0, 2, 1, 3]);
  return reshape(y, [...bShape, ...mShape, ...jShape, ...iShape]);
}

// ------------------------------------------------------------------ oneHot, clone

const OneHot = defineOp<{ depth: number; onValue: number; offValue: number; dtype: DataType }>({
  name: 'OneHot',
  forward: ([indices], { depth, onValue, offValue, dtype }) =>
    makeOutput([...indices.shape, depth], dtype, (h) => native.oneHot(indices.handle, depth, onValue, offValue, h)),
  backward: null,
});

/**
 * One-hot rows along a new last axis: `onValue` at each index, `offValue`
 * elsewhere (an index outside [0, depth) gives an all-off row). int32 by
 * default, as TF.js. `tf.oneHot([0, 2], 3)` → [[1, 0, 0], [0, 0, 1]].
 */
export function oneHot(indices: TensorLike, depth: number, onValue = 1, offValue = 0, dtype: DataType = 'int32'): Tensor {
  const fn = 'oneHot';
  const idx = toIndices(fn, 'indices', indices);
  check.isInt(fn, 'depth', depth, 1);
  check.isNumber(fn, 'onValue', onValue);
  check.isNumber(fn, 'offValue', offValue);
  check.oneOf(fn, 'dtype', dtype, DTYPES);
  const y = run1(OneHot, [idx], { depth, onValue, offValue, dtype });
  freeTemps(idx, indices);
  return y;
}

const Identity = defineOp<Record<string, never>>({
  name: 'Identity',
  forward: ([x]) => makeOutput(x.shape.slice(), x.dtype, (h) => native.tile(x.handle, h)),
  backward: ([dy]) => [dy],
});

/** A copy of x in new memory. `tf.clone(x)`, `x.clone()`. */
export function clone(x: TensorLike): Tensor {
  const t = toTensor(x, 'x', 'clone');
  const y = run1(Identity, [t], {});
  freeTemps(t, x);
  return y;
}

// ------------------------------------------------------------------ methods

declare module '../tensor/tensor' {
  interface Tensor<R extends Rank = Rank> {
    reshape(shape: number[]): Tensor;
    reshapeAs(x: Tensor): Tensor;
    asScalar(): Tensor;
    as1D(): Tensor;
    as2D(rows: number, columns: number): Tensor;
    as3D(rows: number, columns: number, depth: number): Tensor;
    as4D(rows: number, columns: number, depth: number, depth2: number): Tensor;
    as5D(rows: number, columns: number, depth: number, depth2: number, depth3: number): Tensor;
    expandDims(axis?: number): Tensor;
    squeeze(axis?: number | number[]): Tensor;
    flatten(): Tensor;
    transpose(perm?: number[]): Tensor;
    concat(tensors: TensorLike | TensorLike[], axis?: number): Tensor;
    stack(tensors: TensorLike | TensorLike[], axis?: number): Tensor;
    split(numOrSizeSplits: number | number[], axis?: number): Tensor[];
    unstack(axis?: number): Tensor[];
    slice(begin: number | number[], size?: number | number[]): Tensor;
    stridedSlice(begin: number[], end: number[], strides?: number[], beginMask?: number, endMask?: number,
      ellipsisMask?: number, newAxisMask?: number, shrinkAxisMask?: number): Tensor;
    reverse(axis?: number | number[]): Tensor;
    gather(indices: TensorLike, axis?: number, batchDims?: number): Tensor;
    tile(reps: number[]): Tensor;
    broadcastTo(shape: number[]): Tensor;
    pad(paddings: Array<[number, number]>, constantValue?: number): Tensor;
    oneHot(depth: number, onValue?: number, offValue?: number, dtype?: DataType): Tensor;
    clone(): Tensor;
  }
}

// As TF.js: x.concat(y) and x.concat([y, z]) both put x first.
const withThis = (t: Tensor, others: TensorLike | TensorLike[]): TensorLike[] => (Array.isArray(others) ? [t, ...others] : [t, others]);

const proto = Tensor.prototype;
proto.reshape = function (shape) { return reshape(this, shape); };
proto.reshapeAs = function (x) { return reshape(this, x.shape); };
proto.asScalar = function () { return reshape(this, []); };
proto.as1D = function () { return reshape(this, [this.size]); };
proto.as2D = function (r, c) { return reshape(this, [r, c]); };
proto.as3D = function (r, c, d) { return reshape(this, [r, c, d]); };
proto.as4D = function (r, c, d, d2) { return reshape(this, [r, c, d, d2]); };
proto.as5D = function (r, c, d, d2, d3) { return reshape(this, [r, c, d, d2, d3]); };
proto.expandDims = function (axis) { return expandDims(this, axis); };
proto.squeeze = function (axis) { return squeeze(this, axis); };
proto.flatten = function () { return flatten(this); };
proto.transpose = function (perm) { return transpose(this, perm); };
proto.concat = function (tensors, axis) { return concat(withThis(this, tensors), axis); };
proto.stack = function (tensors, axis) { return stack(withThis(this, tensors), axis); };
proto.split = function (n, axis) { return split(this, n, axis); };
proto.unstack = function (axis) { return unstack(this, axis); };
proto.slice = function (begin, size) { return slice(this, begin, size); };
proto.stridedSlice = function (b, e, s, bm, em, elm, nam, sam) { return stridedSlice(this, b, e, s, bm, em, elm, nam, sam); };
proto.reverse = function (axis) { return reverse(this, axis); };
proto.gather = function (indices, axis, batchDims) { return gather(this, indices, axis, batchDims); };
proto.tile = function (reps) { return tile(this, reps); };
proto.broadcastTo = function (shape) { return broadcastTo(this, shape); };
proto.pad = function (paddings, value) { return pad(this, paddings, value); };
proto.oneHot = function (depth, on, off, dtype) { return oneHot(this, depth, on, off, dtype); };
proto.clone = function () { return clone(this); };
