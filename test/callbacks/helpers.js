// Small models and data for the callback tests.
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('../../dist');
const { rng } = require('../rng');

/** n points in 4 dimensions, labelled by the sign of a fixed projection (0/1), as tensors x [n, 4] and y [n, 1]. */
function classification(n, seed = 1) {
  const r = rng(seed);
  const x = [];
  const y = [];
  for (let i = 0; i < n; i++) {
    const row = [0, 1, 2, 3].map(() => r() * 2 - 1);
    x.push(...row);
    y.push(row[0] - 0.5 * row[1] + 0.3 * row[2] > 0 ? 1 : 0);
  }
  return { x: tf.tensor(x, [n, 4]), y: tf.tensor(y, [n, 1]) };
}

/** A small binary classifier with dropout, compiled with Adam and accuracy. */
function classifier({ seed = 7, optimizer = 'adam', dropoutSeed } = {}) {
  tf.setSeed(seed);
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu' }));
  m.add(tf.layers.dropout({ rate: 0.25, seed: dropoutSeed }));
  m.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  m.compile({ optimizer, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

const made = [];
process.on('exit', () => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh empty folder under the OS temp folder, removed when the test process exits. */
function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tf-${prefix}-`));
  made.push(dir);
  return dir;
}

const weightValues = (m) => m.getWeights().map((w) => Array.from(w.dataSync()));

module.exports = { tf, rng, classification, classifier, tempDir, weightValues };
