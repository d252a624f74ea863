// TensorHandle: the JS object that owns a tensor's memory. Type-tagged so a
// foreign object passed where a handle is expected is an error, not a crash.
#pragma once
#include <napi.h>

#include <memory>

#include "../core/tensor.h"

namespace tf {

class TensorHandle : public Napi::ObjectWrap<TensorHandle> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit TensorHandle(const Napi::CallbackInfo& info);
  ~TensorHandle() override;

  // Unwraps `value` as a live handle or throws a TypeError naming `what`.
  static TensorHandle* From(const Napi::Value& value, const char* what);
  // Creates a new JS handle with fresh (uninitialised unless zero) storage.
  static Napi::Object Create(Napi::Env env, DType dtype, const Shape& shape, bool zero);

  // The plain row-major contents, for any kernel: a copy that a kernel left
  // blocked is converted first, and dropped, since the caller may write.
  TensorView view() const;
  // For the layout-aware kernels: the view also names the storage, whose
  // blocked copy they read or set (the plain bytes may then be stale).
  TensorView anyLayoutView() const;
  // Tells V8 about the bytes of a blocked copy a kernel attached.
  void accountBlocked(Napi::Env env);
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  bool disposed() const { return !storage_; }

 private:
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value Read(const Napi::CallbackInfo& info);
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value Reshape(const Napi::CallbackInfo& info);
  Napi::Value GetDtype(const Napi::CallbackInfo& info);
  Napi::Value GetShape(const Napi::CallbackInfo& info);
  Napi::Value GetByteSize(const Napi::CallbackInfo& info);
  Napi::Value GetDisposed(const Napi::CallbackInfo& info);
  Napi::Value GetDevice(const Napi::CallbackInfo& info);
  Napi::Value GetLayout(const Napi::CallbackInfo& info);

  void release();
  void syncPlain() const;

  std::shared_ptr<Storage> storage_;
  DType dtype_ = DType::Float32;
  Shape shape_;
  int64_t reportedBytes_ = 0;  // what we told V8 via napi_adjust_external_memory
  int64_t reportedBlocked_ = 0;  // the part of it for blocked copies
};

}  // namespace tf
