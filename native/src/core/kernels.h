// The kernel interface. cpu/ implements it with oneDNN and tuned C++; cuda/
// will implement the same declarations with cuBLAS/cuDNN under the same file
// names. Kernels receive plain TensorViews whose outputs are already allocated
// with the shape that lib/ops computed; they check only what is cheap and
// throw tf::Error (or let a vendor exception through) on failure.
//
// All tensors are contiguous row-major. Bool is one byte per element (0 or 1).
#pragma once
#include <cstdint>
#include <vector>

#include "tensor.h"

namespace tf {

// ---------------------------------------------------------------- layout.cc
// Writes the contents of `b` into `plain` (the row-major bytes of the same
// tensor): how a tensor that a kernel left blocked becomes readable.
void blockedToPlain(const BlockedCopy& b, void* plain);

// ---------------------------------------------------------------- gemm.cc
enum class Activation : int32_t {
  Linear = 0, Relu = 1, Relu6 = 2, Sigmoid = 3, Tanh = 4, Elu = 5, Selu = 6,
  LeakyRelu = 7, Softplus = 8, Swish = 9, Gelu = 10
};

struct MatMulArgs {
  bool transposeA = false;
  bool transposeB = false;
  Activation activation = Activation::Linear;
  float alpha = 0.f;  // leakyRelu slope / elu alpha
};

// a: [M,K] (or [K,M] when transposeA), b: [K,N] (or [N,K]); rank 3 means a
// batch whose leading dim may be 1 on either side (broadcast). bias (optional,
// may be null) has N elements and is added before the activation.
// out: [M,N] or [B,M,N]. Float32 only.
void matmul(const TensorView& a, const TensorView& b, const TensorView* bias, const TensorView& out,
            const MatMulArgs& args);

// ---------------------------------------------------------------- conv.cc
// Convolution over 1, 2 or 3 spatial dims, channels-last, float32:
//   x [N, *in, Cin], filter [*k, Cin/groups, Cout] (TF's HWIO; depthwise is
//   groups = Cin with Cout = Cin * multiplier), y [N, *out, Cout], where per
//   spatial dim out = (in + padBefore + padAfter - ((k - 1) * dilation + 1)) / stride + 1
//   (rounded down: trailing input that no window reaches gets a zero gradient).
struct ConvArgs {
  std::vector<int64_t> strides, dilations, padBefore, padAfter;  // one per spatial dim; dilation 1 = none
  int64_t groups = 1;
  Activation activation = Activation::Linear;  // forward only
  float alpha = 0.f;                           // leakyRelu slope / elu alpha
};
// y = act(conv(x, filter) + bias); bias (may be null) has Cout elements.
void convForward(const TensorView& x, const TensorView& filter, const TensorView* bias, const TensorView& y,
                 const ConvArgs& args);
// dx from dy (also the forward of a transposed convolution).
void convBackwardData(const TensorView& dy, const TensorView& filter, const TensorView& dx, const ConvArgs& args);
// dfilter (and dbias = dy summed over all but the channel axis, when not null) from x and dy.
void convBackwardFilter(const TensorView& x, const TensorView& dy, const TensorView& dfilter, const TensorView* dbias,
                        const ConvArgs& args);

// ---------------------------------------------------------------- elementwise.cc
enum class UnaryOp : int32_t {
  Neg = 0, Abs = 1, Sign = 2, Exp = 3, Expm1 = 4, Log = 5, Log1p = 6, Sqrt = 7, Rsqrt = 8,
  Square = 9, Reciprocal = 10, Sin = 11, Cos = 12, Tanh = 13, Sigmoid = 14, Relu = 15,
  Relu6 = 16, Elu = 17, Selu = 18, LeakyRelu = 19, Softplus = 20, Erf = 21, Round = 22,
  Floor = 23, Ceil = 24, LogicalNot = 25, Clip = 26, Step = 27, IsNan = 28, Swish = 29,
  Gelu = 30, Tan = 31, Asin = 32, Acos = 33, Atan = 34, Sinh = 35, Cosh = 36, Softsign = 37
};
// out = op(x). alpha/beta: LeakyRelu/Elu slope (alpha); Clip bounds [alpha, beta];
// Step: x > 0 ? 1 : alpha. Float32 for all; Neg/Abs/Sign/Square also Int32;
// LogicalNot Bool -> Bool; IsNan Float32 -> Bool. Round is half-to-even.
void unary(UnaryOp op, const TensorView& x, const TensorView& out, float alpha, float beta);

// Gradient of an activation: dx = dy * op'(at). `at` is the forward OUTPUT y for
// Relu, Relu6, Sigmoid, Tanh, Elu, Selu, LeakyRelu (cheaper, and what fused
// dense layers keep) and the forward INPUT x for Softplus, Swish, Gelu, Clip, Abs.
void unaryGrad(UnaryOp op, const TensorView& at, const TensorView& dy, const TensorView& dx, float alpha,
               float beta);

enum class BinaryOp : int32_t {
  Add = 0, Sub = 1, Mul = 2, Div = 3, FloorDiv = 4, Mod = 5, Pow = 6, Maximum = 7, Minimum = 8,
  SquaredDifference = 9, Equal = 10, NotEqual = 11, Less = 12, LessEqual = 13, Greater = 14,
  GreaterEqual = 15, LogicalAnd = 16, LogicalOr = 17, Atan2 = 18, DivNoNan = 19
};
// NumPy broadcasting: a and b have rank <= out's rank and are right-aligned to
// out.shape; each dim equals out's or is 1. Arithmetic: a, b, out share dtype
// (Float32 or Int32; Mod/FloorDiv follow Python's sign rules). Comparisons:
// a, b share dtype, out is Bool. Logical: all Bool.
void binary(BinaryOp op, const TensorView& a, const TensorView& b, const TensorView& out);

// out = cond ? a : b with the same broadcasting rule; cond is Bool.
void where(const TensorView& cond, const TensorView& a, const TensorView& b, const TensorView& out);

// Any dtype to any dtype (float -> int truncates toward zero; -> bool is != 0).
void cast(const TensorView& x, const TensorView& out);

// Fill with a constant (converted to out's dtype).
void fill(const TensorView& out, double value);

// ---------------------------------------------------------------- reduce.cc
enum class ReduceOp : int32_t { Sum = 0, Mean = 1, Max = 2, Min = 3, Prod = 4, All = 5, Any = 6 };
// Reduce over `axes` (sorted, unique, non-empty). out has x's rank with the
// reduced dims set to 1 (lib reshapes for keepDims=false). Sum/Mean/Max/Min/Prod
// on Float32 and Int32 (Int32 mean truncates); All/Any on Bool.
void reduce(ReduceOp op, const TensorView& x, const std::vector<int>& axes, const TensorView& out);

// Index of the max (or min) along `axis`; out is Int32 with that dim removed.
// Ties pick the first index.
void argReduce(bool isMax, const TensorView& x, int axis, const TensorView& out);

// Largest k along the last axis; values same dtype as x, indices Int32; sorted
// descending, ties by lower index first.
void topk(const TensorView& x, int k, const TensorView& values, const TensorView& indices);

// Cumulative sum along axis.
void cumsum(const TensorView& x, int axis, bool exclusive, bool reverse, const TensorView& out);

// ---------------------------------------------------------------- softmax_xent.cc
// softmax / logSoftmax along `axis` (any axis).
void softmax(const TensorView& x, int axis, bool log, const TensorView& out);
// dx for softmax (log=false, y = softmax output) or logSoftmax (log=true, y = logSoftmax output).
void softmaxGrad(const TensorView& y, const TensorView& dy, int axis, bool log, const TensorView& dx);

// Fused softmax + cross-entropy over the last axis of logits [N, C].
// labels: Int32 [N] (sparse class ids; an id outside [0, C) throws) or Float32
// [N, C] (probabilities / one-hot). labelSmoothing (dense labels only):
// y' = y * (1 - s) + s / C. loss: Float32 [N], the per-sample cross-entropy.
// grad (may be null): Float32 [N, C], d loss_i / d logits_i = softmax - y'.
void softmaxCrossEntropy(const TensorView& logits, const TensorView& labels, float labelSmoothing,
                         const TensorView& loss, const TensorView* grad);

// ---------------------------------------------------------------- optim.cc
enum class OptimKind : int32_t {
  Sgd = 0, Momentum = 1, Adam = 2, AdamW = 3, Adamax = 4, Rmsprop = 5, Adagrad = 6, Adadelta = 7, Nadam = 8, Lion = 9
};
struct OptimHyper {
  float lr = 0.01f;
  float beta1 = 0.9f, beta2 = 0.999f;  // adam, adamw, adamax
  float epsilon = 1e-7f;
  float momentum = 0.f;                 // momentum, rmsprop
  float rho = 0.9f;                     // rmsprop decay, adadelta rho
  float weightDecay = 0.f;              // adamw, lion (decoupled)
  bool nesterov = false;                // momentum
  bool centered = false;                // rmsprop
  int64_t step = 1;                     // 1-based step for bias correction
  double uProduct = 1.0;                // nadam: prod over i <= step of beta1 * (1 - 0.5 * 0.96^i)
};
// Updates param (and its slots) in place from grad. Slots per kind, all
// Float32 shaped like param, zero- (or initial-accumulator-) initialised by lib:
//   Sgd: none. Momentum: [accum]. Adam/AdamW: [m, v]. Adamax: [m, u].
//   Rmsprop: [ms, mom] (+ [mg] when centered). Adagrad: [accum]. Adadelta: [accumGrad, accumUpdate].
//   Nadam: [m, v]. Lion: [m].
// Rules follow TensorFlow.js's optimizers (Adam's epsilon outside the sqrt, with
// bias-corrected lr); AdamW, Nadam and Lion, which TF.js lacks, follow Keras 3
// (AdamW and Lion decay param by lr * weightDecay * param first, decoupled).
void optimStep(OptimKind kind, const TensorView& param, const TensorView& grad,
               const std::vector<TensorView>& slots, const OptimHyper& h);

// ---------------------------------------------------------------- random.cc
// Counter-based (Philox4x32-10): element i of a call draws from (seed, offset + i),
// so the same seed and offset give the same numbers on any thread count.
void randomUniform(uint64_t seed, uint64_t offset, double low, double high, const TensorView& out);  // Float32 or Int32 ([low, high))
void randomNormal(uint64_t seed, uint64_t offset, double mean, double stddev, bool truncated,
                  const TensorView& out);  // truncated: redraw beyond 2 stddev
// Inverted dropout: mask[i] = (u_i >= rate) / (1 - rate); out = x * mask.
void dropout(uint64_t seed, uint64_t offset, float rate, const TensorView& x, const TensorView& out,
             const TensorView& mask);

// ---------------------------------------------------------------- shape.cc  (any dtype)
void transpose(const TensorView& x, const std::vector<int>& perm, const TensorView& out);
// out[i] = x[begin + i * step] per axis (step may be negative; never 0).
void stridedSlice(const TensorView& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& step,
                  const TensorView& out);
// The adjoint: dx = zeros, then dx[begin + i * step] += dy[i].
void stridedSliceGrad(const TensorView& dy, const std::vector<int64_t>& begin, const std::vector<int64_t>& step,
                      const TensorView& dx);
void concat(const std::vector<TensorView>& xs, int axis, const TensorView& out);
// out = x with `before[d]` elements of `value` before and after[d] after axis d.
void pad(const TensorView& x, const std::vector<int64_t>& before, double value, const TensorView& out);
// out[i] = x[i mod x.shape] (tile and broadcastTo).
void tile(const TensorView& x, const TensorView& out);
// out = x gathered along axis by Int32 indices; an index out of range throws.
void gather(const TensorView& x, const TensorView& indices, int axis, const TensorView& out);
// The adjoint of gather: dx = zeros(dx.shape); dx[.., idx[j], ..] += dy[.., j, ..].
void gatherGrad(const TensorView& dy, const TensorView& indices, int axis, const TensorView& dx);
// One-hot along a new last axis; indices outside [0, depth) give an all-off row.
void oneHot(const TensorView& indices, int depth, float onValue, float offValue, const TensorView& out);

// ---------------------------------------------------------------- pool.cc  (float32)
enum class PoolKind : int32_t { Max = 0, Avg = 1 };
// Channels-last pooling: x [N, spatial..., C] with 1 to 3 spatial dims (nwc,
// nhwc, ndhwc), out [N, outSpatial..., C]. One value per spatial dim in each
// field; padAfter is whatever makes the output size come out (the caller's
// rounding rule decides how many windows there are). Padding never enters a
// result: max ignores it, avg divides by the number of real elements (TF's rule).
struct PoolArgs {
  std::vector<int64_t> kernel, strides, padBefore, padAfter;
};
// argmax: null, or for Max in training an Int32 tensor of out's shape that
// receives, per output element, the cell of its window that held the maximum
// (row-major over the window's spatial dims, padding cells counted; the first
// maximum wins ties, a NaN wins over numbers); poolGrad reads it back.
void pool(PoolKind kind, const TensorView& x, const TensorView& out, const PoolArgs& args, const TensorView* argmax);
// dx from dy; Max needs the forward's argmax (null for Avg).
void poolGrad(PoolKind kind, const TensorView& dy, const TensorView* argmax, const TensorView& dx,
              const PoolArgs& args);

// ---------------------------------------------------------------- norm.cc  (float32)
// Batch normalization of x viewed as [M, C], per channel over the M rows.
// scale / offset: [C] or null (1 and 0). Training: mean and variance [C]
// receive the batch mean and the biased batch variance.
void batchNormTraining(const TensorView& x, const TensorView* scale, const TensorView* offset, float epsilon,
                       const TensorView& y, const TensorView& mean, const TensorView& variance);
// With given statistics (moving averages): y = (x - mean) / sqrt(variance + eps) * scale + offset.
void batchNormInference(const TensorView& x, const TensorView& mean, const TensorView& variance,
                        const TensorView* scale, const TensorView* offset, float epsilon, const TensorView& y);
// Gradients of either form: globalStats treats mean and variance as constants
// (the inference form); otherwise they are x's batch statistics. dx, dscale,
// doffset ([C]) may each be null when not wanted; without scale, dscale is
// still the gradient of a scale of ones.
void batchNormGrad(const TensorView& x, const TensorView& dy, const TensorView& mean, const TensorView& variance,
                   const TensorView* scale, float epsilon, bool globalStats, const TensorView* dx,
                   const TensorView* dscale, const TensorView* doffset);
// Layer normalization of x viewed as [M, N], per row over N. gamma / beta: [N]
// or null. mean / variance ([M], biased) are written when non-null (training).
void layerNorm(const TensorView& x, const TensorView* gamma, const TensorView* beta, float epsilon,
               const TensorView& y, const TensorView* mean, const TensorView* variance);
void layerNormGrad(const TensorView& x, const TensorView& dy, const TensorView& mean, const TensorView& variance,
                   const TensorView* gamma, float epsilon, const TensorView* dx, const TensorView* dgamma,
                   const TensorView* dbeta);

// ---------------------------------------------------------------- resize.cc
// Image resizing with TensorFlow's coordinate rules. x [N, H, W, C], out
// [N, H', W', C]. alignCorners maps corner pixel centres onto each other;
// halfPixelCenters samples at pixel centres; neither is TF's legacy rule.
// Bilinear: float32. Nearest: float32 or int32 (out has x's dtype).
void resizeBilinear(const TensorView& x, bool alignCorners, bool halfPixelCenters, const TensorView& out);
// The adjoint: dx [N, H, W, C] from dy [N, H', W', C].
void resizeBilinearGrad(const TensorView& dy, bool alignCorners, bool halfPixelCenters, const TensorView& dx);
void resizeNearest(const TensorView& x, bool alignCorners, bool halfPixelCenters, const TensorView& out);
void resizeNearestGrad(const TensorView& dy, bool alignCorners, bool halfPixelCenters, const TensorView& dx);

// ---------------------------------------------------------------- rnn.cc  (float32)
// Recurrent layers over whole sequences, one oneDNN RNN primitive call per
// layer and batch, in Keras's layouts: x [N, T, F] (batch-major), kernel
// [F, G*U], recurrentKernel [U, G*U], bias [G*U], gate blocks in Keras's
// order: LSTM (G = 4) i, f, c, o; GRU (G = 3, reset after the recurrent
// product, Keras's resetAfter: true) z, r, h with bias [2, G*U] (the input
// row, then the recurrent row); SimpleRNN (G = 1). Gate activations are
// sigmoid and tanh as in Keras 2+.
enum class RnnKind : int32_t { Lstm = 0, Gru = 1, Simple = 2 };
struct RnnArgs {
  RnnKind kind = RnnKind::Lstm;
  Activation activation = Activation::Tanh;  // Simple only: Tanh, Relu or Sigmoid
  // Keras's goBackwards: the sequence is read from its end and y lists the
  // outputs in the order they were computed.
  bool goBackwards = false;
};
// The tensors of one call. h0 / c0 (the initial state, [N, U]) and bias may
// be null: zeros. c0 and cT are the LSTM's cell state (null for the others;
// an LSTM takes h0 and c0 together). y is [N, T, U] (every step) or [N, U]
// (the last step only). workspace: null for inference; for training a buffer
// of rnnWorkspaceBytes() that the forward fills and the backward reads.
struct RnnTensors {
  const TensorView* x = nullptr;
  const TensorView* h0 = nullptr;
  const TensorView* c0 = nullptr;
  const TensorView* kernel = nullptr;
  const TensorView* recurrentKernel = nullptr;
  const TensorView* bias = nullptr;
  const TensorView* y = nullptr;
  const TensorView* hT = nullptr;
  const TensorView* cT = nullptr;
  const TensorView* workspace = nullptr;
};
// Gradients: dy (y's shape), dhT and dcT (LSTM) are required; each of the
// rest may be null when not wanted (dh0 / dc0 / dbias must be null when h0 /
// bias are). Results overwrite their outputs.
struct RnnGrads {
  const TensorView* dy = nullptr;
  const TensorView* dhT = nullptr;
  const TensorView* dcT = nullptr;
  const TensorView* dx = nullptr;
  const TensorView* dh0 = nullptr;
  const TensorView* dc0 = nullptr;
  const TensorView* dkernel = nullptr;
  const TensorView* drecurrentKernel = nullptr;
  const TensorView* dbias = nullptr;
};
int64_t rnnWorkspaceBytes(const RnnArgs& args, const Shape& x, int64_t units, bool returnSequences, bool hasInitialState);
void rnnForward(const RnnArgs& args, const RnnTensors& t);
// t holds the forward's tensors (its outputs and workspace included).
void rnnBackward(const RnnArgs& args, const RnnTensors& t, const RnnGrads& g);

}  // namespace tf
