// Embedding: rows of its table, the gradient scattered back to those rows,
// the maskZero mask, shapes, configs and errors.
const test = require('ava');
const layers = require('../../dist/layers');
const { input } = require('../../dist/layers/input');
const { tensor, zeros } = require('../../dist/ops/creation');
const { mul } = require('../../dist/ops/elementwise');
const { sum } = require('../../dist/ops/reduce');
const { variableGrads } = require('../../dist/autograd/gradients');
const { deserialize, serializeKerasObject } = require('../../dist/serialization');
const { memory } = require('../../dist/tensor/scope');
const { close, numericGrad, values, dot } = require('./helpers');

const V = 5;
const D = 3;
const TABLE = values(V * D, 71);
const IDS = [[0, 3, 3], [4, 1, 0]];

function withTable(args = {}) {
  const layer = layers.embedding({ inputDim: V, outputDim: D, ...args });
  layer.apply(tensor(IDS, undefined, 'int32'));
  layer.setWeights([tensor(TABLE, [V, D])]);
  return layer;
}

const lookup = (table, ids) => ids.flat().flatMap((id) => table.slice(id * D, (id + 1) * D));

test('embedding: each id becomes its row of the table, for int32 and float32 ids', (t) => {
  const layer = withTable();
  for (const dtype of ['int32', 'float32']) {
    const y = layer.apply(tensor(IDS, undefined, dtype));
    t.deepEqual(y.shape, [2, 3, D]);
    t.is(y.dtype, 'float32');
    t.deepEqual(Array.from(y.dataSync()), lookup(TABLE, IDS).map(Math.fround), dtype);
  }
  t.deepEqual(layer.computeOutputShape([null, 3]), [null, 3, D]);
});

test('embedding: the gradient adds each upstream row into the row of its id', (t) => {
  const layer = withTable();
  const dy = values(2 * 3 * D, 72);
  const ids = tensor(IDS, undefined, 'int32');
  const { grads } = variableGrads(() => sum(mul(layer.apply(ids), tensor(dy, [2, 3, D]))), [layer.embeddings.val]);
  close(t, grads[layer.embeddings.name].dataSync(), numericGrad((tab) => dot(lookup(tab, IDS), dy), TABLE), 1e-6);
});

test('embedding: maskZero marks the padding id 0', (t) => {
  const layer = withTable({ maskZero: true });
  const y = layer.apply(tensor(IDS, undefined, 'int32'));
  t.is(y.kerasMask.dtype, 'bool');
  t.deepEqual(y.kerasMask.arraySync(), [[0, 1, 1], [1, 1, 0]]);
  t.is(withTable().apply(tensor(IDS, undefined, 'int32')).kerasMask, undefined, 'no mask without maskZero');
});

test('embedding: inputLength fixes the sequence length of the model input and the output shape', (t) => {
  const layer = layers.embedding({ inputDim: V, outputDim: D, inputLength: 7 });
  t.deepEqual(layer.batchInputShape, [null, 7]);
  t.deepEqual(layer.computeOutputShape([null, null]), [null, 7, D]);
  t.deepEqual(layers.embedding({ inputDim: V, outputDim: D }).batchInputShape, [null, null]);
  const e = t.throws(() => layers.embedding({ inputDim: V, outputDim: D, inputLength: 7, name: 'emb_len' }).computeOutputShape([null, 6]));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'emb_len (Embedding): inputLength 7 does not match the input shape [null,6]');
});

test('embedding: symbolic apply on int32 inputs gives float32 outputs', (t) => {
  const out = layers.embedding({ inputDim: 100, outputDim: 8 }).apply(input({ shape: [12], dtype: 'int32' }));
  t.deepEqual(out.shape, [null, 12, 8]);
  t.is(out.dtype, 'float32');
});

test('embedding: getConfig holds the TF.js keys and rebuilds the layer', (t) => {
  const layer = withTable({ maskZero: true, embeddingsRegularizer: 'l1l2', name: 'emb_cfg' });
  const saved = serializeKerasObject(layer);
  t.like(saved.config, {
    inputDim: V,
    outputDim: D,
    embeddingsInitializer: { className: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } },
    embeddingsRegularizer: { className: 'L1L2', config: { l1: 0.01, l2: 0.01 } },
    activityRegularizer: null,
    embeddingsConstraint: null,
    maskZero: true,
    inputLength: null,
    name: 'emb_cfg',
  });
  const copy = deserialize({ ...saved, config: { ...saved.config, name: 'emb_cfg_copy' } });
  const ids = tensor(IDS, undefined, 'int32');
  copy.apply(ids);
  copy.setWeights(layer.getWeights());
  t.deepEqual(Array.from(copy.apply(ids).dataSync()), Array.from(layer.apply(ids).dataSync()));
});

test('embedding: the default table is uniform in ±0.05', (t) => {
  const layer = layers.embedding({ inputDim: 200, outputDim: 50 });
  layer.apply(zeros([1, 1], 'int32'));
  const w = layer.getWeights()[0].dataSync();
  t.true(w.every((v) => Math.abs(v) <= 0.05));
  t.true(Math.max(...w) > 0.049);
});

test('embedding: leaves only its output (and mask) alive', (t) => {
  const layer = withTable({ maskZero: true });
  const ids = tensor(IDS, undefined, 'float32');
  const before = memory().numTensors;
  const y = layer.apply(ids);
  y.kerasMask.dispose();
  y.dispose();
  t.is(memory().numTensors, before);
});

test('BAD CALL - embedding without sizes', (t) => {
  let e = t.throws(() => layers.embedding({ outputDim: 4 }), { instanceOf: TypeError });
  t.is(e.message, "Embedding: expected an integer for 'inputDim' but received undefined");
  e = t.throws(() => layers.embedding({ inputDim: 4, outputDim: 0 }), { instanceOf: RangeError });
  t.is(e.message, "Embedding: expected an integer >= 1 for 'outputDim' but received 0 of type number");
});
