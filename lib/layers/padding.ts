// Padding layers (Keras keeps them in convolutional.py; TF.js in padding.ts).
import { ConfigDict, registerClass } from '../serialization';
import { Tensor } from '../tensor/tensor';
import { pad } from '../ops/shape';
import { DataFormat, dataFormatOf, normalizeSpatial2D, Spatial2DAmount, spatialAxes } from './convolutional';
import { getExactlyOneShape, getExactlyOneTensor, InputSpec, Layer, LayerArgs, Shape } from './layer';

export interface ZeroPadding2DLayerArgs extends LayerArgs {
  /** Rows and columns of zeros to add: an int, [rows, cols] (both sides), or [[top, bottom], [left, right]] (default 1). */
  padding?: Spatial2DAmount;
  dataFormat?: DataFormat;
}

/**
 * Adds rows and columns of zeros around images.
 *
 * ```js
 * tf.layers.zeroPadding2d({padding: [[1, 2], [3, 4]], inputShape: [28, 28, 1]})  // → [null, 31, 35, 1]
 * ```
 */
export class ZeroPadding2D extends Layer {
  static override className = 'ZeroPadding2D';
  readonly padding: [[number, number], [number, number]];
  readonly dataFormat: DataFormat;

  constructor(args: ZeroPadding2DLayerArgs = {}) {
    super(args);
    this.padding = normalizeSpatial2D('ZeroPadding2D', 'padding', args.padding ?? 1);
    this.dataFormat = dataFormatOf('ZeroPadding2D', args.dataFormat);
    this.inputSpec = [new InputSpec({ ndim: 4 })];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = getExactlyOneShape(inputShape, 'ZeroPadding2D.computeOutputShape').slice();
    spatialAxes(4, this.dataFormat).forEach((a, i) => {
      const d = shape[a];
      shape[a] = d == null ? null : d + this.padding[i][0] + this.padding[i][1];
    });
    return shape;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = getExactlyOneTensor(inputs, 'ZeroPadding2D.call');
    const [rows, cols] = this.padding;
    const none: [number, number] = [0, 0];
    return pad(x, this.dataFormat === 'channelsFirst' ? [none, none, rows, cols] : [none, rows, cols, none]);
  }

  override getConfig(): ConfigDict {
    return { padding: this.padding.map((p) => p.slice()), dataFormat: this.dataFormat, ...super.getConfig() };
  }
}
registerClass(ZeroPadding2D);
