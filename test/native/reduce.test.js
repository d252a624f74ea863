// reduce, argReduce, topk, cumsum against plain-JS references over every axis
// pattern, on small tensors and on large ones that take the threaded paths.
const test = require('ava');
const { TensorHandle, addon, F32, I32, BOOL, seeded, size } = require('./helpers');

const { random, uniform, randomInts } = seeded(4242);

const R = { Sum: 0, Mean: 1, Max: 2, Min: 3, Prod: 4, All: 5, Any: 6 };

const randomBools = (n, p) => Uint8Array.from({ length: n }, () => (random() < p ? 1 : 0));

function stridesOf(shape) {
  const st = new Array(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    st[d] = acc;
    acc *= shape[d];
  }
  return st;
}

// Groups the elements of x by their output position, then folds each group.
function reduceRef(x, shape, axes, fold) {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outStrides = stridesOf(outShape);
  const groups = Array.from({ length: size(outShape) }, () => []);
  for (let i = 0; i < x.length; i++) {
    let rem = i;
    let o = 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      const idx = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
      if (!axes.includes(d)) o += idx * outStrides[d];
    }
    groups[o].push(x[i]);
  }
  return { out: groups.map(fold), outShape };
}

const FOLDS = {
  Sum: (g) => g.reduce((a, b) => a + b, 0),
  Mean: (g) => g.reduce((a, b) => a + b, 0) / g.length,
  Max: (g) => g.reduce((a, b) => Math.max(a, b), -Infinity),
  Min: (g) => g.reduce((a, b) => Math.min(a, b), Infinity),
  Prod: (g) => g.reduce((a, b) => a * b, 1),
};
const INT_FOLDS = {
  Sum: (g) => g.reduce((a, b) => (a + b) | 0, 0),
  Mean: (g) => Math.trunc(g.reduce((a, b) => a + b, 0) / g.length),
  Max: FOLDS.Max,
  Min: FOLDS.Min,
  Prod: (g) => g.reduce((a, b) => Math.imul(a, b), 1),
};

function runReduce(op, x, shape, axes, dtype) {
  const { outShape } = reduceRef([], shape, axes, () => 0);
  const out = new TensorHandle(dtype, outShape);
  addon.reduce(op, new TensorHandle(dtype, shape, x), axes, out);
  return Array.from(out.read());
}

function close(t, got, want, label, rtol = 1e-5, atol = 1e-6) {
  t.is(got.length, want.length, `${label}: length`);
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]);
    if (!ok) {
      t.fail(`${label}: element ${i} is ${got[i]}, expected ${want[i]}`);
      return;
    }
  }
  t.pass();
}

function subsets(rank) {
  const all = [];
  for (let mask = 1; mask < 1 << rank; mask++) all.push([...Array(rank).keys()].filter((d) => mask & (1 << d)));
  return all;
}

const SHAPES = [[7], [1, 33], [3, 1, 5], [2, 3, 4], [2, 3, 4, 5]];

for (const name of Object.keys(FOLDS)) {
  test(`reduce ${name} float32 over every axis subset`, (t) => {
    for (const shape of SHAPES) {
      for (const axes of subsets(shape.length)) {
        // Prod of many values near 1 stays well scaled.
        const x = name === 'Prod' ? uniform(size(shape), 0.5, 1.5) : uniform(size(shape), -3, 3);
        const want = reduceRef(x, shape, axes, FOLDS[name]).out;
        close(t, runReduce(R[name], x, shape, axes, F32), want, `${name} ${JSON.stringify(shape)} axes ${axes}`);
      }
    }
  });

  test(`reduce ${name} int32 over every axis subset`, (t) => {
    for (const shape of SHAPES) {
      for (const axes of subsets(shape.length)) {
        const x = name === 'Prod' ? randomInts(size(shape), -3, 3) : randomInts(size(shape), -1000, 1000);
        const want = reduceRef(x, shape, axes, INT_FOLDS[name]).out;
        t.deepEqual(runReduce(R[name], x, shape, axes, I32), want, `${name} ${JSON.stringify(shape)} axes ${axes}`);
      }
    }
  });

  test(`reduce ${name} float32 on large tensors over every axis pattern`, (t) => {
    const shape = [24, 50, 70];
    for (const axes of subsets(3)) {
      const x = name === 'Prod' ? uniform(size(shape), 0.99, 1.01) : uniform(size(shape), -3, 3);
      const want = reduceRef(x, shape, axes, FOLDS[name]).out;
      // Long float32 sums: compare against the sum of magnitudes' scale.
      const atol = name === 'Sum' || name === 'Mean' ? 1e-5 * Math.sqrt(size(shape)) : 1e-6;
      close(t, runReduce(R[name], x, shape, axes, F32), want, `${name} axes ${axes}`, 1e-5, atol);
    }
  });
}

test('reduce over one long row and over a single column use every thread path', (t) => {
  const x = uniform(300000, -1, 1);
  close(t, runReduce(R.Max, x, [300000], [0], F32), [FOLDS.Max(Array.from(x))], 'max of a long row');
  close(t, runReduce(R.Sum, x, [2, 150000], [1], F32), [0, 1].map((r) => FOLDS.Sum(Array.from(x.subarray(r * 150000, (r + 1) * 150000)))), 'sum of two long rows', 1e-5, 1e-3);
  const xi = randomInts(300000, -5, 5);
  t.deepEqual(runReduce(R.Sum, xi, [300000], [0], I32), [INT_FOLDS.Sum(Array.from(xi))]);
  t.deepEqual(runReduce(R.Max, xi, [1, 300000], [1], I32), [5]);
  t.deepEqual(runReduce(R.Sum, xi, [3, 100000], [1], I32), [0, 1, 2].map((r) => INT_FOLDS.Sum(Array.from(xi.subarray(r * 100000, (r + 1) * 100000)))));
  t.deepEqual(runReduce(R.Min, xi, [100000, 3], [0], I32), [0, 1, 2].map((c) => Math.min(...Array.from(xi).filter((_, i) => i % 3 === c))));
});

test('reduce All and Any on bool', (t) => {
  for (const shape of SHAPES.concat([[300, 400]])) {
    for (const axes of subsets(shape.length)) {
      for (const p of [0.1, 0.9]) {
        const x = randomBools(size(shape), p);
        t.deepEqual(runReduce(R.All, x, shape, axes, BOOL), reduceRef(x, shape, axes, (g) => +g.every((v) => v)).out);
        t.deepEqual(runReduce(R.Any, x, shape, axes, BOOL), reduceRef(x, shape, axes, (g) => +g.some((v) => v)).out);
      }
    }
  }
});

test('reduce: int32 mean truncates, int32 sum wraps, NaN propagates through max', (t) => {
  t.deepEqual(runReduce(R.Mean, new Int32Array([1, 2, 2, -7, 0, 0]), [2, 3], [1], I32), [1, -2]);
  t.deepEqual(runReduce(R.Sum, new Int32Array([2147483647, 1]), [2], [0], I32), [-2147483648]);
  const got = runReduce(R.Max, new Float32Array([1, NaN, 3, 4, 5, 6]), [2, 3], [1], F32);
  t.true(Number.isNaN(got[0]));
  t.is(got[1], 6);
});

test('reduce over an empty axis gives the identity', (t) => {
  const run = (op) => runReduce(op, new Float32Array(0), [2, 0], [1], F32);
  t.deepEqual(run(R.Sum), [0, 0]);
  t.deepEqual(run(R.Prod), [1, 1]);
  t.deepEqual(run(R.Max), [-Infinity, -Infinity]);
  t.true(run(R.Mean).every(Number.isNaN));
  t.deepEqual(runReduce(R.Mean, new Int32Array(0), [2, 0], [1], I32), [0, 0]);
});

test('BAD CALL - reduce dtype, axes and out shape errors', (t) => {
  const f = new TensorHandle(F32, [2, 3]);
  let e = t.throws(() => addon.reduce(R.Sum, new TensorHandle(BOOL, [2, 3]), [1], new TensorHandle(BOOL, [2, 1])));
  t.is(e.code, 'ERR_UNSUPPORTED_DTYPE');
  t.regex(e.message, /sum.*bool/);
  t.is(t.throws(() => addon.reduce(R.All, f, [1], new TensorHandle(F32, [2, 1]))).code, 'ERR_UNSUPPORTED_DTYPE');
  t.is(t.throws(() => addon.reduce(R.Sum, f, [2], new TensorHandle(F32, [2, 3]))).code, 'ERR_INVALID_ARG');
  t.is(t.throws(() => addon.reduce(R.Sum, f, [1, 0], new TensorHandle(F32, [1, 1]))).code, 'ERR_INVALID_ARG');
  e = t.throws(() => addon.reduce(R.Sum, f, [1], new TensorHandle(F32, [2])));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(t.throws(() => addon.reduce(17, f, [1], new TensorHandle(F32, [2, 1]))).code, 'ERR_UNSUPPORTED');
});

// ---------------------------------------------------------------- argReduce

function argRef(x, shape, axis, isMax) {
  const outer = size(shape.slice(0, axis));
  const n = shape[axis];
  const inner = size(shape.slice(axis + 1));
  const out = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      for (let r = 1; r < n; r++) {
        const v = x[(o * n + r) * inner + i];
        const b = x[(o * n + best) * inner + i];
        if (isMax ? v > b : v < b) best = r;
      }
      out.push(best);
    }
  }
  return out;
}

for (const isMax of [true, false]) {
  test(`argReduce ${isMax ? 'argMax' : 'argMin'} over every axis, ties to the first index`, (t) => {
    for (const shape of [[7], [1, 33], [3, 4, 5], [2, 3, 4, 5], [40, 600]]) {
      for (let axis = 0; axis < shape.length; axis++) {
        for (const [dtype, x] of [[F32, uniform(size(shape), -2, 2).map((v) => Math.round(v * 4) / 4)], [I32, randomInts(size(shape), -3, 3)]]) {
          const outShape = shape.filter((_, d) => d !== axis);
          const out = new TensorHandle(I32, outShape);
          addon.argReduce(isMax, new TensorHandle(dtype, shape, x), axis, out);
          t.deepEqual(Array.from(out.read()), argRef(x, shape, axis, isMax), `${JSON.stringify(shape)} axis ${axis} dtype ${dtype}`);
        }
      }
    }
  });
}

test('BAD CALL - argReduce with a bad axis, out or dtype', (t) => {
  const x = new TensorHandle(F32, [2, 3]);
  t.is(t.throws(() => addon.argReduce(true, x, 2, new TensorHandle(I32, [2]))).code, 'ERR_INVALID_ARG');
  t.is(t.throws(() => addon.argReduce(true, x, 1, new TensorHandle(F32, [2]))).code, 'ERR_UNSUPPORTED_DTYPE');
  t.is(t.throws(() => addon.argReduce(true, x, 1, new TensorHandle(I32, [3]))).code, 'ERR_SHAPE_MISMATCH');
  t.is(t.throws(() => addon.argReduce(true, new TensorHandle(BOOL, [2, 3]), 1, new TensorHandle(I32, [2]))).code, 'ERR_UNSUPPORTED_DTYPE');
  t.is(t.throws(() => addon.argReduce(true, new TensorHandle(F32, [2, 0]), 1, new TensorHandle(I32, [2]))).code, 'ERR_INVALID_ARG');
});

// ---------------------------------------------------------------- topk

function topkRef(x, n, k) {
  const values = [];
  const indices = [];
  for (let r = 0; r < x.length / n; r++) {
    const idx = [...Array(n).keys()].sort((i, j) => x[r * n + j] - x[r * n + i] || i - j);
    for (let i = 0; i < k; i++) {
      values.push(x[r * n + idx[i]]);
      indices.push(idx[i]);
    }
  }
  return { values, indices };
}

test('topk along the last axis: sorted descending, ties by lower index', (t) => {
  for (const [shape, ks] of [[[7], [0, 1, 3, 7]], [[3, 33], [1, 5, 20, 33]], [[2, 2, 10], [4]], [[100, 400], [1, 10, 250]]]) {
    const n = shape[shape.length - 1];
    for (const k of ks) {
      for (const [dtype, x] of [[F32, uniform(size(shape), -2, 2).map((v) => Math.round(v * 4) / 4)], [I32, randomInts(size(shape), -5, 5)]]) {
        const outShape = shape.slice(0, -1).concat([k]);
        const values = new TensorHandle(dtype, outShape);
        const indices = new TensorHandle(I32, outShape);
        addon.topk(new TensorHandle(dtype, shape, x), k, values, indices);
        const want = topkRef(x, n, k);
        t.deepEqual(Array.from(values.read()), want.values, `${JSON.stringify(shape)} k=${k} values`);
        t.deepEqual(Array.from(indices.read()), want.indices, `${JSON.stringify(shape)} k=${k} indices`);
      }
    }
  }
});

test('topk hand-checked, NaN ranks above everything', (t) => {
  const values = new TensorHandle(F32, [4]);
  const indices = new TensorHandle(I32, [4]);
  addon.topk(new TensorHandle(F32, [6], new Float32Array([1, 3, NaN, 3, -Infinity, 2])), 4, values, indices);
  t.deepEqual(Array.from(values.read()), [NaN, 3, 3, 2]);
  t.deepEqual(Array.from(indices.read()), [2, 1, 3, 5]);
});

test('BAD CALL - topk with k out of range or wrong outputs', (t) => {
  const x = new TensorHandle(F32, [2, 3]);
  t.is(t.throws(() => addon.topk(x, 4, new TensorHandle(F32, [2, 4]), new TensorHandle(I32, [2, 4]))).code, 'ERR_INVALID_ARG');
  t.is(t.throws(() => addon.topk(x, 2, new TensorHandle(F32, [2, 3]), new TensorHandle(I32, [2, 2]))).code, 'ERR_SHAPE_MISMATCH');
  t.is(t.throws(() => addon.topk(x, 2, new TensorHandle(F32, [2, 2]), new TensorHandle(F32, [2, 2]))).code, 'ERR_UNSUPPORTED_DTYPE');
});

// ---------------------------------------------------------------- cumsum

function cumsumRef(x, shape, axis, exclusive, reverse, wrap) {
  const outer = size(shape.slice(0, axis));
  const n = shape[axis];
  const inner = size(shape.slice(axis + 1));
  const out = new Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = 0;
      for (let s = 0; s < n; s++) {
        const r = reverse ? n - 1 - s : s;
        const at = (o * n + r) * inner + i;
        if (exclusive) {
          out[at] = acc;
          acc = wrap(acc + x[at]);
        } else {
          acc = wrap(acc + x[at]);
          out[at] = acc;
        }
      }
    }
  }
  return out;
}

test('cumsum over every axis with exclusive and reverse', (t) => {
  for (const shape of [[7], [1, 33], [3, 4, 5], [2, 3, 4, 5], [30, 1100]]) {
    for (let axis = 0; axis < shape.length; axis++) {
      for (const exclusive of [false, true]) {
        for (const reverse of [false, true]) {
          const label = `${JSON.stringify(shape)} axis ${axis} exclusive=${exclusive} reverse=${reverse}`;
          const x = uniform(size(shape), -2, 2);
          const out = new TensorHandle(F32, shape);
          addon.cumsum(new TensorHandle(F32, shape, x), axis, exclusive, reverse, out);
          close(t, Array.from(out.read()), cumsumRef(x, shape, axis, exclusive, reverse, (v) => v), label, 1e-5, 1e-5);
          const xi = randomInts(size(shape), -100, 100);
          const outi = new TensorHandle(I32, shape);
          addon.cumsum(new TensorHandle(I32, shape, xi), axis, exclusive, reverse, outi);
          t.deepEqual(Array.from(outi.read()), cumsumRef(xi, shape, axis, exclusive, reverse, (v) => v | 0), label);
        }
      }
    }
  }
});

test('cumsum int32 wraps on overflow', (t) => {
  const out = new TensorHandle(I32, [3]);
  addon.cumsum(new TensorHandle(I32, [3], new Int32Array([2147483647, 1, 1])), 0, false, false, out);
  t.deepEqual(Array.from(out.read()), [2147483647, -2147483648, -2147483647]);
});

test('BAD CALL - cumsum with a bad axis or dtype', (t) => {
  t.is(t.throws(() => addon.cumsum(new TensorHandle(F32, [2]), 1, false, false, new TensorHandle(F32, [2]))).code, 'ERR_INVALID_ARG');
  t.is(t.throws(() => addon.cumsum(new TensorHandle(BOOL, [2]), 0, false, false, new TensorHandle(BOOL, [2]))).code, 'ERR_UNSUPPORTED_DTYPE');
  t.is(t.throws(() => addon.cumsum(new TensorHandle(F32, [2]), 0, false, false, new TensorHandle(F32, [3]))).code, 'ERR_SHAPE_MISMATCH');
});
