// Element types shared by every device. The numeric values are part of the
// binding's contract with lib/native (DType in lib/native/index.ts).
#pragma once
#include <cstddef>
#include <cstdint>

namespace tf {

enum class DType : int32_t { Float32 = 0, Int32 = 1, Bool = 2 };

inline size_t dtypeSize(DType d) {
  switch (d) {
    case DType::Float32: return 4;
    case DType::Int32: return 4;
    case DType::Bool: return 1;
  }
  return 0;
}

inline const char* dtypeName(DType d) {
  switch (d) {
    case DType::Float32: return "float32";
    case DType::Int32: return "int32";
    case DType::Bool: return "bool";
  }
  return "unknown";
}

}  // namespace tf
