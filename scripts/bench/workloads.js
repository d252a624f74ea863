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
    flat: true,
    build(tf) {
      const model = tf.sequential();
      model.add(tf.layers.dense({ units: 512, activation: 'relu', inputShape: [784] }));
      model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
      model.compile({ optimizer: tf.train.rmsprop(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return model;
    },
  },
};

module.exports = { WORKLOADS };
