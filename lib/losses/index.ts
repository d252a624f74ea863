// Losses, in two families:
//  - Keras-style loss functions `(yTrue, yPred) => per-sample loss` (the last
//    axis reduced, so [batch, d] gives [batch]), which compile() takes by name
//    and the training loop reduces (with sample weights) itself;
//  - TF.js's tf.losses.* functions with (labels, predictions, weights?,
//    reduction?) that return a reduced loss.
// The namespace object `losses` (tf.losses) holds TF.js's functions under
// their names and the Keras-style ones under the names TF.js lacks.
//
// Cross-entropy from logits goes through the fused softmaxCrossEntropyWithLogits
// op: one native call gives the loss and the gradient. When yPred comes from a
// softmax whose input was recorded as `yPred.kerasLogits` (Dense with a softmax
// activation does that, as Keras's _keras_logits), the fused op runs on those
// logits. That equals Keras's probability formula except where Keras clips
// probabilities to [1e-7, 1 - 1e-7]: a sample whose true class gets less than
// 1e-7 costs -log(p) here instead of Keras's cap of 16.1, and its gradient is
// not cut off.
import { rangeError, shapeError, typeError, unknownName } from '../errors';
import { engine } from '../tensor/engine';
import { Tensor } from '../tensor/tensor';
import { tidy } from '../tensor/scope';
import { toTensor, TensorLike } from '../ops/convert';
import { ones } from '../ops/creation';
import {
  abs, add, cast, clipByValue, div, equal, exp, log, log1p, logicalOr, maximum, minimum, mul, neg, notEqual, relu, softplus,
  sqrt, square, squaredDifference, sub, where,
} from '../ops/elementwise';
import { all, max, mean, sum } from '../ops/reduce';
import { softmaxCrossEntropyWithLogits } from '../ops/nn';
import { expandDims, oneHot, reshape, squeeze } from '../ops/shape';
import { sameShape } from '../tensor/shape';

/** Keras's fuzz factor (backend().epsilon()). */
const EPSILON = 1e-7;

/** A Keras-style loss: per-sample losses, the last axis reduced. */
export type LossFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** Options of the cross-entropy losses, as Keras's from_logits / label_smoothing. */
export interface CrossentropyOptions {
  /** yPred holds logits rather than probabilities. Default false. */
  fromLogits?: boolean;
  /** Mixes the labels with the uniform distribution: y * (1 - s) + s / classes (0.5 for binary). Default 0. */
  labelSmoothing?: number;
}

/**
 * @internal Runs f in a tidy scope unless a gradient tape records: backward still
 * reads the intermediates then, and the gradient scope frees them.
 */
export function scoped<T extends Tensor>(f: () => T): T {
  return engine.tapes.length === 0 ? tidy(f) : f();
}

function floatOperand(x: unknown, arg: string, fn: string): Tensor {
  const t = toTensor(x, arg, fn);
  return t.dtype === 'float32' ? t : cast(t, 'float32');
}

/**
 * yTrue and yPred as float32 tensors of one shape. As Keras's
 * squeeze_or_expand_to_same_rank, a rank difference of one with a trailing 1
 * is resolved first: a rank-1 operand gains a trailing axis, else the trailing
 * 1 is squeezed.
 */
function operands(fn: string, yTrue: unknown, yPred: unknown): [Tensor, Tensor] {
  return sameRankOperands(fn, floatOperand(yTrue, 'yTrue', fn), floatOperand(yPred, 'yPred', fn));
}

/** @internal t and p at one rank (see operands); then their shapes must agree. Metrics share it. */
export function sameRankOperands(fn: string, t: Tensor, p: Tensor): [Tensor, Tensor] {
  if (t.rank === p.rank + 1 && t.shape[t.rank - 1] === 1) {
    if (p.rank === 1) p = expandDims(p, -1);
    else t = squeeze(t, -1);
  } else if (p.rank === t.rank + 1 && p.shape[p.rank - 1] === 1) {
    if (t.rank === 1) t = expandDims(t, -1);
    else p = squeeze(p, -1);
  }
  if (!sameShape(t.shape, p.shape)) throw shapeError(fn, 'yTrue and yPred must have the same shape', t.shape, p.shape);
  if (p.rank === 0) throw rangeError(fn, 'yPred', 'a tensor of rank >= 1 (the last axis is reduced)', p);
  return [t, p];
}

function xentOptions(fn: string, fromLogits: unknown, labelSmoothing: unknown): Required<CrossentropyOptions> {
  let opts: CrossentropyOptions;
  if (fromLogits !== null && typeof fromLogits === 'object') opts = fromLogits as CrossentropyOptions;
  else opts = { fromLogits: fromLogits as boolean | undefined, labelSmoothing: labelSmoothing as number | undefined };
  const from = opts.fromLogits ?? false;
  const s = opts.labelSmoothing ?? 0;
  if (typeof from !== 'boolean') throw typeError(fn, 'fromLogits', 'a boolean', from);
  if (typeof s !== 'number' || !(s >= 0 && s <= 1)) throw rangeError(fn, 'labelSmoothing', 'a number in [0, 1]', s);
  return { fromLogits: from, labelSmoothing: s };
}

/** The pre-softmax logits a layer attached to yPred, when usable. */
function attachedLogits(yPred: unknown, shape: readonly number[]): Tensor | null {
  const z = yPred instanceof Tensor ? yPred.kerasLogits : undefined;
  return z && !z.isDisposed && z.dtype === 'float32' && sameShape(z.shape, shape) ? z : null;
}

/** -sum(y * log(p)) over the last axis, with p renormalised and clipped as Keras. */
function probabilityCrossentropy(y: Tensor, p: Tensor): Tensor {
  const probs = clipByValue(div(p, sum(p, -1, true)), EPSILON, 1 - EPSILON);
  return neg(sum(mul(y, log(probs)), -1));
}

function smoothLabels(y: Tensor, s: number, classes: number): Tensor {
  return s > 0 ? add(mul(y, 1 - s), s / classes) : y;
}

// ------------------------------------------------------------ Keras-style losses

/** mean((yPred - yTrue)²) over the last axis. `tf.losses.meanSquaredError` is TF.js's weighted form; this is compile's 'mse'. */
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const [t, p] = operands('meanSquaredError', yTrue, yPred);
    return mean(squaredDifference(p, t), -1);
  });
}

/** mean(|yPred - yTrue|) over the last axis. `tf.losses.meanAbsoluteError([[0, 1]], [[1, 1]])` → [0.5]. */
export function meanAbsoluteError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const [t, p] = operands('meanAbsoluteError', yTrue, yPred);
    return mean(abs(sub(p, t)), -1);
  });
}

/** 100 * mean(|(yTrue - yPred) / max(|yTrue|, 1e-7)|) over the last axis. */
export function meanAbsolutePercentageError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const [t, p] = operands('meanAbsolutePercentageError', yTrue, yPred);
    return mul(mean(abs(div(sub(t, p), maximum(abs(t), EPSILON))), -1), 100);
  });
}

/** mean((log(1 + max(yPred, ε)) - log(1 + max(yTrue, ε)))²) over the last axis. */
export function meanSquaredLogarithmicError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const [t, p] = operands('meanSquaredLogarithmicError', yTrue, yPred);
    return mean(squaredDifference(log1p(maximum(p, EPSILON)), log1p(maximum(t, EPSILON))), -1);
  });
}

/**
 * Huber loss over the last axis: 0.5 e² where |e| <= delta, else
 * delta (|e| - 0.5 delta), with e = yPred - yTrue. `tf.losses.huber(yTrue, yPred, 1)`.
 */
export function huber(yTrue: TensorLike, yPred: TensorLike, delta = 1): Tensor {
  if (typeof delta !== 'number' || !(delta > 0)) throw rangeError('huber', 'delta', 'a positive number', delta);
  return scoped(() => {
    const [t, p] = operands('huber', yTrue, yPred);
    const error = abs(sub(p, t));
    const quadratic = minimum(error, delta);
    return mean(add(mul(square(quadratic), 0.5), mul(sub(error, quadratic), delta)), -1);
  });
}

/** mean(log(cosh(yPred - yTrue))) over the last axis, computed as x + softplus(-2x) - log 2. */
export function logCosh(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const [t, p] = operands('logCosh', yTrue, yPred);
    const x = sub(p, t);
    return mean(sub(add(x, softplus(mul(x, -2))), Math.LN2), -1);
  });
}

/** Labels in {0, 1} become {-1, 1}, as Keras's hinge losses do; others stay. */
function hingeLabels(t: Tensor): Tensor {
  const binary = all(logicalOr(equal(t, 0), equal(t, 1)));
  return where(binary, sub(mul(t, 2), 1), t);
}

/** mean(max(1 - yTrue * yPred, 0)) over the last axis; labels -1/1 (0/1 are converted). */
export function hinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const [t, p] = operands('hinge', yTrue, yPred);
    return mean(relu(sub(1, mul(hingeLabels(t), p))), -1);
  });
}

/** mean(max(1 - yTrue * yPred, 0)²) over the last axis; labels -1/1 (0/1 are converted). */
export function squaredHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const [t, p] = operands('squaredHinge', yTrue, yPred);
    return mean(square(relu(sub(1, mul(hingeLabels(t), p)))), -1);
  });
}

/** max(0, 1 + max((1 - yTrue) * yPred) - sum(yTrue * yPred)) over the last axis (one-hot yTrue). */
export function categoricalHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const [t, p] = operands('categoricalHinge', yTrue, yPred);
    const pos = sum(mul(t, p), -1);
    const negative = max(mul(sub(1, t), p), -1);
    return relu(add(sub(negative, pos), 1));
  });
}

/**
 * Binary cross-entropy, averaged over the last axis. Probabilities are
 * clipped to [1e-7, 1 - 1e-7] as Keras; with `fromLogits` the stable form
 * max(z, 0) - z y + log(1 + exp(-|z|)) is used.
 *
 * ```js
 * tf.losses.binaryCrossentropy(yTrue, yPred);
 * tf.losses.binaryCrossentropy(yTrue, logits, {fromLogits: true, labelSmoothing: 0.1});
 * ```
 */
export function binaryCrossentropy(yTrue: TensorLike, yPred: TensorLike, fromLogits?: boolean | CrossentropyOptions, labelSmoothing?: number): Tensor {
  const fn = 'binaryCrossentropy';
  const o = xentOptions(fn, fromLogits, labelSmoothing);
  return scoped(() => {
    const [t, p] = operands(fn, yTrue, yPred);
    const y = smoothLabels(t, o.labelSmoothing, 2);
    return mean(o.fromLogits ? sigmoidCrossentropyWithLogits(y, p) : binaryCrossentropyOfProbabilities(y, p), -1);
  });
}

function sigmoidCrossentropyWithLogits(y: Tensor, z: Tensor): Tensor {
  return add(sub(relu(z), mul(z, y)), log1p(exp(neg(abs(z)))));
}

function binaryCrossentropyOfProbabilities(y: Tensor, p: Tensor): Tensor {
  const q = clipByValue(p, EPSILON, 1 - EPSILON);
  return neg(add(mul(y, log(q)), mul(sub(1, y), log(sub(1, q)))));
}

/**
 * Categorical cross-entropy of one-hot (or probability) labels, summed over
 * the last axis. Probabilities are renormalised and clipped as Keras; logits
 * (`fromLogits`, or the logits a softmax layer attached to yPred) go through
 * the fused softmax-cross-entropy kernel.
 *
 * ```js
 * tf.losses.categoricalCrossentropy(oneHotLabels, probs);
 * tf.losses.categoricalCrossentropy(oneHotLabels, logits, {fromLogits: true, labelSmoothing: 0.1});
 * ```
 */
export function categoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike, fromLogits?: boolean | CrossentropyOptions, labelSmoothing?: number): Tensor {
  const fn = 'categoricalCrossentropy';
  const o = xentOptions(fn, fromLogits, labelSmoothing);
  return scoped(() => {
    const t = floatOperand(yTrue, 'yTrue', fn);
    const p = floatOperand(yPred, 'yPred', fn);
    if (!sameShape(t.shape, p.shape)) throw shapeError(fn, 'yTrue and yPred must have the same shape ([batch, classes]; use sparseCategoricalCrossentropy for class ids)', t.shape, p.shape);
    if (p.rank === 0) throw rangeError(fn, 'yPred', 'a tensor of rank >= 1 ([..., classes])', p);
    const logits = o.fromLogits ? p : attachedLogits(yPred, p.shape);
    if (logits) return softmaxCrossEntropyWithLogits(t, logits, { labelSmoothing: o.labelSmoothing, sparse: false });
    return probabilityCrossentropy(smoothLabels(t, o.labelSmoothing, p.shape[p.rank - 1]), p);
  });
}

/**
 * Categorical cross-entropy of class ids (int or float, shape [batch] or
 * [batch, 1]) against [batch, classes] predictions. Logits (`fromLogits`, or
 * attached by a softmax layer) go through the fused kernel.
 *
 * ```js
 * model.compile({optimizer: 'adam', loss: (y, p) => tf.losses.sparseCategoricalCrossentropy(y, p, true)});
 * ```
 */
export function sparseCategoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike, fromLogits?: boolean | CrossentropyOptions, labelSmoothing?: number): Tensor {
  const fn = 'sparseCategoricalCrossentropy';
  const o = xentOptions(fn, fromLogits, labelSmoothing);
  return scoped(() => {
    const p = floatOperand(yPred, 'yPred', fn);
    let ids = toTensor(yTrue, 'yTrue', fn);
    if (p.rank === 0) throw rangeError(fn, 'yPred', 'a tensor of rank >= 1 ([..., classes])', p);
    const batch = p.shape.slice(0, -1);
    if (ids.rank === p.rank && ids.shape[ids.rank - 1] === 1) ids = reshape(ids, batch);
    if (!sameShape(ids.shape, batch)) {
      throw shapeError(fn, 'yTrue must hold one class id per row of yPred ([batch] or [batch, 1] against [batch, classes])', ids.shape, p.shape);
    }
    if (ids.dtype !== 'int32') ids = cast(ids, 'int32');
    const logits = o.fromLogits ? p : attachedLogits(yPred, p.shape);
    if (logits) return softmaxCrossEntropyWithLogits(ids, logits, { labelSmoothing: o.labelSmoothing, sparse: true });
    const classes = p.shape[p.rank - 1];
    return probabilityCrossentropy(smoothLabels(oneHot(ids, classes, 1, 0, 'float32'), o.labelSmoothing, classes), p);
  });
}

/** sum(yTrue * log(yTrue / yPred)) over the last axis, both clipped to [1e-7, 1]. */
export function kullbackLeiblerDivergence(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const [t, p] = operands('kullbackLeiblerDivergence', yTrue, yPred);
    const tc = clipByValue(t, EPSILON, 1);
    return sum(mul(tc, log(div(tc, clipByValue(p, EPSILON, 1)))), -1);
  });
}

/** mean(yPred - yTrue * log(yPred + 1e-7)) over the last axis. */
export function poisson(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const [t, p] = operands('poisson', yTrue, yPred);
    return mean(sub(p, mul(t, log(add(p, EPSILON)))), -1);
  });
}

/** x / sqrt(max(sum(x²), 1e-7)) along the last axis, as TF.js's l2Normalize. */
function l2Normalize(x: Tensor): Tensor {
  return div(x, sqrt(maximum(sum(square(x), -1, true), EPSILON)));
}

/** -sum(l2normalize(yTrue) * l2normalize(yPred)) over the last axis: -1 for parallel vectors. */
export function cosineProximity(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const [t, p] = operands('cosineProximity', yTrue, yPred);
    return neg(sum(mul(l2Normalize(t), l2Normalize(p)), -1));
  });
}

// ------------------------------------------------------------ TF.js's tf.losses

/** How TF.js's tf.losses.* reduce the weighted per-element losses. */
export enum Reduction {
  NONE = 0,
  MEAN = 1,
  SUM = 2,
  SUM_BY_NONZERO_WEIGHTS = 3,
}

function weightsOperand(weights: unknown, fn: string): Tensor | null {
  return weights == null ? null : floatOperand(weights, 'weights', fn);
}

function checkReduction(fn: string, reduction: unknown): Reduction {
  if (reduction !== 0 && reduction !== 1 && reduction !== 2 && reduction !== 3) {
    throw typeError(fn, 'reduction', 'a tf.Reduction (NONE, MEAN, SUM or SUM_BY_NONZERO_WEIGHTS)', reduction);
  }
  return reduction;
}

function reduceWeighted(losses: Tensor, weights: Tensor | null, reduction: Reduction): Tensor {
  const weighted = weights ? mul(losses, weights) : losses;
  switch (reduction) {
    case Reduction.NONE:
      return weighted;
    case Reduction.SUM:
      return sum(weighted);
    case Reduction.MEAN: {
      if (!weights) return mean(weighted);
      const result = div(sum(weighted), sum(weights));
      const broadcastFactor = losses.size / weights.size;
      return broadcastFactor > 1 ? div(result, broadcastFactor) : result;
    }
    default: {
      if (!weights) return div(sum(weighted), losses.size);
      const nonZero = sum(cast(notEqual(mul(weights, ones(losses.shape)), 0), 'float32'));
      return div(sum(weighted), nonZero);
    }
  }
}

/**
 * Applies `weights` (broadcast onto `losses`) and reduces, as TF.js's
 * tf.losses.computeWeightedLoss. The default reduction divides the sum by the
 * number of non-zero weights.
 */
export function computeWeightedLoss(losses: TensorLike, weights?: TensorLike | null, reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  const fn = 'computeWeightedLoss';
  const r = checkReduction(fn, reduction);
  return scoped(() => reduceWeighted(floatOperand(losses, 'losses', fn), weightsOperand(weights, fn), r));
}

/** TF.js's pattern: the elementwise losses of two same-shape operands, then weights and reduction. */
function tfjsLoss(
  fn: string, a: unknown, b: unknown, aName: string, bName: string, weights: unknown, reduction: unknown,
  elementwise: (a: Tensor, b: Tensor) => Tensor,
): Tensor {
  const r = checkReduction(fn, reduction);
  return scoped(() => {
    const ta = floatOperand(a, aName, fn);
    const tb = floatOperand(b, bName, fn);
    if (!sameShape(ta.shape, tb.shape)) throw shapeError(fn, `${aName} and ${bName} must have the same shape`, ta.shape, tb.shape);
    return reduceWeighted(elementwise(ta, tb), weightsOperand(weights, fn), r);
  });
}

const DEFAULT_REDUCTION = Reduction.SUM_BY_NONZERO_WEIGHTS;

/** TF.js's tf.losses.absoluteDifference: |labels - predictions|, weighted and reduced. */
export function absoluteDifference(labels: TensorLike, predictions: TensorLike, weights?: TensorLike | null, reduction = DEFAULT_REDUCTION): Tensor {
  return tfjsLoss('absoluteDifference', labels, predictions, 'labels', 'predictions', weights, reduction, (l, p) => abs(sub(l, p)));
}

/**
 * TF.js's tf.losses.meanSquaredError: (labels - predictions)², weighted and
 * reduced (by default to a scalar). `tf.losses.meanSquaredError([1, 2], [1, 4])` → 2.
 */
export function weightedMeanSquaredError(labels: TensorLike, predictions: TensorLike, weights?: TensorLike | null, reduction = DEFAULT_REDUCTION): Tensor {
  return tfjsLoss('meanSquaredError', labels, predictions, 'labels', 'predictions', weights, reduction, (l, p) => squaredDifference(l, p));
}

/** TF.js's tf.losses.cosineDistance: 1 - sum(labels * predictions, axis) (inputs unit-normalised by the caller). */
export function cosineDistance(labels: TensorLike, predictions: TensorLike, axis: number, weights?: TensorLike | null, reduction = DEFAULT_REDUCTION): Tensor {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) throw typeError('cosineDistance', 'axis', 'an integer', axis);
  return tfjsLoss('cosineDistance', labels, predictions, 'labels', 'predictions', weights, reduction, (l, p) => sub(1, sum(mul(l, p), axis, true)));
}

/** TF.js's tf.losses.hingeLoss: labels in {0, 1} become {-1, 1}; max(0, 1 - y * predictions). */
export function hingeLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike | null, reduction = DEFAULT_REDUCTION): Tensor {
  return tfjsLoss('hingeLoss', labels, predictions, 'labels', 'predictions', weights, reduction, (l, p) => relu(sub(1, mul(sub(mul(l, 2), 1), p))));
}

/** TF.js's tf.losses.huberLoss: quadratic within `delta`, linear beyond. */
export function huberLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike | null, delta = 1, reduction = DEFAULT_REDUCTION): Tensor {
  if (typeof delta !== 'number' || !(delta > 0)) throw rangeError('huberLoss', 'delta', 'a positive number', delta);
  return tfjsLoss('huberLoss', labels, predictions, 'labels', 'predictions', weights, reduction, (l, p) => {
    const error = abs(sub(l, p));
    const quadratic = minimum(error, delta);
    return add(mul(square(quadratic), 0.5), mul(sub(error, quadratic), delta));
  });
}

/** TF.js's tf.losses.logLoss: -y log(p + ε) - (1 - y) log(1 - p + ε). */
export function logLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike | null, epsilon = EPSILON, reduction = DEFAULT_REDUCTION): Tensor {
  if (typeof epsilon !== 'number' || !(epsilon >= 0)) throw rangeError('logLoss', 'epsilon', 'a non-negative number', epsilon);
  return tfjsLoss('logLoss', labels, predictions, 'labels', 'predictions', weights, reduction, (l, p) =>
    sub(neg(mul(l, log(add(p, epsilon)))), mul(sub(1, l), log(add(sub(1, p), epsilon)))),
  );
}

/** TF.js's tf.losses.sigmoidCrossEntropy on logits; labels smoothed towards 0.5. */
export function sigmoidCrossEntropy(multiClassLabels: TensorLike, logits: TensorLike, weights?: TensorLike | null, labelSmoothing = 0, reduction = DEFAULT_REDUCTION): Tensor {
  const fn = 'sigmoidCrossEntropy';
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing >= 0 && labelSmoothing <= 1)) throw rangeError(fn, 'labelSmoothing', 'a number in [0, 1]', labelSmoothing);
  return tfjsLoss(fn, multiClassLabels, logits, 'multiClassLabels', 'logits', weights, reduction, (l, z) =>
    sigmoidCrossentropyWithLogits(smoothLabels(l, labelSmoothing, 2), z),
  );
}

/** TF.js's tf.losses.softmaxCrossEntropy: one-hot labels against logits [batch, classes], through the fused kernel. */
export function softmaxCrossEntropy(onehotLabels: TensorLike, logits: TensorLike, weights?: TensorLike | null, labelSmoothing = 0, reduction = DEFAULT_REDUCTION): Tensor {
  const fn = 'softmaxCrossEntropy';
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing >= 0 && labelSmoothing <= 1)) throw rangeError(fn, 'labelSmoothing', 'a number in [0, 1]', labelSmoothing);
  const r = checkReduction(fn, reduction);
  return scoped(() => {
    const y = floatOperand(onehotLabels, 'onehotLabels', fn);
    const z = floatOperand(logits, 'logits', fn);
    if (!sameShape(y.shape, z.shape) || z.rank === 0) throw shapeError(fn, 'onehotLabels and logits must have the same shape [..., classes]', y.shape, z.shape);
    return reduceWeighted(softmaxCrossEntropyWithLogits(y, z, { labelSmoothing, sparse: false }), weightsOperand(weights, fn), r);
  });
}

/** The Keras-style per-sample losses, other than meanSquaredError. */
const PER_SAMPLE_LOSSES = {
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  huber,
  logCosh,
  hinge,
  squaredHinge,
  categoricalHinge,
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  kullbackLeiblerDivergence,
  poisson,
  cosineProximity,
};

/**
 * tf.losses: TF.js's functions under their names (meanSquaredError is TF.js's
 * weighted, reduced form), and the Keras-style per-sample losses TF.js lacks.
 */
export const losses = {
  Reduction,
  absoluteDifference,
  computeWeightedLoss,
  cosineDistance,
  hingeLoss,
  huberLoss,
  logLoss,
  meanSquaredError: weightedMeanSquaredError,
  sigmoidCrossEntropy,
  softmaxCrossEntropy,
  ...PER_SAMPLE_LOSSES,
};

// ------------------------------------------------------------ by name

const LOSSES: { [name: string]: LossFunction } = { meanSquaredError, ...PER_SAMPLE_LOSSES };

// Short names and other spellings TF.js and Keras accept (after snake_case → camelCase).
const LOSS_ALIASES: { [name: string]: string } = {
  mse: 'meanSquaredError',
  MSE: 'meanSquaredError',
  mae: 'meanAbsoluteError',
  MAE: 'meanAbsoluteError',
  mape: 'meanAbsolutePercentageError',
  MAPE: 'meanAbsolutePercentageError',
  msle: 'meanSquaredLogarithmicError',
  MSLE: 'meanSquaredLogarithmicError',
  kld: 'kullbackLeiblerDivergence',
  KLD: 'kullbackLeiblerDivergence',
  klDivergence: 'kullbackLeiblerDivergence',
  logcosh: 'logCosh',
  huberLoss: 'huber',
  cosine: 'cosineProximity',
  cosineSimilarity: 'cosineProximity',
};

/** @internal 'mean_squared_error' and 'MeanSquaredError' → 'meanSquaredError'; other spellings unchanged. */
export function normalizeName(name: string): string {
  const camel = name.includes('_') ? name.toLowerCase().replace(/_+([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) : name;
  return /^[A-Z][a-z]/.test(camel) ? camel[0].toLowerCase() + camel.slice(1) : camel;
}

/** @internal The canonical name of a loss, or undefined: resolves aliases and snake_case. */
export function lossName(identifier: string): string | undefined {
  for (const n of [identifier, normalizeName(identifier)]) {
    if (Object.prototype.hasOwnProperty.call(LOSSES, n)) return n;
    if (Object.prototype.hasOwnProperty.call(LOSS_ALIASES, n)) return LOSS_ALIASES[n];
  }
  return undefined;
}

/**
 * A Keras-style loss function by name ('categoricalCrossentropy',
 * 'categorical_crossentropy', 'mse', ...), or the function itself.
 *
 * ```js
 * const f = getLoss('mse');
 * f(tf.tensor2d([[1, 2]]), tf.tensor2d([[1, 4]]));   // [2]
 * ```
 */
export function getLoss(identifier: string | LossFunction): LossFunction {
  if (typeof identifier === 'function') return identifier;
  const name = typeof identifier === 'string' ? lossName(identifier) : undefined;
  if (name === undefined) {
    throw unknownName('getLoss', 'loss', identifier, [...Object.keys(LOSSES), ...Object.keys(LOSS_ALIASES)]);
  }
  return LOSSES[name];
}
