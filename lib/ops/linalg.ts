// Matrix products: matMul (batched, with batch broadcasting), dot,
// outerProduct and fused.matMul (bias + activation in the same native call,
// the forward and backward of every Dense layer), and the fused activations
// that fused.conv2d shares.
import { Activation, DTypeCode, native, ReduceOp, TensorHandle, UnaryOp } from '../native';
import { check, shapeError, typeError, unknownName } from '../errors';
import { Rank } from '../tensor/dtype';
import { makeOutput, Tensor } from '../tensor/tensor';
import { defineOp, run1 } from './registry';
import { toTensor, TensorLike } from './convert';
import { activationGrad, add, cast, elu, freeTemps, inDtype, leakyRelu, prelu, reduceToShape, relu, relu6, selu, sigmoid, tanh } from './elementwise';
import { sameShape } from '../tensor/shape';
import { reduceRaw } from './reduce';
import { reshape } from './shape';
import { fusedConv2d, fusedDepthwiseConv2d } from './conv';

export type FusedActivation = 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'tanh' | 'elu' | 'selu' | 'leakyrelu' | 'prelu';

/** A fused activation: its native code and the unary op whose gradient is its derivative. */
export interface FusedAct {
  code: Activation;
  derivative?: UnaryOp;
}

const FUSED: Record<Exclude<FusedActivation, 'prelu'>, FusedAct> = {
  linear: { code: Activation.Linear },
  relu: { code: Activation.Relu, derivative: UnaryOp.Relu },
  relu6: { code: Activation.Relu6, derivative: UnaryOp.Relu6 },
  sigmoid: { code: Activation.Sigmoid, derivative: UnaryOp.Sigmoid },
  tanh: { code: Activation.Tanh, derivative: UnaryOp.Tanh },
  elu: { code: Activation.Elu, derivative: UnaryOp.Elu },
  selu: { code: Activation.Selu, derivative: UnaryOp.Selu },
  leakyrelu: { code: Activation.LeakyRelu, derivative: UnaryOp.LeakyRelu },
};

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  act: FusedAct;
  /** leakyRelu slope / elu alpha. */
  alpha: number;
  hasBias: boolean;
  shape: number[];
}

function prodOf(shape: readonly number[], end: number): number {
  let n = 1;
  for (let i = 0; i < end; i++) n *= shape[i];
  return n;
}

/** The float32 product of two native operands as a tensor of `shape`, which the kernel sees as `natural` when given. */
function product(x: TensorHandle, y: TensorHandle, tx: boolean, ty: boolean, shape: number[], natural: number[] | null): Tensor {
  return makeOutput(shape, 'float32', (h) => {
    if (!natural) return native.matmul(x, y, null, h, tx, ty, Activation.Linear, 0);
    const v = h.reshape(natural);
    try {
      native.matmul(x, y, null, v, tx, ty, Activation.Linear, 0);
    } finally {
      v.dispose();
    }
  });
}

/**
 * The batched case, flattened for the kernel: every operand becomes rank 2
 * (a batch of one, which the kernel broadcasts) or rank 3 [B, rows, cols].
 * A batch that broadcasts only partly ([2,1] against [1,3]) is tiled out.
 */
class BatchPlan {
  readonly batchShape: number[];
  readonly batch: number;
  private readonly temps: TensorHandle[] = [];

  constructor(a: Tensor, b: Tensor) {
    this.batchShape = batchBroadcast(a.shape, b.shape);
    this.batch = prodOf(this.batchShape, this.batchShape.length);
  }

  /** t (rank >= 2) as the kernel takes it. */
  operand(t: Tensor): TensorHandle {
    const r = t.shape[t.rank - 2];
    const c = t.shape[t.rank - 1];
    const own = prodOf(t.shape, t.rank - 2);
    if (own === 1) return this.view(t.handle, t.shape, [r, c]);
    if (own === this.batch) return this.view(t.handle, t.shape, [own, r, c]);
    const padded = new Array<number>(this.batchShape.length - (t.rank - 2)).fill(1).concat(t.shape);
    const src = this.view(t.handle, t.shape, padded);
    const fullShape = [...this.batchShape, r, c];
    const full = new native.TensorHandle(DTypeCode.Float32, fullShape);
    this.temps.push(full);
    native.tile(src, full);
    return this.view(full, fullShape, [this.batch, r, c]);
  }

  /** The shape the kernel sees for a [...batchShape, rows, cols] result: rank 2 for a batch of one, as its operands are. */
  kernelShape(rows: number, cols: number): number[] {
    return this.batch === 1 ? [rows, cols] : [this.batch, rows, cols];
  }

  /** A tensor of `shape` = [...batchShape, rows, cols] that the kernel sees as kernelShape. */
  output(shape: number[], write: (h: TensorHandle) => void): Tensor {
    return makeOutput(shape, 'float32', (h) => write(this.view(h, shape, this.kernelShape(shape[shape.length - 2], shape[shape.length - 1]))));
  }

  /** h (of shape `current`) with `shape`: itself when equal, else a view freed with the plan. */
  view(h: TensorHandle, current: readonly number[], shape: number[]): TensorHandle {
    if (sameShape(current, shape)) return h;
    const v = h.reshape(shape);
    this.temps.push(v);
    return v;
  }

  dispose(): void {
    for (const h of this.temps) h.dispose();
  }
}

function batchBroadcast(a: readonly number[], b: readonly number[]): number[] {
  const ra = a.length - 2;
  const rb = b.length - 2;
  const rank = Math.max(ra, rb);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - ra ? 1 : a[i - (rank - ra)];
    const db = i < rank - rb ? 1 : b[i - (rank - rb)];
    if (da !== db && da !== 1 && db !== 1) throw shapeError('matMul', 'batch dimensions could not be broadcast together', a, b);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * When b is a matrix and a is not transposed (or is a matrix too), a's
 * leading dims are just more rows: the product is one 2-D GEMM over views,
 * forward and backward. This covers every Dense layer, on any input rank.
 */
function folds(a: Tensor, b: Tensor, transposeA: boolean): boolean {
  return b.rank === 2 && (a.rank === 2 || !transposeA);
}

/** The [rows, cols] shape of a tensor folded over its leading dims, or null when it is a matrix already. */
function matrixShape(shape: readonly number[]): number[] | null {
  if (shape.length === 2) return null;
  return [prodOf(shape, shape.length - 1), shape[shape.length - 1]];
}

function asMatrix(h: TensorHandle, shape: readonly number[]): TensorHandle {
  const m = matrixShape(shape);
  return m ? h.reshape(m) : h;
}

const MatMul = defineOp<MatMulAttrs>({
  name: 'MatMul',
  forward(inputs, at) {
    const a = inputs[0];
    const b = inputs[1];
    const bias = at.hasBias ? inputs[2].handle : null;
    if (folds(a, b, at.transposeA)) {
      const am = asMatrix(a.handle, a.shape);
      try {
        return makeOutput(at.shape, 'float32', (h) => {
          const ym = asMatrix(h, at.shape);
          try {
            native.matmul(am, b.handle, bias, ym, at.transposeA, at.transposeB, at.act.code, at.alpha);
          } finally {
            if (ym !== h) ym.dispose();
          }
        });
      } finally {
        if (am !== a.handle) am.dispose();
      }
    }
    const plan = new BatchPlan(a, b);
    try {
      const ah = plan.operand(a);
      const bh = plan.operand(b);
      return plan.output(at.shape, (h) => native.matmul(ah, bh, bias, h, at.transposeA, at.transposeB, at.act.code, at.alpha));
    } finally {
      plan.dispose();
    }
  },
  // y = act(op(A)·op(B) + bias): dz = act'(y)·dy, then dA and dB are products
  // of dz with the other operand (transposes chosen so no operand is copied),
  // and dBias sums dz over every axis but the last.
  backward([dy], { inputs, outputs, attrs: at, needs }) {
    const a = inputs[0];
    const b = inputs[1];
    const tA = at.transposeA;
    const tB = at.transposeB;
    const d = at.act.derivative;
    const dz = d === undefined ? dy : activationGrad(d, outputs[0], dy, at.alpha);
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    let dbias: Tensor | null = null;
    if (folds(a, b, tA)) {
      const am = asMatrix(a.handle, a.shape);
      const g = asMatrix(dz.handle, dz.shape);
      try {
        if (needs[0]) {
          da = tA ? product(b.handle, g, tB, true, a.shape.slice(), null) : product(g, b.handle, false, !tB, a.shape.slice(), matrixShape(a.shape));
        }
        if (needs[1]) db = tB ? product(g, am, true, tA, b.shape.slice(), null) : product(am, g, !tA, false, b.shape.slice(), null);
      } finally {
        if (am !== a.handle) am.dispose();
        if (g !== dz.handle) g.dispose();
      }
    } else {
      const plan = new BatchPlan(a, b);
      try {
        const n = dz.rank;
        const g = plan.view(dz.handle, dz.shape, plan.kernelShape(dz.shape[n - 2], dz.shape[n - 1]));
        // Gradients come out with the full batch shape, then sum over broadcast batch dims.
        const full = (t: Tensor): number[] => [...plan.batchShape, t.shape[t.rank - 2], t.shape[t.rank - 1]];
        if (needs[0]) {
          const shape = full(a);
          const natural = plan.kernelShape(shape[shape.length - 2], shape[shape.length - 1]);
          const bh = plan.operand(b);
          const whole = tA ? product(bh, g, tB, true, shape, natural) : product(g, bh, false, !tB, shape, natural);
          da = reduceToShape(whole, a.shape);
          if (da !== whole) whole.dispose();
        }
        if (needs[1]) {
          const shape = full(b);
          const natural = plan.kernelShape(shape[shape.length - 2], shape[shape.length - 1]);
          const ah = plan.operand(a);
          const whole = tB ? product(g, ah, true, tA, shape, natural) : product(ah, g, !tA, false, shape, natural);
          db = reduceToShape(whole, b.shape);
          if (db !== whole) whole.dispose();
        }
      } finally {
        plan.dispose();
      }
    }
    if (at.hasBias && needs[2]) {
      const axes = new Array<number>(dz.rank - 1);
      for (let i = 0; i < axes.length; i++) axes[i] = i;
      const kept = new Array<number>(dz.rank).fill(1);
      kept[dz.rank - 1] = dz.shape[dz.rank - 1];
      dbias = reduceRaw(ReduceOp.Sum, dz, axes, kept, inputs[2].shape.slice());
    }
    if (dz !== dy) dz.dispose();
    return at.hasBias ? [da, db, dbias] : [da, db];
  },
});

/** The output shape of op(a)·op(b), or a shape error naming both shapes. */
function productShape(fn: string, a: Tensor, b: Tensor, tA: boolean, tB: boolean): number[] {
  if (a.rank < 2 || b.rank < 2) throw shapeError(fn, 'both operands must have rank >= 2', a.shape, b.shape);
  const m = tA ? a.shape[a.rank - 1] : a.shape[a.rank - 2];
  const ka = tA ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  const kb = tB ? b.shape[b.rank - 1] : b.shape[b.rank - 2];
  const n = tB ? b.shape[b.rank - 2] : b.shape[b.rank - 1];
  if (ka !== kb) {
    throw shapeError(fn, `inner dimensions must match (transposeA=${tA}, transposeB=${tB})`, a.shape, b.shape, `${ka} vs ${kb}`);
  }
  if (a.rank === 2 && b.rank === 2) return [m, n];
  return [...batchBroadcast(a.shape, b.shape), m, n];
}

function checkFlag(fn: string, arg: string, v: unknown): asserts v is boolean {
  if (typeof v !== 'boolean') throw typeError(fn, arg, 'a boolean', v);
}

/** Runs MatMul on converted operands; int32·int32 stays int32 as in TF.js (computed in float32). */
function runMatMul(fn: string, ta0: Tensor, tb0: Tensor, tA: boolean, tB: boolean, bias: Tensor | null, act: FusedAct, alpha: number): Tensor {
  const ints = ta0.dtype === 'int32' && tb0.dtype === 'int32';
  const ta = inDtype(ta0, 'float32', ta0);
  const tb = inDtype(tb0, 'float32', tb0);
  const shape = productShape(fn, ta, tb, tA, tB);
  const attrs: MatMulAttrs = { transposeA: tA, transposeB: tB, act, alpha, hasBias: bias !== null, shape };
  let y: Tensor;
  if (bias === null) {
    y = run1(MatMul, [ta, tb], attrs);
  } else {
    const tbias = inDtype(bias, 'float32', bias);
    y = run1(MatMul, [ta, tb, tbias], attrs);
    freeTemps(tbias, bias);
  }
  freeTemps(ta, ta0);
  freeTemps(tb, tb0);
  if (!ints) return y;
  const yi = cast(y, 'int32');
  freeTemps(y, null);
  return yi;
}

/**
 * Matrix product of two tensors of rank >= 2; leading (batch) dims broadcast.
 * `tf.matMul(a, b)` with a [2,3] and b [3,4] is [2,4]; `tf.matMul(a, b, false, true)` multiplies by bᵀ.
 */
export function matMul(a: TensorLike, b: TensorLike, transposeA = false, transposeB = false): Tensor {
  const fn = 'matMul';
  checkFlag(fn, 'transposeA', transposeA);
  checkFlag(fn, 'transposeB', transposeB);
  const ta = toTensor(a, 'a', fn);
  const tb = toTensor(b, 'b', fn);
  const y = runMatMul(fn, ta, tb, transposeA, transposeB, null, FUSED.linear, 0);
  freeTemps(ta, a);
  freeTemps(tb, b);
  return y;
}

export interface FusedMatMulConfig {
  a: TensorLike;
  b: TensorLike;
  transposeA?: boolean;
  transposeB?: boolean;
  bias?: TensorLike | null;
  activation?: FusedActivation;
  preluActivationWeights?: TensorLike | null;
  leakyreluAlpha?: number;
}

/** @internal A fused activation as the kernels take it (null for prelu, which is never fused), after checking the fused config's activation arguments. */
export function fusedActivation(fn: string, activation: unknown, leakyreluAlpha: unknown, preluWeights: unknown): { act: FusedAct; alpha: number } | null {
  if (activation !== 'prelu' && !Object.prototype.hasOwnProperty.call(FUSED, activation as string)) {
    throw unknownName(fn, 'activation', activation, [...Object.keys(FUSED), 'prelu']);
  }
  check.isNumber(fn, 'leakyreluAlpha', leakyreluAlpha);
  if (activation === 'prelu') {
    if (preluWeights === null || preluWeights === undefined) throw typeError(fn, 'preluActivationWeights', "a tensor when activation is 'prelu'", preluWeights);
    return null;
  }
  const alpha = activation === 'leakyrelu' ? leakyreluAlpha : activation === 'elu' ? 1 : 0;
  return { act: FUSED[activation as Exclude<FusedActivation, 'prelu'>], alpha };
}

/**
 * act(op(a)·op(b) + bias) in one native call, as TF.js's tf.fused.matMul.
 * `tf.fused.matMul({a: x, b: kernel, bias, activation: 'relu'})` is a Dense layer's forward.
 */
function fusedMatMul(config: FusedMatMulConfig): Tensor {
  const fn = 'fused.matMul';
  if (config === null || typeof config !== 'object') throw typeError(fn, 'config', 'an object {a, b, ...}', config);
  const { a, b, transposeA = false, transposeB = false, bias = null, activation = 'linear', preluActivationWeights = null, leakyreluAlpha = 0.2 } = config;
  checkFlag(fn, 'transposeA', transposeA);
  checkFlag(fn, 'transposeB', transposeB);
  const fusedAct = fusedActivation(fn, activation, leakyreluAlpha, preluActivationWeights);
  const ta = toTensor(a, 'a', fn);
  const tb = toTensor(b, 'b', fn);
  const tbias = bias === null || bias === undefined ? null : toTensor(bias, 'bias', fn);
  let y: Tensor;
  // The kernel adds a bias of N values along the last axis; prelu, or any
  // other broadcastable bias, goes through separate ops.
  const n = tb.rank >= 2 ? tb.shape[tb.rank - (transposeB ? 2 : 1)] : -1;
  if (fusedAct && (tbias === null || (tbias.size === n && tbias.shape.every((d, i) => i === tbias.rank - 1 || d === 1)))) {
    y = runMatMul(fn, ta, tb, transposeA, transposeB, tbias, fusedAct.act, fusedAct.alpha);
  } else {
    const product = matMul(ta, tb, transposeA, transposeB);
    const z = tbias === null ? product : add(product, tbias);
    if (z !== product) freeTemps(product, null);
    y = applyActivation(z, activation, preluActivationWeights, leakyreluAlpha);
  }
  freeTemps(ta, a);
  freeTemps(tb, b);
  if (tbias) freeTemps(tbias, bias);
  return y;
}

/** @internal act(z) as separate ops, for what a kernel cannot fuse (prelu, a bias of another shape); frees z when it made a new tensor. */
export function applyActivation(z: Tensor, activation: FusedActivation, preluWeights: TensorLike | null, leakyreluAlpha: number): Tensor {
  let y: Tensor;
  switch (activation) {
    case 'linear': y = z; break;
    case 'relu': y = relu(z); break;
    case 'relu6': y = relu6(z); break;
    case 'sigmoid': y = sigmoid(z); break;
    case 'tanh': y = tanh(z); break;
    case 'elu': y = elu(z); break;
    case 'selu': y = selu(z); break;
    case 'leakyrelu': y = leakyRelu(z, leakyreluAlpha); break;
    case 'prelu': y = prelu(z, preluWeights!); break;
  }
  if (y !== z) freeTemps(z, null);
  return y;
}

/** The fused ops, as TF.js's `tf.fused` namespace. */
export const fused = { matMul: fusedMatMul, conv2d: fusedConv2d, depthwiseConv2d: fusedDepthwiseConv2d };

/**
 * Dot product of rank-1 or rank-2 tensors: vector·vector is a scalar,
 * matrix·vector a vector, matrix·matrix a matMul. `tf.dot([1, 2], [3, 4])` → 11.
 */
export function dot(t1: TensorLike, t2: TensorLike): Tensor {
  const fn = 'dot';
  const a = toTensor(t1, 't1', fn);
  const b = toTensor(t2, 't2', fn);
  if ((a.rank !== 1 && a.rank !== 2) || (b.rank !== 1 && b.rank !== 2)) throw shapeError(fn, 'both operands must have rank 1 or 2', a.shape, b.shape);
  const ka = a.shape[a.rank - 1];
  const kb = b.shape[0];
  if (ka !== kb) throw shapeError(fn, 'inner dimensions must match', a.shape, b.shape, `${ka} vs ${kb}`);
  let y: Tensor;
  if (a.rank === 2 && b.rank === 2) {
    y = matMul(a, b);
  } else {
    const am = a.rank === 1 ? reshape(a, [1, ka]) : a;
    const bm = b.rank === 1 ? reshape(b, [kb, 1]) : b;
    const p = matMul(am, bm);
    // Drop the unit dims that the vectors were given.
    const shape = a.rank === 1 && b.rank === 1 ? [] : a.rank === 1 ? [b.shape[1]] : [a.shape[0]];
    y = reshape(p, shape);
    freeTemps(p, null);
    if (am !== a) freeTemps(am, null);
    if (bm !== b) freeTemps(bm, null);
  }
  freeTemps(a, t1);
  freeTemps(b, t2);
  return y;
}

/** The outer product of two vectors: [m] and [n] give [m, n]. `tf.outerProduct([1, 2], [3, 4])` → [[3, 4], [6, 8]]. */
export function outerProduct(v1: TensorLike, v2: TensorLike): Tensor {
  const fn = 'outerProduct';
  const a = toTensor(v1, 'v1', fn);
  const b = toTensor(v2, 'v2', fn);
  if (a.rank !== 1 || b.rank !== 1) throw shapeError(fn, 'both operands must have rank 1', a.shape, b.shape);
  const col = reshape(a, [a.size, 1]);
  const row = reshape(b, [1, b.size]);
  const y = matMul(col, row);
  freeTemps(col, null);
  freeTemps(row, null);
  freeTemps(a, v1);
  freeTemps(b, v2);
  return y;
}

declare module '../tensor/tensor' {
  interface Tensor<R extends Rank = Rank> {
    matMul(b: TensorLike, transposeA?: boolean, transposeB?: boolean): Tensor;
    dot(b: TensorLike): Tensor;
  }
}

Tensor.prototype.matMul = function (b, transposeA, transposeB) { return matMul(this, b, transposeA, transposeB); };
Tensor.prototype.dot = function (b) { return dot(this, b); };
