// Merge layers: elementwise Add / Subtract / Multiply / Average / Maximum /
// Minimum (inputs broadcast as TF.js's Merge: per-sample shapes aligned from
// the right, lower-rank inputs expanded after the batch axis), Concatenate and Dot.
import { check, codedError, typeError } from '../errors';
import { Tensor } from '../tensor/tensor';
import { ConfigDict, registerClass } from '../serialization';
import { add, freeTemps, logicalAnd, maximum, minimum, mul, rsqrt, square, sub } from '../ops/elementwise';
import { all, sum } from '../ops/reduce';
import { ones } from '../ops/creation';
import { matMul } from '../ops/linalg';
import { broadcastTo, concat, expandDims, reshape } from '../ops/shape';
import { formatShape, Layer, LayerArgs, Shape, SymbolicTensor } from './layer';

function className(layer: Layer): string {
  return (layer.constructor as typeof Layer).className;
}

/** The error for shapes that do not fit together; it prints both. */
function shapesError(layer: Layer, what: string, a: Shape, b: Shape): Error {
  return codedError('ERR_SHAPE_MISMATCH', `${layer.name} (${className(layer)}): ${what} (${formatShape(a)} and ${formatShape(b)})`);
}

/** inputShape as a list of at least `min` shapes, or a clear error. */
function shapeList(layer: Layer, inputShape: Shape | Shape[], min: number, exactly = false): Shape[] {
  const ok = Array.isArray(inputShape) && inputShape.length > 0 && Array.isArray(inputShape[0]);
  const n = ok ? inputShape.length : 1;
  if (!ok || n < min || (exactly && n !== min)) {
    throw typeError(`${layer.name} (${className(layer)})`, 'inputs', `a list of ${exactly ? 'exactly' : 'at least'} ${min} tensors`, ok ? `${n} tensor${n > 1 ? 's' : ''}` : 'a single tensor');
  }
  return inputShape as Shape[];
}

/**
 * Base of the elementwise merge layers. mergeFunction receives inputs of
 * equal rank; NumPy broadcasting does the rest.
 */
export abstract class Merge extends Layer {
  constructor(args: LayerArgs = {}) {
    super(args);
    this.supportsMasking = true;
  }

  /** The elementwise combination of inputs of equal rank. */
  protected abstract mergeFunction(inputs: Tensor[]): Tensor;

  /** Minimum number of inputs (Subtract needs exactly 2). */
  protected readonly exactInputs: number | null = null;

  /** Per-sample output shape of two per-sample shapes, aligned from the right. */
  private broadcast(a: Shape, b: Shape, fullA: Shape, fullB: Shape): Shape {
    if (a.length < b.length) return this.broadcast(b, a, fullB, fullA);
    const out = a.slice(0, a.length - b.length);
    for (let k = 0; k < b.length; k++) {
      const i = a[a.length - b.length + k];
      const j = b[k];
      if (i == null || j == null) out.push(null);
      else if (i === 1) out.push(j);
      else if (j === 1 || i === j) out.push(i);
      else throw shapesError(this, 'inputs could not be broadcast together', fullA, fullB);
    }
    return out;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shapes = shapeList(this, inputShape, this.exactInputs ?? 2, this.exactInputs !== null);
    let out = shapes[0].slice(1);
    let outFull = shapes[0];
    for (let i = 1; i < shapes.length; i++) {
      out = this.broadcast(out, shapes[i].slice(1), outFull, shapes[i]);
      outFull = [null, ...out];
    }
    const batches = new Set(shapes.map((s) => s[0]).filter((d) => d != null));
    if (batches.size > 1) {
      const [a, b] = shapes.filter((s) => s[0] != null);
      throw shapesError(this, 'inputs have different batch sizes', a, b);
    }
    return [batches.size === 1 ? [...batches][0] : null, ...out];
  }

  override build(inputShape: Shape | Shape[]): void {
    // Checks the shapes now, so that apply() on symbolic inputs fails at once.
    this.computeOutputShape(inputShape);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const list = inputs as Tensor[];
    let maxRank = 0;
    for (const x of list) maxRank = Math.max(maxRank, x.rank);
    if (list.every((x) => x.rank === maxRank)) return this.mergeFunction(list);
    // Lower-rank inputs get unit axes right after the batch axis.
    const expanded = list.map((x) => (x.rank === maxRank ? x : reshape(x, [x.shape[0], ...new Array(maxRank - x.rank).fill(1), ...x.shape.slice(1)])));
    const out = this.mergeFunction(expanded);
    expanded.forEach((x, i) => x !== list[i] && freeTemps(x, null));
    return out;
  }

  /** The AND of the inputs' masks (null when none has one). */
  override computeMask(_inputs: Tensor | Tensor[], mask?: Tensor | (Tensor | null)[] | null): Tensor | null {
    if (mask == null) return null;
    const masks = (Array.isArray(mask) ? mask : [mask]).filter((m): m is Tensor => m != null);
    if (masks.length === 0) return null;
    return foldPairs(masks, logicalAnd);
  }
}

/** f(...f(f(xs[0], xs[1]), xs[2])...), freeing the intermediate results. */
function foldPairs(xs: Tensor[], f: (a: Tensor, b: Tensor) => Tensor): Tensor {
  if (xs.length === 1) return xs[0];
  let acc = f(xs[0], xs[1]);
  for (let i = 2; i < xs.length; i++) {
    const next = f(acc, xs[i]);
    freeTemps(acc, null);
    acc = next;
  }
  return acc;
}

/**
 * Elementwise sum of its inputs.
 *
 * ```js
 * const sum = tf.layers.add().apply([a, b]);
 * ```
 */
export class Add extends Merge {
  static override className = 'Add';
  protected mergeFunction(inputs: Tensor[]): Tensor {
    return foldPairs(inputs, add);
  }
}
registerClass(Add);

/** inputs[0] - inputs[1] (exactly two inputs). */
export class Subtract extends Merge {
  static override className = 'Subtract';
  protected override readonly exactInputs = 2;
  protected mergeFunction(inputs: Tensor[]): Tensor {
    return sub(inputs[0], inputs[1]);
  }
}
registerClass(Subtract);

/** Elementwise product of its inputs. */
export class Multiply extends Merge {
  static override className = 'Multiply';
  protected mergeFunction(inputs: Tensor[]): Tensor {
    return foldPairs(inputs, mul);
  }
}
registerClass(Multiply);

/** Elementwise mean of its inputs. */
export class Average extends Merge {
  static override className = 'Average';
  protected mergeFunction(inputs: Tensor[]): Tensor {
    const total = foldPairs(inputs, add);
    const out = mul(total, 1 / inputs.length);
    freeTemps(total, null);
    return out;
  }
}
registerClass(Average);

/** Elementwise maximum of its inputs. */
export class Maximum extends Merge {
  static override className = 'Maximum';
  protected mergeFunction(inputs: Tensor[]): Tensor {
    return foldPairs(inputs, maximum);
  }
}
registerClass(Maximum);

/** Elementwise minimum of its inputs. */
export class Minimum extends Merge {
  static override className = 'Minimum';
  protected mergeFunction(inputs: Tensor[]): Tensor {
    return foldPairs(inputs, minimum);
  }
}
registerClass(Minimum);

// ------------------------------------------------------------------ Concatenate

export interface ConcatenateLayerArgs extends LayerArgs {
  /** Axis to concatenate along (default -1). */
  axis?: number;
}

/**
 * Concatenates its inputs along an axis; every other axis must match.
 *
 * ```js
 * const merged = tf.layers.concatenate({axis: -1}).apply([a, b]);
 * ```
 */
export class Concatenate extends Layer {
  static override className = 'Concatenate';
  readonly axis: number;

  constructor(args: ConcatenateLayerArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    check.isInt('Concatenate', 'axis', this.axis);
    this.supportsMasking = true;
  }

  private axisFor(rank: number, shape: Shape): number {
    const axis = this.axis < 0 ? this.axis + rank : this.axis;
    if (axis < 1 || axis >= rank) {
      throw codedError('ERR_OUT_OF_RANGE', `${this.name} (Concatenate): axis ${this.axis} is not a non-batch axis of inputs of shape ${formatShape(shape)}`);
    }
    return axis;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shapes = shapeList(this, inputShape, 2);
    const first = shapes[0];
    const axis = this.axisFor(first.length, first);
    const out = first.slice();
    for (const s of shapes.slice(1)) {
      const fits = s.length === first.length && s.every((d, k) => k === axis || d == null || out[k] == null || d === out[k]);
      if (!fits) throw shapesError(this, `inputs must match on every axis but the concatenation axis ${this.axis}`, first, s);
      for (let k = 0; k < s.length; k++) if (k !== axis && out[k] == null) out[k] = s[k];
      out[axis] = out[axis] == null || s[axis] == null ? null : (out[axis] as number) + (s[axis] as number);
    }
    return out;
  }

  override build(inputShape: Shape | Shape[]): void {
    this.computeOutputShape(inputShape);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const list = inputs as Tensor[];
    return concat(list, this.axisFor(list[0].rank, list[0].shape));
  }

  /**
   * Masks concatenated along the axis (inputs without a mask count as all
   * true), reduced with AND over the last axis, as TF.js.
   */
  override computeMask(inputs: Tensor | Tensor[], mask?: Tensor | (Tensor | null)[] | null): Tensor | null {
    if (mask == null) return null;
    const list = inputs as Tensor[];
    const masks = Array.isArray(mask) ? mask : [mask];
    if (masks.every((m) => m == null)) return null;
    const full = list.map((x, i) => {
      const m = masks[i];
      if (m == null) return ones(x.shape, 'bool');
      if (m.rank === x.rank) return m;
      // A per-step mask [batch, steps] covers every feature of its step.
      const expanded = expandDims(m, -1);
      const spread = broadcastTo(expanded, x.shape);
      freeTemps(expanded, null);
      return spread;
    });
    const joined = concat(full, this.axisFor(list[0].rank, list[0].shape));
    const out = all(joined, -1);
    full.forEach((m, i) => m !== masks[i] && freeTemps(m, null));
    freeTemps(joined, null);
    return out;
  }

  override getConfig(): ConfigDict {
    return { axis: this.axis, ...super.getConfig() };
  }
}
registerClass(Concatenate);

// ------------------------------------------------------------------ Dot

export interface DotLayerArgs extends LayerArgs {
  /** The axis (or one per input) to contract; the batch axis 0 cannot be one. */
  axes: number | [number, number];
  /** L2-normalise both inputs along the axes first, giving cosine similarity (default false). */
  normalize?: boolean;
}

/**
 * Dot product of two samples-wise tensors of rank 2 or 3 along `axes`.
 *
 * ```js
 * const score = tf.layers.dot({axes: -1, normalize: true}).apply([a, b]);  // cosine similarity [batch, 1]
 * ```
 */
export class Dot extends Layer {
  static override className = 'Dot';
  readonly axes: number | [number, number];
  readonly normalize: boolean;

  constructor(args: DotLayerArgs) {
    super(args);
    const axes = args?.axes;
    const ok = Number.isInteger(axes) || (Array.isArray(axes) && axes.length === 2 && axes.every((a) => Number.isInteger(a)));
    if (!ok) throw typeError('Dot', 'axes', 'an integer or a pair of integers', axes);
    this.axes = Array.isArray(axes) ? [axes[0], axes[1]] : axes;
    if (args.normalize !== undefined && typeof args.normalize !== 'boolean') throw typeError('Dot', 'normalize', 'a boolean', args.normalize);
    this.normalize = args.normalize ?? false;
  }

  /** The contracted axis of each input, non-negative. */
  private axesFor(s1: Shape, s2: Shape): [number, number] {
    const [a1, a2] = Array.isArray(this.axes) ? this.axes : [this.axes, this.axes];
    const n1 = a1 < 0 ? a1 + s1.length : a1;
    const n2 = a2 < 0 ? a2 + s2.length : a2;
    if (n1 < 1 || n1 >= s1.length || n2 < 1 || n2 >= s2.length) {
      throw shapesError(this, `axes ${JSON.stringify(this.axes)} must name a non-batch axis of each input`, s1, s2);
    }
    return [n1, n2];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [s1, s2] = shapeList(this, inputShape, 2, true);
    for (const s of [s1, s2]) {
      if (s.length < 2 || s.length > 3) throw shapesError(this, 'inputs must have rank 2 or 3', s1, s2);
    }
    const [a1, a2] = this.axesFor(s1, s2);
    if (s1[a1] != null && s2[a2] != null && s1[a1] !== s2[a2]) {
      throw shapesError(this, `the contracted axes differ in size (${s1[a1]} vs ${s2[a2]})`, s1, s2);
    }
    const out = [...s1.filter((_, k) => k !== a1), ...s2.filter((_, k) => k !== a2 && k !== 0)];
    if (out.length === 1) out.push(1);
    return out;
  }

  override build(inputShape: Shape | Shape[]): void {
    this.computeOutputShape(inputShape);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const [x1, x2] = inputs as Tensor[];
    const [a1, a2] = this.axesFor(x1.shape, x2.shape);
    const n1 = this.normalize ? l2Normalize(x1, a1) : x1;
    const n2 = this.normalize ? l2Normalize(x2, a2) : x2;
    // As a batched matMul [b, m, k] · [b, k, n]: a rank-2 input becomes [b, 1, k] or [b, k, 1].
    const b = x1.shape[0];
    const left = n1.rank === 2 ? reshape(n1, [b, 1, n1.shape[1]]) : n1;
    const right = n2.rank === 2 ? reshape(n2, [b, n2.shape[1], 1]) : n2;
    const product = matMul(left, right, n1.rank === 3 && a1 === 1, n2.rank === 3 && a2 === 2);
    const outShape = this.computeOutputShape([x1.shape, x2.shape]) as number[];
    const out = reshape(product, outShape);
    for (const t of [n1, n2, left, right, product]) if (t !== x1 && t !== x2 && t !== out) freeTemps(t, null);
    return out;
  }

  override computeMask(): null {
    return null;
  }

  override getConfig(): ConfigDict {
    return { axes: this.axes, normalize: this.normalize, ...super.getConfig() };
  }
}
registerClass(Dot);

/** x / sqrt(max(sum(x², axis), 1e-12)), as tf.l2Normalize. */
function l2Normalize(x: Tensor, axis: number): Tensor {
  const sq = square(x);
  const ss = sum(sq, axis, true);
  const floor = maximum(ss, 1e-12);
  const inv = rsqrt(floor);
  const out = mul(x, inv);
  for (const t of [sq, ss, floor, inv]) freeTemps(t, null);
  return out;
}

/** A merge factory: with a list of inputs it applies the new layer to them at once (Keras's functional form). */
export function mergeFactory<A extends LayerArgs, L extends Layer>(make: (args: A) => L) {
  function factory(args?: A): L;
  function factory(inputs: Tensor[]): Tensor;
  function factory(inputs: SymbolicTensor[]): SymbolicTensor;
  function factory(arg?: A | Tensor[] | SymbolicTensor[]): L | Tensor | SymbolicTensor {
    if (Array.isArray(arg)) return make({} as A).apply(arg as Tensor[]) as Tensor;
    return make((arg ?? {}) as A);
  }
  return factory;
}
