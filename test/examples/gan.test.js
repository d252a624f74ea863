'use strict';
// The GAN example's training step and PNG writer, on a tiny batch.
const test = require('ava');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { PNG } = require('pngjs');
const tf = require('../..');
const { createGan, trainStep, writeGrid, NOISE_DIM } = require('../../examples/gan');

const snapshot = (model) => model.getWeights().map((w) => Array.from(w.dataSync()));
function maxDiff(a, b) {
  let m = 0;
  a.forEach((w, i) => w.forEach((v, k) => { m = Math.max(m, Math.abs(v - b[i][k])); }));
  return m;
}

test('each optimizer updates only its own model, and a step leaks no tensors', (t) => {
  tf.setSeed(3);
  const gan = createGan();
  const real = tf.randomUniform([4, 28, 28, 1], -1, 1);
  const g0 = snapshot(gan.generator);
  const d0 = snapshot(gan.discriminator);
  const gNames = gan.generator.trainableWeights.map((w) => w.read().name).sort();
  const dNames = gan.discriminator.trainableWeights.map((w) => w.read().name).sort();

  const seen = [];
  for (const [key, names] of [['gOptimizer', gNames], ['dOptimizer', dNames]]) {
    const optimizer = gan[key];
    const apply = optimizer.applyGradients.bind(optimizer);
    optimizer.applyGradients = (grads) => {
      t.deepEqual(Object.keys(grads).sort(), names, `${key} receives exactly its model's gradients`);
      seen.push(key);
      return apply(grads);
    };
  }
  const { gLoss, dLoss } = trainStep(gan, real);
  t.deepEqual(seen, ['gOptimizer', 'dOptimizer']);
  t.true(Number.isFinite(gLoss) && gLoss > 0);
  t.true(Number.isFinite(dLoss) && dLoss > 0);

  // The generator's step left the discriminator alone: with the discriminator's
  // own update undone (a zero learning rate), its weights are unchanged.
  const d1 = snapshot(gan.discriminator);
  t.true(maxDiff(d0, d1) > 0, "the discriminator's own step changed it");
  t.true(maxDiff(g0, snapshot(gan.generator)) > 0, "the generator's step changed it");
  gan.dOptimizer.learningRate = 0;
  trainStep(gan, real);
  t.is(maxDiff(d1, snapshot(gan.discriminator)), 0, 'no other step touches the discriminator');

  const before = tf.memory().numTensors;
  trainStep(gan, real);
  t.is(tf.memory().numTensors, before);
  real.dispose();
});

test('writeGrid writes a grayscale PNG grid of the images', (t) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gan-')), 'grid.png');
  // Four images: all -1 (white), all 1 (black), and two at 0 (mid grey).
  const images = tf.concat([tf.fill([1, 28, 28, 1], -1), tf.fill([1, 28, 28, 1], 1), tf.zeros([2, 28, 28, 1])]);
  writeGrid(images, file, 1);
  const png = PNG.sync.read(fs.readFileSync(file));
  t.is(png.width, 2 * (28 + 2) + 2);
  t.is(png.height, 2 * (28 + 2) + 2);
  const at = (x, y) => png.data[(y * png.width + x) * 4];
  t.is(at(2 + 10, 2 + 10), 255);
  t.is(at(2 + 30 + 10, 2 + 10), 0);
  t.is(at(2 + 10, 2 + 30 + 10), 127, "0 is mid grey: 255 - round(0.5 * 255)");
  t.is(at(0, 0), 255, 'gaps are white');
  images.dispose();
  t.is(NOISE_DIM, 100);
});
