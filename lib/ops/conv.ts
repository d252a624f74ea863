// Convolutions: conv1d, conv2d, conv3d, depthwiseConv2d, separableConv2d,
// conv2dTranspose, and fused.conv2d / fused.depthwiseConv2d (bias and
// activation in the same native call).
//
// Two registry entries carry them all. Conv is the N-d grouped convolution
// on channels-last data with TF's [*k, Cin/groups, Cout] filter: depthwise is
// groups = Cin with the [kh, kw, Cin, multiplier] filter viewed as
// [kh, kw, 1, Cin * multiplier]. ConvTranspose runs Conv's data gradient
// forward. Channels-first data and unbatched inputs are undone at the edges
// with transpose / reshape ops, so their gradients come free.
import { Activation, native, ReduceOp } from '../native';
import { check, rangeError, shapeError, typeError } from '../errors';
import { Rank } from '../tensor/dtype';
import { engine } from '../tensor/engine';
import { tidy } from '../tensor/scope';
import { makeOutput, Tensor } from '../tensor/tensor';
import { defineOp, run1 } from './registry';
import { toTensor, TensorLike } from './convert';
import { activationGrad, add, inDtype } from './elementwise';
import { applyActivation, FusedAct, FusedActivation, fusedActivation } from './linalg';
import { reduceRaw } from './reduce';
import { reshape, transpose } from './shape';

/** 'valid', 'same', a padding for every side, or TF's explicit [[0, 0], [top, bottom], [left, right], [0, 0]]. */
export type ConvPadding = 'valid' | 'same' | number | number[][];
export type DimRoundingMode = 'floor' | 'round' | 'ceil';

const LINEAR: FusedAct = { code: Activation.Linear };

// ------------------------------------------------------------------ the ops

interface ConvAttrs {
  strides: number[];
  dilations: number[];
  padBefore: number[];
  padAfter: number[];
  groups: number;
  /** The output's shape: Conv's y, or ConvTranspose's (the data gradient's) dx. */
  yShape: number[];
  act: FusedAct;
  /** leakyRelu slope / elu alpha. */
  alpha: number;
  hasBias: boolean;
}

function forward(x: Tensor, filter: Tensor, bias: Tensor | null, yShape: number[], at: ConvAttrs, act: FusedAct, alpha: number): Tensor {
  return makeOutput(yShape, 'float32', (h) =>
    native.convForward(x.handle, filter.handle, bias && bias.handle, h, at.strides, at.dilations, at.padBefore, at.padAfter, at.groups, act.code, alpha));
}

function backwardData(dy: Tensor, filter: Tensor, xShape: number[], at: ConvAttrs): Tensor {
  return makeOutput(xShape, 'float32', (h) =>
    native.convBackwardData(dy.handle, filter.handle, h, at.strides, at.dilations, at.padBefore, at.padAfter, at.groups));
}

/** The filter gradient, and with it (one pass of the kernel) the bias gradient when asked. */
function backwardFilter(x: Tensor, dy: Tensor, filterShape: number[], withBias: boolean, at: ConvAttrs): [Tensor, Tensor | null] {
  const dbias = withBias ? makeOutput([dy.shape[dy.rank - 1]], 'float32', () => {}) : null;
  try {
    const df = makeOutput(filterShape, 'float32', (h) =>
      native.convBackwardFilter(x.handle, dy.handle, h, dbias && dbias.handle, at.strides, at.dilations, at.padBefore, at.padAfter, at.groups));
    return [df, dbias];
  } catch (e) {
    dbias?.dispose();
    throw e;
  }
}

const Conv = defineOp<ConvAttrs>({
  name: 'Conv',
  forward: ([x, filter, bias], at) => forward(x, filter, at.hasBias ? bias : null, at.yShape.slice(), at, at.act, at.alpha),
  // y = act(conv(x, filter) + bias): dz = act'(y)·dy, then dx and dfilter
  // are the two backward kernels on dz, and dbias sums dz per channel (the
  // filter kernel computes it in the same pass).
  backward([dy], { inputs: [x, filter], outputs: [y], attrs: at, needs }) {
    const d = at.act.derivative;
    const dz = d === undefined ? dy : activationGrad(d, y, dy, at.alpha);
    try {
      const dx = needs[0] ? backwardData(dz, filter, x.shape.slice(), at) : null;
      const wantBias = at.hasBias && needs[2];
      let dfilter: Tensor | null = null;
      let dbias: Tensor | null = null;
      if (needs[1]) {
        [dfilter, dbias] = backwardFilter(x, dz, filter.shape.slice(), wantBias, at);
      } else if (wantBias) {
        const axes = dz.shape.slice(0, -1).map((_, i) => i);
        dbias = reduceRaw(ReduceOp.Sum, dz, axes, dz.shape.map((n, i) => (i === dz.rank - 1 ? n : 1)), [dz.shape[dz.rank - 1]]);
      }
      return at.hasBias ? [dx, dfilter, dbias] : [dx, dfilter];
    } finally {
      if (dz !== dy) dz.dispose();
    }
  },
});

const ConvTranspose = defineOp<ConvAttrs>({
  name: 'ConvTranspose',
  forward: ([x, filter], at) => backwardData(x, filter, at.yShape.slice(), at),
  // y = convᵀ(x): dx = conv(dy), and dfilter is Conv's filter gradient with
  // y in the place of Conv's input and x in the place of its output gradient.
  backward: ([dy], { inputs: [x, filter], attrs: at, needs }) => [
    needs[0] ? forward(dy, filter, null, x.shape.slice(), at, LINEAR, 0) : null,
    needs[1] ? backwardFilter(dy, x, filter.shape.slice(), false, at)[0] : null,
  ],
});

// ------------------------------------------------------------------ argument parsing

const FORMATS: Record<number, [string, string]> = { 1: ['NWC', 'NCW'], 2: ['NHWC', 'NCHW'], 3: ['NDHWC', 'NCDHW'] };
const SPATIAL_NAMES: Record<number, string> = { 1: 'width', 2: 'height, width', 3: 'depth, height, width' };

/** A convolution's parsed arguments, for `spatial` spatial dims. */
interface ConvSpec {
  fn: string;
  spatial: number;
  strides: number[];
  dilations: number[];
  pad: ConvPadding;
  roundingMode: DimRoundingMode | null;
  channelsFirst: boolean;
}

/** One integer for every spatial dim, or one per dim; each >= 1. */
function perDim(fn: string, arg: string, v: unknown, n: number): number[] {
  const a = typeof v === 'number' ? new Array<number>(n).fill(v) : v;
  if (!Array.isArray(a) || a.length !== n || !a.every((d) => typeof d === 'number' && Number.isInteger(d))) {
    throw typeError(fn, arg, n === 1 ? 'an integer' : `an integer or an array of ${n} integers`, v);
  }
  if (a.some((d) => d < 1)) throw rangeError(fn, arg, n === 1 ? 'an integer >= 1' : 'integers >= 1', v);
  return a.slice();
}

function parseSpec(fn: string, spatial: number, strides: unknown, pad: unknown, dataFormat: unknown, dilations: unknown, roundingMode: unknown): ConvSpec {
  check.oneOf(fn, 'dataFormat', dataFormat, FORMATS[spatial]);
  const s = perDim(fn, spatial === 1 ? 'stride' : 'strides', strides, spatial);
  const d = perDim(fn, spatial === 1 ? 'dilation' : 'dilations', dilations, spatial);
  const rank = spatial + 2;
  const isPair = (p: unknown): boolean => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0);
  const explicit = Array.isArray(pad) && pad.length === rank && pad.every(isPair);
  if (pad !== 'valid' && pad !== 'same' && !(typeof pad === 'number' && Number.isInteger(pad) && pad >= 0) && !explicit) {
    throw typeError(fn, 'pad', `'valid', 'same', an integer >= 0 or explicit padding (${rank} [before, after] pairs)`, pad);
  }
  const channelsFirst = dataFormat === FORMATS[spatial][1];
  if (explicit) {
    const off = channelsFirst ? [0, 1] : [0, rank - 1];
    if (off.some((i) => (pad as number[][])[i][0] !== 0 || (pad as number[][])[i][1] !== 0)) {
      throw rangeError(fn, 'pad', 'explicit padding of [0, 0] on the batch and channel dims', pad);
    }
  }
  let mode: DimRoundingMode | null = null;
  if (roundingMode !== undefined && roundingMode !== null) {
    check.oneOf(fn, 'dimRoundingMode', roundingMode, ['floor', 'round', 'ceil'] as const);
    if (typeof pad === 'string') throw typeError(fn, 'pad', `an integer or explicit padding when dimRoundingMode is '${roundingMode}'`, pad);
    mode = roundingMode;
  }
  return { fn, spatial, strides: s, dilations: d, pad: pad as ConvPadding, roundingMode: mode, channelsFirst };
}

/** The shape as the kernel takes it: batched, channels-last. */
function kernelShape(spec: ConvSpec, shape: readonly number[]): number[] {
  const s = shape.length === spec.spatial + 1 ? [1, ...shape] : shape.slice();
  return spec.channelsFirst ? [s[0], ...s.slice(2), s[1]] : s;
}

function checkRank(spec: ConvSpec, x: Tensor, allowUnbatched = true): void {
  const r = spec.spatial + 2;
  if (x.rank !== r && !(allowUnbatched && x.rank === r - 1)) {
    const layout = spec.channelsFirst ? `[batch, inChannels, ${SPATIAL_NAMES[spec.spatial]}]` : `[batch, ${SPATIAL_NAMES[spec.spatial]}, inChannels]`;
    throw rangeError(spec.fn, 'x', `a tensor of rank ${r} ${layout}${allowUnbatched ? ` or ${r - 1} (unbatched)` : ''}`, x);
  }
}

function checkFilterRank(spec: ConvSpec, arg: string, filter: Tensor, layout: string): void {
  if (filter.rank !== spec.spatial + 2) throw rangeError(spec.fn, arg, `a tensor of rank ${spec.spatial + 2} ${layout}`, filter);
}

function roundDim(v: number, mode: DimRoundingMode | null): number {
  switch (mode) {
    case 'round': return Math.round(v);
    case 'ceil': return Math.ceil(v);
    case 'floor': return Math.floor(v);
    default: return Math.trunc(v);
  }
}

/**
 * Output size and paddings per spatial dim of a convolution of `xShape`
 * (kernel layout) by kernel sizes `k`, as TF computes them: 'same' pads
 * (k - 1) - (in - 1) % s in total, the odd one after; a rounding mode that
 * rounds up gets the padding after extended to reach the last window.
 */
function geometry(spec: ConvSpec, xShape: number[], k: number[], filterShape: readonly number[]): { out: number[]; padBefore: number[]; padAfter: number[] } {
  const out: number[] = [];
  const padBefore: number[] = [];
  const padAfter: number[] = [];
  for (let i = 0; i < spec.spatial; i++) {
    const n = xShape[i + 1];
    const s = spec.strides[i];
    const span = (k[i] - 1) * spec.dilations[i] + 1;
    let o: number;
    let pb = 0;
    let pa = 0;
    if (spec.pad === 'same') {
      o = Math.ceil(n / s);
      const total = Math.max(0, (o - 1) * s + span - n);
      pb = Math.floor(total / 2);
      pa = total - pb;
    } else if (spec.pad === 'valid') {
      o = Math.ceil((n - span + 1) / s);
    } else {
      const dim = spec.channelsFirst ? i + 2 : i + 1;
      [pb, pa] = typeof spec.pad === 'number' ? [spec.pad, spec.pad] : spec.pad[dim];
      o = roundDim((n + pb + pa - span) / s + 1, spec.roundingMode);
      pa = Math.max(pa, (o - 1) * s + span - n - pb);
    }
    if (!(o >= 1) || n + pb + pa < span) {
      const what = spec.dilations[i] > 1 ? `the dilated filter (extent ${span})` : `the filter (size ${span})`;
      throw shapeError(spec.fn, `${what} does not fit in the padded input along spatial dim ${i}`, xShape, filterShape, `input ${n} with padding ${pb} + ${pa}`);
    }
    out.push(o);
    padBefore.push(pb);
    padAfter.push(pa);
  }
  return { out, padBefore, padAfter };
}

/** The attrs of a convolution of the kernel-layout `xShape` with a [*k, Cin/groups, Cout] filter. */
function convAttrs(spec: ConvSpec, xShape: number[], filterShape: number[], groups: number, userFilterShape: readonly number[]): ConvAttrs {
  const k = filterShape.slice(0, spec.spatial);
  const g = geometry(spec, xShape, k, userFilterShape);
  return {
    strides: spec.strides,
    dilations: spec.dilations,
    padBefore: g.padBefore,
    padAfter: g.padAfter,
    groups,
    yShape: [xShape[0], ...g.out, filterShape[filterShape.length - 1]],
    act: LINEAR,
    alpha: 0,
    hasBias: false,
  };
}

/**
 * Runs a composite op: its intermediates are freed at once, except while a
 * gradient tape records (backward may read them; the gradient scope frees them).
 */
function composite(f: () => Tensor): Tensor {
  return engine.tapes.length ? f() : tidy(f);
}

/** Runs `op` on x in the kernel's layout, and gives the result back in x's. */
function inKernelLayout(spec: ConvSpec, x: Tensor, op: (xk: Tensor) => Tensor): Tensor {
  const unbatched = x.rank === spec.spatial + 1;
  const r = spec.spatial + 2;
  let xk = unbatched ? reshape(x, [1, ...x.shape]) : x;
  if (spec.channelsFirst) xk = transpose(xk, [0, ...Array.from({ length: spec.spatial }, (_, i) => i + 2), 1]);
  let y = op(xk);
  if (spec.channelsFirst) y = transpose(y, [0, r - 1, ...Array.from({ length: spec.spatial }, (_, i) => i + 1)]);
  return unbatched ? reshape(y, y.shape.slice(1)) : y;
}

interface Fusion {
  bias: Tensor | null;
  act: FusedAct;
  alpha: number;
}

/** A grouped convolution of x by a [*k, Cin/groups, Cout] filter, in x's layout; `fusion` is added in the kernel. */
function runConv(spec: ConvSpec, x: Tensor, filter: Tensor, groups: number, userFilterShape: readonly number[], fusion: Fusion | null): Tensor {
  const xs = kernelShape(spec, x.shape);
  const attrs = convAttrs(spec, xs, filter.shape, groups, userFilterShape);
  return inKernelLayout(spec, x, (xk) => {
    if (!fusion) return run1(Conv, [xk, filter], attrs);
    const fused = { ...attrs, act: fusion.act, alpha: fusion.alpha, hasBias: fusion.bias !== null };
    return run1(Conv, fusion.bias ? [xk, filter, fusion.bias] : [xk, filter], fused);
  });
}

function float32(v: unknown, arg: string, fn: string): Tensor {
  return inDtype(toTensor(v, arg, fn), 'float32', v);
}

function checkChannels(spec: ConvSpec, x: Tensor, expected: number, filter: Tensor, what: string): void {
  const c = kernelShape(spec, x.shape)[spec.spatial + 1];
  if (c !== expected) throw shapeError(spec.fn, `x's channels (${c}) must match ${what} (${expected})`, x.shape, filter.shape);
}

// ------------------------------------------------------------------ conv1d, conv2d, conv3d

function convN(spec: ConvSpec, x: unknown, filter: unknown, fusion?: FusedConfig): Tensor {
  const fn = spec.fn;
  return composite(() => {
    const tx = float32(x, 'x', fn);
    const tf = float32(filter, 'filter', fn);
    checkRank(spec, tx);
    checkFilterRank(spec, 'filter', tf, `[${SPATIAL_NAMES[spec.spatial]}, inChannels, outChannels]`);
    checkChannels(spec, tx, tf.shape[spec.spatial], tf, "the filter's input channels");
    return withFusion(spec, tx, tf, 1, tf.shape, fusion);
  });
}

/**
 * 1-D convolution of x [batch, width, inChannels] (or unbatched) with filter
 * [width, inChannels, outChannels]. `tf.conv1d(x, filter, 1, 'same')`.
 */
export function conv1d(x: TensorLike, filter: TensorLike, stride: number, pad: ConvPadding, dataFormat: 'NWC' | 'NCW' = 'NWC', dilation = 1,
  dimRoundingMode?: DimRoundingMode): Tensor {
  return convN(parseSpec('conv1d', 1, stride, pad, dataFormat, dilation, dimRoundingMode), x, filter);
}

/**
 * 2-D convolution of x [batch, height, width, inChannels] (or unbatched) with
 * filter [filterHeight, filterWidth, inChannels, outChannels].
 * `tf.conv2d(tf.ones([1, 5, 5, 1]), tf.ones([3, 3, 1, 2]), 1, 'valid')` → shape [1, 3, 3, 2], every value 9.
 */
export function conv2d(x: TensorLike, filter: TensorLike, strides: number | [number, number], pad: ConvPadding, dataFormat: 'NHWC' | 'NCHW' = 'NHWC',
  dilations: number | [number, number] = [1, 1], dimRoundingMode?: DimRoundingMode): Tensor {
  return convN(parseSpec('conv2d', 2, strides, pad, dataFormat, dilations, dimRoundingMode), x, filter);
}

/**
 * 3-D convolution of x [batch, depth, height, width, inChannels] (or
 * unbatched) with filter [filterDepth, filterHeight, filterWidth, inChannels, outChannels].
 * `tf.conv3d(x, filter, 1, 'same')`.
 */
export function conv3d(x: TensorLike, filter: TensorLike, strides: number | [number, number, number], pad: ConvPadding,
  dataFormat: 'NDHWC' | 'NCDHW' = 'NDHWC', dilations: number | [number, number, number] = [1, 1, 1]): Tensor {
  return convN(parseSpec('conv3d', 3, strides, pad, dataFormat, dilations, null), x, filter);
}

// ------------------------------------------------------------------ depthwise, separable

function depthwise(spec: ConvSpec, x: unknown, filter: unknown, fusion?: FusedConfig): Tensor {
  const fn = spec.fn;
  return composite(() => {
    const tx = float32(x, 'x', fn);
    const tf = float32(filter, 'filter', fn);
    checkRank(spec, tx);
    checkFilterRank(spec, 'filter', tf, '[filterHeight, filterWidth, inChannels, channelMultiplier]');
    const [kh, kw, cin, multiplier] = tf.shape;
    checkChannels(spec, tx, cin, tf, "the filter's input channels");
    // Output channel c * multiplier + m reads input channel c: groups = Cin.
    const grouped = reshape(tf, [kh, kw, 1, cin * multiplier]);
    return withFusion(spec, tx, grouped, cin, tf.shape, fusion);
  });
}

/**
 * Depthwise 2-D convolution: each input channel convolved with its own
 * `channelMultiplier` filters. filter: [filterHeight, filterWidth, inChannels,
 * channelMultiplier]; output channels: inChannels * channelMultiplier.
 * `tf.depthwiseConv2d(x, filter, 1, 'same')`.
 */
export function depthwiseConv2d(x: TensorLike, filter: TensorLike, strides: number | [number, number], pad: ConvPadding,
  dataFormat: 'NHWC' | 'NCHW' = 'NHWC', dilations: number | [number, number] = [1, 1], dimRoundingMode?: DimRoundingMode): Tensor {
  return depthwise(parseSpec('depthwiseConv2d', 2, strides, pad, dataFormat, dilations, dimRoundingMode), x, filter);
}

/**
 * A depthwise convolution followed by a 1x1 (pointwise) convolution that
 * mixes the channels. depthwiseFilter: [filterHeight, filterWidth, inChannels,
 * channelMultiplier]; pointwiseFilter: [1, 1, inChannels * channelMultiplier, outChannels].
 * `tf.separableConv2d(x, depthwiseFilter, pointwiseFilter, 1, 'same')`.
 */
export function separableConv2d(x: TensorLike, depthwiseFilter: TensorLike, pointwiseFilter: TensorLike, strides: number | [number, number],
  pad: 'valid' | 'same', dilation: number | [number, number] = [1, 1], dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): Tensor {
  const fn = 'separableConv2d';
  const spec = parseSpec(fn, 2, strides, pad, dataFormat, dilation, null);
  if (pad !== 'valid' && pad !== 'same') throw typeError(fn, 'pad', "'valid' or 'same'", pad);
  return composite(() => {
    const tx = float32(x, 'x', fn);
    const dw = float32(depthwiseFilter, 'depthwiseFilter', fn);
    const pw = float32(pointwiseFilter, 'pointwiseFilter', fn);
    checkRank(spec, tx);
    checkFilterRank(spec, 'depthwiseFilter', dw, '[filterHeight, filterWidth, inChannels, channelMultiplier]');
    checkFilterRank(spec, 'pointwiseFilter', pw, '[1, 1, inChannels * channelMultiplier, outChannels]');
    const mid = dw.shape[2] * dw.shape[3];
    if (pw.shape[0] !== 1 || pw.shape[1] !== 1 || pw.shape[2] !== mid) {
      throw shapeError(fn, `pointwiseFilter must be [1, 1, ${mid}, outChannels] for a depthwiseFilter with ${dw.shape[2]} channels times multiplier ${dw.shape[3]}`,
        dw.shape, pw.shape);
    }
    const d = depthwise(spec, tx, dw);
    return convN({ ...spec, strides: [1, 1], dilations: [1, 1], pad: 'valid', roundingMode: null }, d, pw);
  });
}

// ------------------------------------------------------------------ conv2dTranspose

/**
 * The transposed convolution (the gradient of conv2d with respect to its
 * input): x [batch, height, width, inChannels] (or unbatched), filter
 * [filterHeight, filterWidth, outChannels, inChannels], outputShape
 * [batch, outHeight, outWidth, outChannels] (rank 3 for unbatched x) — the
 * shape whose conv2d with the same strides and pad gives x's shape.
 * `tf.conv2dTranspose(tf.ones([1, 2, 2, 1]), tf.ones([3, 3, 1, 1]), [1, 4, 4, 1], 2, 'same')`.
 */
export function conv2dTranspose(x: TensorLike, filter: TensorLike, outputShape: [number, number, number, number] | [number, number, number],
  strides: number | [number, number], pad: ConvPadding, dimRoundingMode?: DimRoundingMode): Tensor {
  const fn = 'conv2dTranspose';
  const spec = parseSpec(fn, 2, strides, pad, 'NHWC', 1, dimRoundingMode);
  return composite(() => {
    const tx = float32(x, 'x', fn);
    const tf = float32(filter, 'filter', fn);
    checkRank(spec, tx);
    checkFilterRank(spec, 'filter', tf, '[filterHeight, filterWidth, outChannels, inChannels]');
    check.isShape(fn, 'outputShape', outputShape);
    if (outputShape.length !== tx.rank) throw rangeError(fn, 'outputShape', `a shape of rank ${tx.rank} (the rank of x)`, outputShape);
    checkChannels(spec, tx, tf.shape[3], tf, "the filter's input channels (its last dim)");
    const ys = kernelShape(spec, outputShape);
    const xs = kernelShape(spec, tx.shape);
    if (ys[3] !== tf.shape[2]) throw shapeError(fn, `outputShape's channels (${ys[3]}) must match the filter's output channels (its third dim, ${tf.shape[2]})`, outputShape, tf.shape);
    const attrs = convAttrs(spec, ys, tf.shape, 1, tf.shape);
    if (attrs.yShape[0] !== xs[0] || attrs.yShape[1] !== xs[1] || attrs.yShape[2] !== xs[2]) {
      throw shapeError(fn, `outputShape does not fit x: a conv2d of outputShape with these strides and pad has shape [${attrs.yShape.join(',')}]`, outputShape, tx.shape);
    }
    const forwardAttrs = { ...attrs, yShape: ys };
    return inKernelLayout(spec, tx, (xk) => run1(ConvTranspose, [xk, tf], forwardAttrs));
  });
}

// ------------------------------------------------------------------ fused

export interface FusedConv2DConfig {
  x: TensorLike;
  filter: TensorLike;
  strides: number | [number, number];
  pad: ConvPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: DimRoundingMode;
  bias?: TensorLike | null;
  activation?: FusedActivation;
  preluActivationWeights?: TensorLike | null;
  leakyreluAlpha?: number;
}

interface FusedConfig {
  bias: TensorLike | null;
  activation: FusedActivation;
  preluActivationWeights: TensorLike | null;
  leakyreluAlpha: number;
}

/**
 * The convolution with its bias and activation: in the kernel when the bias
 * holds one value per output channel, else as separate ops after it.
 */
function withFusion(spec: ConvSpec, x: Tensor, filter: Tensor, groups: number, userFilterShape: readonly number[], config?: FusedConfig): Tensor {
  if (!config) return runConv(spec, x, filter, groups, userFilterShape, null);
  const fn = spec.fn;
  const { activation, preluActivationWeights, leakyreluAlpha } = config;
  const fusedAct = fusedActivation(fn, activation, leakyreluAlpha, preluActivationWeights);
  const bias = config.bias === null || config.bias === undefined ? null : float32(config.bias, 'bias', fn);
  const cout = filter.shape[filter.rank - 1];
  // Channels-first output broadcasts a bias from its last dim: only a 1-D one is per channel.
  const perChannel = bias !== null && bias.size === cout && (spec.channelsFirst ? bias.rank === 1 : bias.shape.every((d, i) => i === bias.rank - 1 || d === 1));
  const actInKernel = fusedAct !== null && (bias === null || perChannel);
  const fusion: Fusion = {
    bias: perChannel ? reshape(bias!, [cout]) : null,
    act: actInKernel ? fusedAct!.act : LINEAR,
    alpha: actInKernel ? fusedAct!.alpha : 0,
  };
  let y = runConv(spec, x, filter, groups, userFilterShape, fusion);
  if (bias !== null && !perChannel) y = add(y, bias);
  return actInKernel ? y : applyActivation(y, activation, preluActivationWeights, leakyreluAlpha);
}

function fusedArgs(fn: string, config: FusedConv2DConfig): [FusedConfig, ConvSpec] {
  if (config === null || typeof config !== 'object') throw typeError(fn, 'config', 'an object {x, filter, strides, pad, ...}', config);
  const { strides, pad, dataFormat = 'NHWC', dilations = [1, 1], dimRoundingMode, bias = null, activation = 'linear',
    preluActivationWeights = null, leakyreluAlpha = 0.2 } = config;
  const spec = parseSpec(fn, 2, strides, pad, dataFormat, dilations, dimRoundingMode);
  return [{ bias, activation, preluActivationWeights, leakyreluAlpha }, spec];
}

/**
 * act(conv2d(x, filter) + bias) in one native call, as TF.js's tf.fused.conv2d.
 * `tf.fused.conv2d({x, filter, strides: 1, pad: 'same', bias, activation: 'relu'})` is a Conv2D layer's forward.
 */
export function fusedConv2d(config: FusedConv2DConfig): Tensor {
  const [fusion, spec] = fusedArgs('fused.conv2d', config);
  return convN(spec, config.x, config.filter, fusion);
}

/** act(depthwiseConv2d(x, filter) + bias) in one native call, as TF.js's tf.fused.depthwiseConv2d. */
export function fusedDepthwiseConv2d(config: FusedConv2DConfig): Tensor {
  const [fusion, spec] = fusedArgs('fused.depthwiseConv2d', config);
  return depthwise(spec, config.x, config.filter, fusion);
}

// ------------------------------------------------------------------ chained API

declare module '../tensor/tensor' {
  interface Tensor<R extends Rank = Rank> {
    conv1d(filter: TensorLike, stride: number, pad: ConvPadding, dataFormat?: 'NWC' | 'NCW', dilation?: number, dimRoundingMode?: DimRoundingMode): Tensor;
    conv2d(filter: TensorLike, strides: number | [number, number], pad: ConvPadding, dataFormat?: 'NHWC' | 'NCHW', dilations?: number | [number, number],
      dimRoundingMode?: DimRoundingMode): Tensor;
    conv2dTranspose(filter: TensorLike, outputShape: [number, number, number, number] | [number, number, number], strides: number | [number, number],
      pad: ConvPadding, dimRoundingMode?: DimRoundingMode): Tensor;
    depthwiseConv2d(filter: TensorLike, strides: number | [number, number], pad: ConvPadding, dataFormat?: 'NHWC' | 'NCHW',
      dilations?: number | [number, number], dimRoundingMode?: DimRoundingMode): Tensor;
    separableConv2d(depthwiseFilter: TensorLike, pointwiseFilter: TensorLike, strides: number | [number, number], pad: 'valid' | 'same',
      dilation?: number | [number, number], dataFormat?: 'NHWC' | 'NCHW'): Tensor;
  }
}

Tensor.prototype.conv1d = function (filter, stride, pad, dataFormat, dilation, dimRoundingMode) {
  return conv1d(this, filter, stride, pad, dataFormat, dilation, dimRoundingMode);
};
Tensor.prototype.conv2d = function (filter, strides, pad, dataFormat, dilations, dimRoundingMode) {
  return conv2d(this, filter, strides, pad, dataFormat, dilations, dimRoundingMode);
};
Tensor.prototype.conv2dTranspose = function (filter, outputShape, strides, pad, dimRoundingMode) {
  return conv2dTranspose(this, filter, outputShape, strides, pad, dimRoundingMode);
};
Tensor.prototype.depthwiseConv2d = function (filter, strides, pad, dataFormat, dilations, dimRoundingMode) {
  return depthwiseConv2d(this, filter, strides, pad, dataFormat, dilations, dimRoundingMode);
};
Tensor.prototype.separableConv2d = function (depthwiseFilter, pointwiseFilter, strides, pad, dilation, dataFormat) {
  return separableConv2d(this, depthwiseFilter, pointwiseFilter, strides, pad, dilation, dataFormat);
};
