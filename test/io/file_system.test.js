// The 'file://' handler on its own: files as tfjs-node writes and reads them.
const test = require('ava');
const fs = require('fs');
const os = require('os');
const path = require('path');
const io = require('../../dist/io');

function tmpdir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(t), 'tf-io-fs-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const topology = { class_name: 'Sequential', config: { name: 'seq', layers: [] }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' };
const specs = [{ name: 'w', shape: [2], dtype: 'float32' }, { name: 'n', shape: [1], dtype: 'int32' }];
function weightData() {
  const buf = new ArrayBuffer(12);
  new Float32Array(buf, 0, 2).set([1.5, -2]);
  new Int32Array(buf, 8, 1).set([7]);
  return buf;
}

test('save creates the folder recursively and writes compact model.json + weights.bin as tfjs-node does', async (t) => {
  const dir = path.join(tmpdir(t), 'a', 'b');
  const [handler] = io.getSaveHandlers(`file://${dir}`);
  t.true(handler instanceof io.NodeFileSystem);
  const artifacts = { modelTopology: topology, format: 'layers-model', generatedBy: 'test', convertedBy: null, weightSpecs: specs, weightData: weightData() };
  const result = await handler.save(artifacts);
  t.deepEqual(fs.readdirSync(dir).sort(), ['model.json', 'weights.bin'], 'no temporary files remain');
  const text = fs.readFileSync(path.join(dir, 'model.json'), 'utf8');
  t.is(text, JSON.stringify({ modelTopology: topology, weightsManifest: [{ paths: ['weights.bin'], weights: specs }], format: 'layers-model', generatedBy: 'test', convertedBy: null }));
  t.deepEqual(fs.readFileSync(path.join(dir, 'weights.bin')), Buffer.from(weightData()));
  const info = result.modelArtifactsInfo;
  t.true(info.dateSaved instanceof Date);
  t.is(info.modelTopologyType, 'JSON');
  t.is(info.modelTopologyBytes, Buffer.byteLength(JSON.stringify(topology)));
  t.is(info.weightSpecsBytes, Buffer.byteLength(JSON.stringify(specs)));
  t.is(info.weightDataBytes, 12);
});

test('save writes trainingConfig and userDefinedMetadata; saving again replaces the files', async (t) => {
  const dir = tmpdir(t);
  const handler = io.fileSystem(dir);
  await handler.save({ modelTopology: topology, weightSpecs: specs, weightData: weightData(), format: 'layers-model' });
  const trainingConfig = { loss: 'mean_squared_error', optimizer_config: { class_name: 'SGD', config: { learning_rate: 0.1 } } };
  await handler.save({ modelTopology: topology, weightSpecs: [specs[0]], weightData: weightData().slice(0, 8), format: 'layers-model', trainingConfig, userDefinedMetadata: { a: 1 } });
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  t.deepEqual(json.trainingConfig, trainingConfig);
  t.deepEqual(json.userDefinedMetadata, { a: 1 });
  t.deepEqual(json.weightsManifest, [{ paths: ['weights.bin'], weights: [specs[0]] }]);
  t.is(fs.statSync(path.join(dir, 'weights.bin')).size, 8);
});

test('load reads model.json and its weights back into artifacts (from the file or from its folder)', async (t) => {
  const dir = tmpdir(t);
  await io.fileSystem(dir).save({ modelTopology: topology, weightSpecs: specs, weightData: weightData(), format: 'layers-model', generatedBy: 'g', convertedBy: null });
  for (const url of [`file://${dir}/model.json`, `file://${dir}`]) {
    const [handler] = io.getLoadHandlers(url);
    const artifacts = await handler.load();
    t.deepEqual(artifacts.modelTopology, topology);
    t.deepEqual(artifacts.weightSpecs, specs);
    t.is(artifacts.format, 'layers-model');
    t.is(artifacts.generatedBy, 'g');
    t.is(artifacts.convertedBy, null);
    t.true(artifacts.weightData instanceof ArrayBuffer);
    t.deepEqual(Buffer.from(artifacts.weightData), Buffer.from(weightData()));
  }
});

test('load concatenates several shard files and groups in manifest order', async (t) => {
  const dir = tmpdir(t);
  const all = new Float32Array([1, 2, 3, 4, 5, 6]);
  const bytes = Buffer.from(all.buffer);
  fs.mkdirSync(path.join(dir, 'shards'));
  fs.writeFileSync(path.join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, 10));
  fs.writeFileSync(path.join(dir, 'group1-shard2of2.bin'), bytes.subarray(10, 16));
  fs.writeFileSync(path.join(dir, 'shards', 'group2-shard1of1.bin'), bytes.subarray(16));
  const manifest = [
    { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: [{ name: 'a', shape: [4], dtype: 'float32' }] },
    { paths: ['./shards/group2-shard1of1.bin'], weights: [{ name: 'b', shape: [2], dtype: 'float32' }] },
  ];
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: topology, weightsManifest: manifest, format: 'layers-model' }));
  const artifacts = await io.fileSystem(path.join(dir, 'model.json')).load();
  t.deepEqual(artifacts.weightSpecs.map((s) => s.name), ['a', 'b']);
  const out = io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
  t.deepEqual([...out.a.dataSync()], [1, 2, 3, 4]);
  t.deepEqual([...out.b.dataSync()], [5, 6]);
  out.a.dispose(); out.b.dispose();
});

test('a model.json without weightsManifest loads as topology only', async (t) => {
  const dir = tmpdir(t);
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: topology }));
  const artifacts = await io.fileSystem(path.join(dir, 'model.json')).load();
  t.deepEqual(artifacts.modelTopology, topology);
  t.is(artifacts.weightData, undefined);
  t.is(artifacts.weightSpecs, undefined);
});

test('BAD CALL – load of a missing file, a folder without model.json, bad JSON, a non-model JSON', async (t) => {
  const dir = tmpdir(t);
  let err = await t.throwsAsync(io.fileSystem(path.join(dir, 'nope', 'model.json')).load());
  t.is(err.code, 'ERR_IO');
  t.is(err.message, `loadLayersModel: '${path.join(dir, 'nope', 'model.json')}' does not exist`);
  err = await t.throwsAsync(io.fileSystem(dir).load());
  t.is(err.code, 'ERR_IO');
  t.is(err.message, `loadLayersModel: '${dir}' is a folder without model.json`);
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, '{"modelTopology": ');
  err = await t.throwsAsync(io.fileSystem(bad).load());
  t.is(err.code, 'ERR_IO');
  t.regex(err.message, new RegExp(`^loadLayersModel: '${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}' is not valid JSON: `));
  fs.writeFileSync(bad, '[1, 2]');
  err = await t.throwsAsync(io.fileSystem(bad).load());
  t.is(err.message, `loadLayersModel: '${bad}' does not hold a JSON object (received an array)`);
  fs.writeFileSync(bad, '{"weightsManifest": []}');
  err = await t.throwsAsync(io.fileSystem(bad).load());
  t.is(err.message, `loadLayersModel: '${bad}' has no 'modelTopology' object; is it a TensorFlow.js layers-model file?`);
  fs.writeFileSync(bad, JSON.stringify({ modelTopology: topology, weightsManifest: [{ paths: 'weights.bin', weights: [] }] }));
  err = await t.throwsAsync(io.fileSystem(bad).load());
  t.is(err.message, `loadLayersModel: '${bad}' has a malformed 'weightsManifest': expected [{paths: [string...], weights: [...]}, ...]`);
});

test('BAD CALL – load with a weight file missing names both files', async (t) => {
  const dir = tmpdir(t);
  await io.fileSystem(dir).save({ modelTopology: topology, weightSpecs: specs, weightData: weightData(), format: 'layers-model' });
  fs.unlinkSync(path.join(dir, 'weights.bin'));
  const err = await t.throwsAsync(io.fileSystem(path.join(dir, 'model.json')).load());
  t.is(err.code, 'ERR_IO');
  t.is(err.message, `loadLayersModel: weight file '${path.join(dir, 'weights.bin')}' listed in '${path.join(dir, 'model.json')}' does not exist`);
});

test('BAD CALL – save into a path that is a file, or with several paths', async (t) => {
  const dir = tmpdir(t);
  const file = path.join(dir, 'f');
  fs.writeFileSync(file, 'x');
  for (const target of [file, path.join(file, 'sub')]) {
    const err = await t.throwsAsync(io.fileSystem(target).save({ modelTopology: topology, weightSpecs: [], weightData: new ArrayBuffer(0) }));
    t.is(err.code, 'ERR_IO');
    t.is(err.message, `fileSystem.save: '${target}' exists as a file; expected a folder or a path that does not exist`);
  }
  const err = t.throws(() => io.fileSystem(['a.pb', 'b.json']));
  t.is(err.code, 'ERR_UNSUPPORTED');
});
