// Embedding: integer ids → dense vectors, one row of a learned table each.
import { check, codedError, typeError } from '../errors';
import { Tensor } from '../tensor/tensor';
import { ConfigDict, registerClass } from '../serialization';
import { getInitializer, Initializer, InitializerIdentifier, serializeInitializer } from '../initializers';
import { Constraint, getConstraint } from '../constraints';
import { getRegularizer, Regularizer } from '../regularizers';
import { cast, freeTemps, notEqual } from '../ops/elementwise';
import { gather } from '../ops/shape';
import { formatShape, getExactlyOneShape, getExactlyOneTensor, Layer, LayerArgs, LayerVariable, Shape } from './layer';
import { optional, serializeOptional } from './core';

export interface EmbeddingLayerArgs extends LayerArgs {
  /** Vocabulary size: ids are in [0, inputDim). */
  inputDim: number;
  /** Size of each vector. */
  outputDim: number;
  /** Initial table (default randomUniform in ±0.05). */
  embeddingsInitializer?: InitializerIdentifier | Initializer | ConfigDict;
  embeddingsRegularizer?: Regularizer | string | ConfigDict | null;
  activityRegularizer?: Regularizer | string | ConfigDict | null;
  embeddingsConstraint?: Constraint | string | ConfigDict | null;
  /** Whether id 0 is padding: the layer then outputs a mask (ids != 0) for the layers downstream. */
  maskZero?: boolean;
  /** Sequence length(s) of the input, when constant; needed before Flatten + Dense. */
  inputLength?: number | number[] | null;
}

/**
 * Maps integer ids (int32, or float32 holding integers) of any shape to
 * vectors: [batch, steps] → [batch, steps, outputDim].
 *
 * ```js
 * tf.layers.embedding({inputDim: 10000, outputDim: 32, maskZero: true})
 * ```
 */
export class Embedding extends Layer {
  static override className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: Initializer;
  readonly embeddingsRegularizer: Regularizer | null;
  readonly embeddingsConstraint: Constraint | null;
  readonly maskZero: boolean;
  readonly inputLength: number | (number | null)[] | null;
  embeddings: LayerVariable | null = null;

  constructor(args: EmbeddingLayerArgs) {
    super(args);
    const fn = 'Embedding';
    if (args == null || typeof args !== 'object') throw typeError(fn, 'args', 'an object with inputDim and outputDim', args);
    check.isInt(fn, 'inputDim', args.inputDim, 1);
    check.isInt(fn, 'outputDim', args.outputDim, 1);
    this.inputDim = args.inputDim;
    this.outputDim = args.outputDim;
    this.embeddingsInitializer = getInitializer(args.embeddingsInitializer ?? 'randomUniform');
    this.embeddingsRegularizer = optional(getRegularizer, args.embeddingsRegularizer);
    this.embeddingsConstraint = optional(getConstraint, args.embeddingsConstraint);
    this.activityRegularizer = optional(getRegularizer, args.activityRegularizer);
    if (args.maskZero !== undefined && typeof args.maskZero !== 'boolean') throw typeError(fn, 'maskZero', 'a boolean', args.maskZero);
    this.maskZero = args.maskZero ?? false;
    const len = args.inputLength ?? null;
    const lens = len === null ? [] : Array.isArray(len) ? len : [len];
    if (!lens.every((d) => d === null || (Number.isInteger(d) && d >= 1))) throw typeError(fn, 'inputLength', 'a positive integer or an array of them', len);
    this.inputLength = len;
    // As the first layer of a Sequential without inputShape: sequences of inputLength (or any length).
    if (this.batchInputShape == null) this.batchInputShape = [args.batchSize ?? null, ...(lens.length ? lens : [null])];
  }

  override build(): void {
    this.embeddings = this.addWeight('embeddings', [this.inputDim, this.outputDim], this.dtype, this.embeddingsInitializer, this.embeddingsRegularizer, true, this.embeddingsConstraint);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, 'Embedding.computeOutputShape');
    if (this.inputLength == null) return [...shape, this.outputDim];
    const lens = Array.isArray(this.inputLength) ? this.inputLength : [this.inputLength];
    const rest = shape.slice(1);
    if (lens.length !== rest.length || lens.some((d, i) => d != null && rest[i] != null && d !== rest[i])) {
      throw codedError('ERR_SHAPE_MISMATCH', `${this.name} (Embedding): inputLength ${JSON.stringify(this.inputLength)} does not match the input shape ${formatShape(shape)}`);
    }
    return [shape[0], ...lens.map((d, i) => d ?? rest[i]), this.outputDim];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = getExactlyOneTensor(inputs, 'Embedding.call');
    const ids = x.dtype === 'int32' ? x : cast(x, 'int32');
    const out = gather(this.embeddings!.read(), ids);
    if (ids !== x) freeTemps(ids, null);
    return out;
  }

  /** With maskZero, true where the id is not 0. */
  override computeMask(inputs: Tensor | Tensor[]): Tensor | null {
    if (!this.maskZero) return null;
    return notEqual(getExactlyOneTensor(inputs, 'Embedding.computeMask'), 0);
  }

  override getConfig(): ConfigDict {
    return {
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      embeddingsInitializer: serializeInitializer(this.embeddingsInitializer),
      embeddingsRegularizer: serializeOptional(this.embeddingsRegularizer),
      activityRegularizer: serializeOptional(this.activityRegularizer),
      embeddingsConstraint: serializeOptional(this.embeddingsConstraint),
      maskZero: this.maskZero,
      inputLength: this.inputLength,
      ...super.getConfig(),
    };
  }
}
registerClass(Embedding);
