// Shape ops. They move elements without looking at them (1 byte for bool, 4
// for float32 and int32), so each is written once over raw 1- or 4-byte units;
// only gatherGrad adds, and only for float32 and int32.
//
// Most ops reduce to one strided copy: walk an index space, reading and
// writing through per-dim strides (negative ones included). Dims that are
// contiguous on both sides are merged first, so the innermost run is as long
// as possible and usually a memcpy.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "../core/kernels.h"
#include "dnnl_context.h"

namespace tf {
namespace {

// Below this many bytes one thread is done before a team has woken up.
constexpr int64_t kParallelBytes = 1 << 18;
// Transpose tile edge: a 32 x 32 tile of 4-byte elements is a 4 KiB buffer.
constexpr int64_t kTile = 32;

[[noreturn]] void shapeError(const std::string& what) {
  throw Error("ERR_SHAPE_MISMATCH", what);
}

void expectSameDtype(const TensorView& x, const TensorView& out) {
  if (x.dtype != out.dtype)
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string("input is ") + dtypeName(x.dtype) + " but output is " +
                                             dtypeName(out.dtype));
}

void expectIndices(const TensorView& indices) {
  if (indices.dtype != DType::Int32)
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string("indices must be int32, got ") +
                                             dtypeName(indices.dtype));
}

int normalizeAxis(int axis, int rank) {
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank)
    throw Error("ERR_INVALID_ARG", "axis " + std::to_string(axis) + " is out of range for rank " +
                                       std::to_string(rank));
  return axis;
}

std::vector<int64_t> stridesOf(const Shape& s) {
  std::vector<int64_t> st(s.size());
  int64_t m = 1;
  for (int d = static_cast<int>(s.size()) - 1; d >= 0; d--) {
    st[d] = m;
    m *= s[d];
  }
  return st;
}

// Runs body(T{}) with T the unsigned type of the dtype's element size.
template <class F>
void byElementSize(DType dt, F&& body) {
  if (dtypeSize(dt) == 1)
    body(uint8_t{});
  else
    body(uint32_t{});
}

// Runs body(begin, end) on [0, n) split into one contiguous range per thread,
// or on the calling thread alone when `bytes` is small: even
// `omp parallel if (false)` costs about 0.4 us, more than most small copies.
template <class F>
void parallelRange(int64_t n, int64_t bytes, F&& body) {
  if (bytes <= kParallelBytes) {
    if (n > 0) body(0, n);
    return;
  }
#pragma omp parallel
  {
    const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t b = n * t / nt, e = n * (t + 1) / nt;
    if (b < e) body(b, e);
  }
}

// The bit pattern of `value` as an element of dt: float32 bits, a saturated
// int32 (NaN gives 0: converting it would be undefined), or bool 0/1.
uint32_t elementBits(DType dt, double value) {
  switch (dt) {
    case DType::Float32: {
      const float f = static_cast<float>(value);
      uint32_t b;
      std::memcpy(&b, &f, sizeof b);
      return b;
    }
    case DType::Int32: {
      const double v = std::isnan(value) ? 0.0 : std::min(std::max(value, -2147483648.0), 2147483647.0);
      return static_cast<uint32_t>(static_cast<int32_t>(v));
    }
    case DType::Bool: return value != 0.0 ? 1u : 0u;
  }
  return 0;
}

void fillTensor(const TensorView& t, double value) {
  const uint32_t bits = elementBits(t.dtype, value);
  byElementSize(t.dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = static_cast<T*>(t.data);
    parallelRange(t.size(), t.size() * static_cast<int64_t>(sizeof(T)),
                  [&](int64_t b, int64_t e) { std::fill(p + b, p + e, static_cast<T>(bits)); });
  });
}

// ---------------------------------------------------------------- strided copy

// dst[sum_d i_d * dst_d] = src[sum_d i_d * src_d] for every index i < dims.
struct Walk {
  std::vector<int64_t> dims, src, dst;
};

// Drops size-1 dims and merges neighbours that are contiguous on both sides.
Walk simplify(const Shape& dims, const std::vector<int64_t>& src, const std::vector<int64_t>& dst) {
  Walk w;
  for (size_t d = 0; d < dims.size(); d++) {
    if (dims[d] == 1) continue;
    if (!w.dims.empty() && w.src.back() == src[d] * dims[d] && w.dst.back() == dst[d] * dims[d]) {
      w.dims.back() *= dims[d];
      w.src.back() = src[d];
      w.dst.back() = dst[d];
    } else {
      w.dims.push_back(dims[d]);
      w.src.push_back(src[d]);
      w.dst.push_back(dst[d]);
    }
  }
  if (w.dims.empty()) w = {{1}, {1}, {1}};
  return w;
}

TF_MULTIVERSION
void copyRun(const uint32_t* src, int64_t ss, uint32_t* dst, int64_t ds, int64_t n) {
  for (int64_t i = 0; i < n; i++) dst[i * ds] = src[i * ss];
}
TF_MULTIVERSION
void copyRun(const uint8_t* src, int64_t ss, uint8_t* dst, int64_t ds, int64_t n) {
  for (int64_t i = 0; i < n; i++) dst[i * ds] = src[i * ss];
}

// Copies rows [rowBegin, rowEnd) of the walk, a row being its innermost dim.
template <class T>
void copyRows(const T* src, T* dst, const Walk& w, int64_t rowBegin, int64_t rowEnd) {
  const int outerRank = static_cast<int>(w.dims.size()) - 1;
  const int64_t n = w.dims.back(), ss = w.src.back(), ds = w.dst.back();
  std::vector<int64_t> idx(outerRank);
  int64_t so = 0, dO = 0;
  for (int64_t k = outerRank - 1, r = rowBegin; k >= 0; k--) {
    idx[k] = r % w.dims[k];
    r /= w.dims[k];
    so += idx[k] * w.src[k];
    dO += idx[k] * w.dst[k];
  }
  for (int64_t row = rowBegin; row < rowEnd; row++) {
    if (ss == 1 && ds == 1)
      std::memcpy(dst + dO, src + so, n * sizeof(T));
    else
      copyRun(src + so, ss, dst + dO, ds, n);
    for (int k = outerRank - 1; k >= 0; k--) {
      so += w.src[k];
      dO += w.dst[k];
      if (++idx[k] < w.dims[k]) break;
      so -= w.dims[k] * w.src[k];
      dO -= w.dims[k] * w.dst[k];
      idx[k] = 0;
    }
  }
}

// src and dst point at the elements of index 0 (strides may be negative).
template <class T>
void stridedCopy(const T* src, T* dst, const Walk& w) {
  int64_t total = 1;
  for (int64_t d : w.dims) total *= d;
  parallelRange(total / w.dims.back(), total * static_cast<int64_t>(sizeof(T)),
                [&](int64_t b, int64_t e) { copyRows(src, dst, w, b, e); });
}

// Checks that begin + i * step stays inside `full` for every i < part.
void checkStridedRange(const Shape& full, const Shape& part, const std::vector<int64_t>& begin,
                       const std::vector<int64_t>& step) {
  const size_t rank = full.size();
  if (part.size() != rank || begin.size() != rank || step.size() != rank)
    shapeError("begin and step need one entry per dim of the rank-" + std::to_string(rank) + " tensor");
  for (size_t d = 0; d < rank; d++) {
    if (part[d] == 0) continue;
    const int64_t last = begin[d] + (part[d] - 1) * step[d];
    if (step[d] == 0 || begin[d] < 0 || begin[d] >= full[d] || last < 0 || last >= full[d])
      shapeError("begin " + std::to_string(begin[d]) + ", step " + std::to_string(step[d]) + " and size " +
                         std::to_string(part[d]) + " leave axis " + std::to_string(d) + " of " + shapeString(full));
  }
}

// ---------------------------------------------------------------- transpose

// src[i + j * sL] -> dst[i * dA + j] for i < nA <= kTile, j < nL, in tiles of
// kTile columns. A tile keeps the kTile source lines it reads across alive
// while it is copied; when their stride is a multiple of 2 KiB they fall into
// at most two of L1's 8-way sets and evict each other (measured: a 1024 x 1024
// transpose takes twice as long), so those tiles go through a buffer instead:
// source runs are read whole, destination rows written whole.
template <class T>
inline void transposeTile(const T* src, int64_t sL, T* dst, int64_t dA, int64_t nA, int64_t nL) {
  const bool aliasing = (sL * static_cast<int64_t>(sizeof(T))) % 2048 == 0;
  alignas(64) T buf[kTile * kTile];
  for (int64_t j0 = 0; j0 < nL; j0 += kTile) {
    const int64_t nj = std::min(kTile, nL - j0);
    if (!aliasing) {
      for (int64_t i = 0; i < nA; i++)
        for (int64_t j = 0; j < nj; j++) dst[i * dA + j0 + j] = src[i + (j0 + j) * sL];
      continue;
    }
    for (int64_t j = 0; j < nj; j++)
      for (int64_t i = 0; i < nA; i++) buf[i * kTile + j] = src[i + (j0 + j) * sL];
    for (int64_t i = 0; i < nA; i++) std::memcpy(dst + i * dA + j0, buf + i * kTile, nj * sizeof(T));
  }
}
TF_MULTIVERSION
void transposeRows(const uint32_t* src, int64_t sL, uint32_t* dst, int64_t dA, int64_t nA, int64_t nL) {
  transposeTile(src, sL, dst, dA, nA, nL);
}
TF_MULTIVERSION
void transposeRows(const uint8_t* src, int64_t sL, uint8_t* dst, int64_t dA, int64_t nA, int64_t nL) {
  transposeTile(src, sL, dst, dA, nA, nL);
}

// The innermost output dim L reads with a stride; the dim A whose input
// stride is 1 is the other edge of the tile. Every other dim is an outer loop.
template <class T>
void transposeTiled(const T* src, T* dst, const Walk& w) {
  const int rank = static_cast<int>(w.dims.size()), L = rank - 1;
  const int A = static_cast<int>(std::find(w.src.begin(), w.src.end(), 1) - w.src.begin());
  std::vector<int> outer;
  for (int d = 0; d < L; d++)
    if (d != A) outer.push_back(d);
  int64_t outerCount = 1;
  for (int d : outer) outerCount *= w.dims[d];
  const int64_t nA = w.dims[A], blocksA = (nA + kTile - 1) / kTile;
  const int64_t tasks = outerCount * blocksA;
  const int64_t bytes = outerCount * nA * w.dims[L] * static_cast<int64_t>(sizeof(T));
  parallelRange(tasks, bytes, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; t++) {
      int64_t o = t / blocksA, so = (t % blocksA) * kTile, dO = so * w.dst[A];
      for (int k = static_cast<int>(outer.size()) - 1; k >= 0; k--) {
        const int d = outer[k];
        const int64_t i = o % w.dims[d];
        o /= w.dims[d];
        so += i * w.src[d];
        dO += i * w.dst[d];
      }
      transposeRows(src + so, w.src[L], dst + dO, w.dst[A], std::min(kTile, nA - (t % blocksA) * kTile), w.dims[L]);
    }
  });
}

// ---------------------------------------------------------------- gather

void checkGatherIndices(const TensorView& indices, int axis, int64_t axisSize) {
  const int32_t* idx = indices.i32();
  for (int64_t j = 0, n = indices.size(); j < n; j++) {
    if (idx[j] < 0 || idx[j] >= axisSize)
      throw Error("ERR_INDEX_OUT_OF_RANGE", "index " + std::to_string(idx[j]) +
                                                " is out of range for axis " + std::to_string(axis) + " of size " +
                                                std::to_string(axisSize));
  }
}

TF_MULTIVERSION
void addRow(float* __restrict dst, const float* __restrict src, int64_t n) {
  for (int64_t i = 0; i < n; i++) dst[i] += src[i];
}
TF_MULTIVERSION
void addRow(int32_t* __restrict dst, const int32_t* __restrict src, int64_t n) {
  // Wrapping add, as int32 tensors do everywhere; unsigned avoids the UB of signed overflow.
  for (int64_t i = 0; i < n; i++)
    dst[i] = static_cast<int32_t>(static_cast<uint32_t>(dst[i]) + static_cast<uint32_t>(src[i]));
}

// dx[o, idx[j], c] += dy[o, j, c]. Threads own disjoint (o, column chunk)
// pairs, so repeated indices accumulate without races.
template <class T>
void scatterAdd(const T* dy, const int32_t* idx, T* dx, int64_t outer, int64_t axisSize, int64_t nIdx, int64_t inner) {
  constexpr int64_t kCols = 256;
  const int64_t chunks = (inner + kCols - 1) / kCols;
  const int64_t tasks = outer * chunks;
  parallelRange(tasks, outer * nIdx * inner * static_cast<int64_t>(sizeof(T)), [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; t++) {
      const int64_t o = t / chunks, c0 = (t % chunks) * kCols, len = std::min(kCols, inner - c0);
      for (int64_t j = 0; j < nIdx; j++)
        addRow(dx + (o * axisSize + idx[j]) * inner + c0, dy + (o * nIdx + j) * inner + c0, len);
    }
  });
}

}  // namespace

void transpose(const TensorView& x, const std::vector<int>& perm, const TensorView& out) {
  expectSameDtype(x, out);
  const int rank = x.rank();
  if (static_cast<int>(perm.size()) != rank || out.rank() != rank)
    shapeError("perm needs one entry per dim of " + shapeString(x.shape));
  std::vector<bool> seen(rank, false);
  for (int k = 0; k < rank; k++) {
    if (perm[k] < 0 || perm[k] >= rank || seen[perm[k]])
      throw Error("ERR_INVALID_ARG", "perm is not a permutation of the dims of " + shapeString(x.shape));
    seen[perm[k]] = true;
    if (out.shape[k] != x.shape[perm[k]])
      shapeError("output " + shapeString(out.shape) + " does not match the permuted " + shapeString(x.shape));
  }
  if (x.size() == 0) return;
  const std::vector<int64_t> xs = stridesOf(x.shape);
  std::vector<int64_t> src(rank);
  for (int k = 0; k < rank; k++) src[k] = xs[perm[k]];
  const Walk w = simplify(out.shape, src, stridesOf(out.shape));
  byElementSize(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    if (w.src.back() == 1)
      stridedCopy(static_cast<const T*>(x.data), static_cast<T*>(out.data), w);
    else
      transposeTiled(static_cast<const T*>(x.data), static_cast<T*>(out.data), w);
  });
}

void stridedSlice(const TensorView& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& step,
                  const TensorView& out) {
  expectSameDtype(x, out);
  checkStridedRange(x.shape, out.shape, begin, step);
  if (out.size() == 0) return;
  const std::vector<int64_t> xs = stridesOf(x.shape);
  std::vector<int64_t> src(xs.size());
  int64_t base = 0;
  for (size_t d = 0; d < xs.size(); d++) {
    src[d] = xs[d] * step[d];
    base += begin[d] * xs[d];
  }
  const Walk w = simplify(out.shape, src, stridesOf(out.shape));
  byElementSize(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    stridedCopy(static_cast<const T*>(x.data) + base, static_cast<T*>(out.data), w);
  });
}

void stridedSliceGrad(const TensorView& dy, const std::vector<int64_t>& begin, const std::vector<int64_t>& step,
                      const TensorView& dx) {
  expectSameDtype(dy, dx);
  checkStridedRange(dx.shape, dy.shape, begin, step);
  fillTensor(dx, 0.0);
  if (dy.size() == 0) return;
  // A nonzero step never visits an element twice, so the adjoint's += is a plain store.
  const std::vector<int64_t> xs = stridesOf(dx.shape);
  std::vector<int64_t> dst(xs.size());
  int64_t base = 0;
  for (size_t d = 0; d < xs.size(); d++) {
    dst[d] = xs[d] * step[d];
    base += begin[d] * xs[d];
  }
  const Walk w = simplify(dy.shape, stridesOf(dy.shape), dst);
  byElementSize(dy.dtype, [&](auto tag) {
    using T = decltype(tag);
    stridedCopy(static_cast<const T*>(dy.data), static_cast<T*>(dx.data) + base, w);
  });
}

void concat(const std::vector<TensorView>& xs, int axis, const TensorView& out) {
  const int rank = out.rank();
  axis = normalizeAxis(axis, rank);
  int64_t axisTotal = 0;
  for (const TensorView& x : xs) {
    expectSameDtype(x, out);
    bool fits = x.rank() == rank;
    for (int d = 0; fits && d < rank; d++) fits = d == axis || x.shape[d] == out.shape[d];
    if (!fits) shapeError("input " + shapeString(x.shape) + " does not fit output " + shapeString(out.shape));
    axisTotal += x.shape[axis];
  }
  if (axisTotal != out.shape[axis])
    shapeError("inputs add up to " + std::to_string(axisTotal) + " along axis " + std::to_string(axis) +
                       " but the output " + shapeString(out.shape) + " has " + std::to_string(out.shape[axis]));
  if (out.size() == 0) return;
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; d++) outer *= out.shape[d];
  for (int d = axis + 1; d < rank; d++) inner *= out.shape[d];
  const int64_t es = static_cast<int64_t>(dtypeSize(out.dtype));
  const int64_t rowBytes = out.shape[axis] * inner * es;
  // Byte offset of each input's slab within an output row.
  std::vector<int64_t> offsets(xs.size());
  for (size_t k = 0, off = 0; k < xs.size(); k++) {
    offsets[k] = static_cast<int64_t>(off);
    off += xs[k].shape[axis] * inner * es;
  }
  const int64_t count = static_cast<int64_t>(xs.size());
  const int64_t tasks = outer * count;
  parallelRange(tasks, out.size() * es, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; t++) {
      const int64_t o = t / count, k = t % count;
      const int64_t bytes = xs[k].shape[axis] * inner * es;
      if (bytes)
        std::memcpy(static_cast<uint8_t*>(out.data) + o * rowBytes + offsets[k],
                    static_cast<const uint8_t*>(xs[k].data) + o * bytes, bytes);
    }
  });
}

void pad(const TensorView& x, const std::vector<int64_t>& before, double value, const TensorView& out) {
  expectSameDtype(x, out);
  const int rank = x.rank();
  if (static_cast<int>(before.size()) != rank || out.rank() != rank)
    shapeError("before needs one entry per dim of " + shapeString(x.shape));
  for (int d = 0; d < rank; d++) {
    if (before[d] < 0 || before[d] + x.shape[d] > out.shape[d])
      shapeError(shapeString(x.shape) + " padded by " + std::to_string(before[d]) + " on axis " +
                         std::to_string(d) + " does not fit output " + shapeString(out.shape));
  }
  fillTensor(out, value);
  if (x.size() == 0) return;
  const std::vector<int64_t> os = stridesOf(out.shape);
  int64_t base = 0;
  for (int d = 0; d < rank; d++) base += before[d] * os[d];
  const Walk w = simplify(x.shape, stridesOf(x.shape), os);
  byElementSize(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    stridedCopy(static_cast<const T*>(x.data), static_cast<T*>(out.data) + base, w);
  });
}

void tile(const TensorView& x, const TensorView& out) {
  expectSameDtype(x, out);
  const int rank = x.rank();
  if (out.rank() != rank) shapeError("ranks of " + shapeString(x.shape) + " and " + shapeString(out.shape) + " differ");
  for (int d = 0; d < rank; d++) {
    const bool ok = x.shape[d] == 0 ? out.shape[d] == 0 : out.shape[d] % x.shape[d] == 0;
    if (!ok) shapeError("output " + shapeString(out.shape) + " is not a tiling of " + shapeString(x.shape));
  }
  if (out.size() == 0) return;
  // Merge dims from the inside out while out[i] = x[i mod X] still holds for
  // the merged index: when the inner group is not tiled, or both are broadcast.
  std::vector<int64_t> X, O;
  for (int d = rank - 1; d >= 0; d--) {
    if (out.shape[d] == 1) continue;
    if (!X.empty() && (X.back() == O.back() || (X.back() == 1 && x.shape[d] == 1))) {
      X.back() *= x.shape[d];
      O.back() *= out.shape[d];
    } else {
      X.push_back(x.shape[d]);
      O.push_back(out.shape[d]);
    }
  }
  if (X.empty()) X = O = {1};
  std::reverse(X.begin(), X.end());
  std::reverse(O.begin(), O.end());
  const std::vector<int64_t> xs = stridesOf(X);
  const int outerRank = static_cast<int>(O.size()) - 1;
  const int64_t lo = O.back(), lx = X.back();
  const int64_t rows = out.size() / lo;
  byElementSize(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* src = static_cast<const T*>(x.data);
    T* dst = static_cast<T*>(out.data);
    parallelRange(rows, out.size() * static_cast<int64_t>(sizeof(T)), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; r++) {
        int64_t so = 0;
        for (int64_t k = outerRank - 1, q = r; k >= 0; k--) {
          so += (q % O[k] % X[k]) * xs[k];
          q /= O[k];
        }
        T* row = dst + r * lo;
        if (lx == 1) {
          std::fill(row, row + lo, src[so]);
          continue;
        }
        // One copy of the x row, then double the filled prefix until the row is full.
        std::memcpy(row, src + so, lx * sizeof(T));
        for (int64_t filled = lx; filled < lo; filled *= 2)
          std::memcpy(row + filled, row, std::min(filled, lo - filled) * sizeof(T));
      }
    });
  });
}

void gather(const TensorView& x, const TensorView& indices, int axis, const TensorView& out) {
  expectSameDtype(x, out);
  expectIndices(indices);
  axis = normalizeAxis(axis, x.rank());
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; d++) outer *= x.shape[d];
  for (int d = axis + 1; d < x.rank(); d++) inner *= x.shape[d];
  const int64_t axisSize = x.shape[axis], nIdx = indices.size();
  if (out.size() != outer * nIdx * inner)
    shapeError("output " + shapeString(out.shape) + " does not hold " + shapeString(x.shape) + " gathered by " +
                       shapeString(indices.shape) + " indices on axis " + std::to_string(axis));
  checkGatherIndices(indices, axis, axisSize);
  if (out.size() == 0) return;
  const int32_t* idx = indices.i32();
  byElementSize(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* src = static_cast<const T*>(x.data);
    T* dst = static_cast<T*>(out.data);
    parallelRange(outer * nIdx, out.size() * static_cast<int64_t>(sizeof(T)), [&](int64_t b, int64_t e) {
      for (int64_t t = b; t < e; t++) {
        const int64_t o = t / nIdx, j = t % nIdx;
        const T* from = src + (o * axisSize + idx[j]) * inner;
        if (inner == 1)
          dst[t] = *from;
        else
          std::memcpy(dst + t * inner, from, inner * sizeof(T));
      }
    });
  });
}

void gatherGrad(const TensorView& dy, const TensorView& indices, int axis, const TensorView& dx) {
  expectSameDtype(dy, dx);
  expectIndices(indices);
  axis = normalizeAxis(axis, dx.rank());
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; d++) outer *= dx.shape[d];
  for (int d = axis + 1; d < dx.rank(); d++) inner *= dx.shape[d];
  const int64_t axisSize = dx.shape[axis], nIdx = indices.size();
  if (dy.size() != outer * nIdx * inner)
    shapeError("dy " + shapeString(dy.shape) + " is not " + shapeString(dx.shape) + " gathered by " +
                       shapeString(indices.shape) + " indices on axis " + std::to_string(axis));
  checkGatherIndices(indices, axis, axisSize);
  if (dx.dtype == DType::Float32) {
    fillTensor(dx, 0.0);
    scatterAdd(dy.f32(), indices.i32(), dx.f32(), outer, axisSize, nIdx, inner);
  } else if (dx.dtype == DType::Int32) {
    fillTensor(dx, 0.0);
    scatterAdd(dy.i32(), indices.i32(), dx.i32(), outer, axisSize, nIdx, inner);
  } else {
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string("expected float32 or int32, got ") +
                                             dtypeName(dx.dtype));
  }
}

void oneHot(const TensorView& indices, int depth, float onValue, float offValue, const TensorView& out) {
  expectIndices(indices);
  if (depth < 0) throw Error("ERR_INVALID_ARG", "depth must be >= 0, got " + std::to_string(depth));
  const int64_t n = indices.size();
  if (out.size() != n * depth)
    shapeError("output " + shapeString(out.shape) + " does not hold " + shapeString(indices.shape) +
                       " indices of depth " + std::to_string(depth));
  if (out.size() == 0) return;
  const uint32_t on = elementBits(out.dtype, onValue), off = elementBits(out.dtype, offValue);
  const int32_t* idx = indices.i32();
  byElementSize(out.dtype, [&](auto tag) {
    using T = decltype(tag);
    T* dst = static_cast<T*>(out.data);
    parallelRange(n, out.size() * static_cast<int64_t>(sizeof(T)), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; i++) {
        T* row = dst + i * depth;
        std::fill(row, row + depth, static_cast<T>(off));
        if (idx[i] >= 0 && idx[i] < depth) row[idx[i]] = static_cast<T>(on);
      }
    });
  });
}

}  // namespace tf
