#include "args.h"
namespace tf {
void InitSoftmaxXent(Napi::Env, Napi::Object) {}
}  // namespace tf
