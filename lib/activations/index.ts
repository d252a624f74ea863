// Activation functions as TF.js-layers has them: one small class per
// function, named by its lowerCamelCase class name ('relu', 'hardSigmoid',
// ...), which is also what a saved model's config holds.
import { typeError, unknownName } from '../errors';
import { Tensor } from '../tensor/tensor';
import { add, clipByValue, elu, erf, freeTemps, minimum, mul, relu, relu6, selu, sigmoid, softplus, softsign, tanh } from '../ops/elementwise';
import { logSoftmax, softmax } from '../ops/nn';
import { ConfigDict, getRegisteredClass, registerClass, Serializable } from '../serialization';

/** The names `getActivation` knows, as TF.js spells them. */
export type ActivationIdentifier =
  | 'elu' | 'hardSigmoid' | 'linear' | 'relu' | 'relu6' | 'selu' | 'sigmoid' | 'softmax' | 'softplus'
  | 'softsign' | 'tanh' | 'swish' | 'mish' | 'gelu' | 'gelu_new' | 'logSoftmax';

/** Base class of activation functions: `apply(x)` returns a new tensor (or x itself for linear). */
/**
 * Returns `result` after freeing the intermediates a composite activation
 * made. While a gradient tape records they stay alive (backward reads them)
 * and the gradient scope frees them instead; tidy() would free them too early.
 */
export function done(result: Tensor, ...temps: (Tensor | null)[]): Tensor {
  for (const t of temps) if (t) freeTemps(t, null);
  return result;
}

export abstract class Activation extends Serializable {
  static className: string;
  abstract apply(x: Tensor, axis?: number): Tensor;
  getConfig(): ConfigDict {
    return {};
  }
}

export class Linear extends Activation {
  static override className = 'linear';
  apply(x: Tensor): Tensor {
    return x;
  }
}

export class Relu extends Activation {
  static override className = 'relu';
  apply(x: Tensor): Tensor {
    return relu(x);
  }
}

export class Relu6 extends Activation {
  static override className = 'relu6';
  apply(x: Tensor): Tensor {
    return relu6(x);
  }
}

/** ELU; `apply(x, alpha)` scales the negative part as TF.js's Elu does. */
export class Elu extends Activation {
  static override className = 'elu';
  apply(x: Tensor, alpha = 1): Tensor {
    if (alpha === 1) return elu(x);
    // elu(x) is x above 0 and exp(x) - 1 below: scale only the part below.
    const e = elu(x);
    const below = minimum(e, 0);
    const scaled = mul(below, alpha);
    const above = relu(x);
    return done(add(above, scaled), e, below, scaled, above);
  }
}

export class Selu extends Activation {
  static override className = 'selu';
  apply(x: Tensor): Tensor {
    return selu(x);
  }
}

export class Sigmoid extends Activation {
  static override className = 'sigmoid';
  apply(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** clip(0.2 x + 0.5, 0, 1): the segment-wise sigmoid of TF.js and Keras 2. */
export class HardSigmoid extends Activation {
  static override className = 'hardSigmoid';
  apply(x: Tensor): Tensor {
    const scaled = mul(x, 0.2);
    const shifted = add(scaled, 0.5);
    return done(clipByValue(shifted, 0, 1), scaled, shifted);
  }
}

export class Softplus extends Activation {
  static override className = 'softplus';
  apply(x: Tensor): Tensor {
    return softplus(x);
  }
}

/** x / (1 + |x|). */
export class Softsign extends Activation {
  static override className = 'softsign';
  apply(x: Tensor): Tensor {
    return softsign(x);
  }
}

export class Tanh extends Activation {
  static override className = 'tanh';
  apply(x: Tensor): Tensor {
    return tanh(x);
  }
}

export class Softmax extends Activation {
  static override className = 'softmax';
  apply(x: Tensor, axis = -1): Tensor {
    return softmax(x, axis);
  }
}

export class LogSoftmax extends Activation {
  static override className = 'logSoftmax';
  apply(x: Tensor, axis = -1): Tensor {
    return logSoftmax(x, axis);
  }
}

/** x * sigmoid(alpha * x). */
export class Swish extends Activation {
  static override className = 'swish';
  apply(x: Tensor, alpha = 1): Tensor {
    const ax = alpha === 1 ? x : mul(x, alpha);
    const gate = sigmoid(ax);
    return done(mul(x, gate), gate, ax === x ? null : ax);
  }
}

/** x * tanh(softplus(x)). */
export class Mish extends Activation {
  static override className = 'mish';
  apply(x: Tensor): Tensor {
    const sp = softplus(x);
    const gate = tanh(sp);
    return done(mul(x, gate), sp, gate);
  }
}

/** The exact GELU: 0.5 x (1 + erf(x / sqrt 2)). */
export class Gelu extends Activation {
  static override className = 'gelu';
  apply(x: Tensor): Tensor {
    const scaled = mul(x, Math.SQRT1_2);
    const e = erf(scaled);
    const gate = add(e, 1);
    const half = mul(x, 0.5);
    return done(mul(half, gate), scaled, e, gate, half);
  }
}

/** The tanh approximation of GELU: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export class GeluNew extends Activation {
  static override className = 'gelu_new';
  apply(x: Tensor): Tensor {
    const x2 = mul(x, x);
    const x3 = mul(x2, x);
    const cubic = mul(x3, 0.044715);
    const sum = add(x, cubic);
    const inner = mul(sum, Math.sqrt(2 / Math.PI));
    const th = tanh(inner);
    const gate = add(th, 1);
    const half = mul(x, 0.5);
    return done(mul(half, gate), x2, x3, cubic, sum, inner, th, gate, half);
  }
}

const CLASSES: (typeof Linear)[] = [Linear, Relu, Relu6, Elu, Selu, Sigmoid, HardSigmoid, Softplus, Softsign, Tanh, Softmax, LogSoftmax, Swish, Mish, Gelu, GeluNew];
for (const cls of CLASSES) registerClass(cls);

// Keras spells names in snake_case ('hard_sigmoid', 'log_softmax'), TF.js in
// lowerCamelCase; both, in any letter case, find the same class.
const normalise = (name: string): string => name.toLowerCase().replace(/_/g, '');
const BY_NAME = new Map<string, typeof Linear>(CLASSES.map((cls) => [normalise(cls.className), cls]));
// One instance per class: activations hold no state.
const INSTANCES = new Map<typeof Linear, Activation>();

/**
 * An activation from its name, a `{className}` config, or an instance;
 * null or undefined give `linear`.
 * `tf.layers.dense({units: 4, activation: 'relu'})` uses `getActivation('relu')`.
 */
export function getActivation(identifier: ActivationIdentifier | string | ConfigDict | Activation | null | undefined): Activation {
  if (identifier == null) return instanceOf(Linear);
  if (identifier instanceof Activation) return identifier;
  let name: unknown = identifier;
  if (typeof identifier === 'object') name = identifier.className ?? identifier.class_name;
  if (typeof name !== 'string') {
    throw typeError('getActivation', 'identifier', 'an activation name, a {className} config or an Activation', identifier);
  }
  const cls = BY_NAME.get(normalise(name));
  if (cls) return instanceOf(cls);
  // A user's Activation subclass registered with tf.serialization.registerClass.
  const custom = getRegisteredClass(name);
  if (custom?.prototype instanceof Activation) return custom.fromConfig!(custom, ((identifier as ConfigDict).config ?? {}) as ConfigDict) as Activation;
  throw unknownName('getActivation', 'activation', name, CLASSES.map((c) => c.className));
}

function instanceOf(cls: typeof Linear): Activation {
  let a = INSTANCES.get(cls);
  if (!a) INSTANCES.set(cls, (a = new cls()));
  return a;
}

/** The name under which an activation is saved in a layer's config ('relu', ...). */
export function serializeActivation(activation: Activation): string {
  return activation.getClassName();
}
