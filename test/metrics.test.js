// Metrics against hand-computed values, and getMetric's name and accuracy
// resolution.
const test = require('ava');
const M = require('../dist/metrics');
const L = require('../dist/losses');
const { metrics, getMetric } = M;
const { tensor } = require('../dist/ops/creation');
const { memory } = require('../dist/tensor/scope');

const values = (x) => Array.from(x.dataSync());
function near(t, actual, expected, tol = 1e-6) {
  t.is(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) t.true(Math.abs(actual[i] - expected[i]) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
}

test('binaryAccuracy: per sample, threshold 0.5 (or given), Keras rank matching', (t) => {
  const yt = tensor([[1], [0], [1], [0]]);
  const yp = tensor([[0.8], [0.7], [0.3], [0.1]]);
  const before = memory().numTensors;
  const acc = metrics.binaryAccuracy(yt, yp);
  t.is(memory().numTensors, before + 1);
  t.deepEqual(acc.shape, [4]);
  t.deepEqual(values(acc), [1, 0, 0, 1]);
  t.deepEqual(values(metrics.binaryAccuracy(tensor([1, 0]), tensor([[0.8], [0.3]]))), [1, 1]);
  t.deepEqual(values(metrics.binaryAccuracy(tensor([[1, 0], [1, 1]]), tensor([[0.6, 0.4], [0.9, 0.2]]))), [1, 0.5]);
  t.deepEqual(values(metrics.binaryAccuracy(tensor([[1], [0]]), tensor([[0.7], [0.2]]), 0.75)), [0, 1]);
  t.deepEqual(values(metrics.binaryAccuracy(tensor([[1], [0]], [2, 1], 'int32'), tensor([[0.7], [0.6]]))), [1, 0]);
});

test('categoricalAccuracy and sparseCategoricalAccuracy: argMax against labels', (t) => {
  const preds = tensor([[0.1, 0.6, 0.3], [0.2, 0.5, 0.3]]);
  t.deepEqual(values(metrics.categoricalAccuracy(tensor([[0, 1, 0], [1, 0, 0]]), preds)), [1, 0]);
  for (const ids of [tensor([1, 0], [2], 'int32'), tensor([1, 0]), tensor([[1], [0]]), tensor([[1], [0]], [2, 1], 'int32')]) {
    const acc = metrics.sparseCategoricalAccuracy(ids, preds);
    t.deepEqual(acc.shape, [2]);
    t.is(acc.dtype, 'float32');
    t.deepEqual(values(acc), [1, 0]);
  }
});

test('topKCategoricalAccuracy and sparseTopKCategoricalAccuracy, ties counted in as TF in_top_k', (t) => {
  const preds = tensor([[0.1, 0.5, 0.3, 0.1], [0.1, 0.2, 0.3, 0.4]]);
  const hot = tensor([[0, 0, 1, 0], [1, 0, 0, 0]]);
  const ids = tensor([2, 0], [2], 'int32');
  t.deepEqual(values(metrics.topKCategoricalAccuracy(hot, preds, 2)), [1, 0]);
  t.deepEqual(values(metrics.topKCategoricalAccuracy(hot, preds, 1)), [0, 0]);
  t.deepEqual(values(metrics.topKCategoricalAccuracy(hot, preds, 4)), [1, 1]);
  t.deepEqual(values(metrics.topKCategoricalAccuracy(hot, preds)), [1, 1]); // k = 5 by default
  t.deepEqual(values(metrics.sparseTopKCategoricalAccuracy(ids, preds, 2)), [1, 0]);
  t.deepEqual(values(metrics.sparseTopKCategoricalAccuracy(tensor([[2], [3]]), preds, 1)), [0, 1]);
  t.deepEqual(values(metrics.topKCategoricalAccuracy(tensor([[0, 0, 1, 0]]), tensor([[0.3, 0.3, 0.3, 0.1]]), 1)), [1]);
  const err = t.throws(() => metrics.topKCategoricalAccuracy(hot, preds, 0), { instanceOf: RangeError });
  t.is(err.message, "topKCategoricalAccuracy: expected a positive integer for 'k' but received 0 of type number");
});

test('precision and recall: scalars over the batch, 0 when undefined', (t) => {
  const yt = tensor([1, 0, 1, 1, 1]);
  const yp = tensor([0.9, 0.8, 0.2, 0.7, 0.3]);
  const p = metrics.precision(yt, yp);
  t.deepEqual(p.shape, []);
  near(t, values(p), [2 / 3]);
  near(t, values(metrics.recall(yt, yp)), [1 / 2]);
  // TF.js's doc example: 0/1 predictions.
  near(t, values(metrics.precision(tensor([[0, 0, 0, 1, 1, 1, 1]]), tensor([[1, 0, 1, 0, 1, 0, 1]]))), [0.5]);
  t.deepEqual(values(metrics.precision(tensor([0, 0]), tensor([0.1, 0.2]))), [0]);
  t.deepEqual(values(metrics.recall(tensor([0, 0]), tensor([0.9, 0.1]))), [0]);
});

test('r2Score, and the regression metrics are the Keras-style losses', (t) => {
  near(t, values(metrics.r2Score(tensor([1, 2, 3, 4]), tensor([1.5, 2, 2.5, 4.5]))), [0.85]);
  t.is(metrics.mse, L.meanSquaredError);
  t.is(metrics.MSE, L.meanSquaredError);
  t.is(metrics.mae, L.meanAbsoluteError);
  t.is(metrics.mape, L.meanAbsolutePercentageError);
  t.is(metrics.cosineProximity, L.cosineProximity);
  near(t, values(metrics.binaryCrossentropy(tensor([[1, 0]]), tensor([[0.8, 0.4]]))), [(-Math.log(0.8) - Math.log(0.6)) / 2]);
  near(t, values(metrics.categoricalCrossentropy(tensor([[0, 1]]), tensor([[0.25, 0.75]]))), [-Math.log(0.75)]);
});

test("getMetric resolves 'accuracy' / 'acc' and 'crossentropy' from the loss and shapes, as compile does", (t) => {
  t.is(getMetric('accuracy', { loss: 'binaryCrossentropy' }), M.binaryAccuracy);
  t.is(getMetric('acc', { outputShape: [null, 1] }), M.binaryAccuracy);
  t.is(getMetric('accuracy', { loss: 'sparse_categorical_crossentropy', outputShape: [null, 10] }), M.sparseCategoricalAccuracy);
  t.is(getMetric('accuracy', { loss: L.sparseCategoricalCrossentropy }), M.sparseCategoricalAccuracy);
  t.is(getMetric('accuracy', { loss: 'categoricalCrossentropy', outputShape: [null, 10] }), M.categoricalAccuracy);
  t.is(getMetric('accuracy'), M.categoricalAccuracy);
  const custom = (y, p) => L.sparseCategoricalCrossentropy(y, p, true);
  t.is(getMetric('accuracy', { loss: custom, outputShape: [null, 10], targetShape: [null] }), M.sparseCategoricalAccuracy);
  t.is(getMetric('acc', { loss: custom, outputShape: [null, 10], targetShape: [null, 1] }), M.sparseCategoricalAccuracy);
  t.is(getMetric('acc', { loss: custom, outputShape: [null, 10], targetShape: [null, 10] }), M.categoricalAccuracy);
  t.is(getMetric('crossentropy', { loss: 'sparseCategoricalCrossentropy' }), L.sparseCategoricalCrossentropy);
  t.is(getMetric('ce', { outputShape: [null, 1] }), M.binaryCrossentropy);
});

test('getMetric by name: camelCase, snake_case, short names, loss names, functions', (t) => {
  t.is(getMetric('binaryAccuracy'), M.binaryAccuracy);
  t.is(getMetric('categorical_accuracy'), M.categoricalAccuracy);
  t.is(getMetric('sparse_categorical_accuracy'), M.sparseCategoricalAccuracy);
  t.is(getMetric('top_k_categorical_accuracy'), M.topKCategoricalAccuracy);
  t.is(getMetric('precision'), M.precision);
  t.is(getMetric('Recall'), M.recall);
  t.is(getMetric('mse'), L.meanSquaredError);
  t.is(getMetric('MAE'), L.meanAbsoluteError);
  t.is(getMetric('mape'), L.meanAbsolutePercentageError);
  t.is(getMetric('cosine'), L.cosineProximity);
  t.is(getMetric('kld'), L.kullbackLeiblerDivergence);
  const mine = (a) => a;
  t.is(getMetric(mine), mine);
});

test('BAD CALL – getMetric with an unknown name lists the known ones; metrics check shapes', (t) => {
  let err = t.throws(() => getMetric('acuracy'));
  t.is(err.code, 'ERR_UNKNOWN_NAME');
  t.regex(err.message, /^getMetric: unknown metric 'acuracy'; known: accuracy, acc, crossentropy, ce, binaryAccuracy, categoricalAccuracy, /);
  err = t.throws(() => metrics.categoricalAccuracy(tensor([[0, 1]]), tensor([[0.5, 0.2, 0.3]])));
  t.is(err.code, 'ERR_SHAPE_MISMATCH');
  t.is(err.message, 'categoricalAccuracy: yTrue and yPred must have the same shape [..., classes] ([1,2] and [1,3])');
  err = t.throws(() => metrics.sparseCategoricalAccuracy(tensor([1, 0, 1]), tensor([[0.5, 0.5]])));
  t.is(err.code, 'ERR_SHAPE_MISMATCH');
});
