// Batch and layer normalization on oneDNN's primitives.
//
// - batchNorm (TF.js's tf.batchNorm) normalises with given statistics. When
//   every statistic and parameter is a vector over x's last axis, which is
//   how BatchNormalization layers call it with their moving averages, one
//   native call does it (oneDNN's use_global_stats); any other broadcast is
//   composed from elementwise ops, whose gradients come free.
// - batchNormTraining (internal, for the BatchNormalization layer) normalises
//   with the batch's own statistics over every axis but the last, and returns
//   them for the moving averages.
// - layerNormalization (internal, for the LayerNormalization layer)
//   normalises each example over its trailing axes.
import { native, TensorHandle } from '../native';
import { check, rangeError, shapeError, typeError } from '../errors';
import { Rank } from '../tensor/dtype';
import { makeOutput, Tensor } from '../tensor/tensor';
import { sameShape } from '../tensor/shape';
import { tidy } from '../tensor/scope';
import { defineOp, run1, runOp } from './registry';
import { toTensor, TensorLike } from './convert';
import { add, freeTemps, inDtype, mul, neg, rsqrt, sub } from './elementwise';
import { reshape } from './shape';

/** Tensors allocated for a kernel to fill; all freed if it throws. */
function outputs(shapes: (number[] | null)[], fill: (handles: (TensorHandle | null)[]) => void): (Tensor | null)[] {
  const made: (Tensor | null)[] = [];
  try {
    for (const s of shapes) made.push(s ? makeOutput(s, 'float32', () => {}) : null);
    fill(made.map((t) => (t ? t.handle : null)));
    return made;
  } catch (e) {
    for (const t of made) t?.dispose();
    throw e;
  }
}

/** A handle of `shape` viewed as [rows, cols] for the call (a view, freed after, when the shape differs). */
function asMatrix<R>(h: TensorHandle, shape: readonly number[], rows: number, cols: number, use: (m: TensorHandle) => R): R {
  if (shape.length === 2 && shape[0] === rows && shape[1] === cols) return use(h);
  const v = h.reshape([rows, cols]);
  try {
    return use(v);
  } finally {
    v.dispose();
  }
}

function checkEpsilon(fn: string, arg: string, eps: unknown): asserts eps is number {
  check.isNumber(fn, arg, eps);
  if (eps < 0) throw rangeError(fn, arg, 'a non-negative number', eps);
}

/** A float32 tensor from an optional argument (null when absent). */
function optionalFloat(fn: string, arg: string, v: unknown): Tensor | null {
  if (v === null || v === undefined) return null;
  return inDtype(toTensor(v, arg, fn), 'float32', v);
}

// ------------------------------------------------------------------ batchNorm

interface BatchNormAttrs {
  epsilon: number;
  /** Where offset and scale sit in the inputs [x, mean, variance, offset?, scale?], or -1. */
  offsetAt: number;
  scaleAt: number;
  channels: number;
}

const BatchNorm = defineOp<BatchNormAttrs>({
  name: 'BatchNorm',
  forward(inputs, at) {
    const [x, mean, variance] = inputs;
    const offset = at.offsetAt >= 0 ? inputs[at.offsetAt].handle : null;
    const scale = at.scaleAt >= 0 ? inputs[at.scaleAt].handle : null;
    return makeOutput(x.shape.slice(), 'float32', (h) => native.batchNormInference(x.handle, mean.handle, variance.handle, scale, offset, at.epsilon, h));
  },
  // With the statistics held constant (oneDNN's global-stats backward):
  // dx = dy·scale/√(v+ε), dscale = Σ dy·x̂, doffset = Σ dy; and since mean
  // and variance enter only through x̂ = (x - mean)/√(v+ε):
  // dmean = -doffset·scale/√(v+ε), dvariance = -dscale·scale/(2(v+ε)).
  backward([dy], { inputs, attrs: at, needs }) {
    const [x, mean, variance] = inputs;
    const scale = at.scaleAt >= 0 ? inputs[at.scaleAt] : null;
    const c = at.channels;
    const wantScale = (at.scaleAt >= 0 && needs[at.scaleAt]) || needs[2];
    const wantOffset = (at.offsetAt >= 0 && needs[at.offsetAt]) || needs[1];
    const [dx, dscale, doffset] = outputs([needs[0] ? x.shape.slice() : null, wantScale ? [c] : null, wantOffset ? [c] : null], ([hx, hs, ho]) =>
      native.batchNormGrad(x.handle, dy.handle, mean.handle, variance.handle, scale && scale.handle, at.epsilon, true, hx, hs, ho));
    const grads: (Tensor | null)[] = new Array(inputs.length).fill(null);
    grads[0] = dx;
    if (needs[1] || needs[2]) {
      const [dmean, dvariance] = tidy(() => {
        const v = reshape(variance, [c]);
        const inv = rsqrt(add(v, at.epsilon));
        const factor = scale ? mul(inv, reshape(scale, [c])) : inv;
        return [
          needs[1] ? reshape(neg(mul(doffset!, factor)), mean.shape) : null,
          needs[2] ? reshape(mul(mul(dscale!, factor), mul(inv, -0.5)), variance.shape) : null,
        ];
      });
      grads[1] = dmean;
      grads[2] = dvariance;
    }
    // doffset and dscale computed only for dmean / dvariance are dropped here.
    if (at.offsetAt >= 0 && needs[at.offsetAt]) grads[at.offsetAt] = reshapeTo(doffset!, inputs[at.offsetAt].shape);
    else doffset?.dispose();
    if (at.scaleAt >= 0 && needs[at.scaleAt]) grads[at.scaleAt] = reshapeTo(dscale!, inputs[at.scaleAt].shape);
    else dscale?.dispose();
    return grads;
  },
});

/** Whether `shape` broadcasts to `target` without changing it (NumPy rules). */
function broadcastsTo(shape: readonly number[], target: readonly number[]): boolean {
  const lead = target.length - shape.length;
  return lead >= 0 && shape.every((d, i) => d === 1 || d === target[lead + i]);
}

/** A vector over x's last axis: [C], or [1, ..., 1, C] no longer than x. */
function isChannelVector(t: Tensor, x: Tensor): boolean {
  const c = x.shape[x.rank - 1];
  return t.rank >= 1 && t.rank <= x.rank && t.shape[t.rank - 1] === c && t.shape.every((d, i) => i === t.rank - 1 || d === 1);
}

/**
 * Normalises x with given statistics: (x - mean) / √(variance + ε) · scale +
 * offset. mean, variance, offset and scale broadcast against x (a vector over
 * its last axis, or x's rank); gradients flow to all of them.
 * `tf.batchNorm(x, movingMean, movingVariance, beta, gamma, 1e-3)`.
 */
export function batchNorm<R extends Rank>(x: Tensor<R> | TensorLike, mean: Tensor | TensorLike, variance: Tensor | TensorLike,
  offset?: Tensor | TensorLike | null, scale?: Tensor | TensorLike | null, varianceEpsilon = 0.001): Tensor<R> {
  const fn = 'batchNorm';
  checkEpsilon(fn, 'varianceEpsilon', varianceEpsilon);
  const made: [Tensor, unknown][] = [];
  const conv = (v: unknown, arg: string): Tensor | null => {
    const t = optionalFloat(fn, arg, v);
    if (t) made.push([t, v]);
    return t;
  };
  try {
    const tx = conv(x, 'x')!;
    const tm = conv(mean, 'mean')!;
    const tv = conv(variance, 'variance')!;
    const to = conv(offset, 'offset');
    const ts = conv(scale, 'scale');
    if (tx === null) throw typeError(fn, 'x', 'a tensor', x);
    if (tm === null) throw typeError(fn, 'mean', 'a tensor', mean);
    if (tv === null) throw typeError(fn, 'variance', 'a tensor', variance);
    const params: [Tensor | null, string][] = [[tm, 'mean'], [tv, 'variance'], [to, 'offset'], [ts, 'scale']];
    for (const [p, arg] of params) {
      if (p && p.rank !== tm.rank) throw shapeError(fn, `mean and ${arg} must have the same rank`, tm.shape, p.shape);
      if (p && !broadcastsTo(p.shape, tx.shape)) {
        throw shapeError(fn, `${arg} must broadcast to the shape of x`, p.shape, tx.shape);
      }
    }
    if (tx.rank >= 1 && params.every(([p]) => !p || isChannelVector(p, tx))) {
      const inputs = [tx, tm, tv];
      const offsetAt = to ? inputs.push(to) - 1 : -1;
      const scaleAt = ts ? inputs.push(ts) - 1 : -1;
      return run1(BatchNorm, inputs, { epsilon: varianceEpsilon, offsetAt, scaleAt, channels: tx.shape[tx.rank - 1] }) as Tensor<R>;
    }
    return composedBatchNorm(tx, tm, tv, to, ts, varianceEpsilon) as Tensor<R>;
  } finally {
    for (const [t, arg] of made) freeTemps(t, arg);
  }
}

function composedBatchNorm(x: Tensor, mean: Tensor, variance: Tensor, offset: Tensor | null, scale: Tensor | null, eps: number): Tensor {
  const shifted = add(variance, eps);
  const inv = rsqrt(shifted);
  const factor = scale ? mul(inv, scale) : inv;
  const centered = sub(x, mean);
  const scaled = mul(centered, factor);
  const y = offset ? add(scaled, offset) : scaled;
  for (const t of [shifted, inv, factor, centered, scaled]) if (t !== y) freeTemps(t, null);
  return y;
}

function batchNormOfRank(fn: string, rank: number, x: unknown, mean: unknown, variance: unknown, offset: unknown, scale: unknown, eps: unknown): Tensor {
  const t = toTensor(x, 'x', fn);
  if (t.rank !== rank) {
    freeTemps(t, x);
    throw rangeError(fn, 'x', `a tensor of rank ${rank}`, t);
  }
  const y = batchNorm(t, mean as TensorLike, variance as TensorLike, offset as TensorLike, scale as TensorLike, eps as number);
  freeTemps(t, x);
  return y;
}

/** batchNorm for rank-2 x. */
export function batchNorm2d(x: Tensor | TensorLike, mean: Tensor | TensorLike, variance: Tensor | TensorLike, offset?: Tensor | TensorLike | null,
  scale?: Tensor | TensorLike | null, varianceEpsilon = 0.001): Tensor {
  return batchNormOfRank('batchNorm2d', 2, x, mean, variance, offset, scale, varianceEpsilon);
}

/** batchNorm for rank-3 x. */
export function batchNorm3d(x: Tensor | TensorLike, mean: Tensor | TensorLike, variance: Tensor | TensorLike, offset?: Tensor | TensorLike | null,
  scale?: Tensor | TensorLike | null, varianceEpsilon = 0.001): Tensor {
  return batchNormOfRank('batchNorm3d', 3, x, mean, variance, offset, scale, varianceEpsilon);
}

/** batchNorm for rank-4 x. */
export function batchNorm4d(x: Tensor | TensorLike, mean: Tensor | TensorLike, variance: Tensor | TensorLike, offset?: Tensor | TensorLike | null,
  scale?: Tensor | TensorLike | null, varianceEpsilon = 0.001): Tensor {
  return batchNormOfRank('batchNorm4d', 4, x, mean, variance, offset, scale, varianceEpsilon);
}

// ------------------------------------------------------------------ batchNormTraining

interface TrainingAttrs {
  epsilon: number;
  channels: number;
  /** Where scale and offset sit in the inputs [x, scale?, offset?], or -1. */
  scaleAt: number;
  offsetAt: number;
}

const BatchNormTraining = defineOp<TrainingAttrs>({
  name: 'BatchNormTraining',
  forward(inputs, at) {
    const x = inputs[0];
    const scale = at.scaleAt >= 0 ? inputs[at.scaleAt].handle : null;
    const offset = at.offsetAt >= 0 ? inputs[at.offsetAt].handle : null;
    return outputs([x.shape.slice(), [at.channels], [at.channels]], ([y, mean, variance]) =>
      native.batchNormTraining(x.handle, scale, offset, at.epsilon, y!, mean!, variance!)) as Tensor[];
  },
  // The batch statistics depend on x: oneDNN's full backward. The mean and
  // variance outputs are for the moving averages and pass no gradient back.
  backward([dy], { inputs, outputs: [, mean, variance], attrs: at, needs }) {
    const x = inputs[0];
    const scale = at.scaleAt >= 0 ? inputs[at.scaleAt] : null;
    const wantScale = at.scaleAt >= 0 && needs[at.scaleAt];
    const wantOffset = at.offsetAt >= 0 && needs[at.offsetAt];
    const [dx, dscale, doffset] = outputs([needs[0] ? x.shape.slice() : null, wantScale ? [at.channels] : null, wantOffset ? [at.channels] : null],
      ([hx, hs, ho]) => native.batchNormGrad(x.handle, dy.handle, mean.handle, variance.handle, scale && scale.handle, at.epsilon, false, hx, hs, ho));
    const grads: (Tensor | null)[] = [dx];
    if (at.scaleAt >= 0) grads[at.scaleAt] = dscale && reshapeTo(dscale, inputs[at.scaleAt].shape);
    if (at.offsetAt >= 0) grads[at.offsetAt] = doffset && reshapeTo(doffset, inputs[at.offsetAt].shape);
    return grads;
  },
});

/** g with `shape` (same size): itself when it has it already. */
function reshapeTo(g: Tensor, shape: number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const r = reshape(g, shape);
  g.dispose();
  return r;
}

/** A per-feature parameter (scale, offset, gamma, beta) of `size` elements, in float32. */
function paramOf(fn: string, arg: string, v: unknown, size: number, shapes: number[][]): Tensor | null {
  const t = optionalFloat(fn, arg, v);
  if (t && !shapes.some((s) => sameShape(s, t.shape))) {
    freeTemps(t, v);
    throw shapeError(fn, `${arg} must have the shape ${shapes.map((s) => `[${s.join(',')}]`).join(' or ')}`, t.shape, shapes[0], `${size} features`);
  }
  return t;
}

/**
 * @internal Batch normalization in training: normalises x [..., C] over every
 * axis but the last with the batch's own statistics, then scales and offsets
 * ([C] each, or null). Returns y and the batch mean and biased variance ([C]),
 * which BatchNormalization layers fold into their moving averages; gradients
 * flow to x, scale and offset through y only.
 */
export function batchNormTraining(x: TensorLike, scale: TensorLike | null, offset: TensorLike | null, epsilon: number): { y: Tensor; mean: Tensor; variance: Tensor } {
  const fn = 'batchNormTraining';
  checkEpsilon(fn, 'epsilon', epsilon);
  const t0 = toTensor(x, 'x', fn);
  if (t0.rank < 2) {
    freeTemps(t0, x);
    throw rangeError(fn, 'x', 'a tensor of rank >= 2 (channels last)', t0);
  }
  const t = inDtype(t0, 'float32', x);
  const c = t.shape[t.rank - 1];
  let ts: Tensor | null = null;
  let to: Tensor | null = null;
  try {
    ts = paramOf(fn, 'scale', scale, c, [[c]]);
    to = paramOf(fn, 'offset', offset, c, [[c]]);
    const inputs = [t];
    const scaleAt = ts ? inputs.push(ts) - 1 : -1;
    const offsetAt = to ? inputs.push(to) - 1 : -1;
    const [y, mean, variance] = runOp(BatchNormTraining, inputs, { epsilon, channels: c, scaleAt, offsetAt });
    return { y, mean, variance };
  } finally {
    if (ts) freeTemps(ts, scale);
    if (to) freeTemps(to, offset);
    freeTemps(t, x);
  }
}

// ------------------------------------------------------------------ layerNormalization

interface LayerNormAttrs {
  epsilon: number;
  rows: number;
  cols: number;
  /** Where gamma and beta sit in the inputs [x, gamma?, beta?], or -1. */
  gammaAt: number;
  betaAt: number;
}

const LayerNorm = defineOp<LayerNormAttrs>({
  name: 'LayerNorm',
  forward(inputs, at, ctx) {
    const x = inputs[0];
    const gamma = at.gammaAt >= 0 ? inputs[at.gammaAt].handle : null;
    const beta = at.betaAt >= 0 ? inputs[at.betaAt].handle : null;
    // The statistics are kept only for a backward.
    const stats = ctx.needsGrad ? [[at.rows], [at.rows]] : [null, null];
    const [y, mean, variance] = outputs([x.shape.slice(), ...stats], ([hy, hm, hv]) =>
      asMatrix(x.handle, x.shape, at.rows, at.cols, (xm) => asMatrix(hy!, x.shape, at.rows, at.cols, (ym) =>
        native.layerNorm(xm, gamma, beta, at.epsilon, ym, hm, hv))));
    if (mean && variance) ctx.save(mean, variance);
    return y!;
  },
  backward([dy], { inputs, saved: [mean, variance], attrs: at, needs }) {
    const x = inputs[0];
    const gamma = at.gammaAt >= 0 ? inputs[at.gammaAt] : null;
    const wantGamma = at.gammaAt >= 0 && needs[at.gammaAt];
    const wantBeta = at.betaAt >= 0 && needs[at.betaAt];
    const [dx, dgamma, dbeta] = outputs([needs[0] ? x.shape.slice() : null, wantGamma ? [at.cols] : null, wantBeta ? [at.cols] : null],
      ([hx, hg, hb]) => asMatrix(x.handle, x.shape, at.rows, at.cols, (xm) => asMatrix(dy.handle, dy.shape, at.rows, at.cols, (dym) => {
        const grad = (dxm: TensorHandle | null) => native.layerNormGrad(xm, dym, mean.handle, variance.handle, gamma && gamma.handle, at.epsilon, dxm, hg, hb);
        return hx ? asMatrix(hx, x.shape, at.rows, at.cols, grad) : grad(null);
      })));
    const grads: (Tensor | null)[] = [dx];
    if (at.gammaAt >= 0) grads[at.gammaAt] = dgamma && reshapeTo(dgamma, inputs[at.gammaAt].shape);
    if (at.betaAt >= 0) grads[at.betaAt] = dbeta && reshapeTo(dbeta, inputs[at.betaAt].shape);
    return grads;
  },
});

/**
 * @internal Layer normalization: normalises each example of x over its last
 * `axes` axes (mean and biased variance of those elements), then scales by
 * gamma and shifts by beta (the shape of those trailing axes, or flat; null
 * for none). Gradients flow to x, gamma and beta.
 */
export function layerNormalization(x: TensorLike, gamma: TensorLike | null, beta: TensorLike | null, epsilon: number, axes = 1): Tensor {
  const fn = 'layerNormalization';
  checkEpsilon(fn, 'epsilon', epsilon);
  const t0 = toTensor(x, 'x', fn);
  if (typeof axes !== 'number' || !Number.isInteger(axes) || axes < 1 || axes > t0.rank) {
    freeTemps(t0, x);
    throw rangeError(fn, 'axes', `an integer in [1, ${t0.rank}] (the number of trailing axes to normalise)`, axes);
  }
  const t = inDtype(t0, 'float32', x);
  const trailing = t.shape.slice(t.rank - axes);
  const cols = trailing.reduce((a, b) => a * b, 1);
  const rows = cols === 0 ? 0 : t.size / cols;
  let tg: Tensor | null = null;
  let tb: Tensor | null = null;
  try {
    const shapes = axes === 1 ? [trailing] : [trailing, [cols]];
    tg = paramOf(fn, 'gamma', gamma, cols, shapes);
    tb = paramOf(fn, 'beta', beta, cols, shapes);
    const inputs = [t];
    const gammaAt = tg ? inputs.push(tg) - 1 : -1;
    const betaAt = tb ? inputs.push(tb) - 1 : -1;
    return run1(LayerNorm, inputs, { epsilon, rows, cols, gammaAt, betaAt });
  } finally {
    if (tg) freeTemps(tg, gamma);
    if (tb) freeTemps(tb, beta);
    freeTemps(t, x);
  }
}

// ------------------------------------------------------------------ chained API

declare module '../tensor/tensor' {
  interface Tensor<R extends Rank = Rank> {
    batchNorm(mean: Tensor | TensorLike, variance: Tensor | TensorLike, offset?: Tensor | TensorLike | null, scale?: Tensor | TensorLike | null,
      varianceEpsilon?: number): Tensor<R>;
  }
}

Tensor.prototype.batchNorm = function (mean, variance, offset, scale, varianceEpsilon) {
  return batchNorm(this, mean, variance, offset, scale, varianceEpsilon);
};
