// convForward(x, filter, bias | null, y, strides, dilations, padBefore, padAfter, groups, activation, alpha)
// convBackwardData(dy, filter, dx, strides, dilations, padBefore, padAfter, groups)
// convBackwardFilter(x, dy, dfilter, dbias | null, strides, dilations, padBefore, padAfter, groups)
//
// x, filter, y, dy and dx may hold or receive a blocked copy (cpu/layout.h);
// after the kernel V8 hears of the bytes such copies took.
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
  LayoutArgs t(info);
  TensorView x = t.tensor(0, "x");
  TensorView filter = t.tensor(1, "filter");
  TensorView bias;
  const bool hasBias = argOptionalTensor(info, 2, "bias", bias);
  TensorView y = t.tensor(3, "y");
  ConvArgs args = argConv(info, 4);
  args.activation = static_cast<Activation>(argInt(info, 9, "activation"));
  args.alpha = static_cast<float>(argNumber(info, 10, "alpha"));
  tf::convForward(x, filter, hasBias ? &bias : nullptr, y, args);
  t.account();
  return info.Env().Undefined();
}

static Napi::Value convBackwardData(const Napi::CallbackInfo& info) {
  LayoutArgs t(info);
  TensorView dy = t.tensor(0, "dy");
  TensorView filter = t.tensor(1, "filter");
  TensorView dx = t.tensor(2, "dx");
  tf::convBackwardData(dy, filter, dx, argConv(info, 3));
  t.account();
  return info.Env().Undefined();
}

static Napi::Value convBackwardFilter(const Napi::CallbackInfo& info) {
  LayoutArgs t(info);
  TensorView x = t.tensor(0, "x");
  TensorView dy = t.tensor(1, "dy");
  TensorView dfilter = argTensor(info, 2, "dfilter");
  TensorView dbias;
  const bool hasBias = argOptionalTensor(info, 3, "dbias", dbias);
  tf::convBackwardFilter(x, dy, dfilter, hasBias ? &dbias : nullptr, argConv(info, 4));
  t.account();
  return info.Env().Undefined();
}

void InitConv(Napi::Env env, Napi::Object exports) {
  TF_EXPORT(exports, convForward);
  TF_EXPORT(exports, convBackwardData);
  TF_EXPORT(exports, convBackwardFilter);
}

}  // namespace tf
