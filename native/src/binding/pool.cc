// pool(kind, x, out, kernel, strides, padBefore, padAfter, argmax | null)
// poolGrad(kind, dy, argmax | null, dx, kernel, strides, padBefore, padAfter)
#include "args.h"

namespace tf {

static PoolArgs argPool(const Napi::CallbackInfo& info, size_t first) {
  PoolArgs a;
  a.kernel = argInts(info, first, "kernel");
  a.strides = argInts(info, first + 1, "strides");
  a.padBefore = argInts(info, first + 2, "padBefore");
  a.padAfter = argInts(info, first + 3, "padAfter");
  return a;
}

static Napi::Value pool(const Napi::CallbackInfo& info) {
  const auto kind = static_cast<PoolKind>(argInt(info, 0, "kind"));
  TensorView x = argTensor(info, 1, "x");
  TensorView out = argTensor(info, 2, "out");
  const PoolArgs a = argPool(info, 3);
  TensorView argmax;
  const bool hasArgmax = argOptionalTensor(info, 7, "argmax", argmax);
  tf::pool(kind, x, out, a, hasArgmax ? &argmax : nullptr);
  return info.Env().Undefined();
}

static Napi::Value poolGrad(const Napi::CallbackInfo& info) {
  const auto kind = static_cast<PoolKind>(argInt(info, 0, "kind"));
  TensorView dy = argTensor(info, 1, "dy");
  TensorView argmax;
  const bool hasArgmax = argOptionalTensor(info, 2, "argmax", argmax);
  TensorView dx = argTensor(info, 3, "dx");
  const PoolArgs a = argPool(info, 4);
  tf::poolGrad(kind, dy, hasArgmax ? &argmax : nullptr, dx, a);
  return info.Env().Undefined();
}

void InitPool(Napi::Env env, Napi::Object exports) {
  TF_EXPORT(exports, pool);
  TF_EXPORT(exports, poolGrad);
}

}  // namespace tf
