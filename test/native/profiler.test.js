// oneDNN 2.6 corrupts the heap when SIGPROF lands inside a primitive; V8's CPU
// profiler sends exactly that. The binding holds the signal back during
// oneDNN calls (native/src/cpu/dnnl_context.cc): a profiled program must run.
const test = require('ava');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

test('matmul and a training step survive the V8 CPU profiler', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-prof-'));
  const program = `
    const tf = require(${JSON.stringify(path.join(__dirname, '..', '..'))});
    const x = tf.randomUniform([32, 784]), w = tf.randomUniform([784, 200]);
    for (let i = 0; i < 3000; i++) tf.tidy(() => tf.matMul(x, w));
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 64, activation: 'relu', inputShape: [784] }), tf.layers.dense({ units: 10, activation: 'softmax' })] });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const y = tf.oneHot(tf.zeros([256], 'int32'), 10).toFloat();
    model.fit(tf.randomUniform([256, 784]), y, { epochs: 3, batchSize: 32, verbose: 0 }).then(() => console.log('done'));
  `;
  const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '-e', program], { encoding: 'utf8', timeout: 120000 });
  fs.rmSync(dir, { recursive: true, force: true });
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout.trim(), 'done');
});
