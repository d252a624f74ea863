// tf.image: bilinear and nearest-neighbour resizing of NHWC images with
// TensorFlow's three coordinate rules: the legacy one (source = dst · in/out),
// alignCorners (corner pixel centres meet: (in-1)/(out-1)) and
// halfPixelCenters (pixel centres: (dst + 0.5) · in/out - 0.5). The native
// kernels compute them in float32 exactly as TensorFlow does.
import { native, TensorHandle } from '../native';
import { check, rangeError, typeError } from '../errors';
import { Rank } from '../tensor/dtype';
import { makeOutput, Tensor } from '../tensor/tensor';
import { defineOp, run1 } from './registry';
import { toTensor, TensorLike } from './convert';
import { cast, freeTemps, inDtype } from './elementwise';
import { reshape } from './shape';

interface ResizeAttrs {
  alignCorners: boolean;
  halfPixelCenters: boolean;
  outShape: number[];
}

type ResizeKernel = (x: TensorHandle, alignCorners: boolean, halfPixelCenters: boolean, out: TensorHandle) => void;

function resizeOp(name: string, forward: ResizeKernel, backward: ResizeKernel) {
  return defineOp<ResizeAttrs>({
    name,
    forward: ([x], at) => makeOutput(at.outShape.slice(), x.dtype, (h) => forward(x.handle, at.alignCorners, at.halfPixelCenters, h)),
    backward: ([dy], { inputs: [x], attrs: at }) => [
      makeOutput(x.shape.slice(), 'float32', (h) => backward(dy.handle, at.alignCorners, at.halfPixelCenters, h)),
    ],
  });
}

const ResizeBilinear = resizeOp('ResizeBilinear', (x, a, p, o) => native.resizeBilinear(x, a, p, o), (dy, a, p, dx) => native.resizeBilinearGrad(dy, a, p, dx));
const ResizeNearestNeighbor = resizeOp('ResizeNearestNeighbor', (x, a, p, o) => native.resizeNearest(x, a, p, o),
  (dy, a, p, dx) => native.resizeNearestGrad(dy, a, p, dx));

function runResize(fn: string, def: typeof ResizeBilinear, images: unknown, size: unknown, alignCorners: unknown, halfPixelCenters: unknown): Tensor {
  if (typeof alignCorners !== 'boolean') throw typeError(fn, 'alignCorners', 'a boolean', alignCorners);
  if (typeof halfPixelCenters !== 'boolean') throw typeError(fn, 'halfPixelCenters', 'a boolean', halfPixelCenters);
  if (alignCorners && halfPixelCenters) throw rangeError(fn, 'halfPixelCenters', 'false when alignCorners is true (the two rules exclude each other)', halfPixelCenters);
  if (!Array.isArray(size) || size.length !== 2) throw typeError(fn, 'size', 'an array [newHeight, newWidth]', size);
  check.isInt(fn, 'size', size[0], 1);
  check.isInt(fn, 'size', size[1], 1);
  const t0 = toTensor(images, 'images', fn);
  if (t0.rank !== 3 && t0.rank !== 4) {
    freeTemps(t0, images);
    throw rangeError(fn, 'images', 'a tensor of rank 3 ([height, width, channels]) or 4 ([batch, height, width, channels])', t0);
  }
  const single = t0.rank === 3;
  const batchShape = single ? [1, ...t0.shape] : t0.shape;
  if (batchShape[1] === 0 || batchShape[2] === 0) {
    freeTemps(t0, images);
    throw rangeError(fn, 'images', 'images of at least one pixel', t0);
  }
  const dtype = t0.dtype;
  // Bilinear is float32 in and out (TF.js returns float32); nearest keeps int32 and bool as they are.
  const computeIn = def === ResizeBilinear || dtype === 'float32' ? 'float32' : 'int32';
  const t = inDtype(t0, computeIn, images);
  const tb = single ? reshape(t, batchShape) : t;
  const outShape = [batchShape[0], size[0], size[1], batchShape[3]];
  let y = run1(def, [tb], { alignCorners, halfPixelCenters, outShape });
  if (tb !== t) freeTemps(tb, null);
  freeTemps(t, images);
  if (single) {
    const batched = y;
    y = reshape(batched, outShape.slice(1));
    freeTemps(batched, null);
  }
  if (def === ResizeNearestNeighbor && dtype === 'bool') {
    const ints = y;
    y = cast(ints, 'bool');
    freeTemps(ints, null);
  }
  return y;
}

/**
 * Bilinear resizing of images [batch, height, width, channels] (or one image,
 * rank 3) to `size` = [newHeight, newWidth]; the result is float32.
 * `tf.image.resizeBilinear(img, [64, 64], false, true)` samples at pixel centres.
 */
export function resizeBilinear<T extends Tensor>(images: T | TensorLike, size: [number, number], alignCorners = false, halfPixelCenters = false): T {
  return runResize('resizeBilinear', ResizeBilinear, images, size, alignCorners, halfPixelCenters) as T;
}

/**
 * Nearest-neighbour resizing of images [batch, height, width, channels] (or
 * rank 3) to `size`, keeping the dtype. `tf.image.resizeNearestNeighbor(img, [56, 56])`.
 */
export function resizeNearestNeighbor<T extends Tensor>(images: T | TensorLike, size: [number, number], alignCorners = false, halfPixelCenters = false): T {
  return runResize('resizeNearestNeighbor', ResizeNearestNeighbor, images, size, alignCorners, halfPixelCenters) as T;
}

/** The image ops, as TF.js's `tf.image` namespace. */
export const image = { resizeBilinear, resizeNearestNeighbor };

// ------------------------------------------------------------------ chained API

declare module '../tensor/tensor' {
  interface Tensor<R extends Rank = Rank> {
    resizeBilinear(newShape2D: [number, number], alignCorners?: boolean, halfPixelCenters?: boolean): Tensor<R>;
    resizeNearestNeighbor(newShape2D: [number, number], alignCorners?: boolean, halfPixelCenters?: boolean): Tensor<R>;
  }
}

Tensor.prototype.resizeBilinear = function (newShape2D, alignCorners, halfPixelCenters) {
  return resizeBilinear(this, newShape2D, alignCorners, halfPixelCenters);
};
Tensor.prototype.resizeNearestNeighbor = function (newShape2D, alignCorners, halfPixelCenters) {
  return resizeNearestNeighbor(this, newShape2D, alignCorners, halfPixelCenters);
};
