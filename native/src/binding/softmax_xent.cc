// softmax(x, axis, log, out)
// softmaxGrad(y, dy, axis, log, dx)
// softmaxCrossEntropy(logits, labels, labelSmoothing, loss, grad | null)
#include "args.h"

namespace tf {

static Napi::Value softmax(const Napi::CallbackInfo& info) {
  TensorView x = argTensor(info, 0, "x");
  const int axis = static_cast<int>(argInt(info, 1, "axis"));
  const bool log = argBool(info, 2, "log");
  TensorView out = argTensor(info, 3, "out");
  tf::softmax(x, axis, log, out);
  return info.Env().Undefined();
}

static Napi::Value softmaxGrad(const Napi::CallbackInfo& info) {
  TensorView y = argTensor(info, 0, "y");
  TensorView dy = argTensor(info, 1, "dy");
  const int axis = static_cast<int>(argInt(info, 2, "axis"));
  const bool log = argBool(info, 3, "log");
  TensorView dx = argTensor(info, 4, "dx");
  tf::softmaxGrad(y, dy, axis, log, dx);
  return info.Env().Undefined();
}

static Napi::Value softmaxCrossEntropy(const Napi::CallbackInfo& info) {
  TensorView logits = argTensor(info, 0, "logits");
  TensorView labels = argTensor(info, 1, "labels");
  const float labelSmoothing = static_cast<float>(argNumber(info, 2, "labelSmoothing"));
  TensorView loss = argTensor(info, 3, "loss");
  TensorView grad;
  const bool hasGrad = argOptionalTensor(info, 4, "grad", grad);
  tf::softmaxCrossEntropy(logits, labels, labelSmoothing, loss, hasGrad ? &grad : nullptr);
  return info.Env().Undefined();
}

void InitSoftmaxXent(Napi::Env env, Napi::Object exports) {
  TF_EXPORT(exports, softmax);
  TF_EXPORT(exports, softmaxGrad);
  TF_EXPORT(exports, softmaxCrossEntropy);
}

}  // namespace tf
