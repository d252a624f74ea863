// randomUniform(seed, offset, low, high, out)
// randomNormal(seed, offset, mean, stddev, truncated, out)
// dropout(seed, offset, rate, x, out, mask)
#include <cmath>

#include "args.h"

namespace tf {

// Seeds and offsets arrive as JS numbers (integers up to 2^53); a negative
// seed is taken as its two's complement so that every integer is usable.
static uint64_t argCounter(const Napi::CallbackInfo& info, size_t i, const char* what) {
  const double v = argNumber(info, i, what);
  if (!std::isfinite(v) || std::trunc(v) != v || std::fabs(v) >= 9007199254740992.0)
    throw Error("ERR_INVALID_ARG", std::string("expected an integer below 2^53 in magnitude for ") + what);
  return static_cast<uint64_t>(static_cast<int64_t>(v));
}

static Napi::Value randomUniform(const Napi::CallbackInfo& info) {
  const uint64_t seed = argCounter(info, 0, "seed");
  const uint64_t offset = argCounter(info, 1, "offset");
  const double low = argNumber(info, 2, "low");
  const double high = argNumber(info, 3, "high");
  TensorView out = argTensor(info, 4, "out");
  tf::randomUniform(seed, offset, low, high, out);
  return info.Env().Undefined();
}

static Napi::Value randomNormal(const Napi::CallbackInfo& info) {
  const uint64_t seed = argCounter(info, 0, "seed");
  const uint64_t offset = argCounter(info, 1, "offset");
  const double mean = argNumber(info, 2, "mean");
  const double stddev = argNumber(info, 3, "stddev");
  const bool truncated = argBool(info, 4, "truncated");
  TensorView out = argTensor(info, 5, "out");
  tf::randomNormal(seed, offset, mean, stddev, truncated, out);
  return info.Env().Undefined();
}

static Napi::Value dropout(const Napi::CallbackInfo& info) {
  const uint64_t seed = argCounter(info, 0, "seed");
  const uint64_t offset = argCounter(info, 1, "offset");
  const float rate = static_cast<float>(argNumber(info, 2, "rate"));
  TensorView x = argTensor(info, 3, "x");
  TensorView out = argTensor(info, 4, "out");
  TensorView mask = argTensor(info, 5, "mask");
  tf::dropout(seed, offset, rate, x, out, mask);
  return info.Env().Undefined();
}

void InitRandom(Napi::Env env, Napi::Object exports) {
  TF_EXPORT(exports, randomUniform);
  TF_EXPORT(exports, randomNormal);
  TF_EXPORT(exports, dropout);
}

}  // namespace tf
