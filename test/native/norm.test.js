// Batch normalization (training, inference, both backwards) and layer
// normalization (forward, backward) against float64 references, with every
// combination of optional scale / shift and wanted gradients, and bad calls.
const test = require('ava');
const { TensorHandle, addon, I32, seeded, f32, assertClose } = require('./helpers');

const { uniform } = seeded(7);

/**
 * Normalisation of the groups of x (group(i) gives element i's group, of
 * `groups`) and its gradients, in float64. param(i) indexes scale / shift.
 * With `given` statistics they are constants; otherwise the group's own.
 */
function normRef(x, dy, groups, group, param, scale, shift, eps, given) {
  const count = new Float64Array(groups);
  const mean = new Float64Array(groups);
  const variance = new Float64Array(groups);
  if (given) {
    mean.set(given.mean);
    variance.set(given.variance);
  } else {
    x.forEach((v, i) => {
      count[group(i)]++;
      mean[group(i)] += v;
    });
    mean.forEach((s, g) => (mean[g] = s / count[g]));
    x.forEach((v, i) => (variance[group(i)] += (v - mean[group(i)]) ** 2));
    variance.forEach((s, g) => (variance[g] = s / count[g]));
  }
  const inv = Array.from(variance, (v) => 1 / Math.sqrt(v + eps));
  const xhat = Array.from(x, (v, i) => (v - mean[group(i)]) * inv[group(i)]);
  const s = (i) => (scale ? scale[param(i)] : 1);
  const y = xhat.map((h, i) => h * s(i) + (shift ? shift[param(i)] : 0));
  const np = (scale ?? shift ?? []).length || Math.max(...Array.from(x, (_, i) => param(i))) + 1;
  const dscale = new Float64Array(np);
  const dshift = new Float64Array(np);
  const sumG = new Float64Array(groups);
  const sumGH = new Float64Array(groups);
  x.forEach((_, i) => {
    dscale[param(i)] += dy[i] * xhat[i];
    dshift[param(i)] += dy[i];
    const g = dy[i] * s(i); // the gradient reaching x̂
    sumG[group(i)] += g;
    sumGH[group(i)] += g * xhat[i];
  });
  const dx = Array.from(x, (_, i) => {
    const k = group(i);
    const g = dy[i] * s(i);
    return given ? g * inv[k] : inv[k] * (g - sumG[k] / count[k] - (xhat[i] * sumGH[k]) / count[k]);
  });
  return { y, mean: Array.from(mean), variance: Array.from(variance), dx, dscale: Array.from(dscale), dshift: Array.from(dshift) };
}

const OPTIONS = [
  { scale: true, shift: true },
  { scale: true, shift: false },
  { scale: false, shift: true },
  { scale: false, shift: false },
];
// Which of dx, dscale, dshift a backward asks for.
const WANTS = [[1, 1, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1]];

for (const { scale: hasScale, shift: hasShift } of OPTIONS) {
  const what = `${hasScale ? 'scale' : 'no scale'}, ${hasShift ? 'shift' : 'no shift'}`;

  test(`batchNormTraining and its backward (${what}) match float64`, (t) => {
    const [m, c] = [24, 5];
    const x = uniform(m * c, -2, 3);
    const dy = uniform(m * c, -1, 1);
    const scale = hasScale ? uniform(c, 0.5, 1.5) : null;
    const shift = hasShift ? uniform(c, -1, 1) : null;
    const ref = normRef(x, dy, c, (i) => i % c, (i) => i % c, scale, shift, 1e-3, null);
    const shape = [2, 3, 4, c];
    const xh = f32(shape, x);
    const y = f32(shape);
    const mean = f32([c]);
    const variance = f32([c]);
    addon.batchNormTraining(xh, scale && f32([c], scale), shift && f32([c], shift), 1e-3, y, mean, variance);
    assertClose(t, y.read(), ref.y, 2e-5, 'y');
    assertClose(t, mean.read(), ref.mean, 1e-6, 'mean');
    assertClose(t, variance.read(), ref.variance, 1e-6, 'variance');
    for (const [wdx, wds, wdo] of WANTS) {
      const dx = wdx ? f32(shape) : null;
      const ds = wds ? f32([c]) : null;
      const dd = wdo ? f32([c]) : null;
      addon.batchNormGrad(xh, f32(shape, dy), mean, variance, scale && f32([c], scale), 1e-3, false, dx, ds, dd);
      if (dx) assertClose(t, dx.read(), ref.dx, 2e-5, `dx (wants ${wdx}${wds}${wdo})`);
      if (ds) assertClose(t, ds.read(), ref.dscale, 2e-5, `dscale (wants ${wdx}${wds}${wdo})`);
      if (dd) assertClose(t, dd.read(), ref.dshift, 2e-5, `doffset (wants ${wdx}${wds}${wdo})`);
    }
  });

  test(`batchNormInference and the global-stats backward (${what}) match float64`, (t) => {
    const [m, c] = [10, 3];
    const x = uniform(m * c, -2, 3);
    const dy = uniform(m * c, -1, 1);
    const given = { mean: uniform(c, -1, 1), variance: uniform(c, 0.2, 2) };
    const scale = hasScale ? uniform(c, 0.5, 1.5) : null;
    const shift = hasShift ? uniform(c, -1, 1) : null;
    const ref = normRef(x, dy, c, (i) => i % c, (i) => i % c, scale, shift, 1e-2, given);
    const xh = f32([m, c], x);
    const mean = f32([c], given.mean);
    const variance = f32([c], given.variance);
    const y = f32([m, c]);
    addon.batchNormInference(xh, mean, variance, scale && f32([c], scale), shift && f32([c], shift), 1e-2, y);
    assertClose(t, y.read(), ref.y, 2e-6, 'y');
    for (const [wdx, wds, wdo] of WANTS) {
      const dx = wdx ? f32([m, c]) : null;
      const ds = wds ? f32([c]) : null;
      const dd = wdo ? f32([c]) : null;
      addon.batchNormGrad(xh, f32([m, c], dy), mean, variance, scale && f32([c], scale), 1e-2, true, dx, ds, dd);
      if (dx) assertClose(t, dx.read(), ref.dx, 2e-6, `dx (wants ${wdx}${wds}${wdo})`);
      if (ds) assertClose(t, ds.read(), ref.dscale, 2e-6, `dscale (wants ${wdx}${wds}${wdo})`);
      if (dd) assertClose(t, dd.read(), ref.dshift, 2e-6, `doffset (wants ${wdx}${wds}${wdo})`);
    }
  });

  test(`layerNorm and its backward (${what}) match float64`, (t) => {
    const [m, n] = [6, 20];
    const x = uniform(m * n, -2, 3);
    const dy = uniform(m * n, -1, 1);
    const gamma = hasScale ? uniform(n, 0.5, 1.5) : null;
    const beta = hasShift ? uniform(n, -1, 1) : null;
    const ref = normRef(x, dy, m, (i) => Math.floor(i / n), (i) => i % n, gamma, beta, 1e-5, null);
    const xh = f32([m, n], x);
    const y = f32([m, n]);
    addon.layerNorm(xh, gamma && f32([n], gamma), beta && f32([n], beta), 1e-5, y, null, null);
    assertClose(t, y.read(), ref.y, 2e-5, 'y (inference)');
    const mean = f32([m]);
    const variance = f32([m]);
    addon.layerNorm(xh, gamma && f32([n], gamma), beta && f32([n], beta), 1e-5, y, mean, variance);
    assertClose(t, y.read(), ref.y, 2e-5, 'y (training)');
    assertClose(t, mean.read(), ref.mean, 1e-6, 'mean');
    assertClose(t, variance.read(), ref.variance, 1e-6, 'variance');
    for (const [wdx, wdg, wdb] of WANTS) {
      const dx = wdx ? f32([m, n]) : null;
      const dg = wdg ? f32([n]) : null;
      const db = wdb ? f32([n]) : null;
      addon.layerNormGrad(xh, f32([m, n], dy), mean, variance, gamma && f32([n], gamma), 1e-5, dx, dg, db);
      if (dx) assertClose(t, dx.read(), ref.dx, 2e-5, `dx (wants ${wdx}${wdg}${wdb})`);
      if (dg) assertClose(t, dg.read(), ref.dscale, 2e-5, `dgamma (wants ${wdx}${wdg}${wdb})`);
      if (db) assertClose(t, db.read(), ref.dshift, 2e-5, `dbeta (wants ${wdx}${wdg}${wdb})`);
    }
  });
}

test('BAD CALL – normalization dtypes and sizes', (t) => {
  const x = f32([4, 3], uniform(12, -1, 1));
  const c3 = f32([3]);
  let e = t.throws(() => addon.batchNormTraining(new TensorHandle(I32, [4, 3]), null, null, 1e-3, f32([4, 3]), c3, f32([3])));
  t.is(e.code, 'ERR_UNSUPPORTED_DTYPE');
  t.is(e.message, 'batchNormTraining: expected float32 for x, got int32');
  e = t.throws(() => addon.batchNormInference(x, f32([4]), c3, null, null, 1e-3, f32([4, 3])));
  t.is(e.code, 'ERR_SHAPE_MISMATCH');
  t.is(e.message, 'batchNormInference: mean has shape [4], expected 3 elements');
  t.throws(() => addon.batchNormGrad(x, f32([3, 4]), c3, c3, null, 1e-3, false, f32([3, 3]), null, null), { message: /dx has shape \[3,3\], expected 12 elements/ });
  t.throws(() => addon.layerNorm(x, null, null, 1e-3, f32([4, 3]), f32([4]), null), { message: 'layerNorm: give both mean and variance, or neither' });
  t.throws(() => addon.layerNormGrad(x, x, f32([3]), f32([4]), null, 1e-3, null, null, null), { message: /mean has shape \[3\], expected 4 elements/ });
  t.throws(() => addon.batchNormTraining(x, null, null, 'a', f32([4, 3]), c3, c3), { message: /expected a number for epsilon/ });
});
