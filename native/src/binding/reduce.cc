// reduce, argReduce, topk, cumsum: argument order as in lib/native/index.ts.
#include "args.h"

namespace tf {

static Napi::Value reduce(const Napi::CallbackInfo& info) {
  const auto op = static_cast<ReduceOp>(argInt(info, 0, "op"));
  TensorView x = argTensor(info, 1, "x");
  const std::vector<int> axes = argInts32(info, 2, "axes");
  TensorView out = argTensor(info, 3, "out");
  tf::reduce(op, x, axes, out);
  return info.Env().Undefined();
}

static Napi::Value argReduce(const Napi::CallbackInfo& info) {
  const bool isMax = argBool(info, 0, "isMax");
  TensorView x = argTensor(info, 1, "x");
  const int axis = static_cast<int>(argInt(info, 2, "axis"));
  TensorView out = argTensor(info, 3, "out");
  tf::argReduce(isMax, x, axis, out);
  return info.Env().Undefined();
}

static Napi::Value topk(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  const int k = static_cast<int>(argInt(info, 1, "k"));
  TensorView values = argTensor(info, 2, "values");
  TensorView indices = argTensor(info, 3, "indices");
  tf::topk(x, k, values, indices);
  return info.Env().Undefined();
}

static Napi::Value cumsum(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  const int axis = static_cast<int>(argInt(info, 1, "axis"));
  const bool exclusive = argBool(info, 2, "exclusive");
  const bool reverse = argBool(info, 3, "reverse");
  TensorView out = argTensor(info, 4, "out");
  tf::cumsum(x, axis, exclusive, reverse, out);
  return info.Env().Undefined();
}

void InitReduce(Napi::Env env, Napi::Object exports) {
  TF_EXPORT(exports, reduce);
  TF_EXPORT(exports, argReduce);
  TF_EXPORT(exports, topk);
  TF_EXPORT(exports, cumsum);
}

}  // namespace tf
