// The entry points of a graph: InputLayer and tf.input(). An InputLayer has
// one node with no inbound layers; its output SymbolicTensor is what
// tf.input() returns and what a Model's `inputs` are made of.
import { codedError, typeError } from '../errors';
import { DataType, DTYPES } from '../tensor/dtype';
import { uniqueName } from '../tensor/engine';
import { ConfigDict, registerClass } from '../serialization';
import { formatShape, InputSpec, Kwargs, Layer, Node, Shape, SymbolicTensor } from './layer';

export interface InputLayerArgs {
  /** Shape of one sample, without the batch dimension. */
  inputShape?: Shape;
  batchSize?: number;
  /** Shape with the batch dimension (null where unknown). */
  batchInputShape?: Shape;
  dtype?: DataType;
  sparse?: boolean;
  name?: string;
  [key: string]: unknown;
}

function checkShape(fn: string, arg: string, v: unknown): asserts v is Shape {
  if (!Array.isArray(v) || !v.every((d) => d === null || (typeof d === 'number' && Number.isInteger(d) && d >= 0))) {
    throw typeError(fn, arg, 'a shape (an array of non-negative integers or null)', v);
  }
}

/**
 * The layer that feeds a model: it holds the input placeholder. Created by
 * tf.input(), by tf.layers.inputLayer(), or by a Sequential from its first
 * layer's inputShape.
 */
export class InputLayer extends Layer {
  static override className = 'InputLayer';
  readonly sparse: boolean;

  constructor(args: InputLayerArgs = {}) {
    const fn = 'InputLayer';
    if (args === null || typeof args !== 'object') throw typeError(fn, 'args', 'an object', args);
    if (args.inputShape != null && args.batchInputShape != null) {
      throw typeError(fn, 'args', "either 'inputShape' or 'batchInputShape', not both", args);
    }
    let batchInputShape = args.batchInputShape;
    if (batchInputShape == null) {
      if (args.inputShape == null) throw typeError(fn, 'inputShape', "a shape (or give 'batchInputShape')", args.inputShape);
      checkShape(fn, 'inputShape', args.inputShape);
      batchInputShape = [args.batchSize ?? null, ...args.inputShape];
    }
    checkShape(fn, 'batchInputShape', batchInputShape);
    const dtype = args.dtype ?? 'float32';
    if (!DTYPES.includes(dtype)) throw typeError(fn, 'dtype', `one of ${DTYPES.map((d) => `'${d}'`).join(', ')}`, dtype);
    super({ name: args.name ?? uniqueName('input'), dtype, batchInputShape });
    this.inputDType = dtype;
    this.sparse = args.sparse ?? false;
    this.trainable_ = false;
    this.built = true;
    this.inputSpec = [new InputSpec({ shape: batchInputShape })];
    const placeholder = new SymbolicTensor(dtype, batchInputShape.slice(), this, [], {}, this.name);
    placeholder.nodeIndex = 0;
    placeholder.tensorIndex = 0;
    new Node({
      outboundLayer: this,
      inboundLayers: [],
      nodeIndices: [],
      tensorIndices: [],
      inputTensors: [placeholder],
      outputTensors: [placeholder],
      inputShapes: [batchInputShape],
      outputShapes: [batchInputShape],
    });
  }

  override apply(inputs: unknown, kwargs?: Kwargs): never {
    throw codedError('ERR_INVALID_ARG_VALUE', `${this.name}.apply: an InputLayer takes no inputs; use its output (layer.output) or tf.input() instead`);
  }

  override getConfig(): ConfigDict {
    return { batchInputShape: this.batchInputShape!.slice(), dtype: this.dtype, sparse: this.sparse, name: this.name };
  }

  override toString(): string {
    return `InputLayer(${this.name}, ${formatShape(this.batchInputShape!)})`;
  }
}
registerClass(InputLayer);

export interface InputConfig {
  /** Shape of one sample, without the batch dimension: [28, 28] for a batch of 28x28 images. */
  shape?: Shape;
  /** Shape with the batch dimension, e.g. [32, 784] or [null, 784]. */
  batchShape?: Shape;
  name?: string;
  dtype?: DataType;
  sparse?: boolean;
}

/**
 * A symbolic input for a functional model (tf.input).
 *
 * ```js
 * const x = tf.input({shape: [784]});          // SymbolicTensor [null, 784]
 * const y = tf.layers.dense({units: 10}).apply(x);
 * const model = tf.model({inputs: x, outputs: y});
 * ```
 */
export function input(config: InputConfig): SymbolicTensor {
  const fn = 'input';
  if (config === null || typeof config !== 'object') throw typeError(fn, 'config', 'an object such as {shape: [784]}', config);
  if (config.shape == null && config.batchShape == null) {
    throw typeError(fn, 'config.shape', "a shape without the batch dimension (or give 'batchShape')", config.shape);
  }
  if (config.shape != null && config.batchShape != null) {
    throw typeError(fn, 'config', "either 'shape' or 'batchShape', not both", config);
  }
  if (config.shape != null) checkShape(fn, 'config.shape', config.shape);
  if (config.batchShape != null) checkShape(fn, 'config.batchShape', config.batchShape);
  const batchInputShape = config.batchShape ?? [null, ...config.shape!];
  const layer = new InputLayer({ batchInputShape, name: config.name, dtype: config.dtype, sparse: config.sparse });
  return layer.inboundNodes[0].outputTensors[0];
}
