// Process-wide state: live-tensor accounting, tidy scopes, gradient tapes and
// the random stream. It lives on a globalThis symbol so that two copies of the
// package loaded under different names (npm aliases) share one engine.
import type { Tensor, Variable } from './tensor';

export interface TapeNode {
  inputs: Tensor[];
  outputs: Tensor[];
  /** Returns one gradient (or null) per input, given one gradient per output. */
  backward: (dys: Tensor[]) => (Tensor | null)[];
}

export interface Tape {
  nodes: TapeNode[];
  /** Ids of the tensors that depend on the sources: only ops touching them are recorded. */
  reachable: Set<number>;
  /** Ids of every tensor a recorded node uses (inputs, outputs, saved): no tidy may free them. */
  held: Set<number>;
}

/** Whether a gradient tape being recorded still needs t for its backward pass. */
function heldByTape(t: Tensor): boolean {
  for (const tape of engine.tapes) if (tape.held.has(t.id)) return true;
  return false;
}

interface Scope {
  tracked: Tensor[];
  name: string;
}

export interface EngineState {
  nextTensorId: number;
  numTensors: number;
  numBytes: number;
  scopes: Scope[];
  tapes: Tape[];
  variables: Map<string, Variable>;
  seed: number;
  randomOffset: number;
  /** Class registry for (de)serialisation, shared across package copies. */
  classes: Map<string, unknown>;
  nameCounters: Map<string, number>;
}

const KEY = Symbol.for('tensorforge.engine.v1');

function create(): EngineState {
  return {
    nextTensorId: 0,
    numTensors: 0,
    numBytes: 0,
    scopes: [],
    tapes: [],
    variables: new Map(),
    seed: (Date.now() ^ (process.pid << 16)) >>> 0,
    randomOffset: 0,
    classes: new Map(),
    nameCounters: new Map(),
  };
}

export const engine: EngineState = ((globalThis as Record<symbol, EngineState>)[KEY] ??= create());

/** Registers a new tensor with the innermost scope (variables are never tracked). */
export function track(t: Tensor): void {
  const s = engine.scopes.length ? engine.scopes[engine.scopes.length - 1] : undefined;
  if (s) s.tracked.push(t);
}

export function startScope(name = 'scope'): void {
  engine.scopes.push({ tracked: [], name });
}

/**
 * Ends the innermost scope: disposes what it tracked except `keep` (the
 * results), which move to the enclosing scope so that it owns them.
 * keep = 'all' hands everything to the enclosing scope.
 */
export function endScope(keep: Set<Tensor> | 'all'): void {
  const scope = engine.scopes.pop();
  if (!scope) return;
  const parent = engine.scopes.length ? engine.scopes[engine.scopes.length - 1] : undefined;
  for (const t of scope.tracked) {
    if (t.isDisposed) continue;
    if (keep === 'all' || keep.has(t) || (engine.tapes.length > 0 && heldByTape(t))) {
      if (parent) parent.tracked.push(t);
    } else if (!t.kept) {
      t.dispose();
    }
  }
}

/** Next counter range of the global random stream (one counter per element). */
export function nextRandom(count: number): { seed: number; offset: number } {
  const offset = engine.randomOffset;
  // Counters are used four at a time by Philox; keep calls on whole blocks.
  engine.randomOffset += Math.ceil(count / 4) * 4 + 4;
  return { seed: engine.seed, offset };
}

/** Unique names per prefix, as Keras gives dense_1, dense_2, ... */
export function uniqueName(prefix: string): string {
  const n = engine.nameCounters.get(prefix) ?? 0;
  engine.nameCounters.set(prefix, n + 1);
  return n === 0 ? prefix : `${prefix}_${n}`;
}
