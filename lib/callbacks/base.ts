// The callback machinery of fit(): the base class, hook objects, the list
// that calls them in order, and History. Hooks may be async; fit awaits them.
import { typeError } from '../errors';
import type { LayersModel } from '../models/model';

export type Logs = { [key: string]: number };

/** fit()'s parameters, as callbacks see them in `this.params`. */
export type Params = { [key: string]: number | string | boolean | string[] | null };

export type YieldEveryOptions = 'auto' | 'batch' | 'epoch' | 'never' | number;

type Hook = void | Promise<void>;

/**
 * The base of every callback (tf.callbacks / tf.CustomCallback). Subclasses
 * override the hooks they need; each may return a promise.
 */
export abstract class BaseCallback {
  /** The model being trained (set by fit). */
  model: LayersModel | null = null;
  params: Params = {};

  setParams(params: Params): void {
    this.params = params;
  }

  setModel(model: LayersModel): void {
    this.model = model;
  }

  onTrainBegin(logs?: Logs): Hook {}
  onTrainEnd(logs?: Logs): Hook {}
  onEpochBegin(epoch: number, logs?: Logs): Hook {}
  onEpochEnd(epoch: number, logs?: Logs): Hook {}
  onBatchBegin(batch: number, logs?: Logs): Hook {}
  onBatchEnd(batch: number, logs?: Logs): Hook {}
}

/** TF.js's name for a callback bound to a model. */
export abstract class Callback extends BaseCallback {}

/** A hooks object as fit accepts it: `{onEpochEnd: async (epoch, logs) => {...}}`. */
export interface CustomCallbackArgs {
  onTrainBegin?: (logs?: Logs) => Hook;
  onTrainEnd?: (logs?: Logs) => Hook;
  onEpochBegin?: (epoch: number, logs?: Logs) => Hook;
  onEpochEnd?: (epoch: number, logs?: Logs) => Hook;
  onBatchBegin?: (batch: number, logs?: Logs) => Hook;
  onBatchEnd?: (batch: number, logs?: Logs) => Hook;
  [key: string]: unknown;
}

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'] as const;

/**
 * A callback from an object of hook functions (tf.CustomCallback).
 *
 * ```js
 * await model.fit(xs, ys, {callbacks: {onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss)}});
 * ```
 */
export class CustomCallback extends BaseCallback {
  private readonly hooks: CustomCallbackArgs;

  constructor(args: CustomCallbackArgs, fn = 'CustomCallback') {
    super();
    if (args === null || typeof args !== 'object') throw typeError(fn, 'args', 'an object of hook functions (onEpochEnd, onBatchEnd, ...)', args);
    for (const h of HOOKS) if (args[h] !== undefined && typeof args[h] !== 'function') throw typeError(fn, h, 'a function', args[h]);
    this.hooks = args;
  }

  override onTrainBegin(logs?: Logs): Hook {
    return this.hooks.onTrainBegin?.(logs);
  }
  override onTrainEnd(logs?: Logs): Hook {
    return this.hooks.onTrainEnd?.(logs);
  }
  override onEpochBegin(epoch: number, logs?: Logs): Hook {
    return this.hooks.onEpochBegin?.(epoch, logs);
  }
  override onEpochEnd(epoch: number, logs?: Logs): Hook {
    return this.hooks.onEpochEnd?.(epoch, logs);
  }
  override onBatchBegin(batch: number, logs?: Logs): Hook {
    return this.hooks.onBatchBegin?.(batch, logs);
  }
  override onBatchEnd(batch: number, logs?: Logs): Hook {
    return this.hooks.onBatchEnd?.(batch, logs);
  }
}

/** fit's `callbacks` option as a list of callbacks. */
export function standardizeCallbacks(callbacks: unknown, fn: string): BaseCallback[] {
  if (callbacks == null) return [];
  const list = Array.isArray(callbacks) ? callbacks : [callbacks];
  return list.map((c, i) => {
    if (c instanceof BaseCallback) return c;
    if (c !== null && typeof c === 'object') return new CustomCallback(c as CustomCallbackArgs, `${fn} (callbacks${Array.isArray(callbacks) ? `[${i}]` : ''})`);
    throw typeError(fn, 'callbacks', 'a callback, an object of hook functions, or an array of them', c);
  });
}

/** Calls each hook of each callback in order, awaiting those that return promises. */
export class CallbackList {
  constructor(readonly callbacks: BaseCallback[]) {}

  setParams(params: Params): void {
    for (const c of this.callbacks) c.setParams(params);
  }

  setModel(model: LayersModel): void {
    for (const c of this.callbacks) c.setModel(model);
  }

  async onTrainBegin(logs: Logs = {}): Promise<void> {
    for (const c of this.callbacks) await c.onTrainBegin(logs);
  }

  async onTrainEnd(logs: Logs = {}): Promise<void> {
    for (const c of this.callbacks) await c.onTrainEnd(logs);
  }

  async onEpochBegin(epoch: number, logs: Logs = {}): Promise<void> {
    for (const c of this.callbacks) await c.onEpochBegin(epoch, logs);
  }

  async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    for (const c of this.callbacks) await c.onEpochEnd(epoch, logs);
  }

  // The per-batch hooks run hundreds of times a second: await only real promises.
  async onBatchBegin(batch: number, logs: Logs): Promise<void> {
    for (const c of this.callbacks) {
      const r = c.onBatchBegin(batch, logs);
      if (r) await r;
    }
  }

  async onBatchEnd(batch: number, logs: Logs): Promise<void> {
    for (const c of this.callbacks) {
      const r = c.onBatchEnd(batch, logs);
      if (r) await r;
    }
  }
}

/**
 * Records the epoch logs: `history.history.loss[i]` is the mean loss of
 * epoch `history.epoch[i]`. fit() returns it; model.history holds the latest.
 */
export class History extends BaseCallback {
  epoch: number[] = [];
  history: { [key: string]: number[] } = {};

  override onTrainBegin(): void {
    this.epoch = [];
    this.history = {};
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.epoch.push(epoch);
    for (const key of Object.keys(logs)) (this.history[key] ??= []).push(logs[key]);
  }

  /** The logs are numbers already; kept for TF.js compatibility. */
  async syncData(): Promise<void> {}
}
