// float64 references for the convolutional, pooling and resizing layers,
// written from TensorFlow's definitions (channels-last data, TF's 'same'
// padding: out = ceil(in / stride), the odd padding element at the end).
// Arrays are flat, row-major; shapes are given beside them.

const ACT = {
  linear: (v) => v,
  relu: (v) => Math.max(v, 0),
  relu6: (v) => Math.min(Math.max(v, 0), 6),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  tanh: Math.tanh,
  elu: (v) => (v > 0 ? v : Math.expm1(v)),
  selu: (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * Math.expm1(v)),
  softplus: (v) => Math.log1p(Math.exp(v)),
};

/** Row-major strides of a shape. */
function stridesOf(shape) {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** Calls f(index) for every index tuple of shape, in row-major order. */
function forEachIndex(shape, f) {
  const n = shape.reduce((a, b) => a * b, 1);
  const idx = new Array(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    f(idx);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

/**
 * Output length and leading padding of a window of `size` (dilated) over
 * `length` elements: TF's 'valid', 'same', and Keras's 'causal' (all padding first).
 */
function windowGeometry(length, size, stride, dilation, padding) {
  const dk = (size - 1) * dilation + 1;
  if (padding === 'valid') return { out: Math.floor((length - dk) / stride) + 1, before: 0 };
  const out = Math.ceil(length / stride);
  if (padding === 'causal') return { out, before: dk - 1 };
  const total = Math.max((out - 1) * stride + dk - length, 0);
  return { out, before: Math.floor(total / 2) };
}

/**
 * N-d convolution: x [N, ...S, C], kernel [...K, C, F] → [N, ...O, F], then
 * + bias and the activation. Returns {y, shape}.
 */
function conv(x, xShape, k, kShape, { strides, dilations, padding = 'valid', bias = null, act = 'linear' }) {
  const r = xShape.length - 2;
  const [n, c] = [xShape[0], xShape[r + 1]];
  const f = kShape[r + 1];
  const geo = xShape.slice(1, r + 1).map((len, i) => windowGeometry(len, kShape[i], strides[i], dilations[i], padding));
  const outShape = [n, ...geo.map((g) => g.out), f];
  const xs = stridesOf(xShape);
  const ks = stridesOf(kShape);
  const y = new Array(outShape.reduce((a, b) => a * b, 1)).fill(0);
  let o = 0;
  forEachIndex(outShape.slice(0, r + 1), (oi) => {
    const sums = new Array(f).fill(0);
    forEachIndex(kShape.slice(0, r), (ki) => {
      let xOff = oi[0] * xs[0];
      for (let d = 0; d < r; d++) {
        const p = oi[d + 1] * strides[d] + ki[d] * dilations[d] - geo[d].before;
        if (p < 0 || p >= xShape[d + 1]) return;
        xOff += p * xs[d + 1];
      }
      let kOff = 0;
      for (let d = 0; d < r; d++) kOff += ki[d] * ks[d];
      for (let ci = 0; ci < c; ci++) {
        const xv = x[xOff + ci];
        for (let fi = 0; fi < f; fi++) sums[fi] += xv * k[kOff + ci * f + fi];
      }
    });
    for (let fi = 0; fi < f; fi++) y[o++] = ACT[act](sums[fi] + (bias ? bias[fi] : 0));
  });
  return { y, shape: outShape };
}

/** Depthwise 2-D convolution: x [N, H, W, C], kernel [kh, kw, C, M] → [N, OH, OW, C * M] (channel c * M + m). */
function depthwise(x, xShape, k, kShape, { strides, dilations, padding = 'valid', bias = null, act = 'linear' }) {
  const [n, h, w, c] = xShape;
  const [kh, kw, , m] = kShape;
  const gh = windowGeometry(h, kh, strides[0], dilations[0], padding);
  const gw = windowGeometry(w, kw, strides[1], dilations[1], padding);
  const y = [];
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < gh.out; i++) {
      for (let j = 0; j < gw.out; j++) {
        for (let ci = 0; ci < c; ci++) {
          for (let mi = 0; mi < m; mi++) {
            let s = bias ? bias[ci * m + mi] : 0;
            for (let a = 0; a < kh; a++) {
              const p = i * strides[0] + a * dilations[0] - gh.before;
              if (p < 0 || p >= h) continue;
              for (let e = 0; e < kw; e++) {
                const q = j * strides[1] + e * dilations[1] - gw.before;
                if (q < 0 || q >= w) continue;
                s += x[((b * h + p) * w + q) * c + ci] * k[((a * kw + e) * c + ci) * m + mi];
              }
            }
            y.push(ACT[act](s));
          }
        }
      }
    }
  }
  return { y, shape: [n, gh.out, gw.out, c * m] };
}

/**
 * Transposed 2-D convolution as TF's conv2d_transpose (the input gradient of
 * a conv2d from [N, OH, OW, F] to x's shape): x [N, H, W, C], kernel
 * [kh, kw, F, C], output [N, OH, OW, F].
 */
function convTranspose(x, xShape, k, kShape, outHW, { strides, padding, bias = null, act = 'linear' }) {
  const [n, h, w, c] = xShape;
  const [kh, kw, f] = kShape;
  const [oh, ow] = outHW;
  // The forward conv2d from [oh, ow] to [h, w] pads this much at the start.
  const before = padding === 'valid' ? [0, 0] : [
    Math.floor(Math.max((h - 1) * strides[0] + kh - oh, 0) / 2),
    Math.floor(Math.max((w - 1) * strides[1] + kw - ow, 0) / 2),
  ];
  const y = new Array(n * oh * ow * f).fill(0);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        for (let a = 0; a < kh; a++) {
          const p = i * strides[0] + a - before[0];
          if (p < 0 || p >= oh) continue;
          for (let e = 0; e < kw; e++) {
            const q = j * strides[1] + e - before[1];
            if (q < 0 || q >= ow) continue;
            for (let ci = 0; ci < c; ci++) {
              const xv = x[((b * h + i) * w + j) * c + ci];
              for (let fi = 0; fi < f; fi++) y[((b * oh + p) * ow + q) * f + fi] += xv * k[((a * kw + e) * f + fi) * c + ci];
            }
          }
        }
      }
    }
  }
  return { y: y.map((v, i) => ACT[act](v + (bias ? bias[i % f] : 0))), shape: [n, oh, ow, f] };
}

/**
 * N-d pooling of x [N, ...S, C] ('max' or 'avg'); 'same' windows cover only
 * the elements inside the input (the average divides by their count).
 */
function pool(x, xShape, { poolSize, strides, padding = 'valid', mode }) {
  const r = xShape.length - 2;
  const [n, c] = [xShape[0], xShape[r + 1]];
  const geo = xShape.slice(1, r + 1).map((len, i) => windowGeometry(len, poolSize[i], strides[i], 1, padding));
  const outShape = [n, ...geo.map((g) => g.out), c];
  const xs = stridesOf(xShape);
  const y = [];
  forEachIndex(outShape.slice(0, r + 1), (oi) => {
    const acc = new Array(c).fill(mode === 'max' ? -Infinity : 0);
    let count = 0;
    forEachIndex(poolSize, (pi) => {
      let off = oi[0] * xs[0];
      for (let d = 0; d < r; d++) {
        const p = oi[d + 1] * strides[d] + pi[d] - geo[d].before;
        if (p < 0 || p >= xShape[d + 1]) return;
        off += p * xs[d + 1];
      }
      count++;
      for (let ci = 0; ci < c; ci++) acc[ci] = mode === 'max' ? Math.max(acc[ci], x[off + ci]) : acc[ci] + x[off + ci];
    });
    for (let ci = 0; ci < c; ci++) y.push(mode === 'max' ? acc[ci] : acc[ci] / count);
  });
  return { y, shape: outShape };
}

/**
 * Resizing of x [N, H, W, C] to [oh, ow] as TF.js's image.resizeNearestNeighbor /
 * resizeBilinear with their defaults (no aligned corners, no half-pixel
 * centers): output pixel i samples input position i * H / oh.
 */
function resize(x, xShape, [oh, ow], method) {
  const [n, h, w, c] = xShape;
  const at = (b, i, j, ci) => x[((b * h + i) * w + j) * c + ci];
  const y = [];
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const si = (i * h) / oh;
      for (let j = 0; j < ow; j++) {
        const sj = (j * w) / ow;
        for (let ci = 0; ci < c; ci++) {
          if (method === 'nearest') {
            y.push(at(b, Math.min(Math.floor(si), h - 1), Math.min(Math.floor(sj), w - 1), ci));
            continue;
          }
          const i0 = Math.floor(si);
          const j0 = Math.floor(sj);
          const i1 = Math.min(i0 + 1, h - 1);
          const j1 = Math.min(j0 + 1, w - 1);
          const di = si - i0;
          const dj = sj - j0;
          const top = at(b, i0, j0, ci) * (1 - dj) + at(b, i0, j1, ci) * dj;
          const bottom = at(b, i1, j0, ci) * (1 - dj) + at(b, i1, j1, ci) * dj;
          y.push(top * (1 - di) + bottom * di);
        }
      }
    }
  }
  return { y, shape: [n, oh, ow, c] };
}

/** x [N, ...] transposed by perm (a float64 copy). */
function permute(x, shape, perm) {
  const outShape = perm.map((p) => shape[p]);
  const xs = stridesOf(shape);
  const y = [];
  forEachIndex(outShape, (oi) => {
    let off = 0;
    for (let d = 0; d < perm.length; d++) off += oi[d] * xs[perm[d]];
    y.push(x[off]);
  });
  return { y, shape: outShape };
}

module.exports = { ACT, conv, depthwise, convTranspose, pool, resize, permute, windowGeometry };
