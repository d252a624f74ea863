#include <cstring>

#include "tensor.h"

namespace tf {

std::shared_ptr<Storage> Storage::allocate(size_t bytes, bool zero) {
  auto s = std::shared_ptr<Storage>(new Storage());
  // aligned_alloc needs a multiple of the alignment; never ask for 0 bytes.
  size_t rounded = ((bytes + 63) / 64) * 64;
  if (rounded == 0) rounded = 64;
  s->data_ = std::aligned_alloc(64, rounded);
  if (!s->data_) throw Error("ERR_OUT_OF_MEMORY", "could not allocate " + std::to_string(bytes) + " bytes of host memory");
  if (zero) std::memset(s->data_, 0, rounded);
  s->bytes_ = bytes;
  return s;
}

std::shared_ptr<Storage> Storage::borrow(void* data, size_t bytes, std::function<void()> release) {
  auto s = std::shared_ptr<Storage>(new Storage());
  s->data_ = data;
  s->bytes_ = bytes;
  s->release_ = std::move(release);
  return s;
}

Storage::~Storage() {
  if (release_) release_();
  else std::free(data_);
}

}  // namespace tf
