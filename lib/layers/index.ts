// The tf.layers namespace: one factory function per layer, named as in
// TF.js (tf.layers.dense({units: 10})), plus the layer classes and the Layer
// base class for custom layers.
import { InputLayer, InputLayerArgs } from './input';
import {
  Activation, ActivationLayerArgs, AlphaDropout, AlphaDropoutArgs, Dense, DenseLayerArgs, Dropout, DropoutLayerArgs, Flatten, FlattenLayerArgs,
  GaussianDropout, GaussianDropoutArgs, GaussianNoise, GaussianNoiseArgs, Masking, MaskingArgs, Permute, PermuteLayerArgs,
  RepeatVector, RepeatVectorLayerArgs, Reshape, ReshapeLayerArgs, SpatialDropout1D, SpatialDropout1DLayerArgs,
  SpatialDropout2D, SpatialDropout2DLayerArgs,
} from './core';
import {
  ELU, ELULayerArgs, LeakyReLU, LeakyReLULayerArgs, PReLU, PReLULayerArgs, ReLU, ReLULayerArgs, Softmax, SoftmaxLayerArgs,
  ThresholdedReLU, ThresholdedReLULayerArgs,
} from './activations_layers';
import { Add, Average, Concatenate, ConcatenateLayerArgs, Dot, DotLayerArgs, Maximum, mergeFactory, Minimum, Multiply, Subtract } from './merge';
import { Embedding, EmbeddingLayerArgs } from './embeddings';
import {
  Conv1D, Conv2D, Conv2DTranspose, Conv3D, ConvLayerArgs, Cropping2D, Cropping2DLayerArgs, DepthwiseConv2D, DepthwiseConv2DLayerArgs,
  SeparableConv2D, SeparableConvLayerArgs, UpSampling2D, UpSampling2DLayerArgs,
} from './convolutional';
import { ZeroPadding2D, ZeroPadding2DLayerArgs } from './padding';
import {
  AveragePooling1D, AveragePooling2D, AveragePooling3D, GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D,
  GlobalPooling2DLayerArgs, MaxPooling1D, MaxPooling2D, MaxPooling3D, Pooling1DLayerArgs, Pooling2DLayerArgs, Pooling3DLayerArgs,
} from './pooling';
import { BatchNormalization, BatchNormalizationLayerArgs, LayerNormalization, LayerNormalizationLayerArgs } from './normalization';
import {
  GRU, GRUCell, GRUCellLayerArgs, GRULayerArgs, LSTM, LSTMCell, LSTMCellLayerArgs, LSTMLayerArgs, RNN, RNNLayerArgs, SimpleRNN, SimpleRNNCell,
  SimpleRNNCellLayerArgs, SimpleRNNLayerArgs, StackedRNNCells, StackedRNNCellsArgs,
} from './recurrent';
import { Bidirectional, BidirectionalLayerArgs, TimeDistributed, WrapperLayerArgs } from './wrappers';
import { LayerArgs } from './layer';

export { Layer, InputSpec, SymbolicTensor, LayerVariable } from './layer';
export type { LayerArgs, Kwargs, Shape } from './layer';
export { input, InputLayer } from './input';
export {
  Dense, Flatten, Dropout, SpatialDropout1D, SpatialDropout2D, GaussianNoise, GaussianDropout, AlphaDropout, Activation,
  Reshape, Permute, RepeatVector, Masking,
} from './core';
export type {
  DenseLayerArgs, FlattenLayerArgs, DropoutLayerArgs, SpatialDropout1DLayerArgs, SpatialDropout2DLayerArgs, GaussianNoiseArgs,
  GaussianDropoutArgs, AlphaDropoutArgs, ActivationLayerArgs, ReshapeLayerArgs, PermuteLayerArgs, RepeatVectorLayerArgs, MaskingArgs,
} from './core';
export { LeakyReLU, ELU, ReLU, Softmax, PReLU, ThresholdedReLU } from './activations_layers';
export type { LeakyReLULayerArgs, ELULayerArgs, ReLULayerArgs, SoftmaxLayerArgs, PReLULayerArgs, ThresholdedReLULayerArgs } from './activations_layers';
export { Merge, Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot } from './merge';
export type { ConcatenateLayerArgs, DotLayerArgs } from './merge';
export { Embedding } from './embeddings';
export type { EmbeddingLayerArgs } from './embeddings';
export { Conv1D, Conv2D, Conv3D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D, Cropping2D, UpSampling2D } from './convolutional';
export type {
  BaseConvLayerArgs, ConvLayerArgs, DepthwiseConv2DLayerArgs, SeparableConvLayerArgs, Cropping2DLayerArgs, UpSampling2DLayerArgs, DataFormat, PaddingMode,
} from './convolutional';
export { ZeroPadding2D } from './padding';
export type { ZeroPadding2DLayerArgs } from './padding';
export {
  MaxPooling1D, MaxPooling2D, MaxPooling3D, AveragePooling1D, AveragePooling2D, AveragePooling3D,
  GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D,
} from './pooling';
export type { Pooling1DLayerArgs, Pooling2DLayerArgs, Pooling3DLayerArgs, GlobalPooling2DLayerArgs } from './pooling';
export { RNN, RNNCell, SimpleRNN, SimpleRNNCell, LSTM, LSTMCell, GRU, GRUCell, StackedRNNCells } from './recurrent';
export type {
  BaseRNNLayerArgs, RNNLayerArgs, SimpleRNNCellLayerArgs, SimpleRNNLayerArgs, GatedCellLayerArgs, LSTMCellLayerArgs, LSTMLayerArgs,
  GRUCellLayerArgs, GRULayerArgs, StackedRNNCellsArgs,
} from './recurrent';
export { Wrapper, Bidirectional, TimeDistributed } from './wrappers';
export type { WrapperLayerArgs, BidirectionalLayerArgs, BidirectionalMergeMode } from './wrappers';
export { BatchNormalization, LayerNormalization } from './normalization';
export type { BatchNormalizationLayerArgs, LayerNormalizationLayerArgs } from './normalization';

// ---- core

/** `tf.layers.inputLayer({inputShape: [784]})`: the entry layer of a model. */
export const inputLayer = (args: InputLayerArgs): InputLayer => new InputLayer(args);
/** `tf.layers.dense({units: 10, activation: 'softmax'})` */
export const dense = (args: DenseLayerArgs): Dense => new Dense(args);
/** `tf.layers.flatten()` */
export const flatten = (args?: FlattenLayerArgs): Flatten => new Flatten(args);
/** `tf.layers.dropout({rate: 0.5})` */
export const dropout = (args: DropoutLayerArgs): Dropout => new Dropout(args);
/** `tf.layers.spatialDropout1d({rate: 0.2})` */
export const spatialDropout1d = (args: SpatialDropout1DLayerArgs): SpatialDropout1D => new SpatialDropout1D(args);
/** `tf.layers.spatialDropout2d({rate: 0.2})` */
export const spatialDropout2d = (args: SpatialDropout2DLayerArgs): SpatialDropout2D => new SpatialDropout2D(args);
/** `tf.layers.gaussianNoise({stddev: 0.1})` */
export const gaussianNoise = (args: GaussianNoiseArgs): GaussianNoise => new GaussianNoise(args);
/** `tf.layers.gaussianDropout({rate: 0.1})` */
export const gaussianDropout = (args: GaussianDropoutArgs): GaussianDropout => new GaussianDropout(args);
/** `tf.layers.alphaDropout({rate: 0.1})` */
export const alphaDropout = (args: AlphaDropoutArgs): AlphaDropout => new AlphaDropout(args);
/** `tf.layers.activation({activation: 'relu'})` */
export const activation = (args: ActivationLayerArgs): Activation => new Activation(args);
/** `tf.layers.reshape({targetShape: [7, 7, 256]})` */
export const reshape = (args: ReshapeLayerArgs): Reshape => new Reshape(args);
/** `tf.layers.permute({dims: [2, 1]})` */
export const permute = (args: PermuteLayerArgs): Permute => new Permute(args);
/** `tf.layers.repeatVector({n: 3})` */
export const repeatVector = (args: RepeatVectorLayerArgs): RepeatVector => new RepeatVector(args);
/** `tf.layers.masking({maskValue: 0})` */
export const masking = (args?: MaskingArgs): Masking => new Masking(args);
/** `tf.layers.embedding({inputDim: 1000, outputDim: 32})` */
export const embedding = (args: EmbeddingLayerArgs): Embedding => new Embedding(args);

// ---- recurrent

/** `tf.layers.simpleRNN({units: 8, returnSequences: true})` */
export const simpleRNN = (args: SimpleRNNLayerArgs): SimpleRNN => new SimpleRNN(args);
/** `tf.layers.lstm({units: 128, inputShape: [28, 28]})` */
export const lstm = (args: LSTMLayerArgs): LSTM => new LSTM(args);
/** `tf.layers.gru({units: 32, dropout: 0.2, recurrentDropout: 0.2})` */
export const gru = (args: GRULayerArgs): GRU => new GRU(args);
/** `tf.layers.rnn({cell: tf.layers.lstmCell({units: 16})})`: any cell (or stacked cells) over a sequence. */
export const rnn = (args: RNNLayerArgs): RNN => new RNN(args);
/** `tf.layers.simpleRNNCell({units: 8})` */
export const simpleRNNCell = (args: SimpleRNNCellLayerArgs): SimpleRNNCell => new SimpleRNNCell(args);
/** `tf.layers.lstmCell({units: 8})` */
export const lstmCell = (args: LSTMCellLayerArgs): LSTMCell => new LSTMCell(args);
/** `tf.layers.gruCell({units: 8})` */
export const gruCell = (args: GRUCellLayerArgs): GRUCell => new GRUCell(args);
/** `tf.layers.stackedRNNCells({cells: [tf.layers.lstmCell({units: 16}), tf.layers.lstmCell({units: 8})]})` */
export const stackedRNNCells = (args: StackedRNNCellsArgs): StackedRNNCells => new StackedRNNCells(args);

// ---- wrappers

/** `tf.layers.bidirectional({layer: tf.layers.lstm({units: 16}), mergeMode: 'concat'})` */
export const bidirectional = (args: BidirectionalLayerArgs): Bidirectional => new Bidirectional(args);
/** `tf.layers.timeDistributed({layer: tf.layers.dense({units: 8})})` */
export const timeDistributed = (args: WrapperLayerArgs): TimeDistributed => new TimeDistributed(args);

// ---- normalization

/** `tf.layers.batchNormalization({momentum: 0.99})` */
export const batchNormalization = (args?: BatchNormalizationLayerArgs): BatchNormalization => new BatchNormalization(args);
/** `tf.layers.layerNormalization({axis: -1})` */
export const layerNormalization = (args?: LayerNormalizationLayerArgs): LayerNormalization => new LayerNormalization(args);

// ---- advanced activations

/** `tf.layers.leakyReLU({alpha: 0.2})` */
export const leakyReLU = (args?: LeakyReLULayerArgs): LeakyReLU => new LeakyReLU(args);
/** `tf.layers.elu({alpha: 1})` */
export const elu = (args?: ELULayerArgs): ELU => new ELU(args);
/** `tf.layers.reLU({maxValue: 6})` */
export const reLU = (args?: ReLULayerArgs): ReLU => new ReLU(args);
/** `tf.layers.softmax({axis: -1})` */
export const softmax = (args?: SoftmaxLayerArgs): Softmax => new Softmax(args);
/** `tf.layers.prelu({sharedAxes: [1, 2]})` */
export const prelu = (args?: PReLULayerArgs): PReLU => new PReLU(args);
/** `tf.layers.thresholdedReLU({theta: 1})` */
export const thresholdedReLU = (args?: ThresholdedReLULayerArgs): ThresholdedReLU => new ThresholdedReLU(args);

// ---- merge: `tf.layers.add().apply([a, b])`, or `tf.layers.add([a, b])` directly

export const add = mergeFactory((args: LayerArgs) => new Add(args));
export const subtract = mergeFactory((args: LayerArgs) => new Subtract(args));
export const multiply = mergeFactory((args: LayerArgs) => new Multiply(args));
export const average = mergeFactory((args: LayerArgs) => new Average(args));
export const maximum = mergeFactory((args: LayerArgs) => new Maximum(args));
export const minimum = mergeFactory((args: LayerArgs) => new Minimum(args));
export const concatenate = mergeFactory((args: ConcatenateLayerArgs) => new Concatenate(args));
/** `tf.layers.dot({axes: -1, normalize: true})` */
export const dot = (args: DotLayerArgs): Dot => new Dot(args);

// ---- convolutional

/** `tf.layers.conv1d({filters: 16, kernelSize: 3})`: convolution over [batch, steps, channels]. */
export const conv1d = (args: ConvLayerArgs): Conv1D => new Conv1D(args);
/** `tf.layers.conv2d({filters: 32, kernelSize: 3, activation: 'relu'})` */
export const conv2d = (args: ConvLayerArgs): Conv2D => new Conv2D(args);
/** `tf.layers.conv2dTranspose({filters: 16, kernelSize: 3, strides: 2, padding: 'same'})` */
export const conv2dTranspose = (args: ConvLayerArgs): Conv2DTranspose => new Conv2DTranspose(args);
/** `tf.layers.conv3d({filters: 8, kernelSize: 3})`: convolution over [batch, depth, height, width, channels]. */
export const conv3d = (args: ConvLayerArgs): Conv3D => new Conv3D(args);
/** `tf.layers.depthwiseConv2d({kernelSize: 3, depthMultiplier: 2})` */
export const depthwiseConv2d = (args: DepthwiseConv2DLayerArgs): DepthwiseConv2D => new DepthwiseConv2D(args);
/** `tf.layers.separableConv2d({filters: 32, kernelSize: 3})` */
export const separableConv2d = (args: SeparableConvLayerArgs): SeparableConv2D => new SeparableConv2D(args);
/** `tf.layers.cropping2D({cropping: [[2, 2], [2, 2]]})` */
export const cropping2D = (args: Cropping2DLayerArgs): Cropping2D => new Cropping2D(args);
/** `tf.layers.upSampling2d({size: [2, 2]})` */
export const upSampling2d = (args?: UpSampling2DLayerArgs): UpSampling2D => new UpSampling2D(args);
/** `tf.layers.zeroPadding2d({padding: 1})` */
export const zeroPadding2d = (args?: ZeroPadding2DLayerArgs): ZeroPadding2D => new ZeroPadding2D(args);

// ---- pooling (with TF.js's aliases: maxPool2d, avgPool2d, avgPooling2d, ...)

/** `tf.layers.maxPooling1d({poolSize: 2})` */
export const maxPooling1d = (args?: Pooling1DLayerArgs): MaxPooling1D => new MaxPooling1D(args);
/** `tf.layers.maxPooling2d({poolSize: 2})` */
export const maxPooling2d = (args?: Pooling2DLayerArgs): MaxPooling2D => new MaxPooling2D(args);
/** `tf.layers.maxPooling3d({poolSize: 2})` */
export const maxPooling3d = (args?: Pooling3DLayerArgs): MaxPooling3D => new MaxPooling3D(args);
/** `tf.layers.averagePooling1d({poolSize: 2})` */
export const averagePooling1d = (args?: Pooling1DLayerArgs): AveragePooling1D => new AveragePooling1D(args);
/** `tf.layers.averagePooling2d({poolSize: 2})` */
export const averagePooling2d = (args?: Pooling2DLayerArgs): AveragePooling2D => new AveragePooling2D(args);
/** `tf.layers.averagePooling3d({poolSize: 2})` */
export const averagePooling3d = (args?: Pooling3DLayerArgs): AveragePooling3D => new AveragePooling3D(args);
/** `tf.layers.globalMaxPooling1d()` */
export const globalMaxPooling1d = (args?: LayerArgs): GlobalMaxPooling1D => new GlobalMaxPooling1D(args);
/** `tf.layers.globalMaxPooling2d()` */
export const globalMaxPooling2d = (args?: GlobalPooling2DLayerArgs): GlobalMaxPooling2D => new GlobalMaxPooling2D(args);
/** `tf.layers.globalAveragePooling1d()` */
export const globalAveragePooling1d = (args?: LayerArgs): GlobalAveragePooling1D => new GlobalAveragePooling1D(args);
/** `tf.layers.globalAveragePooling2d()` */
export const globalAveragePooling2d = (args?: GlobalPooling2DLayerArgs): GlobalAveragePooling2D => new GlobalAveragePooling2D(args);
export const maxPool1d = maxPooling1d;
export const maxPool2d = maxPooling2d;
export const avgPool1d = averagePooling1d;
export const avgPooling1d = averagePooling1d;
export const avgPool2d = averagePooling2d;
export const avgPooling2d = averagePooling2d;
export const avgPool3d = averagePooling3d;
export const avgPooling3d = averagePooling3d;
export const globalMaxPool1d = globalMaxPooling1d;
export const globalMaxPool2d = globalMaxPooling2d;
