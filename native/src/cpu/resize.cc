// Bilinear and nearest-neighbour resizing of NHWC images, forward and
// gradient, with TensorFlow's coordinate rules (resize_bilinear_op.cc,
// resize_nearest_neighbor_op.cc) computed in float32 exactly as TF computes
// them, so results match TF bit for bit in the forward pass. oneDNN's
// resampling primitive only knows the half-pixel rule, hence our own loops.
//
// Gradients are gathers over input rows rather than TF's scatter over output
// pixels: each (image, input row) belongs to one thread, which adds in every
// output row that reads it, so threads never write the same memory.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "../core/kernels.h"
#include "dnnl_context.h"  // TF_MULTIVERSION

namespace tf {
namespace {

// Below this many output elements one thread is done before a team has woken up.
constexpr int64_t kParallelMin = 1 << 14;

struct Dims {
  int64_t n, inH, inW, outH, outW, c;
};

// src is the image side ([N, H, W, C]), dst the resized side ([N, H', W', C]).
// Messages leave out the kernel's name: the binding puts it in front.
Dims checkShapes(const TensorView& src, const TensorView& dst, bool alignCorners, bool halfPixelCenters) {
  if (src.rank() != 4 || dst.rank() != 4 || src.shape[0] != dst.shape[0] || src.shape[3] != dst.shape[3])
    throw Error("ERR_SHAPE_MISMATCH", "expected [N, H, W, C] images and [N, H', W', C] results, got " +
                                          shapeString(src.shape) + " and " + shapeString(dst.shape));
  if (src.dtype != dst.dtype)
    throw Error("ERR_DTYPE_MISMATCH", "the image and the result differ in dtype");
  if (alignCorners && halfPixelCenters)
    throw Error("ERR_INVALID_ARG", "alignCorners and halfPixelCenters exclude each other");
  return {src.shape[0], src.shape[1], src.shape[2], dst.shape[1], dst.shape[2], src.shape[3]};
}

// TF's CalculateResizeScale: input pixels per output pixel.
float resizeScale(int64_t in, int64_t out, bool alignCorners) {
  return (alignCorners && out > 1) ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                                   : static_cast<float>(in) / static_cast<float>(out);
}

// Where output pixel i samples the input, and with what weight on `upper`.
struct Lerp {
  int64_t lower, upper;
  float weight;
};

// TF's compute_interpolation_weights with its Legacy / HalfPixel scalers.
std::vector<Lerp> bilinearWeights(int64_t in, int64_t out, bool alignCorners, bool halfPixelCenters) {
  const float scale = resizeScale(in, out, alignCorners);
  std::vector<Lerp> w(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; i++) {
    const float at = halfPixelCenters ? (static_cast<float>(i) + 0.5f) * scale - 0.5f : static_cast<float>(i) * scale;
    const float floor = std::floor(at);
    w[i].lower = std::max(static_cast<int64_t>(floor), int64_t{0});
    w[i].upper = std::min(static_cast<int64_t>(std::ceil(at)), in - 1);
    w[i].weight = at - floor;
  }
  return w;
}

// TF's nearest-neighbour source index, with HalfPixelScalerForNN (no -0.5:
// the floor of the centre's position is the pixel it falls in).
std::vector<int64_t> nearestIndices(int64_t in, int64_t out, bool alignCorners, bool halfPixelCenters) {
  const float scale = resizeScale(in, out, alignCorners);
  std::vector<int64_t> idx(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; i++) {
    const float at = halfPixelCenters ? (static_cast<float>(i) + 0.5f) * scale : static_cast<float>(i) * scale;
    int64_t j = std::min(alignCorners ? static_cast<int64_t>(std::round(at)) : static_cast<int64_t>(std::floor(at)), in - 1);
    if (halfPixelCenters) j = std::max(j, int64_t{0});
    idx[i] = j;
  }
  return idx;
}

// For each input row, the output rows that read it and with which weight: the
// transpose of the row map, which the gradients walk.
struct RowSources {
  std::vector<int64_t> start;  // inH + 1 offsets into rows / weights
  std::vector<int64_t> rows;
  std::vector<float> weights;
};

struct RowEdge {
  int64_t inRow, outRow;
  float weight;
};

RowSources transposeRows(int64_t inH, const std::vector<RowEdge>& edges) {
  RowSources r;
  r.start.assign(static_cast<size_t>(inH + 1), 0);
  for (const RowEdge& e : edges) r.start[e.inRow + 1]++;
  for (int64_t i = 0; i < inH; i++) r.start[i + 1] += r.start[i];
  r.rows.resize(edges.size());
  r.weights.resize(edges.size());
  std::vector<int64_t> at(r.start.begin(), r.start.end() - 1);
  for (const RowEdge& e : edges) {
    const int64_t k = at[e.inRow]++;
    r.rows[k] = e.outRow;
    r.weights[k] = e.weight;
  }
  return r;
}

// One output row of bilinear resizing: top and bottom are the two input rows.
TF_MULTIVERSION void bilinearRow(const float* top, const float* bottom, float yWeight, const Lerp* xs, int64_t outW,
                                 int64_t c, float* out) {
  for (int64_t x = 0; x < outW; x++) {
    const float* tl = top + xs[x].lower * c;
    const float* tr = top + xs[x].upper * c;
    const float* bl = bottom + xs[x].lower * c;
    const float* br = bottom + xs[x].upper * c;
    const float xw = xs[x].weight;
    float* o = out + x * c;
    for (int64_t k = 0; k < c; k++) {
      const float t = tl[k] + (tr[k] - tl[k]) * xw;
      const float b = bl[k] + (br[k] - bl[k]) * xw;
      o[k] = t + (b - t) * yWeight;
    }
  }
}

// The adjoint of bilinearRow along x for one output row g, scaled by the row's weight.
TF_MULTIVERSION void bilinearRowGrad(const float* g, float rowWeight, const Lerp* xs, int64_t outW, int64_t c,
                                     float* d) {
  for (int64_t x = 0; x < outW; x++) {
    const float wr = rowWeight * xs[x].weight;
    const float wl = rowWeight - wr;
    float* l = d + xs[x].lower * c;
    float* r = d + xs[x].upper * c;
    const float* gx = g + x * c;
    for (int64_t k = 0; k < c; k++) {
      l[k] += gx[k] * wl;
      r[k] += gx[k] * wr;
    }
  }
}

TF_MULTIVERSION void addRow(const float* g, const int64_t* xs, int64_t outW, int64_t c, float* d) {
  for (int64_t x = 0; x < outW; x++) {
    float* dst = d + xs[x] * c;
    const float* src = g + x * c;
    for (int64_t k = 0; k < c; k++) dst[k] += src[k];
  }
}

// dx from dy, one (image, input row) per task: the row starts at zero and adds
// in every output row that reads it (edges) through addRowGrad(dy row, its
// weight, dx row).
template <typename AddRowGrad>
void gatherRows(const Dims& d, const std::vector<RowEdge>& edges, const TensorView& dy, const TensorView& dx,
                AddRowGrad addRowGrad) {
  const RowSources rows = transposeRows(d.inH, edges);
  const float* g = dy.f32();
  float* out = dx.f32();
  const int64_t tasks = d.n * d.inH;
#pragma omp parallel for schedule(static) if (dx.size() + dy.size() >= kParallelMin)
  for (int64_t t = 0; t < tasks; t++) {
    const int64_t b = t / d.inH, iy = t % d.inH;
    float* row = out + t * d.inW * d.c;
    std::fill(row, row + d.inW * d.c, 0.f);
    for (int64_t k = rows.start[iy]; k < rows.start[iy + 1]; k++) {
      addRowGrad(g + (b * d.outH + rows.rows[k]) * d.outW * d.c, rows.weights[k], row);
    }
  }
}

}  // namespace

void resizeBilinear(const TensorView& x, bool alignCorners, bool halfPixelCenters, const TensorView& out) {
  const Dims d = checkShapes(x, out, alignCorners, halfPixelCenters);
  if (x.dtype != DType::Float32)
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string("expected float32, got ") + dtypeName(x.dtype));
  if (out.size() == 0) return;
  if (x.size() == 0) throw Error("ERR_SHAPE_MISMATCH", "cannot resize an empty image to a non-empty one");
  const std::vector<Lerp> ys = bilinearWeights(d.inH, d.outH, alignCorners, halfPixelCenters);
  const std::vector<Lerp> xs = bilinearWeights(d.inW, d.outW, alignCorners, halfPixelCenters);
  const float* src = x.f32();
  float* dst = out.f32();
  const int64_t tasks = d.n * d.outH;
#pragma omp parallel for schedule(static) if (out.size() >= kParallelMin)
  for (int64_t t = 0; t < tasks; t++) {
    const int64_t b = t / d.outH, y = t % d.outH;
    const float* image = src + b * d.inH * d.inW * d.c;
    bilinearRow(image + ys[y].lower * d.inW * d.c, image + ys[y].upper * d.inW * d.c, ys[y].weight, xs.data(), d.outW,
                d.c, dst + t * d.outW * d.c);
  }
}

void resizeBilinearGrad(const TensorView& dy, bool alignCorners, bool halfPixelCenters, const TensorView& dx) {
  const Dims d = checkShapes(dx, dy, alignCorners, halfPixelCenters);
  if (dy.dtype != DType::Float32)
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string("expected float32, got ") + dtypeName(dy.dtype));
  if (dx.size() == 0) return;
  const std::vector<Lerp> ys = bilinearWeights(d.inH, d.outH, alignCorners, halfPixelCenters);
  const std::vector<Lerp> xs = bilinearWeights(d.inW, d.outW, alignCorners, halfPixelCenters);
  std::vector<RowEdge> edges;
  edges.reserve(static_cast<size_t>(2 * d.outH));
  for (int64_t y = 0; y < d.outH; y++) {
    edges.push_back({ys[y].lower, y, 1.f - ys[y].weight});
    edges.push_back({ys[y].upper, y, ys[y].weight});
  }
  gatherRows(d, edges, dy, dx, [&](const float* g, float weight, float* row) {
    bilinearRowGrad(g, weight, xs.data(), d.outW, d.c, row);
  });
}

void resizeNearest(const TensorView& x, bool alignCorners, bool halfPixelCenters, const TensorView& out) {
  const Dims d = checkShapes(x, out, alignCorners, halfPixelCenters);
  if (x.dtype != DType::Float32 && x.dtype != DType::Int32)
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string("expected float32 or int32, got ") + dtypeName(x.dtype));
  if (out.size() == 0) return;
  if (x.size() == 0) throw Error("ERR_SHAPE_MISMATCH", "cannot resize an empty image to a non-empty one");
  const std::vector<int64_t> ys = nearestIndices(d.inH, d.outH, alignCorners, halfPixelCenters);
  const std::vector<int64_t> xs = nearestIndices(d.inW, d.outW, alignCorners, halfPixelCenters);
  // Both dtypes are 4-byte words: a pixel is copied whole.
  const uint32_t* src = static_cast<const uint32_t*>(x.data);
  uint32_t* dst = static_cast<uint32_t*>(out.data);
  const size_t pixelBytes = static_cast<size_t>(d.c) * sizeof(uint32_t);
  const int64_t tasks = d.n * d.outH;
#pragma omp parallel for schedule(static) if (out.size() >= kParallelMin)
  for (int64_t t = 0; t < tasks; t++) {
    const int64_t b = t / d.outH, y = t % d.outH;
    const uint32_t* row = src + ((b * d.inH + ys[y]) * d.inW) * d.c;
    uint32_t* o = dst + t * d.outW * d.c;
    for (int64_t xo = 0; xo < d.outW; xo++) std::memcpy(o + xo * d.c, row + xs[xo] * d.c, pixelBytes);
  }
}

void resizeNearestGrad(const TensorView& dy, bool alignCorners, bool halfPixelCenters, const TensorView& dx) {
  const Dims d = checkShapes(dx, dy, alignCorners, halfPixelCenters);
  if (dy.dtype != DType::Float32)
    throw Error("ERR_UNSUPPORTED_DTYPE", std::string("expected float32, got ") + dtypeName(dy.dtype));
  if (dx.size() == 0) return;
  const std::vector<int64_t> ys = nearestIndices(d.inH, d.outH, alignCorners, halfPixelCenters);
  const std::vector<int64_t> xs = nearestIndices(d.inW, d.outW, alignCorners, halfPixelCenters);
  std::vector<RowEdge> edges;
  edges.reserve(static_cast<size_t>(d.outH));
  for (int64_t y = 0; y < d.outH; y++) edges.push_back({ys[y], y, 1.f});
  // Every weight is 1: addRow adds the row as it is.
  gatherRows(d, edges, dy, dx,
             [&](const float* g, float, float* row) { addRow(g, xs.data(), d.outW, d.c, row); });
}

}  // namespace tf
