// Every public op function, as tf.* exports them. Elementwise, reduce and
// convert also hold helpers that other lib/ modules import by path; they are
// listed here by name so that those helpers stay off the public namespace.
export * from './creation';
export type { TensorLike } from './convert';
export {
  add, sub, mul, div, floorDiv, divNoNan, mod, pow, maximum, minimum, squaredDifference, atan2,
  equal, notEqual, less, lessEqual, greater, greaterEqual, logicalAnd, logicalOr, logicalXor, logicalNot,
  addN, where, cast, neg, abs, sign, square, exp, expm1, log, log1p, sqrt, rsqrt, reciprocal,
  sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, sigmoid, softplus, logSigmoid, softsign,
  relu, relu6, elu, selu, leakyRelu, prelu, erf, round, floor, ceil, step, clipByValue, isNaN,
} from './elementwise';
export { sum, mean, max, min, prod, all, any, logSumExp, moments, norm, argMax, argMin, topk, cumsum } from './reduce';
export type { NormOrd } from './reduce';
export * from './linalg';
export * from './nn';
export * from './shape';
export * from './random';
export * from './misc';
export { maxPool, avgPool, maxPool3d, avgPool3d } from './pool';
export type { PoolPadding, ExplicitPadding } from './pool';
export { batchNorm, batchNorm2d, batchNorm3d, batchNorm4d } from './norm';
export { image } from './image';
