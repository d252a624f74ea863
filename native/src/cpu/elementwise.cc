// Elementwise kernels. Large float32 tensors whose op oneDNN has go to its JIT
// eltwise / binary primitives (they vectorise exp, tanh, erf, which libm calls
// do not); everything else, and small tensors where a primitive call's fixed
// cost of a few microseconds would dominate, runs plain loops compiled for
// several instruction sets.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "../core/kernels.h"
#include "dnnl_context.h"

namespace tf {
namespace {

using dnnl::algorithm;
using dnnl::memory;

constexpr float kSeluAlpha = 1.6732632423543772f;
constexpr float kSeluScale = 1.0507009873554805f;

// Below these sizes one thread finishes before a team would have woken up.
constexpr int64_t kParallelCheap = 1 << 16;   // a few cycles per element
constexpr int64_t kParallelCostly = 1 << 12;  // a libm call per element
constexpr int64_t kChunk = 1 << 14;

// Sizes from which a oneDNN primitive beats our loops (measured on AVX2, two
// cores): its vector exp/tanh/erf win from ~1k elements (a call costs ~3 us,
// a libm call per element 3-20 ns); cheap ops are memory-bound either way
// and the primitive only catches up on large tensors.
constexpr int64_t kDnnlCostly = 1 << 10;
constexpr int64_t kDnnlCheap = 1 << 17;

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

template <class F>
void parallelChunks(int64_t n, int64_t threshold, F&& body) {
  if (n <= threshold) return body(int64_t(0), n);
  parallelFor((n + kChunk - 1) / kChunk, true, [&](int64_t c) { body(c * kChunk, std::min(n, (c + 1) * kChunk)); });
}

const char* unaryName(UnaryOp op) {
  static const char* names[] = {"neg", "abs", "sign", "exp", "expm1", "log", "log1p", "sqrt", "rsqrt", "square",
                                "reciprocal", "sin", "cos", "tanh", "sigmoid", "relu", "relu6", "elu", "selu",
                                "leakyRelu", "softplus", "erf", "round", "floor", "ceil", "logicalNot", "clip",
                                "step", "isNaN", "swish", "gelu", "tan", "asin", "acos", "atan", "sinh", "cosh",
                                "softsign"};
  const int i = static_cast<int>(op);
  return i >= 0 && i < static_cast<int>(sizeof names / sizeof *names) ? names[i] : "unknown unary op";
}

const char* binaryName(BinaryOp op) {
  static const char* names[] = {"add", "sub", "mul", "div", "floorDiv", "mod", "pow", "maximum", "minimum",
                                "squaredDifference", "equal", "notEqual", "less", "lessEqual", "greater",
                                "greaterEqual", "logicalAnd", "logicalOr", "atan2", "divNoNan"};
  const int i = static_cast<int>(op);
  return i >= 0 && i < static_cast<int>(sizeof names / sizeof *names) ? names[i] : "unknown binary op";
}

[[noreturn]] void unsupportedDtype(const char* op, DType dt) {
  throw Error("ERR_UNSUPPORTED_DTYPE", std::string(op) + " does not support dtype " + dtypeName(dt));
}

void expectDtype(const char* op, const char* what, const TensorView& t, DType want) {
  if (t.dtype != want)
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string(op) + ": expected " + what + " to be " + dtypeName(want) +
                                             ", got " + dtypeName(t.dtype));
}

void expectSameSize(const char* op, const TensorView& x, const TensorView& out) {
  if (x.size() != out.size())
    throw Error("ERR_SHAPE_MISMATCH", std::string(op) + ": shapes " + shapeString(x.shape) + " and " +
                                          shapeString(out.shape) + " differ in size");
}

// Float -> int32 saturates and maps NaN to 0: a plain cast is undefined there.
inline int32_t toInt32(double v) {
  if (!(v == v)) return 0;
  if (v >= 2147483647.0) return std::numeric_limits<int32_t>::max();
  if (v <= -2147483648.0) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(v);
}

// Int32 arithmetic wraps like the two's-complement hardware instead of being
// undefined on overflow.
inline int32_t wrap(uint32_t v) { return static_cast<int32_t>(v); }
inline uint32_t u32(int32_t v) { return static_cast<uint32_t>(v); }

// ---------------------------------------------------------------- oneDNN eltwise

struct EltwiseSpec {
  algorithm alg;
  float alpha = 0.f, beta = 0.f;
  bool costly = false;  // a transcendental per element
};

bool forwardSpec(UnaryOp op, float alpha, float beta, EltwiseSpec& s) {
  switch (op) {
    case UnaryOp::Neg: s = {algorithm::eltwise_linear, -1.f, 0.f}; return true;
    case UnaryOp::Abs: s = {algorithm::eltwise_abs}; return true;
    case UnaryOp::Square: s = {algorithm::eltwise_square}; return true;
    case UnaryOp::Relu: s = {algorithm::eltwise_relu}; return true;
    case UnaryOp::LeakyRelu: s = {algorithm::eltwise_relu, alpha}; return true;
    case UnaryOp::Relu6: s = {algorithm::eltwise_clip, 0.f, 6.f}; return true;
    case UnaryOp::Clip: s = {algorithm::eltwise_clip, alpha, beta}; return true;
    case UnaryOp::Sqrt: s = {algorithm::eltwise_sqrt, 0.f, 0.f, true}; return true;
    case UnaryOp::Exp: s = {algorithm::eltwise_exp, 0.f, 0.f, true}; return true;
    case UnaryOp::Tanh: s = {algorithm::eltwise_tanh, 0.f, 0.f, true}; return true;
    case UnaryOp::Sigmoid: s = {algorithm::eltwise_logistic, 0.f, 0.f, true}; return true;
    case UnaryOp::Elu: s = {algorithm::eltwise_elu, alpha, 0.f, true}; return true;
    case UnaryOp::Swish: s = {algorithm::eltwise_swish, 1.f, 0.f, true}; return true;
    case UnaryOp::Gelu: s = {algorithm::eltwise_gelu_erf, 0.f, 0.f, true}; return true;
    // Not eltwise_log (2e-4 relative error near 1) nor eltwise_soft_relu
    // (absolute error ~2e-6, negative results for inputs below -15); not
    // eltwise_pow for rsqrt / reciprocal, which our vector divide beats.
    default: return false;
  }
}

// The backward algorithms that read what unaryGrad's `at` holds: the output
// (the *_use_dst_for_bwd variants) or the input.
bool backwardSpec(UnaryOp op, float alpha, EltwiseSpec& s, bool& fromDst) {
  fromDst = true;
  switch (op) {
    case UnaryOp::Relu: s = {algorithm::eltwise_relu_use_dst_for_bwd}; return true;
    case UnaryOp::LeakyRelu: s = {algorithm::eltwise_relu_use_dst_for_bwd, alpha}; return true;
    case UnaryOp::Relu6: s = {algorithm::eltwise_clip_v2_use_dst_for_bwd, 0.f, 6.f}; return true;
    case UnaryOp::Sigmoid: s = {algorithm::eltwise_logistic_use_dst_for_bwd}; return true;
    case UnaryOp::Tanh: s = {algorithm::eltwise_tanh_use_dst_for_bwd}; return true;
    case UnaryOp::Elu: s = {algorithm::eltwise_elu_use_dst_for_bwd, alpha}; return true;
    default: break;
  }
  fromDst = false;
  switch (op) {
    case UnaryOp::Softplus: s = {algorithm::eltwise_soft_relu, 0.f, 0.f, true}; return true;
    case UnaryOp::Swish: s = {algorithm::eltwise_swish, 1.f, 0.f, true}; return true;
    case UnaryOp::Gelu: s = {algorithm::eltwise_gelu_erf, 0.f, 0.f, true}; return true;
    default: return false;
  }
}

cpu::PrimitiveKey eltwiseKey(int kind, const EltwiseSpec& s, int64_t n) {
  uint32_t a, b;
  std::memcpy(&a, &s.alpha, 4);
  std::memcpy(&b, &s.beta, 4);
  cpu::PrimitiveKey key;
  key.add(kind).add(static_cast<int64_t>(s.alg)).add(a).add(b).add(n).add(omp_get_max_threads());
  return key;
}

void dnnlForward(const EltwiseSpec& s, const float* x, float* y, int64_t n) {
  struct Entry { dnnl::eltwise_forward prim; memory::desc md; };
  const Entry& e = cpu::cached<Entry>(eltwiseKey(0, s, n), [&] {
    memory::desc md = cpu::plainDesc({n}, memory::data_type::f32);
    dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, s.alg, md, s.alpha, s.beta);
    return Entry{dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(d, cpu::engine())), md};
  });
  dnnl::engine& eng = cpu::engine();
  cpu::run(e.prim, {{DNNL_ARG_SRC, memory(e.md, eng, const_cast<float*>(x))}, {DNNL_ARG_DST, memory(e.md, eng, y)}});
}

void dnnlBackward(const EltwiseSpec& s, bool fromDst, const float* at, const float* dy, float* dx, int64_t n) {
  struct Entry { dnnl::eltwise_backward prim; memory::desc md; };
  const Entry& e = cpu::cached<Entry>(eltwiseKey(1, s, n), [&] {
    memory::desc md = cpu::plainDesc({n}, memory::data_type::f32);
    dnnl::eltwise_forward::desc fd(dnnl::prop_kind::forward_training, s.alg, md, s.alpha, s.beta);
    dnnl::eltwise_forward::primitive_desc hint(fd, cpu::engine());
    dnnl::eltwise_backward::desc bd(s.alg, md, md, s.alpha, s.beta);
    return Entry{dnnl::eltwise_backward(dnnl::eltwise_backward::primitive_desc(bd, cpu::engine(), hint)), md};
  });
  dnnl::engine& eng = cpu::engine();
  cpu::run(e.prim, {{fromDst ? DNNL_ARG_DST : DNNL_ARG_SRC, memory(e.md, eng, const_cast<float*>(at))},
                    {DNNL_ARG_DIFF_DST, memory(e.md, eng, const_cast<float*>(dy))},
                    {DNNL_ARG_DIFF_SRC, memory(e.md, eng, dx)}});
}

// ---------------------------------------------------------------- unary loops

inline float sigmoid(float v) { return 1.f / (1.f + std::exp(-v)); }

bool costlyUnary(UnaryOp op) {
  switch (op) {
    case UnaryOp::Neg: case UnaryOp::Abs: case UnaryOp::Sign: case UnaryOp::Square: case UnaryOp::Relu:
    case UnaryOp::Relu6: case UnaryOp::LeakyRelu: case UnaryOp::Round: case UnaryOp::Floor: case UnaryOp::Ceil:
    case UnaryOp::Clip: case UnaryOp::Step: case UnaryOp::Softsign: case UnaryOp::Reciprocal:
      return false;
    default:
      return true;
  }
}

TF_MULTIVERSION void unaryF32(UnaryOp op, const float* x, float* y, int64_t n, float alpha, float beta) {
  switch (op) {
#define TF_UNARY(OP, EXPR)                                      \
  case UnaryOp::OP:                                             \
    for (int64_t i = 0; i < n; i++) { const float v = x[i]; y[i] = (EXPR); } \
    return;
    TF_UNARY(Neg, -v)
    TF_UNARY(Abs, std::fabs(v))
    TF_UNARY(Sign, v > 0.f ? 1.f : (v < 0.f ? -1.f : v))
    TF_UNARY(Exp, std::exp(v))
    TF_UNARY(Expm1, std::expm1(v))
    TF_UNARY(Log, std::log(v))
    TF_UNARY(Log1p, std::log1p(v))
    TF_UNARY(Sqrt, std::sqrt(v))
    TF_UNARY(Rsqrt, 1.f / std::sqrt(v))
    TF_UNARY(Square, v * v)
    TF_UNARY(Reciprocal, 1.f / v)
    TF_UNARY(Sin, std::sin(v))
    TF_UNARY(Cos, std::cos(v))
    TF_UNARY(Tan, std::tan(v))
    TF_UNARY(Asin, std::asin(v))
    TF_UNARY(Acos, std::acos(v))
    TF_UNARY(Atan, std::atan(v))
    TF_UNARY(Sinh, std::sinh(v))
    TF_UNARY(Cosh, std::cosh(v))
    TF_UNARY(Tanh, std::tanh(v))
    TF_UNARY(Sigmoid, sigmoid(v))
    TF_UNARY(Relu, v < 0.f ? 0.f : v)
    TF_UNARY(Relu6, v < 0.f ? 0.f : (v > 6.f ? 6.f : v))
    TF_UNARY(Elu, v > 0.f ? v : alpha * std::expm1(v))
    TF_UNARY(Selu, kSeluScale * (v > 0.f ? v : kSeluAlpha * std::expm1(v)))
    TF_UNARY(LeakyRelu, v > 0.f ? v : alpha * v)
    // log(1 + e^v) without overflowing e^v for large v.
    TF_UNARY(Softplus, v > 0.f ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v)))
    TF_UNARY(Erf, std::erf(v))
    TF_UNARY(Round, std::nearbyint(v))
    TF_UNARY(Floor, std::floor(v))
    TF_UNARY(Ceil, std::ceil(v))
    TF_UNARY(Clip, v < alpha ? alpha : (v > beta ? beta : v))
    TF_UNARY(Step, v > 0.f ? 1.f : alpha)
    TF_UNARY(Swish, v * sigmoid(v))
    TF_UNARY(Gelu, 0.5f * v * (1.f + std::erf(v * 0.70710678118654752f)))
    TF_UNARY(Softsign, v / (1.f + std::fabs(v)))
#undef TF_UNARY
    default:
      return;
  }
}

TF_MULTIVERSION bool unaryI32(UnaryOp op, const int32_t* x, int32_t* y, int64_t n) {
  switch (op) {
    case UnaryOp::Neg: for (int64_t i = 0; i < n; i++) y[i] = wrap(0u - u32(x[i])); return true;
    case UnaryOp::Abs: for (int64_t i = 0; i < n; i++) y[i] = x[i] < 0 ? wrap(0u - u32(x[i])) : x[i]; return true;
    case UnaryOp::Sign: for (int64_t i = 0; i < n; i++) y[i] = (x[i] > 0) - (x[i] < 0); return true;
    case UnaryOp::Square: for (int64_t i = 0; i < n; i++) y[i] = wrap(u32(x[i]) * u32(x[i])); return true;
    default: return false;
  }
}

TF_MULTIVERSION void isNan(const float* x, uint8_t* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = x[i] != x[i];
}

TF_MULTIVERSION void logicalNot(const uint8_t* x, uint8_t* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = x[i] == 0;
}

// ---------------------------------------------------------------- unary grad

// Returns false for an op without a gradient here.
TF_MULTIVERSION bool unaryGradF32(UnaryOp op, const float* at, const float* dy, float* dx, int64_t n, float alpha,
                                  float beta) {
  switch (op) {
#define TF_GRAD(OP, EXPR)                                                         \
  case UnaryOp::OP:                                                               \
    for (int64_t i = 0; i < n; i++) { const float v = at[i], g = dy[i]; dx[i] = (EXPR); } \
    return true;
    // From the forward output y.
    TF_GRAD(Relu, v > 0.f ? g : 0.f)
    TF_GRAD(Relu6, v > 0.f && v < 6.f ? g : 0.f)
    TF_GRAD(Sigmoid, g * v * (1.f - v))
    TF_GRAD(Tanh, g * (1.f - v * v))
    TF_GRAD(Elu, v > 0.f ? g : g * (v + alpha))
    TF_GRAD(Selu, v > 0.f ? g * kSeluScale : g * (v + kSeluScale * kSeluAlpha))
    TF_GRAD(LeakyRelu, v > 0.f ? g : g * alpha)
    // From the forward input x.
    TF_GRAD(Softplus, g * sigmoid(v))
    TF_GRAD(Swish, g * (sigmoid(v) * (1.f + v * (1.f - sigmoid(v)))))
    TF_GRAD(Gelu, g * (0.5f * (1.f + std::erf(v * 0.70710678118654752f)) +
                       v * 0.39894228040143268f * std::exp(-0.5f * v * v)))
    TF_GRAD(Clip, v >= alpha && v <= beta ? g : 0.f)
    TF_GRAD(Abs, v > 0.f ? g : (v < 0.f ? -g : 0.f))
#undef TF_GRAD
    default:
      return false;
  }
}

// ---------------------------------------------------------------- broadcasting

// Operands right-aligned to out's shape. Dims of size 1 in out are dropped and
// runs of dims in which each operand is consistently broadcast (or not) are
// merged, so most calls become one contiguous loop, or rows against one
// broadcast vector. What remains is an inner dim, along which every operand
// steps by 0 or 1, and outer dims walked with per-operand strides.
struct BroadcastPlan {
  int64_t inner = 1;
  std::vector<int64_t> outer;                // outermost first
  std::vector<std::vector<int64_t>> stride;  // [operand][outer dim]
  std::vector<bool> innerStep;               // [operand]
  int64_t rows() const {
    int64_t r = 1;
    for (int64_t d : outer) r *= d;
    return r;
  }
  // Offsets of each operand at the start of row `row`.
  void rowOffsets(int64_t row, int64_t* offs) const {
    const size_t nops = stride.size();
    for (size_t k = 0; k < nops; k++) offs[k] = 0;
    for (int d = static_cast<int>(outer.size()) - 1; d >= 0; d--) {
      const int64_t i = row % outer[d];
      row /= outer[d];
      for (size_t k = 0; k < nops; k++) offs[k] += i * stride[k][d];
    }
  }
};

BroadcastPlan planBroadcast(const char* op, const std::vector<const TensorView*>& ins, const TensorView& out) {
  const int R = out.rank();
  const size_t nops = ins.size();
  for (const TensorView* t : ins) {
    bool ok = t->rank() <= R;
    for (int d = 0; ok && d < t->rank(); d++) {
      const int64_t s = t->shape[d], o = out.shape[R - t->rank() + d];
      ok = s == o || s == 1;
    }
    if (!ok)
      throw Error("ERR_SHAPE_MISMATCH", std::string(op) + ": shape " + shapeString(t->shape) +
                                            " does not broadcast to " + shapeString(out.shape));
  }
  // Merged dims, innermost first: size and which operands are broadcast.
  std::vector<int64_t> sizes;
  std::vector<std::vector<bool>> bcast;
  for (int d = R - 1; d >= 0; d--) {
    if (out.shape[d] == 1) continue;
    std::vector<bool> b(nops);
    for (size_t k = 0; k < nops; k++) {
      const int kd = d - (R - ins[k]->rank());
      b[k] = kd < 0 || ins[k]->shape[kd] == 1;
    }
    if (!sizes.empty() && bcast.back() == b) {
      sizes.back() *= out.shape[d];
    } else {
      sizes.push_back(out.shape[d]);
      bcast.push_back(b);
    }
  }
  BroadcastPlan p;
  p.stride.resize(nops);
  p.innerStep.assign(nops, true);
  if (sizes.empty()) return p;
  p.inner = sizes[0];
  for (size_t k = 0; k < nops; k++) p.innerStep[k] = !bcast[0][k];
  std::vector<int64_t> running(nops);
  for (size_t k = 0; k < nops; k++) running[k] = bcast[0][k] ? 1 : sizes[0];
  for (size_t d = 1; d < sizes.size(); d++) {
    p.outer.insert(p.outer.begin(), sizes[d]);
    for (size_t k = 0; k < nops; k++) {
      p.stride[k].insert(p.stride[k].begin(), bcast[d][k] ? 0 : running[k]);
      if (!bcast[d][k]) running[k] *= sizes[d];
    }
  }
  return p;
}

// Runs body(rowOffsets, outOffset, column, length) over cache-sized pieces of
// the output, in parallel when there is enough work.
template <class F>
void forEachPiece(const BroadcastPlan& p, int64_t threshold, F&& body) {
  const int64_t rows = p.rows(), inner = p.inner;
  const int64_t piecesPerRow = (inner + kChunk - 1) / kChunk;
  parallelFor(rows * piecesPerRow, rows * inner > threshold, [&](int64_t i) {
    const int64_t row = i / piecesPerRow, col = (i % piecesPerRow) * kChunk;
    int64_t offs[3];
    p.rowOffsets(row, offs);
    body(offs, row * inner, col, std::min(kChunk, inner - col));
  });
}

template <class T, class R, class F>
TF_MULTIVERSION void binaryLoop(const T* a, bool aStep, const T* b, bool bStep, R* out, int64_t n, F f) {
  if (aStep && bStep) {
    for (int64_t i = 0; i < n; i++) out[i] = f(a[i], b[i]);
  } else if (aStep) {
    const T bv = *b;
    for (int64_t i = 0; i < n; i++) out[i] = f(a[i], bv);
  } else if (bStep) {
    const T av = *a;
    for (int64_t i = 0; i < n; i++) out[i] = f(av, b[i]);
  } else {
    const R v = f(*a, *b);
    for (int64_t i = 0; i < n; i++) out[i] = v;
  }
}

template <class T, class R, class F>
void runBinary(const BroadcastPlan& p, const TensorView& a, const TensorView& b, const TensorView& out,
               int64_t threshold, F f) {
  const T* ap = a.ptr<T>();
  const T* bp = b.ptr<T>();
  R* op = out.ptr<R>();
  const bool as = p.innerStep[0], bs = p.innerStep[1];
  forEachPiece(p, threshold, [&](const int64_t* offs, int64_t o, int64_t col, int64_t len) {
    binaryLoop(ap + offs[0] + (as ? col : 0), as, bp + offs[1] + (bs ? col : 0), bs, op + o + col, len, f);
  });
}

template <class T>
void runComparison(BinaryOp op, const BroadcastPlan& p, const TensorView& a, const TensorView& b,
                   const TensorView& out) {
  using B = uint8_t;
  constexpr int64_t cheap = kParallelCheap;
  switch (op) {
    case BinaryOp::Equal: return runBinary<T, B>(p, a, b, out, cheap, [](T x, T y) -> B { return x == y; });
    case BinaryOp::NotEqual: return runBinary<T, B>(p, a, b, out, cheap, [](T x, T y) -> B { return x != y; });
    case BinaryOp::Less: return runBinary<T, B>(p, a, b, out, cheap, [](T x, T y) -> B { return x < y; });
    case BinaryOp::LessEqual: return runBinary<T, B>(p, a, b, out, cheap, [](T x, T y) -> B { return x <= y; });
    case BinaryOp::Greater: return runBinary<T, B>(p, a, b, out, cheap, [](T x, T y) -> B { return x > y; });
    case BinaryOp::GreaterEqual: return runBinary<T, B>(p, a, b, out, cheap, [](T x, T y) -> B { return x >= y; });
    default: return;
  }
}

void binaryF32(BinaryOp op, const BroadcastPlan& p, const TensorView& a, const TensorView& b, const TensorView& out) {
  using F = float;
  constexpr int64_t cheap = kParallelCheap, costly = kParallelCostly;
  switch (op) {
    case BinaryOp::Add: return runBinary<F, F>(p, a, b, out, cheap, [](F x, F y) { return x + y; });
    case BinaryOp::Sub: return runBinary<F, F>(p, a, b, out, cheap, [](F x, F y) { return x - y; });
    case BinaryOp::Mul: return runBinary<F, F>(p, a, b, out, cheap, [](F x, F y) { return x * y; });
    case BinaryOp::Div: return runBinary<F, F>(p, a, b, out, cheap, [](F x, F y) { return x / y; });
    case BinaryOp::FloorDiv: return runBinary<F, F>(p, a, b, out, cheap, [](F x, F y) { return std::floor(x / y); });
    case BinaryOp::Mod:
      // Python's rule: the result takes the divisor's sign.
      return runBinary<F, F>(p, a, b, out, costly, [](F x, F y) {
        F r = std::fmod(x, y);
        return r != 0.f && ((r < 0.f) != (y < 0.f)) ? r + y : r;
      });
    case BinaryOp::Pow: return runBinary<F, F>(p, a, b, out, costly, [](F x, F y) { return std::pow(x, y); });
    // NaN in either operand propagates, as in TensorFlow.
    case BinaryOp::Maximum:
      return runBinary<F, F>(p, a, b, out, cheap, [](F x, F y) { return x > y || x != x ? x : y; });
    case BinaryOp::Minimum:
      return runBinary<F, F>(p, a, b, out, cheap, [](F x, F y) { return x < y || x != x ? x : y; });
    case BinaryOp::SquaredDifference:
      return runBinary<F, F>(p, a, b, out, cheap, [](F x, F y) { return (x - y) * (x - y); });
    case BinaryOp::Atan2: return runBinary<F, F>(p, a, b, out, costly, [](F x, F y) { return std::atan2(x, y); });
    case BinaryOp::DivNoNan:
      return runBinary<F, F>(p, a, b, out, cheap, [](F x, F y) { return y == 0.f ? 0.f : x / y; });
    default: return runComparison<F>(op, p, a, b, out);
  }
}

// Floor division; x / 0 gives 0 and INT_MIN / -1 wraps, instead of trapping.
inline int32_t floorDivI32(int32_t x, int32_t y) {
  if (y == 0) return 0;
  if (y == -1) return wrap(0u - u32(x));
  const int32_t q = x / y;
  return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q;
}

inline int32_t modI32(int32_t x, int32_t y) {
  if (y == 0 || y == -1) return 0;
  const int32_t r = x % y;
  return r != 0 && ((r < 0) != (y < 0)) ? r + y : r;
}

// Integer power by squaring, wrapping on overflow; a negative exponent gives
// the truncated 1 / x^-y (0 unless |x| == 1).
inline int32_t powI32(int32_t x, int32_t y) {
  if (y < 0) return x == 1 ? 1 : (x == -1 ? ((y & 1) ? -1 : 1) : 0);
  uint32_t base = u32(x), r = 1;
  for (uint32_t e = static_cast<uint32_t>(y); e; e >>= 1) {
    if (e & 1) r *= base;
    base *= base;
  }
  return wrap(r);
}

void binaryI32(BinaryOp op, const BroadcastPlan& p, const TensorView& a, const TensorView& b, const TensorView& out) {
  using I = int32_t;
  constexpr int64_t cheap = kParallelCheap, costly = kParallelCostly;
  switch (op) {
    case BinaryOp::Add: return runBinary<I, I>(p, a, b, out, cheap, [](I x, I y) { return wrap(u32(x) + u32(y)); });
    case BinaryOp::Sub: return runBinary<I, I>(p, a, b, out, cheap, [](I x, I y) { return wrap(u32(x) - u32(y)); });
    case BinaryOp::Mul: return runBinary<I, I>(p, a, b, out, cheap, [](I x, I y) { return wrap(u32(x) * u32(y)); });
    // Integer division floors, as TensorFlow.js does for int32.
    case BinaryOp::Div:
    case BinaryOp::FloorDiv:
    case BinaryOp::DivNoNan: return runBinary<I, I>(p, a, b, out, costly, [](I x, I y) { return floorDivI32(x, y); });
    case BinaryOp::Mod: return runBinary<I, I>(p, a, b, out, costly, [](I x, I y) { return modI32(x, y); });
    case BinaryOp::Pow: return runBinary<I, I>(p, a, b, out, costly, [](I x, I y) { return powI32(x, y); });
    case BinaryOp::Maximum: return runBinary<I, I>(p, a, b, out, cheap, [](I x, I y) { return x > y ? x : y; });
    case BinaryOp::Minimum: return runBinary<I, I>(p, a, b, out, cheap, [](I x, I y) { return x < y ? x : y; });
    case BinaryOp::SquaredDifference:
      return runBinary<I, I>(p, a, b, out, cheap, [](I x, I y) {
        const uint32_t d = u32(x) - u32(y);
        return wrap(d * d);
      });
    default: return runComparison<I>(op, p, a, b, out);
  }
}

void binaryBool(BinaryOp op, const BroadcastPlan& p, const TensorView& a, const TensorView& b, const TensorView& out) {
  using B = uint8_t;
  constexpr int64_t cheap = kParallelCheap;
  switch (op) {
    case BinaryOp::LogicalAnd: return runBinary<B, B>(p, a, b, out, cheap, [](B x, B y) -> B { return x && y; });
    case BinaryOp::LogicalOr: return runBinary<B, B>(p, a, b, out, cheap, [](B x, B y) -> B { return x || y; });
    default: return runComparison<B>(op, p, a, b, out);
  }
}

bool isComparison(BinaryOp op) { return op >= BinaryOp::Equal && op <= BinaryOp::GreaterEqual; }
bool isLogical(BinaryOp op) { return op == BinaryOp::LogicalAnd || op == BinaryOp::LogicalOr; }

bool binarySupports(BinaryOp op, DType dt) {
  if (isLogical(op)) return dt == DType::Bool;
  if (isComparison(op) || dt == DType::Float32) return true;
  return dt == DType::Int32 && op != BinaryOp::Atan2;
}

// oneDNN's binary broadcasts only its second source, so a broadcast first
// operand is swapped over when the op commutes, and left to our loops if not.
bool dnnlBinary(BinaryOp op, const TensorView& a, const TensorView& b, const TensorView& out) {
  algorithm alg;
  bool commutes = true;
  switch (op) {
    case BinaryOp::Add: alg = algorithm::binary_add; break;
    case BinaryOp::Mul: alg = algorithm::binary_mul; break;
    case BinaryOp::Maximum: alg = algorithm::binary_max; break;
    case BinaryOp::Minimum: alg = algorithm::binary_min; break;
    case BinaryOp::Sub: alg = algorithm::binary_sub; commutes = false; break;
    case BinaryOp::Div: alg = algorithm::binary_div; commutes = false; break;
    default: return false;
  }
  const TensorView* src0 = &a;
  const TensorView* src1 = &b;
  if (a.size() != out.size()) {
    if (!commutes || b.size() != out.size()) return false;
    std::swap(src0, src1);
  }
  // src1's dims padded with leading 1s to out's rank.
  std::vector<int64_t> dims1(out.rank() - src1->rank(), 1);
  dims1.insert(dims1.end(), src1->shape.begin(), src1->shape.end());
  const std::vector<int64_t>& dims0 = out.shape;

  cpu::PrimitiveKey key;
  key.add(static_cast<int64_t>(alg)).add(dims0.begin(), dims0.end()).add(dims1.begin(), dims1.end())
      .add(omp_get_max_threads());
  struct Entry { dnnl::binary prim; memory::desc md0, md1; };
  const Entry& e = cpu::cached<Entry>(key, [&] {
    memory::desc md0 = cpu::plainDesc(dims0, memory::data_type::f32);
    memory::desc md1 = cpu::plainDesc(dims1, memory::data_type::f32);
    dnnl::binary::desc d(alg, md0, md1, md0);
    return Entry{dnnl::binary(dnnl::binary::primitive_desc(d, cpu::engine())), md0, md1};
  });
  dnnl::engine& eng = cpu::engine();
  cpu::run(e.prim, {{DNNL_ARG_SRC_0, memory(e.md0, eng, src0->data)},
                    {DNNL_ARG_SRC_1, memory(e.md1, eng, src1->data)},
                    {DNNL_ARG_DST, memory(e.md0, eng, out.data)}});
  return true;
}

template <class T>
TF_MULTIVERSION void whereLoop(const uint8_t* c, bool cs, const T* a, bool as, const T* b, bool bs, T* out,
                               int64_t n) {
  if (cs && as && bs) {
    for (int64_t i = 0; i < n; i++) out[i] = c[i] ? a[i] : b[i];
  } else {
    for (int64_t i = 0; i < n; i++) out[i] = c[cs ? i : 0] ? a[as ? i : 0] : b[bs ? i : 0];
  }
}

template <class T>
void runWhere(const BroadcastPlan& p, const TensorView& cond, const TensorView& a, const TensorView& b,
              const TensorView& out) {
  const bool cs = p.innerStep[0], as = p.innerStep[1], bs = p.innerStep[2];
  forEachPiece(p, kParallelCheap, [&](const int64_t* offs, int64_t o, int64_t col, int64_t len) {
    whereLoop(cond.b8() + offs[0] + (cs ? col : 0), cs, a.ptr<T>() + offs[1] + (as ? col : 0), as,
              b.ptr<T>() + offs[2] + (bs ? col : 0), bs, out.ptr<T>() + o + col, len);
  });
}

template <class From, class To, class F>
TF_MULTIVERSION void castLoop(const From* x, To* y, int64_t n, F f) {
  for (int64_t i = 0; i < n; i++) y[i] = f(x[i]);
}

template <class From, class To, class F>
void runCast(const TensorView& x, const TensorView& out, F f) {
  const From* xp = x.ptr<From>();
  To* yp = out.ptr<To>();
  parallelChunks(x.size(), kParallelCheap, [&](int64_t lo, int64_t hi) { castLoop(xp + lo, yp + lo, hi - lo, f); });
}

}  // namespace

void unary(UnaryOp op, const TensorView& x, const TensorView& out, float alpha, float beta) {
  if (op < UnaryOp::Neg || op > UnaryOp::Softsign)
    throw Error("ERR_UNSUPPORTED", "unary: unknown op code " + std::to_string(static_cast<int>(op)));
  const char* name = unaryName(op);
  expectSameSize(name, x, out);
  const int64_t n = x.size();
  if (op == UnaryOp::LogicalNot) {
    expectDtype(name, "x", x, DType::Bool);
    expectDtype(name, "out", out, DType::Bool);
    parallelChunks(n, kParallelCheap, [&](int64_t lo, int64_t hi) { logicalNot(x.b8() + lo, out.b8() + lo, hi - lo); });
    return;
  }
  if (op == UnaryOp::IsNan) {
    expectDtype(name, "x", x, DType::Float32);
    expectDtype(name, "out", out, DType::Bool);
    parallelChunks(n, kParallelCheap, [&](int64_t lo, int64_t hi) { isNan(x.f32() + lo, out.b8() + lo, hi - lo); });
    return;
  }
  if (out.dtype != x.dtype)
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string(name) + ": out must have x's dtype " + dtypeName(x.dtype) +
                                             ", got " + dtypeName(out.dtype));
  // An empty call answers whether the op exists for the dtype.
  if (x.dtype == DType::Int32) {
    if (!unaryI32(op, nullptr, nullptr, 0)) unsupportedDtype(name, x.dtype);
    parallelChunks(n, kParallelCheap,
                   [&](int64_t lo, int64_t hi) { unaryI32(op, x.i32() + lo, out.i32() + lo, hi - lo); });
    return;
  }
  if (x.dtype != DType::Float32) unsupportedDtype(name, x.dtype);
  EltwiseSpec spec;
  if (forwardSpec(op, alpha, beta, spec) && n >= (spec.costly ? kDnnlCostly : kDnnlCheap))
    return dnnlForward(spec, x.f32(), out.f32(), n);
  parallelChunks(n, costlyUnary(op) ? kParallelCostly : kParallelCheap, [&](int64_t lo, int64_t hi) {
    unaryF32(op, x.f32() + lo, out.f32() + lo, hi - lo, alpha, beta);
  });
}

void unaryGrad(UnaryOp op, const TensorView& at, const TensorView& dy, const TensorView& dx, float alpha,
               float beta) {
  if (op < UnaryOp::Neg || op > UnaryOp::Softsign)
    throw Error("ERR_UNSUPPORTED", "unaryGrad: unknown op code " + std::to_string(static_cast<int>(op)));
  const char* name = unaryName(op);
  expectSameSize(name, at, dy);
  expectSameSize(name, at, dx);
  expectDtype(name, "at", at, DType::Float32);
  expectDtype(name, "dy", dy, DType::Float32);
  expectDtype(name, "dx", dx, DType::Float32);
  // An empty call answers whether the op has a gradient here.
  if (!unaryGradF32(op, nullptr, nullptr, nullptr, 0, alpha, beta))
    throw Error("ERR_UNSUPPORTED", std::string("unaryGrad: no gradient kernel for ") + name);
  const int64_t n = at.size();
  EltwiseSpec spec;
  bool fromDst;
  if (backwardSpec(op, alpha, spec, fromDst) && n >= (spec.costly ? kDnnlCostly : kDnnlCheap))
    return dnnlBackward(spec, fromDst, at.f32(), dy.f32(), dx.f32(), n);
  const bool costly = op == UnaryOp::Softplus || op == UnaryOp::Swish || op == UnaryOp::Gelu;
  parallelChunks(n, costly ? kParallelCostly : kParallelCheap, [&](int64_t lo, int64_t hi) {
    unaryGradF32(op, at.f32() + lo, dy.f32() + lo, dx.f32() + lo, hi - lo, alpha, beta);
  });
}

void binary(BinaryOp op, const TensorView& a, const TensorView& b, const TensorView& out) {
  if (op < BinaryOp::Add || op > BinaryOp::DivNoNan)
    throw Error("ERR_UNSUPPORTED", "binary: unknown op code " + std::to_string(static_cast<int>(op)));
  const char* name = binaryName(op);
  if (a.dtype != b.dtype)
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string(name) + ": operands differ in dtype (" + dtypeName(a.dtype) +
                                             " and " + dtypeName(b.dtype) + ")");
  const DType want = isComparison(op) || isLogical(op) ? DType::Bool : a.dtype;
  expectDtype(name, "out", out, want);
  if (!binarySupports(op, a.dtype)) unsupportedDtype(name, a.dtype);
  BroadcastPlan plan = planBroadcast(name, {&a, &b}, out);
  if (out.size() == 0) return;
  switch (a.dtype) {
    case DType::Float32:
      if (out.size() < kDnnlCheap || !dnnlBinary(op, a, b, out)) binaryF32(op, plan, a, b, out);
      return;
    case DType::Int32: return binaryI32(op, plan, a, b, out);
    case DType::Bool: return binaryBool(op, plan, a, b, out);
  }
}

void where(const TensorView& cond, const TensorView& a, const TensorView& b, const TensorView& out) {
  expectDtype("where", "cond", cond, DType::Bool);
  if (a.dtype != b.dtype || out.dtype != a.dtype)
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string("where: a, b and out must share a dtype, got ") +
                                             dtypeName(a.dtype) + ", " + dtypeName(b.dtype) + " and " +
                                             dtypeName(out.dtype));
  BroadcastPlan plan = planBroadcast("where", {&cond, &a, &b}, out);
  if (out.size() == 0) return;
  // Only the element width matters for a select.
  if (dtypeSize(a.dtype) == 4) runWhere<uint32_t>(plan, cond, a, b, out);
  else runWhere<uint8_t>(plan, cond, a, b, out);
}

void cast(const TensorView& x, const TensorView& out) {
  expectSameSize("cast", x, out);
  const int64_t n = x.size();
  if (x.dtype == out.dtype) {
    if (x.data != out.data && n) std::memcpy(out.data, x.data, n * dtypeSize(x.dtype));
    return;
  }
  using B = uint8_t;
  switch (x.dtype) {
    case DType::Float32:
      if (out.dtype == DType::Int32) return runCast<float, int32_t>(x, out, [](float v) { return toInt32(v); });
      return runCast<float, B>(x, out, [](float v) -> B { return v != 0.f; });
    case DType::Int32:
      if (out.dtype == DType::Float32)
        return runCast<int32_t, float>(x, out, [](int32_t v) { return static_cast<float>(v); });
      return runCast<int32_t, B>(x, out, [](int32_t v) -> B { return v != 0; });
    case DType::Bool:
      if (out.dtype == DType::Float32) return runCast<B, float>(x, out, [](B v) { return v ? 1.f : 0.f; });
      return runCast<B, int32_t>(x, out, [](B v) { return v ? 1 : 0; });
  }
  unsupportedDtype("cast", x.dtype);
}

void fill(const TensorView& out, double value) {
  const int64_t n = out.size();
  switch (out.dtype) {
    case DType::Float32: {
      const float v = static_cast<float>(value);
      return parallelChunks(n, kParallelCheap,
                            [&](int64_t lo, int64_t hi) { std::fill(out.f32() + lo, out.f32() + hi, v); });
    }
    case DType::Int32: {
      const int32_t v = toInt32(value);
      return parallelChunks(n, kParallelCheap,
                            [&](int64_t lo, int64_t hi) { std::fill(out.i32() + lo, out.i32() + hi, v); });
    }
    case DType::Bool:
      if (n) std::memset(out.data, value != 0 ? 1 : 0, n);
      return;
  }
  unsupportedDtype("fill", out.dtype);
}

}  // namespace tf
