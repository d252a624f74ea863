// rnnWorkspaceBytes(kind, activation, goBackwards, xShape, units, returnSequences, hasInitialState) -> bytes
// rnnForward(kind, activation, goBackwards, x, h0 | null, c0 | null, kernel, recurrentKernel, bias | null,
//            y, hT, cT | null, workspace | null)
// rnnBackward(kind, activation, goBackwards, x, h0 | null, c0 | null, kernel, recurrentKernel, bias | null,
//             y, hT, cT | null, workspace, dy, dhT, dcT | null,
//             dx | null, dh0 | null, dc0 | null, dkernel | null, drecurrentKernel | null, dbias | null)
#include "args.h"

namespace tf {

static RnnArgs argRnn(const Napi::CallbackInfo& info) {
  RnnArgs a;
  a.kind = static_cast<RnnKind>(argInt(info, 0, "kind"));
  a.activation = static_cast<Activation>(argInt(info, 1, "activation"));
  a.goBackwards = argBool(info, 2, "goBackwards");
  return a;
}

// Tensors at info[i]; optional ones land in `store` and are pointed to when present.
struct TensorArgs {
  TensorView store[32];
  int used = 0;
  const TensorView* required(const Napi::CallbackInfo& info, size_t i, const char* what) {
    store[used] = argTensor(info, i, what);
    return &store[used++];
  }
  const TensorView* optional(const Napi::CallbackInfo& info, size_t i, const char* what) {
    if (!argOptionalTensor(info, i, what, store[used])) return nullptr;
    return &store[used++];
  }
};

// The forward's tensors, info[3..12].
static RnnTensors argTensors(const Napi::CallbackInfo& info, TensorArgs& ta, bool workspaceRequired) {
  RnnTensors t;
  t.x = ta.required(info, 3, "x");
  t.h0 = ta.optional(info, 4, "h0");
  t.c0 = ta.optional(info, 5, "c0");
  t.kernel = ta.required(info, 6, "kernel");
  t.recurrentKernel = ta.required(info, 7, "recurrentKernel");
  t.bias = ta.optional(info, 8, "bias");
  t.y = ta.required(info, 9, "y");
  t.hT = ta.required(info, 10, "hT");
  t.cT = ta.optional(info, 11, "cT");
  t.workspace = workspaceRequired ? ta.required(info, 12, "workspace") : ta.optional(info, 12, "workspace");
  return t;
}

static Napi::Value rnnWorkspaceBytes(const Napi::CallbackInfo& info) {
  const RnnArgs a = argRnn(info);
  const Shape x = argInts(info, 3, "xShape");
  const int64_t units = argInt(info, 4, "units");
  const bool sequences = argBool(info, 5, "returnSequences");
  const bool hasState = argBool(info, 6, "hasInitialState");
  return Napi::Number::New(info.Env(), static_cast<double>(tf::rnnWorkspaceBytes(a, x, units, sequences, hasState)));
}

static Napi::Value rnnForward(const Napi::CallbackInfo& info) {
  const RnnArgs a = argRnn(info);
  TensorArgs ta;
  const RnnTensors t = argTensors(info, ta, false);
  tf::rnnForward(a, t);
  return info.Env().Undefined();
}

static Napi::Value rnnBackward(const Napi::CallbackInfo& info) {
  const RnnArgs a = argRnn(info);
  TensorArgs ta;
  const RnnTensors t = argTensors(info, ta, true);
  RnnGrads g;
  g.dy = ta.required(info, 13, "dy");
  g.dhT = ta.required(info, 14, "dhT");
  g.dcT = ta.optional(info, 15, "dcT");
  g.dx = ta.optional(info, 16, "dx");
  g.dh0 = ta.optional(info, 17, "dh0");
  g.dc0 = ta.optional(info, 18, "dc0");
  g.dkernel = ta.optional(info, 19, "dkernel");
  g.drecurrentKernel = ta.optional(info, 20, "drecurrentKernel");
  g.dbias = ta.optional(info, 21, "dbias");
  tf::rnnBackward(a, t, g);
  return info.Env().Undefined();
}

void InitRnn(Napi::Env env, Napi::Object exports) {
  TF_EXPORT(exports, rnnWorkspaceBytes);
  TF_EXPORT(exports, rnnForward);
  TF_EXPORT(exports, rnnBackward);
}

}  // namespace tf
