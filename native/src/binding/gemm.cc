// matmul(a, b, bias | null, out, transposeA, transposeB, activation, alpha)
#include "args.h"

namespace tf {

static Napi::Value matmul(const Napi::CallbackInfo& info) {
  TensorView a = argTensor(info, 0, "a");
  TensorView b = argTensor(info, 1, "b");
  TensorView bias;
  const bool hasBias = argOptionalTensor(info, 2, "bias", bias);
  TensorView out = argTensor(info, 3, "out");
  MatMulArgs args;
  args.transposeA = argBool(info, 4, "transposeA");
  args.transposeB = argBool(info, 5, "transposeB");
  args.activation = static_cast<Activation>(argInt(info, 6, "activation"));
  args.alpha = static_cast<float>(argNumber(info, 7, "alpha"));
  tf::matmul(a, b, hasBias ? &bias : nullptr, out, args);
  return info.Env().Undefined();
}

void InitGemm(Napi::Env env, Napi::Object exports) { TF_EXPORT(exports, matmul); }

}  // namespace tf
