// Timing shared by the benchmark scripts: the median, and the milliseconds
// of repeated calls after two warm-up calls (which also build the cached
// primitives).
'use strict';

/** The middle value (the mean of the middle two for an even count). */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The milliseconds each of `repeats` calls of fn took, after two untimed calls. */
function timeCalls(fn, repeats) {
  fn();
  fn();
  const ms = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return ms;
}

/** The median milliseconds of `repeats` calls of fn, after two untimed calls. */
const medianMs = (fn, repeats) => median(timeCalls(fn, repeats));

module.exports = { median, timeCalls, medianMs };
