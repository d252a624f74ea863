#!/usr/bin/env node
// npm run gan [-- --epochs 5 --every 1 --batch 256 --samples 60000 --out gan-out]
// A DCGAN on Fashion-MNIST scaled to [-1, 1] (the `gan` workload of
// ../shared/WORKLOADS.md): a custom training step computes the generator's and
// the discriminator's losses from one forward pass, takes each model's
// gradients with tf.variableGrads over that model's own trainable variables,
// and applies them with its own Adam(1e-4). Every `--every` epochs a PNG grid
// of 64 generated images (always from the same noise) is written to --out.
'use strict';
const fs = require('fs');
const path = require('path');
const { PNG } = require('pngjs');
const tf = require('..');

const NOISE_DIM = 100;

function buildGenerator() {
  const g = tf.sequential({ name: 'generator' });
  g.add(tf.layers.dense({ inputShape: [NOISE_DIM], units: 7 * 7 * 256, useBias: false }));
  g.add(tf.layers.batchNormalization());
  g.add(tf.layers.leakyReLU());
  g.add(tf.layers.reshape({ targetShape: [7, 7, 256] }));
  g.add(tf.layers.conv2dTranspose({ filters: 128, kernelSize: 5, strides: 1, padding: 'same', useBias: false }));
  g.add(tf.layers.batchNormalization());
  g.add(tf.layers.leakyReLU());
  g.add(tf.layers.conv2dTranspose({ filters: 64, kernelSize: 5, strides: 2, padding: 'same', useBias: false }));
  g.add(tf.layers.batchNormalization());
  g.add(tf.layers.leakyReLU());
  g.add(tf.layers.conv2dTranspose({ filters: 1, kernelSize: 5, strides: 2, padding: 'same', useBias: false, activation: 'tanh' }));
  return g;
}

function buildDiscriminator() {
  const d = tf.sequential({ name: 'discriminator' });
  d.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 64, kernelSize: 5, strides: 2, padding: 'same' }));
  d.add(tf.layers.leakyReLU());
  d.add(tf.layers.dropout({ rate: 0.3 }));
  d.add(tf.layers.conv2d({ filters: 128, kernelSize: 5, strides: 2, padding: 'same' }));
  d.add(tf.layers.leakyReLU());
  d.add(tf.layers.dropout({ rate: 0.3 }));
  d.add(tf.layers.flatten());
  d.add(tf.layers.dense({ units: 1 }));
  return d;
}

/** The two models and their optimizers. */
function createGan() {
  return {
    generator: buildGenerator(),
    discriminator: buildDiscriminator(),
    gOptimizer: tf.train.adam(1e-4),
    dOptimizer: tf.train.adam(1e-4),
  };
}

const bceFromLogits = (labels, logits) => tf.losses.sigmoidCrossEntropy(labels, logits);

/**
 * One step on a batch of real images in [-1, 1]. Both losses come from the
 * same generated batch; each optimizer sees only its own model's gradients,
 * so the discriminator's weights change only in its own update.
 * Returns the two losses as numbers.
 */
function trainStep(gan, real) {
  const { generator, discriminator, gOptimizer, dOptimizer } = gan;
  const gVars = generator.trainableWeights.map((w) => w.read());
  const dVars = discriminator.trainableWeights.map((w) => w.read());
  const noise = tf.randomNormal([real.shape[0], NOISE_DIM]);
  let fake = null;
  const g = tf.variableGrads(() => {
    fake = tf.keep(generator.apply(noise, { training: true }));
    const fakeLogits = discriminator.apply(fake, { training: true });
    return bceFromLogits(tf.onesLike(fakeLogits), fakeLogits);
  }, gVars);
  const d = tf.variableGrads(() => {
    const realLogits = discriminator.apply(real, { training: true });
    const fakeLogits = discriminator.apply(fake, { training: true });
    return tf.add(bceFromLogits(tf.onesLike(realLogits), realLogits), bceFromLogits(tf.zerosLike(fakeLogits), fakeLogits));
  }, dVars);
  gOptimizer.applyGradients(g.grads);
  dOptimizer.applyGradients(d.grads);
  const losses = { gLoss: g.value.dataSync()[0], dLoss: d.value.dataSync()[0] };
  tf.dispose([noise, fake, g.value, d.value, g.grads, d.grads]);
  return losses;
}

/** images: [n, 28, 28, 1] in [-1, 1]; writes them as a square grid, each pixel `scale`×`scale`. */
function writeGrid(images, file, scale = 2) {
  const [n, h, w] = images.shape;
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const gap = 2;
  const width = cols * (w * scale + gap) + gap;
  const height = rows * (h * scale + gap) + gap;
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8 });
  png.data = Buffer.alloc(width * height, 255);
  const pixels = images.dataSync();
  for (let k = 0; k < n; k++) {
    const x0 = gap + (k % cols) * (w * scale + gap);
    const y0 = gap + Math.floor(k / cols) * (h * scale + gap);
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const v = pixels[k * h * w + Math.floor(y / scale) * w + Math.floor(x / scale)];
        // Dark garments on white, as the dataset's own previews.
        png.data[(y0 + y) * width + x0 + x] = 255 - Math.round(Math.min(1, Math.max(0, (v + 1) / 2)) * 255);
      }
    }
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, PNG.sync.write(png, { colorType: 0, inputColorType: 0 }));
}

function parseArgs(argv) {
  const args = { epochs: 5, every: 1, batch: 256, samples: 60000, out: 'gan-out', seed: 0 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in args) || !argv[i].startsWith('--')) throw new Error(`gan: unknown argument '${argv[i]}' (expected --epochs, --every, --batch, --samples, --out, --seed)`);
    const v = argv[++i];
    args[key] = key === 'out' ? v : Number(v);
    if (key !== 'out' && !(Number.isInteger(args[key]) && args[key] >= (key === 'seed' ? 0 : 1))) {
      throw new Error(`gan: --${key} expects a positive integer but received '${v}'`);
    }
  }
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  tf.setSeed(args.seed);
  const { train } = tf.node.datasets.loadFashionMnist();
  const n = Math.min(args.samples, train.images.shape[0]);
  const real = tf.tidy(() => train.images.slice([0, 0, 0, 0], [n, 28, 28, 1]).mul(2).sub(1));
  tf.dispose([train.images, train.labels]);
  const gan = createGan();
  const fixedNoise = tf.randomNormal([64, NOISE_DIM]);
  console.log(`gan: ${n} Fashion-MNIST images in [-1, 1], batch ${args.batch}, ${args.epochs} epochs; grids go to ${path.resolve(args.out)}`);

  const order = Array.from({ length: n }, (_, i) => i);
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    tf.util.shuffle(order);
    const start = performance.now();
    let gSum = 0;
    let dSum = 0;
    let steps = 0;
    for (let i = 0; i + args.batch <= n; i += args.batch) {
      const idx = tf.tensor1d(order.slice(i, i + args.batch), 'int32');
      const batch = tf.gather(real, idx);
      const { gLoss, dLoss } = trainStep(gan, batch);
      tf.dispose([idx, batch]);
      gSum += gLoss;
      dSum += dLoss;
      steps++;
    }
    const seconds = (performance.now() - start) / 1000;
    console.log(`epoch ${epoch}/${args.epochs}: generator loss ${(gSum / steps).toFixed(4)}, discriminator loss ${(dSum / steps).toFixed(4)}, ` +
      `${seconds.toFixed(1)} s (${Math.round((steps * args.batch) / seconds)} samples/s)`);
    if (epoch % args.every === 0 || epoch === args.epochs) {
      const file = path.resolve(args.out, `epoch-${String(epoch).padStart(3, '0')}.png`);
      const images = gan.generator.predict(fixedNoise);
      writeGrid(images, file);
      images.dispose();
      console.log(`  wrote ${file}`);
    }
  }
  tf.dispose([real, fixedNoise]);
}

module.exports = { NOISE_DIM, buildGenerator, buildDiscriminator, createGan, trainStep, writeGrid };

if (require.main === module) {
  main().catch((e) => {
    console.error(e.stack || e.message);
    process.exit(1);
  });
}
