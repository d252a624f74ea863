#include "dnnl_context.h"

namespace tf {
namespace cpu {

dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& stream() {
  static dnnl::stream s(engine());
  return s;
}

dnnl::memory::desc plainDesc(const std::vector<int64_t>& dims, dnnl::memory::data_type dt) {
  dnnl::memory::dims d(dims.begin(), dims.end());
  dnnl::memory::dims strides(d.size());
  int64_t s = 1;
  for (int i = static_cast<int>(d.size()) - 1; i >= 0; i--) {
    strides[i] = s;
    s *= d[i];
  }
  return dnnl::memory::desc(d, dt, strides);
}

}  // namespace cpu
}  // namespace tf
