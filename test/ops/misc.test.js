// tf.print, tf.time, tf.nextFrame.
const test = require('ava');
const { print, time, nextFrame } = require('../../dist/ops/misc');
const { tensor } = require('../../dist/ops/creation');

function captureLog(f) {
  const lines = [];
  const original = console.log;
  console.log = (...args) => lines.push(args.join(' '));
  try {
    f();
  } finally {
    console.log = original;
  }
  return lines.join('\n');
}

test('print writes the values, and dtype/rank/shape when verbose', (t) => {
  const x = tensor([[1, 2], [3, 4]]);
  t.is(captureLog(() => print(x)), 'Tensor\n    [[1,2],[3,4]]');
  const verbose = captureLog(() => print(x, true));
  t.regex(verbose, /dtype: float32/);
  t.regex(verbose, /rank: 2/);
  t.regex(verbose, /shape: \[2,2\]/);
  t.throws(() => print([1, 2]), { instanceOf: TypeError, message: "print: expected a Tensor for 'x' but received [1, 2]" });
});

test('time measures wall-clock milliseconds of sync and async functions', async (t) => {
  const sync = await time(() => {
    const end = Date.now() + 20;
    while (Date.now() < end);
  });
  t.true(sync.wallMs >= 19 && sync.wallMs < 1000, `${sync.wallMs}`);
  t.is(sync.kernelMs, sync.wallMs);
  const async = await time(() => new Promise((resolve) => setTimeout(resolve, 30)));
  t.true(async.wallMs >= 25, `${async.wallMs}`);
  await t.throwsAsync(() => time(5), { instanceOf: TypeError, message: /time: expected a function for 'f'/ });
});

test('nextFrame lets pending callbacks run first', async (t) => {
  let ran = false;
  setImmediate(() => (ran = true));
  await nextFrame();
  t.true(ran);
});
