// Recurrent layers: the RNN base layer that steps a cell over time, the
// SimpleRNN / LSTM / GRU layers and their cells, and StackedRNNCells, with
// TF.js's class names and config keys and Keras's weight layouts (kernel
// [inputDim, gates * units], recurrent_kernel [units, gates * units], bias
// [gates * units], or [2, 3 * units] for a GRU with resetAfter; gate order
// LSTM i, f, c, o and GRU z, r, h), so that TF.js and Keras weight files load.
//
// Defaults are Keras 2+'s: recurrentActivation 'sigmoid', GRU resetAfter
// true, kernelInitializer glorotUniform, recurrentInitializer orthogonal.
// A saved config keeps what it stores (TF.js's 'hardSigmoid', resetAfter
// false), and a GRU config without resetAfter (older TF.js and Keras) means false.
//
// Two paths compute a layer. The fused path runs the whole sequence in one
// native kernel (lib/ops/rnn.ts: oneDNN's LSTM / GRU / RNN primitives) when
// the settings are the ones the kernel computes: LSTM and GRU with tanh and
// sigmoid gates (GRU with resetAfter), SimpleRNN with tanh, relu or sigmoid,
// no mask, and no recurrent dropout in training (input dropout is one mask
// on x, which the kernel takes as it is). Everything else takes the cell
// path, which steps the cell with ops (all differentiable): the input
// projection x · kernel + bias runs once over the whole sequence, then each
// step adds h · recurrentKernel. Masked steps keep the previous state, and
// their output is the previous output (zeros inside a Bidirectional that
// returns sequences), as Keras's backend.rnn.
import { check, codedError, rangeError, typeError } from '../errors';
import { Tensor } from '../tensor/tensor';
import { engine, track } from '../tensor/engine';
import { keep, tidy } from '../tensor/scope';
import { ConfigDict, deserialize, registerClass, serializeKerasObject } from '../serialization';
import { Activation as ActivationFn, ActivationIdentifier, getActivation, serializeActivation } from '../activations';
import { getInitializer, Initializer, InitializerIdentifier, serializeInitializer } from '../initializers';
import { getRegularizer, Regularizer } from '../regularizers';
import { Constraint, getConstraint } from '../constraints';
import { DataType } from '../tensor/dtype';
import { add, mul, notEqual, sub, where } from '../ops/elementwise';
import { fused, matMul } from '../ops/linalg';
import { concat, reshape, slice, split, stack, unstack } from '../ops/shape';
import { fill, ones, zeros } from '../ops/creation';
import { dropout } from '../ops/nn';
import { rnnSequence, RnnSequenceActivation, RnnSequenceKind, RnnSequenceResult } from '../ops/rnn';
import { optional, serializeOptional } from './core';
import {
  formatShape, getExactlyOneShape, InputSpec, Kwargs, Layer, LayerArgs, LayerHolder, LayerVariable, Shape, SymbolicTensor, toList,
} from './layer';

type Identifier<T> = T | string | ConfigDict;
type Mask = Tensor | (Tensor | null)[] | null | undefined;

/**
 * Frees a tensor the layer kept (a stateful RNN's previous state):
 * at once, or, while a gradient tape records (whose backward may read it),
 * when the innermost scope ends.
 */
function releaseKept(t: Tensor): void {
  if (t.isDisposed) return;
  if (engine.tapes.length > 0 && engine.scopes.length > 0) {
    t.kept = false;
    track(t);
  } else {
    t.dispose();
  }
}

function booleanArg(fn: string, arg: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw typeError(fn, arg, 'a boolean', v);
  return v;
}

function rateArg(fn: string, arg: string, v: unknown): number {
  if (v === undefined || v === null) return 0;
  check.isNumber(fn, arg, v);
  if (!(v >= 0 && v < 1)) throw rangeError(fn, arg, 'a number in [0, 1)', v);
  return v;
}

/** The sizes of a cell's states as a list. */
function stateSizes(cell: RNNCell): number[] {
  const s = cell.stateSize;
  return Array.isArray(s) ? s : [s];
}

// ------------------------------------------------------------------ cells

/**
 * @internal How a cell runs over one sequence: `prepare` maps the inputs
 * ([batch, steps, features] or one step [batch, features]) to what `step`
 * takes (the built-in cells project them by the kernel once for all steps);
 * `step` maps one prepared step and the states to [output, ...newStates].
 * Dropout masks are drawn once per sequence, so they are fixed across steps.
 */
export interface CellStepper {
  prepare(x: Tensor): Tensor;
  step(x: Tensor, states: Tensor[]): Tensor[];
}

/**
 * The base of RNN cells (tf.layers.RNNCell): a layer whose call takes
 * [input at t, ...states at t] and returns [output at t, ...states at t + 1].
 * `stateSize` is one size per state; the first is the size of the output.
 */
export abstract class RNNCell extends Layer {
  abstract get stateSize(): number | number[];

  /**
   * @internal The cell over one sequence. The default calls call() at every
   * step; the built-in cells project the inputs once for all steps.
   */
  stepper(training: boolean): CellStepper {
    return {
      prepare: (x) => x,
      step: (x, states) => toList(this.call([x, ...states], { training })),
    };
  }

  /**
   * @internal The whole sequence in one fused kernel, when this cell's
   * settings are what the kernel computes; null sends the layer down the cell path.
   */
  runFused(x: Tensor, initial: Tensor[] | null, goBackwards: boolean, returnSequences: boolean, training: boolean): RnnSequenceResult | null {
    return null;
  }
}

/** The arguments of tf.layers.simpleRNNCell (and, with the RNN options, tf.layers.simpleRNN). */
export interface SimpleRNNCellLayerArgs extends LayerArgs {
  /** Size of the output and of the state. */
  units: number;
  /** Activation of the output (default 'tanh'; null: linear). */
  activation?: ActivationIdentifier | ActivationFn | null;
  /** Whether to add bias vectors (default true). */
  useBias?: boolean;
  /** Initializer of `kernel` (default glorotUniform). */
  kernelInitializer?: InitializerIdentifier | Initializer | ConfigDict;
  /** Initializer of `recurrentKernel` (default orthogonal). */
  recurrentInitializer?: InitializerIdentifier | Initializer | ConfigDict;
  /** Initializer of `bias` (default zeros). */
  biasInitializer?: InitializerIdentifier | Initializer | ConfigDict;
  kernelRegularizer?: Identifier<Regularizer> | null;
  recurrentRegularizer?: Identifier<Regularizer> | null;
  biasRegularizer?: Identifier<Regularizer> | null;
  kernelConstraint?: Identifier<Constraint> | null;
  recurrentConstraint?: Identifier<Constraint> | null;
  biasConstraint?: Identifier<Constraint> | null;
  /** Fraction of the input features to drop in training (one mask per sequence). */
  dropout?: number;
  /** Fraction of the state units to drop in the recurrent product in training (one mask per sequence). */
  recurrentDropout?: number;
}

/** The arguments of tf.layers.lstmCell / gruCell (and, with the RNN options, lstm / gru). */
export interface GatedCellLayerArgs extends SimpleRNNCellLayerArgs {
  /** Activation of the gates (default 'sigmoid', as Keras 2+; TF.js's old default was 'hardSigmoid'). */
  recurrentActivation?: ActivationIdentifier | ActivationFn | null;
  /** Kept for Keras and TF.js configs; every value computes the same thing here. */
  implementation?: number;
}

export interface LSTMCellLayerArgs extends GatedCellLayerArgs {
  /** Whether the forget gate's bias starts at 1 (and the rest from biasInitializer); default true. */
  unitForgetBias?: boolean;
}

export interface GRUCellLayerArgs extends GatedCellLayerArgs {
  /**
   * Whether the reset gate multiplies the recurrent product (true, default:
   * Keras 2+, cuDNN, PyTorch) or the state before it (false: TF.js's and
   * Keras 1's GRU). With true the bias is [2, 3 * units]: input and recurrent biases.
   */
  resetAfter?: boolean;
}

/**
 * What SimpleRNNCell, LSTMCell and GRUCell share: `gates` blocks of `units`
 * in kernel, recurrent_kernel and bias, the activations, dropout, and the
 * projection of the inputs.
 */
abstract class GatedCell extends RNNCell {
  readonly units: number;
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly recurrentInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly recurrentRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly recurrentConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  readonly dropout: number;
  readonly recurrentDropout: number;
  kernel: LayerVariable | null = null;
  recurrentKernel: LayerVariable | null = null;
  bias: LayerVariable | null = null;
  protected abstract readonly gates: number;

  constructor(args: SimpleRNNCellLayerArgs) {
    super(args);
    const fn = (this.constructor as typeof Layer).className;
    if (args == null || typeof args !== 'object') throw typeError(fn, 'args', 'an object with units', args);
    check.isInt(fn, 'units', args.units, 1);
    this.units = args.units;
    this.activation = getActivation(args.activation === undefined ? 'tanh' : args.activation);
    this.useBias = booleanArg(fn, 'useBias', args.useBias, true);
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorotUniform');
    this.recurrentInitializer = getInitializer(args.recurrentInitializer ?? 'orthogonal');
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros');
    this.kernelRegularizer = optional(getRegularizer, args.kernelRegularizer);
    this.recurrentRegularizer = optional(getRegularizer, args.recurrentRegularizer);
    this.biasRegularizer = optional(getRegularizer, args.biasRegularizer);
    this.kernelConstraint = optional(getConstraint, args.kernelConstraint);
    this.recurrentConstraint = optional(getConstraint, args.recurrentConstraint);
    this.biasConstraint = optional(getConstraint, args.biasConstraint);
    this.dropout = rateArg(fn, 'dropout', args.dropout);
    this.recurrentDropout = rateArg(fn, 'recurrentDropout', args.recurrentDropout);
  }

  /** The shape of the bias weight. */
  protected biasShape(): number[] {
    return [this.gates * this.units];
  }

  /** The initializer of the bias weight. */
  protected biasInit(): Initializer {
    return this.biasInitializer;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = getExactlyOneShape(inputShape, `${this.getClassName()}.build`);
    const inputDim = shape[shape.length - 1];
    if (inputDim == null) {
      throw codedError('ERR_SHAPE_MISMATCH', `${this.name} (${this.getClassName()}): the feature axis of the input must be known to create the kernel, but the input shape is ${formatShape(shape)}`);
    }
    const width = this.gates * this.units;
    this.kernel = this.addWeight('kernel', [inputDim, width], this.dtype, this.kernelInitializer, this.kernelRegularizer, true, this.kernelConstraint);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, width], this.dtype, this.recurrentInitializer, this.recurrentRegularizer, true, this.recurrentConstraint);
    if (this.useBias) this.bias = this.addWeight('bias', this.biasShape(), this.dtype, this.biasInit(), this.biasRegularizer, true, this.biasConstraint);
    this.built = true;
  }

  get stateSize(): number | number[] {
    return this.units;
  }

  /** The bias added to the input projection (all of it, except a GRU's recurrent half). */
  protected inputBias(): Tensor | undefined {
    return this.bias?.read();
  }

  /** x (one step or a whole sequence) times the dropout mask, projected: x · kernel + input bias. */
  protected project(x: Tensor, inputMask: Tensor | null): Tensor {
    const xm = inputMask === null ? x : mul(x, x.rank === 3 ? reshape(inputMask, [inputMask.shape[0], 1, inputMask.shape[1]]) : inputMask);
    return fused.matMul({ a: xm, b: this.kernel!.read(), bias: this.inputBias() });
  }

  /** One step from a projected input: [output, ...new states]; `rmask` drops state units in the recurrent product. */
  protected abstract recur(xp: Tensor, states: Tensor[], rmask: Tensor | null): Tensor[];

  /** A dropout mask of `shape` for a training call, else null. */
  protected dropoutMask(rate: number, shape: number[], training: boolean): Tensor | null {
    return training && rate > 0 ? dropout(ones(shape), rate) : null;
  }

  /** The fused kernel that computes this cell, or null when its settings need the cell path. */
  protected abstract fusedKind(): { kind: RnnSequenceKind; activation: RnnSequenceActivation } | null;

  override runFused(x: Tensor, initial: Tensor[] | null, goBackwards: boolean, returnSequences: boolean, training: boolean): RnnSequenceResult | null {
    const fused = this.fusedKind();
    if (fused === null || (training && this.recurrentDropout > 0)) return null;
    // One input dropout mask for the whole sequence, as the cell path draws it.
    const inputMask = this.dropoutMask(this.dropout, [x.shape[0], x.shape[2]], training);
    return rnnSequence({
      ...fused,
      x: inputMask === null ? x : mul(x, reshape(inputMask, [x.shape[0], 1, x.shape[2]])),
      kernel: this.kernel!.read(),
      recurrentKernel: this.recurrentKernel!.read(),
      bias: this.bias?.read() ?? null,
      initialState: initial,
      goBackwards,
      returnSequences,
    });
  }

  override stepper(training: boolean): CellStepper {
    let inputMask: Tensor | null | undefined;
    let recurrentMask: Tensor | null | undefined;
    return {
      prepare: (x) => {
        inputMask ??= this.dropoutMask(this.dropout, [x.shape[0], x.shape[x.rank - 1]], training);
        return this.project(x, inputMask);
      },
      step: (xp, states) => {
        recurrentMask ??= this.dropoutMask(this.recurrentDropout, [xp.shape[0], this.units], training);
        return this.recur(xp, states, recurrentMask);
      },
    };
  }

  /** One step: inputs [x [batch, features], ...states] → [output, ...new states]. */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor[] {
    const fn = `${this.name}.call`;
    const n = stateSizes(this).length;
    if (!Array.isArray(inputs) || inputs.length !== n + 1) {
      throw typeError(fn, 'inputs', `an array [input, ${n === 1 ? 'state' : 'h, c'}] of ${n + 1} tensors`, inputs);
    }
    return tidy(() => {
      const s = this.stepper(kwargs.training === true);
      return s.step(s.prepare(inputs[0]), inputs.slice(1));
    });
  }

  override getConfig(): ConfigDict {
    return {
      units: this.units,
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      recurrentInitializer: serializeInitializer(this.recurrentInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: serializeOptional(this.kernelRegularizer),
      recurrentRegularizer: serializeOptional(this.recurrentRegularizer),
      biasRegularizer: serializeOptional(this.biasRegularizer),
      kernelConstraint: serializeOptional(this.kernelConstraint),
      recurrentConstraint: serializeOptional(this.recurrentConstraint),
      biasConstraint: serializeOptional(this.biasConstraint),
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      ...super.getConfig(),
    };
  }
}

/** h · recurrentKernel, with h's units dropped by rmask first. */
function recurrentProduct(h: Tensor, rmask: Tensor | null, kernel: Tensor): Tensor {
  return matMul(rmask === null ? h : mul(h, rmask), kernel);
}

/**
 * The cell of SimpleRNN: h' = activation(x · kernel + h · recurrentKernel + bias).
 *
 * ```js
 * const layer = tf.layers.rnn({cell: tf.layers.simpleRNNCell({units: 8})});
 * ```
 */
export class SimpleRNNCell extends GatedCell {
  static override className = 'SimpleRNNCell';
  protected readonly gates = 1;

  protected fusedKind(): { kind: RnnSequenceKind; activation: RnnSequenceActivation } | null {
    const a = this.activation.getClassName();
    return a === 'tanh' || a === 'relu' || a === 'sigmoid' ? { kind: 'rnn', activation: a } : null;
  }

  protected recur(xp: Tensor, [h]: Tensor[], rmask: Tensor | null): Tensor[] {
    const out = this.activation.apply(add(xp, recurrentProduct(h, rmask, this.recurrentKernel!.read())));
    return [out, out];
  }
}
registerClass(SimpleRNNCell);

/** Bias [i, f, c, o] blocks: the forget block ones, the others from `rest` (unitForgetBias). */
class UnitForgetBias extends Initializer {
  static override className = 'UnitForgetBias';
  constructor(private readonly units: number, private readonly rest: Initializer) {
    super();
  }
  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    return tidy(() => concat([this.rest.apply([this.units], dtype), fill([this.units], 1, dtype), this.rest.apply([2 * this.units], dtype)], 0));
  }
}

/** Gated activations that both the LSTM and GRU cells take. */
abstract class GatedRecurrentCell extends GatedCell {
  readonly recurrentActivation: ActivationFn;
  readonly implementation: number;

  constructor(args: GatedCellLayerArgs) {
    super(args);
    const fn = (this.constructor as typeof Layer).className;
    this.recurrentActivation = getActivation(args.recurrentActivation === undefined ? 'sigmoid' : args.recurrentActivation);
    if (args.implementation != null) check.isInt(fn, 'implementation', args.implementation, 0);
    this.implementation = args.implementation ?? 2;
  }

  /** Whether the activations are the fused kernels' (tanh, sigmoid gates). */
  protected standardActivations(): boolean {
    return this.activation.getClassName() === 'tanh' && this.recurrentActivation.getClassName() === 'sigmoid';
  }

  override getConfig(): ConfigDict {
    const config = super.getConfig();
    return { ...config, recurrentActivation: serializeActivation(this.recurrentActivation), implementation: this.implementation };
  }
}

/**
 * The cell of LSTM (gates i, f, c, o):
 * c' = f ⊙ c + i ⊙ act(x·Wc + h·Uc + bc), h' = o ⊙ act(c'), gates = recAct(x·W + h·U + b).
 *
 * ```js
 * const layer = tf.layers.rnn({cell: tf.layers.lstmCell({units: 8}), returnState: true});
 * ```
 */
export class LSTMCell extends GatedRecurrentCell {
  static override className = 'LSTMCell';
  protected readonly gates = 4;
  readonly unitForgetBias: boolean;

  constructor(args: LSTMCellLayerArgs) {
    super(args);
    this.unitForgetBias = booleanArg('LSTMCell', 'unitForgetBias', args.unitForgetBias, true);
  }

  override get stateSize(): number[] {
    return [this.units, this.units];
  }

  protected fusedKind(): { kind: RnnSequenceKind; activation: RnnSequenceActivation } | null {
    return this.standardActivations() ? { kind: 'lstm', activation: 'tanh' } : null;
  }

  protected override biasInit(): Initializer {
    return this.unitForgetBias ? new UnitForgetBias(this.units, this.biasInitializer) : this.biasInitializer;
  }

  protected recur(xp: Tensor, [h, c]: Tensor[], rmask: Tensor | null): Tensor[] {
    const z = add(xp, recurrentProduct(h, rmask, this.recurrentKernel!.read()));
    const [zi, zf, zc, zo] = split(z, 4, -1);
    const ra = this.recurrentActivation;
    const c2 = add(mul(ra.apply(zf), c), mul(ra.apply(zi), this.activation.apply(zc)));
    const h2 = mul(ra.apply(zo), this.activation.apply(c2));
    return [h2, h2, c2];
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig(), unitForgetBias: this.unitForgetBias };
  }
}
registerClass(LSTMCell);

/**
 * The cell of GRU (gates z, r, h): h' = z ⊙ h + (1 − z) ⊙ ĥ with
 * ĥ = act(x·Wh + bh + r ⊙ (h·Uh + b'h)) when resetAfter (default), or
 * ĥ = act(x·Wh + bh + (r ⊙ h)·Uh) without.
 *
 * ```js
 * const layer = tf.layers.rnn({cell: tf.layers.gruCell({units: 8})});
 * ```
 */
export class GRUCell extends GatedRecurrentCell {
  static override className = 'GRUCell';
  protected readonly gates = 3;
  readonly resetAfter: boolean;

  constructor(args: GRUCellLayerArgs) {
    super(args);
    this.resetAfter = booleanArg('GRUCell', 'resetAfter', args.resetAfter, true);
  }

  protected override biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  protected fusedKind(): { kind: RnnSequenceKind; activation: RnnSequenceActivation } | null {
    return this.resetAfter && this.standardActivations() ? { kind: 'gru', activation: 'tanh' } : null;
  }

  protected override inputBias(): Tensor | undefined {
    if (this.bias === null) return undefined;
    return this.resetAfter ? reshape(slice(this.bias.read(), [0, 0], [1, -1]), [3 * this.units]) : this.bias.read();
  }

  protected recur(xp: Tensor, [h]: Tensor[], rmask: Tensor | null): Tensor[] {
    const u = this.units;
    const kernel = this.recurrentKernel!.read();
    const hd = rmask === null ? h : mul(h, rmask);
    const [xz, xr, xh] = split(xp, 3, -1);
    const ra = this.recurrentActivation;
    let z: Tensor;
    let candidate: Tensor;
    if (this.resetAfter) {
      const recurrentBias = this.bias === null ? undefined : reshape(slice(this.bias.read(), [1, 0], [1, -1]), [3 * u]);
      const [hz, hr, hh] = split(fused.matMul({ a: hd, b: kernel, bias: recurrentBias }), 3, -1);
      z = ra.apply(add(xz, hz));
      const r = ra.apply(add(xr, hr));
      candidate = this.activation.apply(add(xh, mul(r, hh)));
    } else {
      const [hz, hr] = split(matMul(hd, slice(kernel, [0, 0], [u, 2 * u])), 2, -1);
      z = ra.apply(add(xz, hz));
      const r = ra.apply(add(xr, hr));
      candidate = this.activation.apply(add(xh, matMul(mul(r, hd), slice(kernel, [0, 2 * u], [u, u]))));
    }
    // The update gate mixes the undropped state: dropout acts on the recurrent products only.
    const h2 = add(candidate, mul(z, sub(h, candidate)));
    return [h2, h2];
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig(), resetAfter: this.resetAfter };
  }

  /** A saved config without resetAfter comes from TF.js or Keras 1, whose GRU resets before the product. */
  static override fromConfig<T>(cls: any, config: ConfigDict): T {
    return new cls({ ...config, resetAfter: config.resetAfter ?? false }) as T;
  }
}
registerClass(GRUCell);

export interface StackedRNNCellsArgs extends LayerArgs {
  /** The cells, bottom first: each takes the output of the one before. */
  cells: RNNCell[];
}

/**
 * Several cells as one: each step runs them bottom to top. The states are
 * one flat list in reverse cell order (the top cell's first), as TF.js, so
 * that the first state is the size of the output.
 *
 * ```js
 * const cell = tf.layers.stackedRNNCells({cells: [tf.layers.lstmCell({units: 16}), tf.layers.lstmCell({units: 8})]});
 * const layer = tf.layers.rnn({cell});
 * ```
 */
export class StackedRNNCells extends LayerHolder(RNNCell) {
  static override className = 'StackedRNNCells';
  readonly cells: RNNCell[];

  constructor(args: StackedRNNCellsArgs) {
    super(args);
    if (args == null || typeof args !== 'object' || !Array.isArray(args.cells) || args.cells.length === 0 || !args.cells.every((c) => c instanceof RNNCell)) {
      throw typeError('StackedRNNCells', 'cells', 'a non-empty array of RNN cells', args?.cells);
    }
    this.cells = args.cells.slice();
  }

  get stateSize(): number[] {
    return this.cells.slice().reverse().flatMap(stateSizes);
  }

  override build(inputShape: Shape | Shape[]): void {
    let shape = getExactlyOneShape(inputShape, 'StackedRNNCells.build');
    const scope = this.weightScope ?? this.name;
    this.cells.forEach((cell, i) => {
      // TF.js builds each cell in the name scope 'RNNCell_<i>'.
      cell.weightScope = `${scope}/RNNCell_${i}`;
      if (!cell.built) {
        cell.build(shape);
        cell.built = true;
      }
      shape = [shape[0], stateSizes(cell)[0]];
    });
    this.built = true;
  }

  /** The flat state list (top cell first) as one list per cell, bottom first. */
  private perCell(states: Tensor[]): Tensor[][] {
    const out: Tensor[][] = [];
    let k = 0;
    for (const cell of this.cells.slice().reverse()) {
      const n = stateSizes(cell).length;
      out.unshift(states.slice(k, k + n));
      k += n;
    }
    return out;
  }

  override stepper(training: boolean): CellStepper {
    const steppers = this.cells.map((c) => c.stepper(training));
    return {
      prepare: (x) => steppers[0].prepare(x),
      step: (x, states) => {
        const nested = this.perCell(states);
        const fresh: Tensor[][] = [];
        let out = x;
        steppers.forEach((s, i) => {
          const r = s.step(i === 0 ? out : s.prepare(out), nested[i]);
          out = r[0];
          fresh.push(r.slice(1));
        });
        return [out, ...fresh.reverse().flat()];
      },
    };
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor[] {
    const n = this.stateSize.length;
    if (!Array.isArray(inputs) || inputs.length !== n + 1) throw typeError(`${this.name}.call`, 'inputs', `an array [input, ...states] of ${n + 1} tensors`, inputs);
    return tidy(() => {
      const s = this.stepper(kwargs.training === true);
      return s.step(s.prepare(inputs[0]), inputs.slice(1));
    });
  }

  override get heldLayers(): Layer[] {
    return this.cells;
  }

  override getConfig(): ConfigDict {
    return { cells: this.cells.map((c) => serializeKerasObject(c)), ...super.getConfig() };
  }

  static override fromConfig<T>(cls: any, config: ConfigDict, customObjects: { [name: string]: unknown } = {}): T {
    const cells = (config.cells as ConfigDict[] | undefined ?? []).map((c) => deserialize<RNNCell>(c, customObjects, 'RNN cell'));
    return new cls({ ...config, cells }) as T;
  }
}
registerClass(StackedRNNCells);

// ------------------------------------------------------------------ RNN

export interface BaseRNNLayerArgs extends LayerArgs {
  /** The cell (or cells, stacked) stepped over time; tf.layers.rnn only. */
  cell?: RNNCell | RNNCell[];
  /** Return the output of every step [batch, steps, units] instead of the last one [batch, units]. */
  returnSequences?: boolean;
  /** Also return the final states: [output, ...states] (LSTM: [output, h, c]). */
  returnState?: boolean;
  /** Process the sequence from its end; the returned sequence is in processing order (reversed), as Keras. */
  goBackwards?: boolean;
  /**
   * Carry the final states of a batch over as the initial states of the next
   * (sample i to sample i); needs a fixed batch size (batchInputShape) and
   * resetStates() between independent sequences.
   */
  stateful?: boolean;
  /** Kept for Keras and TF.js configs; the loop runs eagerly either way. */
  unroll?: boolean;
  /** Keras's time_major; only false ([batch, steps, features]) is supported. */
  timeMajor?: boolean;
  /** Applied to the output in training and added to the loss. */
  activityRegularizer?: Identifier<Regularizer> | null;
  /** Size of the feature axis, for a first layer (with inputLength: inputShape [inputLength, inputDim]). */
  inputDim?: number;
  /** Number of steps, when fixed, for a first layer. */
  inputLength?: number;
}

export interface RNNLayerArgs extends BaseRNNLayerArgs {
  cell: RNNCell | RNNCell[];
}


/**
 * A recurrent layer over any cell (tf.layers.rnn): inputs [batch, steps,
 * features] → [batch, units] (or [batch, steps, units] with
 * returnSequences), plus the final states with returnState. Initial states
 * are given as `{initialState}` in apply() or as extra inputs
 * `[x, ...states]`; a mask (from Embedding maskZero or Masking) skips the
 * masked steps, carrying the state over them.
 *
 * ```js
 * const x = tf.input({shape: [null, 8]});
 * const [out, h, c] = tf.layers.rnn({cell: tf.layers.lstmCell({units: 16}), returnState: true}).apply(x);
 * ```
 */
export class RNN extends LayerHolder(Layer) {
  static override className = 'RNN';
  readonly cell: RNNCell;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly unroll: boolean;
  /**
   * @internal Whether masked steps output zeros rather than the previous
   * output; Bidirectional sets it when it returns sequences (as Keras).
   */
  zeroOutputForMask = false;
  /** @internal Whether the fused whole-sequence kernel may run when the settings allow (the tests compare both paths). */
  allowFused = true;
  /** The batch size of a stateful layer, set by build(). */
  private statefulBatch: number | null = null;
  private states_: Tensor[] | null = null;

  constructor(args: RNNLayerArgs) {
    super(args);
    const fn = (this.constructor as typeof Layer).className;
    if (args == null || typeof args !== 'object') throw typeError(fn, 'args', 'an object of layer arguments', args);
    if (Array.isArray(args.cell)) this.cell = new StackedRNNCells({ cells: args.cell });
    else if (args.cell instanceof RNNCell) this.cell = args.cell;
    else throw typeError(fn, 'cell', 'an RNN cell (tf.layers.lstmCell(...)) or an array of them', args.cell);
    this.returnSequences = booleanArg(fn, 'returnSequences', args.returnSequences, false);
    this.returnState = booleanArg(fn, 'returnState', args.returnState, false);
    this.goBackwards = booleanArg(fn, 'goBackwards', args.goBackwards, false);
    this.stateful = booleanArg(fn, 'stateful', args.stateful, false);
    this.unroll = booleanArg(fn, 'unroll', args.unroll, false);
    if (booleanArg(fn, 'timeMajor', args.timeMajor, false)) {
      throw codedError('ERR_UNSUPPORTED', `${fn}: timeMajor true is not supported; give inputs as [batch, steps, features] (transpose time-major data first)`);
    }
    this.activityRegularizer = optional(getRegularizer, args.activityRegularizer);
    if (this.batchInputShape == null && args.inputDim != null) {
      check.isInt(fn, 'inputDim', args.inputDim, 1);
      if (args.inputLength != null) check.isInt(fn, 'inputLength', args.inputLength, 1);
      this.batchInputShape = [args.batchSize ?? null, args.inputLength ?? null, args.inputDim];
    }
    this.supportsMasking = true;
    this.inputSpec = [new InputSpec({ ndim: 3 })];
  }

  /** The number of states of the cell (LSTM: 2). */
  private get numStates(): number {
    return stateSizes(this.cell).length;
  }

  /** The states of a stateful layer (null before its first batch or resetStates()). */
  get states(): (Tensor | null)[] {
    return this.states_ ?? new Array<null>(this.numStates).fill(null);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = getExactlyOneShape(Array.isArray(inputShape[0]) ? (inputShape as Shape[])[0] : inputShape, `${this.name}.build`);
    if (shape[2] == null) {
      throw codedError('ERR_SHAPE_MISMATCH', `${this.name} (${this.getClassName()}): the feature axis of the input must be known to create the weights, but the input shape is ${formatShape(shape)}`);
    }
    if (this.stateful) {
      if (shape[0] == null) {
        throw codedError(
          'ERR_INVALID_ARG_VALUE',
          `${this.name} (${this.getClassName()}): a stateful RNN needs a fixed batch size; give the first layer batchInputShape (e.g. [32, 10, 8]) or tf.input batchShape, but the input shape is ${formatShape(shape)}`,
        );
      }
      this.statefulBatch = shape[0];
    }
    this.cell.weightScope = this.weightScope ?? this.name;
    if (!this.cell.built) {
      this.cell.build([shape[0], shape[2]]);
      this.cell.built = true;
    }
    this.inputSpec = [new InputSpec({ shape: [this.statefulBatch, null, shape[2]] })];
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shape = Array.isArray(inputShape[0]) ? (inputShape as Shape[])[0] : (inputShape as Shape);
    const sizes = stateSizes(this.cell);
    const output: Shape = this.returnSequences ? [shape[0], shape[1], sizes[0]] : [shape[0], sizes[0]];
    if (!this.returnState) return output;
    return [output, ...sizes.map((d) => [shape[0], d] as Shape)];
  }

  /** The mask of the outputs: the input mask for a returned sequence, none for a last output and states. */
  override computeMask(inputs: Tensor | Tensor[], mask?: Mask): Tensor | (Tensor | null)[] | null {
    const m = (Array.isArray(mask) ? mask[0] : mask) ?? null;
    const outputMask = this.returnSequences ? m : null;
    if (!this.returnState) return outputMask;
    return [outputMask, ...new Array<null>(this.numStates).fill(null)];
  }

  /**
   * Applies the layer; `kwargs.initialState` (one tensor per state) starts the
   * recurrence. Symbolic initial states become extra inputs of the node, so
   * that they are saved with the graph (as TF.js and Keras).
   */
  override apply(inputs: any, kwargs: Kwargs = {}): any {
    return super.apply(...initialStateAsInputs(this.name, inputs, kwargs));
  }

  /** Checks the sequence input against inputSpec and the state inputs against the cell's state sizes. */
  protected override assertInputCompatibility(inputs: (Tensor | SymbolicTensor)[]): void {
    super.assertInputCompatibility(inputs.slice(0, 1));
    if (inputs.length > 1) checkStates(this, inputs.slice(1), stateSizes(this.cell), inputs[0].shape[0]);
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    const list = toList(inputs);
    const x = list[0];
    let initial: Tensor[] | null = list.length > 1 ? list.slice(1) : null;
    if (kwargs.initialState != null) {
      if (initial !== null) throw typeError(`${this.name}.call`, 'kwargs.initialState', 'no initialState when the states are given as extra inputs [x, ...states]', kwargs.initialState);
      initial = toList(kwargs.initialState as Tensor | Tensor[]);
    }
    if (x.rank !== 3) throw codedError('ERR_SHAPE_MISMATCH', `${this.name} (${this.getClassName()}): expected an input of rank 3 [batch, steps, features] but received ${x.dtype} tensor of shape ${formatShape(x.shape)}`);
    if (x.shape[1] === 0) throw codedError('ERR_SHAPE_MISMATCH', `${this.name} (${this.getClassName()}): the input has no time steps (shape ${formatShape(x.shape)})`);
    if (initial !== null) checkStates(this, initial, stateSizes(this.cell), x.shape[0]);
    const training = kwargs.training === true;
    const mask = (Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask) ?? null;
    if (mask !== null && (mask.rank !== 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[1])) {
      throw codedError('ERR_SHAPE_MISMATCH', `${this.name} (${this.getClassName()}): expected a mask of shape ${formatShape(x.shape.slice(0, 2))} (batch, steps) but received shape ${formatShape(mask.shape)}`);
    }
    return tidy(() => {
      const start = initial ?? (this.stateful ? this.currentStates(x) : null);
      const fused = mask === null && this.allowFused ? this.cell.runFused(x, start, this.goBackwards, this.returnSequences, training) : null;
      const r = fused ?? this.cellPath(x, start ?? this.zeroStates(x.shape[0]), mask, training);
      if (this.stateful) this.replaceStates(r.states);
      return this.returnState ? [r.output, ...r.states] : r.output;
    });
  }

  /** The step-by-step loop over the cell (any cell, any settings, masks). */
  private cellPath(x: Tensor, initial: Tensor[], mask: Tensor | null, training: boolean): RnnSequenceResult {
    const steps = x.shape[1];
    const stepper = this.cell.stepper(training);
    // Reversed copies: the arrays an op returns are its gradient record, not to be reordered.
    const inOrder = (ts: Tensor[]): Tensor[] => (this.goBackwards ? ts.slice().reverse() : ts);
    const xs = inOrder(unstack(stepper.prepare(x), 1));
    let ms: Tensor[] | null = null;
    if (mask !== null) {
      const m = mask.dtype === 'bool' ? mask : notEqual(mask, 0);
      ms = inOrder(unstack(reshape(m, [m.shape[0], steps, 1]), 1));
    }
    let states = initial;
    let last: Tensor | null = null;
    let zero: Tensor | null = null;
    const outputs: Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      const [out, ...next] = stepper.step(xs[t], states);
      if (ms === null) {
        last = out;
        states = next;
      } else {
        // A masked step keeps the states; its output is the previous output (zeros before the first).
        if (this.zeroOutputForMask || last === null) zero ??= zeros(out.shape);
        last = where(ms[t], out, this.zeroOutputForMask || last === null ? zero! : last);
        states = next.map((s, i) => where(ms![t], s, states[i]));
      }
      if (this.returnSequences) outputs.push(last);
    }
    return { output: this.returnSequences ? stack(outputs, 1) : last!, states };
  }

  private zeroStates(batch: number): Tensor[] {
    return stateSizes(this.cell).map((d) => zeros([batch, d]));
  }

  /** The carried states of a stateful layer, zeros at first. */
  private currentStates(x: Tensor): Tensor[] {
    if (x.shape[0] !== this.statefulBatch) {
      throw codedError('ERR_SHAPE_MISMATCH', `${this.name} (${this.getClassName()}): this stateful layer was built for batches of ${this.statefulBatch} but received a batch of ${x.shape[0]} (input shape ${formatShape(x.shape)})`);
    }
    if (this.states_ === null) this.states_ = this.zeroStates(x.shape[0]).map((s) => keep(s));
    return this.states_;
  }

  /** Keeps copies of the final states for the next batch; frees the previous ones. */
  private replaceStates(states: Tensor[]): void {
    const old = this.states_;
    this.states_ = states.map((s) => keep(add(s, 0)));
    if (old) for (const s of old) releaseKept(s);
  }

  /**
   * Sets the states of a stateful layer to zeros, or to `states` (copied).
   *
   * ```js
   * model.layers[0].resetStates();
   * ```
   */
  override resetStates(states?: Tensor | Tensor[]): void {
    const fn = `${this.name}.resetStates`;
    if (!this.stateful) throw codedError('ERR_UNSUPPORTED', `${fn}: layer '${this.name}' is not stateful; create it with stateful: true`);
    if (this.statefulBatch === null) throw codedError('ERR_NOT_BUILT', `${fn}: layer '${this.name}' is not built yet; apply it to an input with a fixed batch size first`);
    const sizes = stateSizes(this.cell);
    let fresh: Tensor[];
    if (states == null) {
      fresh = sizes.map((d) => keep(zeros([this.statefulBatch!, d])));
    } else {
      const list = toList(states);
      checkStates(this, list, sizes, this.statefulBatch);
      fresh = list.map((s) => keep(add(s, 0)));
    }
    const old = this.states_;
    this.states_ = fresh;
    if (old) for (const s of old) releaseKept(s);
  }

  override get heldLayers(): Layer[] {
    return [this.cell];
  }

  override dispose(): { refCountAfterDispose: number; numDisposedVariables: number } {
    if (this.states_) for (const s of this.states_) s.dispose();
    this.states_ = null;
    return super.dispose();
  }

  override getConfig(): ConfigDict {
    const config: ConfigDict = {
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
      unroll: this.unroll,
      activityRegularizer: serializeOptional(this.activityRegularizer),
    };
    if (this.getClassName() === RNN.className) return { cell: serializeKerasObject(this.cell), ...super.getConfig(), ...config };
    // SimpleRNN, LSTM and GRU save their cell's options flat, beside the layer's own.
    const { name: _n, trainable: _t, dtype: _d, batchInputShape: _b, ...cellConfig } = this.cell.getConfig();
    return { ...cellConfig, ...super.getConfig(), ...config };
  }

  static override fromConfig<T>(cls: any, config: ConfigDict, customObjects: { [name: string]: unknown } = {}): T {
    if (config.cell == null || cls !== RNN) return new cls(config) as T;
    const cell = deserialize<RNNCell>(config.cell as ConfigDict, customObjects, 'RNN cell');
    return new cls({ ...config, cell }) as T;
  }
}
registerClass(RNN);

/** @internal apply()'s arguments with `kwargs.initialState` moved into the inputs, [x, ...states] (RNN, Bidirectional). */
export function initialStateAsInputs(name: string, inputs: any, kwargs: Kwargs): [any, Kwargs] {
  const { initialState, ...rest } = kwargs ?? {};
  if (initialState == null) return [inputs, kwargs];
  if (Array.isArray(inputs)) {
    throw typeError(`${name}.apply`, 'kwargs.initialState', 'no initialState when the states are given as extra inputs [x, ...states]', initialState);
  }
  return [[inputs, ...toList(initialState)], rest];
}

/** Checks initial states: one per state, each [batch, size]. */
function checkStates(layer: Layer, states: (Tensor | SymbolicTensor)[], sizes: number[], batch: number | null): void {
  const who = `${layer.name} (${layer.getClassName()})`;
  if (states.length !== sizes.length) {
    throw typeError(who, 'initialState', `${sizes.length} initial state tensor${sizes.length > 1 ? 's' : ''} (sizes ${sizes.join(', ')})`, states);
  }
  states.forEach((s, i) => {
    const ok = s.shape.length === 2 && s.shape[1] === sizes[i] && (batch == null || s.shape[0] == null || s.shape[0] === batch);
    if (!ok) {
      throw codedError('ERR_SHAPE_MISMATCH', `${who}: expected initial state ${i} of shape ${formatShape([batch, sizes[i]])} but received shape ${formatShape(s.shape)}`);
    }
  });
}

// ------------------------------------------------------------------ SimpleRNN, LSTM, GRU

export interface SimpleRNNLayerArgs extends SimpleRNNCellLayerArgs, BaseRNNLayerArgs {}
export interface LSTMLayerArgs extends LSTMCellLayerArgs, BaseRNNLayerArgs {}
export interface GRULayerArgs extends GRUCellLayerArgs, BaseRNNLayerArgs {}

/** Layer arguments without the ones a cell must not take (the layer's name and input shape stay the layer's). */
function cellArgs<A extends LayerArgs>(args: A): A {
  if (args == null || typeof args !== 'object') return args;
  const { name: _n, inputShape: _i, batchInputShape: _b, batchSize: _s, weights: _w, activityRegularizer: _a, ...rest } = args;
  return rest as A;
}

/**
 * A fully connected RNN: h' = tanh(x · kernel + h · recurrentKernel + bias).
 *
 * ```js
 * const model = tf.sequential({layers: [tf.layers.simpleRNN({units: 8, inputShape: [10, 4]})]});
 * ```
 */
export class SimpleRNN extends RNN {
  static override className = 'SimpleRNN';
  constructor(args: SimpleRNNLayerArgs) {
    super({ ...args, cell: new SimpleRNNCell(cellArgs(args)) });
  }
}
registerClass(SimpleRNN);

/**
 * Long short-term memory (Hochreiter 1997), gates i, f, c, o; returnState gives [output, h, c].
 *
 * ```js
 * const model = tf.sequential({layers: [tf.layers.lstm({units: 128, inputShape: [28, 28]}), tf.layers.dense({units: 10})]});
 * ```
 */
export class LSTM extends RNN {
  static override className = 'LSTM';
  constructor(args: LSTMLayerArgs) {
    super({ ...args, cell: new LSTMCell(cellArgs(args)) });
  }
}
registerClass(LSTM);

/**
 * Gated recurrent unit (Cho 2014), gates z, r, h; resetAfter (default true) as Keras 2+ and cuDNN.
 *
 * ```js
 * const layer = tf.layers.gru({units: 32, returnSequences: true});
 * ```
 */
export class GRU extends RNN {
  static override className = 'GRU';
  constructor(args: GRULayerArgs) {
    super({ ...args, cell: new GRUCell(cellArgs(args)) });
  }

  /** A saved config without resetAfter comes from TF.js or Keras 1, whose GRU resets before the product. */
  static override fromConfig<T>(cls: any, config: ConfigDict): T {
    return new cls({ ...config, resetAfter: config.resetAfter ?? false }) as T;
  }
}
registerClass(GRU);
