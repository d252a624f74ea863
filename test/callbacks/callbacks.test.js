// Callback machinery (lib/callbacks): the list's order and awaiting, History,
// EarlyStopping's decisions, and the progress output.
const test = require('ava');
const { BaseCallback, CallbackList, CustomCallback, History, EarlyStopping, earlyStopping, callbacks, ProgressLogger, formatNumber, standardizeCallbacks } = require('../../dist/callbacks');

/** The parts of a model EarlyStopping touches. */
function fakeModel() {
  return { stopTraining: false, weights: [], getWeights: () => [], setWeights: () => {} };
}

test('CallbackList calls callbacks in order and awaits async hooks', async (t) => {
  const calls = [];
  const slow = new CustomCallback({
    onEpochEnd: async (epoch) => {
      await new Promise((r) => setTimeout(r, 5));
      calls.push(`slow ${epoch}`);
    },
  });
  class Fast extends BaseCallback {
    onEpochEnd(epoch) {
      calls.push(`fast ${epoch}`);
    }
  }
  const list = new CallbackList([slow, new Fast()]);
  await list.onEpochEnd(0, {});
  await list.onBatchEnd(0, {});
  t.deepEqual(calls, ['slow 0', 'fast 0']);
});

test('History collects the epoch logs', (t) => {
  const h = new History();
  h.onTrainBegin();
  h.onEpochEnd(0, { loss: 2, acc: 0.5 });
  h.onEpochEnd(1, { loss: 1, acc: 0.75 });
  t.deepEqual(h.epoch, [0, 1]);
  t.deepEqual(h.history, { loss: [2, 1], acc: [0.5, 0.75] });
});

test('standardizeCallbacks accepts a callback, a hooks object, lists, and null', (t) => {
  t.deepEqual(standardizeCallbacks(null, 'fit'), []);
  const h = new History();
  t.deepEqual(standardizeCallbacks(h, 'fit'), [h]);
  const list = standardizeCallbacks([h, { onBatchEnd: () => {} }], 'fit');
  t.is(list.length, 2);
  t.true(list[1] instanceof CustomCallback);
  const e = t.throws(() => standardizeCallbacks([{ onBatchEnd: 1 }], 'fit'), { instanceOf: TypeError });
  t.is(e.message, "fit (callbacks[0]): expected a function for 'onBatchEnd' but received 1 of type number");
});

test('earlyStopping: patience counts epochs without improvement beyond minDelta', (t) => {
  const es = earlyStopping({ monitor: 'val_loss', patience: 2, minDelta: 0.1 });
  const model = fakeModel();
  es.setModel(model);
  es.onTrainBegin();
  es.onEpochEnd(0, { val_loss: 1 });
  es.onEpochEnd(1, { val_loss: 0.95 }); // less than minDelta better: no improvement
  t.false(model.stopTraining);
  es.onEpochEnd(2, { val_loss: 0.7 }); // improvement resets the wait
  es.onEpochEnd(3, { val_loss: 0.69 });
  t.false(model.stopTraining);
  es.onEpochEnd(4, { val_loss: 0.8 });
  t.true(model.stopTraining);
  t.is(es.stoppedEpoch, 4);
});

test('earlyStopping: mode auto maximises accuracies; baseline must be beaten', (t) => {
  const acc = new EarlyStopping({ monitor: 'val_acc', patience: 1 });
  const m1 = fakeModel();
  acc.setModel(m1);
  acc.onTrainBegin();
  acc.onEpochEnd(0, { val_acc: 0.5 });
  acc.onEpochEnd(1, { val_acc: 0.6 });
  t.false(m1.stopTraining);
  acc.onEpochEnd(2, { val_acc: 0.55 });
  t.true(m1.stopTraining);

  const base = earlyStopping({ monitor: 'loss', patience: 1, baseline: 0.5 });
  const m2 = fakeModel();
  base.setModel(m2);
  base.onTrainBegin();
  base.onEpochEnd(0, { loss: 0.6 });
  t.true(m2.stopTraining);
});

test('earlyStopping: argument errors', (t) => {
  t.throws(() => earlyStopping({ mode: 'up' }), { instanceOf: TypeError, message: /^earlyStopping: expected one of 'auto', 'min', 'max' for 'mode'/ });
  t.throws(() => earlyStopping({ patience: -1 }), { instanceOf: RangeError, message: /'patience'/ });
  t.is(callbacks.earlyStopping, earlyStopping);
});

test('progress output: a redrawn bar in a terminal, a line per epoch otherwise', (t) => {
  const out = [];
  const bar = new ProgressLogger('auto', { isTTY: true, write: (s) => out.push(s) });
  bar.setParams({ epochs: 3, samples: 64 });
  bar.onEpochBegin(0);
  bar.onBatchEnd(0, { batch: 0, size: 32, loss: 0.5 });
  bar.onEpochEnd(0, { loss: 0.25, acc: 0.875 });
  t.is(out[0], 'Epoch 1 / 3\n');
  t.regex(out[1], /^\r32\/64 \[=+>\.+\] eta=\d+\.\ds loss=0\.500\x1b\[K$/);
  t.is(out[2], '\r\x1b[K');
  t.regex(out[3], /^\d+ms \d+us\/step - loss=0\.250 acc=0\.875\n$/);

  const lines = [];
  const plain = new ProgressLogger('auto', { isTTY: false, write: (s) => lines.push(s) });
  plain.setParams({ epochs: 1, samples: 64 });
  plain.onEpochBegin(0);
  plain.onBatchEnd(0, { batch: 0, size: 64, loss: 1.5 });
  plain.onEpochEnd(0, { loss: 1.5, val_loss: 2.25 });
  t.deepEqual(lines.length, 2);
  t.regex(lines[1], /^\d+ms \d+us\/step - loss=1\.50 val_loss=2\.25\n$/);
});

test('formatNumber shows two decimals from 1 up and more for small values', (t) => {
  t.is(formatNumber(1.23456), '1.23');
  t.is(formatNumber(0.5), '0.500');
  t.is(formatNumber(0.01234), '0.0123');
  t.is(formatNumber(0.0000123), '0.0000');
  t.is(formatNumber(0), '0');
  t.is(formatNumber(3), '3');
});
