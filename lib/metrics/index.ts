// tf.metrics.*: Keras-style metric functions (yTrue, yPred) → per-sample
// values (precision, recall and r2Score: one scalar per batch, as TF.js),
// which the training loop averages. None reads tensor data: accuracy is
// argMax + equal + cast, so it costs a few small kernels per batch.
import { rangeError, shapeError, typeError, unknownName } from '../errors';
import { Tensor } from '../tensor/tensor';
import { toTensor, TensorLike } from '../ops/convert';
import { add, cast, divNoNan, equal, greater, less, logicalAnd, logicalNot, mul, sub, squaredDifference } from '../ops/elementwise';
import { argMax, mean, sum } from '../ops/reduce';
import { oneHot, reshape } from '../ops/shape';
import {
  binaryCrossentropy as binaryCrossentropyLoss, categoricalCrossentropy, cosineProximity, getLoss, LossFunction, lossName,
  meanAbsoluteError, meanAbsolutePercentageError, meanSquaredError, meanSquaredLogarithmicError, normalizeName, scoped,
  sameRankOperands, sparseCategoricalCrossentropy,
} from '../losses';
import { sameShape } from '../tensor/shape';

/** A metric: per-sample values (or one scalar) for a batch. */
export type MetricFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** Both operands at one rank, as Keras's squeeze_or_expand_to_same_rank; then the shapes must agree. */
function operands(fn: string, yTrue: unknown, yPred: unknown): [Tensor, Tensor] {
  return sameRankOperands(fn, toTensor(yTrue, 'yTrue', fn), toTensor(yPred, 'yPred', fn));
}

/**
 * Per sample: the fraction of entries where (yPred > threshold) equals yTrue.
 * `tf.metrics.binaryAccuracy([[1], [0]], [[0.8], [0.7]])` → [1, 0].
 */
export function binaryAccuracy(yTrue: TensorLike, yPred: TensorLike, threshold = 0.5): Tensor {
  if (typeof threshold !== 'number') throw typeError('binaryAccuracy', 'threshold', 'a number', threshold);
  return scoped(() => {
    const [t, p] = operands('binaryAccuracy', yTrue, yPred);
    return mean(cast(equal(t, cast(greater(p, threshold), t.dtype)), 'float32'), -1);
  });
}

/**
 * Per sample: 1 where argMax(yPred) equals argMax(yTrue) (one-hot labels), else 0.
 * `tf.metrics.categoricalAccuracy([[0, 1]], [[0.3, 0.7]])` → [1].
 */
export function categoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const t = toTensor(yTrue, 'yTrue', 'categoricalAccuracy');
    const p = toTensor(yPred, 'yPred', 'categoricalAccuracy');
    if (!sameShape(t.shape, p.shape) || p.rank === 0) {
      throw shapeError('categoricalAccuracy', 'yTrue and yPred must have the same shape [..., classes]', t.shape, p.shape);
    }
    return cast(equal(argMax(t, -1), argMax(p, -1)), 'float32');
  });
}

/** Class ids as int32 of shape yPred.shape[:-1] (accepting a trailing 1). */
function classIds(fn: string, yTrue: unknown, p: Tensor): Tensor {
  let ids = toTensor(yTrue, 'yTrue', fn);
  if (p.rank === 0) throw rangeError(fn, 'yPred', 'a tensor of rank >= 1 ([..., classes])', p);
  const batch = p.shape.slice(0, -1);
  if (ids.rank === p.rank && ids.shape[ids.rank - 1] === 1) ids = reshape(ids, batch);
  if (!sameShape(ids.shape, batch)) {
    throw shapeError(fn, 'yTrue must hold one class id per row of yPred ([batch] or [batch, 1] against [batch, classes])', ids.shape, p.shape);
  }
  return ids.dtype === 'int32' ? ids : cast(ids, 'int32');
}

/**
 * Per sample: 1 where argMax(yPred) equals the class id in yTrue ([batch] or [batch, 1]).
 * `tf.metrics.sparseCategoricalAccuracy([1, 0], [[0.3, 0.7], [0.4, 0.6]])` → [1, 0].
 */
export function sparseCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const p = toTensor(yPred, 'yPred', 'sparseCategoricalAccuracy');
    return cast(equal(classIds('sparseCategoricalAccuracy', yTrue, p), argMax(p, -1)), 'float32');
  });
}

/**
 * 1 where the true class's score is among the k largest (as TF's in_top_k:
 * fewer than k classes score strictly higher), for one-hot hot yTrue.
 */
function inTopK(hot: Tensor, p: Tensor, k: number): Tensor {
  const target = sum(mul(hot, p), -1, true);
  const higher = sum(cast(greater(p, target), 'float32'), -1);
  return cast(less(higher, k), 'float32');
}

function checkK(fn: string, k: unknown): asserts k is number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) throw rangeError(fn, 'k', 'a positive integer', k);
}

/**
 * Per sample: 1 where the true class (argMax of one-hot yTrue) is among the k
 * top-scored classes of yPred. `tf.metrics.topKCategoricalAccuracy(yTrue, yPred, 5)`.
 */
export function topKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, k = 5): Tensor {
  const fn = 'topKCategoricalAccuracy';
  checkK(fn, k);
  return scoped(() => {
    const t = toTensor(yTrue, 'yTrue', fn);
    const p = cast(toTensor(yPred, 'yPred', fn), 'float32');
    if (!sameShape(t.shape, p.shape) || p.rank === 0) throw shapeError(fn, 'yTrue and yPred must have the same shape [..., classes]', t.shape, p.shape);
    return inTopK(oneHot(argMax(t, -1), p.shape[p.rank - 1], 1, 0, 'float32'), p, k);
  });
}

/** Per sample: 1 where the class id in yTrue is among the k top-scored classes of yPred. */
export function sparseTopKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, k = 5): Tensor {
  const fn = 'sparseTopKCategoricalAccuracy';
  checkK(fn, k);
  return scoped(() => {
    const p = cast(toTensor(yPred, 'yPred', fn), 'float32');
    return inTopK(oneHot(classIds(fn, yTrue, p), p.shape[p.rank - 1], 1, 0, 'float32'), p, k);
  });
}

/** Positives as Keras counts them: labels and predictions above 0.5. */
function positives(fn: string, yTrue: unknown, yPred: unknown): [Tensor, Tensor] {
  const [t, p] = operands(fn, yTrue, yPred);
  return [greater(t, 0.5), greater(p, 0.5)];
}

function count(x: Tensor): Tensor {
  return sum(cast(x, 'float32'));
}

/**
 * true positives / (true positives + false positives) over the batch (a
 * scalar; 0 when nothing is predicted positive). Predictions count as
 * positive above 0.5. `tf.metrics.precision([1, 0, 1], [1, 1, 0])` → 0.5.
 */
export function precision(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const [actual, predicted] = positives('precision', yTrue, yPred);
    const tp = count(logicalAnd(actual, predicted));
    const fp = count(logicalAnd(logicalNot(actual), predicted));
    return divNoNan(tp, add(tp, fp));
  });
}

/**
 * true positives / (true positives + false negatives) over the batch (a
 * scalar; 0 when there are no positive labels). `tf.metrics.recall([1, 0, 1], [1, 1, 0])` → 0.5.
 */
export function recall(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const [actual, predicted] = positives('recall', yTrue, yPred);
    const tp = count(logicalAnd(actual, predicted));
    const fn = count(logicalAnd(actual, logicalNot(predicted)));
    return divNoNan(tp, add(tp, fn));
  });
}

/** Coefficient of determination over the batch: 1 - SS_res / SS_tot (a scalar), as TF.js. */
export function r2Score(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return scoped(() => {
    const [t, p] = operands('r2Score', yTrue, yPred);
    const tf = cast(t, 'float32');
    const residual = sum(squaredDifference(tf, cast(p, 'float32')));
    const total = sum(squaredDifference(tf, mean(tf)));
    return sub(1, divNoNan(residual, total));
  });
}

/** Binary cross-entropy of probabilities, averaged over the last axis (as the loss). */
export function binaryCrossentropy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return binaryCrossentropyLoss(yTrue, yPred);
}

export {
  categoricalCrossentropy, cosineProximity, meanAbsoluteError, meanAbsolutePercentageError, meanSquaredError,
  meanSquaredLogarithmicError, sparseCategoricalCrossentropy,
};

/** tf.metrics, with TF.js's aliases. */
export const metrics = {
  binaryAccuracy,
  binaryCrossentropy,
  categoricalAccuracy,
  categoricalCrossentropy,
  cosineProximity,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
  MAE: meanAbsoluteError,
  mae: meanAbsoluteError,
  MAPE: meanAbsolutePercentageError,
  mape: meanAbsolutePercentageError,
  MSE: meanSquaredError,
  mse: meanSquaredError,
  precision,
  r2Score,
  recall,
  sparseCategoricalAccuracy,
  sparseCategoricalCrossentropy,
  sparseTopKCategoricalAccuracy,
  topKCategoricalAccuracy,
};

const METRICS: { [name: string]: MetricFunction } = {
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  topKCategoricalAccuracy,
  sparseTopKCategoricalAccuracy,
  precision,
  recall,
  r2Score,
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  meanSquaredError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  cosineProximity,
};

/** What getMetric needs to pick the accuracy (or cross-entropy) that fits a model output. */
export interface MetricContext {
  /** The output's loss: a name or function. */
  loss?: string | LossFunction;
  /** The model output's shape (its last dim 1 means binary). */
  outputShape?: readonly (number | null)[];
  /** The targets' shape, when known: one dim less, or a trailing 1 against several classes, means class ids. */
  targetShape?: readonly (number | null)[];
}

type Family = 'binary' | 'categorical' | 'sparse';

/**
 * The label family of an output, as TF.js decides 'accuracy': binary when the
 * output has one unit or the loss is binary cross-entropy, sparse for sparse
 * categorical cross-entropy (or class-id shaped targets), else categorical.
 */
function family(context: MetricContext): Family {
  const { outputShape, targetShape } = context;
  const loss = typeof context.loss === 'string' ? getLoss(context.loss) : context.loss;
  const units = outputShape && outputShape.length ? outputShape[outputShape.length - 1] : undefined;
  if (units === 1 || loss === binaryCrossentropyLoss) return 'binary';
  if (loss === sparseCategoricalCrossentropy) return 'sparse';
  if (outputShape && targetShape && units !== 1 && loss !== categoricalCrossentropy) {
    if (targetShape.length === outputShape.length - 1 || (targetShape.length === outputShape.length && targetShape[targetShape.length - 1] === 1)) return 'sparse';
  }
  return 'categorical';
}

const ACCURACY: { [f in Family]: MetricFunction } = {
  binary: binaryAccuracy,
  categorical: categoricalAccuracy,
  sparse: sparseCategoricalAccuracy,
};
const CROSSENTROPY: { [f in Family]: MetricFunction } = {
  binary: binaryCrossentropy,
  categorical: categoricalCrossentropy,
  sparse: sparseCategoricalCrossentropy,
};

const METRIC_ALIASES: { [name: string]: string } = {
  mse: 'meanSquaredError',
  MSE: 'meanSquaredError',
  mae: 'meanAbsoluteError',
  MAE: 'meanAbsoluteError',
  mape: 'meanAbsolutePercentageError',
  MAPE: 'meanAbsolutePercentageError',
  msle: 'meanSquaredLogarithmicError',
  MSLE: 'meanSquaredLogarithmicError',
  cosine: 'cosineProximity',
  topKAccuracy: 'topKCategoricalAccuracy',
  sparseTopKAccuracy: 'sparseTopKCategoricalAccuracy',
};

/**
 * A metric function by name ('binaryAccuracy', 'categorical_accuracy', 'mse',
 * ...) or the function itself. 'accuracy' / 'acc' and 'crossentropy' / 'ce'
 * resolve from `context` (the output's loss and shape), as compile() does.
 *
 * ```js
 * getMetric('accuracy', {loss: 'sparseCategoricalCrossentropy'});   // sparseCategoricalAccuracy
 * ```
 */
export function getMetric(identifier: string | MetricFunction, context: MetricContext = {}): MetricFunction {
  if (typeof identifier === 'function') return identifier;
  if (typeof identifier === 'string') {
    if (identifier === 'accuracy' || identifier === 'acc') return ACCURACY[family(context)];
    if (identifier === 'crossentropy' || identifier === 'ce') return CROSSENTROPY[family(context)];
    for (const n of [identifier, normalizeName(identifier)]) {
      if (Object.prototype.hasOwnProperty.call(METRICS, n)) return METRICS[n];
      if (Object.prototype.hasOwnProperty.call(METRIC_ALIASES, n)) return METRICS[METRIC_ALIASES[n]];
    }
    // Every loss is also a metric (Keras accepts loss names in metrics).
    const loss = lossName(identifier);
    if (loss !== undefined) return getLoss(loss);
  }
  throw unknownName('getMetric', 'metric', identifier, ['accuracy', 'acc', 'crossentropy', 'ce', ...Object.keys(METRICS), ...Object.keys(METRIC_ALIASES)]);
}
