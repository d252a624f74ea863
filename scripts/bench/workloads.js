// The benchmark workloads of ../shared/WORKLOADS.md, built with tensorforge.
// scripts/bench/torch_workloads.py builds the same models for PyTorch.
'use strict';

const WORKLOADS = {
  mlp: {
    epochs: 10,
    batchSize: 32,
    labels: 'onehot',
    build(tf) {
      const model = tf.sequential();
      model.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
      model.add(tf.layers.dense({ units: 200, activation: 'relu' }));
      model.add(tf.layers.dense({ units: 150, activation: 'relu' }));
      model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
      model.compile({ optimizer: tf.train.adam(5e-4), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return model;
    },
  },
  'mlp-dropout': {
    epochs: 5,
    batchSize: 32,
    labels: 'sparse',
    build(tf) {
      const model = tf.sequential();
      model.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
      model.add(tf.layers.dense({ units: 128, activation: 'relu' }));
      model.add(tf.layers.dropout({ rate: 0.2 }));
      model.add(tf.layers.dense({ units: 10 }));
      model.compile({
        optimizer: tf.train.adam(),
        loss: (yTrue, yPred) => tf.losses.sparseCategoricalCrossentropy(yTrue, yPred, { fromLogits: true }),
        metrics: ['accuracy'],
      });
      return model;
    },
  },
  'mlp-512': {
    epochs: 5,
    batchSize: 128,
    labels: 'onehot',
    imageShape: [784],
    build(tf) {
      const model = tf.sequential();
      model.add(tf.layers.dense({ units: 512, activation: 'relu', inputShape: [784] }));
      model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
      model.compile({ optimizer: tf.train.rmsprop(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return model;
    },
  },
  cnn: {
    epochs: 10,
    batchSize: 128,
    labels: 'onehot',
    build(tf) {
      const model = tf.sequential();
      model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
      model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
      model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
      model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
      model.add(tf.layers.flatten());
      model.add(tf.layers.dense({ units: 128, activation: 'relu' }));
      model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
      model.compile({ optimizer: tf.train.adam(5e-4), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return model;
    },
  },
  // The classic Node MNIST example (tfjs-examples/mnist-node): RMSprop at its
  // default rate, 15% of the training set held out for validation.
  'cnn-deep': {
    epochs: 2,
    batchSize: 128,
    labels: 'onehot',
    fitArgs: { validationSplit: 0.15 },
    build(tf) {
      const model = tf.sequential();
      model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
      model.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }));
      model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
      model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
      model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
      model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
      model.add(tf.layers.flatten());
      model.add(tf.layers.dropout({ rate: 0.25 }));
      model.add(tf.layers.dense({ units: 512, activation: 'relu' }));
      model.add(tf.layers.dropout({ rate: 0.5 }));
      model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
      model.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return model;
    },
  },
  // Each image as a sequence: 28 steps (rows) of 28 features.
  lstm: {
    epochs: 5,
    batchSize: 128,
    labels: 'onehot',
    imageShape: [28, 28],
    build(tf) {
      const model = tf.sequential();
      model.add(tf.layers.lstm({ inputShape: [28, 28], units: 128 }));
      model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
      model.compile({ optimizer: tf.train.adam(5e-4), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return model;
    },
  },
};

module.exports = { WORKLOADS };
