// Core layers: Dense, Flatten, Dropout (and its spatial / Gaussian / alpha
// variants), Activation, Reshape, Permute, RepeatVector, Masking. Each follows
// the Layer protocol (lib/layers/layer.ts) with TF.js's class names and config keys.
import { check, codedError, rangeError, typeError } from '../errors';
import { Tensor } from '../tensor/tensor';
import { engine } from '../tensor/engine';
import { DataType } from '../tensor/dtype';
import { ConfigDict, registerClass } from '../serialization';
import { Activation as ActivationFn, ActivationIdentifier, getActivation, serializeActivation } from '../activations';
import { getInitializer, Initializer, InitializerIdentifier, serializeInitializer } from '../initializers';
import { getRegularizer, Regularizer, serializeRegularizer } from '../regularizers';
import { Constraint, getConstraint, serializeConstraint } from '../constraints';
import { add, cast, freeTemps, greaterEqual, mul, notEqual } from '../ops/elementwise';
import { any } from '../ops/reduce';
import { fused, FusedActivation } from '../ops/linalg';
import { dropout, softmax } from '../ops/nn';
import { expandDims, reshape, tile, transpose } from '../ops/shape';
import { randomNormal, randomUniform } from '../ops/random';
import { formatShape, getExactlyOneShape, getExactlyOneTensor, InputSpec, Kwargs, Layer, LayerArgs, LayerVariable, Shape } from './layer';

type Identifier<T> = T | string | ConfigDict;

/** @internal A weight option as given (name, config or instance), resolved; null when absent. */
export function optional<T>(get: (id: any) => T, id: Identifier<T> | null | undefined): T | null {
  return id == null ? null : get(id);
}

/** @internal Saves an optional initializer, regularizer or constraint as {className, config}, or null. */
export function serializeOptional(obj: Initializer | Regularizer | Constraint | null): ConfigDict | null {
  if (obj == null) return null;
  if (obj instanceof Initializer) return serializeInitializer(obj);
  if (obj instanceof Regularizer) return serializeRegularizer(obj);
  return serializeConstraint(obj);
}

function positiveInt(fn: string, arg: string, v: unknown): number {
  check.isInt(fn, arg, v, 1);
  return v as number;
}

function dropRate(fn: string, v: unknown): number {
  check.isNumber(fn, 'rate', v);
  if (!((v as number) >= 0 && (v as number) < 1)) throw rangeError(fn, 'rate', 'a number in [0, 1)', v);
  return v as number;
}

/**
 * Applies softmax to logits from a layer. During training (or under
 * a gradient tape) the logits ride along on `kerasLogits`, so that
 * categorical cross-entropy can use the fused softmax + cross-entropy kernel,
 * as Keras does with `_keras_logits`; otherwise they are freed at once.
 */
function softmaxKeepingLogits(logits: Tensor, kwargs: Kwargs): Tensor {
  const probs = softmax(logits, -1);
  if (keepsLogits(kwargs)) probs.kerasLogits = logits;
  else freeTemps(logits, null);
  return probs;
}

/** @internal Whether a loss may read the logits of this call's softmax. */
export function keepsLogits(kwargs: Kwargs): boolean {
  return kwargs.training === true || engine.tapes.length > 0;
}

// ------------------------------------------------------------------ Dense

export interface DenseLayerArgs extends LayerArgs {
  /** Number of output units. */
  units: number;
  /** Activation after the affine map; default linear. */
  activation?: ActivationIdentifier | ActivationFn | null;
  /** Whether to add a bias vector (default true). */
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier | Initializer | ConfigDict;
  biasInitializer?: InitializerIdentifier | Initializer | ConfigDict;
  /** Size of the input's last axis, for a first layer: same as inputShape [inputDim]. */
  inputDim?: number;
  kernelConstraint?: Identifier<Constraint> | null;
  biasConstraint?: Identifier<Constraint> | null;
  kernelRegularizer?: Identifier<Regularizer> | null;
  biasRegularizer?: Identifier<Regularizer> | null;
  activityRegularizer?: Identifier<Regularizer> | null;
}

// Activations the GEMM kernel applies in its epilogue (native Activation codes).
const FUSED_ACTIVATIONS = new Set<string>(['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'elu', 'selu']);

/**
 * A densely connected layer: activation(x · kernel + bias), on the last axis
 * of inputs of any rank >= 2.
 *
 * ```js
 * const layer = tf.layers.dense({units: 10, activation: 'relu', inputShape: [784]});
 * ```
 */
export class Dense extends Layer {
  static override className = 'Dense';
  readonly units: number;
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  kernel: LayerVariable | null = null;
  bias: LayerVariable | null = null;
  /** The activation the matmul kernel applies itself, or null when it runs separately. */
  private readonly fusedActivation: FusedActivation | null;
  private readonly isSoftmax: boolean;

  constructor(args: DenseLayerArgs) {
    super(args);
    const fn = 'Dense';
    if (args == null || typeof args !== 'object') throw typeError(fn, 'args', 'an object with units', args);
    this.units = positiveInt(fn, 'units', args.units);
    if (this.batchInputShape == null && args.inputDim != null) {
      this.batchInputShape = [args.batchSize ?? null, positiveInt(fn, 'inputDim', args.inputDim)];
    }
    this.activation = getActivation(args.activation);
    if (args.useBias !== undefined && typeof args.useBias !== 'boolean') throw typeError(fn, 'useBias', 'a boolean', args.useBias);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros');
    this.kernelConstraint = optional(getConstraint, args.kernelConstraint);
    this.biasConstraint = optional(getConstraint, args.biasConstraint);
    this.kernelRegularizer = optional(getRegularizer, args.kernelRegularizer);
    this.biasRegularizer = optional(getRegularizer, args.biasRegularizer);
    this.activityRegularizer = optional(getRegularizer, args.activityRegularizer);
    this.supportsMasking = true;
    this.inputSpec = [new InputSpec({ minNDim: 2 })];
    const name = this.activation.getClassName();
    this.isSoftmax = name === 'softmax';
    this.fusedActivation = FUSED_ACTIVATIONS.has(name) ? (name as FusedActivation) : null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = getExactlyOneShape(inputShape, 'Dense.build');
    const inputDim = shape[shape.length - 1];
    if (inputDim == null) {
      throw codedError('ERR_SHAPE_MISMATCH', `${this.name} (Dense): the last axis of the input must be known to create the kernel, but the input shape is ${formatShape(shape)}`);
    }
    this.kernel = this.addWeight('kernel', [inputDim, this.units], this.dtype, this.kernelInitializer, this.kernelRegularizer, true, this.kernelConstraint);
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], this.dtype, this.biasInitializer, this.biasRegularizer, true, this.biasConstraint);
    this.inputSpec = [new InputSpec({ minNDim: 2, axes: { [-1]: inputDim } })];
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, 'Dense.computeOutputShape').slice();
    shape[shape.length - 1] = this.units;
    return shape;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = getExactlyOneTensor(inputs, 'Dense.call');
    const kernel = this.kernel!.read();
    const bias = this.bias !== null ? this.bias.read() : null;
    if (x.rank === 2) return this.affine(x, kernel, bias, kwargs);
    // Higher ranks: the same map on the last axis, as one matmul over all leading positions.
    const flat = reshape(x, [-1, x.shape[x.rank - 1]]);
    const y = this.affine(flat, kernel, bias, kwargs);
    const out = reshape(y, [...x.shape.slice(0, -1), this.units]);
    if (y.kerasLogits) {
      out.kerasLogits = reshape(y.kerasLogits, out.shape);
      freeTemps(y.kerasLogits, null);
    }
    freeTemps(flat, null);
    freeTemps(y, null);
    return out;
  }

  /** x · kernel + bias then the activation, with one fused GEMM where the kernel can apply it. */
  private affine(x: Tensor, kernel: Tensor, bias: Tensor | null, kwargs: Kwargs): Tensor {
    if (this.fusedActivation !== null) {
      return fused.matMul({ a: x, b: kernel, bias: bias ?? undefined, activation: this.fusedActivation });
    }
    const logits = fused.matMul({ a: x, b: kernel, bias: bias ?? undefined });
    if (this.isSoftmax) return softmaxKeepingLogits(logits, kwargs);
    const y = this.activation.apply(logits);
    freeTemps(logits, null);
    return y;
  }

  override getConfig(): ConfigDict {
    return {
      units: this.units,
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: serializeOptional(this.kernelRegularizer),
      biasRegularizer: serializeOptional(this.biasRegularizer),
      activityRegularizer: serializeOptional(this.activityRegularizer),
      kernelConstraint: serializeOptional(this.kernelConstraint),
      biasConstraint: serializeOptional(this.biasConstraint),
      ...super.getConfig(),
    };
  }
}
registerClass(Dense);

// ------------------------------------------------------------------ Flatten

export interface FlattenLayerArgs extends LayerArgs {
  /** Only 'channelsLast' (the layout of every layer here) changes nothing; kept for configs. */
  dataFormat?: 'channelsLast' | 'channelsFirst';
}

/**
 * Flattens every axis but the batch axis: [batch, 28, 28] → [batch, 784].
 *
 * ```js
 * const model = tf.sequential({layers: [tf.layers.flatten({inputShape: [28, 28]}), tf.layers.dense({units: 10})]});
 * ```
 */
export class Flatten extends Layer {
  static override className = 'Flatten';
  readonly dataFormat: 'channelsLast' | 'channelsFirst';

  constructor(args: FlattenLayerArgs = {}) {
    super(args);
    this.dataFormat = args.dataFormat ?? 'channelsLast';
    check.oneOf('Flatten', 'dataFormat', this.dataFormat, ['channelsLast', 'channelsFirst'] as const);
    this.inputSpec = [new InputSpec({ minNDim: 1 })];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, 'Flatten.computeOutputShape');
    let size = 1;
    for (let i = 1; i < shape.length; i++) {
      const d = shape[i];
      if (d == null) {
        throw codedError('ERR_SHAPE_MISMATCH', `${this.name} (Flatten): every axis but the batch axis must be known, but the input shape is ${formatShape(shape)}; give the model a full inputShape`);
      }
      size *= d;
    }
    return [shape[0], size];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = getExactlyOneTensor(inputs, 'Flatten.call');
    // channelsFirst only changes the element order for convolutional inputs, as Keras.
    const ordered = this.dataFormat === 'channelsFirst' && x.rank > 2 ? transpose(x, [0, ...range(2, x.rank), 1]) : x;
    const out = reshape(ordered, [x.shape[0], x.shape.slice(1).reduce((a, b) => a * b, 1)]);
    if (ordered !== x) freeTemps(ordered, null);
    return out;
  }

  override getConfig(): ConfigDict {
    return { dataFormat: this.dataFormat, ...super.getConfig() };
  }
}
registerClass(Flatten);

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

// ------------------------------------------------------------------ Dropout

export interface DropoutLayerArgs extends LayerArgs {
  /** Fraction of the inputs to drop, in [0, 1). */
  rate: number;
  /** Shape of the keep mask, broadcast over the input (null entries take the input's size). */
  noiseShape?: (number | null)[];
  /** Seed for a reproducible sequence of masks. */
  seed?: number;
}

/**
 * Randomly sets a fraction `rate` of inputs to 0 during training and scales
 * the rest by 1 / (1 - rate); passes inputs through otherwise.
 *
 * ```js
 * tf.layers.dropout({rate: 0.2})
 * ```
 */
export class Dropout extends Layer {
  static override className = 'Dropout';
  readonly rate: number;
  readonly noiseShape: (number | null)[] | null;
  readonly seed: number | null;
  private calls = 0;

  constructor(args: DropoutLayerArgs) {
    super(args);
    const fn = (this.constructor as typeof Layer).className;
    if (args == null || typeof args !== 'object') throw typeError(fn, 'args', 'an object with rate', args);
    this.rate = dropRate(fn, args.rate);
    if (args.noiseShape != null && !(Array.isArray(args.noiseShape) && args.noiseShape.every((d) => d === null || (Number.isInteger(d) && d! >= 1)))) {
      throw typeError(fn, 'noiseShape', 'an array of positive integers or null', args.noiseShape);
    }
    this.noiseShape = args.noiseShape ?? null;
    if (args.seed != null) check.isInt(fn, 'seed', args.seed);
    this.seed = args.seed ?? null;
    this.supportsMasking = true;
  }

  /**
   * The seed of this training call: with a seed, each call draws the next mask
   * of a reproducible sequence (one fixed mask for every step would stop regularizing).
   */
  protected nextSeed(): number | undefined {
    return this.seed === null ? undefined : this.seed + this.calls++;
  }

  /** The mask shape for input x: noiseShape with null entries taken from x. */
  protected noiseShapeFor(x: Tensor): number[] | undefined {
    if (this.noiseShape == null) return undefined;
    return this.noiseShape.map((d, i) => d ?? x.shape[i]);
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = getExactlyOneTensor(inputs, `${(this.constructor as typeof Layer).className}.call`);
    if (!kwargs.training || this.rate === 0) return x;
    return dropout(x, this.rate, this.noiseShapeFor(x), this.nextSeed());
  }

  override getConfig(): ConfigDict {
    return { rate: this.rate, noiseShape: this.noiseShape, seed: this.seed, ...super.getConfig() };
  }
}
registerClass(Dropout);

export interface SpatialDropout1DLayerArgs extends LayerArgs {
  rate: number;
  seed?: number;
}

/**
 * Dropout of whole channels of [batch, steps, channels] inputs: one mask
 * value per (sample, channel), shared by every step.
 */
export class SpatialDropout1D extends Dropout {
  static override className = 'SpatialDropout1D';
  constructor(args: SpatialDropout1DLayerArgs) {
    super({ ...args, noiseShape: undefined });
    this.inputSpec = [new InputSpec({ ndim: 3 })];
  }
  protected override noiseShapeFor(x: Tensor): number[] {
    return [x.shape[0], 1, x.shape[2]];
  }
  override getConfig(): ConfigDict {
    const { noiseShape: _unused, ...config } = super.getConfig();
    return config;
  }
}
registerClass(SpatialDropout1D);

export interface SpatialDropout2DLayerArgs extends SpatialDropout1DLayerArgs {
  dataFormat?: 'channelsLast' | 'channelsFirst';
}

/** Dropout of whole feature maps of 4-D inputs: one mask value per (sample, channel). */
export class SpatialDropout2D extends Dropout {
  static override className = 'SpatialDropout2D';
  readonly dataFormat: 'channelsLast' | 'channelsFirst';
  constructor(args: SpatialDropout2DLayerArgs) {
    super({ ...args, noiseShape: undefined });
    this.dataFormat = args.dataFormat ?? 'channelsLast';
    check.oneOf('SpatialDropout2D', 'dataFormat', this.dataFormat, ['channelsLast', 'channelsFirst'] as const);
    this.inputSpec = [new InputSpec({ ndim: 4 })];
  }
  protected override noiseShapeFor(x: Tensor): number[] {
    const [b, d1, , d3] = x.shape;
    return this.dataFormat === 'channelsLast' ? [b, 1, 1, d3] : [b, d1, 1, 1];
  }
  override getConfig(): ConfigDict {
    const { noiseShape: _unused, ...config } = super.getConfig();
    return { ...config, dataFormat: this.dataFormat };
  }
}
registerClass(SpatialDropout2D);

export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the additive noise. */
  stddev: number;
  seed?: number;
}

/** Adds zero-centred Gaussian noise during training (a regularizer); identity otherwise. */
export class GaussianNoise extends Layer {
  static override className = 'GaussianNoise';
  readonly stddev: number;
  readonly seed: number | null;
  private calls = 0;
  constructor(args: GaussianNoiseArgs) {
    super(args);
    check.isNumber('GaussianNoise', 'stddev', args?.stddev);
    if (args.stddev < 0) throw rangeError('GaussianNoise', 'stddev', 'a number >= 0', args.stddev);
    this.stddev = args.stddev;
    this.seed = args.seed ?? null;
    this.supportsMasking = true;
  }
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = getExactlyOneTensor(inputs, 'GaussianNoise.call');
    if (!kwargs.training || this.stddev === 0) return x;
    const noise = randomNormal(x.shape, 0, this.stddev, 'float32', this.seed === null ? undefined : this.seed + this.calls++);
    const out = add(x, noise);
    freeTemps(noise, null);
    return out;
  }
  override getConfig(): ConfigDict {
    return { stddev: this.stddev, seed: this.seed, ...super.getConfig() };
  }
}
registerClass(GaussianNoise);

export interface GaussianDropoutArgs extends LayerArgs {
  /** Drop probability; the multiplicative noise has std sqrt(rate / (1 - rate)). */
  rate: number;
  seed?: number;
}

/** Multiplies by Gaussian noise of mean 1 and std sqrt(rate / (1 - rate)) during training. */
export class GaussianDropout extends Layer {
  static override className = 'GaussianDropout';
  readonly rate: number;
  readonly seed: number | null;
  private calls = 0;
  constructor(args: GaussianDropoutArgs) {
    super(args);
    this.rate = dropRate('GaussianDropout', args?.rate);
    this.seed = args.seed ?? null;
    this.supportsMasking = true;
  }
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = getExactlyOneTensor(inputs, 'GaussianDropout.call');
    if (!kwargs.training || this.rate === 0) return x;
    const std = Math.sqrt(this.rate / (1 - this.rate));
    const noise = randomNormal(x.shape, 1, std, 'float32', this.seed === null ? undefined : this.seed + this.calls++);
    const out = mul(x, noise);
    freeTemps(noise, null);
    return out;
  }
  override getConfig(): ConfigDict {
    return { rate: this.rate, seed: this.seed, ...super.getConfig() };
  }
}
registerClass(GaussianDropout);

export interface AlphaDropoutArgs extends LayerArgs {
  /** Drop probability, in [0, 1). */
  rate: number;
  noiseShape?: (number | null)[];
  seed?: number;
}

// SELU's constants: dropped units take SELU's negative saturation value.
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/**
 * Dropout for self-normalizing (SELU) networks: dropped units are set to
 * SELU's saturation value and an affine map keeps the mean and variance.
 * Active in training only, as Keras's AlphaDropout.
 */
export class AlphaDropout extends Dropout {
  static override className = 'AlphaDropout';
  constructor(args: AlphaDropoutArgs) {
    super(args);
  }
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = getExactlyOneTensor(inputs, 'AlphaDropout.call');
    if (!kwargs.training || this.rate === 0) return x;
    const rate = this.rate;
    const alphaP = -SELU_ALPHA * SELU_SCALE;
    const a = ((1 - rate) * (1 + rate * alphaP * alphaP)) ** -0.5;
    const b = -a * alphaP * rate;
    const u = randomUniform(this.noiseShapeFor(x) ?? x.shape, 0, 1, 'float32', this.nextSeed());
    const keptBool = greaterEqual(u, rate);
    const kept = cast(keptBool, 'float32');
    // a * (x * kept + alphaP * (1 - kept)) + b = a * x * kept - a * alphaP * kept + (a * alphaP + b)
    const xKept = mul(x, kept);
    const scaled = mul(xKept, a);
    const dropTerm = mul(kept, -a * alphaP);
    const sum = add(scaled, dropTerm);
    const out = add(sum, a * alphaP + b);
    for (const t of [u, keptBool, kept, xKept, scaled, dropTerm, sum]) freeTemps(t, null);
    return out;
  }
}
registerClass(AlphaDropout);

// ------------------------------------------------------------------ Activation

export interface ActivationLayerArgs extends LayerArgs {
  activation: ActivationIdentifier | ActivationFn;
}

/**
 * Applies an activation function.
 *
 * ```js
 * tf.layers.activation({activation: 'relu'})
 * ```
 */
export class Activation extends Layer {
  static override className = 'Activation';
  readonly activation: ActivationFn;
  constructor(args: ActivationLayerArgs) {
    super(args);
    if (args == null || typeof args !== 'object' || args.activation == null) {
      throw typeError('Activation', 'activation', 'an activation name or Activation', args?.activation);
    }
    this.activation = getActivation(args.activation);
    this.supportsMasking = true;
  }
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = getExactlyOneTensor(inputs, 'Activation.call');
    if (this.activation.getClassName() === 'softmax' && keepsLogits(kwargs)) {
      // x is the caller's tensor: it stays alive with the probabilities.
      const probs = softmax(x, -1);
      probs.kerasLogits = x;
      return probs;
    }
    return this.activation.apply(x);
  }
  override getConfig(): ConfigDict {
    return { activation: serializeActivation(this.activation), ...super.getConfig() };
  }
}
registerClass(Activation);

// ------------------------------------------------------------------ Reshape

export interface ReshapeLayerArgs extends LayerArgs {
  /** The per-sample output shape; one entry may be -1 (inferred). */
  targetShape: number[];
}

/**
 * Reshapes each sample to targetShape.
 *
 * ```js
 * tf.layers.reshape({targetShape: [7, 7, 256]})
 * ```
 */
export class Reshape extends Layer {
  static override className = 'Reshape';
  readonly targetShape: number[];
  constructor(args: ReshapeLayerArgs) {
    super(args);
    const fn = 'Reshape';
    const target = args?.targetShape;
    // Keras configs from Python may hold null for the unknown dimension.
    const normalised = Array.isArray(target) ? target.map((d) => (d === null ? -1 : d)) : target;
    if (!Array.isArray(normalised) || !normalised.every((d) => Number.isInteger(d) && (d >= 1 || d === -1))) {
      throw typeError(fn, 'targetShape', 'an array of positive integers with at most one -1', target);
    }
    if (normalised.filter((d) => d === -1).length > 1) throw rangeError(fn, 'targetShape', 'at most one -1', target);
    this.targetShape = normalised;
  }

  /** targetShape with its -1 resolved for samples of `sampleSize` elements (null when unknown). */
  private resolve(sampleSize: number | null, inputShape: Shape): (number | null)[] {
    const known = this.targetShape.reduce((a, d) => (d === -1 ? a : a * d), 1);
    const unknownAt = this.targetShape.indexOf(-1);
    const bad = (): never => {
      throw codedError('ERR_SHAPE_MISMATCH', `${this.name} (Reshape): cannot reshape samples of shape ${formatShape(inputShape.slice(1))} (${sampleSize} elements) to targetShape ${formatShape(this.targetShape)}`);
    };
    if (unknownAt < 0) {
      if (sampleSize !== null && sampleSize !== known) bad();
      return this.targetShape.slice();
    }
    const out: (number | null)[] = this.targetShape.slice();
    if (sampleSize === null) out[unknownAt] = null;
    else if (known === 0 || sampleSize % known !== 0) bad();
    else out[unknownAt] = sampleSize / known;
    return out;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, 'Reshape.computeOutputShape');
    const rest = shape.slice(1);
    const size = rest.some((d) => d == null) ? null : (rest as number[]).reduce((a, b) => a * b, 1);
    return [shape[0], ...this.resolve(size, shape)];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = getExactlyOneTensor(inputs, 'Reshape.call');
    const batch = x.shape[0];
    const sample = x.shape.slice(1).reduce((a, b) => a * b, 1);
    return reshape(x, [batch, ...(this.resolve(sample, x.shape) as number[])]);
  }

  override getConfig(): ConfigDict {
    return { targetShape: this.targetShape.slice(), ...super.getConfig() };
  }
}
registerClass(Reshape);

// ------------------------------------------------------------------ Permute

export interface PermuteLayerArgs extends LayerArgs {
  /** A permutation of 1..rank-1 (the batch axis stays first), e.g. [2, 1]. */
  dims: number[];
}

/**
 * Permutes the non-batch axes.
 *
 * ```js
 * tf.layers.permute({dims: [2, 1], inputShape: [10, 64]})  // → [null, 64, 10]
 * ```
 */
export class Permute extends Layer {
  static override className = 'Permute';
  readonly dims: number[];
  private readonly perm: number[];
  constructor(args: PermuteLayerArgs) {
    super(args);
    const dims = args?.dims;
    const sorted = Array.isArray(dims) ? dims.slice().sort((a, b) => a - b) : null;
    if (!sorted || sorted.length === 0 || !sorted.every((d, i) => d === i + 1)) {
      throw typeError('Permute', 'dims', `a permutation of 1..${Array.isArray(dims) ? dims.length : 'n'} (the batch axis 0 stays in place)`, dims);
    }
    this.dims = dims.slice();
    this.perm = [0, ...dims];
    this.inputSpec = [new InputSpec({ ndim: dims.length + 1 })];
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, 'Permute.computeOutputShape');
    return this.perm.map((p) => shape[p]);
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    return transpose(getExactlyOneTensor(inputs, 'Permute.call'), this.perm);
  }
  override getConfig(): ConfigDict {
    return { dims: this.dims.slice(), ...super.getConfig() };
  }
}
registerClass(Permute);

// ------------------------------------------------------------------ RepeatVector

export interface RepeatVectorLayerArgs extends LayerArgs {
  /** Number of repetitions. */
  n: number;
}

/**
 * Repeats a [batch, features] input n times: [batch, n, features].
 *
 * ```js
 * tf.layers.repeatVector({n: 4})
 * ```
 */
export class RepeatVector extends Layer {
  static override className = 'RepeatVector';
  readonly n: number;
  constructor(args: RepeatVectorLayerArgs) {
    super(args);
    this.n = positiveInt('RepeatVector', 'n', args?.n);
    this.inputSpec = [new InputSpec({ ndim: 2 })];
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, 'RepeatVector.computeOutputShape');
    return [shape[0], this.n, shape[1]];
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = getExactlyOneTensor(inputs, 'RepeatVector.call');
    const expanded = expandDims(x, 1);
    const out = tile(expanded, [1, this.n, 1]);
    freeTemps(expanded, null);
    return out;
  }
  override getConfig(): ConfigDict {
    return { n: this.n, ...super.getConfig() };
  }
}
registerClass(RepeatVector);

// ------------------------------------------------------------------ Masking

export interface MaskingArgs extends LayerArgs {
  /** Time steps whose features all equal this value are masked (default 0). */
  maskValue?: number;
}

/**
 * Masks time steps whose features all equal maskValue: they are zeroed and
 * the mask tells the layers downstream (RNNs) to skip them.
 *
 * ```js
 * tf.layers.masking({maskValue: 0, inputShape: [10, 8]})
 * ```
 */
export class Masking extends Layer {
  static override className = 'Masking';
  readonly maskValue: number;
  constructor(args: MaskingArgs = {}) {
    super(args);
    this.maskValue = args.maskValue ?? 0;
    check.isNumber('Masking', 'maskValue', this.maskValue);
    this.supportsMasking = true;
  }
  override computeMask(inputs: Tensor | Tensor[]): Tensor {
    const x = getExactlyOneTensor(inputs, 'Masking.computeMask');
    const differs = notEqual(x, this.maskValue);
    const mask = any(differs, -1);
    freeTemps(differs, null);
    return mask;
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = getExactlyOneTensor(inputs, 'Masking.call');
    const differs = notEqual(x, this.maskValue);
    const keep = any(differs, -1, true);
    const factor = cast(keep, x.dtype as DataType);
    const out = mul(x, factor);
    freeTemps(differs, null);
    freeTemps(keep, null);
    freeTemps(factor, null);
    return out;
  }
  override getConfig(): ConfigDict {
    return { maskValue: this.maskValue, ...super.getConfig() };
  }
}
registerClass(Masking);
