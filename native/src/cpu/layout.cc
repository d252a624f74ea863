#include "layout.h"

#include <vector>

namespace tf {
namespace cpu {
namespace {

using dnnl::memory;

// Reorder primitives by (from, to): a few distinct pairs per model, and
// building one costs as much as running it on a small tensor.
const dnnl::reorder& reorderFor(const memory::desc& from, const memory::desc& to) {
  struct Entry {
    memory::desc from, to;
    dnnl::reorder prim;
  };
  thread_local std::vector<Entry> entries;
  for (const Entry& e : entries)
    if (e.from == from && e.to == to) return e.prim;
  if (entries.size() >= 256) entries.clear();
  dnnl::engine& eng = engine();
  entries.push_back({from, to, dnnl::reorder(dnnl::reorder::primitive_desc(eng, from, eng, to))});
  return entries.back().prim;
}

void reorder(const memory::desc& from, void* src, const memory::desc& to, void* dst) {
  run(reorderFor(from, to), {{DNNL_ARG_FROM, memory(from, engine(), src)}, {DNNL_ARG_TO, memory(to, engine(), dst)}});
}

memory::data_type dnnlType(DType d) {
  switch (d) {
    case DType::Float32: return memory::data_type::f32;
    case DType::Int32: return memory::data_type::s32;
    case DType::Bool: break;
  }
  throw Error("ERR_UNSUPPORTED_DTYPE", "no blocked layout for bool");
}

memory::format_tag channelBlockedTag(size_t rank, int64_t block) {
  using tag = memory::format_tag;
  const bool b8 = block == 8;
  switch (rank) {
    case 3: return b8 ? tag::aBc8b : tag::aBc16b;
    case 4: return b8 ? tag::aBcd8b : tag::aBcd16b;
    case 5: return b8 ? tag::aBcde8b : tag::aBcde16b;
  }
  throw Error("ERR_INTERNAL", "channel blocks need rank 3, 4 or 5");
}

// [N, *spatial, C] in blocks of `block` channels, as channels-last [N * C/block, *spatial, block].
Shape channelBlockedShape(const Shape& shape, int64_t block) {
  Shape s = shape;
  s[0] = shape[0] * ((shape.back() + block - 1) / block);
  s.back() = block;
  return s;
}

TensorView viewOf(const BlockedCopy& copy, DType dtype, Shape shape) {
  TensorView v;
  v.data = copy.storage->data();
  v.dtype = dtype;
  v.shape = std::move(shape);
  return v;
}

void syncPlain(Storage& s) {
  if (!s.plainStale) return;
  blockedToPlain(s.blocked, s.data());
  s.plainStale = false;
}

BlockedCopy newCopy(const memory::desc& plain, const memory::desc& blocked) {
  return {Storage::allocate(blocked.get_size(), false), std::make_shared<const BlockedLayout>(BlockedLayout{plain, blocked})};
}

}  // namespace

memory readAs(const TensorView& v, const memory::desc& plain, const memory::desc& want, const Scratch& scratch) {
  Storage* s = v.storage;
  if (s && s->blocked && s->blocked.layout->plain == plain && s->blocked.layout->blocked == want)
    return memory(want, engine(), s->blocked.storage->data());
  if (s) syncPlain(*s);  // the copy there is in another layout (or of another shape): start from the plain bytes
  if (want == plain) return memory(plain, engine(), v.data);
  if (!s) {
    void* m = scratch();
    reorder(plain, v.data, want, m);
    return memory(want, engine(), m);
  }
  BlockedCopy copy = newCopy(plain, want);
  reorder(plain, v.data, want, copy.storage->data());
  s->blocked = std::move(copy);
  return memory(want, engine(), s->blocked.storage->data());
}

memory writeAs(const TensorView& v, const memory::desc& plain, const memory::desc& want, bool keepBlocked,
               const Scratch& scratch) {
  Storage* s = v.storage;
  if (s) {  // whatever it held is overwritten
    s->blocked = {};
    s->plainStale = false;
  }
  if (want == plain) return memory(plain, engine(), v.data);
  if (!keepBlocked || !s) return memory(want, engine(), scratch());
  s->blocked = newCopy(plain, want);
  s->plainStale = true;
  return memory(want, engine(), s->blocked.storage->data());
}

void finishWrite(const TensorView& v, const memory::desc& plain, const memory& written) {
  if (v.storage && v.storage->plainStale) return;  // kept blocked
  const memory::desc d = written.get_desc();
  if (d == plain) return;
  reorder(d, written.get_data_handle(), plain, v.data);
}

void readPlain(const TensorView& v) {
  if (v.storage) syncPlain(*v.storage);
}

void writePlain(const TensorView& v) {
  if (!v.storage) return;
  v.storage->blocked = {};
  v.storage->plainStale = false;
}

memory::desc channelsLastDesc(const Shape& shape, DType dtype) {
  const int64_t c = shape.back();
  memory::dims dims{shape[0], c}, strides{0, 1};
  int64_t inner = c;
  for (size_t i = shape.size() - 2; i >= 1; i--) {
    dims.insert(dims.begin() + 2, shape[i]);
    strides.insert(strides.begin() + 2, inner);
    inner *= shape[i];
  }
  strides[0] = inner;
  return memory::desc(dims, dnnlType(dtype), strides);
}

memory::desc channelBlockedDesc(const Shape& shape, int64_t block, DType dtype) {
  memory::dims dims{shape[0], shape.back()};
  dims.insert(dims.end(), shape.begin() + 1, shape.end() - 1);
  return memory::desc(dims, dnnlType(dtype), channelBlockedTag(shape.size(), block));
}

int64_t staleChannelBlock(const TensorView& v) {
  if (!v.storage || !v.storage->plainStale || v.rank() < 3 || v.rank() > 5) return 0;
  const BlockedLayout& l = *v.storage->blocked.layout;
  if (l.plain != channelsLastDesc(v.shape, v.dtype)) return 0;
  for (int64_t block : {8, 16})
    if (l.blocked == channelBlockedDesc(v.shape, block, v.dtype)) return block;
  return 0;
}

TensorView readChannelBlocked(const TensorView& v, int64_t block) {
  const memory::desc plain = channelsLastDesc(v.shape, v.dtype);
  const memory::desc want = channelBlockedDesc(v.shape, block, v.dtype);
  if (!v.storage) throw Error("ERR_INTERNAL", "a channel-blocked read needs a layout-aware view");
  readAs(v, plain, want, nullptr);  // v has a storage: the copy is kept there
  return viewOf(v.storage->blocked, v.dtype, channelBlockedShape(v.shape, block));
}

TensorView writeChannelBlocked(const TensorView& v, int64_t block) {
  if (!v.storage) throw Error("ERR_INTERNAL", "a channel-blocked write needs a layout-aware view");
  writeAs(v, channelsLastDesc(v.shape, v.dtype), channelBlockedDesc(v.shape, block, v.dtype), true, nullptr);
  return viewOf(v.storage->blocked, v.dtype, channelBlockedShape(v.shape, block));
}

bool sameBlocked(const TensorView& a, const TensorView& b) {
  if (!a.storage || !b.storage || !a.storage->blocked || !b.storage->blocked) return false;
  if (!a.storage->plainStale && !b.storage->plainStale) return false;
  const BlockedLayout& la = *a.storage->blocked.layout;
  const BlockedLayout& lb = *b.storage->blocked.layout;
  return a.shape == b.shape && la.plain == lb.plain && la.blocked == lb.blocked;
}

TensorView readBlockedFlat(const TensorView& v) {
  const BlockedCopy& c = v.storage->blocked;
  return viewOf(c, v.dtype, {static_cast<int64_t>(c.storage->bytes() / dtypeSize(v.dtype))});
}

TensorView writeBlockedFlatLike(const TensorView& out, const TensorView& like) {
  const BlockedLayout& l = *like.storage->blocked.layout;
  writeAs(out, l.plain, l.blocked, true, nullptr);
  return readBlockedFlat(out);
}

}  // namespace cpu

void blockedToPlain(const BlockedCopy& b, void* plain) {
  cpu::reorder(b.layout->blocked, b.storage->data(), b.layout->plain, plain);
}

}  // namespace tf
