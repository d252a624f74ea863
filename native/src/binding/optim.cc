#include "args.h"
namespace tf {
void InitOptim(Napi::Env, Napi::Object) {}
}  // namespace tf
