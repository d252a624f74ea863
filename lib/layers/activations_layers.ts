// The advanced-activation layers: LeakyReLU, ELU, ReLU, Softmax, PReLU,
// ThresholdedReLU, with TF.js's class names and config keys.
import { check, rangeError, typeError } from '../errors';
import { Tensor } from '../tensor/tensor';
import { ConfigDict, registerClass } from '../serialization';
import { getActivation } from '../activations';
import { getInitializer, Initializer, InitializerIdentifier, serializeInitializer } from '../initializers';
import { Constraint, getConstraint } from '../constraints';
import { getRegularizer, Regularizer } from '../regularizers';
import { cast, clipByValue, freeTemps, greater, greaterEqual, leakyRelu, minimum, mul, prelu, relu, sub, where } from '../ops/elementwise';
import { softmax } from '../ops/nn';
import { getExactlyOneShape, getExactlyOneTensor, InputSpec, Kwargs, Layer, LayerArgs, LayerVariable, Shape } from './layer';
import { keepsLogits, optional, serializeOptional } from './core';

export interface LeakyReLULayerArgs extends LayerArgs {
  /** Slope below zero (default 0.3, as Keras and TF.js). */
  alpha?: number;
  /** Keras 3's name for alpha, as its saved configs hold it. */
  negativeSlope?: number;
}

/**
 * x for x > 0, alpha * x below.
 *
 * ```js
 * tf.layers.leakyReLU({alpha: 0.2})
 * ```
 */
export class LeakyReLU extends Layer {
  static override className = 'LeakyReLU';
  readonly alpha: number;
  constructor(args: LeakyReLULayerArgs = {}) {
    super(args);
    this.alpha = args.alpha ?? args.negativeSlope ?? 0.3;
    check.isNumber('LeakyReLU', 'alpha', this.alpha);
    this.supportsMasking = true;
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    return leakyRelu(getExactlyOneTensor(inputs, 'LeakyReLU.call'), this.alpha);
  }
  override getConfig(): ConfigDict {
    return { alpha: this.alpha, ...super.getConfig() };
  }
}
registerClass(LeakyReLU);

export interface ELULayerArgs extends LayerArgs {
  /** Scale of the negative part: alpha * (exp(x) - 1) below zero (default 1). */
  alpha?: number;
}

/**
 * Exponential linear unit: x above zero, alpha * (exp(x) - 1) below.
 *
 * ```js
 * tf.layers.elu()
 * ```
 */
export class ELU extends Layer {
  static override className = 'ELU';
  readonly alpha: number;
  constructor(args: ELULayerArgs = {}) {
    super(args);
    this.alpha = args.alpha ?? 1;
    check.isNumber('ELU', 'alpha', this.alpha);
    this.supportsMasking = true;
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    return getActivation('elu').apply(getExactlyOneTensor(inputs, 'ELU.call'), this.alpha);
  }
  override getConfig(): ConfigDict {
    return { alpha: this.alpha, ...super.getConfig() };
  }
}
registerClass(ELU);

export interface ReLULayerArgs extends LayerArgs {
  /** Upper bound of the output; none by default. */
  maxValue?: number | null;
  /** Keras's slope below the threshold (default 0). */
  negativeSlope?: number;
  /** Keras's threshold below which the slope applies (default 0). */
  threshold?: number;
}

/**
 * Rectified linear unit, optionally capped at maxValue; with Keras's
 * negativeSlope and threshold: x from threshold up, negativeSlope * (x - threshold) below.
 *
 * ```js
 * tf.layers.reLU({maxValue: 6})
 * ```
 */
export class ReLU extends Layer {
  static override className = 'ReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;
  constructor(args: ReLULayerArgs = {}) {
    super(args);
    this.maxValue = args.maxValue ?? null;
    if (this.maxValue !== null) {
      check.isNumber('ReLU', 'maxValue', this.maxValue);
      if (this.maxValue < 0) throw rangeError('ReLU', 'maxValue', 'a number >= 0', this.maxValue);
    }
    this.negativeSlope = args.negativeSlope ?? 0;
    this.threshold = args.threshold ?? 0;
    check.isNumber('ReLU', 'negativeSlope', this.negativeSlope);
    check.isNumber('ReLU', 'threshold', this.threshold);
    this.supportsMasking = true;
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = getExactlyOneTensor(inputs, 'ReLU.call');
    if (this.negativeSlope === 0 && this.threshold === 0) return this.maxValue === null ? relu(x) : clipByValue(x, 0, this.maxValue);
    const shifted = sub(x, this.threshold);
    const below = mul(shifted, this.negativeSlope);
    const above = greaterEqual(x, this.threshold);
    const y = where(above, x, below);
    for (const t of [shifted, below, above]) freeTemps(t, null);
    if (this.maxValue === null) return y;
    const capped = minimum(y, this.maxValue);
    freeTemps(y, null);
    return capped;
  }
  override getConfig(): ConfigDict {
    // negativeSlope and threshold only when used: TF.js's ReLU config has maxValue alone.
    const keras = this.negativeSlope !== 0 || this.threshold !== 0 ? { negativeSlope: this.negativeSlope, threshold: this.threshold } : {};
    return { maxValue: this.maxValue, ...keras, ...super.getConfig() };
  }
}
registerClass(ReLU);

export interface SoftmaxLayerArgs extends LayerArgs {
  /** Axis to normalise over (default -1, the last). */
  axis?: number;
}

/**
 * Softmax over an axis.
 *
 * ```js
 * tf.layers.softmax()
 * ```
 */
export class Softmax extends Layer {
  static override className = 'Softmax';
  readonly axis: number;
  constructor(args: SoftmaxLayerArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    check.isInt('Softmax', 'axis', this.axis);
    this.supportsMasking = true;
  }
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = getExactlyOneTensor(inputs, 'Softmax.call');
    const probs = softmax(x, this.axis);
    // Over the last axis the input is the logits a cross-entropy loss can fuse with.
    if ((this.axis === -1 || this.axis === x.rank - 1) && keepsLogits(kwargs)) probs.kerasLogits = x;
    return probs;
  }
  override getConfig(): ConfigDict {
    return { axis: this.axis, ...super.getConfig() };
  }
}
registerClass(Softmax);

export interface PReLULayerArgs extends LayerArgs {
  /** Initial slopes (default zeros). */
  alphaInitializer?: InitializerIdentifier | Initializer | ConfigDict;
  alphaRegularizer?: Regularizer | string | ConfigDict | null;
  alphaConstraint?: Constraint | string | ConfigDict | null;
  /** 1-based axes along which one slope is shared, e.g. [1, 2] for one slope per channel of an image. */
  sharedAxes?: number | number[] | null;
}

/**
 * Leaky ReLU with learned slopes: x above zero, alpha * x below, one alpha
 * per input element (or shared along sharedAxes).
 *
 * ```js
 * tf.layers.prelu({sharedAxes: [1, 2]})
 * ```
 */
export class PReLU extends Layer {
  static override className = 'PReLU';
  readonly alphaInitializer: Initializer;
  readonly alphaRegularizer: Regularizer | null;
  readonly alphaConstraint: Constraint | null;
  readonly sharedAxes: number[] | null;
  alpha: LayerVariable | null = null;
  constructor(args: PReLULayerArgs = {}) {
    super(args);
    this.alphaInitializer = getInitializer(args.alphaInitializer ?? 'zeros');
    this.alphaRegularizer = optional(getRegularizer, args.alphaRegularizer);
    this.alphaConstraint = optional(getConstraint, args.alphaConstraint);
    const shared = args.sharedAxes == null ? null : Array.isArray(args.sharedAxes) ? args.sharedAxes : [args.sharedAxes];
    if (shared !== null && !shared.every((a) => Number.isInteger(a) && a >= 1)) {
      throw typeError('PReLU', 'sharedAxes', 'positive axis indices (1-based: the batch axis cannot be shared)', args.sharedAxes);
    }
    this.sharedAxes = shared;
    this.supportsMasking = true;
  }
  override build(inputShape: Shape | Shape[]): void {
    const shape = getExactlyOneShape(inputShape, 'PReLU.build');
    const paramShape = shape.slice(1);
    for (const axis of this.sharedAxes ?? []) {
      if (axis >= shape.length) throw rangeError('PReLU', 'sharedAxes', `axes in [1, ${shape.length - 1}] for inputs of rank ${shape.length}`, this.sharedAxes);
      paramShape[axis - 1] = 1;
    }
    if (paramShape.some((d) => d == null)) {
      throw typeError('PReLU', 'inputShape', 'known sizes on every axis that is not shared (use sharedAxes for unknown ones)', shape);
    }
    this.alpha = this.addWeight('alpha', paramShape as number[], 'float32', this.alphaInitializer, this.alphaRegularizer, true, this.alphaConstraint);
    const axes: { [axis: number]: number } = {};
    for (let i = 1; i < shape.length; i++) if (!this.sharedAxes?.includes(i)) axes[i] = shape[i] as number;
    this.inputSpec = [new InputSpec({ ndim: shape.length, axes })];
    this.built = true;
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    return prelu(getExactlyOneTensor(inputs, 'PReLU.call'), this.alpha!.read());
  }
  override getConfig(): ConfigDict {
    return {
      alphaInitializer: serializeInitializer(this.alphaInitializer),
      alphaRegularizer: serializeOptional(this.alphaRegularizer),
      alphaConstraint: serializeOptional(this.alphaConstraint),
      sharedAxes: this.sharedAxes,
      ...super.getConfig(),
    };
  }
}
registerClass(PReLU);

export interface ThresholdedReLULayerArgs extends LayerArgs {
  /** Threshold: x where x > theta, 0 elsewhere (default 1). */
  theta?: number;
}

/**
 * x where x > theta, 0 elsewhere.
 *
 * ```js
 * tf.layers.thresholdedReLU({theta: 0.5})
 * ```
 */
export class ThresholdedReLU extends Layer {
  static override className = 'ThresholdedReLU';
  readonly theta: number;
  constructor(args: ThresholdedReLULayerArgs = {}) {
    super(args);
    this.theta = args.theta ?? 1;
    check.isNumber('ThresholdedReLU', 'theta', this.theta);
    if (this.theta < 0) throw rangeError('ThresholdedReLU', 'theta', 'a number >= 0', this.theta);
    this.supportsMasking = true;
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = getExactlyOneTensor(inputs, 'ThresholdedReLU.call');
    const above = greater(x, this.theta);
    const gate = cast(above, 'float32');
    const out = mul(x, gate);
    freeTemps(above, null);
    freeTemps(gate, null);
    return out;
  }
  override getConfig(): ConfigDict {
    return { theta: this.theta, ...super.getConfig() };
  }
}
registerClass(ThresholdedReLU);
