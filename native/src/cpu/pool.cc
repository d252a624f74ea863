// Max and average pooling on oneDNN's pooling primitives, channels-last
// (nwc / nhwc / ndhwc) so that TensorFlow's layout reaches oneDNN without a
// reorder. Max pooling in training runs forward_training, whose workspace
// (where each maximum came from) the caller keeps as an opaque buffer for the
// backward; inference runs forward_inference and keeps nothing.
#include <omp.h>

#include <string>

#include "../core/kernels.h"
#include "dnnl_context.h"

namespace tf {
namespace {

using dnnl::algorithm;
using dnnl::memory;
using dnnl::prop_kind;

std::string shapeString(const Shape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); i++) r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

// oneDNN's logical order is [N, C, spatial...]; the tag says the memory is channels-last.
memory::desc channelsLast(const Shape& shape) {
  const int rank = static_cast<int>(shape.size());
  memory::dims dims{shape[0], shape[rank - 1]};
  for (int i = 1; i < rank - 1; i++) dims.push_back(shape[i]);
  const memory::format_tag tag = rank == 3   ? memory::format_tag::nwc
                                 : rank == 4 ? memory::format_tag::nhwc
                                             : memory::format_tag::ndhwc;
  return memory::desc(dims, memory::data_type::f32, tag);
}

algorithm algorithmOf(PoolKind kind) {
  if (kind == PoolKind::Max) return algorithm::pooling_max;
  if (kind == PoolKind::Avg) return algorithm::pooling_avg_exclude_padding;
  throw Error("ERR_UNSUPPORTED", "unknown pooling kind " + std::to_string(static_cast<int>(kind)));
}

void expectFloat(const char* what, const TensorView& t) {
  if (t.dtype != DType::Float32)
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string("expected float32 for ") + what + ", got " + dtypeName(t.dtype));
}

// x is the forward input's shape, y the forward output's. Messages leave out
// the kernel's name: the binding puts it in front.
void checkShapes(const Shape& x, const Shape& y, const PoolArgs& a) {
  auto fail = [&](const std::string& why) {
    throw Error("ERR_SHAPE_MISMATCH", why + " (x " + shapeString(x) + ", out " + shapeString(y) + ")");
  };
  if (x.size() < 3 || x.size() > 5) fail("x must have rank 3, 4 or 5 ([N, spatial..., C])");
  if (y.size() != x.size()) fail("out must have x's rank");
  if (y[0] != x[0] || y.back() != x.back()) fail("out must keep x's batch and channels");
  const size_t spatial = x.size() - 2;
  if (a.kernel.size() != spatial || a.strides.size() != spatial || a.padBefore.size() != spatial ||
      a.padAfter.size() != spatial)
    fail("kernel, strides and paddings need one value per spatial dim");
  for (size_t i = 0; i < spatial; i++) {
    if (a.kernel[i] < 1 || a.strides[i] < 1 || a.padBefore[i] < 0 || a.padAfter[i] < 0)
      fail("kernel and strides must be >= 1 and paddings >= 0");
    // A window wholly inside the padding would have no element to pool.
    if (a.padBefore[i] >= a.kernel[i] || a.padAfter[i] >= a.kernel[i])
      fail("each padding must be smaller than the window");
    const int64_t span = x[i + 1] + a.padBefore[i] + a.padAfter[i] - a.kernel[i];
    if (span < 0 || span / a.strides[i] + 1 != y[i + 1])
      fail("the window does not give out's spatial size");
  }
}

cpu::PrimitiveKey keyOf(int op, PoolKind kind, const Shape& x, const Shape& y, const PoolArgs& a) {
  cpu::PrimitiveKey key;
  // oneDNN fixes its work split for the thread count current at creation.
  key.add(op).add(static_cast<int64_t>(kind)).add(x.begin(), x.end()).add(y.begin(), y.end())
      .add(a.kernel.begin(), a.kernel.end()).add(a.strides.begin(), a.strides.end())
      .add(a.padBefore.begin(), a.padBefore.end()).add(a.padAfter.begin(), a.padAfter.end())
      .add(omp_get_max_threads());
  return key;
}

dnnl::pooling_forward::primitive_desc forwardDesc(prop_kind prop, PoolKind kind, const Shape& x, const Shape& y,
                                                  const PoolArgs& a) {
  dnnl::pooling_forward::desc d(prop, algorithmOf(kind), channelsLast(x), channelsLast(y), a.strides, a.kernel,
                                a.padBefore, a.padAfter);
  return dnnl::pooling_forward::primitive_desc(d, cpu::engine());
}

struct PoolForward {
  dnnl::pooling_forward prim;
  memory::desc src, dst, workspace;
};

struct PoolBackward {
  dnnl::pooling_backward prim;
  memory::desc diffSrc, diffDst, workspace;
};

enum { kForwardTraining = 0, kForwardInference = 1, kBackward = 2 };

const PoolForward& forward(bool training, PoolKind kind, const Shape& x, const Shape& y, const PoolArgs& a) {
  const int op = training ? kForwardTraining : kForwardInference;
  return cpu::cached<PoolForward>(keyOf(op, kind, x, y, a), [&] {
    auto pd = forwardDesc(training ? prop_kind::forward_training : prop_kind::forward_inference, kind, x, y, a);
    return PoolForward{dnnl::pooling_forward(pd), pd.src_desc(), pd.dst_desc(), pd.workspace_desc()};
  });
}

}  // namespace

int64_t poolWorkspaceBytes(const Shape& x, const Shape& out, const PoolArgs& args) {
  checkShapes(x, out, args);
  return static_cast<int64_t>(forward(true, PoolKind::Max, x, out, args).workspace.get_size());
}

void pool(PoolKind kind, const TensorView& x, const TensorView& out, const PoolArgs& args, const TensorView* workspace) {
  if (workspace && !workspace->data) workspace = nullptr;
  expectFloat("x", x);
  expectFloat("out", out);
  checkShapes(x.shape, out.shape, args);
  if (workspace && kind != PoolKind::Max) throw Error("ERR_INVALID_ARG", "only max pooling keeps a workspace");
  if (out.size() == 0) return;
  const PoolForward& p = forward(workspace != nullptr, kind, x.shape, out.shape, args);
  dnnl::engine& eng = cpu::engine();
  std::unordered_map<int, memory> map{{DNNL_ARG_SRC, memory(p.src, eng, x.data)},
                                      {DNNL_ARG_DST, memory(p.dst, eng, out.data)}};
  if (workspace) {
    const int64_t need = static_cast<int64_t>(p.workspace.get_size());
    const int64_t have = workspace->size() * static_cast<int64_t>(dtypeSize(workspace->dtype));
    if (have != need)
      throw Error("ERR_SHAPE_MISMATCH", "the workspace has " + std::to_string(have) + " bytes, the primitive needs " +
                                            std::to_string(need));
    map.emplace(DNNL_ARG_WORKSPACE, memory(p.workspace, eng, workspace->data));
  }
  cpu::run(p.prim, map);
}

void poolGrad(PoolKind kind, const TensorView& dy, const TensorView* workspace, const TensorView& dx,
              const PoolArgs& args) {
  if (workspace && !workspace->data) workspace = nullptr;
  expectFloat("dy", dy);
  expectFloat("dx", dx);
  checkShapes(dx.shape, dy.shape, args);
  if (dx.size() == 0) return;
  if (kind == PoolKind::Max && !workspace)
    throw Error("ERR_INVALID_ARG", "max pooling needs the workspace of its forward pass");
  const PoolBackward& p = cpu::cached<PoolBackward>(keyOf(kBackward, kind, dx.shape, dy.shape, args), [&] {
    auto hint = forwardDesc(prop_kind::forward_training, kind, dx.shape, dy.shape, args);
    dnnl::pooling_backward::desc d(algorithmOf(kind), channelsLast(dx.shape), channelsLast(dy.shape), args.strides,
                                   args.kernel, args.padBefore, args.padAfter);
    dnnl::pooling_backward::primitive_desc pd(d, cpu::engine(), hint);
    return PoolBackward{dnnl::pooling_backward(pd), pd.diff_src_desc(), pd.diff_dst_desc(), pd.workspace_desc()};
  });
  dnnl::engine& eng = cpu::engine();
  std::unordered_map<int, memory> map{{DNNL_ARG_DIFF_DST, memory(p.diffDst, eng, dy.data)},
                                      {DNNL_ARG_DIFF_SRC, memory(p.diffSrc, eng, dx.data)}};
  if (kind == PoolKind::Max) {
    const int64_t need = static_cast<int64_t>(p.workspace.get_size());
    const int64_t have = workspace->size() * static_cast<int64_t>(dtypeSize(workspace->dtype));
    if (have != need)
      throw Error("ERR_SHAPE_MISMATCH", "the workspace has " + std::to_string(have) +
                                            " bytes, the primitive needs " + std::to_string(need));
    map.emplace(DNNL_ARG_WORKSPACE, memory(p.workspace, eng, workspace->data));
  }
  cpu::run(p.prim, map);
}

}  // namespace tf
