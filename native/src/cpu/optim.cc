// Fused optimizer updates: each variable and its slots are read and written
// once, in place. The rules are TensorFlow.js's (tfjs-core/src/optimizers), so
// a model trained here follows the trajectory it would follow there; the one
// place where we part from it is marked "Differs from tfjs". AdamW, Nadam
// and Lion, which tfjs lacks, follow Keras 3 (keras/src/optimizers).
#include <algorithm>
#include <cmath>
#include <string>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#endif

#include "../core/kernels.h"
#include "dnnl_context.h"

namespace tf {

// std::sqrt may set errno, so without -fno-math-errno GCC refuses to
// vectorise any loop that calls it (Adam on 157k floats: ~490 us scalar
// against ~60 us vectorised). The updates therefore run in blocks: one
// vectorised pass computes the sqrt arguments, this takes their roots with
// the vector instruction, a second pass finishes the update.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target("avx512f"))) void optimSqrtInPlace(float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    _mm512_storeu_ps(x + i, _mm512_mask_sqrt_ps(v, 0xFFFF, v));  // the unmasked form trips a GCC 12 warning
  }
  for (; i < n; i++) x[i] = std::sqrt(x[i]);
}
__attribute__((target("avx"))) void optimSqrtInPlace(float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_sqrt_ps(_mm256_loadu_ps(x + i)));
  for (; i < n; i++) x[i] = std::sqrt(x[i]);
}
__attribute__((target("default"))) void optimSqrtInPlace(float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) _mm_storeu_ps(x + i, _mm_sqrt_ps(_mm_loadu_ps(x + i)));
  for (; i < n; i++) x[i] = std::sqrt(x[i]);
}
#else
void optimSqrtInPlace(float* x, int64_t n) {
  for (int64_t i = 0; i < n; i++) x[i] = std::sqrt(x[i]);
}
#endif

namespace {

// Elements per block: the sqrt buffer and the block's slices stay in L1.
constexpr int64_t kBlock = 512;
// Below this many elements one thread is done before a team has woken up.
constexpr int64_t kParallelMin = 1 << 15;

// Per-call constants; the bias corrections are formed in double, where tfjs
// multiplies a float32 beta^t up step by step (the same to within rounding).
struct Coeffs {
  float lr, b1, b2, eps, momentum, rho;
  float stepLr;    // adam, adamax: lr / (1 - beta1^t); adamw: lr * sqrt(1 - beta2^t) / (1 - beta1^t)
  float invBias2;  // adam, nadam: 1 / (1 - beta2^t); adamw: 1
  float keep;      // adamw, lion: 1 - lr * weightDecay
  float nadamM;    // nadam: lr * u_{t+1} / (1 - prod_{i<=t+1} u_i), the factor of the new m
  float nadamG;    // nadam: lr * (1 - u_t) / (1 - prod_{i<=t} u_i), the factor of g
};

TF_MULTIVERSION
void sgdBlock(float* __restrict p, const float* __restrict g, int64_t n, float lr) {
  for (int64_t i = 0; i < n; i++) p[i] -= lr * g[i];
}

TF_MULTIVERSION
void momentumBlock(float* __restrict p, const float* __restrict g, float* __restrict a, int64_t n, float lr, float m,
                   bool nesterov) {
  if (nesterov) {
    for (int64_t i = 0; i < n; i++) {
      const float ai = m * a[i] + g[i];
      a[i] = ai;
      p[i] -= lr * (g[i] + m * ai);
    }
  } else {
    for (int64_t i = 0; i < n; i++) {
      const float ai = m * a[i] + g[i];
      a[i] = ai;
      p[i] -= lr * ai;
    }
  }
}

// Adam, AdamW and Nadam share their moments, m = b1 m + (1 - b1) g and
// v = b2 v + (1 - b2) g^2, and the root of v; only the final update differs.
// Adam (tfjs): p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), epsilon
// outside the root. AdamW is Keras's: it first decays p by lr * weightDecay * p
// (decoupled, on the value before this step's update), and its epsilon is
// added to sqrt(v) before the bias correction, p -= alpha * m / (sqrt(v) + eps)
// with alpha = lr * sqrt(1 - b2^t) / (1 - b1^t): Adam's loop with other
// coefficients (stepLr = alpha, invBias2 = 1). Nadam (`nadam`) is Keras's, with
// Dozat's momentum schedule u_t = b1 (1 - 0.5 * 0.96^t):
// p -= lr * (u_{t+1} m / (1 - U_{t+1}) + (1 - u_t) g / (1 - U_t)) / (sqrt(v / (1 - b2^t)) + eps)
// with U_t the product of u_1 .. u_t; lr is folded into nadamM and nadamG.
TF_MULTIVERSION
void adamBlock(float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v, int64_t n,
               const Coeffs& k, bool nadam) {
  alignas(64) float root[kBlock];
  const float b1 = k.b1, b2 = k.b2, c1 = 1.f - k.b1, c2 = 1.f - k.b2, invBias2 = k.invBias2;
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = b1 * m[i] + c1 * gi;
    const float vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    root[i] = vi * invBias2;
  }
  optimSqrtInPlace(root, n);
  const float eps = k.eps;
  if (nadam) {
    const float cm = k.nadamM, cg = k.nadamG;
    for (int64_t i = 0; i < n; i++) p[i] -= (cm * m[i] + cg * g[i]) / (root[i] + eps);
  } else {
    const float stepLr = k.stepLr, keep = k.keep;
    for (int64_t i = 0; i < n; i++) p[i] = p[i] * keep - stepLr * m[i] / (root[i] + eps);
  }
}

// tfjs: u = max(b2 * u, |g|); p -= lr / (1 - b1^t) * m / (u + eps).
TF_MULTIVERSION
void adamaxBlock(float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict u, int64_t n,
                 const Coeffs& k) {
  const float b1 = k.b1, b2 = k.b2, c1 = 1.f - k.b1, stepLr = k.stepLr, eps = k.eps;
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = b1 * m[i] + c1 * gi;
    const float ui = std::max(b2 * u[i], std::fabs(gi));
    m[i] = mi;
    u[i] = ui;
    p[i] -= stepLr * mi / (ui + eps);
  }
}

// tfjs: ms = rho ms + (1 - rho) g^2; mom = momentum mom + lr g / sqrt(ms + eps);
// p -= mom. Centered also tracks mg = rho mg + (1 - rho) g and divides by
// sqrt(ms - mg^2 + eps). Differs from tfjs: tfjs writes sqrt(ms - (mg^2 + eps)),
// which is NaN whenever the variance estimate is below epsilon (small or
// constant gradients); we add epsilon as TensorFlow and Keras do.
TF_MULTIVERSION
void rmspropBlock(float* __restrict p, const float* __restrict g, float* __restrict ms, float* __restrict mom,
                  float* __restrict mg, int64_t n, const Coeffs& k) {
  alignas(64) float root[kBlock];
  const float rho = k.rho, c = 1.f - k.rho, eps = k.eps;
  if (mg) {
    for (int64_t i = 0; i < n; i++) {
      const float gi = g[i];
      const float msi = rho * ms[i] + c * gi * gi;
      const float mgi = rho * mg[i] + c * gi;
      ms[i] = msi;
      mg[i] = mgi;
      root[i] = msi - mgi * mgi + eps;
    }
  } else {
    for (int64_t i = 0; i < n; i++) {
      const float gi = g[i];
      const float msi = rho * ms[i] + c * gi * gi;
      ms[i] = msi;
      root[i] = msi + eps;
    }
  }
  optimSqrtInPlace(root, n);
  const float lr = k.lr, momentum = k.momentum;
  for (int64_t i = 0; i < n; i++) {
    const float mi = momentum * mom[i] + lr * g[i] / root[i];
    mom[i] = mi;
    p[i] -= mi;
  }
}

// tfjs: a += g^2; p -= lr * g / sqrt(a + eps).
TF_MULTIVERSION
void adagradBlock(float* __restrict p, const float* __restrict g, float* __restrict a, int64_t n, const Coeffs& k) {
  alignas(64) float root[kBlock];
  const float eps = k.eps;
  for (int64_t i = 0; i < n; i++) {
    const float ai = a[i] + g[i] * g[i];
    a[i] = ai;
    root[i] = ai + eps;
  }
  optimSqrtInPlace(root, n);
  const float lr = k.lr;
  for (int64_t i = 0; i < n; i++) p[i] -= lr * g[i] / root[i];
}

// tfjs: upd = sqrt(au + eps) / sqrt(ag + eps) * g with ag taken BEFORE this
// step's update (tfjs divides by the old accumulator, unlike TensorFlow's
// ApplyAdadelta); then ag = rho ag + (1 - rho) g^2,
// au = rho au + (1 - rho) upd^2, p -= lr * upd. The two roots are taken as
// one root of the quotient.
TF_MULTIVERSION
void adadeltaBlock(float* __restrict p, const float* __restrict g, float* __restrict ag, float* __restrict au,
                   int64_t n, const Coeffs& k) {
  alignas(64) float root[kBlock];
  const float rho = k.rho, c = 1.f - k.rho, eps = k.eps;
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    root[i] = (au[i] + eps) / (ag[i] + eps);
    ag[i] = rho * ag[i] + c * gi * gi;
  }
  optimSqrtInPlace(root, n);
  const float lr = k.lr;
  for (int64_t i = 0; i < n; i++) {
    const float upd = root[i] * g[i];
    au[i] = rho * au[i] + c * upd * upd;
    p[i] -= lr * upd;
  }
}

// Keras's Lion (Chen et al. 2023): p = p * (1 - lr * weightDecay) - lr * sign(b1 m + (1 - b1) g),
// then m = b2 m + (1 - b2) g. sign(0) is 0, as ops.sign.
TF_MULTIVERSION
void lionBlock(float* __restrict p, const float* __restrict g, float* __restrict m, int64_t n, const Coeffs& k) {
  const float b1 = k.b1, c1 = 1.f - k.b1, b2 = k.b2, c2 = 1.f - k.b2, lr = k.lr, keep = k.keep;
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i], mi = m[i];
    const float c = b1 * mi + c1 * gi;
    const float sign = static_cast<float>(c > 0.f) - static_cast<float>(c < 0.f);
    p[i] = p[i] * keep - lr * sign;
    m[i] = b2 * mi + c2 * gi;
  }
}

size_t slotCount(OptimKind kind, bool centered) {
  switch (kind) {
    case OptimKind::Sgd: return 0;
    case OptimKind::Momentum: return 1;
    case OptimKind::Adam: return 2;
    case OptimKind::AdamW: return 2;
    case OptimKind::Adamax: return 2;
    case OptimKind::Rmsprop: return centered ? 3 : 2;
    case OptimKind::Adagrad: return 1;
    case OptimKind::Adadelta: return 2;
    case OptimKind::Nadam: return 2;
    case OptimKind::Lion: return 1;
  }
  throw Error("ERR_INVALID_ARG", "unknown optimizer kind " + std::to_string(static_cast<int>(kind)));
}

}  // namespace

void optimStep(OptimKind kind, const TensorView& param, const TensorView& grad,
               const std::vector<TensorView>& slots, const OptimHyper& h) {
  const size_t want = slotCount(kind, h.centered);
  if (slots.size() != want)
    throw Error("ERR_INVALID_ARG", "this optimizer needs " + std::to_string(want) + " slot(s) per variable, got " +
                                       std::to_string(slots.size()));
  const int64_t n = param.size();
  if (param.dtype != DType::Float32 || grad.dtype != DType::Float32)
    throw Error("ERR_UNSUPPORTED_DTYPE", "params and grads must be float32");
  if (grad.size() != n) throw Error("ERR_SHAPE_MISMATCH", "a gradient's size differs from its variable's");
  for (const TensorView& s : slots) {
    if (s.dtype != DType::Float32 || s.size() != n)
      throw Error("ERR_SHAPE_MISMATCH", "every slot must be float32 and sized like its variable");
  }
  const bool biasCorrected =
      kind == OptimKind::Adam || kind == OptimKind::AdamW || kind == OptimKind::Adamax || kind == OptimKind::Nadam;
  if (biasCorrected && h.step < 1)
    throw Error("ERR_INVALID_ARG", "step must be >= 1, got " + std::to_string(h.step));

  Coeffs k;
  k.lr = h.lr;
  k.b1 = h.beta1;
  k.b2 = h.beta2;
  k.eps = h.epsilon;
  k.momentum = h.momentum;
  k.rho = h.rho;
  const double t = static_cast<double>(h.step), lr = h.lr, b1 = h.beta1;
  const double bias1 = 1.0 - std::pow(b1, t), bias2 = 1.0 - std::pow(static_cast<double>(h.beta2), t);
  if (kind == OptimKind::AdamW) {
    k.stepLr = static_cast<float>(lr * std::sqrt(bias2) / bias1);
    k.invBias2 = 1.f;
  } else {
    k.stepLr = static_cast<float>(lr / bias1);
    k.invBias2 = static_cast<float>(1.0 / bias2);
  }
  const bool decays = kind == OptimKind::AdamW || kind == OptimKind::Lion;
  k.keep = decays ? static_cast<float>(1.0 - lr * h.weightDecay) : 1.f;
  if (kind == OptimKind::Nadam) {
    const double uT = b1 * (1.0 - 0.5 * std::pow(0.96, t)), uNext = b1 * (1.0 - 0.5 * std::pow(0.96, t + 1));
    k.nadamM = static_cast<float>(lr * uNext / (1.0 - h.uProduct * uNext));
    k.nadamG = static_cast<float>(lr * (1.0 - uT) / (1.0 - h.uProduct));
  } else {
    k.nadamM = k.nadamG = 0.f;
  }

  float* p = param.f32();
  const float* g = grad.f32();
  float* s0 = want > 0 ? slots[0].f32() : nullptr;
  float* s1 = want > 1 ? slots[1].f32() : nullptr;
  float* s2 = want > 2 ? slots[2].f32() : nullptr;
  const auto update = [&](int64_t b) {
    const int64_t o = b * kBlock, len = std::min(kBlock, n - o);
    switch (kind) {
      case OptimKind::Sgd: sgdBlock(p + o, g + o, len, k.lr); break;
      case OptimKind::Momentum: momentumBlock(p + o, g + o, s0 + o, len, k.lr, k.momentum, h.nesterov); break;
      case OptimKind::Adam:
      case OptimKind::AdamW: adamBlock(p + o, g + o, s0 + o, s1 + o, len, k, false); break;
      case OptimKind::Adamax: adamaxBlock(p + o, g + o, s0 + o, s1 + o, len, k); break;
      case OptimKind::Rmsprop: rmspropBlock(p + o, g + o, s0 + o, s1 + o, s2 ? s2 + o : nullptr, len, k); break;
      case OptimKind::Adagrad: adagradBlock(p + o, g + o, s0 + o, len, k); break;
      case OptimKind::Adadelta: adadeltaBlock(p + o, g + o, s0 + o, s1 + o, len, k); break;
      case OptimKind::Nadam: adamBlock(p + o, g + o, s0 + o, s1 + o, len, k, true); break;
      case OptimKind::Lion: lionBlock(p + o, g + o, s0 + o, len, k); break;
    }
  };
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  // Small variables (biases) skip OpenMP: even `parallel if (false)` costs ~0.4 us.
  if (n <= kParallelMin) {
    for (int64_t b = 0; b < blocks; b++) update(b);
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < blocks; b++) update(b);
}

}  // namespace tf
