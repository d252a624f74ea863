// The one place that loads and types the addon. Every other module imports
// `native` from here; nothing else knows how the binary is found.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const enum DTypeCode { Float32 = 0, Int32 = 1, Bool = 2 }

/** Flags for the TensorHandle constructor's fourth argument. */
export const enum HandleFlags { None = 0, Zero = 1, Adopt = 2 }

export type TypedArray = Float32Array | Int32Array | Uint8Array;

export interface TensorHandle {
  readonly dtype: DTypeCode;
  readonly shape: number[];
  readonly byteSize: number;
  readonly disposed: boolean;
  readonly device: string;
  /** Where the contents are: 'plain', 'blocked' (a convolution left them in oneDNN's layout; read them and they become plain) or 'both'. */
  readonly layout: 'plain' | 'blocked' | 'both';
  /** A detached copy of the contents. */
  read(): TypedArray;
  write(src: TypedArray): void;
  /** A handle over the same memory with another shape (no copy). */
  reshape(shape: number[]): TensorHandle;
  dispose(): void;
}

export interface TensorHandleConstructor {
  new (dtype: DTypeCode, shape: number[], source?: TypedArray | null, flags?: HandleFlags): TensorHandle;
}

// Codes match native/src/core/kernels.h.
export const enum Activation { Linear = 0, Relu = 1, Relu6 = 2, Sigmoid = 3, Tanh = 4, Elu = 5, Selu = 6, LeakyRelu = 7, Softplus = 8, Swish = 9, Gelu = 10 }
export const enum UnaryOp {
  Neg = 0, Abs = 1, Sign = 2, Exp = 3, Expm1 = 4, Log = 5, Log1p = 6, Sqrt = 7, Rsqrt = 8,
  Square = 9, Reciprocal = 10, Sin = 11, Cos = 12, Tanh = 13, Sigmoid = 14, Relu = 15,
  Relu6 = 16, Elu = 17, Selu = 18, LeakyRelu = 19, Softplus = 20, Erf = 21, Round = 22,
  Floor = 23, Ceil = 24, LogicalNot = 25, Clip = 26, Step = 27, IsNan = 28, Swish = 29,
  Gelu = 30, Tan = 31, Asin = 32, Acos = 33, Atan = 34, Sinh = 35, Cosh = 36, Softsign = 37,
}
export const enum BinaryOp {
  Add = 0, Sub = 1, Mul = 2, Div = 3, FloorDiv = 4, Mod = 5, Pow = 6, Maximum = 7, Minimum = 8,
  SquaredDifference = 9, Equal = 10, NotEqual = 11, Less = 12, LessEqual = 13, Greater = 14,
  GreaterEqual = 15, LogicalAnd = 16, LogicalOr = 17, Atan2 = 18, DivNoNan = 19,
}
export const enum ReduceOp { Sum = 0, Mean = 1, Max = 2, Min = 3, Prod = 4, All = 5, Any = 6 }
export const enum PoolKind { Max = 0, Avg = 1 }
export const enum RnnKind { Lstm = 0, Gru = 1, Simple = 2 }
export const enum OptimKind { Sgd = 0, Momentum = 1, Adam = 2, AdamW = 3, Adamax = 4, Rmsprop = 5, Adagrad = 6, Adadelta = 7, Nadam = 8, Lion = 9 }

export interface OptimHyper {
  lr: number; beta1?: number; beta2?: number; epsilon?: number; momentum?: number; rho?: number;
  weightDecay?: number; nesterov?: boolean; centered?: boolean; step?: number;
  /** Nadam: the momentum-cache product up to `step` (kept exact in float64 by lib). */
  uProduct?: number;
}

export interface CudaLibraryStatus {
  name: 'cuBLASLt' | 'cuBLAS' | 'cuDNN';
  /** The file names searched for, best first. */
  sonames: string[];
  loaded: boolean;
  path: string | null;
  version: string | null;
  /** The CUDA runtime version the library was built for. */
  cudaVersion: string | null;
  /** Every dlopen tried, in order, with dlerror's message (null for the one that loaded). */
  attempts: { path: string; error: string | null }[];
}

export interface CudaDeviceStatus {
  index: number;
  name: string;
  memoryBytes: number;
  computeCapability: string;
  multiprocessors: number;
  /** Whether this build carries code (SASS or PTX) the device can run. */
  compatible: boolean;
}

export interface CudaStatus {
  /** Built with the CUDA backend. */
  built: boolean;
  /** Driver, a compatible device and every library were found. */
  probeOk: boolean;
  /** Why the CUDA backend cannot run. */
  reason: string;
  /** The CUDA runtime linked into the addon, as '13.0'. */
  runtimeVersion: string | null;
  /** The newest CUDA the driver supports; null without a driver. */
  driverVersion: string | null;
  runtimeError: string | null;
  /** The architectures compiled in: 'sm_80', 'compute_90'. */
  targets: string[];
  devices: CudaDeviceStatus[];
  libraries: CudaLibraryStatus[];
}

type H = TensorHandle;

/**
 * The addon's functions. Outputs are allocated by the caller (lib/ops) with the
 * shape its shape rule computed, and passed in last; kernels fill them.
 */
export interface Addon {
  TensorHandle: TensorHandleConstructor;
  /** package.json's version when the addon was built; load() refuses a mismatch. */
  version: string;
  /** cuda: whether this addon was built with the CUDA backend (cudaStatus() says if it can run). */
  runtimeInfo(): { onednn: string; threads: number; cuda: boolean };
  setNumThreads(n: number): void;

  // cuda: what the CUDA side found. Both probe (driver, devices, dlopen of cuBLAS/cuDNN) on their
  // first call only, never at load. cudaInit() is setBackend('cuda')'s check: it returns why the
  // backend cannot run.
  cudaStatus(): CudaStatus;
  cudaInit(): string;

  // gemm
  matmul(a: H, b: H, bias: H | null, out: H, transposeA: boolean, transposeB: boolean, activation: Activation, alpha: number): void;
  // conv: x [N, *spatial, Cin], filter [*k, Cin/groups, Cout], y [N, *out, Cout]; one stride,
  // dilation and padding per spatial dim.
  convForward(x: H, filter: H, bias: H | null, y: H, strides: number[], dilations: number[], padBefore: number[], padAfter: number[],
    groups: number, activation: Activation, alpha: number): void;
  convBackwardData(dy: H, filter: H, dx: H, strides: number[], dilations: number[], padBefore: number[], padAfter: number[], groups: number): void;
  convBackwardFilter(x: H, dy: H, dfilter: H, dbias: H | null, strides: number[], dilations: number[], padBefore: number[], padAfter: number[],
    groups: number): void;
  // elementwise
  unary(op: UnaryOp, x: H, out: H, alpha: number, beta: number): void;
  unaryGrad(op: UnaryOp, at: H, dy: H, dx: H, alpha: number, beta: number): void;
  binary(op: BinaryOp, a: H, b: H, out: H): void;
  where(cond: H, a: H, b: H, out: H): void;
  cast(x: H, out: H): void;
  fill(out: H, value: number): void;
  // reduce
  reduce(op: ReduceOp, x: H, axes: number[], out: H): void;
  argReduce(isMax: boolean, x: H, axis: number, out: H): void;
  topk(x: H, k: number, values: H, indices: H): void;
  cumsum(x: H, axis: number, exclusive: boolean, reverse: boolean, out: H): void;
  // softmax_xent
  softmax(x: H, axis: number, log: boolean, out: H): void;
  softmaxGrad(y: H, dy: H, axis: number, log: boolean, dx: H): void;
  softmaxCrossEntropy(logits: H, labels: H, labelSmoothing: number, loss: H, grad: H | null): void;
  // optim: one call updates every variable (params[i] with grads[i] and slots[i]).
  optimStep(kind: OptimKind, params: H[], grads: H[], slots: H[][], hyper: OptimHyper): void;
  // random
  randomUniform(seed: number, offset: number, low: number, high: number, out: H): void;
  randomNormal(seed: number, offset: number, mean: number, stddev: number, truncated: boolean, out: H): void;
  dropout(seed: number, offset: number, rate: number, x: H, out: H, mask: H): void;
  // shape
  transpose(x: H, perm: number[], out: H): void;
  stridedSlice(x: H, begin: number[], step: number[], out: H): void;
  stridedSliceGrad(dy: H, begin: number[], step: number[], dx: H): void;
  concat(xs: H[], axis: number, out: H): void;
  pad(x: H, before: number[], value: number, out: H): void;
  tile(x: H, out: H): void;
  gather(x: H, indices: H, axis: number, out: H): void;
  gatherGrad(dy: H, indices: H, axis: number, dx: H): void;
  oneHot(indices: H, depth: number, onValue: number, offValue: number, out: H): void;

  // pool: channels-last x [N, spatial..., C] with 1-3 spatial dims; one value per spatial dim in
  // kernel, strides, padBefore, padAfter. argmax (max pooling in training): int32 of out's shape, the
  // cell inside each window (row-major, padding counted) that held the maximum.
  pool(kind: PoolKind, x: H, out: H, kernel: number[], strides: number[], padBefore: number[], padAfter: number[], argmax: H | null): void;
  poolGrad(kind: PoolKind, dy: H, argmax: H | null, dx: H, kernel: number[], strides: number[], padBefore: number[], padAfter: number[]): void;
  // norm: batch normalization over the rows of x [M, C]; layer normalization over the columns of x [M, N].
  batchNormTraining(x: H, scale: H | null, offset: H | null, epsilon: number, y: H, mean: H, variance: H): void;
  batchNormInference(x: H, mean: H, variance: H, scale: H | null, offset: H | null, epsilon: number, y: H): void;
  batchNormGrad(x: H, dy: H, mean: H, variance: H, scale: H | null, epsilon: number, globalStats: boolean, dx: H | null, dscale: H | null, doffset: H | null): void;
  layerNorm(x: H, gamma: H | null, beta: H | null, epsilon: number, y: H, mean: H | null, variance: H | null): void;
  layerNormGrad(x: H, dy: H, mean: H, variance: H, gamma: H | null, epsilon: number, dx: H | null, dgamma: H | null, dbeta: H | null): void;
  // resize: NHWC images, TensorFlow's coordinate rules.
  resizeBilinear(x: H, alignCorners: boolean, halfPixelCenters: boolean, out: H): void;
  resizeBilinearGrad(dy: H, alignCorners: boolean, halfPixelCenters: boolean, dx: H): void;
  resizeNearest(x: H, alignCorners: boolean, halfPixelCenters: boolean, out: H): void;
  resizeNearestGrad(dy: H, alignCorners: boolean, halfPixelCenters: boolean, dx: H): void;

  // rnn: whole sequences in Keras's layouts: x [N, T, F], kernel [F, G*U], recurrentKernel [U, G*U],
  // bias [G*U] (GRU, reset after: [2, G*U]); y [N, T, U] (every step) or [N, U] (the last);
  // states [N, U]. activation: the simple RNN's (Tanh, Relu or Sigmoid). The workspace (training)
  // is an opaque byte buffer that the backward reads.
  rnnWorkspaceBytes(kind: RnnKind, activation: Activation, goBackwards: boolean, xShape: number[], units: number,
    returnSequences: boolean, hasInitialState: boolean): number;
  rnnForward(kind: RnnKind, activation: Activation, goBackwards: boolean, x: H, h0: H | null, c0: H | null, kernel: H,
    recurrentKernel: H, bias: H | null, y: H, hT: H, cT: H | null, workspace: H | null): void;
  rnnBackward(kind: RnnKind, activation: Activation, goBackwards: boolean, x: H, h0: H | null, c0: H | null, kernel: H,
    recurrentKernel: H, bias: H | null, y: H, hT: H, cT: H | null, workspace: H, dy: H, dhT: H, dcT: H | null,
    dx: H | null, dh0: H | null, dc0: H | null, dkernel: H | null, drecurrentKernel: H | null, dbias: H | null): void;
}

// Loading: node-gyp-build picks build/Release (a source build) or else the prebuilt binary in
// prebuilds/<platform>-<arch>/ (N-API, so one file serves every Node version); libdnnl and its
// own needs sit beside the prebuilt one and are found through its $ORIGIN rpath. When that
// fails the error says what this system is, which file was tried, why it failed and what to do.

const buildFromSource = 'npm run build:native';
const sourcePrerequisites =
  'CMake >= 3.18, a C++17 compiler with OpenMP and oneDNN 2.6; on Debian/Ubuntu: sudo apt-get install cmake g++ libdnnl-dev';

function load(): Addon {
  const root = path.join(__dirname, '..', '..');
  const jsVersion = (require(path.join(root, 'package.json')) as { version: string }).version;
  let file: string;
  try {
    file = (require('node-gyp-build') as { resolve(dir: string): string }).resolve(root);
  } catch (err) {
    throw loadError(root, null, err as Error);
  }
  const defect = [file, ...bundledLibraries(root, file)].map(truncation).find((d) => d !== null);
  if (defect) throw loadError(root, file, new Error(defect));
  let addon: Addon;
  try {
    addon = require(file) as Addon;
  } catch (err) {
    throw loadError(root, file, err as Error);
  }
  if (addon.version !== jsVersion) throw versionError(root, file, addon.version, jsVersion);
  return addon;
}

/** The shared libraries that travel beside a prebuilt addon (libdnnl and its own needs). */
function bundledLibraries(root: string, file: string): string[] {
  if (!isPrebuilt(root, file)) return [];
  const dir = path.dirname(file);
  return fs.readdirSync(dir).filter((f) => /\.so(\.\d+)*$/.test(f)).map((f) => path.join(dir, f));
}

/**
 * Why a file is a cut-off ELF image, or null. dlopen maps such a file's segments past its end
 * and the process dies of SIGBUS when it touches them, so this is checked before dlopen: every
 * segment and the section table (which linkers write last) must lie inside the file. Other
 * damage (not ELF at all, another architecture) dlopen reports itself.
 */
function truncation(file: string): string | null {
  if (process.platform !== 'linux') return null;
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;  // unreadable: dlopen says why
  }
  try {
    const size = fs.fstatSync(fd).size;
    const header = Buffer.alloc(64);
    const elf64le = fs.readSync(fd, header, 0, 64, 0) === 64 && header.readUInt32BE(0) === 0x7f454c46 && header[4] === 2 && header[5] === 1;
    if (!elf64le) return null;
    const [phoff, shoff] = [Number(header.readBigUInt64LE(32)), Number(header.readBigUInt64LE(40))];
    const [phentsize, phnum, shentsize, shnum] = [54, 56, 58, 60].map((o) => header.readUInt16LE(o));
    let end = Math.max(phoff + phentsize * phnum, shoff + shentsize * shnum);
    if (phoff + phentsize * phnum <= size) {
      const table = Buffer.alloc(phentsize * phnum);
      fs.readSync(fd, table, 0, table.length, phoff);
      for (let o = 0; o < table.length; o += phentsize) {
        end = Math.max(end, Number(table.readBigUInt64LE(o + 8)) + Number(table.readBigUInt64LE(o + 32)));  // p_offset + p_filesz
      }
    }
    return end > size ? `${file} is cut off: its ELF headers describe ${end} bytes but the file has ${size}` : null;
  } finally {
    fs.closeSync(fd);
  }
}

function loadError(root: string, file: string | null, cause: Error): Error {
  const target = `${process.platform}-${process.arch}`;
  const reason = cause.message.trim().replace(/\s*\n\s*/g, ' ');
  const fixes: string[] = [];
  if (file === null) {
    fixes.push(`no prebuilt binary here fits ${target} with ${libcName()} (${prebuiltList(root)})`);
  } else if (isPrebuilt(root, file)) {
    const missing = /([^\s:]+\.so[.\d]*): cannot open shared object file/.exec(reason);
    if (missing) {
      fixes.push(`${missing[1]} belongs beside the addon in ${path.dirname(file)} but is missing: reinstall tensorforge (rm -rf node_modules/tensorforge && npm install)`);
    } else if (/GLIBC(XX)?_[\d.]+' not found/.test(reason)) {
      fixes.push(`the prebuilt binary needs a newer C or C++ runtime than this system's (${libcName()}); build from source instead`);
    } else {
      fixes.push('the prebuilt binary is damaged or not for this system: reinstall tensorforge (rm -rf node_modules/tensorforge && npm install)');
    }
  } else if (/libdnnl\.so/.test(reason)) {
    fixes.push('this source build links the system oneDNN, which is missing: sudo apt-get install libdnnl2 (Debian/Ubuntu), or rebuild');
  } else {
    fixes.push(`this source build is damaged or stale: rebuild it, or delete ${path.join(root, 'build')} to use the prebuilt binary`);
  }
  fixes.push(`build it from source: cd ${root} && ${buildFromSource}\n    (needs ${sourcePrerequisites})`);
  const message = [
    'tensorforge could not load its native addon.',
    `  system: ${systemLine()}`,
    `  file:   ${file ?? `none found in ${path.join(root, 'build', 'Release')} or ${path.join(root, 'prebuilds', target)}`}`,
    `  error:  ${reason}`,
    'Possible fixes:',
    ...fixes.map((f) => `  - ${f}`),
  ].join('\n');
  return nativeLoadError(message, cause);
}

function versionError(root: string, file: string, addonVersion: string | undefined, jsVersion: string): Error {
  const fix = isPrebuilt(root, file)
    ? `reinstall tensorforge so that both come from one package: npm install tensorforge@${jsVersion}`
    : `rebuild the addon: cd ${root} && ${buildFromSource}, or delete ${path.join(root, 'build')} to use the prebuilt binary`;
  const message = [
    `tensorforge's native addon is version ${addonVersion ?? '(unknown: built before versions were recorded)'} but its JavaScript is version ${jsVersion}.`,
    `  system: ${systemLine()}`,
    `  file:   ${file}`,
    'Possible fixes:',
    `  - ${fix}`,
  ].join('\n');
  return nativeLoadError(message);
}

function nativeLoadError(message: string, cause?: Error): Error {
  const e = new Error(message, cause ? { cause } : undefined);
  (e as NodeJS.ErrnoException).code = 'ERR_TENSORFORGE_NATIVE_LOAD';
  return e;
}

function isPrebuilt(root: string, file: string): boolean {
  return path.relative(path.join(root, 'prebuilds'), file).split(path.sep)[0] !== '..';
}

function systemLine(): string {
  return `${process.platform}-${process.arch}, ${libcName()}, Node ${process.version}, N-API ${process.versions.napi}`;
}

/** The C library and its version: what a prebuilt Linux binary depends on. */
function libcName(): string {
  if (process.platform !== 'linux') return `no libc tag (${process.platform})`;
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  if (header?.glibcVersionRuntime) return `glibc ${header.glibcVersionRuntime}`;
  return `musl ${muslVersion()}`;
}

function muslVersion(): string {
  // musl's dynamic loader prints "Version x.y.z" when run on its own.
  try {
    const loader = fs.readdirSync('/lib').find((f) => /^ld-musl-.*\.so\.1$/.test(f));
    const out = loader ? spawnSync(path.join('/lib', loader), { encoding: 'utf8' }).stderr : '';
    return /Version ([\d.]+)/.exec(out)?.[1] ?? '(version unknown)';
  } catch {
    return '(version unknown)';
  }
}

function prebuiltList(root: string): string {
  const dir = path.join(root, 'prebuilds');
  const found = fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).filter((t) => t.isDirectory())
      .flatMap((t) => fs.readdirSync(path.join(dir, t.name)).filter((f) => f.endsWith('.node')).map((f) => `${t.name}/${f}`))
    : [];
  return found.length ? `the package has ${found.join(', ')}` : 'this copy has none: a source checkout';
}

export const native: Addon = load();
