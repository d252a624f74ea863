// The LSTM over whole sequences, on oneDNN's sgemm and our own fused cell.
//
// oneDNN's LSTM primitive computes the same thing; this one is faster on the
// workloads' shapes (lstm workload, LSTM(128) over x [128, 28, 28], two
// cores: see scripts/bench/rnn_micro.js) because every product that does not
// depend on the previous step runs as one large GEMM over all steps — the
// input projection x·kernel, and in the backward dkernel, drecurrentKernel
// and dx — leaving only [N, U]·[U, 4U] per step, and because the cell's
// element-wise work is one vectorised pass per step.
//
// Layouts are Keras's (kernels.h): x [N, T, F], kernel [F, 4U],
// recurrentKernel [U, 4U], gates i, f, c~, o. Everything per step is stored
// at the step's position in x ("position" p), so the large GEMMs line up with
// x; with goBackwards the k-th step computed is position T-1-k, and y lists
// outputs in the order computed.
//
// The training workspace holds, per (n, p): the four activated gates, the
// cell state c and tanh(c), and the output h unless y itself is that array.
#include "lstm.h"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "dnnl_context.h"
#include "fast_math.h"

namespace tf {
namespace {

int64_t alignedFloats(int64_t floats) { return (floats + 15) / 16 * 16; }

// The workspace's four regions, in floats from its start.
struct Regions {
  int64_t gates, cell, cellTanh, h, total;
};

Regions regionsOf(const LstmProblem& p) {
  const int64_t steps = p.n * p.t;
  Regions r;
  r.gates = 0;
  r.cell = alignedFloats(steps * 4 * p.u);
  r.cellTanh = r.cell + alignedFloats(steps * p.u);
  r.h = r.cellTanh + alignedFloats(steps * p.u);
  r.total = p.hInY() ? r.h : r.h + alignedFloats(steps * p.u);
  return r;
}

// Grow-only scratch per role, reused by every call on this thread.
enum Slot { kWorkspaceSlot, kGateGradSlot, kPrevHSlot, kStateSlot, kPartialSlot, kSlots };

float* scratch(Slot slot, int64_t floats) {
  struct Block {
    std::unique_ptr<float, decltype(&std::free)> data{nullptr, &std::free};
    int64_t floats = 0;
  };
  thread_local Block blocks[kSlots];
  Block& b = blocks[slot];
  if (b.floats < floats) {
    const int64_t rounded = alignedFloats(floats);
    b.data.reset();
    b.data.reset(static_cast<float*>(std::aligned_alloc(64, rounded * sizeof(float))));
    if (!b.data) throw Error("ERR_OUT_OF_MEMORY", "could not allocate " + std::to_string(rounded * 4) + " bytes of scratch memory");
    b.floats = rounded;
  }
  return b.data.get();
}

// One step of one sample. g: the pre-activations (x·kernel + h·recurrentKernel),
// replaced by the activated gates; cPrev: the previous cell state.
TF_MULTIVERSION
void cellForward(float* __restrict g, const float* __restrict bias, const float* __restrict cPrev, float* __restrict c,
                 float* __restrict cTanh, float* __restrict h, int64_t u) {
  if (bias) {
    for (int64_t j = 0; j < 4 * u; j++) g[j] += bias[j];
  }
  for (int64_t j = 0; j < u; j++) {
    const float i = fastmath::sigmoid(g[j]), f = fastmath::sigmoid(g[u + j]);
    const float cc = fastmath::tanh(g[2 * u + j]), o = fastmath::sigmoid(g[3 * u + j]);
    const float cv = f * cPrev[j] + i * cc;
    const float th = fastmath::tanh(cv);
    g[j] = i;
    g[u + j] = f;
    g[2 * u + j] = cc;
    g[3 * u + j] = o;
    c[j] = cv;
    cTanh[j] = th;
    h[j] = o * th;
  }
}

// One step of one sample backwards. dh: dL/dh of this step (output and later
// steps); dc: dL/dc from the later step, replaced by dL/dc_prev. dg: the
// pre-activation gradients of the four gates.
TF_MULTIVERSION
void cellBackward(const float* __restrict g, const float* __restrict cTanh, const float* __restrict cPrev,
                  const float* __restrict dh, float* __restrict dc, float* __restrict dg, int64_t u) {
  for (int64_t j = 0; j < u; j++) {
    const float i = g[j], f = g[u + j], cc = g[2 * u + j], o = g[3 * u + j], th = cTanh[j];
    const float dcv = dc[j] + dh[j] * o * (1.f - th * th);
    dg[j] = dcv * cc * i * (1.f - i);
    dg[u + j] = dcv * cPrev[j] * f * (1.f - f);
    dg[2 * u + j] = dcv * i * (1.f - cc * cc);
    dg[3 * u + j] = dh[j] * th * o * (1.f - o);
    dc[j] = dcv * f;
  }
}

TF_MULTIVERSION
void addInto(float* __restrict acc, const float* __restrict v, int64_t n) {
  for (int64_t i = 0; i < n; i++) acc[i] += v[i];
}

// out[j] = sum over rows of dg[row, j].
TF_MULTIVERSION
void columnSums(const float* __restrict dg, int64_t rows, int64_t cols, float* __restrict out) {
  std::fill(out, out + cols, 0.f);
  for (int64_t r = 0; r < rows; r++) {
    const float* row = dg + r * cols;
    for (int64_t j = 0; j < cols; j++) out[j] += row[j];
  }
}

// Below this many units per step a thread team costs more than it saves.
constexpr int64_t kParallelMin = 4096;

// The rows of a batch never meet through time, so each thread runs the whole
// sequence for its own block of rows, its per-step products on one core
// (oneDNN's sgemm runs single-threaded inside a parallel region): no team to
// wake and join per step, and each core's working set per step (its rows'
// gates and states, and the recurrent kernel) stays in its own L2.
int64_t rowBlockThreads(int64_t n, int64_t u) {
  return n * u >= kParallelMin ? std::min<int64_t>(omp_get_max_threads(), n) : 1;
}

// Runs body(block, begin, end) for `blocks` blocks of rows [begin, end), one per thread.
template <class Body>
void forRowBlocks(int64_t n, int64_t blocks, const Body& body) {
  if (blocks == 1) {
    body(0, 0, n);
    return;
  }
  std::exception_ptr error;
#pragma omp parallel for schedule(static, 1) num_threads(static_cast<int>(blocks))
  for (int64_t block = 0; block < blocks; block++) {
    try {
      body(block, n * block / blocks, n * (block + 1) / blocks);
    } catch (...) {
#pragma omp critical(tf_lstm_error)
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace

int64_t lstmWorkspaceFloats(const LstmProblem& p) { return p.n == 0 ? 0 : regionsOf(p).total; }

void lstmForward(const LstmProblem& p, const RnnTensors& t) {
  if (p.n == 0) return;
  const int64_t n = p.n, T = p.t, f = p.f, u = p.u, gu = 4 * u;
  const Regions r = regionsOf(p);
  float* ws = t.workspace ? t.workspace->f32() : scratch(kWorkspaceSlot, r.total);
  float* gates = ws + r.gates;
  float* cell = ws + r.cell;
  float* cellTanh = ws + r.cellTanh;
  float* h = p.hInY() ? t.y->f32() : ws + r.h;
  const float* bias = t.bias ? t.bias->f32() : nullptr;
  float* zeros = scratch(kStateSlot, u);
  std::fill(zeros, zeros + u, 0.f);

  cpu::ProfSignalsHeld held;
  // Input projection of every step at once: gates[n, p] = x[n, p]·kernel.
  cpu::sgemm(false, false, n * T, gu, f, t.x->f32(), f, t.kernel->f32(), gu, 0.f, gates, gu);
  forRowBlocks(n, rowBlockThreads(n, u), [&](int64_t, int64_t begin, int64_t end) {
    for (int64_t k = 0; k < T; k++) {
      const int64_t pos = p.position(k);
      if (k > 0 || t.h0) {
        // gates[rows, pos] += hPrev·recurrentKernel; hPrev rows have stride T*U (h0's: U).
        const float* hPrev = k > 0 ? h + (begin * T + p.position(k - 1)) * u : t.h0->f32() + begin * u;
        cpu::sgemm(false, false, end - begin, gu, u, hPrev, k > 0 ? T * u : u, t.recurrentKernel->f32(), gu, 1.f,
                   gates + (begin * T + pos) * gu, T * gu);
      }
      for (int64_t i = begin; i < end; i++) {
        const int64_t row = i * T + pos;
        const float* cPrev = k > 0 ? cell + (i * T + p.position(k - 1)) * u : (t.c0 ? t.c0->f32() + i * u : zeros);
        cellForward(gates + row * gu, bias, cPrev, cell + row * u, cellTanh + row * u, h + row * u, u);
      }
    }
  });

  // Final states, and y in the order computed when it is not h itself.
  const int64_t last = p.position(T - 1);
  for (int64_t i = 0; i < n; i++) {
    std::memcpy(t.hT->f32() + i * u, h + (i * T + last) * u, u * sizeof(float));
    std::memcpy(t.cT->f32() + i * u, cell + (i * T + last) * u, u * sizeof(float));
  }
  if (p.hInY()) return;
  if (!p.sequences) {
    std::memcpy(t.y->f32(), t.hT->f32(), n * u * sizeof(float));
    return;
  }
  float* y = t.y->f32();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; i++)
    for (int64_t k = 0; k < T; k++) std::memcpy(y + (i * T + k) * u, h + (i * T + p.position(k)) * u, u * sizeof(float));
}

void lstmBackward(const LstmProblem& p, const RnnTensors& t, const RnnGrads& g) {
  const int64_t n = p.n, T = p.t, f = p.f, u = p.u, gu = 4 * u;
  if (n == 0) {
    for (const TensorView* out : {g.dkernel, g.drecurrentKernel, g.dbias})
      if (out) std::memset(out->data, 0, out->size() * sizeof(float));
    return;
  }
  const Regions r = regionsOf(p);
  const float* ws = t.workspace->f32();
  const float* gates = ws + r.gates;
  const float* cell = ws + r.cell;
  const float* cellTanh = ws + r.cellTanh;
  const float* h = p.hInY() ? t.y->f32() : ws + r.h;
  float* dgates = scratch(kGateGradSlot, n * T * gu);
  float* state = scratch(kStateSlot, 3 * n * u);
  float* dh = state;              // dL/dh of the step being processed
  float* dc = state + n * u;      // dL/dc carried to the earlier step
  float* zeros = state + 2 * n * u;
  std::fill(zeros, zeros + n * u, 0.f);
  std::memcpy(dh, g.dhT->f32(), n * u * sizeof(float));
  std::memcpy(dc, g.dcT->f32(), n * u * sizeof(float));
  const float* dy = g.dy->f32();
  if (!p.sequences) addInto(dh, dy, n * u);

  // Weight gradients are sums over rows: each block adds up its own rows
  // right after its recurrence (the first block into the outputs, the others
  // into partials summed at the end), so no thread waits for another.
  const int64_t team = rowBlockThreads(n, u);
  const int64_t kernelSize = g.dkernel ? f * gu : 0, recurrentSize = g.drecurrentKernel ? u * gu : 0,
                biasSize = g.dbias ? gu : 0, partSize = kernelSize + recurrentSize + biasSize;
  float* partials = scratch(kPartialSlot, (team - 1) * partSize);
  float* hPrev = g.drecurrentKernel ? scratch(kPrevHSlot, n * T * u) : nullptr;

  cpu::ProfSignalsHeld held;
  forRowBlocks(n, team, [&](int64_t block, int64_t begin, int64_t end) {
    for (int64_t k = T - 1; k >= 0; k--) {
      const int64_t pos = p.position(k);
      for (int64_t i = begin; i < end; i++) {
        const int64_t row = i * T + pos;
        if (p.sequences) addInto(dh + i * u, dy + (i * T + k) * u, u);
        const float* cPrev = k > 0 ? cell + (i * T + p.position(k - 1)) * u : (t.c0 ? t.c0->f32() + i * u : zeros + i * u);
        cellBackward(gates + row * gu, cellTanh + row * u, cPrev, dh + i * u, dc + i * u, dgates + row * gu, u);
      }
      // dL/dh of the earlier step through the recurrent product.
      if (k > 0 || g.dh0) {
        cpu::sgemm(false, true, end - begin, u, gu, dgates + (begin * T + pos) * gu, T * gu, t.recurrentKernel->f32(), gu,
                   0.f, (k > 0 ? dh : g.dh0->f32()) + begin * u, u);
      }
    }

    // The block's rows of x, dgates and dx are contiguous: rows begin*T to end*T.
    const int64_t first = begin * T, rows = (end - begin) * T;
    const float* dg = dgates + first * gu;
    float* part = partials + (block - 1) * partSize;
    if (g.dkernel) {
      float* out = block == 0 ? g.dkernel->f32() : part;
      cpu::sgemm(true, false, f, gu, rows, t.x->f32() + first * f, f, dg, gu, 0.f, out, gu);
    }
    if (g.dx) cpu::sgemm(false, true, rows, f, gu, dg, gu, t.kernel->f32(), gu, 0.f, g.dx->f32() + first * f, f);
    if (g.drecurrentKernel) {
      // The h each step's recurrent product read: the previous step's output, or h0 (zeros) for the first.
      for (int64_t i = begin; i < end; i++) {
        for (int64_t k = 0; k < T; k++) {
          const float* src = k > 0 ? h + (i * T + p.position(k - 1)) * u : (t.h0 ? t.h0->f32() + i * u : zeros + i * u);
          std::memcpy(hPrev + (i * T + p.position(k)) * u, src, u * sizeof(float));
        }
      }
      float* out = block == 0 ? g.drecurrentKernel->f32() : part + kernelSize;
      cpu::sgemm(true, false, u, gu, rows, hPrev + first * u, u, dg, gu, 0.f, out, gu);
    }
    if (g.dbias) columnSums(dg, rows, gu, block == 0 ? g.dbias->f32() : part + kernelSize + recurrentSize);
  });
  if (g.dc0) std::memcpy(g.dc0->f32(), dc, n * u * sizeof(float));

  for (int64_t block = 1; block < team; block++) {
    const float* part = partials + (block - 1) * partSize;
    if (g.dkernel) addInto(g.dkernel->f32(), part, kernelSize);
    if (g.drecurrentKernel) addInto(g.drecurrentKernel->f32(), part + kernelSize, recurrentSize);
    if (g.dbias) addInto(g.dbias->f32(), part + kernelSize + recurrentSize, biasSize);
  }
}

}  // namespace tf
