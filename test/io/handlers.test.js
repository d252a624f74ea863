// URL routing, in-memory handlers and the http(s) handler (against a local server).
const test = require('ava');
const http = require('http');
const io = require('../../dist/io');

const topology = { class_name: 'Sequential', config: { name: 's', layers: [] }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' };

test('file:// and http(s):// URLs route to one handler each; other schemes to none', (t) => {
  t.true(io.getSaveHandlers('file:///tmp/m')[0] instanceof io.NodeFileSystem);
  t.true(io.getLoadHandlers('file://./m/model.json')[0] instanceof io.NodeFileSystem);
  t.is(io.getLoadHandlers('file:///tmp/m/model.json').length, 1);
  t.true(io.getLoadHandlers('https://example.com/m/model.json')[0] instanceof io.HTTPRequest);
  t.true(io.getSaveHandlers('http://localhost/upload')[0] instanceof io.HTTPRequest);
  t.deepEqual(io.getLoadHandlers('indexeddb://m'), []);
  t.deepEqual(io.getSaveHandlers('/tmp/m'), []);
});

test('registerSaveRouter / registerLoadRouter add schemes', async (t) => {
  let saved;
  io.registerSaveRouter((url) => (url.startsWith('mem-test://') ? io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }) : null));
  io.registerLoadRouter((url) => (url.startsWith('mem-test://') ? io.fromMemory(saved) : null));
  const [saver] = io.getSaveHandlers('mem-test://x');
  await saver.save({ modelTopology: topology });
  const [loader] = io.getLoadHandlers('mem-test://x');
  t.deepEqual((await loader.load()).modelTopology, topology);
  const err = t.throws(() => io.registerSaveRouter('nope'), { instanceOf: TypeError });
  t.is(err.message, "registerSaveRouter: expected a function (url, loadOptions?) => IOHandler | null for 'router' but received 'nope'");
});

test('fromMemory takes artifacts, or TF.js\'s older (topology, specs, data, trainingConfig) form', async (t) => {
  const artifacts = { modelTopology: topology, weightSpecs: [], weightData: new ArrayBuffer(0) };
  t.is(await io.fromMemory(artifacts).load(), artifacts);
  const data = new ArrayBuffer(4);
  const loaded = await io.fromMemory(topology, [{ name: 'w', shape: [1], dtype: 'float32' }], data, { loss: 'mse' }).load();
  t.is(loaded.modelTopology, topology);
  t.is(loaded.weightData, data);
  t.deepEqual(loaded.trainingConfig, { loss: 'mse' });
});

test('BAD CALL – loadLayersModel / save with a URL no handler serves', async (t) => {
  let err = await t.throwsAsync(io.loadLayersModel('./my-model/model.json'));
  t.is(err.code, 'ERR_IO');
  t.is(err.message, "loadLayersModel: no load handler for URL './my-model/model.json' (for a local path write 'file://./my-model/model.json'); built in: 'file://', 'http://', 'https://'");
  err = await t.throwsAsync(io.loadLayersModel('gs://bucket/model.json'));
  t.is(err.message, "loadLayersModel: no load handler for URL 'gs://bucket/model.json'; built in: 'file://', 'http://', 'https://'");
  err = await t.throwsAsync(io.loadLayersModel({ save: async () => ({}) }), { instanceOf: TypeError });
  t.is(err.message, "loadLayersModel: expected a URL string or an IOHandler with a load() method for 'handlerOrURL' but received an object of type Object");
  err = await t.throwsAsync(io.loadLayersModel('file:///x', { strict: 'yes' }), { instanceOf: TypeError });
  t.is(err.message, "loadLayersModel: expected a boolean for 'options.strict' but received 'yes'");
});

// A tiny server: GET serves files from `files`, POST records the request.
async function serve(t, files) {
  const posts = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'POST') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        posts.push({ url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
        res.end('ok');
      });
      return;
    }
    const body = files[req.url];
    if (body === undefined) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  return { base: `http://127.0.0.1:${server.address().port}`, posts };
}

test('http handler loads model.json and its weight shards relative to its URL, keeping the query string', async (t) => {
  const w = Buffer.from(new Float32Array([1, 2, 3]).buffer);
  const files = {
    '/models/m/model.json?v=2': JSON.stringify({ modelTopology: topology, format: 'layers-model', weightsManifest: [{ paths: ['s1.bin', 's2.bin'], weights: [{ name: 'w', shape: [3], dtype: 'float32' }] }] }),
    '/models/m/s1.bin?v=2': w.subarray(0, 5),
    '/models/m/s2.bin?v=2': w.subarray(5),
  };
  const { base } = await serve(t, files);
  const fractions = [];
  const [handler] = io.getLoadHandlers(`${base}/models/m/model.json?v=2`, { onProgress: (f) => fractions.push(f) });
  const artifacts = await handler.load();
  t.deepEqual(artifacts.modelTopology, topology);
  t.deepEqual(Buffer.from(artifacts.weightData), w);
  t.deepEqual(fractions, [0.5, 1]);
});

test('BAD CALL – http load of a missing URL names it and the status', async (t) => {
  const { base } = await serve(t, {});
  const err = await t.throwsAsync(io.http(`${base}/none/model.json`).load());
  t.is(err.code, 'ERR_IO');
  t.is(err.message, `loadLayersModel: request to '${base}/none/model.json' failed with status 404`);
});

test('http handler saves with a multipart POST holding model.json and model.weights.bin', async (t) => {
  const { base, posts } = await serve(t, {});
  const weightData = new Float32Array([4, 5]).buffer;
  const specs = [{ name: 'w', shape: [2], dtype: 'float32' }];
  const result = await io.http(`${base}/upload`).save({ modelTopology: topology, format: 'layers-model', weightSpecs: specs, weightData });
  t.is(result.modelArtifactsInfo.weightDataBytes, 8);
  t.is(posts.length, 1);
  t.regex(posts[0].headers['content-type'], /^multipart\/form-data; boundary=/);
  const body = posts[0].body.toString('latin1');
  t.true(body.includes('name="model.json"; filename="model.json"'));
  t.true(body.includes(JSON.stringify({ modelTopology: topology, format: 'layers-model', weightsManifest: [{ paths: ['./model.weights.bin'], weights: specs }] })));
  t.true(body.includes('name="model.weights.bin"; filename="model.weights.bin"'));
  t.true(posts[0].body.includes(Buffer.from(weightData)));
});
