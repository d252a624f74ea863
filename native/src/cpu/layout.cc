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

}  // namespace cpu

void blockedToPlain(const BlockedCopy& b, void* plain) {
  cpu::reorder(b.layout->blocked, b.storage->data(), b.layout->plain, plain);
}

}  // namespace tf
