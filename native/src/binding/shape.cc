// transpose(x, perm, out)
// stridedSlice(x, begin, step, out)      stridedSliceGrad(dy, begin, step, dx)
// concat(xs, axis, out)                  pad(x, before, value, out)
// tile(x, out)
// gather(x, indices, axis, out)          gatherGrad(dy, indices, axis, dx)
// oneHot(indices, depth, onValue, offValue, out)
#include "args.h"

namespace tf {

static Napi::Value transpose(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  const std::vector<int> perm = argInts32(info, 1, "perm");
  TensorView out = argTensor(info, 2, "out");
  tf::transpose(x, perm, out);
  return info.Env().Undefined();
}

static Napi::Value stridedSlice(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  const std::vector<int64_t> begin = argInts(info, 1, "begin");
  const std::vector<int64_t> step = argInts(info, 2, "step");
  TensorView out = argTensor(info, 3, "out");
  tf::stridedSlice(x, begin, step, out);
  return info.Env().Undefined();
}

static Napi::Value stridedSliceGrad(const Napi::CallbackInfo& info) {
  TensorView dy = argTensor(info, 0, "dy");
  const std::vector<int64_t> begin = argInts(info, 1, "begin");
  const std::vector<int64_t> step = argInts(info, 2, "step");
  TensorView dx = argTensor(info, 3, "dx");
  tf::stridedSliceGrad(dy, begin, step, dx);
  return info.Env().Undefined();
}

static Napi::Value concat(const Napi::CallbackInfo& info) {
  const std::vector<TensorView> xs = argTensors(info, 0, "xs");
  const int axis = static_cast<int>(argInt(info, 1, "axis"));
  TensorView out = argTensor(info, 2, "out");
  tf::concat(xs, axis, out);
  return info.Env().Undefined();
}

static Napi::Value pad(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  const std::vector<int64_t> before = argInts(info, 1, "before");
  const double value = argNumber(info, 2, "value");
  TensorView out = argTensor(info, 3, "out");
  tf::pad(x, before, value, out);
  return info.Env().Undefined();
}

static Napi::Value tile(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  TensorView out = argTensor(info, 1, "out");
  tf::tile(x, out);
  return info.Env().Undefined();
}

static Napi::Value gather(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  TensorView indices = argTensor(info, 1, "indices");
  const int axis = static_cast<int>(argInt(info, 2, "axis"));
  TensorView out = argTensor(info, 3, "out");
  tf::gather(x, indices, axis, out);
  return info.Env().Undefined();
}

static Napi::Value gatherGrad(const Napi::CallbackInfo& info) {
  TensorView dy = argTensor(info, 0, "dy");
  TensorView indices = argTensor(info, 1, "indices");
  const int axis = static_cast<int>(argInt(info, 2, "axis"));
  TensorView dx = argTensor(info, 3, "dx");
  tf::gatherGrad(dy, indices, axis, dx);
  return info.Env().Undefined();
}

static Napi::Value oneHot(const Napi::CallbackInfo& info) {
  TensorView indices = argTensor(info, 0, "indices");
  const int depth = static_cast<int>(argInt(info, 1, "depth"));
  const float onValue = static_cast<float>(argNumber(info, 2, "onValue"));
  const float offValue = static_cast<float>(argNumber(info, 3, "offValue"));
  TensorView out = argTensor(info, 4, "out");
  tf::oneHot(indices, depth, onValue, offValue, out);
  return info.Env().Undefined();
}

void InitShape(Napi::Env env, Napi::Object exports) {
  TF_EXPORT(exports, transpose);
  TF_EXPORT(exports, stridedSlice);
  TF_EXPORT(exports, stridedSliceGrad);
  TF_EXPORT(exports, concat);
  TF_EXPORT(exports, pad);
  TF_EXPORT(exports, tile);
  TF_EXPORT(exports, gather);
  TF_EXPORT(exports, gatherGrad);
  TF_EXPORT(exports, oneHot);
}

}  // namespace tf
