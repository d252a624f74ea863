// Neural-network ops with their own native kernels: softmax / logSoftmax, the
// fused softmax + cross-entropy that every classifier's loss runs through,
// and dropout.
import { BinaryOp, DTypeCode, native, TensorHandle } from '../native';
import { check, rangeError, shapeError, typeError } from '../errors';
import { Rank } from '../tensor/dtype';
import { nextRandom } from '../tensor/engine';
import { makeOutput, Tensor } from '../tensor/tensor';
import { defineOp, run1 } from './registry';
import { toTensor, TensorLike } from './convert';
import { freeTemps, inDtype, mul } from './elementwise';
import { sameShape } from '../tensor/shape';
import { parseAxes } from './reduce';

// ------------------------------------------------------------------ softmax, logSoftmax

function softmaxOp(name: string, log: boolean) {
  return defineOp<{ axis: number }>({
    name,
    forward([x], { axis }) {
      return makeOutput(x.shape.slice(), 'float32', (h) => native.softmax(x.handle, axis, log, h));
    },
    backward: ([dy], { outputs: [y], attrs: { axis } }) => [
      makeOutput(dy.shape.slice(), 'float32', (h) => native.softmaxGrad(y.handle, dy.handle, axis, log, h)),
    ],
  });
}
const Softmax = softmaxOp('Softmax', false);
const LogSoftmax = softmaxOp('LogSoftmax', true);

function runSoftmax(def: typeof Softmax, fn: string, arg: string, logits: unknown, axis: unknown): Tensor {
  const t0 = toTensor(logits, 'logits', fn);
  check.isInt(fn, arg, axis);
  if (t0.rank === 0) throw rangeError(fn, 'logits', 'a tensor of rank >= 1', t0);
  const [a] = parseAxes(fn, axis, t0.rank);
  const t = inDtype(t0, 'float32', logits);
  const y = run1(def, [t], { axis: a });
  freeTemps(t, logits);
  return y;
}

/** exp(x) / sum(exp(x)) along `dim` (default the last). `tf.softmax([0, 0])` → [0.5, 0.5]. */
export function softmax(logits: TensorLike, dim = -1): Tensor {
  return runSoftmax(Softmax, 'softmax', 'dim', logits, dim);
}

/** log(softmax(x)) along `axis`, computed stably. `tf.logSoftmax([0, 0])` → [-0.693, -0.693]. */
export function logSoftmax(logits: TensorLike, axis = -1): Tensor {
  return runSoftmax(LogSoftmax, 'logSoftmax', 'axis', logits, axis);
}

// ------------------------------------------------------------------ softmax cross-entropy

/** t's handle with `shape` (a view when t has another shape with the same size; views are collected for disposal). */
function viewOf(t: Tensor, shape: number[], views: TensorHandle[]): TensorHandle {
  if (sameShape(t.shape, shape)) return t.handle;
  const v = t.handle.reshape(shape);
  views.push(v);
  return v;
}

interface XentAttrs {
  labelSmoothing: number;
  /** logits as the kernel sees them: [N, C]. */
  rows: number;
  classes: number;
}

const SoftmaxCrossEntropy = defineOp<XentAttrs>({
  name: 'SoftmaxCrossEntropy',
  // One kernel computes the loss and, when a tape will ask for it, the
  // gradient softmax - labels, which backward then only scales.
  forward([logits, labels], { labelSmoothing, rows, classes }, ctx) {
    const grad = ctx.needsGrad ? makeOutput(logits.shape.slice(), 'float32', () => {}) : null;
    const views: TensorHandle[] = [];
    try {
      const z = viewOf(logits, [rows, classes], views);
      const y = viewOf(labels, labels.dtype === 'int32' ? [rows] : [rows, classes], views);
      const g = grad && viewOf(grad, [rows, classes], views);
      const batch = logits.shape.slice(0, -1);
      const loss = makeOutput(batch, 'float32', (h) => {
        const out = batch.length === 1 ? h : h.reshape([rows]);
        if (out !== h) views.push(out);
        native.softmaxCrossEntropy(z, y, labelSmoothing, out, g);
      });
      if (grad) ctx.save(grad);
      return loss;
    } catch (e) {
      grad?.dispose();
      throw e;
    } finally {
      for (const v of views) v.dispose();
    }
  },
  backward([dy], { saved: [grad] }) {
    // d loss_i / d logits_i = dy_i * (softmax_i - labels_i): dy broadcast over classes.
    const d = makeOutput(grad.shape.slice(), 'float32', (h) => {
      const col = dy.handle.reshape([...dy.shape, 1]);
      try {
        native.binary(BinaryOp.Mul, col, grad.handle, h);
      } finally {
        col.dispose();
      }
    });
    return [d, null];
  },
});

export interface SoftmaxCrossEntropyOptions {
  /** y' = y * (1 - s) + s / C. Default 0. */
  labelSmoothing?: number;
  /** Labels are class ids (int32, the shape of logits without its last axis) rather than probabilities. Default: inferred from the ranks. */
  sparse?: boolean;
}

/**
 * Per-sample softmax cross-entropy of logits [..., C] against labels: class
 * ids [...] (sparse) or probabilities / one-hot [..., C]. Returns [...]; the
 * gradient flows to the logits only.
 * `tf.softmaxCrossEntropyWithLogits(tf.tensor1d([1], 'int32'), [[0, 0]])` → [0.693].
 */
export function softmaxCrossEntropyWithLogits(labels: TensorLike, logits: TensorLike, options: SoftmaxCrossEntropyOptions = {}): Tensor {
  const fn = 'softmaxCrossEntropyWithLogits';
  const { labelSmoothing = 0 } = options;
  check.isNumber(fn, 'labelSmoothing', labelSmoothing);
  check.inRange(fn, 'labelSmoothing', labelSmoothing, 0, 1);
  const z0 = toTensor(logits, 'logits', fn);
  const y0 = toTensor(labels, 'labels', fn);
  if (z0.rank === 0) throw rangeError(fn, 'logits', 'a tensor of rank >= 1 ([..., classes])', z0);
  const sparse = options.sparse ?? y0.rank === z0.rank - 1;
  if (typeof sparse !== 'boolean') throw typeError(fn, 'sparse', 'a boolean', sparse);
  const batch = z0.shape.slice(0, -1);
  const classes = z0.shape[z0.rank - 1];
  if (sparse ? !sameShape(y0.shape, batch) : !sameShape(y0.shape, z0.shape)) {
    throw shapeError(fn, sparse ? 'sparse labels must have the shape of logits without its last axis' : 'labels must have the shape of logits', y0.shape, z0.shape);
  }
  const z = inDtype(z0, 'float32', logits);
  let y = inDtype(y0, sparse ? 'int32' : 'float32', labels);
  if (sparse && labelSmoothing > 0) {
    // The kernel smooths dense labels only: expand the ids to one-hot rows.
    const ids = y;
    y = makeOutput(z.shape.slice(), 'float32', (h) => native.oneHot(ids.handle, classes, 1, 0, h));
    freeTemps(ids, labels);
  }
  let rows = 1;
  for (const d of batch) rows *= d;
  const loss = run1(SoftmaxCrossEntropy, [z, y], { labelSmoothing, rows, classes });
  freeTemps(z, logits);
  freeTemps(y, labels);
  return loss;
}

// ------------------------------------------------------------------ dropout

interface DropoutAttrs {
  rate: number;
  seed: number;
  offset: number;
  /** The mask's shape when it broadcasts over x (noiseShape), else null. */
  noiseShape: number[] | null;
}

const Dropout = defineOp<DropoutAttrs>({
  name: 'Dropout',
  forward([x], { rate, seed, offset, noiseShape }, ctx) {
    let mask: Tensor;
    let y: Tensor;
    if (!noiseShape) {
      mask = makeOutput(x.shape.slice(), 'float32', () => {});
      try {
        y = makeOutput(x.shape.slice(), 'float32', (h) => native.dropout(seed, offset, rate, x.handle, h, mask.handle));
      } catch (e) {
        mask.dispose();
        throw e;
      }
    } else {
      // One mask value per noiseShape position, shared along the broadcast dims:
      // draw it by dropping out a tensor of ones, then scale x by it.
      const ones = new native.TensorHandle(DTypeCode.Float32, noiseShape);
      const scratch = new native.TensorHandle(DTypeCode.Float32, noiseShape);
      try {
        native.fill(ones, 1);
        mask = makeOutput(noiseShape.slice(), 'float32', (h) => native.dropout(seed, offset, rate, ones, h, scratch));
      } finally {
        ones.dispose();
        scratch.dispose();
      }
      try {
        y = makeOutput(x.shape.slice(), 'float32', (h) => native.binary(BinaryOp.Mul, x.handle, mask.handle, h));
      } catch (e) {
        mask.dispose();
        throw e;
      }
    }
    if (ctx.needsGrad) ctx.save(mask);
    else mask.dispose();
    return y;
  },
  backward: ([dy], { saved: [mask] }) => [mul(dy, mask)],
});

/** A 32-bit seed from a number or a string (FNV-1a), as TF.js accepts both. */
function seedFrom(seed: number | string): number {
  if (typeof seed === 'number') return Math.floor(Math.abs(seed)) >>> 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Zeroes each element with probability `rate` and scales the rest by
 * 1 / (1 - rate). `noiseShape` shares one draw along its size-1 dims; `seed`
 * makes the mask reproducible. `tf.dropout(x, 0.5)`.
 */
export function dropout(x: TensorLike, rate: number, noiseShape?: (number | null)[] | null, seed?: number | string): Tensor {
  const fn = 'dropout';
  const t = toTensor(x, 'x', fn);
  if (t.dtype !== 'float32') throw typeError(fn, 'x', 'a float32 tensor (dropout scales it)', t);
  check.isNumber(fn, 'rate', rate);
  check.inRange(fn, 'rate', rate, 0, 1, 'a number in [0, 1)');
  if (rate === 1) throw rangeError(fn, 'rate', 'a number in [0, 1)', rate);
  if (seed !== undefined && seed !== null && typeof seed !== 'number' && typeof seed !== 'string') throw typeError(fn, 'seed', 'a number or a string', seed);
  let shape: number[] | null = null;
  if (noiseShape !== undefined && noiseShape !== null) {
    if (!Array.isArray(noiseShape) || noiseShape.length !== t.rank) throw typeError(fn, 'noiseShape', `an array of ${t.rank} dimensions`, noiseShape);
    shape = noiseShape.map((d, i) => (d === null ? t.shape[i] : d));
    if (shape.some((d, i) => d !== t.shape[i] && d !== 1)) throw shapeError(fn, 'noiseShape must match x or be 1 in each dimension', shape, t.shape);
    if (sameShape(shape, t.shape)) shape = null;
  }
  if (rate === 0) return t;
  const count = shape ? shape.reduce((a, b) => a * b, 1) : t.size;
  const { seed: s, offset } = seed === undefined || seed === null ? nextRandom(count) : { seed: seedFrom(seed), offset: 0 };
  const y = run1(Dropout, [t], { rate, seed: s, offset, noiseShape: shape });
  freeTemps(t, x);
  return y;
}

// ------------------------------------------------------------------ chained API

declare module '../tensor/tensor' {
  interface Tensor<R extends Rank = Rank> {
    softmax(dim?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
  }
}

Tensor.prototype.softmax = function (dim) { return softmax(this, dim); };
Tensor.prototype.logSoftmax = function (axis) { return logSoftmax(this, axis); };
