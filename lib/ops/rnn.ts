// Whole-sequence recurrent layers as one op: an LSTM, a GRU (reset after the
// recurrent product, Keras's resetAfter: true) or a simple RNN over every
// step of x in one native call (oneDNN's RNN primitives), with gradients for
// x, the weights, the bias and the initial state in one native call more.
//
// Weights come in Keras's layouts: kernel [features, G*units],
// recurrentKernel [units, G*units], bias [G*units] (GRU: [2, G*units], the
// input bias row and the recurrent bias row), gate blocks in Keras's order
// (LSTM i, f, c, o; GRU z, r, h), gate activations sigmoid and tanh.
//
// Under a tape the forward keeps oneDNN's workspace (the gates of every
// step) as an opaque 'bool' tensor of its byte size; without one it runs
// the inference primitive and keeps nothing.
import { Activation, DTypeCode, native, RnnKind, TensorHandle } from '../native';
import { check, rangeError, shapeError, typeError } from '../errors';
import { makeOutput, Tensor } from '../tensor/tensor';
import { defineOp, runOp } from './registry';
import { toTensor, TensorLike } from './convert';
import { freeTemps, inDtype } from './elementwise';

export type RnnSequenceKind = 'lstm' | 'gru' | 'rnn';
export type RnnSequenceActivation = 'tanh' | 'relu' | 'sigmoid';

export interface RnnSequenceArgs {
  kind: RnnSequenceKind;
  /** [batch, steps, features]. */
  x: Tensor | TensorLike;
  kernel: Tensor | TensorLike;
  recurrentKernel: Tensor | TensorLike;
  bias?: Tensor | TensorLike | null;
  /** [h0] ([h0, c0] for an LSTM), each [batch, units]; zeros when absent. */
  initialState?: (Tensor | TensorLike)[] | null;
  /** Keras's goBackwards: read the sequence from its end; outputs come in the order computed. Default false. */
  goBackwards?: boolean;
  /** Every step's output [batch, steps, units], or only the last [batch, units] (the default, as Keras). */
  returnSequences?: boolean;
  /** The cell's activation; default 'tanh', the only one of the LSTM and GRU kernels. */
  activation?: RnnSequenceActivation;
}

export interface RnnSequenceResult {
  output: Tensor;
  /** [hT] ([hT, cT] for an LSTM), each [batch, units]. */
  states: Tensor[];
}

const KINDS = { lstm: RnnKind.Lstm, gru: RnnKind.Gru, rnn: RnnKind.Simple } as const;
const GATES = { lstm: 4, gru: 3, rnn: 1 } as const;
const ACTIVATIONS = { tanh: Activation.Tanh, relu: Activation.Relu, sigmoid: Activation.Sigmoid } as const;

interface RnnAttrs {
  kind: RnnKind;
  activation: Activation;
  goBackwards: boolean;
  returnSequences: boolean;
  hasBias: boolean;
  hasState: boolean;
}

/** Float32 tensors for a kernel to fill; all freed if it throws. */
function allocate(shapes: (number[] | null)[], fill: (handles: (TensorHandle | null)[]) => void): (Tensor | null)[] {
  const made: (Tensor | null)[] = [];
  try {
    for (const s of shapes) made.push(s ? makeOutput(s, 'float32', () => {}) : null);
    fill(made.map((t) => (t ? t.handle : null)));
    return made;
  } catch (e) {
    for (const t of made) t?.dispose();
    throw e;
  }
}

// oneDNN's workspace (36 MB for LSTM(128) on 128 sequences of 28 steps) is
// an opaque byte buffer. Its memory comes back from the host block cache
// (core/storage.cc) on the next step instead of being page-faulted in afresh.
function workspace(bytes: number): Tensor {
  return new Tensor(new native.TensorHandle(DTypeCode.Bool, [bytes]), [bytes], 'bool');
}

/** Where each optional input sits in [x, kernel, recurrentKernel, bias?, h0?, c0?] (-1: absent). */
function layout(at: RnnAttrs): { bias: number; h0: number; c0: number } {
  const bias = at.hasBias ? 3 : -1;
  const h0 = at.hasState ? (at.hasBias ? 4 : 3) : -1;
  const c0 = at.hasState && at.kind === RnnKind.Lstm ? h0 + 1 : -1;
  return { bias, h0, c0 };
}

const RnnSequence = defineOp<RnnAttrs>({
  name: 'RnnSequence',
  forward(inputs, at, ctx) {
    const [x, kernel, recurrentKernel] = inputs;
    const slots = layout(at);
    const handle = (i: number) => (i >= 0 ? inputs[i].handle : null);
    const [n, steps] = x.shape;
    const units = recurrentKernel.shape[0];
    const lstm = at.kind === RnnKind.Lstm;
    const ws = ctx.needsGrad ? workspace(native.rnnWorkspaceBytes(at.kind, at.activation, at.goBackwards, x.shape, units, at.returnSequences, at.hasState)) : null;
    try {
      const made = allocate([at.returnSequences ? [n, steps, units] : [n, units], [n, units], lstm ? [n, units] : null], ([y, hT, cT]) =>
        native.rnnForward(at.kind, at.activation, at.goBackwards, x.handle, handle(slots.h0), handle(slots.c0), kernel.handle, recurrentKernel.handle,
          handle(slots.bias), y!, hT!, cT, ws && ws.handle));
      if (ws) ctx.save(ws);
      return made.filter((t): t is Tensor => t !== null);
    } catch (e) {
      ws?.dispose();
      throw e;
    }
  },
  backward(dys, { inputs, outputs, saved, attrs: at, needs }) {
    const [x, kernel, recurrentKernel] = inputs;
    const [y, hT, cT] = outputs;
    const [dy, dhT, dcT] = dys;
    const slots = layout(at);
    const handle = (i: number) => (i >= 0 ? inputs[i].handle : null);
    const shapeIf = (i: number) => (i >= 0 && needs[i] ? inputs[i].shape.slice() : null);
    const [dx, dkernel, drecurrent, dbias, dh0, dc0] = allocate(
      [shapeIf(0), shapeIf(1), shapeIf(2), shapeIf(slots.bias), shapeIf(slots.h0), shapeIf(slots.c0)],
      ([hx, hk, hr, hb, hh, hc]) =>
        native.rnnBackward(at.kind, at.activation, at.goBackwards, x.handle, handle(slots.h0), handle(slots.c0), kernel.handle, recurrentKernel.handle,
          handle(slots.bias), y.handle, hT.handle, cT ? cT.handle : null, saved[0].handle, dy.handle, dhT.handle, dcT ? dcT.handle : null,
          hx, hh, hc, hk, hr, hb));
    const grads: (Tensor | null)[] = [dx, dkernel, drecurrent];
    if (at.hasBias) grads.push(dbias);
    if (at.hasState) grads.push(dh0);
    if (slots.c0 >= 0) grads.push(dc0);
    return grads;
  },
});

/**
 * @internal Runs a recurrent layer over whole sequences: the fused kernel of
 * the LSTM, GRU (resetAfter: true) and SimpleRNN layers. With
 * returnSequences false the output is the last step's ([batch, units]), a
 * tensor of its own beside states[0], which holds the same values.
 *
 * ```js
 * const { output, states } = rnnSequence({ kind: 'lstm', x, kernel, recurrentKernel, bias, returnSequences: true });
 * ```
 */
export function rnnSequence(args: RnnSequenceArgs): RnnSequenceResult {
  const fn = 'rnnSequence';
  if (args === null || typeof args !== 'object') throw typeError(fn, 'args', 'an object', args);
  const { kind, goBackwards = false, returnSequences = false, activation = 'tanh' } = args;
  check.oneOf(fn, 'kind', kind, ['lstm', 'gru', 'rnn'] as const);
  if (typeof goBackwards !== 'boolean') throw typeError(fn, 'goBackwards', 'a boolean', goBackwards);
  if (typeof returnSequences !== 'boolean') throw typeError(fn, 'returnSequences', 'a boolean', returnSequences);
  // oneDNN's LSTM and GRU cells have tanh built in.
  check.oneOf(fn, 'activation', activation, kind === 'rnn' ? ['tanh', 'relu', 'sigmoid'] as const : ['tanh'] as const);
  const stateCount = kind === 'lstm' ? 2 : 1;
  const initialState = args.initialState ?? null;
  if (initialState !== null && (!Array.isArray(initialState) || initialState.length !== stateCount)) {
    throw typeError(fn, 'initialState', `null or an array of ${stateCount} tensor${stateCount > 1 ? 's' : ''} ([h0${stateCount > 1 ? ', c0' : ''}])`, initialState);
  }

  const raw: unknown[] = [args.x, args.kernel, args.recurrentKernel];
  const names = ['x', 'kernel', 'recurrentKernel'];
  if (args.bias != null) {
    raw.push(args.bias);
    names.push('bias');
  }
  if (initialState) {
    raw.push(...initialState);
    names.push(...(stateCount > 1 ? ['initialState[0]', 'initialState[1]'] : ['initialState[0]']));
  }
  const made: Tensor[] = [];
  try {
    for (let i = 0; i < raw.length; i++) {
      const t = toTensor(raw[i], names[i], fn);
      if (t.dtype === 'bool') {
        freeTemps(t, raw[i]);
        throw typeError(fn, names[i], 'a float32 tensor', t);
      }
      made.push(inDtype(t, 'float32', raw[i]));
    }
    const [x, kernel, recurrentKernel] = made;
    const gates = GATES[kind];
    if (x.rank !== 3) throw rangeError(fn, 'x', 'a tensor of rank 3 ([batch, steps, features])', x);
    if (x.shape[1] < 1) throw rangeError(fn, 'x', 'at least one step', x);
    if (recurrentKernel.rank !== 2 || recurrentKernel.shape[0] < 1 || recurrentKernel.shape[1] !== gates * recurrentKernel.shape[0]) {
      throw rangeError(fn, 'recurrentKernel', `a tensor [units, ${gates} * units] (units >= 1)`, recurrentKernel);
    }
    const [n, , features] = x.shape;
    const units = recurrentKernel.shape[0];
    if (features < 1) throw rangeError(fn, 'x', 'at least one feature', x);
    if (kernel.rank !== 2 || kernel.shape[0] !== features || kernel.shape[1] !== gates * units) {
      throw shapeError(fn, `kernel must be [features, ${gates} * units] for x and recurrentKernel`, kernel.shape, [features, gates * units]);
    }
    let next = 3;
    if (args.bias != null) {
      const bias = made[next++];
      const want = kind === 'gru' ? [2, gates * units] : [gates * units];
      if (bias.rank !== want.length || bias.shape.some((d, i) => d !== want[i])) {
        throw shapeError(fn, `bias must be [${kind === 'gru' ? '2, ' : ''}${gates} * units]`, bias.shape, want);
      }
    }
    for (let s = 0; s < (initialState ? stateCount : 0); s++) {
      const st = made[next++];
      if (st.rank !== 2 || st.shape[0] !== n || st.shape[1] !== units) throw shapeError(fn, `initialState[${s}] must be [batch, units]`, st.shape, [n, units]);
    }

    const attrs: RnnAttrs = {
      kind: KINDS[kind],
      activation: kind === 'rnn' ? ACTIVATIONS[activation] : Activation.Tanh,
      goBackwards,
      returnSequences,
      hasBias: args.bias != null,
      hasState: initialState !== null,
    };
    const [output, ...states] = runOp(RnnSequence, made, attrs);
    return { output, states };
  } finally {
    made.forEach((t, i) => freeTemps(t, raw[i]));
  }
}
