#include "tensor_handle.h"

#include <cstring>
#include <string>

#include "args.h"

namespace tf {

namespace {

// Distinguishes our handles from any other wrapped object (napi_type_tag).
const napi_type_tag kHandleTag = {0x7466f0a9c1d24e55ULL, 0x9b3c41e8a7d05f12ULL};

// Flags of the constructor's fourth argument.
constexpr int kZero = 1;   // zero-fill new storage
constexpr int kAdopt = 2;  // use the source's memory without a copy when it is safe

Napi::FunctionReference* gConstructor = nullptr;

Shape shapeFromArray(const Napi::Value& v) {
  if (!v.IsArray()) throw Error("ERR_INVALID_ARG", "TensorHandle: expected shape to be an array of integers");
  Napi::Array a = v.As<Napi::Array>();
  Shape s(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    if (!e.IsNumber()) throw Error("ERR_INVALID_ARG", "TensorHandle: expected shape to be an array of integers");
    int64_t d = e.As<Napi::Number>().Int64Value();
    if (d < 0) throw Error("ERR_INVALID_ARG", "TensorHandle: shape dims must be >= 0, got " + std::to_string(d));
    s[i] = d;
  }
  return s;
}

napi_typedarray_type typedArrayTypeFor(DType d) {
  switch (d) {
    case DType::Float32: return napi_float32_array;
    case DType::Int32: return napi_int32_array;
    case DType::Bool: return napi_uint8_array;
  }
  return napi_uint8_array;
}

}  // namespace

Napi::Function TensorHandle::Init(Napi::Env env) {
  Napi::Function ctor = DefineClass(env, "TensorHandle",
      {InstanceMethod<&TensorHandle::Dispose>("dispose"), InstanceMethod<&TensorHandle::Read>("read"),
       InstanceMethod<&TensorHandle::Write>("write"), InstanceMethod<&TensorHandle::Reshape>("reshape"),
       InstanceAccessor<&TensorHandle::GetDtype>("dtype"), InstanceAccessor<&TensorHandle::GetShape>("shape"),
       InstanceAccessor<&TensorHandle::GetByteSize>("byteSize"),
       InstanceAccessor<&TensorHandle::GetDisposed>("disposed"),
       InstanceAccessor<&TensorHandle::GetDevice>("device"),
       InstanceAccessor<&TensorHandle::GetLayout>("layout")});
  gConstructor = new Napi::FunctionReference(Napi::Persistent(ctor));
  env.SetInstanceData<Napi::FunctionReference>(gConstructor);
  return ctor;
}

// new TensorHandle(dtype, shape, source?, flags?)
//   source: a typed array of the dtype's element type and exact size, or null.
TensorHandle::TensorHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorHandle>(info) {
  Napi::Env env = info.Env();
  info.This().As<Napi::Object>().TypeTag(&kHandleTag);
  // A handle made by Create() or Reshape() gets its storage right after construction.
  if (info.Length() == 0) return;
  try {
    if (!info[0].IsNumber()) throw Error("ERR_INVALID_ARG", "TensorHandle: expected dtype to be a number");
    int32_t dt = info[0].As<Napi::Number>().Int32Value();
    if (dt < 0 || dt > 2) throw Error("ERR_INVALID_ARG", "TensorHandle: unknown dtype code " + std::to_string(dt));
    dtype_ = static_cast<DType>(dt);
    shape_ = shapeFromArray(info[1]);
    int flags = info.Length() > 3 && info[3].IsNumber() ? info[3].As<Napi::Number>().Int32Value() : 0;
    size_t bytes = static_cast<size_t>(shapeSize(shape_)) * dtypeSize(dtype_);
    bool hasSource = info.Length() > 2 && !info[2].IsNull() && !info[2].IsUndefined();
    if (!hasSource) {
      storage_ = Storage::allocate(bytes, flags & kZero);
    } else {
      if (!info[2].IsTypedArray()) throw Error("ERR_INVALID_ARG", "TensorHandle: expected source to be a typed array");
      Napi::TypedArray src = info[2].As<Napi::TypedArray>();
      if (src.ByteLength() != bytes)
        throw Error("ERR_INVALID_ARG", "TensorHandle: source has " + std::to_string(src.ByteLength()) +
                                           " bytes but a " + dtypeName(dtype_) + " tensor of this shape needs " +
                                           std::to_string(bytes));
      Napi::ArrayBuffer ab = src.ArrayBuffer();
      uint8_t* p = static_cast<uint8_t*>(ab.Data()) + src.ByteOffset();
      bool aligned = reinterpret_cast<uintptr_t>(p) % 64 == 0;
      if ((flags & kAdopt) && aligned && bytes > 0) {
        // The caller gave the array up: keep its ArrayBuffer alive instead of copying.
        auto ref = std::make_shared<Napi::Reference<Napi::ArrayBuffer>>(Napi::Persistent(ab));
        storage_ = Storage::borrow(p, bytes, [ref]() { ref->Reset(); });
      } else {
        storage_ = Storage::allocate(bytes, false);
        if (bytes) std::memcpy(storage_->data(), p, bytes);
      }
    }
    if (storage_->owned()) {
      reportedBytes_ = static_cast<int64_t>(bytes);
      Napi::MemoryManagement::AdjustExternalMemory(env, reportedBytes_);
    }
  } catch (const Error& e) {
    makeError(env, e.code, e.what()).ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    makeError(env, "ERR_NATIVE", std::string("TensorHandle: ") + e.what()).ThrowAsJavaScriptException();
  }
}

TensorHandle::~TensorHandle() {
  // The finalizer: frees what the program forgot to dispose. V8's external
  // memory counter is only adjusted on explicit dispose (no env calls here).
  storage_.reset();
}

void TensorHandle::release() {
  if (!storage_) return;
  if (reportedBytes_) Napi::MemoryManagement::AdjustExternalMemory(Env(), -reportedBytes_);
  reportedBytes_ = 0;
  reportedBlocked_ = 0;
  storage_.reset();
}

TensorHandle* TensorHandle::From(const Napi::Value& value, const char* what) {
  if (!value.IsObject() || !value.As<Napi::Object>().CheckTypeTag(&kHandleTag))
    throw Error("ERR_INVALID_ARG", std::string("expected a TensorHandle for ") + what);
  TensorHandle* h = Unwrap(value.As<Napi::Object>());
  if (!h || h->disposed())
    throw Error("ERR_TENSOR_DISPOSED", std::string("the tensor passed as ") + what + " is disposed");
  return h;
}

Napi::Object TensorHandle::Create(Napi::Env env, DType dtype, const Shape& shape, bool zero) {
  Napi::Object obj = gConstructor->New({});
  TensorHandle* h = Unwrap(obj);
  h->dtype_ = dtype;
  h->shape_ = shape;
  size_t bytes = static_cast<size_t>(shapeSize(shape)) * dtypeSize(dtype);
  h->storage_ = Storage::allocate(bytes, zero);
  h->reportedBytes_ = static_cast<int64_t>(bytes);
  Napi::MemoryManagement::AdjustExternalMemory(env, h->reportedBytes_);
  return obj;
}

// Brings the plain bytes up to date from a blocked copy that a kernel left
// as the only current one. The copy stays: it still matches.
void TensorHandle::syncPlain() const {
  if (!storage_ || !storage_->plainStale) return;
  blockedToPlain(storage_->blocked, storage_->data());
  storage_->plainStale = false;
}

TensorView TensorHandle::view() const {
  syncPlain();
  if (storage_) storage_->blocked = {};
  TensorView v;
  v.data = storage_ ? storage_->data() : nullptr;
  v.dtype = dtype_;
  v.shape = shape_;
  return v;
}

TensorView TensorHandle::anyLayoutView() const {
  TensorView v;
  v.data = storage_ ? storage_->data() : nullptr;
  v.dtype = dtype_;
  v.shape = shape_;
  v.storage = storage_.get();
  return v;
}

// Only a growth is reported before dispose: a copy dropped later is given
// back with the handle (V8 only uses the figure to pace its collections).
void TensorHandle::accountBlocked(Napi::Env env) {
  if (!storage_ || !storage_->blocked) return;
  const auto bytes = static_cast<int64_t>(storage_->blocked.storage->bytes());
  if (bytes <= reportedBlocked_) return;
  Napi::MemoryManagement::AdjustExternalMemory(env, bytes - reportedBlocked_);
  reportedBytes_ += bytes - reportedBlocked_;
  reportedBlocked_ = bytes;
}

Napi::Value TensorHandle::Dispose(const Napi::CallbackInfo& info) {
  release();
  return info.Env().Undefined();
}

// A detached copy of the contents as a typed array of the dtype.
Napi::Value TensorHandle::Read(const Napi::CallbackInfo& info) {
  return guarded(info, "TensorHandle.read", [&]() -> Napi::Value {
    if (!storage_) throw Error("ERR_TENSOR_DISPOSED", "tensor is disposed");
    syncPlain();  // reading only: a blocked copy stays valid
    Napi::Env env = info.Env();
    size_t bytes = static_cast<size_t>(shapeSize(shape_)) * dtypeSize(dtype_);
    Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, bytes);
    if (bytes) std::memcpy(ab.Data(), storage_->data(), bytes);
    size_t n = static_cast<size_t>(shapeSize(shape_));
    napi_value out;
    napi_status st = napi_create_typedarray(env, typedArrayTypeFor(dtype_), n, ab, 0, &out);
    if (st != napi_ok) throw Error("ERR_NATIVE", "could not create a typed array");
    return Napi::Value(env, out);
  });
}

// Overwrites the contents from a typed array of exactly the same byte size.
Napi::Value TensorHandle::Write(const Napi::CallbackInfo& info) {
  return guarded(info, "TensorHandle.write", [&]() -> Napi::Value {
    if (!storage_) throw Error("ERR_TENSOR_DISPOSED", "tensor is disposed");
    if (!info[0].IsTypedArray()) throw Error("ERR_INVALID_ARG", "expected a typed array");
    Napi::TypedArray src = info[0].As<Napi::TypedArray>();
    size_t bytes = static_cast<size_t>(shapeSize(shape_)) * dtypeSize(dtype_);
    if (src.ByteLength() != bytes) throw Error("ERR_INVALID_ARG", "source byte size does not match the tensor");
    storage_->blocked = {};  // overwritten whole: the blocked copy is out of date, stale plain bytes do not matter
    storage_->plainStale = false;
    if (bytes) std::memcpy(storage_->data(), static_cast<uint8_t*>(src.ArrayBuffer().Data()) + src.ByteOffset(), bytes);
    return info.Env().Undefined();
  });
}

// A new handle over the same storage with another shape of the same size: no copy.
Napi::Value TensorHandle::Reshape(const Napi::CallbackInfo& info) {
  return guarded(info, "TensorHandle.reshape", [&]() -> Napi::Value {
    if (!storage_) throw Error("ERR_TENSOR_DISPOSED", "tensor is disposed");
    Shape s = shapeFromArray(info[0]);
    if (shapeSize(s) != shapeSize(shape_)) throw Error("ERR_INVALID_ARG", "reshape must keep the number of elements");
    Napi::Object obj = gConstructor->New({});
    TensorHandle* h = Unwrap(obj);
    h->dtype_ = dtype_;
    h->shape_ = std::move(s);
    h->storage_ = storage_;
    return obj;
  });
}

Napi::Value TensorHandle::GetDtype(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int32_t>(dtype_));
}
Napi::Value TensorHandle::GetShape(const Napi::CallbackInfo& info) {
  Napi::Array a = Napi::Array::New(info.Env(), shape_.size());
  for (uint32_t i = 0; i < shape_.size(); i++) a.Set(i, Napi::Number::New(info.Env(), static_cast<double>(shape_[i])));
  return a;
}
Napi::Value TensorHandle::GetByteSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(shapeSize(shape_) * dtypeSize(dtype_)));
}
Napi::Value TensorHandle::GetDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !storage_);
}
Napi::Value TensorHandle::GetDevice(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), "cpu"); }
// Where the contents are, for tests and debugging: 'plain', 'blocked' (only a
// blocked copy is current) or 'both'.
Napi::Value TensorHandle::GetLayout(const Napi::CallbackInfo& info) {
  const char* where = !storage_ || !storage_->blocked ? "plain" : storage_->plainStale ? "blocked" : "both";
  return Napi::String::New(info.Env(), where);
}

}  // namespace tf
