// resizeBilinear(x, alignCorners, halfPixelCenters, out)
// resizeBilinearGrad(dy, alignCorners, halfPixelCenters, dx)
// resizeNearest(x, alignCorners, halfPixelCenters, out)
// resizeNearestGrad(dy, alignCorners, halfPixelCenters, dx)
#include "args.h"

namespace tf {

using ResizeKernel = void (*)(const TensorView&, bool, bool, const TensorView&);

static Napi::Value callResize(const Napi::CallbackInfo& info, ResizeKernel kernel) {
  TensorView src = argTensor(info, 0, "x");
  const bool alignCorners = argBool(info, 1, "alignCorners");
  const bool halfPixelCenters = argBool(info, 2, "halfPixelCenters");
  TensorView dst = argTensor(info, 3, "out");
  kernel(src, alignCorners, halfPixelCenters, dst);
  return info.Env().Undefined();
}

static Napi::Value resizeBilinear(const Napi::CallbackInfo& info) { return callResize(info, tf::resizeBilinear); }
static Napi::Value resizeBilinearGrad(const Napi::CallbackInfo& info) { return callResize(info, tf::resizeBilinearGrad); }
static Napi::Value resizeNearest(const Napi::CallbackInfo& info) { return callResize(info, tf::resizeNearest); }
static Napi::Value resizeNearestGrad(const Napi::CallbackInfo& info) { return callResize(info, tf::resizeNearestGrad); }

void InitResize(Napi::Env env, Napi::Object exports) {
  TF_EXPORT(exports, resizeBilinear);
  TF_EXPORT(exports, resizeBilinearGrad);
  TF_EXPORT(exports, resizeNearest);
  TF_EXPORT(exports, resizeNearestGrad);
}

}  // namespace tf
