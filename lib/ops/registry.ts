// The op registry. Each primitive op is declared once with defineOp: its
// forward (native kernels), and its gradient written with other ops (or null
// when no gradient flows through it, as for comparisons and argMax). The
// public functions in lib/ops/*.ts validate their arguments, then runOp.
// Ops composed from primitives need no entry: autograd sees the primitives.
import { codedError } from '../errors';
import { engine, Tape } from '../tensor/engine';
import { Tensor } from '../tensor/tensor';

export interface ForwardContext {
  /** True when a gradient tape will need this op's backward: only then save extra tensors. */
  readonly needsGrad: boolean;
  /** Keeps tensors made during forward for backward (e.g. a dropout mask). */
  save(...tensors: Tensor[]): void;
}

export interface BackwardContext<A> {
  readonly inputs: Tensor[];
  readonly outputs: Tensor[];
  readonly saved: Tensor[];
  readonly attrs: A;
  /** needs[i]: whether the gradient of inputs[i] is wanted; skip the work when not. */
  readonly needs: boolean[];
}

export interface OpDef<A = Record<string, unknown>> {
  name: string;
  forward(inputs: Tensor[], attrs: A, ctx: ForwardContext): Tensor | Tensor[];
  /** One gradient (or null) per input, from one gradient per output. null: no gradient flows. */
  backward: ((dys: Tensor[], ctx: BackwardContext<A>) => (Tensor | null)[]) | null;
}

const registry = new Map<string, OpDef<any>>();

export function defineOp<A>(def: OpDef<A>): OpDef<A> {
  if (registry.has(def.name)) throw new Error(`defineOp: op '${def.name}' is declared twice`);
  registry.set(def.name, def);
  return def;
}

/** The declared ops, for tests that check every op has a gradient test. */
export function registeredOps(): string[] {
  return [...registry.keys()];
}

let forwardDepth = 0;

/** Runs a declared op, recording it on every active tape that one of its inputs reaches. */
export function runOp<A>(def: OpDef<A>, inputs: Tensor[], attrs: A): Tensor[] {
  for (const t of inputs) t.assertLive(def.name);
  let recordOn: Tape[] | null = null;
  // Ops that a forward runs internally are part of that op, not of the graph.
  if (forwardDepth === 0 && def.backward && engine.tapes.length) {
    for (const tape of engine.tapes) {
      if (inputs.some((t) => tape.reachable.has(t.id))) (recordOn ??= []).push(tape);
    }
  }
  const saved: Tensor[] = [];
  const ctx: ForwardContext = { needsGrad: recordOn !== null, save: (...ts) => saved.push(...ts) };
  forwardDepth++;
  let out: Tensor | Tensor[];
  try {
    out = def.forward(inputs, attrs, ctx);
  } finally {
    forwardDepth--;
  }
  const outputs = Array.isArray(out) ? out : [out];
  if (recordOn) {
    const backward = def.backward!;
    // The tape keeps its own list: callers may reorder the array they get back.
    const recorded = outputs.slice();
    for (const tape of recordOn) {
      const needs = inputs.map((t) => tape.reachable.has(t.id));
      tape.nodes.push({
        inputs,
        outputs: recorded,
        backward: (dys) => backward(dys, { inputs, outputs: recorded, saved, attrs, needs }),
      });
      for (const o of outputs) tape.reachable.add(o.id);
      for (const t of inputs) tape.held.add(t.id);
      for (const t of outputs) tape.held.add(t.id);
      for (const t of saved) tape.held.add(t.id);
    }
  }
  return outputs;
}

/** Convenience for single-output ops. */
export function run1<A>(def: OpDef<A>, inputs: Tensor[], attrs: A): Tensor {
  return runOp(def, inputs, attrs)[0];
}

export function notDifferentiable(op: string): never {
  throw codedError('ERR_NOT_DIFFERENTIABLE', `gradient of '${op}' is not implemented`);
}
