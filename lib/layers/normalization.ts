// Normalization layers: BatchNormalization and LayerNormalization, with
// TF.js's class names and config keys and Keras's behaviour. Both run on the
// fused oneDNN ops of lib/ops/norm.ts, which normalise over leading axes
// (batch norm) or trailing axes (layer norm); other axes are moved into place
// with a transpose on the way in and out.
import { check, codedError, rangeError, typeError } from '../errors';
import { Tensor } from '../tensor/tensor';
import { engine } from '../tensor/engine';
import { tidy } from '../tensor/scope';
import { ConfigDict, registerClass } from '../serialization';
import { getInitializer, Initializer, InitializerIdentifier, serializeInitializer } from '../initializers';
import { getRegularizer, Regularizer } from '../regularizers';
import { Constraint, getConstraint } from '../constraints';
import { freeTemps, mul, sub } from '../ops/elementwise';
import { reshape, transpose } from '../ops/shape';
import { batchNorm, batchNormTraining, layerNormalization } from '../ops/norm';
import { formatShape, getExactlyOneShape, getExactlyOneTensor, InputSpec, Kwargs, Layer, LayerArgs, LayerVariable, Shape } from './layer';
import { optional, serializeOptional } from './core';

type Identifier<T> = T | string | ConfigDict;

/** The options shared by both layers: what to learn, and how. */
interface AffineArgs {
  /** Small number added to the variance before the square root (default 1e-3). */
  epsilon?: number;
  /** Whether to learn an offset `beta` added after normalising (default true). */
  center?: boolean;
  /** Whether to learn a factor `gamma` applied after normalising (default true). */
  scale?: boolean;
  betaInitializer?: InitializerIdentifier | Initializer | ConfigDict;
  gammaInitializer?: InitializerIdentifier | Initializer | ConfigDict;
  betaRegularizer?: Identifier<Regularizer> | null;
  gammaRegularizer?: Identifier<Regularizer> | null;
  betaConstraint?: Identifier<Constraint> | null;
  gammaConstraint?: Identifier<Constraint> | null;
}

function flag(fn: string, arg: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw typeError(fn, arg, 'a boolean', v);
  return v;
}

function epsilonOf(fn: string, v: unknown): number {
  if (v === undefined || v === null) return 1e-3;
  check.isNumber(fn, 'epsilon', v);
  if (!(v >= 0 && Number.isFinite(v))) throw rangeError(fn, 'epsilon', 'a finite number >= 0', v);
  return v;
}

/** axis in [0, rank) from an index that may count from the end; a RangeError naming the layer otherwise. */
function resolveAxis(who: string, arg: string, axis: number, rank: number, given: unknown): number {
  if (axis < -rank || axis >= rank) throw rangeError(who, arg, `axes in [${-rank}, ${rank - 1}] for inputs of rank ${rank}`, given);
  return axis < 0 ? axis + rank : axis;
}

/** The permutation that moves `axes` (in this order) to the end, keeping the order of the others. */
function axesLast(rank: number, axes: number[]): number[] {
  const rest: number[] = [];
  for (let i = 0; i < rank; i++) if (!axes.includes(i)) rest.push(i);
  return rest.concat(axes);
}

function inverse(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

function isIdentity(perm: number[]): boolean {
  return perm.every((p, i) => p === i);
}

/**
 * Runs f with gradient recording paused: what it computes is state, not part
 * of the differentiated function (the same pause customGrad makes).
 */
function offTape<T>(f: () => T): T {
  const tapes = engine.tapes.splice(0);
  try {
    return f();
  } finally {
    engine.tapes.push(...tapes);
  }
}

// ------------------------------------------------------------------ BatchNormalization

export interface BatchNormalizationLayerArgs extends LayerArgs, AffineArgs {
  /** The features axis, normalised per entry (default -1: channels last). */
  axis?: number | [number];
  /** Weight of the old value in the moving averages (default 0.99). */
  momentum?: number;
  movingMeanInitializer?: InitializerIdentifier | Initializer | ConfigDict;
  movingVarianceInitializer?: InitializerIdentifier | Initializer | ConfigDict;
}

/**
 * Normalises each feature (an entry of `axis`) to zero mean and unit variance,
 * then scales by `gamma` and shifts by `beta`. In training (model.fit, or
 * `apply(x, {training: true})`) it uses the statistics of the batch and moves
 * `moving_mean` / `moving_variance` towards them:
 * `moving = moving * momentum + batch * (1 - momentum)`, with the batch's
 * biased variance (as Keras and TF.js). Otherwise (predict, evaluate, apply)
 * it uses the moving statistics. Gradients and optimizers never change them.
 * As in Keras, a layer whose `trainable` is false always runs in inference mode.
 *
 * ```js
 * const model = tf.sequential({layers: [
 *   tf.layers.dense({units: 64, useBias: false, inputShape: [100]}),
 *   tf.layers.batchNormalization(),
 *   tf.layers.leakyReLU(),
 * ]});
 * ```
 */
export class BatchNormalization extends Layer {
  static override className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly movingMeanInitializer: Initializer;
  readonly movingVarianceInitializer: Initializer;
  readonly betaRegularizer: Regularizer | null;
  readonly gammaRegularizer: Regularizer | null;
  readonly betaConstraint: Constraint | null;
  readonly gammaConstraint: Constraint | null;
  gamma: LayerVariable | null = null;
  beta: LayerVariable | null = null;
  movingMean: LayerVariable | null = null;
  movingVariance: LayerVariable | null = null;

  constructor(args: BatchNormalizationLayerArgs = {}) {
    super(args);
    const fn = 'BatchNormalization';
    // tf.keras 2 saves the axis as a one-element list ([3]).
    const axis: unknown = Array.isArray(args.axis) && args.axis.length === 1 ? args.axis[0] : args.axis ?? -1;
    if (typeof axis !== 'number' || !Number.isInteger(axis)) throw typeError(fn, 'axis', 'an integer (one features axis)', args.axis);
    this.axis = axis;
    this.momentum = args.momentum ?? 0.99;
    check.isNumber(fn, 'momentum', this.momentum);
    check.inRange(fn, 'momentum', this.momentum, 0, 1);
    this.epsilon = epsilonOf(fn, args.epsilon);
    this.center = flag(fn, 'center', args.center, true);
    this.scale = flag(fn, 'scale', args.scale, true);
    this.betaInitializer = getInitializer(args.betaInitializer ?? 'zeros');
    this.gammaInitializer = getInitializer(args.gammaInitializer ?? 'ones');
    this.movingMeanInitializer = getInitializer(args.movingMeanInitializer ?? 'zeros');
    this.movingVarianceInitializer = getInitializer(args.movingVarianceInitializer ?? 'ones');
    this.betaRegularizer = optional(getRegularizer, args.betaRegularizer);
    this.gammaRegularizer = optional(getRegularizer, args.gammaRegularizer);
    this.betaConstraint = optional(getConstraint, args.betaConstraint);
    this.gammaConstraint = optional(getConstraint, args.gammaConstraint);
    // Keras configs may carry batch renormalization, which is not implemented: refuse it rather than ignore it.
    if (args.renorm === true) throw codedError('ERR_UNSUPPORTED', `${fn}: batch renormalization (renorm: true) is not supported`);
    // As TF.js: masks pass through; the statistics use every position.
    this.supportsMasking = true;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = getExactlyOneShape(inputShape, 'BatchNormalization.build');
    const who = `${this.name} (BatchNormalization)`;
    const axis = resolveAxis(who, 'axis', this.axis, shape.length, this.axis);
    const dim = shape[axis];
    if (dim == null) {
      throw codedError('ERR_SHAPE_MISMATCH', `${who}: the size of axis ${this.axis} must be known to create the weights, but the input shape is ${formatShape(shape)}`);
    }
    this.inputSpec = [new InputSpec({ ndim: shape.length, axes: { [axis]: dim } })];
    const param = [dim];
    if (this.scale) this.gamma = this.addWeight('gamma', param, 'float32', this.gammaInitializer, this.gammaRegularizer, true, this.gammaConstraint);
    if (this.center) this.beta = this.addWeight('beta', param, 'float32', this.betaInitializer, this.betaRegularizer, true, this.betaConstraint);
    this.movingMean = this.addWeight('moving_mean', param, 'float32', this.movingMeanInitializer, null, false);
    this.movingVariance = this.addWeight('moving_variance', param, 'float32', this.movingVarianceInitializer, null, false);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = getExactlyOneTensor(inputs, 'BatchNormalization.call');
    const axis = this.axis < 0 ? this.axis + x.rank : this.axis;
    const gamma = this.gamma?.read() ?? null;
    const beta = this.beta?.read() ?? null;
    // The fused ops work on channels-last data: move the features axis last and back.
    const perm = axesLast(x.rank, [axis]);
    const moved = isIdentity(perm) ? x : transpose(x, perm);
    let y: Tensor;
    if (kwargs.training === true && this.trainable) {
      const batch = batchNormTraining(moved, gamma, beta, this.epsilon);
      this.updateMovingStatistics(batch.mean, batch.variance);
      freeTemps(batch.mean, null);
      freeTemps(batch.variance, null);
      y = batch.y;
    } else {
      y = batchNorm(moved, this.movingMean!.read(), this.movingVariance!.read(), beta ?? undefined, gamma ?? undefined, this.epsilon);
    }
    if (moved === x) return y;
    freeTemps(moved, null);
    const out = transpose(y, inverse(perm));
    freeTemps(y, null);
    return out;
  }

  /** moving ← moving − (moving − batch)·(1 − momentum), as TF.js; off the tape, so no gradient ever reaches them. */
  private updateMovingStatistics(mean: Tensor, variance: Tensor): void {
    const decay = 1 - this.momentum;
    offTape(() =>
      tidy(() => {
        for (const [moving, batch] of [[this.movingMean!, mean], [this.movingVariance!, variance]] as const) {
          const old = moving.read();
          moving.write(sub(old, mul(sub(old, batch), decay)));
        }
      }),
    );
  }

  override getConfig(): ConfigDict {
    return {
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: serializeInitializer(this.betaInitializer),
      gammaInitializer: serializeInitializer(this.gammaInitializer),
      movingMeanInitializer: serializeInitializer(this.movingMeanInitializer),
      movingVarianceInitializer: serializeInitializer(this.movingVarianceInitializer),
      betaRegularizer: serializeOptional(this.betaRegularizer),
      gammaRegularizer: serializeOptional(this.gammaRegularizer),
      betaConstraint: serializeOptional(this.betaConstraint),
      gammaConstraint: serializeOptional(this.gammaConstraint),
      ...super.getConfig(),
    };
  }
}
registerClass(BatchNormalization);

// ------------------------------------------------------------------ LayerNormalization

export interface LayerNormalizationLayerArgs extends LayerArgs, AffineArgs {
  /** The axis or axes normalised together, per sample (default -1). */
  axis?: number | number[];
}

/**
 * Normalises each sample over `axis` (the last axis by default) to zero mean
 * and unit variance, then scales by `gamma` and shifts by `beta`, which have
 * one entry per position of those axes. The same in training and inference.
 *
 * ```js
 * tf.layers.layerNormalization({axis: -1, epsilon: 1e-6})
 * ```
 */
export class LayerNormalization extends Layer {
  static override className = 'LayerNormalization';
  readonly axis: number | number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly betaRegularizer: Regularizer | null;
  readonly gammaRegularizer: Regularizer | null;
  readonly betaConstraint: Constraint | null;
  readonly gammaConstraint: Constraint | null;
  gamma: LayerVariable | null = null;
  beta: LayerVariable | null = null;
  /** The normalised axes as non-negative indices, in the order given (set by build). */
  private axes: number[] = [];

  constructor(args: LayerNormalizationLayerArgs = {}) {
    super(args);
    const fn = 'LayerNormalization';
    const axis = args.axis ?? -1;
    const list = Array.isArray(axis) ? axis : [axis];
    if (list.length === 0 || !list.every((a) => Number.isInteger(a))) throw typeError(fn, 'axis', 'an integer or a non-empty array of integers', axis);
    if (new Set(list).size !== list.length) throw typeError(fn, 'axis', 'distinct axes', axis);
    this.axis = Array.isArray(axis) ? axis.slice() : axis;
    this.epsilon = epsilonOf(fn, args.epsilon);
    this.center = flag(fn, 'center', args.center, true);
    this.scale = flag(fn, 'scale', args.scale, true);
    this.betaInitializer = getInitializer(args.betaInitializer ?? 'zeros');
    this.gammaInitializer = getInitializer(args.gammaInitializer ?? 'ones');
    this.betaRegularizer = optional(getRegularizer, args.betaRegularizer);
    this.gammaRegularizer = optional(getRegularizer, args.gammaRegularizer);
    this.betaConstraint = optional(getConstraint, args.betaConstraint);
    this.gammaConstraint = optional(getConstraint, args.gammaConstraint);
    // Keras 3's RMS variant has other arithmetic: refuse a config that asks for it rather than ignore it.
    if (args.rmsScaling === true) throw codedError('ERR_UNSUPPORTED', `${fn}: RMS scaling (rmsScaling: true) is not supported`);
    this.supportsMasking = true;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = getExactlyOneShape(inputShape, 'LayerNormalization.build');
    const who = `${this.name} (LayerNormalization)`;
    const given = Array.isArray(this.axis) ? this.axis : [this.axis];
    const axes = given.map((a) => resolveAxis(who, 'axis', a, shape.length, this.axis));
    if (new Set(axes).size !== axes.length) throw typeError(who, 'axis', `distinct axes for inputs of rank ${shape.length}`, this.axis);
    const param = axes.map((a) => shape[a]);
    if (param.some((d) => d == null)) {
      throw codedError('ERR_SHAPE_MISMATCH', `${who}: the sizes of the normalised axes must be known to create the weights, but the input shape is ${formatShape(shape)}`);
    }
    const sizes: { [axis: number]: number } = {};
    axes.forEach((a, i) => (sizes[a] = param[i] as number));
    this.inputSpec = [new InputSpec({ ndim: shape.length, axes: sizes })];
    this.axes = axes;
    // As TF.js and Keras: gamma and beta have one axis per normalised axis, in the order given.
    if (this.scale) this.gamma = this.addWeight('gamma', param as number[], 'float32', this.gammaInitializer, this.gammaRegularizer, true, this.gammaConstraint);
    if (this.center) this.beta = this.addWeight('beta', param as number[], 'float32', this.betaInitializer, this.betaRegularizer, true, this.betaConstraint);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = getExactlyOneTensor(inputs, 'LayerNormalization.call');
    // The fused op normalises trailing axes: move the normalised ones to the end, in
    // increasing order (Keras broadcasts gamma over the input's own axis order).
    const sorted = this.axes.slice().sort((a, b) => a - b);
    const perm = axesLast(x.rank, sorted);
    const moved = isIdentity(perm) ? x : transpose(x, perm);
    const trailing = sorted.map((a) => x.shape[a]);
    const gamma = this.gamma === null ? null : reshapedParam(this.gamma.read(), trailing);
    const beta = this.beta === null ? null : reshapedParam(this.beta.read(), trailing);
    const y = layerNormalization(moved, gamma, beta, this.epsilon, sorted.length);
    if (gamma !== null && gamma !== this.gamma!.val) freeTemps(gamma, null);
    if (beta !== null && beta !== this.beta!.val) freeTemps(beta, null);
    if (moved === x) return y;
    freeTemps(moved, null);
    const out = transpose(y, inverse(perm));
    freeTemps(y, null);
    return out;
  }

  override getConfig(): ConfigDict {
    return {
      axis: Array.isArray(this.axis) ? this.axis.slice() : this.axis,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: serializeInitializer(this.betaInitializer),
      gammaInitializer: serializeInitializer(this.gammaInitializer),
      betaRegularizer: serializeOptional(this.betaRegularizer),
      gammaRegularizer: serializeOptional(this.gammaRegularizer),
      betaConstraint: serializeOptional(this.betaConstraint),
      gammaConstraint: serializeOptional(this.gammaConstraint),
      ...super.getConfig(),
    };
  }
}
registerClass(LayerNormalization);

/** A parameter in the shape of the trailing axes it scales: itself when it already has it. */
function reshapedParam(p: Tensor, shape: number[]): Tensor {
  return p.shape.length === shape.length && p.shape.every((d, i) => d === shape[i]) ? p : reshape(p, shape);
}
