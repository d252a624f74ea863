// Counter-based random numbers: Philox4x32-10 (Salmon et al., "Parallel random
// numbers: as easy as 1, 2, 3", SC 2011) keyed by the 64-bit seed. Element i
// of a call is a pure function of (seed, offset + i), so results do not depend
// on the thread count or on how the range is split, and lib can hand out
// disjoint streams by advancing the offset.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "../core/kernels.h"
#include "dnnl_context.h"

namespace tf {
namespace {

// Below this many elements one thread is done before a team has woken up.
constexpr int64_t kParallelMin = 1 << 14;

struct Words {
  uint32_t w[4];
};

// Counter = (64-bit element counter, attempt, 0): `attempt` numbers the
// further blocks a truncated normal draws when it has to redraw.
inline Words philox(uint64_t seed, uint64_t counter, uint32_t attempt) {
  uint32_t c0 = static_cast<uint32_t>(counter), c1 = static_cast<uint32_t>(counter >> 32), c2 = attempt, c3 = 0;
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; round++) {
    const uint64_t p0 = static_cast<uint64_t>(0xD2511F53u) * c0;
    const uint64_t p1 = static_cast<uint64_t>(0xCD9E8D57u) * c2;
    const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1 ^ k0;
    const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3 ^ k1;
    c1 = static_cast<uint32_t>(p1);
    c3 = static_cast<uint32_t>(p0);
    c0 = n0;
    c2 = n2;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return {{c0, c1, c2, c3}};
}

// [0, 1) with 24 random bits: every value is exact in float.
inline float unit24(uint32_t w) { return static_cast<float>(w >> 8) * (1.f / 16777216.f); }

TF_MULTIVERSION
void uniformFloatRange(uint64_t seed, uint64_t first, float low, float span, float below, float* out, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float v = low + span * unit24(philox(seed, first + i, 0).w[0]);
    // low + span * u can round up to high; the range is half-open.
    out[i] = std::min(v, below);
  }
}

void uniformIntRange(uint64_t seed, uint64_t first, double low, double span, double maxValue, int32_t* out,
                     int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const double u = philox(seed, first + i, 0).w[0] * (1.0 / 4294967296.0);
    out[i] = static_cast<int32_t>(std::min(std::floor(low + span * u), maxValue));
  }
}

// Box-Muller: a pair of words gives a radius and an angle, hence two normals
// (r cos t, r sin t). The radius word is mapped to (0, 1] so log stays finite.
inline double radius(uint32_t w) { return std::sqrt(-2.0 * std::log((w + 1.0) * (1.0 / 4294967296.0))); }
inline double angle(uint32_t w) { return w * (6.283185307179586 / 4294967296.0); }

void normalRange(uint64_t seed, uint64_t first, double mean, double stddev, float* out, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const Words b = philox(seed, first + i, 0);
    out[i] = static_cast<float>(mean + stddev * radius(b.w[0]) * std::cos(angle(b.w[1])));
  }
}

// Each attempt offers four candidates; all four fall beyond 2 stddev with
// probability 4e-6, so the loop almost never runs twice.
void truncatedNormalRange(uint64_t seed, uint64_t first, double mean, double stddev, float* out, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    double z = 0;
    for (uint32_t attempt = 0;; attempt++) {
      const Words b = philox(seed, first + i, attempt);
      const double r0 = radius(b.w[0]), t0 = angle(b.w[1]), r1 = radius(b.w[2]), t1 = angle(b.w[3]);
      const double c[4] = {r0 * std::cos(t0), r0 * std::sin(t0), r1 * std::cos(t1), r1 * std::sin(t1)};
      const double* hit = std::find_if(c, c + 4, [](double v) { return std::fabs(v) <= 2.0; });
      if (hit != c + 4) {
        z = *hit;
        break;
      }
    }
    out[i] = static_cast<float>(mean + stddev * z);
  }
}

TF_MULTIVERSION
void dropoutRange(uint64_t seed, uint64_t first, float rate, float scale, const float* x, float* out, float* mask,
                  int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float m = unit24(philox(seed, first + i, 0).w[0]) >= rate ? scale : 0.f;
    mask[i] = m;
    out[i] = x[i] * m;
  }
}

// Splits [0, n) into one contiguous range per thread when there is enough
// work; small calls skip OpenMP, whose `parallel if (false)` still costs ~0.4 us.
template <class F>
void parallelRange(int64_t n, F&& body) {
  if (n <= kParallelMin) {
    if (n > 0) body(0, n);
    return;
  }
#pragma omp parallel
  {
    const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t b = n * t / nt, e = n * (t + 1) / nt;
    if (b < e) body(b, e);
  }
}

}  // namespace

void randomUniform(uint64_t seed, uint64_t offset, double low, double high, const TensorView& out) {
  if (!(low <= high))
    throw Error("ERR_INVALID_ARG", "low " + std::to_string(low) + " must not exceed high " +
                                       std::to_string(high));
  const int64_t n = out.size();
  if (out.dtype == DType::Float32) {
    const float lowF = static_cast<float>(low), highF = static_cast<float>(high);
    const float below = std::max(lowF, std::nextafter(highF, -std::numeric_limits<float>::infinity()));
    const float span = highF - lowF;
    parallelRange(n, [&](int64_t b, int64_t e) {
      uniformFloatRange(seed, offset + b, lowF, span, below, out.f32() + b, e - b);
    });
  } else if (out.dtype == DType::Int32) {
    const double lowI = std::ceil(low), highI = std::ceil(high);
    if (!(highI > lowI) || lowI < -2147483648.0 || highI > 2147483648.0)
      throw Error("ERR_INVALID_ARG", "int32 range [" + std::to_string(low) + ", " +
                                         std::to_string(high) + ") holds no int32 value");
    parallelRange(n, [&](int64_t b, int64_t e) {
      uniformIntRange(seed, offset + b, lowI, highI - lowI, highI - 1, out.i32() + b, e - b);
    });
  } else {
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string("expected float32 or int32 output, got ") +
                                             dtypeName(out.dtype));
  }
}

void randomNormal(uint64_t seed, uint64_t offset, double mean, double stddev, bool truncated,
                  const TensorView& out) {
  if (out.dtype != DType::Float32)
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string("expected a float32 output, got ") +
                                             dtypeName(out.dtype));
  parallelRange(out.size(), [&](int64_t b, int64_t e) {
    if (truncated)
      truncatedNormalRange(seed, offset + b, mean, stddev, out.f32() + b, e - b);
    else
      normalRange(seed, offset + b, mean, stddev, out.f32() + b, e - b);
  });
}

void dropout(uint64_t seed, uint64_t offset, float rate, const TensorView& x, const TensorView& out,
             const TensorView& mask) {
  if (x.dtype != DType::Float32 || out.dtype != DType::Float32 || mask.dtype != DType::Float32)
    throw Error("ERR_UNSUPPORTED_DTYPE", "x, out and mask must be float32");
  if (out.size() != x.size() || mask.size() != x.size())
    throw Error("ERR_SHAPE_MISMATCH", "x, out and mask must have the same size");
  if (!(rate >= 0.f && rate <= 1.f))
    throw Error("ERR_INVALID_ARG", "rate must be in [0, 1], got " + std::to_string(rate));
  // rate 1 drops everything; 1 / (1 - rate) would be inf and 0 * inf NaN.
  const float scale = rate < 1.f ? 1.f / (1.f - rate) : 0.f;
  parallelRange(x.size(), [&](int64_t b, int64_t e) {
    dropoutRange(seed, offset + b, rate, scale, x.f32() + b, out.f32() + b, mask.f32() + b, e - b);
  });
}

}  // namespace tf
