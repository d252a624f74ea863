// Max and average pooling, channels-last, as plain loops: one output row (or,
// for the gradient, one input row) per OpenMP item, vectorised over channels.
// 1-D and 2-D pooling run as 3-D pooling whose leading spatial dims are 1.
// They replace oneDNN 2.6's pooling primitives, which were slower on every
// path we measured (scripts/bench/pool_micro.js), most of all max pooling in
// training (its workspace variant ran several times slower than inference).
//
// Max pooling in training also writes, per output element, the cell of its
// window that held the maximum; the gradient reads it back. The gradient
// gathers: each input element sums what the windows covering it send back,
// so threads own disjoint rows of dx even when windows overlap, and each
// element of dx is written once.
#include <algorithm>
#include <string>
#include <vector>

#include "../core/kernels.h"
#include "dnnl_context.h"

namespace tf {
namespace {

// Below this many input elements one thread finishes before a team wakes up.
constexpr int64_t kParallelMin = 1 << 15;

template <class F>
void parallelFor(int64_t items, bool parallel, F&& body) {
  if (!parallel) {
    for (int64_t i = 0; i < items; i++) body(i);
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < items; i++) body(i);
}

void expectDtype(const char* what, const TensorView& t, DType want) {
  if (t.dtype != want)
    throw Error("ERR_UNSUPPORTED_DTYPE",
                std::string("expected ") + dtypeName(want) + " for " + what + ", got " + dtypeName(t.dtype));
}

void checkKind(PoolKind kind) {
  if (kind != PoolKind::Max && kind != PoolKind::Avg)
    throw Error("ERR_UNSUPPORTED", "unknown pooling kind " + std::to_string(static_cast<int>(kind)));
}

// x is the forward input's shape, y the forward output's. Messages leave out
// the kernel's name: the binding puts it in front.
void checkShapes(const Shape& x, const Shape& y, const PoolArgs& a) {
  auto fail = [&](const std::string& why) {
    throw Error("ERR_SHAPE_MISMATCH", why + " (x " + shapeString(x) + ", out " + shapeString(y) + ")");
  };
  if (x.size() < 3 || x.size() > 5) fail("x must have rank 3, 4 or 5 ([N, spatial..., C])");
  if (y.size() != x.size()) fail("out must have x's rank");
  if (y[0] != x[0] || y.back() != x.back()) fail("out must keep x's batch and channels");
  const size_t spatial = x.size() - 2;
  if (a.kernel.size() != spatial || a.strides.size() != spatial || a.padBefore.size() != spatial ||
      a.padAfter.size() != spatial)
    fail("kernel, strides and paddings need one value per spatial dim");
  for (size_t i = 0; i < spatial; i++) {
    if (a.kernel[i] < 1 || a.strides[i] < 1 || a.padBefore[i] < 0 || a.padAfter[i] < 0)
      fail("kernel and strides must be >= 1 and paddings >= 0");
    // A window wholly inside the padding would have no element to pool.
    if (a.padBefore[i] >= a.kernel[i] || a.padAfter[i] >= a.kernel[i])
      fail("each padding must be smaller than the window");
    const int64_t span = x[i + 1] + a.padBefore[i] + a.padAfter[i] - a.kernel[i];
    if (span < 0 || span / a.strides[i] + 1 != y[i + 1])
      fail("the window does not give out's spatial size");
  }
}

// The real elements [lo, hi) of one window along one dim; `start` is where
// the window begins counting padding, which the argmax's cell index uses.
struct Extent {
  int64_t start, lo, hi;
};

// The pooling geometry over three spatial dims (d, h, w).
struct Window {
  int64_t channels;
  int64_t in[3], out[3], kernel[3], stride[3], pad[3];

  Window(const Shape& x, const Shape& y, const PoolArgs& a) : channels(x.back()) {
    const int lead = 5 - static_cast<int>(x.size());
    for (int i = 0; i < 3; i++) {
      const int d = i - lead;  // the caller's spatial dim, or < 0 for an added one
      in[i] = d < 0 ? 1 : x[d + 1];
      out[i] = d < 0 ? 1 : y[d + 1];
      kernel[i] = d < 0 ? 1 : a.kernel[d];
      stride[i] = d < 0 ? 1 : a.strides[d];
      pad[i] = d < 0 ? 0 : a.padBefore[d];
    }
  }
  int64_t inImage() const { return in[0] * in[1] * in[2] * channels; }
  int64_t outImage() const { return out[0] * out[1] * out[2] * channels; }

  // Output o's window along dim i, padding cut off (it never enters a result).
  Extent window(int i, int64_t o) const {
    const int64_t start = o * stride[i] - pad[i];
    return {start, std::max<int64_t>(start, 0), std::min(start + kernel[i], in[i])};
  }
  // The outputs [lo, hi) whose windows along dim i hold input position p.
  void covering(int i, int64_t p, int64_t& lo, int64_t& hi) const {
    const int64_t first = p + pad[i] - kernel[i] + 1;  // o * stride must reach this for o's window to hold p
    lo = first <= 0 ? 0 : (first + stride[i] - 1) / stride[i];
    hi = std::min(out[i], (p + pad[i]) / stride[i] + 1);
  }
};

// ---------------------------------------------------------------- forward

// One output row of one image (od, oh; every ow). Max: the first maximum in
// the window's row-major order wins, as in TensorFlow, and a NaN wins over
// numbers (it propagates, as in PyTorch); argmax, when given, receives the
// winner's cell inside the window.
TF_MULTIVERSION void maxRow(const Window& w, const float* __restrict x, int64_t od, int64_t oh, float* __restrict y,
                            int32_t* __restrict argmax) {
  const int64_t C = w.channels;
  const Extent ed = w.window(0, od), eh = w.window(1, oh);
  for (int64_t ow = 0; ow < w.out[2]; ow++, y += C) {
    const Extent ew = w.window(2, ow);
    bool first = true;
    for (int64_t d = ed.lo; d < ed.hi; d++) {
      for (int64_t h = eh.lo; h < eh.hi; h++) {
        for (int64_t iw = ew.lo; iw < ew.hi; iw++) {
          const float* __restrict xc = x + ((d * w.in[1] + h) * w.in[2] + iw) * C;
          const int32_t cell =
              static_cast<int32_t>(((d - ed.start) * w.kernel[1] + h - eh.start) * w.kernel[2] + iw - ew.start);
          if (first) {
            for (int64_t c = 0; c < C; c++) y[c] = xc[c];
            if (argmax) std::fill(argmax, argmax + C, cell);
            first = false;
          } else if (argmax) {
            for (int64_t c = 0; c < C; c++) {
              const float v = xc[c];
              const bool take = (v > y[c]) | (v != v);
              y[c] = take ? v : y[c];
              argmax[c] = take ? cell : argmax[c];
            }
          } else {
            for (int64_t c = 0; c < C; c++) {
              const float v = xc[c];
              y[c] = (v > y[c]) | (v != v) ? v : y[c];
            }
          }
        }
      }
    }
    if (argmax) argmax += C;
  }
}

// The mean over the real elements of each window (TensorFlow's rule).
TF_MULTIVERSION void avgRow(const Window& w, const float* __restrict x, int64_t od, int64_t oh, float* __restrict y) {
  const int64_t C = w.channels;
  const Extent ed = w.window(0, od), eh = w.window(1, oh);
  for (int64_t ow = 0; ow < w.out[2]; ow++, y += C) {
    const Extent ew = w.window(2, ow);
    bool first = true;
    for (int64_t d = ed.lo; d < ed.hi; d++) {
      for (int64_t h = eh.lo; h < eh.hi; h++) {
        for (int64_t iw = ew.lo; iw < ew.hi; iw++) {
          const float* __restrict xc = x + ((d * w.in[1] + h) * w.in[2] + iw) * C;
          if (first) {
            for (int64_t c = 0; c < C; c++) y[c] = xc[c];
            first = false;
          } else {
            for (int64_t c = 0; c < C; c++) y[c] += xc[c];
          }
        }
      }
    }
    const float scale = 1.f / static_cast<float>((ed.hi - ed.lo) * (eh.hi - eh.lo) * (ew.hi - ew.lo));
    for (int64_t c = 0; c < C; c++) y[c] *= scale;
  }
}

// ---------------------------------------------------------------- backward

// The outputs [lo, hi) whose windows hold each input position along the
// innermost spatial dim, worked out once per call rather than per row.
struct Covering {
  std::vector<int64_t> lo, hi;
  explicit Covering(const Window& w) : lo(w.in[2]), hi(w.in[2]) {
    for (int64_t p = 0; p < w.in[2]; p++) w.covering(2, p, lo[p], hi[p]);
  }
};

// One input row of dx for one image (id, ih; every iw): each element sums
// what the windows that hold it send back. Max: the windows whose argmax
// names this element's cell send their dy.
TF_MULTIVERSION void maxGradRow(const Window& w, const Covering& across, const float* __restrict dy,
                                const int32_t* __restrict argmax, int64_t id, int64_t ih, float* __restrict dx) {
  const int64_t C = w.channels;
  int64_t d0, d1, h0, h1;
  w.covering(0, id, d0, d1);
  w.covering(1, ih, h0, h1);
  for (int64_t iw = 0; iw < w.in[2]; iw++, dx += C) {
    // The first window assigns, later ones (overlapping windows) add.
    bool first = true;
    for (int64_t od = d0; od < d1; od++) {
      for (int64_t oh = h0; oh < h1; oh++) {
        const int64_t rowCell = ((id - w.window(0, od).start) * w.kernel[1] + ih - w.window(1, oh).start) * w.kernel[2];
        for (int64_t ow = across.lo[iw]; ow < across.hi[iw]; ow++) {
          const int64_t o = ((od * w.out[1] + oh) * w.out[2] + ow) * C;
          const int32_t cell = static_cast<int32_t>(rowCell + iw - w.window(2, ow).start);
          const float* __restrict g = dy + o;
          const int32_t* __restrict a = argmax + o;
          if (first) {
            for (int64_t c = 0; c < C; c++) dx[c] = a[c] == cell ? g[c] : 0.f;
            first = false;
          } else {
            for (int64_t c = 0; c < C; c++) dx[c] += a[c] == cell ? g[c] : 0.f;
          }
        }
      }
    }
    if (first) std::fill(dx, dx + C, 0.f);
  }
}

TF_MULTIVERSION void avgGradRow(const Window& w, const Covering& across, const float* __restrict dy, int64_t id,
                                int64_t ih, float* __restrict dx) {
  const int64_t C = w.channels;
  int64_t d0, d1, h0, h1;
  w.covering(0, id, d0, d1);
  w.covering(1, ih, h0, h1);
  for (int64_t iw = 0; iw < w.in[2]; iw++, dx += C) {
    bool first = true;
    for (int64_t od = d0; od < d1; od++) {
      const Extent ed = w.window(0, od);
      for (int64_t oh = h0; oh < h1; oh++) {
        const Extent eh = w.window(1, oh);
        for (int64_t ow = across.lo[iw]; ow < across.hi[iw]; ow++) {
          const Extent ew = w.window(2, ow);
          const float scale = 1.f / static_cast<float>((ed.hi - ed.lo) * (eh.hi - eh.lo) * (ew.hi - ew.lo));
          const float* __restrict g = dy + ((od * w.out[1] + oh) * w.out[2] + ow) * C;
          if (first) {
            for (int64_t c = 0; c < C; c++) dx[c] = g[c] * scale;
            first = false;
          } else {
            for (int64_t c = 0; c < C; c++) dx[c] += g[c] * scale;
          }
        }
      }
    }
    if (first) std::fill(dx, dx + C, 0.f);
  }
}

void checkArgmax(const TensorView& argmax, const Shape& out) {
  expectDtype("argmax", argmax, DType::Int32);
  if (argmax.shape != out)
    throw Error("ERR_SHAPE_MISMATCH",
                "argmax must have out's shape " + shapeString(out) + ", got " + shapeString(argmax.shape));
}

}  // namespace

void pool(PoolKind kind, const TensorView& x, const TensorView& out, const PoolArgs& args, const TensorView* argmax) {
  if (argmax && !argmax->data) argmax = nullptr;
  checkKind(kind);
  expectDtype("x", x, DType::Float32);
  expectDtype("out", out, DType::Float32);
  checkShapes(x.shape, out.shape, args);
  if (argmax && kind != PoolKind::Max) throw Error("ERR_INVALID_ARG", "only max pooling keeps an argmax");
  if (argmax) checkArgmax(*argmax, out.shape);
  if (out.size() == 0) return;
  const Window w(x.shape, out.shape, args);
  const int64_t rows = w.out[0] * w.out[1];
  const float* xp = x.f32();
  float* yp = out.f32();
  int32_t* ap = argmax ? argmax->i32() : nullptr;
  parallelFor(x.shape[0] * rows, x.size() >= kParallelMin, [&](int64_t item) {
    const int64_t n = item / rows, od = item % rows / w.out[1], oh = item % w.out[1];
    const int64_t o = n * w.outImage() + (od * w.out[1] + oh) * w.out[2] * w.channels;
    const float* xn = xp + n * w.inImage();
    if (kind == PoolKind::Max) maxRow(w, xn, od, oh, yp + o, ap ? ap + o : nullptr);
    else avgRow(w, xn, od, oh, yp + o);
  });
}

void poolGrad(PoolKind kind, const TensorView& dy, const TensorView* argmax, const TensorView& dx,
              const PoolArgs& args) {
  if (argmax && !argmax->data) argmax = nullptr;
  checkKind(kind);
  expectDtype("dy", dy, DType::Float32);
  expectDtype("dx", dx, DType::Float32);
  checkShapes(dx.shape, dy.shape, args);
  if (kind == PoolKind::Max && !argmax)
    throw Error("ERR_INVALID_ARG", "max pooling needs the argmax of its forward pass");
  if (argmax) checkArgmax(*argmax, dy.shape);
  if (dx.size() == 0) return;
  const Window w(dx.shape, dy.shape, args);
  const int64_t rows = w.in[0] * w.in[1];
  const Covering across(w);
  const float* gp = dy.f32();
  const int32_t* ap = argmax ? argmax->i32() : nullptr;
  float* dxp = dx.f32();
  parallelFor(dx.shape[0] * rows, dx.size() >= kParallelMin, [&](int64_t item) {
    const int64_t n = item / rows, id = item % rows / w.in[1], ih = item % w.in[1];
    const int64_t o = n * w.outImage();
    float* row = dxp + n * w.inImage() + (id * w.in[1] + ih) * w.in[2] * w.channels;
    if (kind == PoolKind::Max) maxGradRow(w, across, gp + o, ap + o, id, ih, row);
    else avgGradRow(w, across, gp + o, id, ih, row);
  });
}

}  // namespace tf
