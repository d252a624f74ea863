// EarlyStopping: stop fit() when a monitored quantity stops improving, as
// Keras and tf.callbacks.earlyStopping; restoreBestWeights as Keras.
import { check, typeError } from '../errors';
import { Tensor } from '../tensor/tensor';
import { dispose, tidy } from '../tensor/scope';
import { clone } from '../ops/shape';
import { BaseCallback, Logs } from './base';

export interface EarlyStoppingCallbackArgs {
  /** The log to watch (default 'val_loss'). */
  monitor?: string;
  /** Changes smaller than this do not count as improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  verbose?: number;
  /** 'min', 'max', or 'auto' (max when the name contains 'acc', else min). */
  mode?: 'auto' | 'min' | 'max';
  /** Training stops unless the quantity gets better than this. */
  baseline?: number;
  /** Put back the weights of the best epoch when training stops (Keras; TF.js lacks it). */
  restoreBestWeights?: boolean;
}

export class EarlyStopping extends BaseCallback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly verbose: number;
  readonly mode: 'auto' | 'min' | 'max';
  readonly baseline: number | undefined;
  readonly restoreBestWeights: boolean;
  /** The epoch fit stopped at (0 when it did not stop early). */
  stoppedEpoch = 0;
  private wait = 0;
  private best = Infinity;
  private readonly better: (a: number, b: number) => boolean;
  private bestWeights: Tensor[] | null = null;

  constructor(args: EarlyStoppingCallbackArgs = {}) {
    super();
    const fn = 'earlyStopping';
    if (args === null || typeof args !== 'object') throw typeError(fn, 'args', 'an object', args);
    this.monitor = args.monitor ?? 'val_loss';
    if (typeof this.monitor !== 'string') throw typeError(fn, 'monitor', 'a log name such as \'val_loss\'', args.monitor);
    this.minDelta = Math.abs(args.minDelta ?? 0);
    check.isNumber(fn, 'minDelta', this.minDelta);
    this.patience = args.patience ?? 0;
    check.isInt(fn, 'patience', this.patience, 0);
    this.verbose = args.verbose ?? 0;
    this.mode = args.mode ?? 'auto';
    check.oneOf(fn, 'mode', this.mode, ['auto', 'min', 'max']);
    if (args.baseline !== undefined) check.isNumber(fn, 'baseline', args.baseline);
    this.baseline = args.baseline;
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    const max = this.mode === 'max' || (this.mode === 'auto' && this.monitor.includes('acc'));
    const delta = this.minDelta;
    this.better = max ? (current, best) => current - delta > best : (current, best) => current + delta < best;
    this.best = max ? -Infinity : Infinity;
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    const max = this.mode === 'max' || (this.mode === 'auto' && this.monitor.includes('acc'));
    this.best = this.baseline ?? (max ? -Infinity : Infinity);
    this.dropBest();
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const current = logs[this.monitor];
    if (current === undefined) {
      console.warn(`earlyStopping: the log '${this.monitor}' is not available; available: ${Object.keys(logs).join(', ')}`);
      return;
    }
    if (this.better(current, this.best)) {
      this.best = current;
      this.wait = 0;
      if (this.restoreBestWeights && this.model) {
        this.dropBest();
        const weights = this.model.getWeights();
        this.bestWeights = tidy(() => weights.map((w) => clone(w)));
      }
      return;
    }
    this.wait++;
    if (this.wait >= this.patience && this.model) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
      if (this.restoreBestWeights && this.bestWeights) this.model.setWeights(this.bestWeights);
    }
  }

  override onTrainEnd(): void {
    if (this.verbose > 0 && this.stoppedEpoch > 0) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    this.dropBest();
  }

  private dropBest(): void {
    if (this.bestWeights) dispose(this.bestWeights);
    this.bestWeights = null;
  }
}

/**
 * Stops training when a monitored log stops improving (tf.callbacks.earlyStopping).
 *
 * ```js
 * await model.fit(xs, ys, {epochs: 100, validationSplit: 0.2,
 *   callbacks: tf.callbacks.earlyStopping({monitor: 'val_loss', patience: 3})});
 * ```
 */
export function earlyStopping(args?: EarlyStoppingCallbackArgs): EarlyStopping {
  return new EarlyStopping(args);
}
