// Argument unpacking for binding functions. lib/ validates every argument with
// full messages; these are the cheap guards that keep a bad call from reaching
// a kernel, plus the one wrapper that turns every C++ exception into a JS one.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "../core/kernels.h"
#include "tensor_handle.h"

namespace tf {

inline Napi::Error makeError(Napi::Env env, const std::string& code, const std::string& msg) {
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

// Every exported function goes through this: a tf::Error keeps its code, a
// vendor exception (dnnl::error, std::bad_alloc, ...) keeps its message.
template <class F>
Napi::Value guarded(const Napi::CallbackInfo& info, const char* name, F&& body) {
  Napi::Env env = info.Env();
  try {
    return body();
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  } catch (const Error& e) {
    makeError(env, e.code, std::string(name) + ": " + e.what()).ThrowAsJavaScriptException();
  } catch (const std::bad_alloc&) {
    makeError(env, "ERR_OUT_OF_MEMORY", std::string(name) + ": out of host memory").ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    makeError(env, "ERR_NATIVE", std::string(name) + ": " + e.what()).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

#define TF_EXPORT(exports, fn) exports.Set(#fn, Napi::Function::New(env, [](const Napi::CallbackInfo& info) { \
    return guarded(info, #fn, [&] { return fn(info); });                                                       \
  }, #fn))

inline TensorView argTensor(const Napi::CallbackInfo& info, size_t i, const char* what) {
  return TensorHandle::From(info[i], what)->view();
}
// The arguments of a layout-aware kernel: views that may carry blocked
// copies (cpu/layout.h). account() then tells V8 of the copies it attached.
class LayoutArgs {
 public:
  explicit LayoutArgs(const Napi::CallbackInfo& info) : info_(info) {}
  TensorView tensor(size_t i, const char* what) {
    TensorHandle* h = TensorHandle::From(info_[i], what);
    handles_.push_back(h);
    return h->anyLayoutView();
  }
  bool optionalTensor(size_t i, const char* what, TensorView& out) {
    if (info_[i].IsNull() || info_[i].IsUndefined()) return false;
    out = tensor(i, what);
    return true;
  }
  void account() {
    for (TensorHandle* h : handles_) h->accountBlocked(info_.Env());
  }

 private:
  const Napi::CallbackInfo& info_;
  std::vector<TensorHandle*> handles_;
};

// Optional tensor: null/undefined gives a view with data == nullptr.
inline bool argOptionalTensor(const Napi::CallbackInfo& info, size_t i, const char* what, TensorView& out) {
  if (info[i].IsNull() || info[i].IsUndefined()) return false;
  out = TensorHandle::From(info[i], what)->view();
  return true;
}
inline double argNumber(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsNumber()) throw Error("ERR_INVALID_ARG", std::string("expected a number for ") + what);
  return info[i].As<Napi::Number>().DoubleValue();
}
inline int64_t argInt(const Napi::CallbackInfo& info, size_t i, const char* what) {
  return static_cast<int64_t>(argNumber(info, i, what));
}
inline bool argBool(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsBoolean()) throw Error("ERR_INVALID_ARG", std::string("expected a boolean for ") + what);
  return info[i].As<Napi::Boolean>().Value();
}
inline std::vector<int64_t> argInts(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsArray()) throw Error("ERR_INVALID_ARG", std::string("expected an array of integers for ") + what);
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<int64_t> v(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value e = a.Get(k);
    if (!e.IsNumber()) throw Error("ERR_INVALID_ARG", std::string("expected an array of integers for ") + what);
    v[k] = e.As<Napi::Number>().Int64Value();
  }
  return v;
}
inline std::vector<int> argInts32(const Napi::CallbackInfo& info, size_t i, const char* what) {
  auto v = argInts(info, i, what);
  return std::vector<int>(v.begin(), v.end());
}
inline std::vector<TensorView> argTensors(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsArray()) throw Error("ERR_INVALID_ARG", std::string("expected an array of tensors for ") + what);
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<TensorView> v;
  v.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) v.push_back(TensorHandle::From(a.Get(k), what)->view());
  return v;
}

// One Init per kernel family, each in its own binding file.
void InitGemm(Napi::Env env, Napi::Object exports);
void InitConv(Napi::Env env, Napi::Object exports);
void InitElementwise(Napi::Env env, Napi::Object exports);
void InitReduce(Napi::Env env, Napi::Object exports);
void InitSoftmaxXent(Napi::Env env, Napi::Object exports);
void InitOptim(Napi::Env env, Napi::Object exports);
void InitRandom(Napi::Env env, Napi::Object exports);
void InitShape(Napi::Env env, Napi::Object exports);
void InitRuntime(Napi::Env env, Napi::Object exports);
void InitPool(Napi::Env env, Napi::Object exports);
void InitNorm(Napi::Env env, Napi::Object exports);
void InitResize(Napi::Env env, Napi::Object exports);
void InitRnn(Napi::Env env, Napi::Object exports);
void InitCuda(Napi::Env env, Napi::Object exports);

}  // namespace tf
