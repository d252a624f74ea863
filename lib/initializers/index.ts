// Weight initializers (tf.initializers.*), with TF.js's class names and
// configs so that saved models name them the same way. Random ones draw from
// lib/ops/random.ts: without a seed they use the global stream, so
// tf.setSeed makes a model's initial weights reproducible.
import { check, codedError, rangeError, typeError, unknownName } from '../errors';
import { DataType } from '../tensor/dtype';
import { Tensor } from '../tensor/tensor';
import { fill, tensor, zeros } from '../ops/creation';
import { randomNormal, randomUniform, truncatedNormal } from '../ops/random';
import { ConfigDict, getRegisteredClass, registerClass, Serializable } from '../serialization';

export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
export type Distribution = 'normal' | 'uniform' | 'truncatedNormal' | 'untruncatedNormal';
const FAN_MODES: readonly FanMode[] = ['fanIn', 'fanOut', 'fanAvg'];
const DISTRIBUTIONS: readonly Distribution[] = ['normal', 'uniform', 'truncatedNormal', 'untruncatedNormal'];

// The standard deviation of a unit normal truncated at two standard
// deviations: Keras divides by it so that 'truncatedNormal' has the asked-for spread.
const TRUNCATED_STDDEV = 0.87962566103423978;

/** Base class: `apply(shape, dtype)` returns a new tensor of initial values. */
export abstract class Initializer extends Serializable {
  static className: string;
  abstract apply(shape: number[], dtype?: DataType): Tensor;
  getConfig(): ConfigDict {
    return {};
  }
}

export class Zeros extends Initializer {
  static override className = 'Zeros';
  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    return zeros(shape, dtype);
  }
}

export class Ones extends Initializer {
  static override className = 'Ones';
  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    return fill(shape, 1, dtype);
  }
}

export interface ConstantArgs { value: number }

export class Constant extends Initializer {
  static override className = 'Constant';
  readonly value: number;
  constructor(args: ConstantArgs) {
    super();
    if (args == null || typeof args !== 'object') throw typeError('initializers.constant', 'args', 'an object {value}', args);
    check.isNumber('initializers.constant', 'value', args.value);
    this.value = args.value;
  }
  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    return fill(shape, this.value, dtype);
  }
  override getConfig(): ConfigDict {
    return { value: this.value };
  }
}

export interface RandomUniformArgs { minval?: number; maxval?: number; seed?: number }

export class RandomUniform extends Initializer {
  static override className = 'RandomUniform';
  readonly minval: number;
  readonly maxval: number;
  readonly seed?: number;
  constructor(args: RandomUniformArgs = {}) {
    super();
    this.minval = args.minval ?? -0.05;
    this.maxval = args.maxval ?? 0.05;
    this.seed = args.seed ?? undefined;
    check.isNumber('initializers.randomUniform', 'minval', this.minval);
    check.isNumber('initializers.randomUniform', 'maxval', this.maxval);
    if (!(this.maxval >= this.minval)) throw rangeError('initializers.randomUniform', 'maxval', `a number >= minval (${this.minval})`, this.maxval);
  }
  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    return randomUniform(shape, this.minval, this.maxval, dtype, this.seed);
  }
  override getConfig(): ConfigDict {
    return { minval: this.minval, maxval: this.maxval, seed: this.seed ?? null };
  }
}

export interface RandomNormalArgs { mean?: number; stddev?: number; seed?: number }

function normalArgs(fn: string, args: RandomNormalArgs): { mean: number; stddev: number; seed?: number } {
  const mean = args.mean ?? 0;
  const stddev = args.stddev ?? 0.05;
  check.isNumber(fn, 'mean', mean);
  check.isNumber(fn, 'stddev', stddev);
  if (stddev < 0) throw rangeError(fn, 'stddev', 'a number >= 0', stddev);
  return { mean, stddev, seed: args.seed ?? undefined };
}

export class RandomNormal extends Initializer {
  static override className = 'RandomNormal';
  readonly mean: number;
  readonly stddev: number;
  readonly seed?: number;
  constructor(args: RandomNormalArgs = {}) {
    super();
    ({ mean: this.mean, stddev: this.stddev, seed: this.seed } = normalArgs('initializers.randomNormal', args));
  }
  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    return randomNormal(shape, this.mean, this.stddev, dtype, this.seed);
  }
  override getConfig(): ConfigDict {
    return { mean: this.mean, stddev: this.stddev, seed: this.seed ?? null };
  }
}

/** Normal values, redrawn when more than two standard deviations from the mean. */
export class TruncatedNormal extends Initializer {
  static override className = 'TruncatedNormal';
  readonly mean: number;
  readonly stddev: number;
  readonly seed?: number;
  constructor(args: RandomNormalArgs = {}) {
    super();
    ({ mean: this.mean, stddev: this.stddev, seed: this.seed } = normalArgs('initializers.truncatedNormal', args));
  }
  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    return truncatedNormal(shape, this.mean, this.stddev, dtype, this.seed);
  }
  override getConfig(): ConfigDict {
    return { mean: this.mean, stddev: this.stddev, seed: this.seed ?? null };
  }
}

export interface IdentityArgs { gain?: number }

/** gain times the identity matrix (2-D shapes only). */
export class Identity extends Initializer {
  static override className = 'Identity';
  readonly gain: number;
  constructor(args: IdentityArgs = {}) {
    super();
    this.gain = args.gain ?? 1;
    check.isNumber('initializers.identity', 'gain', this.gain);
  }
  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    if (shape.length !== 2) throw rangeError('initializers.identity', 'shape', 'a 2-D shape', shape);
    const [rows, cols] = shape;
    const values = new Float32Array(rows * cols);
    for (let i = 0; i < Math.min(rows, cols); i++) values[i * cols + i] = this.gain;
    return tensor(values, [rows, cols], dtype);
  }
  override getConfig(): ConfigDict {
    return { gain: this.gain };
  }
}

/**
 * Fan-in and fan-out of a weight shape, channels-last as Keras stores every
 * kernel: [in, out] for dense; [...receptive field, in, out] for convolutions.
 */
export function computeFans(shape: number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  let receptive = 1;
  for (let i = 0; i < shape.length - 2; i++) receptive *= shape[i];
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

export interface VarianceScalingArgs { scale?: number; mode?: FanMode; distribution?: Distribution; seed?: number }

// Keras configs spell modes and distributions in snake_case.
const camel = <T>(s: T): T => (typeof s === 'string' ? (s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) as T) : s);

/**
 * Values with variance scale / n, n being fan-in, fan-out or their average.
 * 'normal' is a normal truncated at two standard deviations of sqrt(scale / n)
 * (as TF.js and Keras 2.0); 'truncatedNormal' corrects the spread for the
 * truncation (as Keras 2.3+); 'untruncatedNormal' is a plain normal;
 * 'uniform' spans ±sqrt(3 scale / n).
 */
export class VarianceScaling extends Initializer {
  static override className = 'VarianceScaling';
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: Distribution;
  readonly seed?: number;
  constructor(args: VarianceScalingArgs = {}) {
    super();
    const fn = 'initializers.varianceScaling';
    this.scale = args.scale ?? 1;
    check.isNumber(fn, 'scale', this.scale);
    if (!(this.scale > 0)) throw rangeError(fn, 'scale', 'a positive number', this.scale);
    const mode = camel(args.mode ?? 'fanIn');
    check.oneOf(fn, 'mode', mode, FAN_MODES);
    this.mode = mode;
    const distribution = camel(args.distribution ?? 'normal');
    check.oneOf(fn, 'distribution', distribution, DISTRIBUTIONS);
    this.distribution = distribution;
    this.seed = args.seed ?? undefined;
  }
  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    const [fanIn, fanOut] = computeFans(shape);
    const n = this.mode === 'fanIn' ? fanIn : this.mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = this.scale / Math.max(1, n);
    switch (this.distribution) {
      case 'uniform': {
        const limit = Math.sqrt(3 * variance);
        return randomUniform(shape, -limit, limit, dtype, this.seed);
      }
      case 'normal':
        return truncatedNormal(shape, 0, Math.sqrt(variance), dtype, this.seed);
      case 'truncatedNormal':
        return truncatedNormal(shape, 0, Math.sqrt(variance) / TRUNCATED_STDDEV, dtype, this.seed);
      case 'untruncatedNormal':
        return randomNormal(shape, 0, Math.sqrt(variance), dtype, this.seed);
    }
  }
  override getConfig(): ConfigDict {
    return { scale: this.scale, mode: this.mode, distribution: this.distribution, seed: this.seed ?? null };
  }
}

export interface SeedOnlyInitializerArgs { seed?: number }

// The named variance-scaling presets are saved as 'VarianceScaling' with their
// parameters, as Keras does, so that any reader rebuilds them.
function preset(className: string, scale: number, mode: FanMode, distribution: Distribution) {
  return class extends VarianceScaling {
    static override className = className;
    constructor(args: SeedOnlyInitializerArgs = {}) {
      super({ scale, mode, distribution, seed: args?.seed });
    }
    override getClassName(): string {
      return VarianceScaling.className;
    }
  };
}

/** Uniform in ±sqrt(6 / (fanIn + fanOut)): the default kernel initializer of Dense. */
export const GlorotUniform = preset('GlorotUniform', 1, 'fanAvg', 'uniform');
export const GlorotNormal = preset('GlorotNormal', 1, 'fanAvg', 'normal');
export const HeUniform = preset('HeUniform', 2, 'fanIn', 'uniform');
export const HeNormal = preset('HeNormal', 2, 'fanIn', 'normal');
export const LeCunUniform = preset('LeCunUniform', 1, 'fanIn', 'uniform');
export const LeCunNormal = preset('LeCunNormal', 1, 'fanIn', 'normal');

export interface OrthogonalArgs { gain?: number; seed?: number }

/**
 * A random orthogonal matrix (rows or columns orthonormal, whichever are
 * fewer) times gain; shapes of rank > 2 are flattened to [prod(shape[:-1]), shape[-1]].
 */
export class Orthogonal extends Initializer {
  static override className = 'Orthogonal';
  readonly gain: number;
  readonly seed?: number;
  constructor(args: OrthogonalArgs = {}) {
    super();
    this.gain = args.gain ?? 1;
    check.isNumber('initializers.orthogonal', 'gain', this.gain);
    this.seed = args.seed ?? undefined;
  }
  apply(shape: number[], dtype: DataType = 'float32'): Tensor {
    if (shape.length < 2) throw rangeError('initializers.orthogonal', 'shape', 'a shape of rank >= 2', shape);
    const cols = shape[shape.length - 1];
    const rows = shape.reduce((a, b) => a * b, 1) / Math.max(cols, 1);
    // Orthonormalise the columns of a tall Gaussian matrix (QR as Keras does it),
    // then transpose when the weight is wide.
    const tall = Math.max(rows, cols);
    const narrow = Math.min(rows, cols);
    const draw = randomNormal([tall, narrow], 0, 1, 'float32', this.seed);
    const gaussian = draw.dataSync() as Float32Array;
    draw.dispose();
    const q = orthonormalColumns(gaussian, tall, narrow);
    const out = new Float32Array(rows * cols);
    for (let i = 0; i < tall; i++) {
      for (let j = 0; j < narrow; j++) {
        const v = this.gain * q[i * narrow + j];
        if (rows >= cols) out[i * cols + j] = v;
        else out[j * cols + i] = v;
      }
    }
    return tensor(out, shape.slice(), dtype);
  }
  override getConfig(): ConfigDict {
    return { gain: this.gain, seed: this.seed ?? null };
  }
}

/**
 * Q of the QR decomposition of an n x m row-major matrix (n >= m), by
 * modified Gram-Schmidt in float64 run twice (which keeps Q orthogonal to
 * rounding even for ill-conditioned inputs). R's diagonal comes out positive,
 * which is the sign convention Keras applies to make Q uniformly distributed.
 */
function orthonormalColumns(a: Float32Array, n: number, m: number): Float64Array {
  const q = Float64Array.from(a);
  for (let j = 0; j < m; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i * m + k] * q[i * m + j];
        for (let i = 0; i < n; i++) q[i * m + j] -= dot * q[i * m + k];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * m + j] * q[i * m + j];
    norm = Math.sqrt(norm);
    if (norm === 0) throw codedError('ERR_INVALID_ARG_VALUE', 'initializers.orthogonal: the random matrix was singular; try another seed');
    for (let i = 0; i < n; i++) q[i * m + j] /= norm;
  }
  return q;
}

type InitializerClass = { className: string; new (args?: any): Initializer; fromConfig: typeof Initializer.fromConfig };
const CLASSES: InitializerClass[] = [
  Zeros, Ones, Constant, RandomUniform, RandomNormal, TruncatedNormal, Identity, VarianceScaling,
  GlorotUniform, GlorotNormal, HeUniform, HeNormal, LeCunUniform, LeCunNormal, Orthogonal,
];
for (const cls of CLASSES) registerClass(cls);

// 'glorotUniform' (TF.js), 'glorot_uniform' (Keras) and 'GlorotUniform' (the
// class name) all find the same class.
const normalise = (name: string): string => name.toLowerCase().replace(/_/g, '');
const BY_NAME = new Map<string, InitializerClass>(CLASSES.map((cls) => [normalise(cls.className), cls]));

export type InitializerIdentifier =
  | 'constant' | 'glorotNormal' | 'glorotUniform' | 'heNormal' | 'heUniform' | 'identity' | 'leCunNormal'
  | 'leCunUniform' | 'ones' | 'orthogonal' | 'randomNormal' | 'randomUniform' | 'truncatedNormal'
  | 'varianceScaling' | 'zeros' | string;

/**
 * An initializer from a name ('glorotUniform', 'he_normal', ...), a
 * `{className, config}` dict (as saved models hold) or an instance.
 * `getInitializer('heNormal').apply([784, 200])` draws a kernel.
 */
export function getInitializer(identifier: InitializerIdentifier | ConfigDict | Initializer): Initializer {
  if (identifier instanceof Initializer) return identifier;
  let name: unknown = identifier;
  let config: ConfigDict = {};
  if (identifier !== null && typeof identifier === 'object') {
    name = identifier.className ?? identifier.class_name;
    config = (identifier.config ?? {}) as ConfigDict;
  }
  if (typeof name !== 'string') {
    throw typeError('getInitializer', 'identifier', 'an initializer name, a {className, config} dict or an Initializer', identifier);
  }
  const cls = BY_NAME.get(normalise(name)) ?? getRegisteredClass(name);
  // Besides the built-in names: a user's Initializer subclass registered with tf.serialization.registerClass.
  if (cls?.prototype instanceof Initializer) return cls.fromConfig!(cls as never, config) as Initializer;
  throw unknownName('getInitializer', 'initializer', name, CLASSES.map((c) => c.className));
}

/** The `{className, config}` dict a saved model holds for an initializer. */
export function serializeInitializer(initializer: Initializer): ConfigDict {
  return { className: initializer.getClassName(), config: initializer.getConfig() };
}

/** The `tf.initializers` namespace. `tf.initializers.heNormal({seed: 1}).apply([3, 4])`. */
export const initializers = {
  Initializer,
  zeros: (): Initializer => new Zeros(),
  ones: (): Initializer => new Ones(),
  constant: (args: ConstantArgs): Initializer => new Constant(args),
  randomUniform: (args?: RandomUniformArgs): Initializer => new RandomUniform(args),
  randomNormal: (args?: RandomNormalArgs): Initializer => new RandomNormal(args),
  truncatedNormal: (args?: RandomNormalArgs): Initializer => new TruncatedNormal(args),
  identity: (args?: IdentityArgs): Initializer => new Identity(args),
  varianceScaling: (args?: VarianceScalingArgs): Initializer => new VarianceScaling(args),
  glorotUniform: (args?: SeedOnlyInitializerArgs): Initializer => new GlorotUniform(args),
  glorotNormal: (args?: SeedOnlyInitializerArgs): Initializer => new GlorotNormal(args),
  heNormal: (args?: SeedOnlyInitializerArgs): Initializer => new HeNormal(args),
  heUniform: (args?: SeedOnlyInitializerArgs): Initializer => new HeUniform(args),
  leCunNormal: (args?: SeedOnlyInitializerArgs): Initializer => new LeCunNormal(args),
  leCunUniform: (args?: SeedOnlyInitializerArgs): Initializer => new LeCunUniform(args),
  orthogonal: (args?: OrthogonalArgs): Initializer => new Orthogonal(args),
};
