// Matrix multiply on oneDNN's matmul primitive. Bias and activation are fused
// as post-ops so a Dense layer makes one pass over its output; transposes are
// expressed as strides, so a transposed operand is never copied.
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "../core/kernels.h"
#include "dnnl_context.h"
#include "post_ops.h"

namespace tf {
namespace {

using dnnl::memory;
using cpu::activationOp;
using cpu::appendActivation;
using cpu::fusable;

struct MatMulPrimitive {
  dnnl::matmul prim;
  memory::desc src, weights, bias, dst;
};

// The problem after normalising ranks: a rank-2 operand is a batch of one.
struct MatMulShape {
  int64_t batchA, batchB, batch, m, k, n;
  bool batched;  // out is rank 3
};

MatMulShape checkShapes(const TensorView& a, const TensorView& b, const TensorView* bias, const TensorView& out,
                        const MatMulArgs& args) {
  auto fail = [&](const std::string& why) {
    throw Error("ERR_SHAPE_MISMATCH", why + " (a " + shapeString(a.shape) + ", b " + shapeString(b.shape) +
                                          ", out " + shapeString(out.shape) + ", transposeA=" +
                                          (args.transposeA ? "true" : "false") +
                                          ", transposeB=" + (args.transposeB ? "true" : "false") + ")");
  };
  for (const TensorView* t : {&a, &b, &out}) {
    if (t->dtype != DType::Float32)
      throw Error("ERR_UNSUPPORTED_DTYPE", std::string("matmul supports float32 only, got ") + dtypeName(t->dtype));
  }
  if (a.rank() < 2 || a.rank() > 3 || b.rank() < 2 || b.rank() > 3) fail("matmul takes rank-2 or rank-3 operands");
  if (out.rank() != std::max(a.rank(), b.rank())) fail("out has the wrong rank");
  MatMulShape s;
  s.batched = out.rank() == 3;
  s.batchA = a.rank() == 3 ? a.shape[0] : 1;
  s.batchB = b.rank() == 3 ? b.shape[0] : 1;
  s.batch = s.batched ? out.shape[0] : 1;
  const int64_t a0 = a.shape[a.rank() - 2], a1 = a.shape[a.rank() - 1];
  const int64_t b0 = b.shape[b.rank() - 2], b1 = b.shape[b.rank() - 1];
  s.m = args.transposeA ? a1 : a0;
  s.k = args.transposeA ? a0 : a1;
  s.n = args.transposeB ? b0 : b1;
  if ((args.transposeB ? b1 : b0) != s.k) fail("inner dimensions differ");
  if (out.shape[out.rank() - 2] != s.m || out.shape[out.rank() - 1] != s.n) fail("out has the wrong shape");
  if ((s.batchA != 1 && s.batchA != s.batch) || (s.batchB != 1 && s.batchB != s.batch)) fail("batch sizes differ");
  if (bias) {
    if (bias->dtype != DType::Float32)
      throw Error("ERR_UNSUPPORTED_DTYPE", std::string("matmul bias must be float32, got ") + dtypeName(bias->dtype));
    if (bias->size() != s.n)
      fail("bias must have " + std::to_string(s.n) + " elements, got " + std::to_string(bias->size()));
  }
  return s;
}

// Operand descriptor with the transpose folded into the strides. A batch of
// one keeps dim 1 so that oneDNN broadcasts it over the other side's batch.
memory::desc operandDesc(bool batched, int64_t batch, int64_t rows, int64_t cols, bool transposed) {
  const memory::dim rs = transposed ? 1 : cols, cs = transposed ? rows : 1;
  if (!batched) return memory::desc({rows, cols}, memory::data_type::f32, {rs, cs});
  return memory::desc({batch, rows, cols}, memory::data_type::f32, {rows * cols, rs, cs});
}

MatMulPrimitive makePrimitive(const MatMulShape& s, bool hasBias, const MatMulArgs& args) {
  MatMulPrimitive p;
  p.src = operandDesc(s.batched, s.batchA, s.m, s.k, args.transposeA);
  p.weights = operandDesc(s.batched, s.batchB, s.k, s.n, args.transposeB);
  p.dst = s.batched ? cpu::plainDesc({s.batch, s.m, s.n}, memory::data_type::f32)
                    : cpu::plainDesc({s.m, s.n}, memory::data_type::f32);
  dnnl::post_ops ops;
  appendActivation(ops, args.activation, args.alpha);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  dnnl::matmul::desc desc = [&] {
    if (!hasBias) return dnnl::matmul::desc(p.src, p.weights, p.dst);
    p.bias = s.batched ? cpu::plainDesc({1, 1, s.n}, memory::data_type::f32)
                       : cpu::plainDesc({1, s.n}, memory::data_type::f32);
    return dnnl::matmul::desc(p.src, p.weights, p.bias, p.dst);
  }();
  p.prim = dnnl::matmul(dnnl::matmul::primitive_desc(desc, attr, cpu::engine()));
  return p;
}

// Small products (and K == 0): one call of a cached oneDNN primitive costs
// ~3 us, more than this loop needs below kSmallProduct multiply-adds
// (16x32x16). Broadcasting a(i,k) against b's row k vectorises over N when b
// is not transposed.
constexpr int64_t kSmallProduct = 1 << 13;

TF_MULTIVERSION void smallGemm(const float* a, int64_t aRow, int64_t aCol, const float* b, int64_t bRow,
                               int64_t bCol, const float* bias, float* out, int64_t m, int64_t k, int64_t n) {
  for (int64_t i = 0; i < m; i++) {
    float* o = out + i * n;
    for (int64_t j = 0; j < n; j++) o[j] = bias ? bias[j] : 0.f;
    for (int64_t p = 0; p < k; p++) {
      const float av = a[i * aRow + p * aCol];
      const float* br = b + p * bRow;
      for (int64_t j = 0; j < n; j++) o[j] += av * br[j * bCol];
    }
  }
}

void smallMatmul(const MatMulShape& s, const TensorView& a, const TensorView& b, const TensorView* bias,
                 const TensorView& out, const MatMulArgs& args) {
  const int64_t aRow = args.transposeA ? 1 : s.k, aCol = args.transposeA ? s.m : 1;
  const int64_t bRow = args.transposeB ? 1 : s.n, bCol = args.transposeB ? s.k : 1;
  for (int64_t i = 0; i < s.batch; i++) {
    smallGemm(a.f32() + (s.batchA == 1 ? 0 : i * s.m * s.k), aRow, aCol, b.f32() + (s.batchB == 1 ? 0 : i * s.k * s.n),
              bRow, bCol, bias ? bias->f32() : nullptr, out.f32() + i * s.m * s.n, s.m, s.k, s.n);
  }
  if (args.activation != Activation::Linear) unary(activationOp(args.activation), out, out, args.alpha, 0.f);
}

}  // namespace

void matmul(const TensorView& a, const TensorView& b, const TensorView* bias, const TensorView& out,
            const MatMulArgs& args) {
  if (bias && !bias->data) bias = nullptr;
  const MatMulShape s = checkShapes(a, b, bias, out, args);
  if (s.batch * s.m * s.n == 0) return;
  if (s.batch * s.m * s.n * s.k <= kSmallProduct) return smallMatmul(s, a, b, bias, out, args);

  uint32_t alphaBits;
  std::memcpy(&alphaBits, &args.alpha, sizeof alphaBits);
  cpu::PrimitiveKey key;
  // oneDNN fixes its blocking for the thread count current at creation.
  key.add(s.batched).add(s.batchA).add(s.batchB).add(s.batch).add(s.m).add(s.k).add(s.n)
      .add(args.transposeA).add(args.transposeB).add(bias != nullptr)
      .add(static_cast<int64_t>(args.activation)).add(alphaBits).add(omp_get_max_threads());
  const MatMulPrimitive& p = cpu::cached<MatMulPrimitive>(key, [&] { return makePrimitive(s, bias != nullptr, args); });

  dnnl::engine& eng = cpu::engine();
  memory src(p.src, eng, a.data), weights(p.weights, eng, b.data), dst(p.dst, eng, out.data);
  std::unordered_map<int, memory> argsMap{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
  if (bias) argsMap.emplace(DNNL_ARG_BIAS, memory(p.bias, eng, bias->data));
  cpu::run(p.prim, argsMap);
  if (!fusable(args.activation)) unary(activationOp(args.activation), out, out, args.alpha, 0.f);
}

}  // namespace tf
