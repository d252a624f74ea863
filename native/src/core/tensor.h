// Host storage and the plain tensor view that kernels receive. Kernels never
// see N-API: the binding hands them TensorViews over Storage it owns.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dtype.h"
#include "error.h"

namespace tf {

using Shape = std::vector<int64_t>;

inline int64_t shapeSize(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// "[2,3]", for error messages.
inline std::string shapeString(const Shape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); i++) r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

struct BlockedLayout;  // a layout a backend chose for a tensor's contents (cpu/layout.h)
class Storage;

// A tensor's contents in a layout that a backend chose for speed (oneDNN's
// blocked nChw8c for convolutions): opaque outside that backend, which alone
// reads, writes and converts it (blockedToPlain in kernels.h).
struct BlockedCopy {
  std::shared_ptr<Storage> storage;
  std::shared_ptr<const BlockedLayout> layout;
  explicit operator bool() const { return static_cast<bool>(storage); }
};

// 64-byte aligned block (one cache line, one AVX-512 register). A Storage may
// instead borrow memory kept alive by its owner (an adopted ArrayBuffer): then
// `release` runs when the last view of it goes away.
class Storage {
 public:
  static std::shared_ptr<Storage> allocate(size_t bytes, bool zero);
  static std::shared_ptr<Storage> borrow(void* data, size_t bytes, std::function<void()> release);
  ~Storage();
  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  bool owned() const { return !release_; }
  // A second copy of the contents in a backend's layout, kept so that the
  // next layout-aware kernel reading them skips a conversion; while
  // plainStale it is the only current copy (a kernel left its output there)
  // and the plain bytes must be rebuilt before anyone reads them. Every plain
  // access goes through TensorHandle, which does that (and drops the copy,
  // since a plain access may write).
  BlockedCopy blocked;
  bool plainStale = false;
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

 private:
  Storage() = default;
  void* data_ = nullptr;
  size_t bytes_ = 0;
  std::function<void()> release_;
};

// Contiguous row-major tensor as kernels see it.
struct TensorView {
  void* data = nullptr;
  DType dtype = DType::Float32;
  Shape shape;
  // Set only for kernels that take a blocked copy (argTensorAnyLayout): the
  // storage behind `data`, whose `blocked` they may read, replace or fill.
  Storage* storage = nullptr;

  int64_t size() const { return shapeSize(shape); }
  int rank() const { return static_cast<int>(shape.size()); }
  template <class T>
  T* ptr() const { return static_cast<T*>(data); }
  float* f32() const { return static_cast<float*>(data); }
  int32_t* i32() const { return static_cast<int32_t*>(data); }
  uint8_t* b8() const { return static_cast<uint8_t*>(data); }
};

}  // namespace tf
