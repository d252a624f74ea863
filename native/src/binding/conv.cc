// convForward(x, filter, bias | null, y, strides, dilations, padBefore, padAfter, groups, activation, alpha)
// convBackwardData(dy, filter, dx, strides, dilations, padBefore, padAfter, groups)
// convBackwardFilter(x, dy, dfilter, dbias | null, strides, dilations, padBefore, padAfter, groups)
#include "args.h"

namespace tf {

static ConvArgs argConv(const Napi::CallbackInfo& info, size_t first) {
  ConvArgs a;
  a.strides = argInts(info, first, "strides");
  a.dilations = argInts(info, first + 1, "dilations");
  a.padBefore = argInts(info, first + 2, "padBefore");
  a.padAfter = argInts(info, first + 3, "padAfter");
  a.groups = argInt(info, first + 4, "groups");
  return a;
}

static Napi::Value convForward(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  TensorView filter = argTensor(info, 1, "filter");
  TensorView bias;
  const bool hasBias = argOptionalTensor(info, 2, "bias", bias);
  TensorView y = argTensor(info, 3, "y");
  ConvArgs args = argConv(info, 4);
  args.activation = static_cast<Activation>(argInt(info, 9, "activation"));
  args.alpha = static_cast<float>(argNumber(info, 10, "alpha"));
  tf::convForward(x, filter, hasBias ? &bias : nullptr, y, args);
  return info.Env().Undefined();
}

static Napi::Value convBackwardData(const Napi::CallbackInfo& info) {
  TensorView dy = argTensor(info, 0, "dy");
  TensorView filter = argTensor(info, 1, "filter");
  TensorView dx = argTensor(info, 2, "dx");
  tf::convBackwardData(dy, filter, dx, argConv(info, 3));
  return info.Env().Undefined();
}

static Napi::Value convBackwardFilter(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  TensorView dy = argTensor(info, 1, "dy");
  TensorView dfilter = argTensor(info, 2, "dfilter");
  TensorView dbias;
  const bool hasBias = argOptionalTensor(info, 3, "dbias", dbias);
  tf::convBackwardFilter(x, dy, dfilter, hasBias ? &dbias : nullptr, argConv(info, 4));
  return info.Env().Undefined();
}

void InitConv(Napi::Env env, Napi::Object exports) {
  TF_EXPORT(exports, convForward);
  TF_EXPORT(exports, convBackwardData);
  TF_EXPORT(exports, convBackwardFilter);
}

}  // namespace tf
