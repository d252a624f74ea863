// The camelCase <-> snake_case boundary of model.json, with tfjs-layers' rules
// (convertTsToPythonic / convertPythonicToTs in lib/serialization).
const test = require('ava');
const { convertTsToPythonic, convertPythonicToTs, toSnakeCase, toCamelCase } = require('../../dist/serialization');

// A functional model's config as TF.js's getConfig returns it.
const tsConfig = {
  className: 'Model',
  config: {
    name: 'my_Model1',
    layers: [
      {
        name: 'input_1',
        className: 'InputLayer',
        config: { batchInputShape: [null, 28, 28, 1], dtype: 'float32', sparse: false, name: 'input_1' },
        inboundNodes: [],
      },
      {
        name: 'conv2d_Conv2D1',
        className: 'Conv2D',
        config: {
          filters: 8, kernelSize: [3, 3], strides: [1, 1], padding: 'valid', dataFormat: 'channelsLast', dilationRate: [1, 1],
          activation: 'relu', useBias: true,
          kernelInitializer: { className: 'VarianceScaling', config: { scale: 1, mode: 'fanAvg', distribution: 'normal', seed: null } },
          biasInitializer: { className: 'Zeros', config: {} },
          kernelRegularizer: { className: 'L1L2', config: { l1: 0, l2: 0.01 } },
          kernelConstraint: null, name: 'conv2d_Conv2D1', trainable: true,
        },
        inboundNodes: [[['input_1', 0, 0, {}]]],
      },
    ],
    inputLayers: [['input_1', 0, 0]],
    outputLayers: [['conv2d_Conv2D1', 0, 0]],
  },
  kerasVersion: 'tfjs-layers 4.22.0',
  backend: 'TensorFlow.js',
};

// What TF.js writes for it in model.json.
const pyConfig = {
  class_name: 'Model',
  config: {
    name: 'my_Model1',
    layers: [
      {
        name: 'input_1',
        class_name: 'InputLayer',
        config: { batch_input_shape: [null, 28, 28, 1], dtype: 'float32', sparse: false, name: 'input_1' },
        inbound_nodes: [],
      },
      {
        name: 'conv2d_Conv2D1',
        class_name: 'Conv2D',
        config: {
          filters: 8, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1],
          activation: 'relu', use_bias: true,
          kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } },
          bias_initializer: { class_name: 'Zeros', config: {} },
          kernel_regularizer: { class_name: 'L1L2', config: { l1: 0, l2: 0.01 } },
          kernel_constraint: null, name: 'conv2d_Conv2D1', trainable: true,
        },
        inbound_nodes: [[['input_1', 0, 0, {}]]],
      },
    ],
    input_layers: [['input_1', 0, 0]],
    output_layers: [['conv2d_Conv2D1', 0, 0]],
  },
  keras_version: 'tfjs-layers 4.22.0',
  backend: 'tensor_flow.js',
};

test('convertTsToPythonic snake-cases keys and string values but keeps names, class names and node layer names', (t) => {
  t.deepEqual(convertTsToPythonic(tsConfig), pyConfig);
});

test('convertPythonicToTs inverts it (backend string aside, which TF.js also changes)', (t) => {
  t.deepEqual(convertPythonicToTs(pyConfig), { ...tsConfig, backend: 'tensorFlow.js' });
});

test('undefined becomes null, numbers and booleans pass through', (t) => {
  t.deepEqual(convertTsToPythonic({ seed: undefined, rate: 0.5, flag: false }), { seed: null, rate: 0.5, flag: false });
  t.is(convertPythonicToTs(null), null);
});

test('toSnakeCase / toCamelCase follow Keras and tfjs-layers', (t) => {
  t.is(toSnakeCase('kernelInitializer'), 'kernel_initializer');
  t.is(toSnakeCase('Conv2DTranspose'), 'conv2d_transpose');
  t.is(toSnakeCase('glorotUniform'), 'glorot_uniform');
  t.is(toSnakeCase('_hidden'), 'private_hidden');
  t.is(toCamelCase('batch_input_shape'), 'batchInputShape');
  t.is(toCamelCase('relu'), 'relu');
  t.is(toCamelCase('x'), 'x');
});
