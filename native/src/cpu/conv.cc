// Convolution on oneDNN's convolution primitives: forward (bias and
// activation fused as post-ops), backward data and backward filter (with the
// bias gradient) as separate kernels, over 1, 2 or 3 spatial dims and groups.
//
// Users hold channels-last data and TF's [*k, Cin/groups, Cout] filters;
// oneDNN's logical order is [N, C, *spatial] and [(G,) O, I, *k], so both
// are described with strides over the user's memory. Which layout the
// primitive itself computes in is the layout policy below (measured).
#include <omp.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "../core/kernels.h"
#include "dnnl_context.h"
#include "layout.h"
#include "post_ops.h"

namespace tf {
namespace {

using dnnl::memory;
using dt = memory::data_type;

// The problem as oneDNN sees it, checked once per call.
struct Geometry {
  int spatial = 0;
  int64_t n = 0, cin = 0, cout = 0, groups = 1;
  Shape in, k, out;
  memory::dims strides, dilates, padL, padR;  // dilates: oneDNN counts the holes (dilation - 1)
};

// Messages carry no function name: the binding prefixes its own.
Geometry checkGeometry(const TensorView& x, const TensorView& filter, const TensorView& y,
                       const ConvArgs& a) {
  auto fail = [&](const std::string& why) {
    throw Error("ERR_SHAPE_MISMATCH", why + " (x " + shapeString(x.shape) + ", filter " +
                                          shapeString(filter.shape) + ", y " + shapeString(y.shape) + ")");
  };
  for (const TensorView* t : {&x, &filter, &y}) {
    if (t->dtype != DType::Float32)
      throw Error("ERR_UNSUPPORTED_DTYPE", std::string("convolution supports float32 only, got ") + dtypeName(t->dtype));
  }
  Geometry g;
  g.spatial = x.rank() - 2;
  if (g.spatial < 1 || g.spatial > 3) fail("x must have rank 3, 4 or 5");
  if (filter.rank() != g.spatial + 2 || y.rank() != g.spatial + 2) fail("x, filter and y must have the same rank");
  const size_t sp = static_cast<size_t>(g.spatial);
  if (a.strides.size() != sp || a.dilations.size() != sp || a.padBefore.size() != sp || a.padAfter.size() != sp)
    fail("strides, dilations and paddings need one value per spatial dim");
  g.n = x.shape[0];
  g.cin = x.shape[sp + 1];
  g.cout = y.shape[sp + 1];
  g.groups = a.groups;
  if (g.groups < 1 || g.cin % g.groups != 0 || g.cout % g.groups != 0) fail("groups must divide both channel counts");
  if (y.shape[0] != g.n) fail("x and y have different batch sizes");
  if (filter.shape[sp] != g.cin / g.groups || filter.shape[sp + 1] != g.cout) fail("filter does not fit the channels");
  for (size_t i = 0; i < sp; i++) {
    const int64_t in = x.shape[i + 1], k = filter.shape[i], out = y.shape[i + 1];
    const int64_t s = a.strides[i], d = a.dilations[i], pl = a.padBefore[i], pr = a.padAfter[i];
    if (s < 1 || d < 1 || pl < 0 || pr < 0 || k < 1) fail("bad stride, dilation, padding or filter size");
    const int64_t span = in + pl + pr - ((k - 1) * d + 1);
    if (span < 0 || span / s + 1 != out) fail("y's spatial size does not follow from x, filter, strides and paddings");
    g.in.push_back(in);
    g.k.push_back(k);
    g.out.push_back(out);
    g.strides.push_back(s);
    g.dilates.push_back(d - 1);
    g.padL.push_back(pl);
    g.padR.push_back(pr);
  }
  return g;
}

// Appends the spatial dims of a channels-last block whose innermost part
// (everything after the spatial dims) holds `inner` elements.
void appendSpatial(memory::dims& dims, memory::dims& strides, const Shape& spatial, int64_t inner) {
  const size_t first = strides.size();
  for (int64_t d : spatial) {
    dims.push_back(d);
    strides.push_back(0);
  }
  for (size_t i = spatial.size(); i-- > 0;) {
    strides[first + i] = inner;
    inner *= spatial[i];
  }
}

// [N, *spatial, C] as oneDNN's logical [N, C, *spatial].
memory::desc dataDesc(int64_t n, int64_t c, const Shape& spatial) {
  Shape shape{n};
  shape.insert(shape.end(), spatial.begin(), spatial.end());
  shape.push_back(c);
  return cpu::channelsLastDesc(shape, DType::Float32);
}

// [*k, I/G, O] as [O, I, *k], or as [G, O/G, I/G, *k] with groups: output
// channel o = g * (O/G) + j, so g steps O/G elements and j one (hwigo).
memory::desc filterDesc(const Geometry& g) {
  const int64_t ig = g.cin / g.groups;
  memory::dims dims, strides;
  if (g.groups == 1) {
    dims = {g.cout, ig};
    strides = {1, g.cout};
  } else {
    dims = {g.groups, g.cout / g.groups, ig};
    strides = {g.cout / g.groups, 1, g.cout};
  }
  appendSpatial(dims, strides, g.k, ig * g.cout);
  return memory::desc(dims, dt::f32, strides);
}

enum class Kind : int { Forward = 0, BackwardData = 1, BackwardFilter = 2 };

// Where the primitive computes. Users' data is channels-last and their
// filters [*k, I, O]. oneDNN can compute on those directly (its gemm-based
// convolution); or pick every layout itself (format_tag::any: blocked
// nChw8c data and filters for its direct AVX2 / AVX-512 kernels) with
// reorders at the op's edges; or keep the data channels-last and pick only
// the filter's layout (the direct kernels take nhwc data too; the filter is
// small, so its reorder is cheap). GFLOP/s, median of 9 calls of each kind
// interleaved as in a training step, 2 threads, AVX2 (AMD EPYC):
//                                 direct on user layouts / all any / filter any
//                                 forward            dx                dfilter
//   cnn 28x28x1->32 k3, b. 128     12 /  29 /  60     10 /   8 /   8    10 /   7 /  20
//   cnn 13x13x32->64 k3, b. 128    61 / 104 / 104    105 / 113 / 125    65 /  82 /  73
//   gan 7x7x128->256 k5, b. 256   125 / 166 / 141    133 / 165 / 162   118 / 143 / 135
//   gan 14x14x64->128 k5 s2, 256   60 / 118 / 112    101 / 105 /  98    73 / 108 / 101
//   gan 28x28x1->64 k5 s2, b. 256  37 /  65 /  79     22 /  30 /  22    13 /  10 /  34
// (a second run agreed within ~10%). Never the user layouts, then: with one
// input channel (or a few: fewer than one 8-wide block) the filter-any
// kernels win forward and dfilter by 1.2-3x, and "all any" wins dx (the GAN
// generator's last layer runs it forward) by ~35%; with wide channels "all
// any" wins forward and dfilter by 5-20%, and dx is even. (Those timings
// include a reorder at each edge of every call; layout.h now leaves outputs
// blocked and keeps reordered inputs and filters for the next reader.)
enum class Layout : int { Any = 0, AnyFilter = 1 };

Layout layoutFor(Kind kind, const Geometry& g) {
  const bool narrow = g.cin < 8;
  switch (kind) {
    case Kind::BackwardData: return narrow ? Layout::Any : Layout::AnyFilter;
    case Kind::Forward:
    case Kind::BackwardFilter: break;
  }
  return narrow ? Layout::AnyFilter : Layout::Any;
}

memory::desc anyLike(const memory::desc& d) { return memory::desc(d.dims(), dt::f32, memory::format_tag::any); }

// Grow-only scratch for an operand that a primitive writes in its own layout
// but that must end plain (the filter gradient, an output whose activation
// runs afterwards), or that a view without a storage brings: one block per
// role, reused by every call on this thread.
enum Slot { kSrcSlot = 0, kWeightsSlot = 1, kDstSlot = 2 };

void* scratch(Slot slot, size_t bytes) {
  struct Block {
    std::unique_ptr<void, decltype(&std::free)> data{nullptr, &std::free};
    size_t bytes = 0;
  };
  thread_local Block blocks[3];
  Block& b = blocks[slot];
  if (b.bytes < bytes) {
    const size_t rounded = (bytes + 63) / 64 * 64;  // aligned_alloc wants a multiple of the alignment
    b.data.reset();  // freed first: the old and the new block are never needed together
    b.data.reset(std::aligned_alloc(64, rounded));
    if (!b.data) throw std::bad_alloc();
    b.bytes = rounded;
  }
  return b.data.get();
}

// A primitive argument: the user's plain layout and the one the primitive
// chose. Where they differ, layout.h keeps the reordered inputs and may leave
// an output in the chosen layout (see there).
struct Operand {
  memory::desc user, inner;
  Slot slot = kSrcSlot;

  void bind(Slot s, const memory::desc& userDesc, const memory::desc& chosen) {
    slot = s;
    user = userDesc;
    inner = chosen;
  }
  cpu::Scratch scratchFor() const {
    return [this] { return scratch(slot, inner.get_size()); };
  }
  // The memory the primitive reads.
  memory input(const TensorView& v) const { return cpu::readAs(v, user, inner, scratchFor()); }
  // The memory the primitive writes; finish() makes it v's contents.
  memory output(const TensorView& v, bool keepBlocked) const {
    return cpu::writeAs(v, user, inner, keepBlocked, scratchFor());
  }
  void finish(const memory& m, const TensorView& v) const { cpu::finishWrite(v, user, m); }
};

struct ConvPrimitive {
  dnnl::primitive prim;
  Operand src, weights, dst;  // diff_src / diff_weights / diff_dst in the backward kernels
  memory::desc bias;
};

cpu::PrimitiveKey keyOf(Kind kind, const Geometry& g, bool bias, const ConvArgs& a) {
  uint32_t alphaBits;
  std::memcpy(&alphaBits, &a.alpha, sizeof alphaBits);
  cpu::PrimitiveKey key;
  key.add(static_cast<int>(kind)).add(g.n).add(g.cin).add(g.cout).add(g.groups)
      .add(g.in.begin(), g.in.end()).add(g.k.begin(), g.k.end()).add(g.out.begin(), g.out.end())
      .add(g.strides.begin(), g.strides.end()).add(g.dilates.begin(), g.dilates.end())
      .add(g.padL.begin(), g.padL.end()).add(g.padR.begin(), g.padR.end()).add(bias);
  if (kind == Kind::Forward) key.add(static_cast<int64_t>(a.activation)).add(alphaBits);
  // oneDNN fixes its blocking for the thread count current at creation.
  return key.add(omp_get_max_threads());
}

struct Descs {
  memory::desc src, weights, dst, bias;  // user layouts
  memory::desc pSrc, pWeights, pDst;     // what the primitive descriptor is asked for
};

Descs descsFor(const Geometry& g, Layout layout, bool bias) {
  Descs d;
  d.src = dataDesc(g.n, g.cin, g.in);
  d.dst = dataDesc(g.n, g.cout, g.out);
  d.weights = filterDesc(g);
  if (bias) d.bias = memory::desc({g.cout}, dt::f32, memory::format_tag::a);
  d.pSrc = layout == Layout::Any ? anyLike(d.src) : d.src;
  d.pDst = layout == Layout::Any ? anyLike(d.dst) : d.dst;
  d.pWeights = anyLike(d.weights);
  return d;
}

dnnl::convolution_forward::primitive_desc forwardPd(const Geometry& g, const Descs& d, const memory::desc& bias,
                                                    const dnnl::primitive_attr& attr) {
  dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, d.pSrc,
                                       d.pWeights, bias, d.pDst, g.strides, g.dilates, g.padL, g.padR);
  return dnnl::convolution_forward::primitive_desc(desc, attr, cpu::engine());
}

ConvPrimitive makeForward(const Geometry& g, Layout layout, bool bias, const ConvArgs& a) {
  const Descs d = descsFor(g, layout, bias);
  dnnl::post_ops ops;
  cpu::appendActivation(ops, a.activation, a.alpha);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  auto pd = forwardPd(g, d, d.bias, attr);
  ConvPrimitive p;
  p.prim = dnnl::convolution_forward(pd);
  p.src.bind(kSrcSlot, d.src, pd.src_desc());
  p.weights.bind(kWeightsSlot, d.weights, pd.weights_desc());
  p.dst.bind(kDstSlot, d.dst, pd.dst_desc());
  p.bias = d.bias;
  return p;
}

ConvPrimitive makeBackwardData(const Geometry& g, Layout layout) {
  const Descs d = descsFor(g, layout, false);
  auto hint = forwardPd(g, d, memory::desc(), dnnl::primitive_attr());
  dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, d.pSrc, d.pWeights, d.pDst,
                                             g.strides, g.dilates, g.padL, g.padR);
  dnnl::convolution_backward_data::primitive_desc pd(desc, cpu::engine(), hint);
  ConvPrimitive p;
  p.prim = dnnl::convolution_backward_data(pd);
  p.src.bind(kSrcSlot, d.src, pd.diff_src_desc());
  p.weights.bind(kWeightsSlot, d.weights, pd.weights_desc());
  p.dst.bind(kDstSlot, d.dst, pd.diff_dst_desc());
  return p;
}

ConvPrimitive makeBackwardFilter(const Geometry& g, Layout layout, bool bias) {
  const Descs d = descsFor(g, layout, bias);
  auto hint = forwardPd(g, d, d.bias, dnnl::primitive_attr());
  dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, d.pSrc, d.pWeights, d.bias,
                                                d.pDst, g.strides, g.dilates, g.padL, g.padR);
  dnnl::convolution_backward_weights::primitive_desc pd(desc, cpu::engine(), hint);
  ConvPrimitive p;
  p.prim = dnnl::convolution_backward_weights(pd);
  p.src.bind(kSrcSlot, d.src, pd.src_desc());
  p.weights.bind(kWeightsSlot, d.weights, pd.diff_weights_desc());
  p.dst.bind(kDstSlot, d.dst, pd.diff_dst_desc());
  p.bias = d.bias;
  return p;
}

ConvPrimitive& primitiveFor(Kind kind, const Geometry& g, bool bias, const ConvArgs& a) {
  const Layout layout = layoutFor(kind, g);
  return cpu::cached<ConvPrimitive>(keyOf(kind, g, bias, a), [&] {
    switch (kind) {
      case Kind::Forward: return makeForward(g, layout, bias, a);
      case Kind::BackwardData: return makeBackwardData(g, layout);
      case Kind::BackwardFilter: break;
    }
    return makeBackwardFilter(g, layout, bias);
  });
}

void checkBias(const TensorView* bias, int64_t cout) {
  if (!bias) return;
  if (bias->dtype != DType::Float32)
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string("bias must be float32, got ") + dtypeName(bias->dtype));
  if (bias->size() != cout)
    throw Error("ERR_SHAPE_MISMATCH", "bias must have " + std::to_string(cout) +
                                          " elements, got " + shapeString(bias->shape));
}

}  // namespace

void convForward(const TensorView& x, const TensorView& filter, const TensorView* bias, const TensorView& y,
                 const ConvArgs& args) {
  if (bias && !bias->data) bias = nullptr;
  const Geometry g = checkGeometry(x, filter, y, args);
  checkBias(bias, g.cout);
  if (y.size() == 0) return;
  const ConvPrimitive& p = primitiveFor(Kind::Forward, g, bias != nullptr, args);
  // An activation oneDNN cannot fuse runs afterwards on the plain bytes.
  const bool fused = cpu::fusable(args.activation);
  const memory dst = p.dst.output(y, fused);
  std::unordered_map<int, memory> m{
      {DNNL_ARG_SRC, p.src.input(x)}, {DNNL_ARG_WEIGHTS, p.weights.input(filter)}, {DNNL_ARG_DST, dst}};
  if (bias) m.emplace(DNNL_ARG_BIAS, memory(p.bias, cpu::engine(), bias->data));
  cpu::run(p.prim, m);
  p.dst.finish(dst, y);
  if (!fused) unary(cpu::activationOp(args.activation), y, y, args.alpha, 0.f);
}

void convBackwardData(const TensorView& dy, const TensorView& filter, const TensorView& dx, const ConvArgs& args) {
  const Geometry g = checkGeometry(dx, filter, dy, args);
  if (dx.size() == 0) return;
  if (dy.size() == 0) {  // every output position is cut off: no input reaches y
    fill(dx, 0.0);
    return;
  }
  const ConvPrimitive& p = primitiveFor(Kind::BackwardData, g, false, args);
  const memory diffSrc = p.src.output(dx, true);
  cpu::run(p.prim, {{DNNL_ARG_DIFF_DST, p.dst.input(dy)},
                    {DNNL_ARG_WEIGHTS, p.weights.input(filter)},
                    {DNNL_ARG_DIFF_SRC, diffSrc}});
  p.src.finish(diffSrc, dx);
}

void convBackwardFilter(const TensorView& x, const TensorView& dy, const TensorView& dfilter, const TensorView* dbias,
                        const ConvArgs& args) {
  if (dbias && !dbias->data) dbias = nullptr;
  const Geometry g = checkGeometry(x, dfilter, dy, args);
  checkBias(dbias, g.cout);
  if (dy.size() == 0 || x.size() == 0) {  // an empty batch contributes nothing
    fill(dfilter, 0.0);
    if (dbias) fill(*dbias, 0.0);
    return;
  }
  const ConvPrimitive& p = primitiveFor(Kind::BackwardFilter, g, dbias != nullptr, args);
  // The optimizer reads the filter gradient next: plain.
  const memory diffWeights = p.weights.output(dfilter, false);
  std::unordered_map<int, memory> m{{DNNL_ARG_SRC, p.src.input(x)},
                                    {DNNL_ARG_DIFF_DST, p.dst.input(dy)},
                                    {DNNL_ARG_DIFF_WEIGHTS, diffWeights}};
  if (dbias) m.emplace(DNNL_ARG_DIFF_BIAS, memory(p.bias, cpu::engine(), dbias->data));
  cpu::run(p.prim, m);
  p.weights.finish(diffWeights, dfilter);
}

}  // namespace tf
