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

// Layout-aware (cpu/layout.h): x, out, argmax, dy and dx may be channel-blocked.
static Napi::Value pool(const Napi::CallbackInfo& info) {
  LayoutArgs t(info);
  const auto kind = static_cast<PoolKind>(argInt(info, 0, "kind"));
  TensorView x = t.tensor(1, "x");
  TensorView out = t.tensor(2, "out");
  const PoolArgs a = argPool(info, 3);
  TensorView argmax;
  const bool hasArgmax = t.optionalTensor(7, "argmax", argmax);
  tf::pool(kind, x, out, a, hasArgmax ? &argmax : nullptr);
  t.account();
  return info.Env().Undefined();
}

static Napi::Value poolGrad(const Napi::CallbackInfo& info) {
  LayoutArgs t(info);
  const auto kind = static_cast<PoolKind>(argInt(info, 0, "kind"));
  TensorView dy = t.tensor(1, "dy");
  TensorView argmax;
  const bool hasArgmax = t.optionalTensor(2, "argmax", argmax);
  TensorView dx = t.tensor(3, "dx");
  const PoolArgs a = argPool(info, 4);
  tf::poolGrad(kind, dy, hasArgmax ? &argmax : nullptr, dx, a);
  t.account();
  return info.Env().Undefined();
}

void InitPool(Napi::Env env, Napi::Object exports) {
  TF_EXPORT(exports, pool);
  TF_EXPORT(exports, poolGrad);
}

}  // namespace tf
