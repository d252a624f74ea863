// batchNormTraining(x, scale | null, offset | null, epsilon, y, mean, variance)
// batchNormInference(x, mean, variance, scale | null, offset | null, epsilon, y)
// batchNormGrad(x, dy, mean, variance, scale | null, epsilon, globalStats, dx | null, dscale | null, doffset | null)
// layerNorm(x, gamma | null, beta | null, epsilon, y, mean | null, variance | null)
// layerNormGrad(x, dy, mean, variance, gamma | null, epsilon, dx | null, dgamma | null, dbeta | null)
#include "args.h"

namespace tf {

// An optional tensor argument as a pointer (null when absent); `slot` keeps the view alive.
static const TensorView* optional(const Napi::CallbackInfo& info, size_t i, const char* what, TensorView& slot) {
  return argOptionalTensor(info, i, what, slot) ? &slot : nullptr;
}

static Napi::Value batchNormTraining(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  TensorView s, o;
  const TensorView* scale = optional(info, 1, "scale", s);
  const TensorView* offset = optional(info, 2, "offset", o);
  const float eps = static_cast<float>(argNumber(info, 3, "epsilon"));
  TensorView y = argTensor(info, 4, "y");
  TensorView mean = argTensor(info, 5, "mean");
  TensorView variance = argTensor(info, 6, "variance");
  tf::batchNormTraining(x, scale, offset, eps, y, mean, variance);
  return info.Env().Undefined();
}

static Napi::Value batchNormInference(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  TensorView mean = argTensor(info, 1, "mean");
  TensorView variance = argTensor(info, 2, "variance");
  TensorView s, o;
  const TensorView* scale = optional(info, 3, "scale", s);
  const TensorView* offset = optional(info, 4, "offset", o);
  const float eps = static_cast<float>(argNumber(info, 5, "epsilon"));
  TensorView y = argTensor(info, 6, "y");
  tf::batchNormInference(x, mean, variance, scale, offset, eps, y);
  return info.Env().Undefined();
}

static Napi::Value batchNormGrad(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  TensorView dy = argTensor(info, 1, "dy");
  TensorView mean = argTensor(info, 2, "mean");
  TensorView variance = argTensor(info, 3, "variance");
  TensorView s, a, b, c;
  const TensorView* scale = optional(info, 4, "scale", s);
  const float eps = static_cast<float>(argNumber(info, 5, "epsilon"));
  const bool globalStats = argBool(info, 6, "globalStats");
  const TensorView* dx = optional(info, 7, "dx", a);
  const TensorView* dscale = optional(info, 8, "dscale", b);
  const TensorView* doffset = optional(info, 9, "doffset", c);
  tf::batchNormGrad(x, dy, mean, variance, scale, eps, globalStats, dx, dscale, doffset);
  return info.Env().Undefined();
}

static Napi::Value layerNorm(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  TensorView g, b, m, v;
  const TensorView* gamma = optional(info, 1, "gamma", g);
  const TensorView* beta = optional(info, 2, "beta", b);
  const float eps = static_cast<float>(argNumber(info, 3, "epsilon"));
  TensorView y = argTensor(info, 4, "y");
  const TensorView* mean = optional(info, 5, "mean", m);
  const TensorView* variance = optional(info, 6, "variance", v);
  tf::layerNorm(x, gamma, beta, eps, y, mean, variance);
  return info.Env().Undefined();
}

static Napi::Value layerNormGrad(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  TensorView dy = argTensor(info, 1, "dy");
  TensorView mean = argTensor(info, 2, "mean");
  TensorView variance = argTensor(info, 3, "variance");
  TensorView g, a, b, c;
  const TensorView* gamma = optional(info, 4, "gamma", g);
  const float eps = static_cast<float>(argNumber(info, 5, "epsilon"));
  const TensorView* dx = optional(info, 6, "dx", a);
  const TensorView* dgamma = optional(info, 7, "dgamma", b);
  const TensorView* dbeta = optional(info, 8, "dbeta", c);
  tf::layerNormGrad(x, dy, mean, variance, gamma, eps, dx, dgamma, dbeta);
  return info.Env().Undefined();
}

void InitNorm(Napi::Env env, Napi::Object exports) {
  TF_EXPORT(exports, batchNormTraining);
  TF_EXPORT(exports, batchNormInference);
  TF_EXPORT(exports, batchNormGrad);
  TF_EXPORT(exports, layerNorm);
  TF_EXPORT(exports, layerNormGrad);
}

}  // namespace tf
