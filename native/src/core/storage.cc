#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tensor.h"

namespace tf {
namespace {

// Large blocks are kept for reuse instead of going back to glibc. A training
// step frees and allocates the same sizes every step, and glibc hands big
// freed blocks back to the OS (munmap, heap trim), so every step re-faulted
// its pages: ~6,000 page faults and ~25 ms of a ~75 ms cnn step. glibc's
// aligned allocations of those sizes also fragmented the heap until RSS grew
// by megabytes per step. Reusing exact (page-rounded) sizes fixes both.
constexpr size_t kCachedFrom = 64 << 10;  // below this glibc's own bins reuse memory well
constexpr size_t kPage = 4096;

size_t cacheLimit() {
  // TENSORFORGE_HOST_CACHE_MB bounds what freed blocks may hold (default 1 GiB; 0 disables).
  const char* env = std::getenv("TENSORFORGE_HOST_CACHE_MB");
  return (env ? static_cast<size_t>(std::strtoull(env, nullptr, 10)) : 1024) << 20;
}

class BlockCache {
 public:
  void* take(size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = free_.find(bytes);
    if (it == free_.end() || it->second.empty()) return nullptr;
    void* p = it->second.back();
    it->second.pop_back();
    held_ -= bytes;
    return p;
  }
  void give(void* p, size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (bytes > limit_) {
      std::free(p);
      return;
    }
    // Over the limit: the sizes in use have changed (another model, another
    // batch size), so the blocks kept for the old ones go back to glibc.
    if (held_ + bytes > limit_) releaseAll();
    free_[bytes].push_back(p);
    held_ += bytes;
  }

 private:
  void releaseAll() {
    for (auto& [size, blocks] : free_)
      for (void* b : blocks) std::free(b);
    free_.clear();
    held_ = 0;
  }
  std::mutex mu_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  size_t held_ = 0;
  const size_t limit_ = cacheLimit();
};

// Never destroyed: a Storage may be released by a finalizer after static destructors ran.
BlockCache& blockCache() {
  static BlockCache* cache = new BlockCache();
  return *cache;
}

// What a request of `bytes` allocates: a multiple of the 64-byte alignment
// (aligned_alloc requires it; never 0), whole pages for cached sizes.
size_t blockSize(size_t bytes) {
  size_t rounded = ((bytes + 63) / 64) * 64;
  if (rounded == 0) rounded = 64;
  if (rounded >= kCachedFrom) rounded = ((rounded + kPage - 1) / kPage) * kPage;
  return rounded;
}

}  // namespace

std::shared_ptr<Storage> Storage::allocate(size_t bytes, bool zero) {
  auto s = std::shared_ptr<Storage>(new Storage());
  const size_t block = blockSize(bytes);
  void* data = block >= kCachedFrom ? blockCache().take(block) : nullptr;
  if (!data) data = std::aligned_alloc(64, block);
  if (!data) throw Error("ERR_OUT_OF_MEMORY", "could not allocate " + std::to_string(bytes) + " bytes of host memory");
  if (zero) std::memset(data, 0, block);
  s->data_ = data;
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
  if (release_) {
    release_();
    return;
  }
  const size_t block = blockSize(bytes_);
  if (block >= kCachedFrom) blockCache().give(data_, block);
  else std::free(data_);
}

}  // namespace tf
