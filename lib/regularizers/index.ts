// Weight regularizers (tf.regularizers.*): a penalty added to the loss.
// TF.js has one class, L1L2; l1() and l2() are L1L2 with the other factor 0.
import { check, rangeError, typeError, unknownName } from '../errors';
import { Tensor } from '../tensor/tensor';
import { zeros } from '../ops/creation';
import { abs, add, mul, square } from '../ops/elementwise';
import { sum } from '../ops/reduce';
import { done } from '../activations';
import { ConfigDict, getRegisteredClass, registerClass, Serializable } from '../serialization';

/** Base class: `apply(weight)` returns the scalar penalty. */
export abstract class Regularizer extends Serializable {
  static className: string;
  abstract apply(x: Tensor): Tensor;
  getConfig(): ConfigDict {
    return {};
  }
}

export interface L1L2Args { l1?: number; l2?: number }
export interface L1Args { l1?: number }
export interface L2Args { l2?: number }

function factor(fn: string, arg: string, v: number): number {
  check.isNumber(fn, arg, v);
  if (v < 0) throw rangeError(fn, arg, 'a number >= 0', v);
  return v;
}

/** l1 * sum(|x|) + l2 * sum(x^2); each factor defaults to 0.01. */
export class L1L2 extends Regularizer {
  static override className = 'L1L2';
  readonly l1: number;
  readonly l2: number;
  constructor(args: L1L2Args = {}) {
    super();
    this.l1 = factor('regularizers.l1l2', 'l1', args?.l1 ?? 0.01);
    this.l2 = factor('regularizers.l1l2', 'l2', args?.l2 ?? 0.01);
  }
  apply(x: Tensor): Tensor {
    // No tidy: the penalty is differentiated, and backward reads the intermediates.
    const l1 = this.l1 !== 0 ? scaledSum(abs(x), this.l1) : null;
    const l2 = this.l2 !== 0 ? scaledSum(square(x), this.l2) : null;
    if (l1 && l2) return done(add(l1, l2), l1, l2);
    return l1 ?? l2 ?? zeros([]);
  }
  override getConfig(): ConfigDict {
    return { l1: this.l1, l2: this.l2 };
  }
}
registerClass(L1L2);

/** factor * sum(t), freeing t and the sum. */
function scaledSum(t: Tensor, factor: number): Tensor {
  const total = sum(t);
  return done(mul(total, factor), t, total);
}

/** `tf.regularizers.l1({l1: 0.01})`: l1 * sum(|x|). */
export function l1(args?: L1Args): Regularizer {
  return new L1L2({ l1: args?.l1 ?? 0.01, l2: 0 });
}

/** `tf.regularizers.l2({l2: 0.01})`: l2 * sum(x^2). */
export function l2(args?: L2Args): Regularizer {
  return new L1L2({ l1: 0, l2: args?.l2 ?? 0.01 });
}

/** `tf.regularizers.l1l2({l1: 0.01, l2: 0.01})`. */
export function l1l2(args?: L1L2Args): Regularizer {
  return new L1L2(args);
}

// Names from TF.js ('l1l2', 'L1L2') and from Keras configs ('l1', 'l2',
// 'l1_l2', and Keras 3's classes 'L1' and 'L2'), in any letter case.
const BY_NAME = new Map<string, (config: ConfigDict) => Regularizer>([
  ['l1l2', (c) => new L1L2(c)],
  ['l1', (c) => l1(c)],
  ['l2', (c) => l2(c)],
]);

/**
 * A regularizer from a name, a `{className, config}` dict or an instance.
 * `getRegularizer('l1l2')` is L1L2 with both factors 0.01.
 */
export function getRegularizer(identifier: string | ConfigDict | Regularizer): Regularizer {
  if (identifier instanceof Regularizer) return identifier;
  let name: unknown = identifier;
  let config: ConfigDict = {};
  if (identifier !== null && typeof identifier === 'object') {
    name = identifier.className ?? identifier.class_name;
    config = (identifier.config ?? {}) as ConfigDict;
  }
  if (typeof name !== 'string') throw typeError('getRegularizer', 'identifier', "a regularizer name, a {className, config} dict or a Regularizer", identifier);
  const make = BY_NAME.get(name.toLowerCase().replace(/_/g, ''));
  if (make) return make(config);
  // A user's Regularizer subclass registered with tf.serialization.registerClass.
  const custom = getRegisteredClass(name);
  if (custom?.prototype instanceof Regularizer) return custom.fromConfig!(custom, config) as Regularizer;
  throw unknownName('getRegularizer', 'regularizer', name, ['l1', 'l2', 'l1l2', 'L1L2']);
}

/** The `{className, config}` dict a saved model holds for a regularizer. */
export function serializeRegularizer(r: Regularizer): ConfigDict {
  return { className: r.getClassName(), config: r.getConfig() };
}

/** The `tf.regularizers` namespace. */
export const regularizers = { l1, l2, l1l2, Regularizer };
