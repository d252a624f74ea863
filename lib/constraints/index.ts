// Weight constraints (tf.constraints.*): a projection applied to a weight
// after each optimizer step, with TF.js's class names and configs.
import { check, rangeError, typeError, unknownName } from '../errors';
import { Tensor } from '../tensor/tensor';
import { tidy } from '../tensor/scope';
import { add, clipByValue, div, mul, relu, sqrt, square } from '../ops/elementwise';
import { sum } from '../ops/reduce';
import { ConfigDict, getRegisteredClass, registerClass, Serializable } from '../serialization';

// The fuzz factor Keras adds to norms before dividing (TF.js's backend epsilon).
const EPSILON = 1e-7;

/** Base class: `apply(weight)` returns the projected weight. */
export abstract class Constraint extends Serializable {
  static className: string;
  abstract apply(w: Tensor): Tensor;
  getConfig(): ConfigDict {
    return {};
  }
}

/** L2 norms along `axis`, kept as a size-1 dimension so they broadcast back. */
function l2Norms(w: Tensor, axis: number | number[]): Tensor {
  return sqrt(sum(square(w), axis, true));
}

function axisArg(fn: string, axis: unknown): number | number[] {
  if (Array.isArray(axis)) {
    for (const a of axis) check.isInt(fn, 'axis', a);
    return axis as number[];
  }
  check.isInt(fn, 'axis', axis);
  return axis as number;
}

export interface MaxNormArgs { maxValue?: number; axis?: number }

/** Rescales each slice along `axis` whose L2 norm exceeds maxValue (default 2) down to maxValue. */
export class MaxNorm extends Constraint {
  static override className = 'MaxNorm';
  readonly maxValue: number;
  readonly axis: number | number[];
  constructor(args: MaxNormArgs = {}) {
    super();
    this.maxValue = args.maxValue ?? 2;
    check.isNumber('constraints.maxNorm', 'maxValue', this.maxValue);
    if (this.maxValue < 0) throw rangeError('constraints.maxNorm', 'maxValue', 'a number >= 0', this.maxValue);
    this.axis = axisArg('constraints.maxNorm', args.axis ?? 0);
  }
  apply(w: Tensor): Tensor {
    return tidy(() => {
      const norms = l2Norms(w, this.axis);
      const desired = clipByValue(norms, 0, this.maxValue);
      return mul(w, div(desired, add(norms, EPSILON)));
    });
  }
  override getConfig(): ConfigDict {
    return { maxValue: this.maxValue, axis: this.axis };
  }
}

export interface UnitNormArgs { axis?: number }

/** Scales each slice along `axis` to unit L2 norm. */
export class UnitNorm extends Constraint {
  static override className = 'UnitNorm';
  readonly axis: number | number[];
  constructor(args: UnitNormArgs = {}) {
    super();
    this.axis = axisArg('constraints.unitNorm', args.axis ?? 0);
  }
  apply(w: Tensor): Tensor {
    return tidy(() => div(w, add(l2Norms(w, this.axis), EPSILON)));
  }
  override getConfig(): ConfigDict {
    return { axis: this.axis };
  }
}

/** Sets negative weights to 0. */
export class NonNeg extends Constraint {
  static override className = 'NonNeg';
  apply(w: Tensor): Tensor {
    return relu(w);
  }
}

export interface MinMaxNormArgs { minValue?: number; maxValue?: number; axis?: number; rate?: number }

/**
 * Moves each slice's L2 norm into [minValue, maxValue]: the new norm is
 * rate * clip(norm) + (1 - rate) * norm.
 */
export class MinMaxNorm extends Constraint {
  static override className = 'MinMaxNorm';
  readonly minValue: number;
  readonly maxValue: number;
  readonly rate: number;
  readonly axis: number | number[];
  constructor(args: MinMaxNormArgs = {}) {
    super();
    const fn = 'constraints.minMaxNorm';
    this.minValue = args.minValue ?? 0;
    this.maxValue = args.maxValue ?? 1;
    this.rate = args.rate ?? 1;
    check.isNumber(fn, 'minValue', this.minValue);
    check.isNumber(fn, 'maxValue', this.maxValue);
    check.isNumber(fn, 'rate', this.rate);
    if (this.maxValue < this.minValue) throw rangeError(fn, 'maxValue', `a number >= minValue (${this.minValue})`, this.maxValue);
    check.inRange(fn, 'rate', this.rate, 0, 1);
    this.axis = axisArg(fn, args.axis ?? 0);
  }
  apply(w: Tensor): Tensor {
    return tidy(() => {
      const norms = l2Norms(w, this.axis);
      const clipped = clipByValue(norms, this.minValue, this.maxValue);
      const desired = this.rate === 1 ? clipped : add(mul(clipped, this.rate), mul(norms, 1 - this.rate));
      return mul(w, div(desired, add(norms, EPSILON)));
    });
  }
  override getConfig(): ConfigDict {
    return { minValue: this.minValue, maxValue: this.maxValue, rate: this.rate, axis: this.axis };
  }
}

type ConstraintClass = { className: string; new (args?: any): Constraint; fromConfig: typeof Constraint.fromConfig };
const CLASSES: ConstraintClass[] = [MaxNorm, UnitNorm, NonNeg, MinMaxNorm];
for (const cls of CLASSES) registerClass(cls);

// 'maxNorm' (TF.js), 'max_norm' (Keras) and 'MaxNorm' (the class) are one name.
const normalise = (name: string): string => name.toLowerCase().replace(/_/g, '');
const BY_NAME = new Map<string, ConstraintClass>(CLASSES.map((cls) => [normalise(cls.className), cls]));

/**
 * A constraint from a name ('maxNorm', 'non_neg', ...), a `{className, config}`
 * dict or an instance. `getConstraint('nonNeg').apply(w)` zeroes negative weights.
 */
export function getConstraint(identifier: string | ConfigDict | Constraint): Constraint {
  if (identifier instanceof Constraint) return identifier;
  let name: unknown = identifier;
  let config: ConfigDict = {};
  if (identifier !== null && typeof identifier === 'object') {
    name = identifier.className ?? identifier.class_name;
    config = (identifier.config ?? {}) as ConfigDict;
  }
  if (typeof name !== 'string') throw typeError('getConstraint', 'identifier', 'a constraint name, a {className, config} dict or a Constraint', identifier);
  const cls = BY_NAME.get(normalise(name)) ?? getRegisteredClass(name);
  // Besides the built-in names: a user's Constraint subclass registered with tf.serialization.registerClass.
  if (cls?.prototype instanceof Constraint) return cls.fromConfig!(cls as never, config) as Constraint;
  throw unknownName('getConstraint', 'constraint', name, CLASSES.map((c) => c.className));
}

/** The `{className, config}` dict a saved model holds for a constraint. */
export function serializeConstraint(c: Constraint): ConfigDict {
  return { className: c.getClassName(), config: c.getConfig() };
}

/** The `tf.constraints` namespace: `tf.constraints.maxNorm({maxValue: 3})`. */
export const constraints = {
  Constraint,
  maxNorm: (args?: MaxNormArgs): Constraint => new MaxNorm(args),
  unitNorm: (args?: UnitNormArgs): Constraint => new UnitNorm(args),
  nonNeg: (): Constraint => new NonNeg(),
  minMaxNorm: (args?: MinMaxNormArgs): Constraint => new MinMaxNorm(args),
};
