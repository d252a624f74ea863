// Blocked copies for oneDNN. A convolution primitive computes fastest in a
// layout it picks itself (format_tag::any: nChw8c data, OIhw8i8o filters on
// AVX2) while users hold channels-last tensors, so each operand used to be
// reordered at every call, in and out. Instead the layout-aware kernels
// (convolution) leave an output in the primitive's layout, and keep the
// reordered copy of an input beside its plain bytes: the next convolution
// reads it as it is (a chain conv -> conv, and the backward kernels reading
// the forward's x and the filter again), and every other kernel gets plain
// bytes from TensorHandle::view(), which converts once when needed.
//
// Pooling and the gradient of an activation also work on channel-blocked
// copies (nChw8c is channels-last [N * C/8, H, W, 8]), so that conv -> pool
// -> conv, and the backward pass through a fused relu and a pool, stay
// blocked. Those kernels get layout-aware views too, so their plain paths
// call readPlain / writePlain on them first.
#pragma once
#include <functional>

#include "../core/kernels.h"
#include "dnnl_context.h"

namespace tf {

struct BlockedLayout {
  dnnl::memory::desc plain;    // the row-major bytes, as the kernel that made the copy described them
  dnnl::memory::desc blocked;  // the layout of the copy
};

namespace cpu {

// Memory to use when a view has no storage to keep a copy on.
using Scratch = std::function<void*()>;

// The memory a primitive reads for tensor `v`, whose row-major bytes
// `plain` describes, in layout `want`: v's blocked copy when it is in that
// layout; else v's plain bytes reordered into `want`, and kept as v's
// blocked copy for the next reader.
dnnl::memory readAs(const TensorView& v, const dnnl::memory::desc& plain, const dnnl::memory::desc& want,
                    const Scratch& scratch);

// The memory a primitive writes for tensor `v` in layout `want`. With
// keepBlocked, a layout other than `plain` becomes v's blocked copy, the
// only current one; otherwise (or without a storage) scratch that
// finishWrite reorders into v's plain bytes.
dnnl::memory writeAs(const TensorView& v, const dnnl::memory::desc& plain, const dnnl::memory::desc& want,
                     bool keepBlocked, const Scratch& scratch);
void finishWrite(const TensorView& v, const dnnl::memory::desc& plain, const dnnl::memory& written);

// For plain paths of layout-aware kernels: v's plain bytes made current, and
// v's copy dropped before its plain bytes are overwritten.
void readPlain(const TensorView& v);
void writePlain(const TensorView& v);

// Channels-last [N, *spatial, C] as oneDNN's logical [N, C, *spatial].
dnnl::memory::desc channelsLastDesc(const Shape& shape, DType dtype);
// The same tensor in channel blocks of `block` (nChw8c and its 1-D, 3-D kin).
dnnl::memory::desc channelBlockedDesc(const Shape& shape, int64_t block, DType dtype);
// The channel block (8 or 16) of v's copy when it is channel-blocked and
// the only current one; 0 otherwise.
int64_t staleChannelBlock(const TensorView& v);
// v's channel-blocked contents (reordered into a kept copy when v has none
// of that block) as the channels-last tensor [N * C/block, *spatial, block].
TensorView readChannelBlocked(const TensorView& v, int64_t block);
// A new channel-blocked copy, v's only current contents, for a kernel to
// fill through the channels-last view it returns.
TensorView writeChannelBlocked(const TensorView& v, int64_t block);

// Whether a and b hold copies in one layout, one of them the only current
// one: an elementwise kernel then runs on the copies (padding included).
bool sameBlocked(const TensorView& a, const TensorView& b);
// v's copy as a flat view, and a new copy of `like`'s layout for out.
TensorView readBlockedFlat(const TensorView& v);
TensorView writeBlockedFlatLike(const TensorView& out, const TensorView& like);

}  // namespace cpu
}  // namespace tf
