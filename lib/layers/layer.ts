// The layer protocol every layer follows (Keras's, as TF.js's topology.ts):
//   constructor(args) stores the config → build(inputShape) creates weights
//   with addWeight → call(inputs, {training, mask}) uses ops only →
//   computeOutputShape → getConfig (+ static className / fromConfig).
// apply() is the one entry point: on SymbolicTensors it records a Node in the
// graph (shapes come from computeOutputShape); on Tensors it builds on first
// use and runs call(), carrying Keras masks along on tensor.kerasMask.
import { codedError, describe, typeError } from '../errors';
import { DataType, DTYPES } from '../tensor/dtype';
import { uniqueName } from '../tensor/engine';
import { Tensor, Variable } from '../tensor/tensor';
import { ConfigDict, Serializable, toSnakeCase } from '../serialization';
import { getInitializer, Initializer } from '../initializers';
import { getRegularizer, Regularizer } from '../regularizers';
import { getConstraint, Constraint } from '../constraints';

/** A shape whose dimensions may be unknown (null), as the batch dimension of a symbolic tensor. */
export type Shape = (number | null)[];

/** The keyword arguments of call(): `training`, `mask`, and layer-specific ones. */
export interface Kwargs {
  training?: boolean;
  mask?: Tensor | (Tensor | null)[] | null;
  [key: string]: any;
}

/** A function that returns a loss to add to the training loss (a weight regularizer). */
export type RegularizerFn = () => Tensor;

/** The constructor arguments every layer accepts (unknown keys are tolerated). */
export interface LayerArgs {
  /** Shape of one sample, without the batch dimension (for the first layer of a model). */
  inputShape?: Shape | number;
  /** Shape with the batch dimension, e.g. [null, 784]. */
  batchInputShape?: Shape;
  /** Batch size used with inputShape to make batchInputShape. */
  batchSize?: number;
  /** The dtype of the layer's weights and outputs. */
  dtype?: DataType;
  /** Name of the layer; unique in a model. Default: snake-case class name + counter ('dense', 'dense_1'). */
  name?: string;
  /** Whether training updates the layer's weights. */
  trainable?: boolean;
  /** Initial weight values, set after build. */
  weights?: Tensor[];
  /** The dtype of the model input created for this layer (first layer of a Sequential). */
  inputDType?: DataType;
  [key: string]: unknown;
}

export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : d)).join(',')}]`;
}

/** x itself when it holds one element, else x (TF.js's singletonOrArray). */
export function singletonOrArray<T>(xs: T[]): T | T[] {
  return xs.length === 1 ? xs[0] : xs;
}

/** x as a list. */
export function toList<T>(x: T | T[]): T[] {
  return Array.isArray(x) ? x : [x];
}

/** The one tensor of a call's inputs; a clear error when there are several. */
export function getExactlyOneTensor<T>(xs: T | T[], fn = 'Layer.call'): T {
  if (!Array.isArray(xs)) return xs;
  if (xs.length !== 1) throw typeError(fn, 'inputs', 'exactly one tensor', xs);
  return xs[0];
}

/** The one shape of a list of shapes (or the shape itself). */
export function getExactlyOneShape(shapes: Shape | Shape[], fn = 'Layer.computeOutputShape'): Shape {
  if (Array.isArray(shapes) && Array.isArray(shapes[0])) {
    if (shapes.length !== 1) throw typeError(fn, 'inputShape', 'exactly one shape', shapes);
    return shapes[0] as Shape;
  }
  return shapes as Shape;
}

/** The rules the inputs of a layer must follow; checked by apply(). */
export interface InputSpecArgs {
  dtype?: DataType;
  shape?: Shape;
  ndim?: number;
  maxNDim?: number;
  minNDim?: number;
  /** axis → required size, e.g. {[-1]: 784}. */
  axes?: { [axis: number]: number };
}

export class InputSpec {
  dtype?: DataType;
  shape?: Shape;
  ndim?: number;
  maxNDim?: number;
  minNDim?: number;
  axes?: { [axis: number]: number };

  constructor(args: InputSpecArgs) {
    this.dtype = args.dtype;
    this.shape = args.shape;
    this.ndim = args.shape != null ? args.shape.length : args.ndim;
    this.maxNDim = args.maxNDim;
    this.minNDim = args.minNDim;
    this.axes = args.axes ?? {};
  }
}

let nextSymbolicId = 0;

/**
 * A placeholder in a graph under construction: its shape (null where unknown)
 * and dtype, and the layer application that produces it. Made by tf.input()
 * and by layer.apply() on symbolic inputs.
 */
export class SymbolicTensor {
  readonly id: number;
  readonly name: string;
  readonly rank: number;
  /** Index of the node of sourceLayer that produced this tensor. */
  nodeIndex!: number;
  /** Index of this tensor among that node's outputs. */
  tensorIndex!: number;

  constructor(
    readonly dtype: DataType,
    readonly shape: Shape,
    public sourceLayer: Layer,
    readonly inputs: SymbolicTensor[],
    readonly callArgs: Kwargs,
    name?: string,
    readonly outputTensorIndex?: number,
  ) {
    this.id = nextSymbolicId++;
    this.name = name ?? sourceLayer.name;
    this.rank = shape.length;
  }

  toString(): string {
    return `SymbolicTensor(${this.name}, shape=${formatShape(this.shape)}, dtype=${this.dtype})`;
  }
}

export interface NodeArgs {
  outboundLayer: Layer;
  inboundLayers: Layer[];
  nodeIndices: number[];
  tensorIndices: number[];
  inputTensors: SymbolicTensor[];
  outputTensors: SymbolicTensor[];
  inputShapes: Shape | Shape[];
  outputShapes: Shape | Shape[];
}

/**
 * One application of a layer in a graph: which layers (and which of their
 * nodes and output tensors) feed it, and what it produced. Creating a Node
 * links it into outboundLayer.inboundNodes and each inbound layer's outboundNodes.
 */
export class Node {
  readonly outboundLayer: Layer;
  readonly inboundLayers: Layer[];
  readonly nodeIndices: number[];
  readonly tensorIndices: number[];
  readonly inputTensors: SymbolicTensor[];
  readonly outputTensors: SymbolicTensor[];
  readonly inputShapes: Shape | Shape[];
  readonly outputShapes: Shape | Shape[];

  constructor(args: NodeArgs, readonly callArgs: Kwargs = {}) {
    this.outboundLayer = args.outboundLayer;
    this.inboundLayers = args.inboundLayers;
    this.nodeIndices = args.nodeIndices;
    this.tensorIndices = args.tensorIndices;
    this.inputTensors = args.inputTensors;
    this.outputTensors = args.outputTensors;
    this.inputShapes = args.inputShapes;
    this.outputShapes = args.outputShapes;
    for (const layer of this.inboundLayers) layer.outboundNodes.push(this);
    args.outboundLayer.inboundNodes.push(this);
  }
}

/**
 * A weight of a layer: a Variable plus Keras metadata. `originalName`
 * ('dense/kernel') is what is saved and shown; `name` is the unique name of
 * the underlying variable in the process-wide registry ('dense/kernel_1' when
 * two models both have a 'dense' layer).
 */
export class LayerVariable {
  readonly name: string;
  readonly originalName: string;
  readonly dtype: DataType;
  readonly shape: number[];
  readonly constraint: Constraint | null;
  /** The variable holding the value. */
  readonly val: Variable;

  constructor(value: Tensor, dtype: DataType, name: string, trainable = true, constraint: Constraint | null = null) {
    this.originalName = name;
    this.name = uniqueName(name);
    this.dtype = dtype;
    this.shape = value.shape.slice();
    this.constraint = constraint;
    this.val = new Variable(value, trainable, this.name);
  }

  get id(): number {
    return this.val.id;
  }

  get trainable(): boolean {
    return this.val.trainable;
  }

  set trainable(v: boolean) {
    this.val.trainable = v;
  }

  get isDisposed(): boolean {
    return this.val.isDisposed;
  }

  /** The current value (the variable itself: do not dispose it). */
  read(): Variable {
    this.val.assertLive(`LayerVariable '${this.originalName}'`);
    return this.val;
  }

  /** Sets the value, then applies the constraint if any. */
  write(value: Tensor): this {
    this.val.assertLive(`LayerVariable '${this.originalName}'`);
    this.val.assign(value);
    if (this.constraint != null) {
      const constrained = this.constraint.apply(this.val);
      this.val.assign(constrained);
      constrained.dispose();
    }
    return this;
  }

  dispose(): void {
    this.val.dispose();
  }
}

function isShapeLike(v: unknown): v is Shape {
  return Array.isArray(v) && v.every((d) => d === null || (typeof d === 'number' && Number.isInteger(d) && d >= 0));
}

/** The class's own static className, else its JS name (a custom layer that did not set one). */
function classNameOf(layer: Layer): string {
  const ctor = layer.constructor as { className?: string; name: string };
  const own = Object.prototype.hasOwnProperty.call(ctor, 'className') ? ctor.className : undefined;
  return typeof own === 'string' && own ? own : ctor.name;
}

/** Layer.apply's mask for a call: given explicitly, or carried by the inputs. */
function inputMask(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | (Tensor | null)[] | null {
  if (kwargs.mask !== undefined) return kwargs.mask;
  if (!Array.isArray(inputs)) {
    const m = inputs.kerasMask;
    return m != null && !m.isDisposed ? m : null;
  }
  let any = false;
  const masks = inputs.map((t) => {
    const m = t.kerasMask;
    if (m != null && !m.isDisposed) {
      any = true;
      return m;
    }
    return null;
  });
  return any ? masks : null;
}

/**
 * The base of every layer (tf.layers.Layer). Subclass it for custom layers:
 *
 * ```js
 * class Scale extends tf.layers.Layer {
 *   static className = 'Scale';
 *   build(inputShape) { this.w = this.addWeight('w', [inputShape[inputShape.length - 1]], 'float32', 'ones'); }
 *   call(inputs) { return tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, this.w.read()); }
 * }
 * tf.serialization.registerClass(Scale);
 * ```
 */
export class Layer extends Serializable {
  static className = 'Layer';

  name: string;
  /** Whether the layer's weights have been created. */
  built = false;
  /** The inputs' constraints, checked on every apply. */
  inputSpec: InputSpec | InputSpec[] | null = null;
  /** Whether call() accepts a mask and computeMask passes it on. */
  supportsMasking = false;
  /** Shape of the input this layer creates when it is the first layer of a Sequential. */
  batchInputShape: Shape | null = null;
  dtype: DataType;
  private readonly dtypeGiven: boolean;
  /** The dtype of the input created from batchInputShape. */
  inputDType: DataType;
  stateful = false;
  /**
   * @internal The prefix of the weight names when another layer holds this one
   * (an RNN its cell: 'lstm'; a Bidirectional its halves: 'bidi/forward_lstm'),
   * as TF.js's name scopes make them; null: the layer's own name.
   */
  weightScope: string | null = null;
  /** Applied to the outputs of each training call and added to the loss (Keras's activity_regularizer). */
  activityRegularizer: Regularizer | null = null;
  readonly inboundNodes: Node[] = [];
  readonly outboundNodes: Node[] = [];

  protected trainable_: boolean;
  protected _trainableWeights: LayerVariable[] = [];
  protected _nonTrainableWeights: LayerVariable[] = [];
  protected initialWeights: Tensor[] | null;
  private readonly regularizerFns: RegularizerFn[] = [];
  /** Losses added with tensors during the latest call (activity regularization). */
  private callLosses: Tensor[] = [];
  private readonly addedWeightNames = new Set<string>();
  private disposed = false;

  constructor(args: LayerArgs = {}) {
    super();
    if (args === null || typeof args !== 'object') throw typeError(classNameOf(this), 'args', 'an object of layer arguments', args);
    const fn = classNameOf(this);
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name.length === 0)) throw typeError(fn, 'name', 'a non-empty string', args.name);
    this.name = args.name ?? uniqueName(toSnakeCase(fn));
    if (args.trainable !== undefined && typeof args.trainable !== 'boolean') throw typeError(fn, 'trainable', 'a boolean', args.trainable);
    this.trainable_ = args.trainable ?? true;
    if (args.dtype !== undefined && !DTYPES.includes(args.dtype)) throw dtypeError(fn, 'dtype', args.dtype);
    if (args.inputDType !== undefined && !DTYPES.includes(args.inputDType)) throw dtypeError(fn, 'inputDType', args.inputDType);
    this.dtype = args.dtype ?? 'float32';
    this.dtypeGiven = args.dtype !== undefined;
    this.inputDType = args.inputDType ?? args.dtype ?? 'float32';
    if (args.batchInputShape != null) {
      if (!isShapeLike(args.batchInputShape)) throw typeError(fn, 'batchInputShape', 'a shape (an array of non-negative integers or null)', args.batchInputShape);
      this.batchInputShape = args.batchInputShape.slice();
    } else if (args.inputShape != null) {
      const shape = typeof args.inputShape === 'number' ? [args.inputShape] : args.inputShape;
      if (!isShapeLike(shape)) throw typeError(fn, 'inputShape', 'a shape (an array of non-negative integers or null)', args.inputShape);
      if (args.batchSize != null && (!Number.isInteger(args.batchSize) || args.batchSize < 1)) throw typeError(fn, 'batchSize', 'a positive integer', args.batchSize);
      this.batchInputShape = [args.batchSize ?? null, ...shape];
    }
    if (args.weights != null && !Array.isArray(args.weights)) throw typeError(fn, 'weights', 'an array of tensors', args.weights);
    this.initialWeights = args.weights ?? null;
  }

  // ---- the protocol: subclasses override these ----

  /** Creates the weights for inputs of `inputShape` (with the batch dimension). */
  build(inputShape: Shape | Shape[]): void {
    this.built = true;
  }

  /** The computation, with ops only. The default passes the inputs through. */
  call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    return inputs;
  }

  /** The output shape for inputs of `inputShape`. The default is the input shape. */
  computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  /**
   * The output mask for inputs with `mask`: the mask itself when the layer
   * supports masking, else none (a layer that cannot use a mask ends it, as Keras 3).
   */
  computeMask(inputs: Tensor | Tensor[], mask?: Tensor | (Tensor | null)[] | null): Tensor | (Tensor | null)[] | null {
    return this.supportsMasking ? mask ?? null : null;
  }

  /** The constructor arguments as a JSON-compatible object; subclasses add theirs to super.getConfig(). */
  getConfig(): ConfigDict {
    const config: ConfigDict = { name: this.name, trainable: this.trainable };
    if (this.batchInputShape != null) config.batchInputShape = this.batchInputShape.slice();
    // As TF.js: only layers that start a model, or were given a dtype, record it.
    if (this.batchInputShape != null || this.dtypeGiven) config.dtype = this.dtype;
    return config;
  }

  // ---- weights ----

  get trainable(): boolean {
    return this.trainable_;
  }

  set trainable(v: boolean) {
    this.trainable_ = v;
  }

  /** The weights training updates: none when the layer is not trainable. */
  get trainableWeights(): LayerVariable[] {
    return this.trainable_ ? this._trainableWeights.filter((w) => w.trainable) : [];
  }

  set trainableWeights(weights: LayerVariable[]) {
    this._trainableWeights = weights;
  }

  /** The other weights: all of them when the layer is not trainable. */
  get nonTrainableWeights(): LayerVariable[] {
    if (this.trainable_) return this._trainableWeights.filter((w) => !w.trainable).concat(this._nonTrainableWeights);
    return this._trainableWeights.concat(this._nonTrainableWeights);
  }

  set nonTrainableWeights(weights: LayerVariable[]) {
    this._nonTrainableWeights = weights;
  }

  /** Trainable weights first, then the others (TF.js's order). */
  get weights(): LayerVariable[] {
    return this.trainableWeights.concat(this.nonTrainableWeights);
  }

  /**
   * Creates a weight, as TF.js's addWeight. `initializer`, `regularizer` and
   * `constraint` are instances or identifiers ('glorotUniform', 'l2',
   * 'nonNeg', {className, config}). Its saved name is '<layer>/<name>'
   * (or '<weightScope>/<name>').
   */
  addWeight(
    name: string,
    shape: number[],
    dtype: DataType = 'float32',
    initializer?: Initializer | string | ConfigDict | null,
    regularizer?: Regularizer | string | ConfigDict | null,
    trainable: boolean | null = true,
    constraint?: Constraint | string | ConfigDict | null,
  ): LayerVariable {
    const fn = `${this.name}.addWeight`;
    const isTrainable = trainable ?? true;
    if (typeof name !== 'string' || name.length === 0) throw typeError(fn, 'name', 'a non-empty string', name);
    if (this.addedWeightNames.has(name)) {
      throw codedError('ERR_INVALID_ARG_VALUE', `${fn}: expected a new weight name for 'name' but received '${name}', which layer '${this.name}' already has`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw typeError(fn, 'shape', `a fully defined shape for weight '${name}'`, shape);
    }
    const init = getInitializer(initializer ?? (dtype === 'float32' ? 'glorotUniform' : 'zeros'));
    const value = init.apply(shape, dtype);
    let weight: LayerVariable;
    try {
      weight = new LayerVariable(value, dtype, `${this.weightScope ?? this.name}/${name}`, isTrainable, constraint != null ? getConstraint(constraint) : null);
    } finally {
      value.dispose();
    }
    this.addedWeightNames.add(name);
    if (regularizer != null) {
      const reg = getRegularizer(regularizer);
      this.regularizerFns.push(() => reg.apply(weight.read()));
    }
    (isTrainable ? this._trainableWeights : this._nonTrainableWeights).push(weight);
    return weight;
  }

  /**
   * Adds losses to the training loss: functions (re-evaluated at every
   * training step, e.g. weight regularizers) or tensors computed in call()
   * (kept until the next call).
   */
  addLoss(losses: RegularizerFn | Tensor | (RegularizerFn | Tensor)[]): void {
    for (const l of toList(losses)) {
      if (typeof l === 'function') this.regularizerFns.push(l);
      else if (l instanceof Tensor) this.callLosses.push(l);
      else throw typeError(`${this.name}.addLoss`, 'losses', 'a function returning a scalar tensor, or a scalar tensor', l);
    }
  }

  /** The losses to add to the training loss, as functions (TF.js's layer.losses). */
  get losses(): RegularizerFn[] {
    const fromCall = this.callLosses.filter((t) => !t.isDisposed).map((t) => () => t);
    return this.regularizerFns.concat(fromCall);
  }

  /** The weights' values (the variables themselves: read them, do not dispose them). */
  getWeights(trainableOnly = false): Tensor[] {
    return (trainableOnly ? this.trainableWeights : this.weights).map((w) => w.read());
  }

  /** Sets the weights from tensors in getWeights() order (copies; the caller keeps its tensors). */
  setWeights(weights: Tensor[]): void {
    const fn = `${this.name}.setWeights`;
    const own = this.weights;
    if (!Array.isArray(weights) || weights.length !== own.length) {
      throw typeError(fn, 'weights', `an array of ${own.length} tensors (the layer's weights: ${own.map((w) => w.originalName).join(', ') || 'none'})`, weights);
    }
    for (let i = 0; i < own.length; i++) {
      const w = weights[i];
      if (!(w instanceof Tensor)) throw typeError(fn, `weights[${i}]`, 'a tensor', w);
      if (w.shape.length !== own[i].shape.length || w.shape.some((d, k) => d !== own[i].shape[k])) {
        throw codedError('ERR_SHAPE_MISMATCH', `${fn}: expected a tensor of shape ${formatShape(own[i].shape)} for weight '${own[i].originalName}' (weights[${i}]) but received shape ${formatShape(w.shape)}`);
      }
    }
    for (let i = 0; i < own.length; i++) own[i].write(weights[i]);
  }

  /** Number of scalars in the weights. */
  countParams(): number {
    if (!this.built) {
      throw codedError('ERR_NOT_BUILT', `${this.name}.countParams: layer '${this.name}' is not built yet; apply it to an input (or give the model an inputShape) first`);
    }
    let n = 0;
    for (const w of this.weights) n += w.shape.reduce((a, b) => a * b, 1);
    return n;
  }

  // ---- graph ----

  /**
   * Applies the layer. On SymbolicTensors (from tf.input or other layers)
   * this adds a node to the graph and returns SymbolicTensors; on Tensors it
   * builds the layer if needed and computes the outputs.
   *
   * ```js
   * const x = tf.input({shape: [4]});
   * const y = tf.layers.dense({units: 2}).apply(x);  // SymbolicTensor [null, 2]
   * ```
   */
  apply(inputs: Tensor | Tensor[], kwargs?: Kwargs): Tensor | Tensor[];
  apply(inputs: SymbolicTensor | SymbolicTensor[], kwargs?: Kwargs): SymbolicTensor | SymbolicTensor[];
  apply(inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], kwargs?: Kwargs): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  apply(inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], kwargs: Kwargs = {}): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    const fn = `${this.name}.apply`;
    if (this.disposed) throw codedError('ERR_TENSOR_DISPOSED', `${fn}: layer '${this.name}' is disposed`);
    const list = (Array.isArray(inputs) ? inputs : [inputs]) as unknown[];
    let symbolic = 0;
    let concrete = 0;
    for (const x of list) {
      if (x instanceof SymbolicTensor) symbolic++;
      else if (x instanceof Tensor) concrete++;
    }
    if (list.length === 0 || (symbolic !== list.length && concrete !== list.length)) {
      throw typeError(fn, 'inputs', 'a Tensor or SymbolicTensor, or an array of only Tensors or only SymbolicTensors', inputs);
    }
    if (kwargs === null || typeof kwargs !== 'object') throw typeError(fn, 'kwargs', 'an object', kwargs);
    const shapes = (list as (Tensor | SymbolicTensor)[]).map((x) => x.shape as Shape);
    this.assertInputCompatibility(list as (Tensor | SymbolicTensor)[]);
    if (!this.built) {
      this.build(Array.isArray(inputs) ? shapes : shapes[0]);
      this.built = true;
      if (this.initialWeights != null) {
        this.setWeights(this.initialWeights);
        this.initialWeights = null;
      }
      // build() may have set the input spec (e.g. Dense fixes the last axis).
      this.assertInputCompatibility(list as (Tensor | SymbolicTensor)[]);
    }
    if (symbolic) return this.applySymbolic(inputs as SymbolicTensor | SymbolicTensor[], shapes, kwargs);

    const x = inputs as Tensor | Tensor[];
    const mask = inputMask(x, kwargs);
    // A direct call starts afresh: the losses of earlier calls (of this layer
    // and of the layers it holds) are not this call's (Keras's outermost call).
    this.takeCallLosses();
    const output = this.invoke(x, mask === null || kwargs.mask !== undefined ? kwargs : { ...kwargs, mask });
    const outMask = this.outputMask(x, mask, output);
    if (outMask != null) {
      const outs = toList(output);
      const masks = toList(outMask);
      for (let i = 0; i < outs.length; i++) if (masks[i] != null) outs[i].kerasMask = masks[i];
    }
    return output;
  }

  /**
   * @internal call() on concrete inputs of a built layer, without apply()'s
   * checks (a model's graph was checked when it was built), plus the
   * activity regularization of training calls. Losses added during the call
   * accumulate until taken (a shared layer's applications each add theirs);
   * apply() and an outermost runGraph clear them first.
   */
  invoke(x: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    const output = this.call(x, kwargs);
    if (this.activityRegularizer != null && kwargs.training) {
      for (const o of toList(output)) this.callLosses.push(this.activityRegularizer.apply(o));
    }
    return output;
  }

  /** @internal The mask of the outputs of a call: computeMask, unless the outputs carry their own (models). */
  outputMask(inputs: Tensor | Tensor[], mask: Tensor | (Tensor | null)[] | null, output: Tensor | Tensor[]): Tensor | (Tensor | null)[] | null {
    return this.computeMask(inputs, mask);
  }

  private applySymbolic(inputs: SymbolicTensor | SymbolicTensor[], shapes: Shape[], kwargs: Kwargs): SymbolicTensor | SymbolicTensor[] {
    const inputList = toList(inputs);
    const inputShape = Array.isArray(inputs) ? shapes : shapes[0];
    const outputShape = this.computeOutputShape(inputShape);
    const nodeInputShapes = singletonOrArray(shapes);
    const multi = Array.isArray(outputShape) && outputShape.length > 0 && Array.isArray(outputShape[0]);
    const outShapes = (multi ? outputShape : [outputShape]) as Shape[];
    // A layer with weights computes in its own dtype (Embedding: int32 in, float32 out);
    // one without (Reshape, Flatten) passes its input dtype on.
    const dtype = this._trainableWeights.length + this._nonTrainableWeights.length > 0 ? this.dtype : inputList[0].dtype;
    // A mask is a runtime value; an explicit `training` is kept with the node (as Keras).
    const { mask: _m, ...callArgs } = kwargs;
    if (callArgs.training === undefined) delete callArgs.training;
    // Names are unique per application: 'dense', then 'dense:1' for a shared layer's second node.
    const base = this.inboundNodes.length === 0 ? this.name : `${this.name}:${this.inboundNodes.length}`;
    const outputs = outShapes.map((s, i) => new SymbolicTensor(dtype, s, this, inputList, callArgs, outShapes.length > 1 ? `${base}/${i}` : base, i));
    this.addInboundNode(inputList, outputs, nodeInputShapes, multi ? outShapes : outShapes[0], callArgs);
    return multi ? outputs : outputs[0];
  }

  /** @internal Records an application of this layer to symbolic inputs. */
  addInboundNode(inputs: SymbolicTensor[], outputs: SymbolicTensor[], inputShapes: Shape | Shape[], outputShapes: Shape | Shape[], callArgs: Kwargs = {}): Node {
    const node = new Node(
      {
        outboundLayer: this,
        inboundLayers: inputs.map((t) => t.sourceLayer),
        nodeIndices: inputs.map((t) => t.nodeIndex),
        tensorIndices: inputs.map((t) => t.tensorIndex),
        inputTensors: inputs,
        outputTensors: outputs,
        inputShapes,
        outputShapes,
      },
      callArgs,
    );
    const nodeIndex = this.inboundNodes.length - 1;
    outputs.forEach((t, i) => {
      t.sourceLayer = this;
      t.nodeIndex = nodeIndex;
      t.tensorIndex = i;
    });
    return node;
  }

  /** Checks inputs against inputSpec; the error names the layer, the expected and the received shape. */
  protected assertInputCompatibility(inputs: (Tensor | SymbolicTensor)[]): void {
    if (this.inputSpec == null) return;
    const specs = toList(this.inputSpec);
    if (specs.length === 0) return;
    const who = `${this.name} (${classNameOf(this)})`;
    if (inputs.length !== specs.length) {
      throw typeError(who, 'inputs', `${specs.length} input tensor${specs.length > 1 ? 's' : ''}`, `${inputs.length}`);
    }
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i];
      const x = inputs[i];
      const shape = x.shape as Shape;
      const arg = specs.length > 1 ? `inputs[${i}]` : 'inputs';
      const bad = (expected: string): never => {
        throw codedError('ERR_SHAPE_MISMATCH', `${who}: expected ${expected} for '${arg}' but received ${x instanceof SymbolicTensor ? 'a symbolic' : 'a'} ${x.dtype} tensor of shape ${formatShape(shape)}`);
      };
      if (spec.ndim != null && shape.length !== spec.ndim) bad(`an input of rank ${spec.ndim}${spec.shape ? ` (shape ${formatShape(spec.shape)})` : ''}`);
      if (spec.maxNDim != null && shape.length > spec.maxNDim) bad(`an input of rank at most ${spec.maxNDim}`);
      if (spec.minNDim != null && shape.length < spec.minNDim) bad(`an input of rank at least ${spec.minNDim}`);
      if (spec.dtype != null && x.dtype !== spec.dtype) {
        throw codedError('ERR_DTYPE_MISMATCH', `${who}: expected a ${spec.dtype} tensor for '${arg}' but received ${describe(x)}`);
      }
      if (spec.axes) {
        for (const key of Object.keys(spec.axes)) {
          const axis = Number(key);
          const want = spec.axes[axis];
          const got = shape[axis >= 0 ? axis : shape.length + axis];
          if (want != null && got != null && got !== want) {
            const expectedShape = shape.map((d, k) => (k === (axis >= 0 ? axis : shape.length + axis) ? want : k === 0 ? null : d));
            bad(`an input whose axis ${axis} has size ${want} (shape ${formatShape(expectedShape)})`);
          }
        }
      }
      if (spec.shape) {
        for (let k = 0; k < spec.shape.length; k++) {
          const want = spec.shape[k];
          if (want != null && shape[k] != null && shape[k] !== want) bad(`an input of shape ${formatShape(spec.shape)}`);
        }
      }
    }
  }

  private nodeAt(index: number, what: string): Node {
    if (this.inboundNodes.length === 0) {
      throw codedError('ERR_NOT_BUILT', `${this.name}.${what}: layer '${this.name}' has never been applied to a symbolic input, so it has no ${what}`);
    }
    if (!Number.isInteger(index) || index < 0 || index >= this.inboundNodes.length) {
      throw typeError(`${this.name}.${what}`, 'nodeIndex', `an integer in [0, ${this.inboundNodes.length - 1}]`, index);
    }
    return this.inboundNodes[index];
  }

  private onlyNode(what: string): Node {
    if (this.inboundNodes.length > 1) {
      throw codedError(
        'ERR_INVALID_ARG_VALUE',
        `${this.name}.${what}: layer '${this.name}' has been applied ${this.inboundNodes.length} times, so its ${what} is ambiguous; use getInputAt(nodeIndex) / getOutputAt(nodeIndex)`,
      );
    }
    return this.nodeAt(0, what);
  }

  /** The symbolic input(s) of the layer's only application. */
  get input(): SymbolicTensor | SymbolicTensor[] {
    return singletonOrArray(this.onlyNode('input').inputTensors);
  }

  /** The symbolic output(s) of the layer's only application. */
  get output(): SymbolicTensor | SymbolicTensor[] {
    return singletonOrArray(this.onlyNode('output').outputTensors);
  }

  getInputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] {
    return singletonOrArray(this.nodeAt(nodeIndex, 'input').inputTensors);
  }

  getOutputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] {
    return singletonOrArray(this.nodeAt(nodeIndex, 'output').outputTensors);
  }

  /** The input shape(s), when every application agrees. */
  get inputShape(): Shape | Shape[] {
    return this.agreedShape('inputShape', (n) => n.inputShapes);
  }

  /** The output shape(s), when every application agrees. */
  get outputShape(): Shape | Shape[] {
    return this.agreedShape('outputShape', (n) => n.outputShapes);
  }

  private agreedShape(what: string, pick: (n: Node) => Shape | Shape[]): Shape | Shape[] {
    this.nodeAt(0, what);
    const first = JSON.stringify(pick(this.inboundNodes[0]));
    for (const n of this.inboundNodes) {
      if (JSON.stringify(pick(n)) !== first) {
        throw codedError('ERR_INVALID_ARG_VALUE', `${this.name}.${what}: layer '${this.name}' has several applications with different shapes; use the nodes' shapes instead`);
      }
    }
    const shapes = pick(this.inboundNodes[0]);
    return Array.isArray(shapes[0]) && shapes.length === 1 ? (shapes[0] as Shape) : shapes;
  }

  /** Resets the state of a stateful layer (the recurrent layers override it). */
  resetStates(states?: Tensor | Tensor[]): void {
    throw codedError('ERR_UNSUPPORTED', `${this.name}.resetStates: layer '${this.name}' (${classNameOf(this)}) is not stateful`);
  }

  /** Frees the weights. The layer cannot be used afterwards. */
  dispose(): { refCountAfterDispose: number; numDisposedVariables: number } {
    let n = 0;
    if (!this.disposed) {
      for (const w of this._trainableWeights.concat(this._nonTrainableWeights)) {
        if (!w.isDisposed) {
          w.dispose();
          n++;
        }
      }
      this.disposed = true;
    }
    return { refCountAfterDispose: 0, numDisposedVariables: n };
  }

  /** @internal Losses from the latest call, then clears them. */
  takeCallLosses(): Tensor[] {
    const out = this.callLosses;
    this.callLosses = [];
    return out;
  }

  /** @internal Evaluates the weight regularizers. */
  regularizationLosses(): Tensor[] {
    return this.regularizerFns.map((f) => f());
  }
}

/** What LayerHolder adds to a layer class. */
export interface HoldsLayers {
  /** @internal The layers whose weights and losses are this layer's. */
  readonly heldLayers: Layer[];
}

/**
 * @internal A layer class (Layer, RNNCell, …) made into one that holds other
 * layers (a wrapper, an RNN and its cell, stacked cells): the held layers'
 * weights are its weights (it keeps none of its own), their losses add to
 * its own, setting `trainable` sets theirs, and dispose() frees them.
 * Subclasses define `heldLayers`.
 *
 * A mixin because the holders extend different bases (Layer, RNNCell). The
 * return type is spelled out because declaration files cannot name the
 * anonymous class with Layer's protected members (TS4094).
 */
export function LayerHolder<TBase extends abstract new (...args: any[]) => Layer>(Base: TBase): TBase & (abstract new (...args: any[]) => HoldsLayers) {
  abstract class Holder extends Base implements HoldsLayers {
    abstract get heldLayers(): Layer[];

    override get trainable(): boolean {
      return this.trainable_;
    }

    override set trainable(v: boolean) {
      this.trainable_ = v;
      for (const l of this.heldLayers) l.trainable = v;
    }

    override get trainableWeights(): LayerVariable[] {
      return this.trainable ? this.heldLayers.flatMap((l) => l.trainableWeights) : [];
    }

    override get nonTrainableWeights(): LayerVariable[] {
      return this.trainable ? this.heldLayers.flatMap((l) => l.nonTrainableWeights) : this.heldLayers.flatMap((l) => l.weights);
    }

    override get losses(): RegularizerFn[] {
      return super.losses.concat(this.heldLayers.flatMap((l) => l.losses));
    }

    override regularizationLosses(): Tensor[] {
      return this.heldLayers.flatMap((l) => l.regularizationLosses());
    }

    override takeCallLosses(): Tensor[] {
      return super.takeCallLosses().concat(this.heldLayers.flatMap((l) => l.takeCallLosses()));
    }

    override dispose(): { refCountAfterDispose: number; numDisposedVariables: number } {
      let n = 0;
      for (const l of this.heldLayers) n += l.dispose().numDisposedVariables;
      return { refCountAfterDispose: 0, numDisposedVariables: n + super.dispose().numDisposedVariables };
    }
  }
  return Holder;
}

function dtypeError(fn: string, arg: string, v: unknown): TypeError {
  return typeError(fn, arg, `one of ${DTYPES.map((d) => `'${d}'`).join(', ')}`, v);
}
