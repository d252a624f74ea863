// unary, unaryGrad, binary, where, cast, fill: argument order as in lib/native/index.ts.
#include "args.h"

namespace tf {

static Napi::Value unary(const Napi::CallbackInfo& info) {
  const auto op = static_cast<UnaryOp>(argInt(info, 0, "op"));
  TensorView x = argTensor(info, 1, "x");
  TensorView out = argTensor(info, 2, "out");
  const float alpha = static_cast<float>(argNumber(info, 3, "alpha"));
  const float beta = static_cast<float>(argNumber(info, 4, "beta"));
  tf::unary(op, x, out, alpha, beta);
  return info.Env().Undefined();
}

static Napi::Value unaryGrad(const Napi::CallbackInfo& info) {
  const auto op = static_cast<UnaryOp>(argInt(info, 0, "op"));
  TensorView at = argTensor(info, 1, "at");
  TensorView dy = argTensor(info, 2, "dy");
  TensorView dx = argTensor(info, 3, "dx");
  const float alpha = static_cast<float>(argNumber(info, 4, "alpha"));
  const float beta = static_cast<float>(argNumber(info, 5, "beta"));
  tf::unaryGrad(op, at, dy, dx, alpha, beta);
  return info.Env().Undefined();
}

static Napi::Value binary(const Napi::CallbackInfo& info) {
  const auto op = static_cast<BinaryOp>(argInt(info, 0, "op"));
  TensorView a = argTensor(info, 1, "a");
  TensorView b = argTensor(info, 2, "b");
  TensorView out = argTensor(info, 3, "out");
  tf::binary(op, a, b, out);
  return info.Env().Undefined();
}

static Napi::Value where(const Napi::CallbackInfo& info) {
  TensorView cond = argTensor(info, 0, "cond");
  TensorView a = argTensor(info, 1, "a");
  TensorView b = argTensor(info, 2, "b");
  TensorView out = argTensor(info, 3, "out");
  tf::where(cond, a, b, out);
  return info.Env().Undefined();
}

static Napi::Value cast(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  TensorView out = argTensor(info, 1, "out");
  tf::cast(x, out);
  return info.Env().Undefined();
}

static Napi::Value fill(const Napi::CallbackInfo& info) {
  TensorView out = argTensor(info, 0, "out");
  tf::fill(out, argNumber(info, 1, "value"));
  return info.Env().Undefined();
}

void InitElementwise(Napi::Env env, Napi::Object exports) {
  TF_EXPORT(exports, unary);
  TF_EXPORT(exports, unaryGrad);
  TF_EXPORT(exports, binary);
  TF_EXPORT(exports, where);
  TF_EXPORT(exports, cast);
  TF_EXPORT(exports, fill);
}

}  // namespace tf
