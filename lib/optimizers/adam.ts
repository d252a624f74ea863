// The Adam family: Adam, AdamW (Keras's decoupled weight decay) and Adamax,
// with TF.js's update rules (the arithmetic lives in the native optimStep
// kernel; bias correction comes from the 1-based step it is given).
import { OptimHyper, OptimKind } from '../native';
import { registerClass } from '../serialization';
import { ClipConfig, ConfigDict, EPSILON, Optimizer, ParamSpec } from './optimizer';

const MOMENT_SLOTS: readonly string[] = ['m', 'v'];

export interface AdamConfig extends ClipConfig {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

const ADAM_PARAMS: readonly ParamSpec[] = [
  { name: 'learningRate', default: 0.001 },
  { name: 'beta1', default: 0.9, kind: 'unit' },
  { name: 'beta2', default: 0.999, kind: 'unit' },
  { name: 'epsilon', default: EPSILON },
];

/**
 * Adam (Kingma & Ba), as TF.js computes it: with t the 1-based step,
 * `m = b1 m + (1-b1) g`, `v = b2 v + (1-b2) g²`,
 * `w -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + epsilon)`.
 *
 * ```js
 * model.compile({optimizer: tf.train.adam(5e-4), loss: 'categoricalCrossentropy'});
 * ```
 */
export class AdamOptimizer extends Optimizer {
  static override className = 'Adam';
  protected readonly kind: OptimKind = OptimKind.Adam;
  beta1: number;
  beta2: number;
  epsilon: number;

  constructor(learningRate?: number | AdamConfig, beta1?: number, beta2?: number, epsilon?: number | null) {
    super();
    const c = this.configure(new.target.name, ADAM_PARAMS, [learningRate, beta1, beta2, epsilon]);
    this.beta1 = c.beta1;
    this.beta2 = c.beta2;
    this.epsilon = c.epsilon;
  }

  protected slotNames(): readonly string[] {
    return MOMENT_SLOTS;
  }

  protected hyper(): OptimHyper {
    return { lr: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, step: this.iterations_ + 1 };
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

export interface AdamWConfig extends AdamConfig {
  weightDecay?: number;
}

const ADAMW_PARAMS: readonly ParamSpec[] = [...ADAM_PARAMS, { name: 'weightDecay', default: 0.004 }];

/**
 * AdamW (Loshchilov & Hutter), as Keras: Adam plus a decoupled weight decay
 * `w -= lr * weightDecay * w` each step. Defaults are Keras's (weightDecay 0.004).
 *
 * ```js
 * const opt = tf.train.adamw(1e-3, 0.9, 0.999, 1e-7, 0.01);
 * ```
 */
export class AdamWOptimizer extends AdamOptimizer {
  static override className = 'AdamW';
  protected override readonly kind: OptimKind = OptimKind.AdamW;
  weightDecay: number;

  constructor(learningRate?: number | AdamWConfig, beta1?: number, beta2?: number, epsilon?: number | null, weightDecay?: number) {
    super(learningRate as number, beta1, beta2, epsilon);
    this.weightDecay = this.configure('AdamWOptimizer', ADAMW_PARAMS, [learningRate, beta1, beta2, epsilon, weightDecay]).weightDecay;
  }

  protected override hyper(): OptimHyper {
    const h = super.hyper();
    h.weightDecay = this.weightDecay;
    return h;
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig(), weightDecay: this.weightDecay };
  }
}

export interface AdamaxConfig extends AdamConfig {
  decay?: number;
}

const ADAMAX_PARAMS: readonly ParamSpec[] = [
  { name: 'learningRate', default: 0.002 },
  { name: 'beta1', default: 0.9, kind: 'unit' },
  { name: 'beta2', default: 0.999, kind: 'unit' },
  { name: 'epsilon', default: EPSILON },
  { name: 'decay', default: 0 },
];

/**
 * Adamax (the infinity-norm variant of Adam), as TF.js: `m = b1 m + (1-b1) g`,
 * `u = max(b2 u, |g|)`, `w -= lr_t / (1-b1^t) * m / (u + epsilon)` with
 * `lr_t = lr / (1 + decay * (t-1))`.
 *
 * ```js
 * const opt = tf.train.adamax(0.002);
 * ```
 */
export class AdamaxOptimizer extends Optimizer {
  static override className = 'Adamax';
  protected readonly kind: OptimKind = OptimKind.Adamax;
  beta1: number;
  beta2: number;
  epsilon: number;
  decay: number;

  constructor(learningRate?: number | AdamaxConfig, beta1?: number, beta2?: number, epsilon?: number | null, decay?: number) {
    super();
    const c = this.configure('AdamaxOptimizer', ADAMAX_PARAMS, [learningRate, beta1, beta2, epsilon, decay]);
    this.beta1 = c.beta1;
    this.beta2 = c.beta2;
    this.epsilon = c.epsilon;
    this.decay = c.decay;
  }

  protected slotNames(): readonly string[] {
    return MOMENT_SLOTS;
  }

  protected hyper(): OptimHyper {
    const lr = this.learningRate / (1 + this.decay * this.iterations_);
    return { lr, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, step: this.iterations_ + 1 };
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, decay: this.decay };
  }
}

registerClass(AdamOptimizer);
registerClass(AdamWOptimizer);
registerClass(AdamaxOptimizer);
