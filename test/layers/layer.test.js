// The layer protocol (lib/layers/layer.ts, input.ts) and the class registry
// (lib/serialization): build on first use, symbolic shape inference, weights,
// trainability, masks, configs, and the errors that name layer and shapes.
const test = require('ava');
const { Layer, LayerVariable, SymbolicTensor, InputSpec, getExactlyOneTensor } = require('../../dist/layers/layer');
const { input, InputLayer } = require('../../dist/layers/input');
const serialization = require('../../dist/serialization');
const { tensor, zeros, ones } = require('../../dist/ops/creation');
const { mul, add, notEqual } = require('../../dist/ops/elementwise');
const { sum } = require('../../dist/ops/reduce');
const { variableGrads } = require('../../dist/autograd/gradients');
const { memory, tidy } = require('../../dist/tensor/scope');
const { engine } = require('../../dist/tensor/engine');

// A test-only layer: y = x * w + b over the last axis, with an L2 penalty on w.
class Affine extends Layer {
  constructor(args = {}) {
    super(args);
    this.withPenalty = args.withPenalty ?? false;
    this.supportsMasking = true;
  }
  build(inputShape) {
    const d = inputShape[inputShape.length - 1];
    this.w = this.addWeight('w', [d], 'float32', 'ones', this.withPenalty ? serialization.deserialize({ className: 'L1L2', config: { l1: 0, l2: 0.5 } }) : null);
    this.b = this.addWeight('b', [d], 'float32', 'zeros', null, false);
    this.inputSpec = [new InputSpec({ minNDim: 2, axes: { [-1]: d } })];
  }
  call(inputs) {
    const x = getExactlyOneTensor(inputs);
    return add(mul(x, this.w.read()), this.b.read());
  }
  getConfig() {
    return { ...super.getConfig(), withPenalty: this.withPenalty };
  }
}
Affine.className = 'Affine';
serialization.registerClass(Affine);

// Passes values through and masks out zeros, as Embedding({maskZero}) does.
class ZeroMasker extends Layer {
  computeMask(inputs) {
    return notEqual(getExactlyOneTensor(inputs), 0);
  }
}
ZeroMasker.className = 'ZeroMasker';

// Records the mask it is called with.
class MaskSpy extends Layer {
  constructor(args) {
    super(args);
    this.supportsMasking = true;
    this.seen = [];
  }
  call(inputs, kwargs) {
    this.seen.push(kwargs.mask ? Array.from(kwargs.mask.dataSync()) : null);
    return getExactlyOneTensor(inputs);
  }
}
MaskSpy.className = 'MaskSpy';

test('names are unique per class, Keras-style', (t) => {
  const a = new Affine();
  const b = new Affine();
  t.regex(a.name, /^affine(_\d+)?$/);
  t.not(a.name, b.name);
  t.is(new Affine({ name: 'mine' }).name, 'mine');
});

test('apply on concrete tensors builds on first use and computes call()', (t) => {
  const layer = new Affine();
  t.false(layer.built);
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  const y = layer.apply(x);
  t.true(layer.built);
  t.deepEqual(y.shape, [2, 3]);
  t.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4, 5, 6]);
  layer.setWeights([tensor([2, 0, -1]), tensor([1, 1, 1])]);
  t.deepEqual(Array.from(layer.apply(x).dataSync()), [3, 1, -2, 9, 1, -5]);
});

test('weights: trainable ones first, originalName vs unique variable name', (t) => {
  const l1 = new Affine({ name: 'same_name' });
  const l2 = new Affine({ name: 'same_name' });
  l1.apply(zeros([1, 2]));
  l2.apply(zeros([1, 2]));
  t.deepEqual(l1.weights.map((w) => w.originalName), ['same_name/w', 'same_name/b']);
  t.deepEqual(l1.trainableWeights.map((w) => w.originalName), ['same_name/w']);
  t.deepEqual(l1.nonTrainableWeights.map((w) => w.originalName), ['same_name/b']);
  t.is(l2.weights[0].originalName, 'same_name/w');
  t.not(l1.weights[0].name, l2.weights[0].name, 'registry names are unique process-wide');
  t.true(l1.weights[0] instanceof LayerVariable);
  t.is(engine.variables.get(l2.weights[0].name), l2.weights[0].val);
  t.is(l1.countParams(), 4);
});

test('a non-trainable layer has only non-trainable weights', (t) => {
  const layer = new Affine({ trainable: false });
  layer.apply(zeros([1, 3]));
  t.deepEqual(layer.trainableWeights, []);
  t.deepEqual(layer.nonTrainableWeights.map((w) => w.originalName), [`${layer.name}/w`, `${layer.name}/b`]);
  layer.trainable = true;
  t.is(layer.trainableWeights.length, 1);
});

test('getWeights / setWeights and their errors', (t) => {
  const layer = new Affine({ name: 'sw' });
  layer.apply(zeros([1, 2]));
  layer.setWeights([tensor([3, 4]), tensor([5, 6])]);
  t.deepEqual(layer.getWeights().map((w) => Array.from(w.dataSync())), [[3, 4], [5, 6]]);
  t.deepEqual(layer.getWeights(true).length, 1);
  const e1 = t.throws(() => layer.setWeights([tensor([1, 2])]), { instanceOf: TypeError });
  t.is(e1.code, 'ERR_INVALID_ARG_TYPE');
  t.regex(e1.message, /^sw\.setWeights: expected an array of 2 tensors \(the layer's weights: sw\/w, sw\/b\)/);
  const e2 = t.throws(() => layer.setWeights([tensor([1, 2, 3]), tensor([1, 2])]));
  t.is(e2.code, 'ERR_SHAPE_MISMATCH');
  t.is(e2.message, "sw.setWeights: expected a tensor of shape [2] for weight 'sw/w' (weights[0]) but received shape [3]");
});

test('weights given in the config are set after build', (t) => {
  const layer = new Affine({ weights: [tensor([2, 2]), tensor([1, -1])] });
  const y = layer.apply(tensor([[1, 1]]));
  t.deepEqual(Array.from(y.dataSync()), [3, 1]);
});

test('apply on SymbolicTensors infers shapes and records nodes', (t) => {
  const x = input({ shape: [3], name: 'in_sym' });
  t.true(x instanceof SymbolicTensor);
  t.deepEqual(x.shape, [null, 3]);
  t.true(x.sourceLayer instanceof InputLayer);
  const layer = new Affine();
  const y = layer.apply(x);
  t.true(y instanceof SymbolicTensor);
  t.deepEqual(y.shape, [null, 3]);
  t.is(y.dtype, 'float32');
  t.is(y.sourceLayer, layer);
  t.is(layer.inboundNodes.length, 1);
  t.is(layer.inboundNodes[0].inboundLayers[0], x.sourceLayer);
  t.is(layer.input, x);
  t.is(layer.output, y);
  t.deepEqual(layer.outputShape, [null, 3]);
  t.deepEqual(layer.inputShape, [null, 3]);
  t.true(layer.built);
  // A second application makes input/output ambiguous, shapes still agree.
  layer.apply(input({ shape: [3] }));
  t.throws(() => layer.output, { message: /applied 2 times/ });
  t.deepEqual(layer.outputShape, [null, 3]);
  t.is(layer.getOutputAt(0), y);
});

test('mixing symbolic and concrete inputs is an error', (t) => {
  const layer = new Layer();
  const e = t.throws(() => layer.apply([input({ shape: [2] }), zeros([1, 2])]), { instanceOf: TypeError });
  t.regex(e.message, /\.apply: expected a Tensor or SymbolicTensor, or an array of only Tensors or only SymbolicTensors for 'inputs'/);
});

test('inputSpec errors name the layer, the expected and the received shape', (t) => {
  const layer = new Affine({ name: 'aff_spec' });
  layer.apply(zeros([2, 4]));
  const e = t.throws(() => layer.apply(zeros([2, 5])));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, "aff_spec (Affine): expected an input whose axis -1 has size 4 (shape [null,4]) for 'inputs' but received a float32 tensor of shape [2,5]");
  const e2 = t.throws(() => layer.apply(input({ shape: [7] })));
  t.regex(e2.message, /received a symbolic float32 tensor of shape \[null,7\]/);
  const e3 = t.throws(() => layer.apply(zeros([4])));
  t.regex(e3.message, /expected an input of rank at least 2/);
});

test('addWeight rejects duplicate names and bad shapes', (t) => {
  const layer = new Layer({ name: 'aw' });
  layer.addWeight('k', [2], 'float32', 'zeros');
  const e = t.throws(() => layer.addWeight('k', [2], 'float32', 'zeros'));
  t.is(e.message, "aw.addWeight: expected a new weight name for 'name' but received 'k', which layer 'aw' already has");
  t.throws(() => layer.addWeight('j', [2, -1]), { instanceOf: TypeError, message: /fully defined shape/ });
});

test('regularizer losses: 0.5 * sum(w^2), with a gradient that matches finite differences', (t) => {
  const layer = new Affine({ withPenalty: true });
  layer.apply(zeros([1, 3]));
  layer.setWeights([tensor([1, -2, 3]), zeros([3])]);
  t.is(layer.losses.length, 1);
  const penalty = layer.losses[0]();
  t.true(Math.abs(penalty.dataSync()[0] - 0.5 * (1 + 4 + 9)) < 1e-5);
  const w = layer.weights[0].val;
  const { grads } = variableGrads(() => layer.losses[0](), [w]);
  const g = grads[w.name].dataSync();
  // d/dw 0.5 * sum(w^2) = w; central differences in float64 agree.
  const f = (v) => 0.5 * v.reduce((a, b) => a + b * b, 0);
  const base = [1, -2, 3];
  base.forEach((v, i) => {
    const eps = 1e-3;
    const up = base.slice();
    const dn = base.slice();
    up[i] += eps;
    dn[i] -= eps;
    t.true(Math.abs(g[i] - (f(up) - f(dn)) / (2 * eps)) < 1e-3);
  });
});

test('addLoss accepts functions and tensors', (t) => {
  const layer = new Layer();
  layer.addLoss(() => tensor(2));
  layer.addLoss(tensor(3));
  t.deepEqual(layer.losses.map((f) => f().dataSync()[0]), [2, 3]);
  t.throws(() => layer.addLoss(5), { instanceOf: TypeError, message: /addLoss: expected a function returning a scalar tensor/ });
});

test('masks flow on concrete tensors through layers that support them', (t) => {
  const masker = new ZeroMasker();
  const spy = new MaskSpy();
  const plain = new Affine();
  const after = new MaskSpy();
  const x = tensor([[1, 0, 2]]);
  const m = masker.apply(x);
  t.deepEqual(Array.from(m.kerasMask.dataSync()), [1, 0, 1]);
  const s = spy.apply(m);
  t.deepEqual(spy.seen, [[1, 0, 1]]);
  t.deepEqual(Array.from(s.kerasMask.dataSync()), [1, 0, 1]);
  // Affine supports masking: it passes the mask on.
  const p = plain.apply(s);
  after.apply(p);
  t.deepEqual(after.seen, [[1, 0, 1]]);
  // A layer without masking support ends the mask (as Keras 3).
  const stop = new Layer();
  const q = stop.apply(tensor([[1, 2]]), { mask: tensor([[1, 0]], undefined, 'bool') });
  t.is(q.kerasMask ?? null, null);
});

test('getConfig has the base fields; registerClass + deserialize rebuild the layer', (t) => {
  const layer = new Affine({ name: 'cfg_aff', inputShape: [5], withPenalty: true });
  const config = layer.getConfig();
  t.deepEqual(config, { name: 'cfg_aff', trainable: true, batchInputShape: [null, 5], dtype: 'float32', withPenalty: true });
  const ser = serialization.serializeKerasObject(layer);
  t.is(ser.className, 'Affine');
  const copy = serialization.deserialize(ser);
  t.true(copy instanceof Affine);
  t.is(copy.name, 'cfg_aff');
  t.deepEqual(copy.batchInputShape, [null, 5]);
  t.true(copy.withPenalty);
  // The registry lives on the shared engine, so another package copy sees it.
  t.is(engine.classes.get('Affine'), Affine);
});

test('constructor arguments: batchInputShape from inputShape and batchSize; unknown keys tolerated', (t) => {
  t.deepEqual(new Layer({ inputShape: [3, 4], batchSize: 8 }).batchInputShape, [8, 3, 4]);
  t.deepEqual(new Layer({ inputShape: 7 }).batchInputShape, [null, 7]);
  t.deepEqual(new Layer({ batchInputShape: [null, 2] }).batchInputShape, [null, 2]);
  t.notThrows(() => new Layer({ somethingElse: 1 }));
  const e = t.throws(() => new Layer({ inputShape: ['a'] }), { instanceOf: TypeError });
  t.regex(e.message, /^Layer: expected a shape \(an array of non-negative integers or null\) for 'inputShape'/);
  t.throws(() => new Layer({ dtype: 'float64' }), { instanceOf: TypeError, message: /one of 'float32', 'int32', 'bool' for 'dtype'/ });
});

test('serialization: registerClass with a package, deserialize errors', (t) => {
  class Custom extends Layer {}
  Custom.className = 'Custom';
  serialization.registerClass(Custom, 'mypkg');
  t.is(serialization.getRegisteredName(Custom), 'mypkg>Custom');
  t.true(serialization.deserialize({ className: 'mypkg>Custom', config: {} }) instanceof Custom);
  const e = t.throws(() => serialization.deserialize({ className: 'NoSuchLayer', config: {} }, {}, 'layer'));
  t.is(e.code, 'ERR_UNKNOWN_NAME');
  t.regex(e.message, /^deserialize: unknown layer class \(register it with tf\.serialization\.registerClass\) 'NoSuchLayer'; known: /);
  t.throws(() => serialization.registerClass(class {}), { instanceOf: TypeError, message: /non-empty static 'className'/ });
  // customObjects win over the registry.
  class Other extends Layer {}
  Other.className = 'Other';
  t.true(serialization.deserialize({ className: 'Affine', config: {} }, { Affine: Other }) instanceof Other);
});

test('snake_case and camelCase conversions follow TF.js', (t) => {
  const ts = { className: 'Dense', config: { name: 'my_Dense', units: 3, kernelInitializer: { className: 'VarianceScaling', config: { mode: 'fanAvg' } }, batchInputShape: [null, 4] } };
  const py = serialization.convertTsToPythonic(ts);
  t.deepEqual(py, { class_name: 'Dense', config: { name: 'my_Dense', units: 3, kernel_initializer: { class_name: 'VarianceScaling', config: { mode: 'fan_avg' } }, batch_input_shape: [null, 4] } });
  t.deepEqual(serialization.convertPythonicToTs(py), ts);
  const nodes = serialization.convertTsToPythonic({ inboundNodes: [[['dense_A', 0, 0, {}]]] });
  t.deepEqual(nodes, { inbound_nodes: [[['dense_A', 0, 0, {}]]] });
});

test('InputLayer and tf.input', (t) => {
  const x = input({ batchShape: [4, 2], dtype: 'int32', name: 'ids' });
  t.deepEqual(x.shape, [4, 2]);
  t.is(x.dtype, 'int32');
  t.is(x.sourceLayer.name, 'ids');
  t.deepEqual(x.sourceLayer.getConfig(), { batchInputShape: [4, 2], dtype: 'int32', sparse: false, name: 'ids' });
  t.throws(() => input({}), { instanceOf: TypeError, message: /^input: expected a shape without the batch dimension/ });
  t.throws(() => input({ shape: [2], batchShape: [1, 2] }), { instanceOf: TypeError, message: /either 'shape' or 'batchShape'/ });
  t.throws(() => x.sourceLayer.apply(x), { message: /an InputLayer takes no inputs/ });
  const il = new InputLayer({ inputShape: [3] });
  t.deepEqual(il.batchInputShape, [null, 3]);
  t.is(il.countParams(), 0);
});

test('symbolic output dtype: layers with weights compute in their dtype, others pass the input dtype', (t) => {
  const ids = input({ shape: [3], dtype: 'int32' });
  t.is(new Layer().apply(ids).dtype, 'int32');
  t.is(new Affine().apply(input({ shape: [3] })).dtype, 'float32');
});

test('countParams before build is ERR_NOT_BUILT', (t) => {
  const e = t.throws(() => new Affine({ name: 'nb' }).countParams());
  t.is(e.code, 'ERR_NOT_BUILT');
  t.regex(e.message, /nb\.countParams: layer 'nb' is not built yet/);
});

test('dispose frees the weights', (t) => {
  const before = memory().numTensors;
  const layer = new Affine();
  tidy(() => {
    layer.apply(zeros([1, 3]));
  });
  t.is(memory().numTensors, before + 2);
  t.deepEqual(layer.dispose(), { refCountAfterDispose: 0, numDisposedVariables: 2 });
  t.is(memory().numTensors, before);
  t.throws(() => layer.apply(zeros([1, 3])), { message: /is disposed/ });
});
