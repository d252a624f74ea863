// Wrappers: layers that run another layer in a new way. TimeDistributed
// applies a layer to every step of a sequence; Bidirectional runs a
// recurrent layer forwards and backwards and merges the two. Their weights
// are the wrapped layers' (saved as 'time_distributed/kernel',
// 'bidirectional/forward_lstm/kernel', as TF.js names them).
import { check, codedError, typeError } from '../errors';
import { Tensor } from '../tensor/tensor';
import { tidy } from '../tensor/scope';
import { ConfigDict, deserialize, registerClass, serializeKerasObject } from '../serialization';
import { add, mul } from '../ops/elementwise';
import { any } from '../ops/reduce';
import { concat, reshape, reverse } from '../ops/shape';
import { getExactlyOneShape, InputSpec, Kwargs, Layer, LayerArgs, LayerHolder, Shape, SymbolicTensor, toList } from './layer';
import { initialStateAsInputs, RNN } from './recurrent';

type Mask = Tensor | (Tensor | null)[] | null | undefined;

export interface WrapperLayerArgs extends LayerArgs {
  /** The layer to wrap. */
  layer: Layer;
}

/** The base of the wrappers: the wrapped layers' weights, losses and trainability are the wrapper's. */
export abstract class Wrapper extends LayerHolder(Layer) {
  readonly layer: Layer;

  constructor(args: WrapperLayerArgs) {
    super(args);
    const fn = (this.constructor as typeof Layer).className;
    if (args == null || typeof args !== 'object' || !(args.layer instanceof Layer)) throw typeError(fn, 'layer', 'a layer', args?.layer);
    this.layer = args.layer;
    // The wrapped layer's input shape serves the wrapper as the first layer of a model.
    if (this.batchInputShape == null && args.layer.batchInputShape != null) this.batchInputShape = args.layer.batchInputShape.slice();
  }

  override getConfig(): ConfigDict {
    return { layer: serializeKerasObject(this.layer), ...super.getConfig() };
  }

  static override fromConfig<T>(cls: any, config: ConfigDict, customObjects: { [name: string]: unknown } = {}): T {
    const layer = deserialize<Layer>(config.layer as ConfigDict, customObjects, 'layer');
    return new cls({ ...config, layer }) as T;
  }
}

// ------------------------------------------------------------------ TimeDistributed

/**
 * Applies a layer to every step of a sequence: [batch, steps, ...] → [batch,
 * steps, ...layer output], the steps folded into the batch for one call.
 *
 * ```js
 * const layer = tf.layers.timeDistributed({layer: tf.layers.dense({units: 8}), inputShape: [10, 16]});
 * ```
 */
export class TimeDistributed extends Wrapper {
  static override className = 'TimeDistributed';

  constructor(args: WrapperLayerArgs) {
    super(args);
    this.supportsMasking = true;
    this.inputSpec = [new InputSpec({ minNDim: 3 })];
  }

  override get heldLayers(): Layer[] {
    return [this.layer];
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = getExactlyOneShape(inputShape, `${this.name}.build`);
    this.inputSpec = [new InputSpec({ shape: [null, null, ...shape.slice(2)] })];
    this.layer.weightScope = this.weightScope ?? this.name;
    if (!this.layer.built) {
      this.layer.build([shape[0], ...shape.slice(2)]);
      this.layer.built = true;
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, `${this.name}.computeOutputShape`);
    const child = this.layer.computeOutputShape([shape[0], ...shape.slice(2)]);
    if (Array.isArray(child[0])) throw this.oneOutputError();
    const out = child as Shape;
    return [out[0], shape[1], ...out.slice(1)];
  }

  private oneOutputError(): Error {
    return codedError('ERR_UNSUPPORTED', `${this.name} (TimeDistributed): the wrapped layer '${this.layer.name}' returns several outputs; TimeDistributed takes a layer with one output`);
  }

  /** x with its steps folded into the batch: [batch * steps, ...]. */
  private fold(x: Tensor): Tensor {
    return reshape(x, [x.shape[0] * x.shape[1], ...x.shape.slice(2)]);
  }

  private flatMask(mask: Mask): Tensor | null {
    const m = (Array.isArray(mask) ? mask[0] : mask) ?? null;
    return m === null ? null : this.fold(m);
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = toList(inputs)[0];
    return tidy(() => {
      const mask = this.layer.supportsMasking ? this.flatMask(kwargs.mask) : null;
      const y = this.layer.invoke(this.fold(x), mask === null ? { training: kwargs.training } : { training: kwargs.training, mask });
      if (Array.isArray(y)) throw this.oneOutputError();
      return reshape(y, [x.shape[0], x.shape[1], ...y.shape.slice(1)]);
    });
  }

  /**
   * The wrapped layer's mask of every step when it makes one (Masking,
   * Embedding), else the input mask reduced to [batch, steps] (as Keras).
   */
  override computeMask(inputs: Tensor | Tensor[], mask?: Mask): Tensor | null {
    const x = toList(inputs)[0];
    return tidy(() => {
      const flat = this.fold(x);
      const inner = this.layer.computeMask(flat, this.flatMask(mask));
      const m = (Array.isArray(inner) ? inner[0] : inner) ?? null;
      if (m !== null) return reshape(m, [x.shape[0], x.shape[1], ...m.shape.slice(1)]);
      let outer = (Array.isArray(mask) ? mask[0] : mask) ?? null;
      while (outer !== null && outer.rank > 2) outer = any(outer, -1);
      return outer;
    });
  }
}
registerClass(TimeDistributed);

// ------------------------------------------------------------------ Bidirectional

/** How Bidirectional combines the forward and backward outputs; null returns both. */
export type BidirectionalMergeMode = 'sum' | 'mul' | 'concat' | 'ave' | null;
const MERGE_MODES = ['sum', 'mul', 'concat', 'ave'] as const;

export interface BidirectionalLayerArgs extends WrapperLayerArgs {
  /** The recurrent layer to run forwards (a copy runs backwards). */
  layer: RNN;
  /** 'concat' (default), 'sum', 'mul', 'ave', or null for [forward, backward] outputs. */
  mergeMode?: BidirectionalMergeMode;
  /** A recurrent layer of its own for the backward direction (Keras's backward_layer); it must have goBackwards opposite to layer's. */
  backwardLayer?: RNN;
}

/** A fresh copy of an RNN layer from its config, with `overrides`. */
function copyOf(layer: RNN, overrides: ConfigDict): RNN {
  return deserialize<RNN>({ className: layer.getClassName(), config: { ...layer.getConfig(), ...overrides } }, {}, 'layer');
}

/**
 * Runs a recurrent layer over the sequence forwards and (a copy) backwards,
 * and merges the two outputs; with returnSequences the backward output is
 * turned back into time order first. With returnState the outputs are
 * [merged, ...forward states, ...backward states]; initial states are given
 * in the same order.
 *
 * ```js
 * const layer = tf.layers.bidirectional({layer: tf.layers.gru({units: 32}), inputShape: [24, 14]});
 * ```
 */
export class Bidirectional extends Wrapper {
  static override className = 'Bidirectional';
  readonly mergeMode: BidirectionalMergeMode;
  readonly forwardLayer: RNN;
  readonly backwardLayer: RNN;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  /** Whether a backward layer of its own was given (and is saved in the config). */
  private readonly customBackward: RNN | null;

  constructor(args: BidirectionalLayerArgs) {
    super(args);
    const fn = 'Bidirectional';
    if (!(args.layer instanceof RNN)) throw typeError(fn, 'layer', 'a recurrent layer (tf.layers.lstm, gru, simpleRNN or rnn)', args.layer);
    const mode = args.mergeMode === undefined ? 'concat' : args.mergeMode;
    if (mode !== null) check.oneOf(fn, 'mergeMode', mode, MERGE_MODES);
    this.mergeMode = mode;
    const layer = args.layer;
    this.forwardLayer = copyOf(layer, { name: `forward_${layer.name}` });
    if (args.backwardLayer != null) {
      const back = args.backwardLayer;
      if (!(back instanceof RNN)) throw typeError(fn, 'backwardLayer', 'a recurrent layer', back);
      for (const key of ['returnSequences', 'returnState', 'stateful'] as const) {
        if (back[key] !== layer[key]) throw typeError(fn, `backwardLayer.${key}`, `${layer[key]}, as layer.${key}`, back[key]);
      }
      if (back.goBackwards === layer.goBackwards) throw typeError(fn, 'backwardLayer.goBackwards', `${!layer.goBackwards}, the opposite of layer.goBackwards`, back.goBackwards);
      this.customBackward = back;
      this.backwardLayer = copyOf(back, { name: `backward_${back.name}` });
    } else {
      this.customBackward = null;
      this.backwardLayer = copyOf(layer, { name: `backward_${layer.name}`, goBackwards: !layer.goBackwards });
    }
    this.returnSequences = layer.returnSequences;
    this.returnState = layer.returnState;
    this.stateful = layer.stateful;
    // Keras: masked steps of a returned sequence are zeros in both directions, so that they merge cleanly.
    this.forwardLayer.zeroOutputForMask = this.returnSequences;
    this.backwardLayer.zeroOutputForMask = this.returnSequences;
    this.supportsMasking = true;
    this.inputSpec = [new InputSpec({ ndim: 3 })];
  }

  override get heldLayers(): Layer[] {
    return [this.forwardLayer, this.backwardLayer];
  }

  private get numStates(): number {
    return this.forwardLayer.states.length;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = Array.isArray(inputShape[0]) ? (inputShape as Shape[])[0] : (inputShape as Shape);
    const scope = this.weightScope ?? this.name;
    for (const l of this.heldLayers) {
      l.weightScope = `${scope}/${l.name}`;
      if (!l.built) {
        l.build(shape);
        l.built = true;
      }
    }
    this.inputSpec = [new InputSpec({ shape: [this.stateful ? shape[0] : null, null, shape[2]] })];
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shape = Array.isArray(inputShape[0]) ? (inputShape as Shape[])[0] : (inputShape as Shape);
    const layerShapes = this.forwardLayer.computeOutputShape(shape);
    const single = (Array.isArray(layerShapes[0]) ? layerShapes : [layerShapes]) as Shape[];
    const output = single[0].slice();
    const states = single.slice(1);
    let outputs: Shape[];
    if (this.mergeMode === 'concat') {
      const last = output[output.length - 1];
      output[output.length - 1] = last == null ? null : 2 * last;
      outputs = [output];
    } else {
      outputs = this.mergeMode === null ? [output, output.slice()] : [output];
    }
    if (this.returnState) return [...outputs, ...states, ...states.map((s) => s.slice())];
    return outputs.length === 1 ? outputs[0] : outputs;
  }

  override computeMask(inputs: Tensor | Tensor[], mask?: Mask): Tensor | (Tensor | null)[] | null {
    const m = (Array.isArray(mask) ? mask[0] : mask) ?? null;
    const out = this.returnSequences ? m : null;
    const outs = this.mergeMode === null ? [out, out] : [out];
    if (!this.returnState) return outs.length === 1 ? outs[0] : outs;
    return [...outs, ...new Array<null>(2 * this.numStates).fill(null)];
  }

  /** Applies the layer; `kwargs.initialState` holds the forward states, then the backward ones. */
  override apply(inputs: any, kwargs: Kwargs = {}): any {
    return super.apply(...initialStateAsInputs(this.name, inputs, kwargs));
  }

  protected override assertInputCompatibility(inputs: (Tensor | SymbolicTensor)[]): void {
    super.assertInputCompatibility(inputs.slice(0, 1));
    const n = 2 * this.numStates;
    if (inputs.length > 1 && inputs.length !== n + 1) {
      throw typeError(`${this.name} (Bidirectional)`, 'initialState', `${n} initial state tensors (the forward layer's, then the backward layer's)`, inputs.slice(1));
    }
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    const list = toList(inputs);
    const x = list[0];
    const given = list.length > 1 ? list.slice(1) : kwargs.initialState != null ? toList(kwargs.initialState as Tensor | Tensor[]) : null;
    const n = this.numStates;
    if (given !== null && given.length !== 2 * n) {
      throw typeError(`${this.name} (Bidirectional)`, 'initialState', `${2 * n} initial state tensors (the forward layer's, then the backward layer's)`, given);
    }
    const mask = (Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask) ?? null;
    return tidy(() => {
      const run = (layer: RNN, states: Tensor[] | null): Tensor[] =>
        toList(layer.invoke(states === null ? x : [x, ...states], { training: kwargs.training, mask }));
      const [y, ...fwStates] = run(this.forwardLayer, given && given.slice(0, n));
      const [yb, ...bwStates] = run(this.backwardLayer, given && given.slice(n));
      const yRev = this.returnSequences ? reverse(yb, 1) : yb;
      let outputs: Tensor[];
      switch (this.mergeMode) {
        case 'concat': outputs = [concat([y, yRev], -1)]; break;
        case 'sum': outputs = [add(y, yRev)]; break;
        case 'mul': outputs = [mul(y, yRev)]; break;
        case 'ave': outputs = [mul(add(y, yRev), 0.5)]; break;
        default: outputs = [y, yRev];
      }
      if (this.returnState) outputs.push(...fwStates, ...bwStates);
      return outputs.length === 1 ? outputs[0] : outputs;
    });
  }

  override resetStates(states?: Tensor | Tensor[]): void {
    if (!this.stateful) throw codedError('ERR_UNSUPPORTED', `${this.name}.resetStates: layer '${this.name}' is not stateful; give it a layer created with stateful: true`);
    if (states == null) {
      this.forwardLayer.resetStates();
      this.backwardLayer.resetStates();
      return;
    }
    const list = toList(states);
    const n = this.numStates;
    if (list.length !== 2 * n) throw typeError(`${this.name}.resetStates`, 'states', `${2 * n} state tensors (forward, then backward)`, states);
    this.forwardLayer.resetStates(list.slice(0, n));
    this.backwardLayer.resetStates(list.slice(n));
  }

  override getConfig(): ConfigDict {
    const config: ConfigDict = { mergeMode: this.mergeMode, ...super.getConfig() };
    if (this.customBackward !== null) config.backwardLayer = serializeKerasObject(this.customBackward);
    return config;
  }

  static override fromConfig<T>(cls: any, config: ConfigDict, customObjects: { [name: string]: unknown } = {}): T {
    const layer = deserialize<Layer>(config.layer as ConfigDict, customObjects, 'layer');
    const backwardLayer = config.backwardLayer == null ? undefined : deserialize<Layer>(config.backwardLayer as ConfigDict, customObjects, 'layer');
    return new cls({ ...config, layer, backwardLayer }) as T;
  }
}
registerClass(Bidirectional);
