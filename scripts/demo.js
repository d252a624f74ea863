#!/usr/bin/env node
// npm run demo [-- mlp|cnn] [-- --epochs N]
// Trains a seed workload (default `mlp`; `cnn` is the convolutional one) on
// the real Fashion-MNIST (Debian's dataset-fashion-mnist), then shows the
// summary, the test accuracy, ten test images with predicted and true
// classes, and where the model was saved.
'use strict';
const path = require('path');
const tf = require('..');
const { WORKLOADS } = require('./bench/workloads');

const DEMOS = ['mlp', 'cnn'];

const { loadFashionMnist, toCategorical, FASHION_MNIST_CLASSES } = tf.node.datasets;

function parseArgs(argv) {
  const args = { workload: 'mlp', epochs: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--epochs') args.epochs = Number(argv[++i]);
    else if (DEMOS.includes(argv[i])) args.workload = argv[i];
    else throw new Error(`demo: unknown argument '${argv[i]}' (expected ${DEMOS.join(' or ')}, and --epochs N)`);
  }
  args.epochs ??= WORKLOADS[args.workload].epochs;
  if (!Number.isInteger(args.epochs) || args.epochs < 1) throw new Error('demo: --epochs expects a positive integer');
  return args;
}

// A 28x28 image as text: one character per pixel column, two pixel rows per line.
function asciiImage(pixels) {
  const ramp = ' .:-=+*#%@';
  const lines = [];
  for (let r = 0; r < 28; r += 2) {
    let line = '';
    for (let c = 0; c < 28; c++) {
      const v = (pixels[r * 28 + c] + pixels[(r + 1) * 28 + c]) / 2;
      line += ramp[Math.min(ramp.length - 1, Math.floor(v * ramp.length))];
    }
    lines.push(line);
  }
  return lines;
}

function showImages(images, predicted, truth, perRow = 4) {
  const width = 30;
  for (let start = 0; start < images.length; start += perRow) {
    const group = images.slice(start, start + perRow);
    const arts = group.map(asciiImage);
    for (let line = 0; line < arts[0].length; line++) console.log(arts.map((a) => a[line].padEnd(width)).join(''));
    console.log(group.map((_, k) => {
      const i = start + k;
      const mark = predicted[i] === truth[i] ? 'ok ' : 'XX ';
      return `${mark}${FASHION_MNIST_CLASSES[predicted[i]]}`.padEnd(width);
    }).join(''));
    console.log(group.map((_, k) => `   true: ${FASHION_MNIST_CLASSES[truth[start + k]]}`.padEnd(width)).join(''));
    console.log();
  }
}

async function main() {
  const { workload, epochs } = parseArgs(process.argv.slice(2));
  const w = WORKLOADS[workload];
  console.log(`tensorforge demo: the ${workload} workload on Fashion-MNIST (${tf.getBackend()} backend, oneDNN ${tf.device().cpu.onednn}, ${tf.device().cpu.threads} threads)\n`);

  const { train, test } = loadFashionMnist();
  const yTrain = toCategorical(train.labels, 10);
  const yTest = toCategorical(test.labels, 10);
  console.log(`data: ${train.images.shape[0]} training and ${test.images.shape[0]} test images of ${train.images.shape.slice(1).join('x')}\n`);

  const model = w.build(tf);
  model.summary();
  console.log();

  const start = Date.now();
  await model.fit(train.images, yTrain, { epochs, batchSize: w.batchSize, shuffle: true, verbose: 1 });
  const seconds = (Date.now() - start) / 1000;
  console.log(`\ntrained ${epochs} epochs in ${seconds.toFixed(1)} s (${Math.round((epochs * train.images.shape[0]) / seconds)} samples/s)`);

  const [loss, acc] = model.evaluate(test.images, yTest, { batchSize: 1000 });
  console.log(`test loss ${loss.dataSync()[0].toFixed(4)}, test accuracy ${(acc.dataSync()[0] * 100).toFixed(2)}%\n`);
  tf.dispose([loss, acc]);

  const first = test.images.slice([0, 0, 0, 0], [10, 28, 28, 1]);
  const probs = model.predict(first);
  const predicted = Array.from(probs.argMax(-1).dataSync());
  const truth = Array.from(test.labels.slice([0], [10]).dataSync());
  const pixels = first.dataSync();
  showImages(Array.from({ length: 10 }, (_, i) => pixels.subarray(i * 784, (i + 1) * 784)), predicted, truth);

  const dir = path.resolve('demo-models', workload);
  await model.save(`file://${dir}`);
  const loaded = await tf.loadLayersModel(`file://${path.join(dir, 'model.json')}`);
  const again = Array.from(loaded.predict(first).argMax(-1).dataSync());
  const same = again.every((c, i) => c === predicted[i]);
  console.log(`model saved to ${dir} (model.json + weights.bin, TensorFlow.js layers-model format)`);
  console.log(`loaded back with tf.loadLayersModel: ${same ? 'same predictions' : 'DIFFERENT predictions'}`);
  if (!same) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e.stack || e.message);
  process.exit(1);
});
