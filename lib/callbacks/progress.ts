// The console output of fit(verbose): in a terminal, a progress bar per
// epoch redrawn in place; elsewhere (logs, pipes, CI), one line per epoch.
import { BaseCallback, Logs } from './base';

const REDRAW_MS = 100;
const BAR_WIDTH = 30;

/** As tfjs-node shows numbers: 2 decimals from 1 up, more for small values, at most 4. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x) || x === 0 || Math.abs(x) >= 1) return Number.isFinite(x) && !Number.isInteger(x) ? x.toFixed(2) : String(x);
  return x.toFixed(Math.min(2 - Math.floor(Math.log10(Math.abs(x))), 4));
}

function formatLogs(logs: Logs, skip: ReadonlySet<string>): string {
  return Object.keys(logs)
    .filter((k) => !skip.has(k))
    .map((k) => `${k}=${formatNumber(logs[k])}`)
    .join(' ');
}

const BATCH_KEYS = new Set(['batch', 'size']);

export interface ProgressOutput {
  isTTY: boolean;
  write(text: string): void;
}

/**
 * Prints `Epoch i / n`, then either a live bar (`512/60000 [=>----] eta=12s loss=0.53`)
 * or, without a terminal, one summary line per epoch (`2103ms 1122us/step - loss=0.53 acc=0.81`).
 */
export class ProgressLogger extends BaseCallback {
  private readonly out: ProgressOutput;
  private readonly bar: boolean;
  private epochStart = 0;
  private lastDraw = 0;
  private done = 0;
  private steps = 0;

  constructor(mode: 'auto' | 'line' = 'auto', out: ProgressOutput = { isTTY: Boolean(process.stdout.isTTY), write: (t) => process.stdout.write(t) }) {
    super();
    this.out = out;
    this.bar = mode === 'auto' && out.isTTY;
  }

  override onEpochBegin(epoch: number): void {
    this.out.write(`Epoch ${epoch + 1} / ${this.params.epochs}\n`);
    this.epochStart = performance.now();
    this.lastDraw = 0;
    this.done = 0;
    this.steps = 0;
  }

  override onBatchEnd(batch: number, logs: Logs = {}): void {
    this.done += logs.size ?? 0;
    this.steps++;
    if (!this.bar) return;
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const total = Number(this.params.samples) || this.done;
    const filled = Math.min(BAR_WIDTH, Math.round((this.done / total) * BAR_WIDTH));
    const eta = ((now - this.epochStart) / this.done) * (total - this.done) / 1000;
    const arrow = filled < BAR_WIDTH ? '>' : '';
    const bar = '='.repeat(Math.max(0, filled - arrow.length)) + arrow + '.'.repeat(BAR_WIDTH - filled);
    this.out.write(`\r${this.done}/${total} [${bar}] eta=${eta.toFixed(1)}s ${formatLogs(logs, BATCH_KEYS)}\x1b[K`);
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const ms = performance.now() - this.epochStart;
    const perStep = this.steps > 0 ? (ms * 1000) / this.steps : 0;
    if (this.bar) this.out.write('\r\x1b[K');
    this.out.write(`${ms.toFixed(0)}ms ${perStep.toFixed(0)}us/step - ${formatLogs(logs, BATCH_KEYS)}\n`);
  }
}
