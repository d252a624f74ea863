// The fused activations (kernels.h's Activation) as oneDNN eltwise post-ops,
// shared by every primitive that ends in one (matmul, convolution).
#pragma once
#include <string>

#include "../core/kernels.h"
#include "dnnl.hpp"

namespace tf {
namespace cpu {

constexpr float kSeluAlpha = 1.6732632423543772f;
constexpr float kSeluScale = 1.0507009873554805f;

// oneDNN's soft_relu is off by ~2e-6 and goes negative below -15, so
// softplus runs as our own pass after the primitive instead of as a post-op.
inline bool fusable(Activation act) { return act != Activation::Softplus; }

// Selu is elu scaled, which the post-op's own scale expresses.
inline void appendActivation(dnnl::post_ops& ops, Activation act, float alpha) {
  using A = dnnl::algorithm;
  switch (act) {
    case Activation::Linear:
    case Activation::Softplus: return;
    case Activation::Relu: ops.append_eltwise(1.f, A::eltwise_relu, 0.f, 0.f); return;
    case Activation::Relu6: ops.append_eltwise(1.f, A::eltwise_clip, 0.f, 6.f); return;
    case Activation::Sigmoid: ops.append_eltwise(1.f, A::eltwise_logistic, 0.f, 0.f); return;
    case Activation::Tanh: ops.append_eltwise(1.f, A::eltwise_tanh, 0.f, 0.f); return;
    case Activation::Elu: ops.append_eltwise(1.f, A::eltwise_elu, alpha, 0.f); return;
    case Activation::Selu: ops.append_eltwise(kSeluScale, A::eltwise_elu, kSeluAlpha, 0.f); return;
    case Activation::LeakyRelu: ops.append_eltwise(1.f, A::eltwise_relu, alpha, 0.f); return;
    case Activation::Swish: ops.append_eltwise(1.f, A::eltwise_swish, 1.f, 0.f); return;
    case Activation::Gelu: ops.append_eltwise(1.f, A::eltwise_gelu_erf, 0.f, 0.f); return;
  }
  throw Error("ERR_UNSUPPORTED", "unknown activation code " + std::to_string(static_cast<int>(act)));
}

// The elementwise op that applies an activation on its own (the unfused path).
inline UnaryOp activationOp(Activation act) {
  switch (act) {
    case Activation::Relu: return UnaryOp::Relu;
    case Activation::Relu6: return UnaryOp::Relu6;
    case Activation::Sigmoid: return UnaryOp::Sigmoid;
    case Activation::Tanh: return UnaryOp::Tanh;
    case Activation::Elu: return UnaryOp::Elu;
    case Activation::Selu: return UnaryOp::Selu;
    case Activation::LeakyRelu: return UnaryOp::LeakyRelu;
    case Activation::Softplus: return UnaryOp::Softplus;
    case Activation::Swish: return UnaryOp::Swish;
    case Activation::Gelu: return UnaryOp::Gelu;
    case Activation::Linear: break;
  }
  throw Error("ERR_UNSUPPORTED", "unknown activation code " + std::to_string(static_cast<int>(act)));
}

}  // namespace cpu
}  // namespace tf
