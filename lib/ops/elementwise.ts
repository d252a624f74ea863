// Elementwise ops: binary arithmetic with NumPy broadcasting, comparisons,
// logical ops, where, cast and the unary math / activation functions. Each
// primitive is one registry entry (forward through `native.*`, backward with
// other ops); composites (logSigmoid, prelu, logicalXor, ...) need no entry.
import { BinaryOp, native, ReduceOp, UnaryOp } from '../native';
import { check, shapeError, typeError } from '../errors';
import { DataType, DTYPES, Rank, upcast } from '../tensor/dtype';
import { engine } from '../tensor/engine';
import { makeOutput, reshapeView, Tensor } from '../tensor/tensor';
import { defineOp, OpDef, run1 } from './registry';
import { toTensor, TensorLike } from './convert';
import { scalar } from './creation';
import { reduceRaw } from './reduce';
import { sameShape } from '../tensor/shape';

// ------------------------------------------------------------------ helpers


/** @internal The NumPy broadcast of two shapes; a shape error naming both when they do not fit. */
export function broadcastShapes(fn: string, a: readonly number[], b: readonly number[]): number[] {
  if (sameShape(a, b)) return a.slice();
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da !== db && da !== 1 && db !== 1) throw shapeError(fn, 'operands could not be broadcast together', a, b);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * @internal The gradient of a broadcast: sums `g` over the axes where `shape`
 * was stretched (or prepended) so that the result has `shape`.
 */
export function reduceToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  const kept: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    const target = i < lead ? 1 : shape[i - lead];
    if (target === 1 && g.shape[i] !== 1) {
      axes.push(i);
      kept.push(1);
    } else {
      kept.push(g.shape[i]);
    }
  }
  if (axes.length === 0) return reshapeView(g, shape.slice());
  return reduceRaw(ReduceOp.Sum, g, axes, kept, shape.slice());
}

/**
 * @internal Frees tensors an op made for itself (converted arguments, casts,
 * the intermediates of a composite) once the result exists. While a gradient
 * tape records, backward may still read them: the gradient scope frees them.
 */
export function freeTemps(made: Tensor, arg: unknown): void {
  if (made !== arg && engine.tapes.length === 0) made.dispose();
}

/** @internal t in dtype `d`: itself, or a cast (dropping t at once when it was made from `arg`). */
export function inDtype(t: Tensor, d: DataType, arg: unknown): Tensor {
  if (t.dtype === d) return t;
  const c = cast(t, d);
  if (t !== arg) t.dispose();
  return c;
}

/** @internal dx = dy * op'(at) for an activation (see UnaryOp docs in kernels.h for what `at` is). */
export function activationGrad(op: UnaryOp, at: Tensor, dy: Tensor, alpha = 0, beta = 0): Tensor {
  return makeOutput(dy.shape.slice(), 'float32', (h) => native.unaryGrad(op, at.handle, dy.handle, h, alpha, beta));
}

const EMPTY = {};

// ------------------------------------------------------------------ binary ops

type BinaryGrad = (dy: Tensor, a: Tensor, b: Tensor, y: Tensor, needs: boolean[]) => [Tensor | null, Tensor | null];
type BinaryDef = OpDef<typeof EMPTY> & { fn: string };

function binaryOp(name: string, fn: string, code: BinaryOp, outBool: boolean, grad: BinaryGrad | null): BinaryDef {
  const def = defineOp<typeof EMPTY>({
    name,
    forward([a, b]) {
      const shape = broadcastShapes(fn, a.shape, b.shape);
      return makeOutput(shape, outBool ? 'bool' : a.dtype, (h) => native.binary(code, a.handle, b.handle, h));
    },
    backward: grad && (([dy], { inputs, outputs, needs }) => {
      const [ga, gb] = grad(dy, inputs[0], inputs[1], outputs[0], needs);
      return [ga && reduceToShape(ga, inputs[0].shape), gb && reduceToShape(gb, inputs[1].shape)];
    }),
  }) as BinaryDef;
  def.fn = fn;
  return def;
}

/** How a binary op chooses the dtype it computes in. */
const enum Compute {
  /** float32 > int32; bool operands compute in int32. */
  Numeric,
  /** float32 > int32 > bool. */
  Compare,
  /** Always float32. */
  Float,
  /** Bool only: anything else is a TypeError. */
  Logical,
}

function binary(def: BinaryDef, a: unknown, b: unknown, mode: Compute): Tensor {
  const fn = def.fn;
  if (mode === Compute.Logical) {
    const ta = logicalOperand(a, 'a', fn);
    const tb = logicalOperand(b, 'b', fn);
    const y = run1(def, [ta, tb], EMPTY);
    freeTemps(ta, a);
    freeTemps(tb, b);
    return y;
  }
  const ta0 = toTensor(a, 'a', fn);
  const tb0 = toTensor(b, 'b', fn);
  let d = mode === Compute.Float ? 'float32' : upcast(ta0.dtype, tb0.dtype);
  if (d === 'bool' && mode === Compute.Numeric) d = 'int32';
  // TF.js: dividing two int32 tensors is a floor division.
  if (def === Div && d === 'int32') def = FloorDiv;
  const ta = inDtype(ta0, d, a);
  const tb = inDtype(tb0, d, b);
  const y = run1(def, [ta, tb], EMPTY);
  freeTemps(ta, a);
  freeTemps(tb, b);
  return y;
}

function logicalOperand(x: unknown, arg: string, fn: string): Tensor {
  const t = toTensor(x, arg, fn, 'bool');
  if (t.dtype !== 'bool') throw typeError(fn, arg, 'a bool tensor', t);
  return t;
}

const Add = binaryOp('Add', 'add', BinaryOp.Add, false, (dy) => [dy, dy]);
const Sub = binaryOp('Sub', 'sub', BinaryOp.Sub, false, (dy, _a, _b, _y, needs) => [dy, needs[1] ? neg(dy) : null]);
const Mul = binaryOp('Mul', 'mul', BinaryOp.Mul, false, (dy, a, b, _y, needs) => [
  needs[0] ? mul(dy, b) : null,
  needs[1] ? mul(dy, a) : null,
]);
const Div = binaryOp('Div', 'div', BinaryOp.Div, false, (dy, _a, b, y, needs) => [
  needs[0] ? div(dy, b) : null,
  // d(a/b)/db = -(a/b)/b
  needs[1] ? neg(div(mul(dy, y), b)) : null,
]);
const FloorDiv = binaryOp('FloorDiv', 'floorDiv', BinaryOp.FloorDiv, false, null);
const DivNoNan = binaryOp('DivNoNan', 'divNoNan', BinaryOp.DivNoNan, false, (dy, a, b, _y, needs) => [
  needs[0] ? divNoNan(dy, b) : null,
  needs[1] ? neg(divNoNan(mul(dy, a), square(b))) : null,
]);
const Mod = binaryOp('Mod', 'mod', BinaryOp.Mod, false, (dy, a, b, _y, needs) => [
  dy,
  needs[1] ? mul(dy, neg(floor(div(a, b)))) : null,
]);
const Pow = binaryOp('Pow', 'pow', BinaryOp.Pow, false, (dy, a, b, y, needs) => [
  needs[0] ? mul(dy, mul(b, pow(a, sub(b, 1)))) : null,
  // d(a^b)/db = a^b log a, taken as 0 where a <= 0 (as TF.js does).
  needs[1] ? mul(dy, where(greater(a, 0), mul(y, log(a)), 0)) : null,
]);
const Maximum = binaryOp('Maximum', 'maximum', BinaryOp.Maximum, false, (dy, a, b, _y, needs) => [
  needs[0] ? mul(dy, greaterEqual(a, b)) : null,
  needs[1] ? mul(dy, less(a, b)) : null,
]);
const Minimum = binaryOp('Minimum', 'minimum', BinaryOp.Minimum, false, (dy, a, b, _y, needs) => [
  needs[0] ? mul(dy, lessEqual(a, b)) : null,
  needs[1] ? mul(dy, greater(a, b)) : null,
]);
const SquaredDifference = binaryOp('SquaredDifference', 'squaredDifference', BinaryOp.SquaredDifference, false, (dy, a, b) => {
  const g = mul(dy, mul(sub(a, b), 2));
  return [g, neg(g)];
});
const Atan2 = binaryOp('Atan2', 'atan2', BinaryOp.Atan2, false, (dy, a, b, _y, needs) => {
  const den = add(square(a), square(b));
  return [needs[0] ? mul(dy, div(b, den)) : null, needs[1] ? mul(dy, neg(div(a, den))) : null];
});

const Equal = binaryOp('Equal', 'equal', BinaryOp.Equal, true, null);
const NotEqual = binaryOp('NotEqual', 'notEqual', BinaryOp.NotEqual, true, null);
const Less = binaryOp('Less', 'less', BinaryOp.Less, true, null);
const LessEqual = binaryOp('LessEqual', 'lessEqual', BinaryOp.LessEqual, true, null);
const Greater = binaryOp('Greater', 'greater', BinaryOp.Greater, true, null);
const GreaterEqual = binaryOp('GreaterEqual', 'greaterEqual', BinaryOp.GreaterEqual, true, null);
const LogicalAnd = binaryOp('LogicalAnd', 'logicalAnd', BinaryOp.LogicalAnd, true, null);
const LogicalOr = binaryOp('LogicalOr', 'logicalOr', BinaryOp.LogicalOr, true, null);
// On bools, a != b is a XOR b.
const LogicalXor = binaryOp('LogicalXor', 'logicalXor', BinaryOp.NotEqual, true, null);

/** a + b with broadcasting. `tf.add([1, 2], 10)` → [11, 12]; also `a.add(b)`. */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binary(Add, a, b, Compute.Numeric);
}
/** a - b with broadcasting. `tf.sub([5, 6], [1, 2])` → [4, 4]. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binary(Sub, a, b, Compute.Numeric);
}
/** a * b with broadcasting. `tf.mul([[1], [2]], [3, 4])` → [[3, 4], [6, 8]]. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binary(Mul, a, b, Compute.Numeric);
}
/** a / b with broadcasting; two int32 operands divide with floor, as in TF.js. `tf.div([1, 3], 2)` → [0.5, 1.5]. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binary(Div, a, b, Compute.Numeric);
}
/** floor(a / b). `tf.floorDiv([7, -7], 2)` → [3, -4]. */
export function floorDiv(a: TensorLike, b: TensorLike): Tensor {
  return binary(FloorDiv, a, b, Compute.Numeric);
}
/** a / b, and 0 where b is 0. `tf.divNoNan([1, 2], [0, 4])` → [0, 0.5]. */
export function divNoNan(a: TensorLike, b: TensorLike): Tensor {
  return binary(DivNoNan, a, b, Compute.Float);
}
/** Remainder with the sign of b (Python's %). `tf.mod([-7, 7], 3)` → [2, 1]. */
export function mod(a: TensorLike, b: TensorLike): Tensor {
  return binary(Mod, a, b, Compute.Numeric);
}
/** a to the power b. `tf.pow([2, 3], 2)` → [4, 9]. */
export function pow(base: TensorLike, exp: TensorLike): Tensor {
  return binary(Pow, base, exp, Compute.Numeric);
}
/** The larger of a and b. `tf.maximum([1, 5], 3)` → [3, 5]. */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binary(Maximum, a, b, Compute.Numeric);
}
/** The smaller of a and b. `tf.minimum([1, 5], 3)` → [1, 3]. */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binary(Minimum, a, b, Compute.Numeric);
}
/** (a - b)². `tf.squaredDifference([1, 5], 3)` → [4, 4]. */
export function squaredDifference(a: TensorLike, b: TensorLike): Tensor {
  return binary(SquaredDifference, a, b, Compute.Numeric);
}
/** The angle of (b, a): atan(a / b) in the right quadrant. `tf.atan2(1, -1)` → 2.356. */
export function atan2(a: TensorLike, b: TensorLike): Tensor {
  return binary(Atan2, a, b, Compute.Float);
}
/** a == b, as bool. `tf.equal([1, 2], 2)` → [false, true]. */
export function equal(a: TensorLike, b: TensorLike): Tensor {
  return binary(Equal, a, b, Compute.Compare);
}
/** a != b, as bool. */
export function notEqual(a: TensorLike, b: TensorLike): Tensor {
  return binary(NotEqual, a, b, Compute.Compare);
}
/** a < b, as bool. `tf.less([1, 3], 2)` → [true, false]. */
export function less(a: TensorLike, b: TensorLike): Tensor {
  return binary(Less, a, b, Compute.Compare);
}
/** a <= b, as bool. */
export function lessEqual(a: TensorLike, b: TensorLike): Tensor {
  return binary(LessEqual, a, b, Compute.Compare);
}
/** a > b, as bool. */
export function greater(a: TensorLike, b: TensorLike): Tensor {
  return binary(Greater, a, b, Compute.Compare);
}
/** a >= b, as bool. */
export function greaterEqual(a: TensorLike, b: TensorLike): Tensor {
  return binary(GreaterEqual, a, b, Compute.Compare);
}
/** a AND b on bool tensors. `tf.logicalAnd([true, true], [true, false])` → [true, false]. */
export function logicalAnd(a: TensorLike, b: TensorLike): Tensor {
  return binary(LogicalAnd, a, b, Compute.Logical);
}
/** a OR b on bool tensors. */
export function logicalOr(a: TensorLike, b: TensorLike): Tensor {
  return binary(LogicalOr, a, b, Compute.Logical);
}
/** a XOR b on bool tensors. `tf.logicalXor([true, true], [true, false])` → [false, true]. */
export function logicalXor(a: TensorLike, b: TensorLike): Tensor {
  return binary(LogicalXor, a, b, Compute.Logical);
}

// ------------------------------------------------------------------ addN, where, cast

const AddN = defineOp<typeof EMPTY>({
  name: 'AddN',
  forward(xs) {
    // Accumulate in place into one output: no intermediate tensors.
    return makeOutput(xs[0].shape.slice(), xs[0].dtype, (h) => {
      native.binary(BinaryOp.Add, xs[0].handle, xs[1].handle, h);
      for (let i = 2; i < xs.length; i++) native.binary(BinaryOp.Add, h, xs[i].handle, h);
    });
  },
  backward: ([dy], { inputs }) => inputs.map(() => dy),
});

/** The sum of tensors of one shape and dtype. `tf.addN([a, b, c])` is a + b + c. */
export function addN(tensors: TensorLike[]): Tensor {
  const fn = 'addN';
  if (!Array.isArray(tensors) || tensors.length === 0) throw typeError(fn, 'tensors', 'a non-empty array of tensors', tensors);
  const ts = tensors.map((t, i) => toTensor(t, `tensors[${i}]`, fn));
  for (let i = 1; i < ts.length; i++) {
    if (!sameShape(ts[i].shape, ts[0].shape)) throw shapeError(fn, `tensors[0] and tensors[${i}] must have the same shape`, ts[0].shape, ts[i].shape);
    if (ts[i].dtype !== ts[0].dtype) throw typeError(fn, `tensors[${i}]`, `a ${ts[0].dtype} tensor like tensors[0]`, ts[i]);
  }
  let y: Tensor;
  if (ts.length === 1) y = cast(ts[0], ts[0].dtype);
  else y = run1(AddN, ts, EMPTY);
  ts.forEach((t, i) => freeTemps(t, tensors[i]));
  return y;
}

const Where = defineOp<typeof EMPTY>({
  name: 'Where',
  forward([c, a, b]) {
    const shape = broadcastShapes('where', broadcastShapes('where', c.shape, a.shape), b.shape);
    return makeOutput(shape, a.dtype, (h) => native.where(c.handle, a.handle, b.handle, h));
  },
  backward([dy], { inputs: [c, a, b], needs }) {
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (needs[1] || needs[2]) {
      const zero = scalar(0, dy.dtype);
      if (needs[1]) ga = reduceToShape(where(c, dy, zero), a.shape);
      if (needs[2]) gb = reduceToShape(where(c, zero, dy), b.shape);
    }
    return [null, ga, gb];
  },
});

/**
 * Picks a where `condition` is true and b elsewhere; the three broadcast together.
 * `tf.where([true, false], [1, 2], [10, 20])` → [1, 20]; also `a.where(condition, b)`.
 */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const fn = 'where';
  const c = toTensor(condition, 'condition', fn, 'bool');
  if (c.dtype !== 'bool') throw typeError(fn, 'condition', 'a bool tensor', c);
  const ta0 = toTensor(a, 'a', fn);
  const tb0 = toTensor(b, 'b', fn);
  const d = upcast(ta0.dtype, tb0.dtype);
  const ta = inDtype(ta0, d, a);
  const tb = inDtype(tb0, d, b);
  const y = run1(Where, [c, ta, tb], EMPTY);
  freeTemps(c, condition);
  freeTemps(ta, a);
  freeTemps(tb, b);
  return y;
}

const Cast = defineOp<{ dtype: DataType }>({
  name: 'Cast',
  forward([x], { dtype }) {
    // Same dtype: a new tensor over the same memory, as TF.js shares the data.
    if (x.dtype === dtype) return reshapeView(x, x.shape.slice());
    return makeOutput(x.shape.slice(), dtype, (h) => native.cast(x.handle, h));
  },
  // Only float inputs carry a gradient; ints and bools are constants to autograd.
  backward: ([dy], { inputs: [x] }) => [x.dtype === 'float32' ? dy : null],
});

/** x converted to `dtype` (float → int truncates toward zero). `tf.cast([1.7, -1.7], 'int32')` → [1, -1]. */
export function cast(x: TensorLike, dtype: DataType): Tensor {
  check.oneOf('cast', 'dtype', dtype, DTYPES);
  const t = toTensor(x, 'x', 'cast');
  const y = run1(Cast, [t], { dtype });
  freeTemps(t, x);
  return y;
}

// ------------------------------------------------------------------ unary ops

interface UnaryAttrs {
  alpha: number;
  beta: number;
}
type UnaryGrad = (dy: Tensor, x: Tensor, y: Tensor, attrs: UnaryAttrs) => Tensor;
/** What a unary op computes in: float32 only, float32 or int32, bool only. */
type UnaryDtypes = 'float' | 'numeric' | 'bool';
type UnaryDef = OpDef<UnaryAttrs> & { fn: string; dtypes: UnaryDtypes };

const NO_ATTRS: UnaryAttrs = { alpha: 0, beta: 0 };

function unaryOp(name: string, fn: string, code: UnaryOp, grad: UnaryGrad | null, dtypes: UnaryDtypes = 'float', outDtype?: DataType): UnaryDef {
  const def = defineOp<UnaryAttrs>({
    name,
    forward([x], { alpha, beta }) {
      return makeOutput(x.shape.slice(), outDtype ?? x.dtype, (h) => native.unary(code, x.handle, h, alpha, beta));
    },
    backward: grad && (([dy], { inputs, outputs, attrs }) => [grad(dy, inputs[0], outputs[0], attrs)]),
  }) as UnaryDef;
  def.fn = fn;
  def.dtypes = dtypes;
  return def;
}

function unary(def: UnaryDef, x: unknown, attrs: UnaryAttrs = NO_ATTRS): Tensor {
  const fn = def.fn;
  let t: Tensor;
  if (def.dtypes === 'bool') {
    t = logicalOperand(x, 'x', fn);
  } else {
    const t0 = toTensor(x, 'x', fn);
    const d = def.dtypes === 'float' || t0.dtype === 'float32' ? 'float32' : 'int32';
    t = inDtype(t0, d, x);
  }
  const y = run1(def, [t], attrs);
  freeTemps(t, x);
  return y;
}

// Activations whose derivative the native kernel computes (from y or x, see kernels.h).
const fromOutput = (code: UnaryOp): UnaryGrad => (dy, _x, y, a) => activationGrad(code, y, dy, a.alpha, a.beta);
const fromInput = (code: UnaryOp): UnaryGrad => (dy, x, _y, a) => activationGrad(code, x, dy, a.alpha, a.beta);

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

const Neg = unaryOp('Neg', 'neg', UnaryOp.Neg, (dy) => neg(dy), 'numeric');
const Abs = unaryOp('Abs', 'abs', UnaryOp.Abs, fromInput(UnaryOp.Abs), 'numeric');
const Sign = unaryOp('Sign', 'sign', UnaryOp.Sign, null, 'numeric');
const Square = unaryOp('Square', 'square', UnaryOp.Square, (dy, x) => mul(dy, mul(x, 2)), 'numeric');
const Exp = unaryOp('Exp', 'exp', UnaryOp.Exp, (dy, _x, y) => mul(dy, y));
const Expm1 = unaryOp('Expm1', 'expm1', UnaryOp.Expm1, (dy, x) => mul(dy, exp(x)));
const Log = unaryOp('Log', 'log', UnaryOp.Log, (dy, x) => div(dy, x));
const Log1p = unaryOp('Log1p', 'log1p', UnaryOp.Log1p, (dy, x) => div(dy, add(x, 1)));
const Sqrt = unaryOp('Sqrt', 'sqrt', UnaryOp.Sqrt, (dy, _x, y) => div(dy, mul(y, 2)));
// d(x^-1/2)/dx = -y³ / 2
const Rsqrt = unaryOp('Rsqrt', 'rsqrt', UnaryOp.Rsqrt, (dy, _x, y) => mul(dy, mul(pow(y, 3), -0.5)));
const Reciprocal = unaryOp('Reciprocal', 'reciprocal', UnaryOp.Reciprocal, (dy, _x, y) => neg(mul(dy, square(y))));
const Sin = unaryOp('Sin', 'sin', UnaryOp.Sin, (dy, x) => mul(dy, cos(x)));
const Cos = unaryOp('Cos', 'cos', UnaryOp.Cos, (dy, x) => neg(mul(dy, sin(x))));
const Tan = unaryOp('Tan', 'tan', UnaryOp.Tan, (dy, _x, y) => mul(dy, add(square(y), 1)));
const Asin = unaryOp('Asin', 'asin', UnaryOp.Asin, (dy, x) => mul(dy, rsqrt(sub(1, square(x)))));
const Acos = unaryOp('Acos', 'acos', UnaryOp.Acos, (dy, x) => neg(mul(dy, rsqrt(sub(1, square(x))))));
const Atan = unaryOp('Atan', 'atan', UnaryOp.Atan, (dy, x) => div(dy, add(square(x), 1)));
const Sinh = unaryOp('Sinh', 'sinh', UnaryOp.Sinh, (dy, x) => mul(dy, cosh(x)));
const Cosh = unaryOp('Cosh', 'cosh', UnaryOp.Cosh, (dy, x) => mul(dy, sinh(x)));
const Tanh = unaryOp('Tanh', 'tanh', UnaryOp.Tanh, fromOutput(UnaryOp.Tanh));
const Sigmoid = unaryOp('Sigmoid', 'sigmoid', UnaryOp.Sigmoid, fromOutput(UnaryOp.Sigmoid));
const Softplus = unaryOp('Softplus', 'softplus', UnaryOp.Softplus, fromInput(UnaryOp.Softplus));
const Softsign = unaryOp('Softsign', 'softsign', UnaryOp.Softsign, (dy, x) => div(dy, square(add(abs(x), 1))));
const Relu = unaryOp('Relu', 'relu', UnaryOp.Relu, fromOutput(UnaryOp.Relu));
const Relu6 = unaryOp('Relu6', 'relu6', UnaryOp.Relu6, fromOutput(UnaryOp.Relu6));
const Elu = unaryOp('Elu', 'elu', UnaryOp.Elu, fromOutput(UnaryOp.Elu));
const Selu = unaryOp('Selu', 'selu', UnaryOp.Selu, fromOutput(UnaryOp.Selu));
const LeakyRelu = unaryOp('LeakyRelu', 'leakyRelu', UnaryOp.LeakyRelu, fromOutput(UnaryOp.LeakyRelu));
const Erf = unaryOp('Erf', 'erf', UnaryOp.Erf, (dy, x) => mul(dy, mul(exp(neg(square(x))), TWO_OVER_SQRT_PI)));
const Round = unaryOp('Round', 'round', UnaryOp.Round, null);
const Floor = unaryOp('Floor', 'floor', UnaryOp.Floor, null);
const Ceil = unaryOp('Ceil', 'ceil', UnaryOp.Ceil, null);
const Step = unaryOp('Step', 'step', UnaryOp.Step, null);
const ClipByValue = unaryOp('ClipByValue', 'clipByValue', UnaryOp.Clip, fromInput(UnaryOp.Clip));
const IsNan = unaryOp('IsNan', 'isNaN', UnaryOp.IsNan, null, 'float', 'bool');
const LogicalNot = unaryOp('LogicalNot', 'logicalNot', UnaryOp.LogicalNot, null, 'bool');

/** -x. `tf.neg([1, -2])` → [-1, 2]. */
export function neg(x: TensorLike): Tensor {
  return unary(Neg, x);
}
/** |x|. `tf.abs([-1, 2])` → [1, 2]. */
export function abs(x: TensorLike): Tensor {
  return unary(Abs, x);
}
/** -1, 0 or 1 by the sign of x. `tf.sign([-3, 0, 2])` → [-1, 0, 1]. */
export function sign(x: TensorLike): Tensor {
  return unary(Sign, x);
}
/** x². `tf.square([2, -3])` → [4, 9]. */
export function square(x: TensorLike): Tensor {
  return unary(Square, x);
}
/** e^x. `tf.exp([0, 1])` → [1, 2.718]. */
export function exp(x: TensorLike): Tensor {
  return unary(Exp, x);
}
/** e^x - 1, accurate near 0. `tf.expm1([0])` → [0]. */
export function expm1(x: TensorLike): Tensor {
  return unary(Expm1, x);
}
/** Natural logarithm. `tf.log([1, Math.E])` → [0, 1]. */
export function log(x: TensorLike): Tensor {
  return unary(Log, x);
}
/** log(1 + x), accurate near 0. `tf.log1p([0])` → [0]. */
export function log1p(x: TensorLike): Tensor {
  return unary(Log1p, x);
}
/** √x. `tf.sqrt([4, 9])` → [2, 3]. */
export function sqrt(x: TensorLike): Tensor {
  return unary(Sqrt, x);
}
/** 1 / √x. `tf.rsqrt([4])` → [0.5]. */
export function rsqrt(x: TensorLike): Tensor {
  return unary(Rsqrt, x);
}
/** 1 / x. `tf.reciprocal([2, 4])` → [0.5, 0.25]. */
export function reciprocal(x: TensorLike): Tensor {
  return unary(Reciprocal, x);
}
/** sin x. */
export function sin(x: TensorLike): Tensor {
  return unary(Sin, x);
}
/** cos x. */
export function cos(x: TensorLike): Tensor {
  return unary(Cos, x);
}
/** tan x. */
export function tan(x: TensorLike): Tensor {
  return unary(Tan, x);
}
/** arcsin x. */
export function asin(x: TensorLike): Tensor {
  return unary(Asin, x);
}
/** arccos x. */
export function acos(x: TensorLike): Tensor {
  return unary(Acos, x);
}
/** arctan x. */
export function atan(x: TensorLike): Tensor {
  return unary(Atan, x);
}
/** sinh x. */
export function sinh(x: TensorLike): Tensor {
  return unary(Sinh, x);
}
/** cosh x. */
export function cosh(x: TensorLike): Tensor {
  return unary(Cosh, x);
}
/** tanh x. `tf.tanh([0])` → [0]. */
export function tanh(x: TensorLike): Tensor {
  return unary(Tanh, x);
}
/** 1 / (1 + e^-x). `tf.sigmoid([0])` → [0.5]. */
export function sigmoid(x: TensorLike): Tensor {
  return unary(Sigmoid, x);
}
/** log(1 + e^x). `tf.softplus([0])` → [0.693]. */
export function softplus(x: TensorLike): Tensor {
  return unary(Softplus, x);
}
/** log(sigmoid(x)) = -softplus(-x). `tf.logSigmoid([0])` → [-0.693]. */
export function logSigmoid(x: TensorLike): Tensor {
  const t = toTensor(x, 'x', 'logSigmoid');
  const negX = neg(t);
  const sp = softplus(negX);
  const y = neg(sp);
  freeTemps(negX, null);
  freeTemps(sp, null);
  freeTemps(t, x);
  return y;
}
/** x / (1 + |x|). `tf.softsign([1])` → [0.5]. */
export function softsign(x: TensorLike): Tensor {
  return unary(Softsign, x);
}
/** max(x, 0). `tf.relu([-1, 2])` → [0, 2]. */
export function relu(x: TensorLike): Tensor {
  return unary(Relu, x);
}
/** min(max(x, 0), 6). `tf.relu6([-1, 3, 8])` → [0, 3, 6]. */
export function relu6(x: TensorLike): Tensor {
  return unary(Relu6, x);
}
/** x for x > 0, e^x - 1 otherwise. `tf.elu([-1, 2])` → [-0.632, 2]. */
export function elu(x: TensorLike): Tensor {
  return unary(Elu, x, { alpha: 1, beta: 0 });
}
/** Scaled elu with the self-normalising constants. `tf.selu([1])` → [1.0507]. */
export function selu(x: TensorLike): Tensor {
  return unary(Selu, x);
}
/** x for x > 0, alpha * x otherwise. `tf.leakyRelu([-1, 2], 0.1)` → [-0.1, 2]. */
export function leakyRelu(x: TensorLike, alpha = 0.2): Tensor {
  check.isNumber('leakyRelu', 'alpha', alpha);
  return unary(LeakyRelu, x, { alpha, beta: 0 });
}
/**
 * x for x > 0, alpha * x otherwise, with a learned (broadcast) alpha.
 * `tf.prelu([-2, 2], [0.5, 0.5])` → [-1, 2].
 */
export function prelu(x: TensorLike, alpha: TensorLike): Tensor {
  const t = toTensor(x, 'x', 'prelu');
  const a = toTensor(alpha, 'alpha', 'prelu');
  const positive = greater(t, 0);
  const scaled = mul(t, a);
  const y = where(positive, t, scaled);
  freeTemps(positive, null);
  freeTemps(scaled, null);
  freeTemps(a, alpha);
  freeTemps(t, x);
  return y;
}
/** The Gauss error function. `tf.erf([0])` → [0]. */
export function erf(x: TensorLike): Tensor {
  return unary(Erf, x);
}
/** Rounds half to even, as TF.js. `tf.round([0.5, 1.5, 2.4])` → [0, 2, 2]. */
export function round(x: TensorLike): Tensor {
  return unary(Round, x);
}
/** Largest integer <= x. `tf.floor([1.7, -1.2])` → [1, -2]. */
export function floor(x: TensorLike): Tensor {
  return unary(Floor, x);
}
/** Smallest integer >= x. `tf.ceil([1.2, -1.7])` → [2, -1]. */
export function ceil(x: TensorLike): Tensor {
  return unary(Ceil, x);
}
/** 1 for x > 0, alpha otherwise. `tf.step([-1, 2])` → [0, 1]. */
export function step(x: TensorLike, alpha = 0): Tensor {
  check.isNumber('step', 'alpha', alpha);
  return unary(Step, x, { alpha, beta: 0 });
}
/** x clipped into [min, max]. `tf.clipByValue([-5, 0.5, 5], 0, 1)` → [0, 0.5, 1]. */
export function clipByValue(x: TensorLike, clipValueMin: number, clipValueMax: number): Tensor {
  const fn = 'clipByValue';
  check.isNumber(fn, 'clipValueMin', clipValueMin);
  check.isNumber(fn, 'clipValueMax', clipValueMax);
  check.inRange(fn, 'clipValueMax', clipValueMax, clipValueMin, Infinity, `a number >= clipValueMin (${clipValueMin})`);
  return unary(ClipByValue, x, { alpha: clipValueMin, beta: clipValueMax });
}
/** Whether each element is NaN, as bool. `tf.isNaN([NaN, 1])` → [true, false]. */
export function isNaN(x: TensorLike): Tensor {
  return unary(IsNan, x);
}
/** NOT x on a bool tensor. `tf.logicalNot([true, false])` → [false, true]. */
export function logicalNot(x: TensorLike): Tensor {
  return unary(LogicalNot, x);
}

// ------------------------------------------------------------------ chained API: x.add(y).relu()

declare module '../tensor/tensor' {
  interface Tensor<R extends Rank = Rank> {
    add(b: TensorLike): Tensor;
    sub(b: TensorLike): Tensor;
    mul(b: TensorLike): Tensor;
    div(b: TensorLike): Tensor;
    divNoNan(b: TensorLike): Tensor;
    floorDiv(b: TensorLike): Tensor;
    mod(b: TensorLike): Tensor;
    pow(exp: TensorLike): Tensor;
    maximum(b: TensorLike): Tensor;
    minimum(b: TensorLike): Tensor;
    squaredDifference(b: TensorLike): Tensor;
    atan2(b: TensorLike): Tensor;
    equal(b: TensorLike): Tensor;
    notEqual(b: TensorLike): Tensor;
    less(b: TensorLike): Tensor;
    lessEqual(b: TensorLike): Tensor;
    greater(b: TensorLike): Tensor;
    greaterEqual(b: TensorLike): Tensor;
    logicalAnd(b: TensorLike): Tensor;
    logicalOr(b: TensorLike): Tensor;
    logicalXor(b: TensorLike): Tensor;
    logicalNot(): Tensor;
    where(condition: TensorLike, b: TensorLike): Tensor;
    cast(dtype: DataType): Tensor;
    asType(dtype: DataType): Tensor;
    toFloat(): Tensor;
    toInt(): Tensor;
    toBool(): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    square(): Tensor;
    exp(): Tensor;
    expm1(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    reciprocal(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tan(): Tensor;
    asin(): Tensor;
    acos(): Tensor;
    atan(): Tensor;
    sinh(): Tensor;
    cosh(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    logSigmoid(): Tensor;
    softplus(): Tensor;
    softsign(): Tensor;
    relu(): Tensor;
    relu6(): Tensor;
    elu(): Tensor;
    selu(): Tensor;
    leakyRelu(alpha?: number): Tensor;
    prelu(alpha: TensorLike): Tensor;
    erf(): Tensor;
    round(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    step(alpha?: number): Tensor;
    clipByValue(min: number, max: number): Tensor;
    isNaN(): Tensor;
  }
}

const proto = Tensor.prototype;
proto.add = function (b) { return add(this, b); };
proto.sub = function (b) { return sub(this, b); };
proto.mul = function (b) { return mul(this, b); };
proto.div = function (b) { return div(this, b); };
proto.divNoNan = function (b) { return divNoNan(this, b); };
proto.floorDiv = function (b) { return floorDiv(this, b); };
proto.mod = function (b) { return mod(this, b); };
proto.pow = function (e) { return pow(this, e); };
proto.maximum = function (b) { return maximum(this, b); };
proto.minimum = function (b) { return minimum(this, b); };
proto.squaredDifference = function (b) { return squaredDifference(this, b); };
proto.atan2 = function (b) { return atan2(this, b); };
proto.equal = function (b) { return equal(this, b); };
proto.notEqual = function (b) { return notEqual(this, b); };
proto.less = function (b) { return less(this, b); };
proto.lessEqual = function (b) { return lessEqual(this, b); };
proto.greater = function (b) { return greater(this, b); };
proto.greaterEqual = function (b) { return greaterEqual(this, b); };
proto.logicalAnd = function (b) { return logicalAnd(this, b); };
proto.logicalOr = function (b) { return logicalOr(this, b); };
proto.logicalXor = function (b) { return logicalXor(this, b); };
proto.logicalNot = function () { return logicalNot(this); };
proto.where = function (condition, b) { return where(condition, this, b); };
proto.cast = function (dtype) { return cast(this, dtype); };
proto.asType = function (dtype) { return cast(this, dtype); };
proto.toFloat = function () { return cast(this, 'float32'); };
proto.toInt = function () { return cast(this, 'int32'); };
proto.toBool = function () { return cast(this, 'bool'); };
proto.neg = function () { return neg(this); };
proto.abs = function () { return abs(this); };
proto.sign = function () { return sign(this); };
proto.square = function () { return square(this); };
proto.exp = function () { return exp(this); };
proto.expm1 = function () { return expm1(this); };
proto.log = function () { return log(this); };
proto.log1p = function () { return log1p(this); };
proto.sqrt = function () { return sqrt(this); };
proto.rsqrt = function () { return rsqrt(this); };
proto.reciprocal = function () { return reciprocal(this); };
proto.sin = function () { return sin(this); };
proto.cos = function () { return cos(this); };
proto.tan = function () { return tan(this); };
proto.asin = function () { return asin(this); };
proto.acos = function () { return acos(this); };
proto.atan = function () { return atan(this); };
proto.sinh = function () { return sinh(this); };
proto.cosh = function () { return cosh(this); };
proto.tanh = function () { return tanh(this); };
proto.sigmoid = function () { return sigmoid(this); };
proto.logSigmoid = function () { return logSigmoid(this); };
proto.softplus = function () { return softplus(this); };
proto.softsign = function () { return softsign(this); };
proto.relu = function () { return relu(this); };
proto.relu6 = function () { return relu6(this); };
proto.elu = function () { return elu(this); };
proto.selu = function () { return selu(this); };
proto.leakyRelu = function (alpha) { return leakyRelu(this, alpha); };
proto.prelu = function (alpha) { return prelu(this, alpha); };
proto.erf = function () { return erf(this); };
proto.round = function () { return round(this); };
proto.floor = function () { return floor(this); };
proto.ceil = function () { return ceil(this); };
proto.step = function (alpha) { return step(this, alpha); };
proto.clipByValue = function (min, max) { return clipByValue(this, min, max); };
proto.isNaN = function () { return isNaN(this); };
