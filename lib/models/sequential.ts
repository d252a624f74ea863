// Sequential: a functional model whose graph is a chain. Each add() applies
// the new layer to the current output and rebuilds the graph bookkeeping, so
// training, saving and summary are the functional model's. When the first
// layer has no input shape, the chain is built later from the first data
// (or model.build(shape)), as Keras 3 does.
import { codedError, typeError } from '../errors';
import { Tensor } from '../tensor/tensor';
import { ConfigDict, deserialize, registerClass } from '../serialization';
import { Layer, Shape, SymbolicTensor } from '../layers/layer';
import { input, InputLayer } from '../layers/input';
import { LayersModel } from './model';

export interface SequentialArgs {
  /** Layers to add, in order. */
  layers?: Layer[];
  name?: string;
}

/** `tf.Sequential`: a linear stack of layers. */
export class Sequential extends LayersModel {
  static override className = 'Sequential';
  /** The added layers, in order (an explicit InputLayer is not one of them). */
  private stack: Layer[] = [];
  private ownInput: InputLayer | null = null;

  constructor(args: SequentialArgs = {}) {
    if (args === null || typeof args !== 'object') throw typeError('sequential', 'args', 'an object {layers, name}', args);
    super({ inputs: [], outputs: [], name: args.name });
    if (args.layers != null) {
      if (!Array.isArray(args.layers)) throw typeError('sequential', 'layers', 'an array of layers', args.layers);
      for (const l of args.layers) this.add(l);
    }
  }

  /** The layers, in order (without the InputLayer). */
  override get layers(): Layer[] {
    return this.stack.slice();
  }

  /**
   * Adds a layer on top of the stack.
   *
   * ```js
   * const model = tf.sequential();
   * model.add(tf.layers.dense({units: 8, inputShape: [4], activation: 'relu'}));
   * model.add(tf.layers.dense({units: 1}));
   * ```
   */
  add(layer: Layer): void {
    const fn = `${this.name}.add`;
    if (!(layer instanceof Layer)) throw typeError(fn, 'layer', 'a layer (tf.layers.*) or a model', layer);
    if (layer instanceof InputLayer) {
      if (this.stack.length > 0 || this.ownInput !== null) throw typeError(fn, 'layer', 'an InputLayer only as the first layer', layer.name);
      this.ownInput = layer;
      const x = layer.inboundNodes[0].outputTensors[0];
      this.initGraph([x], [x]);
      return;
    }
    if (this.outputs.length === 0) {
      const x = this.firstInput(layer);
      if (x === null) {
        // No input shape yet: the chain is built from the first data.
        this.stack.push(layer);
        return;
      }
      this.chain(x, [layer]);
    } else {
      this.chain(this.inputs[0], [layer], this.outputs[0]);
    }
    this.stack.push(layer);
  }

  /** The placeholder the first layer is applied to, or null when its input shape is unknown. */
  private firstInput(layer: Layer): SymbolicTensor | null {
    if (layer instanceof LayersModel && layer.inputs.length > 0) {
      if (layer.inputs.length !== 1) throw typeError(`${this.name}.add`, 'layer', 'a model with one input', layer.inputNames);
      return input({ batchShape: layer.inputs[0].shape.slice(), dtype: layer.inputs[0].dtype });
    }
    if (layer.batchInputShape != null) return input({ batchShape: layer.batchInputShape.slice(), dtype: layer.inputDType });
    return null;
  }

  /** Applies `layers` from `from` (default: the input) and makes the result the model's output. */
  private chain(x: SymbolicTensor, layers: Layer[], from: SymbolicTensor = x): void {
    let y = from;
    for (const layer of layers) {
      const out = layer.apply(y);
      if (Array.isArray(out)) {
        throw codedError('ERR_INVALID_ARG_VALUE', `${this.name}.add: layer '${layer.name}' has ${out.length} outputs; a Sequential model needs single-output layers (use tf.model for several)`);
      }
      y = out;
    }
    this.initGraph([x], [y]);
  }

  /**
   * Creates the chain for inputs of `inputShape` (with the batch dimension)
   * when the first layer had no input shape.
   */
  override build(inputShape?: Shape | Shape[]): void {
    if (this.outputs.length > 0 && this.stack.every((l) => l.inboundNodes.length > 0)) return;
    const fn = `${this.name}.build`;
    if (this.stack.length === 0) throw codedError('ERR_NOT_BUILT', `${fn}: the model is empty; add layers first`);
    if (inputShape == null || !Array.isArray(inputShape)) throw typeError(fn, 'inputShape', 'the input shape with its batch dimension, e.g. [null, 784]', inputShape);
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const first = this.stack[0];
    this.chain(input({ batchShape: [null, ...shape.slice(1)], dtype: first.inputDType }), this.stack);
  }

  /** @internal Builds a deferred chain from the first data's shape. */
  override ensureGraph(x: unknown, fn: string): void {
    if (this.outputs.length > 0 && this.built) return;
    if (this.stack.length === 0) throw codedError('ERR_NOT_BUILT', `${this.name}.${fn}: the model is empty; add layers first`);
    const first = Array.isArray(x) ? x[0] : x;
    if (!(first instanceof Tensor)) throw typeError(`${this.name}.${fn}`, 'x', 'a tensor', x);
    this.build(first.shape);
  }

  /** Removes the last layer. */
  pop(): void {
    const fn = `${this.name}.pop`;
    if (this.stack.length === 0) throw codedError('ERR_INVALID_ARG_VALUE', `${fn}: the model has no layers to remove`);
    this.stack.pop();
    if (this.outputs.length === 0) return;
    if (this.stack.length === 0) {
      if (this.ownInput !== null) {
        const x = this.inputs[0];
        this.initGraph([x], [x]);
      } else {
        this.resetGraph();
      }
      return;
    }
    const last = this.stack[this.stack.length - 1];
    const node = last.inboundNodes.find((n) => this.containerNodes.has(n))!;
    this.initGraph(this.inputs, [node.outputTensors[0]]);
  }

  private resetGraph(): void {
    this.inputs = [];
    this.outputs = [];
    this.inputLayers = [];
    this.outputLayers = [];
    this.inputNames = [];
    this.outputNames = [];
    this.graphLayers = [];
    this.executionOrder = [];
    this.containerNodes = new Set();
    this.nodesByDepth = {};
    this.built = false;
  }

  /** {name, layers: [{className, config}]}, as TF.js's Sequential.getConfig. */
  override getConfig(): ConfigDict {
    const layers: ConfigDict[] = [];
    // Without an input shape on the first layer, the input is saved as an InputLayer (as Keras does).
    const first = this.stack[0];
    if (this.inputLayers.length > 0 && first !== undefined && first.batchInputShape == null && !(first instanceof LayersModel)) {
      const inputLayer = this.inputLayers[0];
      layers.push({ className: inputLayer.getClassName(), config: inputLayer.getConfig() });
    }
    for (const l of this.stack) layers.push({ className: l.getClassName(), config: l.getConfig() });
    return { name: this.name, layers };
  }

  /** A Sequential from getConfig()'s output (or Keras's older list of layer configs). */
  static override fromConfig<T>(cls: any, config: ConfigDict, customObjects: { [name: string]: unknown } = {}): T {
    const layerConfigs = (Array.isArray(config) ? config : config.layers) as ConfigDict[];
    if (!Array.isArray(layerConfigs)) throw typeError('Sequential.fromConfig', 'config.layers', 'an array of layer configs', layerConfigs);
    const model = new cls({ name: Array.isArray(config) ? undefined : (config.name as string | undefined) }) as Sequential;
    for (const c of layerConfigs) model.add(deserialize<Layer>(c as { className: string; config: ConfigDict }, customObjects, 'layer'));
    return model as T;
  }
}
registerClass(Sequential);

/**
 * A linear stack of layers (tf.sequential).
 *
 * ```js
 * const model = tf.sequential({layers: [
 *   tf.layers.flatten({inputShape: [28, 28]}),
 *   tf.layers.dense({units: 200, activation: 'relu'}),
 *   tf.layers.dense({units: 10, activation: 'softmax'}),
 * ]});
 * ```
 */
export function sequential(args?: SequentialArgs): Sequential {
  return new Sequential(args);
}
