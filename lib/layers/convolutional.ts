// Convolutional layers: Conv1D, Conv2D, Conv3D, Conv2DTranspose,
// DepthwiseConv2D, SeparableConv2D, plus Cropping2D and UpSampling2D, with
// TF.js's class names, config keys and weight layouts (kernels are
// [...kernelSize, in, out]; Conv2DTranspose's is [kh, kw, filters, in];
// depthwise kernels are [kh, kw, in, depthMultiplier]), so that TF.js and
// Keras weight files load. The ops work on channels-last data; a layer with
// dataFormat 'channelsFirst' transposes at its edges.
import { check, codedError, rangeError, typeError } from '../errors';
import { Tensor } from '../tensor/tensor';
import { ConfigDict, registerClass } from '../serialization';
import { Activation as ActivationFn, ActivationIdentifier, getActivation, serializeActivation } from '../activations';
import { getInitializer, Initializer, InitializerIdentifier, serializeInitializer } from '../initializers';
import { getRegularizer, Regularizer } from '../regularizers';
import { Constraint, getConstraint } from '../constraints';
import { add, freeTemps } from '../ops/elementwise';
import { fused, FusedActivation } from '../ops/linalg';
import { pad, reshape, slice, transpose } from '../ops/shape';
import { conv2dTranspose, conv3d, depthwiseConv2d } from '../ops/conv';
import { image } from '../ops/image';
import { optional, serializeOptional } from './core';
import { formatShape, getExactlyOneShape, getExactlyOneTensor, InputSpec, Layer, LayerArgs, LayerVariable, Shape } from './layer';

type Identifier<T> = T | string | ConfigDict;

/** 'channelsLast': [batch, ...spatial, channels]; 'channelsFirst': [batch, channels, ...spatial]. */
export type DataFormat = 'channelsFirst' | 'channelsLast';
/** 'causal' (Conv1D only) pads the start of the sequence so that no output sees a later step. */
export type PaddingMode = 'valid' | 'same' | 'causal';

const DATA_FORMATS: readonly DataFormat[] = ['channelsLast', 'channelsFirst'];

// ------------------------------------------------------------------ shared helpers

/**
 * @internal An int or an array of `n` ints >= min as an array of n (Keras's
 * normalize_tuple): `3` → [3, 3] for n = 2.
 */
export function normalizeTuple(fn: string, arg: string, v: unknown, n: number, min = 1): number[] {
  const isInt = (d: unknown): d is number => typeof d === 'number' && Number.isInteger(d);
  if (isInt(v) && v >= min) return new Array<number>(n).fill(v);
  if (Array.isArray(v) && v.length === n && v.every((d) => isInt(d) && d >= min)) return (v as number[]).slice();
  const what = min === 0 ? 'non-negative' : 'positive';
  const expected = `a ${what} integer or an array of ${n} ${what} integers`;
  // Integers of the right count but too small are out of range; anything else is the wrong kind.
  if (isInt(v) || (Array.isArray(v) && v.length === n && v.every(isInt))) throw rangeError(fn, arg, expected, v);
  throw typeError(fn, arg, expected, v);
}

/** @internal The dataFormat argument, checked (default 'channelsLast'). */
export function dataFormatOf(fn: string, v: unknown): DataFormat {
  if (v == null) return 'channelsLast';
  check.oneOf(fn, 'dataFormat', v, DATA_FORMATS);
  return v;
}

/**
 * Output length of a convolution or pooling window over `length`
 * elements (Keras's conv_output_length); null stays null.
 */
function convOutputLength(length: number | null, filter: number, padding: PaddingMode, stride: number, dilation = 1): number | null {
  if (length == null) return null;
  const dilated = filter + (filter - 1) * (dilation - 1);
  const covered = padding === 'valid' ? length - dilated + 1 : length;
  return Math.floor((covered + stride - 1) / stride);
}

/**
 * Output length of a transposed convolution (Keras's
 * deconv_output_length without output_padding): the largest input length a
 * convolution with these settings maps to `length`.
 */
function deconvOutputLength(length: number | null, filter: number, padding: 'valid' | 'same', stride: number): number | null {
  if (length == null) return null;
  return padding === 'valid' ? length * stride + Math.max(filter - stride, 0) : length * stride;
}

/** The permutation from channels-first to channels-last for a tensor of `rank`, and back. */
function channelsLastPerm(rank: number): number[] {
  return [0, ...range(2, rank), 1];
}

function channelsFirstPerm(rank: number): number[] {
  return [0, rank - 1, ...range(1, rank - 1)];
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

/** @internal x as channels-last (a transpose for channelsFirst, else x itself). */
export function toChannelsLast(x: Tensor, dataFormat: DataFormat): Tensor {
  return dataFormat === 'channelsFirst' ? transpose(x, channelsLastPerm(x.rank)) : x;
}

/** @internal A channels-last result y in the layer's dataFormat; frees y when it transposes. */
export function fromChannelsLast(y: Tensor, dataFormat: DataFormat): Tensor {
  if (dataFormat !== 'channelsFirst') return y;
  const out = transpose(y, channelsFirstPerm(y.rank));
  freeTemps(y, null);
  return out;
}

/** @internal The spatial axes of a [batch, ..., channels] or [batch, channels, ...] shape. */
export function spatialAxes(rank: number, dataFormat: DataFormat): number[] {
  return dataFormat === 'channelsFirst' ? range(2, rank) : range(1, rank - 1);
}

/**
 * @internal The spatial output lengths of a window of `size` (with strides,
 * dilations and padding) over the spatial axes of inputShape; a clear error
 * when the window does not fit ('valid' over too small an input).
 */
export function windowOutputShape(layer: Layer, inputShape: Shape, dataFormat: DataFormat, size: number[], strides: number[], padding: PaddingMode, dilations?: number[]): (number | null)[] {
  const axes = spatialAxes(inputShape.length, dataFormat);
  const out = axes.map((a, i) => convOutputLength(inputShape[a], size[i], padding, strides[i], dilations ? dilations[i] : 1));
  if (out.some((d) => d !== null && d < 1)) {
    const window = size.map((k, i) => k + (k - 1) * ((dilations ? dilations[i] : 1) - 1));
    throw codedError(
      'ERR_SHAPE_MISMATCH',
      `${layer.name} (${layer.getClassName()}): the input's spatial shape ${formatShape(axes.map((a) => inputShape[a]))} is smaller than the ${dilations ? 'dilated kernel' : 'pool window'} ${formatShape(window)} with padding 'valid'; input shape ${formatShape(inputShape)}`,
    );
  }
  return out;
}

/** The channel axis of a shape (must be known to create weights). */
function channelsOf(layer: Layer, shape: Shape, dataFormat: DataFormat): number {
  const axis = dataFormat === 'channelsFirst' ? 1 : shape.length - 1;
  const c = shape[axis];
  if (c == null) {
    throw codedError('ERR_SHAPE_MISMATCH', `${layer.name} (${layer.getClassName()}): the channel axis of the input must be known to create the kernel, but the input shape is ${formatShape(shape)}`);
  }
  return c;
}

function booleanArg(fn: string, arg: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw typeError(fn, arg, 'a boolean', v);
  return v;
}

// The activations the convolution kernels apply in their epilogue.
const FUSED_ACTIVATIONS = new Set<string>(['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'elu', 'selu']);

// ------------------------------------------------------------------ BaseConv

export interface BaseConvLayerArgs extends LayerArgs {
  /** Size of the convolution window: an int (the same on every spatial axis) or one int per axis. */
  kernelSize: number | number[];
  /** Steps of the window: an int or one per spatial axis (default 1). */
  strides?: number | number[];
  /** 'valid' (no padding, default), 'same' (output size = ceil(input / stride)), or 'causal' (Conv1D). */
  padding?: PaddingMode;
  /** 'channelsLast' (default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
  /** Spacing between kernel taps: an int or one per spatial axis (default 1). */
  dilationRate?: number | number[];
  /** Activation after the convolution and bias; default linear. */
  activation?: ActivationIdentifier | ActivationFn | null;
  /** Whether to add a bias vector (default true). */
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier | Initializer | ConfigDict;
  biasInitializer?: InitializerIdentifier | Initializer | ConfigDict;
  kernelConstraint?: Identifier<Constraint> | null;
  biasConstraint?: Identifier<Constraint> | null;
  kernelRegularizer?: Identifier<Regularizer> | null;
  biasRegularizer?: Identifier<Regularizer> | null;
  activityRegularizer?: Identifier<Regularizer> | null;
}

export interface ConvLayerArgs extends BaseConvLayerArgs {
  /** Number of output channels. */
  filters: number;
}

/**
 * What every convolution layer shares: window geometry, data format,
 * activation and bias. Subclasses create their kernels in build() and
 * convolve channels-last inputs in convolve().
 */
export abstract class BaseConv extends Layer {
  readonly rank: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: PaddingMode;
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  readonly biasInitializer: Initializer;
  readonly biasConstraint: Constraint | null;
  readonly biasRegularizer: Regularizer | null;
  bias: LayerVariable | null = null;
  /** The activation the convolution kernel applies itself, or null when it runs separately. */
  protected readonly fusedActivation: FusedActivation | null;

  constructor(rank: number, args: BaseConvLayerArgs) {
    super(args);
    const fn = (this.constructor as typeof Layer).className;
    if (args == null || typeof args !== 'object') throw typeError(fn, 'args', 'an object with kernelSize', args);
    this.rank = rank;
    this.kernelSize = normalizeTuple(fn, 'kernelSize', args.kernelSize, rank);
    this.strides = normalizeTuple(fn, 'strides', args.strides ?? 1, rank);
    this.padding = args.padding ?? 'valid';
    check.oneOf(fn, 'padding', this.padding, rank === 1 ? ['valid', 'same', 'causal'] : ['valid', 'same']);
    this.dataFormat = dataFormatOf(fn, args.dataFormat);
    this.dilationRate = normalizeTuple(fn, 'dilationRate', args.dilationRate ?? 1, rank);
    this.activation = getActivation(args.activation);
    this.useBias = booleanArg(fn, 'useBias', args.useBias, true);
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros');
    this.biasConstraint = optional(getConstraint, args.biasConstraint);
    this.biasRegularizer = optional(getRegularizer, args.biasRegularizer);
    this.activityRegularizer = optional(getRegularizer, args.activityRegularizer);
    this.inputSpec = [new InputSpec({ ndim: rank + 2 })];
    const name = this.activation.getClassName();
    this.fusedActivation = this.opFusesActivation && FUSED_ACTIVATIONS.has(name) ? (name as FusedActivation) : null;
  }

  /** Whether convolve() runs a fused op that can apply the activation (Conv3D and Conv2DTranspose have none). */
  protected get opFusesActivation(): boolean {
    return true;
  }

  /** Adds the bias weight of `n` channels when useBias. */
  protected addBias(n: number): void {
    if (this.useBias) this.bias = this.addWeight('bias', [n], this.dtype, this.biasInitializer, this.biasRegularizer, true, this.biasConstraint);
  }

  /** Fixes the input's rank and channel count once the kernel exists. */
  protected fixInputSpec(channels: number): void {
    const axis = this.dataFormat === 'channelsFirst' ? 1 : this.rank + 1;
    this.inputSpec = [new InputSpec({ ndim: this.rank + 2, axes: { [axis]: channels } })];
  }

  /** The convolution of channels-last x plus bias, activated when the op applies fusedActivation. */
  protected abstract convolve(x: Tensor): Tensor;

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = getExactlyOneTensor(inputs, `${this.getClassName()}.call`);
    const xl = toChannelsLast(x, this.dataFormat);
    const z = this.convolve(xl);
    if (xl !== x) freeTemps(xl, null);
    const y = fromChannelsLast(z, this.dataFormat);
    if (this.fusedActivation !== null) return y;
    // As Keras, an activation outside the kernel sees the output in its data format (softmax on the last axis).
    const out = this.activation.apply(y);
    if (out !== y) freeTemps(y, null);
    return out;
  }

  /** z + bias on the channel (last) axis, when there is a bias; frees z. */
  protected withBias(z: Tensor): Tensor {
    if (this.bias === null) return z;
    const y = add(z, this.bias.read());
    freeTemps(z, null);
    return y;
  }

  override getConfig(): ConfigDict {
    return {
      kernelSize: this.kernelSize.slice(),
      strides: this.strides.slice(),
      padding: this.padding,
      dataFormat: this.dataFormat,
      dilationRate: this.dilationRate.slice(),
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      biasInitializer: serializeInitializer(this.biasInitializer),
      biasRegularizer: serializeOptional(this.biasRegularizer),
      activityRegularizer: serializeOptional(this.activityRegularizer),
      biasConstraint: serializeOptional(this.biasConstraint),
      ...super.getConfig(),
    };
  }
}

// ------------------------------------------------------------------ Conv (1-D, 2-D, 3-D)

/** Convolutions that mix channels with a [...kernelSize, in, filters] kernel: Conv1D, Conv2D, Conv3D. */
export abstract class Conv extends BaseConv {
  readonly filters: number;
  readonly kernelInitializer: Initializer;
  readonly kernelConstraint: Constraint | null;
  readonly kernelRegularizer: Regularizer | null;
  kernel: LayerVariable | null = null;

  constructor(rank: number, args: ConvLayerArgs) {
    super(rank, args);
    const fn = this.getClassName();
    check.isInt(fn, 'filters', args.filters, 1);
    this.filters = args.filters;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorotUniform');
    this.kernelConstraint = optional(getConstraint, args.kernelConstraint);
    this.kernelRegularizer = optional(getRegularizer, args.kernelRegularizer);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = getExactlyOneShape(inputShape, `${this.getClassName()}.build`);
    const channels = channelsOf(this, shape, this.dataFormat);
    this.kernel = this.addWeight('kernel', [...this.kernelSize, channels, this.filters], this.dtype, this.kernelInitializer, this.kernelRegularizer, true, this.kernelConstraint);
    this.addBias(this.filters);
    this.fixInputSpec(channels);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, `${this.getClassName()}.computeOutputShape`);
    const spatial = windowOutputShape(this, shape, this.dataFormat, this.kernelSize, this.strides, this.padding, this.dilationRate);
    return this.dataFormat === 'channelsFirst' ? [shape[0], this.filters, ...spatial] : [shape[0], ...spatial, this.filters];
  }

  /** conv2d(x, kernel) + bias on NHWC data, with fusedActivation, in one fused op. */
  protected conv2dFused(x: Tensor, kernel: Tensor, strides: number[], dilations: number[], padding: 'valid' | 'same'): Tensor {
    return fused.conv2d({
      x, filter: kernel, strides: strides as [number, number], pad: padding, dataFormat: 'NHWC', dilations: dilations as [number, number],
      bias: this.bias !== null ? this.bias.read() : null, activation: this.fusedActivation ?? 'linear',
    });
  }

  override getConfig(): ConfigDict {
    return {
      filters: this.filters,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      kernelRegularizer: serializeOptional(this.kernelRegularizer),
      kernelConstraint: serializeOptional(this.kernelConstraint),
      ...super.getConfig(),
    };
  }
}

/**
 * 1-D convolution over [batch, steps, channels] (temporal convolution).
 * padding 'causal' pads the start so that output t sees inputs up to t only.
 *
 * ```js
 * tf.layers.conv1d({filters: 16, kernelSize: 3, padding: 'causal', inputShape: [100, 8]})
 * ```
 */
export class Conv1D extends Conv {
  static override className = 'Conv1D';

  constructor(args: ConvLayerArgs) {
    super(1, args);
    // As TF.js, Conv1D works on [batch, steps, channels] only.
    if (this.dataFormat !== 'channelsLast') throw typeError('Conv1D', 'dataFormat', "'channelsLast' (Conv1D takes [batch, steps, channels])", args.dataFormat);
  }

  protected convolve(x: Tensor): Tensor {
    // A 1-D convolution is a 2-D one over [batch, 1, steps, channels]: the
    // reshapes are views, and the fused 2-D kernel adds bias and activation.
    const [k] = this.kernelSize;
    const [d] = this.dilationRate;
    const padded = this.padding === 'causal' ? pad(x, [[0, 0], [d * (k - 1), 0], [0, 0]]) : x;
    const x4 = reshape(padded, [padded.shape[0], 1, padded.shape[1], padded.shape[2]]);
    const kernel = this.kernel!.read();
    const k4 = reshape(kernel, [1, ...kernel.shape]);
    const y4 = this.conv2dFused(x4, k4, [1, this.strides[0]], [1, d], this.padding === 'same' ? 'same' : 'valid');
    const y = reshape(y4, [y4.shape[0], y4.shape[2], y4.shape[3]]);
    for (const t of [x4, k4, y4]) freeTemps(t, null);
    if (padded !== x) freeTemps(padded, null);
    return y;
  }

  override getConfig(): ConfigDict {
    const { dataFormat: _unused, ...config } = super.getConfig();
    return config;
  }
}
registerClass(Conv1D);

/**
 * 2-D convolution over images: act(conv2d(x, kernel) + bias), one fused op.
 * The kernel is [kernelH, kernelW, inChannels, filters].
 *
 * ```js
 * tf.layers.conv2d({filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1]})
 * ```
 */
export class Conv2D extends Conv {
  static override className = 'Conv2D';

  constructor(args: ConvLayerArgs) {
    super(2, args);
  }

  protected convolve(x: Tensor): Tensor {
    return this.conv2dFused(x, this.kernel!.read(), this.strides, this.dilationRate, this.padding as 'valid' | 'same');
  }
}
registerClass(Conv2D);

/**
 * 3-D convolution over volumes [batch, depth, height, width, channels].
 * The kernel is [kernelD, kernelH, kernelW, inChannels, filters].
 *
 * ```js
 * tf.layers.conv3d({filters: 8, kernelSize: 3, inputShape: [16, 16, 16, 1]})
 * ```
 */
export class Conv3D extends Conv {
  static override className = 'Conv3D';

  constructor(args: ConvLayerArgs) {
    super(3, args);
  }

  protected override get opFusesActivation(): boolean {
    return false;
  }

  protected convolve(x: Tensor): Tensor {
    const z = conv3d(x, this.kernel!.read(), this.strides as [number, number, number], this.padding as 'valid' | 'same', 'NDHWC', this.dilationRate as [number, number, number]);
    return this.withBias(z);
  }
}
registerClass(Conv3D);

// ------------------------------------------------------------------ Conv2DTranspose

/**
 * Transposed 2-D convolution ("deconvolution"): the gradient of a Conv2D
 * with respect to its input, used to upsample. The kernel is
 * [kernelH, kernelW, filters, inChannels], as TF.js and Keras; the output
 * size is Keras's deconv_output_length (input * stride for 'same').
 *
 * ```js
 * tf.layers.conv2dTranspose({filters: 16, kernelSize: 3, strides: 2, padding: 'same'})
 * ```
 */
export class Conv2DTranspose extends Conv2D {
  static override className = 'Conv2DTranspose';

  constructor(args: ConvLayerArgs) {
    super(args);
    // TF.js's transposed convolution has no dilation (and saves no dilationRate).
    if (this.dilationRate.some((d) => d !== 1)) throw typeError('Conv2DTranspose', 'dilationRate', '1 (dilated transposed convolution is not supported)', args.dilationRate);
    // Nor outputPadding (Keras's output_padding): refused rather than ignored, so that no Keras config loads with other shapes.
    if (args.outputPadding != null) throw typeError('Conv2DTranspose', 'outputPadding', 'null (the output size is always Keras\'s default deconv_output_length)', args.outputPadding);
  }

  protected override get opFusesActivation(): boolean {
    return false;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = getExactlyOneShape(inputShape, 'Conv2DTranspose.build');
    const channels = channelsOf(this, shape, this.dataFormat);
    this.kernel = this.addWeight('kernel', [...this.kernelSize, this.filters, channels], this.dtype, this.kernelInitializer, this.kernelRegularizer, true, this.kernelConstraint);
    this.addBias(this.filters);
    this.fixInputSpec(channels);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, 'Conv2DTranspose.computeOutputShape');
    const spatial = spatialAxes(4, this.dataFormat).map((a, i) => deconvOutputLength(shape[a], this.kernelSize[i], this.padding as 'valid' | 'same', this.strides[i]));
    return this.dataFormat === 'channelsFirst' ? [shape[0], this.filters, ...spatial] : [shape[0], ...spatial, this.filters];
  }

  protected override convolve(x: Tensor): Tensor {
    const [n, h, w] = x.shape;
    const padding = this.padding as 'valid' | 'same';
    const outShape: [number, number, number, number] = [
      n,
      deconvOutputLength(h, this.kernelSize[0], padding, this.strides[0])!,
      deconvOutputLength(w, this.kernelSize[1], padding, this.strides[1])!,
      this.filters,
    ];
    const z = conv2dTranspose(x, this.kernel!.read(), outShape, this.strides as [number, number], padding);
    return this.withBias(z);
  }

  override getConfig(): ConfigDict {
    const { dilationRate: _unused, ...config } = super.getConfig();
    return config;
  }
}
registerClass(Conv2DTranspose);

// ------------------------------------------------------------------ DepthwiseConv2D

export interface DepthwiseConv2DLayerArgs extends BaseConvLayerArgs {
  kernelSize: number | [number, number];
  /** Output channels per input channel (default 1): the layer outputs in * depthMultiplier channels. */
  depthMultiplier?: number;
  depthwiseInitializer?: InitializerIdentifier | Initializer | ConfigDict;
  depthwiseConstraint?: Identifier<Constraint> | null;
  depthwiseRegularizer?: Identifier<Regularizer> | null;
}

/**
 * Depthwise 2-D convolution: each input channel is convolved with its own
 * depthMultiplier filters, [kernelH, kernelW, inChannels, depthMultiplier].
 *
 * ```js
 * tf.layers.depthwiseConv2d({kernelSize: 3, depthMultiplier: 2, padding: 'same'})
 * ```
 */
export class DepthwiseConv2D extends BaseConv {
  static override className = 'DepthwiseConv2D';
  readonly depthMultiplier: number;
  readonly depthwiseInitializer: Initializer;
  readonly depthwiseConstraint: Constraint | null;
  readonly depthwiseRegularizer: Regularizer | null;
  depthwiseKernel: LayerVariable | null = null;

  constructor(args: DepthwiseConv2DLayerArgs) {
    super(2, args);
    const fn = 'DepthwiseConv2D';
    this.depthMultiplier = args.depthMultiplier ?? 1;
    check.isInt(fn, 'depthMultiplier', this.depthMultiplier, 1);
    this.depthwiseInitializer = getInitializer(args.depthwiseInitializer ?? 'glorotUniform');
    this.depthwiseConstraint = optional(getConstraint, args.depthwiseConstraint);
    this.depthwiseRegularizer = optional(getRegularizer, args.depthwiseRegularizer);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = getExactlyOneShape(inputShape, 'DepthwiseConv2D.build');
    const channels = channelsOf(this, shape, this.dataFormat);
    this.depthwiseKernel = this.addWeight(
      'depthwise_kernel', [...this.kernelSize, channels, this.depthMultiplier], this.dtype,
      this.depthwiseInitializer, this.depthwiseRegularizer, true, this.depthwiseConstraint,
    );
    this.addBias(channels * this.depthMultiplier);
    this.fixInputSpec(channels);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, 'DepthwiseConv2D.computeOutputShape');
    const spatial = windowOutputShape(this, shape, this.dataFormat, this.kernelSize, this.strides, this.padding, this.dilationRate);
    const c = shape[this.dataFormat === 'channelsFirst' ? 1 : 3];
    const out = c == null ? null : c * this.depthMultiplier;
    return this.dataFormat === 'channelsFirst' ? [shape[0], out, ...spatial] : [shape[0], ...spatial, out];
  }

  protected convolve(x: Tensor): Tensor {
    return fused.depthwiseConv2d({
      x, filter: this.depthwiseKernel!.read(), strides: this.strides as [number, number], pad: this.padding as 'valid' | 'same',
      dataFormat: 'NHWC', dilations: this.dilationRate as [number, number], bias: this.bias !== null ? this.bias.read() : null,
      activation: this.fusedActivation ?? 'linear',
    });
  }

  override getConfig(): ConfigDict {
    return {
      ...super.getConfig(),
      depthMultiplier: this.depthMultiplier,
      depthwiseInitializer: serializeInitializer(this.depthwiseInitializer),
      depthwiseRegularizer: serializeOptional(this.depthwiseRegularizer),
      depthwiseConstraint: serializeOptional(this.depthwiseConstraint),
    };
  }
}
registerClass(DepthwiseConv2D);

// ------------------------------------------------------------------ SeparableConv2D

export interface SeparableConvLayerArgs extends ConvLayerArgs {
  /** Depthwise output channels per input channel (default 1). */
  depthMultiplier?: number;
  depthwiseInitializer?: InitializerIdentifier | Initializer | ConfigDict;
  pointwiseInitializer?: InitializerIdentifier | Initializer | ConfigDict;
  depthwiseRegularizer?: Identifier<Regularizer> | null;
  pointwiseRegularizer?: Identifier<Regularizer> | null;
  depthwiseConstraint?: Identifier<Constraint> | null;
  pointwiseConstraint?: Identifier<Constraint> | null;
}

/**
 * Depthwise separable 2-D convolution: a depthwise convolution
 * ([kh, kw, in, depthMultiplier]) then a 1x1 pointwise one
 * ([1, 1, in * depthMultiplier, filters]) that mixes channels, with the
 * bias and activation fused into the second.
 *
 * ```js
 * tf.layers.separableConv2d({filters: 32, kernelSize: 3, activation: 'relu'})
 * ```
 */
export class SeparableConv2D extends Conv {
  static override className = 'SeparableConv2D';
  readonly depthMultiplier: number;
  readonly depthwiseInitializer: Initializer;
  readonly pointwiseInitializer: Initializer;
  readonly depthwiseRegularizer: Regularizer | null;
  readonly pointwiseRegularizer: Regularizer | null;
  readonly depthwiseConstraint: Constraint | null;
  readonly pointwiseConstraint: Constraint | null;
  depthwiseKernel: LayerVariable | null = null;
  pointwiseKernel: LayerVariable | null = null;

  constructor(args: SeparableConvLayerArgs) {
    super(2, args);
    const fn = 'SeparableConv2D';
    for (const key of ['kernelInitializer', 'kernelRegularizer', 'kernelConstraint'] as const) {
      if (args[key] != null) {
        throw typeError(fn, key, `nothing: SeparableConv2D has depthwise${key.slice(6)} and pointwise${key.slice(6)} instead`, args[key]);
      }
    }
    this.depthMultiplier = args.depthMultiplier ?? 1;
    check.isInt(fn, 'depthMultiplier', this.depthMultiplier, 1);
    this.depthwiseInitializer = getInitializer(args.depthwiseInitializer ?? 'glorotUniform');
    this.pointwiseInitializer = getInitializer(args.pointwiseInitializer ?? 'glorotUniform');
    this.depthwiseRegularizer = optional(getRegularizer, args.depthwiseRegularizer);
    this.pointwiseRegularizer = optional(getRegularizer, args.pointwiseRegularizer);
    this.depthwiseConstraint = optional(getConstraint, args.depthwiseConstraint);
    this.pointwiseConstraint = optional(getConstraint, args.pointwiseConstraint);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = getExactlyOneShape(inputShape, 'SeparableConv2D.build');
    const channels = channelsOf(this, shape, this.dataFormat);
    this.depthwiseKernel = this.addWeight(
      'depthwise_kernel', [...this.kernelSize, channels, this.depthMultiplier], this.dtype,
      this.depthwiseInitializer, this.depthwiseRegularizer, true, this.depthwiseConstraint,
    );
    this.pointwiseKernel = this.addWeight(
      'pointwise_kernel', [1, 1, channels * this.depthMultiplier, this.filters], this.dtype,
      this.pointwiseInitializer, this.pointwiseRegularizer, true, this.pointwiseConstraint,
    );
    this.addBias(this.filters);
    this.fixInputSpec(channels);
    this.built = true;
  }

  protected convolve(x: Tensor): Tensor {
    const depthwise = depthwiseConv2d(x, this.depthwiseKernel!.read(), this.strides as [number, number], this.padding as 'valid' | 'same', 'NHWC', this.dilationRate as [number, number]);
    const y = this.conv2dFused(depthwise, this.pointwiseKernel!.read(), [1, 1], [1, 1], 'valid');
    freeTemps(depthwise, null);
    return y;
  }

  override getConfig(): ConfigDict {
    const { kernelInitializer: _i, kernelRegularizer: _r, kernelConstraint: _c, ...config } = super.getConfig();
    return {
      ...config,
      depthMultiplier: this.depthMultiplier,
      depthwiseInitializer: serializeInitializer(this.depthwiseInitializer),
      pointwiseInitializer: serializeInitializer(this.pointwiseInitializer),
      depthwiseRegularizer: serializeOptional(this.depthwiseRegularizer),
      pointwiseRegularizer: serializeOptional(this.pointwiseRegularizer),
      depthwiseConstraint: serializeOptional(this.depthwiseConstraint),
      pointwiseConstraint: serializeOptional(this.pointwiseConstraint),
    };
  }
}
registerClass(SeparableConv2D);

// ------------------------------------------------------------------ Cropping2D

/** An int, [symmetric rows, symmetric cols], or [[top, bottom], [left, right]]. */
export type Spatial2DAmount = number | [number, number] | [[number, number], [number, number]];

/** @internal A cropping / padding amount in its three forms as [[top, bottom], [left, right]]. */
export function normalizeSpatial2D(fn: string, arg: string, v: unknown): [[number, number], [number, number]] {
  const ok = (d: unknown): d is number => typeof d === 'number' && Number.isInteger(d) && d >= 0;
  if (ok(v)) return [[v, v], [v, v]];
  if (Array.isArray(v) && v.length === 2) {
    if (ok(v[0]) && ok(v[1])) return [[v[0], v[0]], [v[1], v[1]]];
    if (v.every((p) => Array.isArray(p) && p.length === 2 && ok(p[0]) && ok(p[1]))) return [[v[0][0], v[0][1]], [v[1][0], v[1][1]]];
  }
  throw typeError(fn, arg, 'a non-negative integer, [rows, cols], or [[top, bottom], [left, right]] of non-negative integers', v);
}

export interface Cropping2DLayerArgs extends LayerArgs {
  /** Rows and columns to remove: an int, [rows, cols] (both sides), or [[top, bottom], [left, right]]. */
  cropping: Spatial2DAmount;
  dataFormat?: DataFormat;
}

/**
 * Crops rows and columns at the edges of images.
 *
 * ```js
 * tf.layers.cropping2D({cropping: [[2, 2], [4, 4]], inputShape: [28, 28, 1]})  // → [null, 24, 20, 1]
 * ```
 */
export class Cropping2D extends Layer {
  static override className = 'Cropping2D';
  readonly cropping: [[number, number], [number, number]];
  readonly dataFormat: DataFormat;

  constructor(args: Cropping2DLayerArgs) {
    super(args);
    const fn = 'Cropping2D';
    if (args == null || typeof args !== 'object') throw typeError(fn, 'args', 'an object with cropping', args);
    this.cropping = normalizeSpatial2D(fn, 'cropping', args.cropping);
    this.dataFormat = dataFormatOf(fn, args.dataFormat);
    this.inputSpec = [new InputSpec({ ndim: 4 })];
  }

  /** The cropped rows and cols of input (H, W), or an error when the crop takes everything. */
  private cropped(shape: Shape): (number | null)[] {
    return spatialAxes(4, this.dataFormat).map((a, i) => {
      const d = shape[a];
      if (d == null) return null;
      const left = d - this.cropping[i][0] - this.cropping[i][1];
      if (left < 1) {
        throw codedError('ERR_SHAPE_MISMATCH', `${this.name} (Cropping2D): cropping ${JSON.stringify(this.cropping)} leaves nothing of an input of shape ${formatShape(shape)}`);
      }
      return left;
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, 'Cropping2D.computeOutputShape');
    const [h, w] = this.cropped(shape);
    return this.dataFormat === 'channelsFirst' ? [shape[0], shape[1], h, w] : [shape[0], h, w, shape[3]];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = getExactlyOneTensor(inputs, 'Cropping2D.call');
    const [h, w] = this.cropped(x.shape) as number[];
    const [[top], [left]] = this.cropping;
    if (this.dataFormat === 'channelsFirst') return slice(x, [0, 0, top, left], [-1, -1, h, w]);
    return slice(x, [0, top, left, 0], [-1, h, w, -1]);
  }

  override getConfig(): ConfigDict {
    return { cropping: this.cropping.map((p) => p.slice()), dataFormat: this.dataFormat, ...super.getConfig() };
  }
}
registerClass(Cropping2D);

// ------------------------------------------------------------------ UpSampling2D

export interface UpSampling2DLayerArgs extends LayerArgs {
  /** Row and column factors: an int or [rows, cols] (default [2, 2]). */
  size?: number | number[];
  dataFormat?: DataFormat;
  /** 'nearest' (default: repeats rows and columns) or 'bilinear'. */
  interpolation?: 'nearest' | 'bilinear';
}

/**
 * Upsamples images by integer factors, repeating rows and columns
 * ('nearest') or interpolating ('bilinear', as TF.js's
 * image.resizeBilinear without half-pixel centers).
 *
 * ```js
 * tf.layers.upSampling2d({size: [2, 2], inputShape: [14, 14, 8]})  // → [null, 28, 28, 8]
 * ```
 */
export class UpSampling2D extends Layer {
  static override className = 'UpSampling2D';
  readonly size: number[];
  readonly dataFormat: DataFormat;
  readonly interpolation: 'nearest' | 'bilinear';

  constructor(args: UpSampling2DLayerArgs = {}) {
    super(args);
    const fn = 'UpSampling2D';
    this.size = normalizeTuple(fn, 'size', args.size ?? 2, 2);
    this.dataFormat = dataFormatOf(fn, args.dataFormat);
    const interpolation = args.interpolation ?? 'nearest';
    check.oneOf(fn, 'interpolation', interpolation, ['nearest', 'bilinear'] as const);
    this.interpolation = interpolation;
    this.inputSpec = [new InputSpec({ ndim: 4 })];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, 'UpSampling2D.computeOutputShape');
    const [h, w] = spatialAxes(4, this.dataFormat).map((a, i) => (shape[a] == null ? null : shape[a]! * this.size[i]));
    return this.dataFormat === 'channelsFirst' ? [shape[0], shape[1], h, w] : [shape[0], h, w, shape[3]];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = getExactlyOneTensor(inputs, 'UpSampling2D.call');
    const xl = toChannelsLast(x, this.dataFormat);
    const size: [number, number] = [xl.shape[1] * this.size[0], xl.shape[2] * this.size[1]];
    const y = this.interpolation === 'nearest' ? image.resizeNearestNeighbor(xl, size) : image.resizeBilinear(xl, size);
    if (xl !== x) freeTemps(xl, null);
    return fromChannelsLast(y, this.dataFormat);
  }

  override getConfig(): ConfigDict {
    return { size: this.size.slice(), dataFormat: this.dataFormat, interpolation: this.interpolation, ...super.getConfig() };
  }
}
registerClass(UpSampling2D);
