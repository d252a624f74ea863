// Reductions, arg-reductions, top-k and cumulative sums. Every axis pattern is
// first collapsed to [outer, R, inner] (R reduced, inner contiguous), so one
// loop shape serves row reductions (inner == 1) and column reductions, which
// run down the rows and vectorise across inner.
//
// No oneDNN here: 2.6's reduction has JIT code only for the innermost dims
// (elsewhere its reference code is 50-300x slower), and even there these
// loops measured as fast or faster (a 1M-element sum: 80 us against 125 us on
// two AVX2 cores; it does not split one long row across threads), while
// summing in double.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "../core/kernels.h"
#include "dnnl_context.h"  // TF_MULTIVERSION

namespace tf {
namespace {

// Below this many elements one thread is done before a team is awake.
constexpr int64_t kParallelMin = 1 << 15;
// Columns handled together: their accumulators stay in L1.
constexpr int64_t kColumns = 512;

// An OpenMP region costs ~0.4 us even when its if() clause keeps it on one
// thread, so small work skips it altogether.
template <class F>
void parallelFor(int64_t items, bool parallel, F&& body) {
  if (!parallel) {
    for (int64_t i = 0; i < items; i++) body(i);
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < items; i++) body(i);
}

const char* reduceName(ReduceOp op) {
  static const char* names[] = {"sum", "mean", "max", "min", "prod", "all", "any"};
  const int i = static_cast<int>(op);
  return i >= 0 && i < 7 ? names[i] : "unknown reduce op";
}

[[noreturn]] void unsupportedDtype(const char* op, DType dt) {
  throw Error("ERR_UNSUPPORTED_DTYPE", std::string(op) + " does not support dtype " + dtypeName(dt));
}

void checkAxis(const char* op, const TensorView& x, int axis) {
  if (axis < 0 || axis >= x.rank())
    throw Error("ERR_INVALID_ARG", std::string(op) + ": axis " + std::to_string(axis) + " is out of range for shape " +
                                       shapeString(x.shape));
}

// x viewed as [outer, R, inner] around one axis.
struct AxisSplit {
  int64_t outer = 1, r, inner = 1;
  AxisSplit(const TensorView& x, int axis) : r(x.shape[axis]) {
    for (int d = 0; d < axis; d++) outer *= x.shape[d];
    for (int d = axis + 1; d < x.rank(); d++) inner *= x.shape[d];
  }
};

// ---------------------------------------------------------------- reduce

// The accumulator rules. `step` also combines two partial results.
template <class Acc>
struct SumOp {
  static Acc init() { return Acc(0); }
  static Acc step(Acc a, Acc v) { return a + v; }
};
template <class Acc>
struct ProdOp {
  static Acc init() { return Acc(1); }
  static Acc step(Acc a, Acc v) { return a * v; }
};
// NaN wins, as in TensorFlow; for integers `v != v` folds away.
template <class Acc>
struct MaxOp {
  static Acc init() { return std::numeric_limits<Acc>::has_infinity ? -std::numeric_limits<Acc>::infinity()
                                                                     : std::numeric_limits<Acc>::lowest(); }
  static Acc step(Acc a, Acc v) { return v > a || v != v ? v : a; }
};
template <class Acc>
struct MinOp {
  static Acc init() { return std::numeric_limits<Acc>::has_infinity ? std::numeric_limits<Acc>::infinity()
                                                                     : std::numeric_limits<Acc>::max(); }
  static Acc step(Acc a, Acc v) { return v < a || v != v ? v : a; }
};
struct AllOp {
  static uint8_t init() { return 1; }
  static uint8_t step(uint8_t a, uint8_t v) { return a & (v != 0); }
};
struct AnyOp {
  static uint8_t init() { return 0; }
  static uint8_t step(uint8_t a, uint8_t v) { return a | (v != 0); }
};

template <class Op, class In, class Acc>
TF_MULTIVERSION void reduceColumns(const In* x, int64_t rows, int64_t stride, int64_t len, Acc* acc) {
  for (int64_t j = 0; j < len; j++) acc[j] = Op::init();
  for (int64_t r = 0; r < rows; r++) {
    const In* row = x + r * stride;
    for (int64_t j = 0; j < len; j++) acc[j] = Op::step(acc[j], static_cast<Acc>(row[j]));
  }
}

// A row is reduced as columns of a [n / lanes, lanes] matrix: independent
// partial results let the loop vectorise without reordering a floating-point
// chain, and the column loop is the form the vectoriser handles (it
// if-converts max/min's NaN test, which it does not across unrolled lanes).
// Short rows use fewer lanes, since combining them is scalar work.
constexpr int64_t kMaxLanes = 32;

template <class Op, class In, class Acc>
Acc reduceRow(const In* x, int64_t n) {
  Acc partial[kMaxLanes];
  const int64_t lanes = n >= 4 * kMaxLanes ? kMaxLanes : 8;
  const int64_t rows = n / lanes;
  reduceColumns<Op>(x, rows, lanes, lanes, partial);
  Acc r = Op::init();
  for (int64_t k = 0; k < lanes; k++) r = Op::step(r, partial[k]);
  for (int64_t i = rows * lanes; i < n; i++) r = Op::step(r, static_cast<Acc>(x[i]));
  return r;
}

// dst[o, i] = reduction over r of src[o, r, i].
template <class Op, class In, class Acc>
void reducePass(const In* src, int64_t outer, int64_t r, int64_t inner, Acc* dst) {
  const bool parallel = outer * r * inner > kParallelMin;
  if (inner > 1) {
    const int64_t perOuter = (inner + kColumns - 1) / kColumns;
    parallelFor(outer * perOuter, parallel, [&](int64_t item) {
      const int64_t o = item / perOuter, col = (item % perOuter) * kColumns;
      reduceColumns<Op>(src + o * r * inner + col, r, inner, std::min(kColumns, inner - col), dst + o * inner + col);
    });
  } else if (!parallel || outer >= omp_get_max_threads()) {
    parallelFor(outer, parallel, [&](int64_t o) { dst[o] = reduceRow<Op, In, Acc>(src + o * r, r); });
  } else {
    // Few long rows: each thread takes a slice of every row.
    const int threads = omp_get_max_threads();
    std::vector<Acc> partial(outer * threads, Op::init());
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      const int64_t lo = r * t / nt, hi = r * (t + 1) / nt;
      for (int64_t o = 0; o < outer; o++) partial[o * threads + t] = reduceRow<Op, In, Acc>(src + o * r + lo, hi - lo);
    }
    for (int64_t o = 0; o < outer; o++) {
      Acc acc = Op::init();
      for (int t = 0; t < threads; t++) acc = Op::step(acc, partial[o * threads + t]);
      dst[o] = acc;
    }
  }
}

// x's dims with size-1 dims dropped and adjacent reduced (or kept) dims merged.
struct Groups {
  std::vector<int64_t> size;
  std::vector<bool> reduced;
  int64_t count = 1;  // elements folded into each output
};

Groups groupAxes(const TensorView& x, const std::vector<int>& axes) {
  std::vector<bool> isReduced(x.rank(), false);
  for (int a : axes) isReduced[a] = true;
  Groups g;
  for (int d = 0; d < x.rank(); d++) {
    if (isReduced[d]) g.count *= x.shape[d];
    if (x.shape[d] == 1) continue;
    if (!g.size.empty() && g.reduced.back() == isReduced[d]) {
      g.size.back() *= x.shape[d];
    } else {
      g.size.push_back(x.shape[d]);
      g.reduced.push_back(isReduced[d]);
    }
  }
  return g;
}

// One pass per reduced group, innermost first; the passes after the first
// read the accumulator type, so precision is kept until the final store.
template <class Op, class T, class Acc, class Store>
void reduceGroups(const Groups& g, const T* x, int64_t outSize, Store store) {
  std::vector<int64_t> sizes = g.size;
  std::vector<Acc> acc, next;
  bool first = true;
  for (int gi = static_cast<int>(sizes.size()) - 1; gi >= 0; gi--) {
    if (!g.reduced[gi]) continue;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < gi; d++) outer *= sizes[d];
    for (size_t d = gi + 1; d < sizes.size(); d++) inner *= sizes[d];
    next.resize(outer * inner);
    if (first) reducePass<Op>(x, outer, sizes[gi], inner, next.data());
    else reducePass<Op>(acc.data(), outer, sizes[gi], inner, next.data());
    acc.swap(next);
    sizes[gi] = 1;
    first = false;
  }
  if (first) {  // only size-1 dims were reduced
    acc.resize(outSize);
    for (int64_t i = 0; i < outSize; i++) acc[i] = static_cast<Acc>(x[i]);
  }
  for (int64_t i = 0; i < outSize; i++) store(i, acc[i]);
}

template <class T, class Wide>
void reduceNumeric(ReduceOp op, const Groups& g, const TensorView& x, const TensorView& out) {
  const T* xp = x.ptr<T>();
  T* o = out.ptr<T>();
  const int64_t n = out.size();
  const int64_t count = g.count;
  auto narrow = [](Wide v) -> T {
    if constexpr (std::is_integral<T>::value) return static_cast<T>(static_cast<uint32_t>(v));
    else return static_cast<T>(v);
  };
  switch (op) {
    case ReduceOp::Sum:
      return reduceGroups<SumOp<Wide>, T, Wide>(g, xp, n, [&](int64_t i, Wide v) { o[i] = narrow(v); });
    case ReduceOp::Mean:
      // Integer mean truncates; an empty integer mean is 0 rather than a trap.
      return reduceGroups<SumOp<Wide>, T, Wide>(g, xp, n, [&](int64_t i, Wide v) {
        if constexpr (std::is_integral<T>::value) o[i] = count ? narrow(v / count) : 0;
        else o[i] = static_cast<T>(v / static_cast<Wide>(count));
      });
    case ReduceOp::Prod:
      // Integer products wrap: an unsigned accumulator makes that defined.
      if constexpr (std::is_integral<T>::value)
        return reduceGroups<ProdOp<uint32_t>, T, uint32_t>(g, xp, n,
                                                            [&](int64_t i, uint32_t v) { o[i] = static_cast<T>(v); });
      else
        return reduceGroups<ProdOp<Wide>, T, Wide>(g, xp, n, [&](int64_t i, Wide v) { o[i] = static_cast<T>(v); });
    case ReduceOp::Max:
      return reduceGroups<MaxOp<T>, T, T>(g, xp, n, [&](int64_t i, T v) { o[i] = v; });
    case ReduceOp::Min:
      return reduceGroups<MinOp<T>, T, T>(g, xp, n, [&](int64_t i, T v) { o[i] = v; });
    default:
      unsupportedDtype(reduceName(op), x.dtype);
  }
}

// ---------------------------------------------------------------- argReduce

// The first NaN wins, like the max reduction; otherwise strictly better, so
// ties keep the lower index.
template <class T, bool isMax>
inline bool better(T v, T best) {
  if (v != v) return best == best;
  return isMax ? v > best : v < best;
}

template <class T, bool isMax>
TF_MULTIVERSION void argColumns(const T* x, int64_t rows, int64_t stride, int64_t len, T* best, int32_t* idx) {
  for (int64_t j = 0; j < len; j++) { best[j] = x[j]; idx[j] = 0; }
  for (int64_t r = 1; r < rows; r++) {
    const T* row = x + r * stride;
    for (int64_t j = 0; j < len; j++) {
      if (better<T, isMax>(row[j], best[j])) { best[j] = row[j]; idx[j] = static_cast<int32_t>(r); }
    }
  }
}

template <class T, bool isMax>
void argReduceTyped(const TensorView& x, const AxisSplit& s, const TensorView& out) {
  const T* xp = x.ptr<T>();
  int32_t* o = out.i32();
  const int64_t perOuter = (s.inner + kColumns - 1) / kColumns;
  parallelFor(s.outer * perOuter, x.size() > kParallelMin, [&](int64_t item) {
    const int64_t oi = item / perOuter, col = (item % perOuter) * kColumns;
    T best[kColumns];
    argColumns<T, isMax>(xp + oi * s.r * s.inner + col, s.r, s.inner, std::min(kColumns, s.inner - col), best,
                         o + oi * s.inner + col);
  });
}

// ---------------------------------------------------------------- topk

template <class T>
void topkTyped(const TensorView& x, int k, const TensorView& values, const TensorView& indices) {
  const int64_t n = x.shape.back(), rows = n ? x.size() / n : 0;
  const T* xp = x.ptr<T>();
  T* vp = values.ptr<T>();
  int32_t* ip = indices.i32();
  // Descending with NaN above everything (a strict weak order, as the sort
  // requires); ties by lower index.
  auto before = [](T a, int32_t ia, T b, int32_t ib) {
    const bool an = a != a, bn = b != b;
    if (an != bn) return an;
    if (!an && a != b) return a > b;
    return ia < ib;
  };
  auto sortRow = [&](int64_t row, std::vector<int32_t>& order) {
    const T* xr = xp + row * n;
    std::iota(order.begin(), order.end(), 0);
    auto cmp = [&](int32_t i, int32_t j) { return before(xr[i], i, xr[j], j); };
    if (2 * static_cast<int64_t>(k) >= n) std::sort(order.begin(), order.end(), cmp);
    else std::partial_sort(order.begin(), order.begin() + k, order.end(), cmp);
    for (int i = 0; i < k; i++) {
      vp[row * k + i] = xr[order[i]];
      ip[row * k + i] = order[i];
    }
  };
  if (x.size() <= kParallelMin) {
    std::vector<int32_t> order(n);
    for (int64_t row = 0; row < rows; row++) sortRow(row, order);
    return;
  }
#pragma omp parallel
  {
    std::vector<int32_t> order(n);
#pragma omp for schedule(static)
    for (int64_t row = 0; row < rows; row++) sortRow(row, order);
  }
}

// ---------------------------------------------------------------- cumsum

template <class T, class Acc>
TF_MULTIVERSION void cumsumColumns(const T* x, T* out, int64_t rows, int64_t stride, int64_t len, bool exclusive,
                                   bool reverse, Acc* acc) {
  for (int64_t j = 0; j < len; j++) acc[j] = 0;
  for (int64_t i = 0; i < rows; i++) {
    const int64_t r = reverse ? rows - 1 - i : i;
    const T* xr = x + r * stride;
    T* outr = out + r * stride;
    for (int64_t j = 0; j < len; j++) {
      const Acc v = static_cast<Acc>(xr[j]);
      if (exclusive) { outr[j] = static_cast<T>(acc[j]); acc[j] += v; }
      else { acc[j] += v; outr[j] = static_cast<T>(acc[j]); }
    }
  }
}

// Float sums run in double; int32 sums in uint32 so that overflow wraps.
template <class T, class Acc>
void cumsumTyped(const TensorView& x, const AxisSplit& s, bool exclusive, bool reverse, const TensorView& out) {
  const T* xp = x.ptr<T>();
  T* o = out.ptr<T>();
  const int64_t perOuter = (s.inner + kColumns - 1) / kColumns;
  parallelFor(s.outer * perOuter, x.size() > kParallelMin, [&](int64_t item) {
    const int64_t oi = item / perOuter, col = (item % perOuter) * kColumns;
    Acc acc[kColumns];
    const int64_t base = oi * s.r * s.inner + col;
    cumsumColumns<T, Acc>(xp + base, o + base, s.r, s.inner, std::min(kColumns, s.inner - col), exclusive, reverse,
                          acc);
  });
}

}  // namespace

void reduce(ReduceOp op, const TensorView& x, const std::vector<int>& axes, const TensorView& out) {
  const char* name = reduceName(op);
  if (op < ReduceOp::Sum || op > ReduceOp::Any)
    throw Error("ERR_UNSUPPORTED", "reduce: unknown op code " + std::to_string(static_cast<int>(op)));
  for (size_t i = 0; i < axes.size(); i++) {
    checkAxis(name, x, axes[i]);
    if (i && axes[i] <= axes[i - 1])
      throw Error("ERR_INVALID_ARG", std::string(name) + ": axes must be sorted and unique");
  }
  Shape want = x.shape;
  for (int a : axes) want[a] = 1;
  if (out.shape != want)
    throw Error("ERR_SHAPE_MISMATCH", std::string(name) + ": out has shape " + shapeString(out.shape) + ", expected " +
                                          shapeString(want));
  const bool logical = op == ReduceOp::All || op == ReduceOp::Any;
  if (logical != (x.dtype == DType::Bool) || x.dtype != out.dtype) unsupportedDtype(name, x.dtype);
  if (out.size() == 0) return;

  const Groups g = groupAxes(x, axes);
  switch (x.dtype) {
    case DType::Float32:
      return reduceNumeric<float, double>(op, g, x, out);
    case DType::Int32:
      return reduceNumeric<int32_t, int64_t>(op, g, x, out);
    case DType::Bool: {
      auto store = [&](int64_t i, uint8_t v) { out.b8()[i] = v; };
      if (op == ReduceOp::All) return reduceGroups<AllOp, uint8_t, uint8_t>(g, x.b8(), out.size(), store);
      return reduceGroups<AnyOp, uint8_t, uint8_t>(g, x.b8(), out.size(), store);
    }
  }
}

void argReduce(bool isMax, const TensorView& x, int axis, const TensorView& out) {
  const char* name = isMax ? "argMax" : "argMin";
  checkAxis(name, x, axis);
  if (out.dtype != DType::Int32)
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string(name) + ": out must be int32, got " + dtypeName(out.dtype));
  const AxisSplit s(x, axis);
  if (out.size() != s.outer * s.inner)
    throw Error("ERR_SHAPE_MISMATCH", std::string(name) + ": out has shape " + shapeString(out.shape) +
                                          " for input " + shapeString(x.shape) + " and axis " + std::to_string(axis));
  if (out.size() == 0) return;
  if (s.r == 0) throw Error("ERR_INVALID_ARG", std::string(name) + ": the reduced axis is empty");
  switch (x.dtype) {
    case DType::Float32:
      return isMax ? argReduceTyped<float, true>(x, s, out) : argReduceTyped<float, false>(x, s, out);
    case DType::Int32:
      return isMax ? argReduceTyped<int32_t, true>(x, s, out) : argReduceTyped<int32_t, false>(x, s, out);
    default:
      unsupportedDtype(name, x.dtype);
  }
}

void topk(const TensorView& x, int k, const TensorView& values, const TensorView& indices) {
  if (x.rank() < 1) throw Error("ERR_INVALID_ARG", "topk: x must have rank >= 1");
  const int64_t n = x.shape.back();
  if (k < 0 || k > n)
    throw Error("ERR_INVALID_ARG", "topk: k = " + std::to_string(k) + " is outside [0, " + std::to_string(n) + "]");
  Shape want = x.shape;
  want.back() = k;
  if (values.shape != want || indices.shape != want)
    throw Error("ERR_SHAPE_MISMATCH", "topk: values and indices must have shape " + shapeString(want));
  if (values.dtype != x.dtype || indices.dtype != DType::Int32)
    throw Error("ERR_UNSUPPORTED_DTYPE", "topk: values must have x's dtype and indices must be int32");
  if (values.size() == 0) return;
  switch (x.dtype) {
    case DType::Float32: return topkTyped<float>(x, k, values, indices);
    case DType::Int32: return topkTyped<int32_t>(x, k, values, indices);
    default: unsupportedDtype("topk", x.dtype);
  }
}

void cumsum(const TensorView& x, int axis, bool exclusive, bool reverse, const TensorView& out) {
  checkAxis("cumsum", x, axis);
  if (out.shape != x.shape || out.dtype != x.dtype)
    throw Error("ERR_SHAPE_MISMATCH", "cumsum: out must match x's shape " + shapeString(x.shape) + " and dtype");
  if (x.size() == 0) return;
  const AxisSplit s(x, axis);
  switch (x.dtype) {
    case DType::Float32: return cumsumTyped<float, double>(x, s, exclusive, reverse, out);
    case DType::Int32: return cumsumTyped<int32_t, uint32_t>(x, s, exclusive, reverse, out);
    default: unsupportedDtype("cumsum", x.dtype);
  }
}

}  // namespace tf
