// Pooling layers: MaxPooling1D/2D/3D, AveragePooling1D/2D/3D and the global
// max / average poolings, with TF.js's class names and config keys. The pool
// ops work on channels-last data; 'channelsFirst' layers transpose at their edges.
import { check, typeError } from '../errors';
import { Tensor } from '../tensor/tensor';
import { ConfigDict, registerClass } from '../serialization';
import { freeTemps } from '../ops/elementwise';
import { max, mean } from '../ops/reduce';
import { avgPool, avgPool1d, avgPool3d, maxPool, maxPool1d, maxPool3d } from '../ops/pool';
import { DataFormat, dataFormatOf, fromChannelsLast, normalizeTuple, spatialAxes, toChannelsLast, windowOutputShape } from './convolutional';
import { getExactlyOneShape, getExactlyOneTensor, InputSpec, Layer, LayerArgs, Shape } from './layer';

type PoolPadding = 'valid' | 'same';

/** The window arguments of a pooling layer of `rank` spatial axes: strides default to poolSize. */
function poolWindow(fn: string, rank: number, poolSize: unknown, strides: unknown, padding: unknown): { poolSize: number[]; strides: number[]; padding: PoolPadding } {
  const size = normalizeTuple(fn, 'poolSize', poolSize ?? 2, rank);
  const step = strides == null ? size.slice() : normalizeTuple(fn, 'strides', strides, rank);
  const mode = padding ?? 'valid';
  check.oneOf(fn, 'padding', mode, ['valid', 'same'] as const);
  return { poolSize: size, strides: step, padding: mode };
}

/** Channels-last-only layers (as TF.js's 1-D ones) refuse a channelsFirst dataFormat rather than misread it. */
function channelsLastOnly(fn: string, dataFormat: unknown): void {
  if (dataFormat != null && dataFormat !== 'channelsLast') {
    throw typeError(fn, 'dataFormat', `'channelsLast' (${fn} takes [batch, steps, channels])`, dataFormat);
  }
}

// ------------------------------------------------------------------ 1-D

export interface Pooling1DLayerArgs extends LayerArgs {
  /** Window length (default 2). */
  poolSize?: number | [number];
  /** Step between windows (default poolSize). */
  strides?: number | [number];
  /** 'valid' (default) or 'same'. */
  padding?: PoolPadding;
}

/** Pooling over the steps of [batch, steps, channels]. */
export abstract class Pooling1D extends Layer {
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: PoolPadding;

  constructor(args: Pooling1DLayerArgs = {}) {
    super(args);
    const fn = this.getClassName();
    channelsLastOnly(fn, args.dataFormat);
    ({ poolSize: this.poolSize, strides: this.strides, padding: this.padding } = poolWindow(fn, 1, args.poolSize, args.strides, args.padding));
    this.inputSpec = [new InputSpec({ ndim: 3 })];
  }

  protected abstract pool(x: Tensor): Tensor;

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, `${this.getClassName()}.computeOutputShape`);
    const [steps] = windowOutputShape(this, shape, 'channelsLast', this.poolSize, this.strides, this.padding);
    return [shape[0], steps, shape[2]];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return this.pool(getExactlyOneTensor(inputs, `${this.getClassName()}.call`));
  }

  override getConfig(): ConfigDict {
    return { poolSize: this.poolSize.slice(), padding: this.padding, strides: this.strides.slice(), ...super.getConfig() };
  }
}

/**
 * Max over windows of steps of [batch, steps, channels].
 *
 * ```js
 * tf.layers.maxPooling1d({poolSize: 2, inputShape: [100, 8]})  // → [null, 50, 8]
 * ```
 */
export class MaxPooling1D extends Pooling1D {
  static override className = 'MaxPooling1D';
  protected pool(x: Tensor): Tensor {
    return maxPool1d(x, this.poolSize[0], this.strides[0], this.padding);
  }
}
registerClass(MaxPooling1D);

/**
 * Mean over windows of steps of [batch, steps, channels] ('same' windows
 * at the edges average the steps they cover).
 *
 * ```js
 * tf.layers.averagePooling1d({poolSize: 3, strides: 1, padding: 'same'})
 * ```
 */
export class AveragePooling1D extends Pooling1D {
  static override className = 'AveragePooling1D';
  protected pool(x: Tensor): Tensor {
    return avgPool1d(x, this.poolSize[0], this.strides[0], this.padding);
  }
}
registerClass(AveragePooling1D);

// ------------------------------------------------------------------ 2-D and 3-D

export interface Pooling2DLayerArgs extends LayerArgs {
  /** Window [rows, cols]: an int or two (default [2, 2]). */
  poolSize?: number | [number, number];
  /** Steps between windows (default poolSize). */
  strides?: number | [number, number];
  /** 'valid' (default) or 'same'. */
  padding?: PoolPadding;
  dataFormat?: DataFormat;
}

export interface Pooling3DLayerArgs extends LayerArgs {
  /** Window [depth, rows, cols]: an int or three (default [2, 2, 2]). */
  poolSize?: number | [number, number, number];
  /** Steps between windows (default poolSize). */
  strides?: number | [number, number, number];
  padding?: PoolPadding;
  dataFormat?: DataFormat;
}

/** Pooling over the spatial axes of 4-D (rank 2) or 5-D (rank 3) inputs. */
export abstract class PoolingND extends Layer {
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: PoolPadding;
  readonly dataFormat: DataFormat;

  constructor(protected readonly rank: number, args: Pooling2DLayerArgs | Pooling3DLayerArgs = {}) {
    super(args);
    const fn = this.getClassName();
    ({ poolSize: this.poolSize, strides: this.strides, padding: this.padding } = poolWindow(fn, rank, args.poolSize, args.strides, args.padding));
    this.dataFormat = dataFormatOf(fn, args.dataFormat);
    this.inputSpec = [new InputSpec({ ndim: rank + 2 })];
  }

  /** The pool of channels-last x. */
  protected abstract pool(x: Tensor): Tensor;

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, `${this.getClassName()}.computeOutputShape`);
    const spatial = windowOutputShape(this, shape, this.dataFormat, this.poolSize, this.strides, this.padding);
    return this.dataFormat === 'channelsFirst' ? [shape[0], shape[1], ...spatial] : [shape[0], ...spatial, shape[shape.length - 1]];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = getExactlyOneTensor(inputs, `${this.getClassName()}.call`);
    const xl = toChannelsLast(x, this.dataFormat);
    const y = this.pool(xl);
    if (xl !== x) freeTemps(xl, null);
    return fromChannelsLast(y, this.dataFormat);
  }

  override getConfig(): ConfigDict {
    return { poolSize: this.poolSize.slice(), padding: this.padding, strides: this.strides.slice(), dataFormat: this.dataFormat, ...super.getConfig() };
  }
}

/**
 * Max over windows of images.
 *
 * ```js
 * tf.layers.maxPooling2d({poolSize: 2})  // [null, 26, 26, 32] → [null, 13, 13, 32]
 * ```
 */
export class MaxPooling2D extends PoolingND {
  static override className = 'MaxPooling2D';
  constructor(args: Pooling2DLayerArgs = {}) {
    super(2, args);
  }
  protected pool(x: Tensor): Tensor {
    return maxPool(x, this.poolSize as [number, number], this.strides as [number, number], this.padding);
  }
}
registerClass(MaxPooling2D);

/**
 * Mean over windows of images ('same' windows at the edges average the
 * pixels they cover, as TF).
 *
 * ```js
 * tf.layers.averagePooling2d({poolSize: [2, 2], strides: [2, 2]})
 * ```
 */
export class AveragePooling2D extends PoolingND {
  static override className = 'AveragePooling2D';
  constructor(args: Pooling2DLayerArgs = {}) {
    super(2, args);
  }
  protected pool(x: Tensor): Tensor {
    return avgPool(x, this.poolSize as [number, number], this.strides as [number, number], this.padding);
  }
}
registerClass(AveragePooling2D);

/**
 * Max over windows of volumes [batch, depth, height, width, channels].
 *
 * ```js
 * tf.layers.maxPooling3d({poolSize: 2, inputShape: [16, 16, 16, 1]})
 * ```
 */
export class MaxPooling3D extends PoolingND {
  static override className = 'MaxPooling3D';
  constructor(args: Pooling3DLayerArgs = {}) {
    super(3, args);
  }
  protected pool(x: Tensor): Tensor {
    return maxPool3d(x, this.poolSize as [number, number, number], this.strides as [number, number, number], this.padding);
  }
}
registerClass(MaxPooling3D);

/**
 * Mean over windows of volumes [batch, depth, height, width, channels].
 *
 * ```js
 * tf.layers.averagePooling3d({poolSize: 2, inputShape: [16, 16, 16, 1]})
 * ```
 */
export class AveragePooling3D extends PoolingND {
  static override className = 'AveragePooling3D';
  constructor(args: Pooling3DLayerArgs = {}) {
    super(3, args);
  }
  protected pool(x: Tensor): Tensor {
    return avgPool3d(x, this.poolSize as [number, number, number], this.strides as [number, number, number], this.padding);
  }
}
registerClass(AveragePooling3D);

// ------------------------------------------------------------------ global pooling

/** Reduction of every step of [batch, steps, channels] to [batch, channels]. */
export abstract class GlobalPooling1D extends Layer {
  constructor(args: LayerArgs = {}) {
    super(args);
    channelsLastOnly(this.getClassName(), args.dataFormat);
    this.inputSpec = [new InputSpec({ ndim: 3 })];
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, `${this.getClassName()}.computeOutputShape`);
    return [shape[0], shape[2]];
  }
}

/**
 * Mean over the steps: [batch, steps, channels] → [batch, channels].
 *
 * ```js
 * tf.layers.globalAveragePooling1d()
 * ```
 */
export class GlobalAveragePooling1D extends GlobalPooling1D {
  static override className = 'GlobalAveragePooling1D';
  override call(inputs: Tensor | Tensor[]): Tensor {
    return mean(getExactlyOneTensor(inputs, 'GlobalAveragePooling1D.call'), 1);
  }
}
registerClass(GlobalAveragePooling1D);

/**
 * Max over the steps: [batch, steps, channels] → [batch, channels].
 *
 * ```js
 * tf.layers.globalMaxPooling1d()
 * ```
 */
export class GlobalMaxPooling1D extends GlobalPooling1D {
  static override className = 'GlobalMaxPooling1D';
  override call(inputs: Tensor | Tensor[]): Tensor {
    return max(getExactlyOneTensor(inputs, 'GlobalMaxPooling1D.call'), 1);
  }
}
registerClass(GlobalMaxPooling1D);

export interface GlobalPooling2DLayerArgs extends LayerArgs {
  dataFormat?: DataFormat;
}

/** Reduction of every pixel of images to one value per channel: [batch, channels]. */
export abstract class GlobalPooling2D extends Layer {
  readonly dataFormat: DataFormat;
  constructor(args: GlobalPooling2DLayerArgs = {}) {
    super(args);
    this.dataFormat = dataFormatOf(this.getClassName(), args.dataFormat);
    this.inputSpec = [new InputSpec({ ndim: 4 })];
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, `${this.getClassName()}.computeOutputShape`);
    return [shape[0], shape[this.dataFormat === 'channelsFirst' ? 1 : 3]];
  }
  protected get axes(): number[] {
    return spatialAxes(4, this.dataFormat);
  }
  override getConfig(): ConfigDict {
    return { dataFormat: this.dataFormat, ...super.getConfig() };
  }
}

/**
 * Mean over rows and columns: [batch, h, w, channels] → [batch, channels].
 *
 * ```js
 * tf.layers.globalAveragePooling2d({dataFormat: 'channelsLast'})
 * ```
 */
export class GlobalAveragePooling2D extends GlobalPooling2D {
  static override className = 'GlobalAveragePooling2D';
  override call(inputs: Tensor | Tensor[]): Tensor {
    return mean(getExactlyOneTensor(inputs, 'GlobalAveragePooling2D.call'), this.axes);
  }
}
registerClass(GlobalAveragePooling2D);

/**
 * Max over rows and columns: [batch, h, w, channels] → [batch, channels].
 *
 * ```js
 * tf.layers.globalMaxPooling2d({dataFormat: 'channelsLast'})
 * ```
 */
export class GlobalMaxPooling2D extends GlobalPooling2D {
  static override className = 'GlobalMaxPooling2D';
  override call(inputs: Tensor | Tensor[]): Tensor {
    return max(getExactlyOneTensor(inputs, 'GlobalMaxPooling2D.call'), this.axes);
  }
}
registerClass(GlobalMaxPooling2D);
