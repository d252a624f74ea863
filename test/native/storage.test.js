// Host storage: blocks of 64 KiB and more are reused after dispose, so a
// reused block must still honour the zero flag and never show another
// tensor's contents through a zeroed handle.
const test = require('ava');
const path = require('path');
const addon = require('node-gyp-build')(path.join(__dirname, '..', '..'));

const { TensorHandle } = addon;
const F32 = 0;
const ZERO = 1;

test('a zeroed handle is all zeros even when its block held another tensor', (t) => {
  for (const n of [16 * 1024, 16 * 1024 + 3, 1 << 20]) {
    const dirty = new TensorHandle(F32, [n], new Float32Array(n).fill(7));
    dirty.dispose();
    const clean = new TensorHandle(F32, [n], null, ZERO);
    t.true(clean.read().every((v) => v === 0), `${n} elements`);
    clean.dispose();
  }
});

test('handles of every size keep their own contents while others come and go', (t) => {
  const sizes = [1, 15, 16 * 1024 - 1, 16 * 1024, 70000, 1 << 20];
  const kept = sizes.map((n, i) => new TensorHandle(F32, [n], new Float32Array(n).fill(i + 1)));
  for (let round = 0; round < 3; round++) {
    for (const n of sizes) new TensorHandle(F32, [n], new Float32Array(n).fill(-1)).dispose();
  }
  kept.forEach((h, i) => {
    t.true(h.read().every((v) => v === i + 1), `${sizes[i]} elements`);
    h.dispose();
  });
});
