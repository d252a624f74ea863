// Two builds of the package side by side in one process, for a before/after
// measurement of a native change: one training step of the cnn and cnn-deep
// workloads (trainOnBatch on a fixed batch of 128) and of examples/gan.js
// (batch 64), the two builds taking turns step by step; medians of wall
// time and of process CPU time (steadier than wall time on a shared machine).
//
//   node scripts/bench/addon_ab.js <dirA> <dirB> [steps=20] [warmup=3] [cnn,cnn-deep,gan]
//
// Each dir is a copy of the package: package.json, dist/, examples/gan.js,
// node_modules (a link will do) and its own build/Release/tensorforge.node.
'use strict';
const path = require('path');
const { WORKLOADS: workloads } = require('./workloads');

const [dirA, dirB] = process.argv.slice(2, 4);
const steps = Number(process.argv[4] || 20);
const warmup = Number(process.argv[5] || 3);
const only = (process.argv[6] || 'cnn,cnn-deep,gan').split(',');
if (!dirA || !dirB) throw new Error('usage: node scripts/bench/addon_ab.js <dirA> <dirB> [steps] [warmup]');

const variants = [dirA, dirB].map((dir) => ({
  name: path.basename(dir),
  tf: require(path.resolve(dir)),
  gan: require(path.resolve(dir, 'examples', 'gan.js')),
}));

/** One step's closure per variant for a workload. */
function cnnStep(tf, name) {
  const model = workloads[name].build(tf);
  const x = tf.randomUniform([128, 28, 28, 1], 0, 1, 'float32', 1);
  const labels = tf.randomUniform([128], 0, 10, 'int32', 2);
  const y = tf.oneHot(labels, 10);
  return () => model.trainOnBatch(x, y);
}

function ganStep(tf, gan) {
  const g = gan.createGan();
  const real = tf.randomUniform([64, 28, 28, 1], -1, 1, 'float32', 3);
  return () => gan.trainStep(g, real);
}

const median = (a) => {
  const s = a.slice().sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function compare(label, make) {
  const runs = variants.map((v) => ({ v, step: make(v), ms: [], cpu: [] }));
  for (let i = 0; i < warmup + steps; i++) {
    // Alternate which build goes first, so neither always runs on a warmer cache.
    const order = i % 2 ? runs.slice().reverse() : runs;
    for (const r of order) {
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      await r.step();
      const c = process.cpuUsage(c0);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (i >= warmup) {
        r.ms.push(ms);
        r.cpu.push((c.user + c.system) / 1e3);
      }
    }
  }
  const line = (what, key) => {
    const [a, b] = runs.map((r) => median(r[key]));
    return `${what} ${runs[0].v.name} ${a.toFixed(1)} ms, ${runs[1].v.name} ${b.toFixed(1)} ms (${(((b - a) / a) * 100).toFixed(1)}%)`;
  };
  console.log(`${label.padEnd(9)} ${line('wall', 'ms')}   ${line('cpu', 'cpu')}   medians of ${steps}`);
}

(async () => {
  for (const name of only) await compare(name, (v) => (name === 'gan' ? ganStep(v.tf, v.gan) : cnnStep(v.tf, name)));
})();
