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
// Pooling and activation gradients stay plain: max pooling over the 8-wide
// runs of nChw8c measured 1.2-1.7x slower than over channels-last rows (and
// the data gradient in oneDNN's layouts ~10% slower), which cost the cnn
// workload more than the reorders it saved.
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

// Channels-last [N, *spatial, C] as oneDNN's logical [N, C, *spatial].
dnnl::memory::desc channelsLastDesc(const Shape& shape, DType dtype);

}  // namespace cpu
}  // namespace tf
