// Weight bytes in TensorFlow.js's layout: every weight's values, little-endian,
// concatenated in manifest order, with no padding between them. Quantized
// weights (from tensorflowjs_converter) are read as TF.js reads them.
import * as os from 'os';
import { codedError, typeError } from '../errors';
import { DataType } from '../tensor/dtype';
import { fromTypedArray, Tensor } from '../tensor/tensor';
import { ModelArtifacts, ModelArtifactsInfo, ModelJSON, NamedTensor, NamedTensorMap, WeightData, WeightGroup, WeightsManifestConfig, WeightsManifestEntry } from './types';
import { sizeOf } from '../tensor/shape';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };
const BIG_ENDIAN_HOST = os.endianness() === 'BE';

/** Reverses the byte order of each `width`-byte word in place (only ever needed on big-endian hosts). */
function swapWords(bytes: Uint8Array, width: number): void {
  for (let i = 0; i + width <= bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

/**
 * Encodes tensors as one buffer plus the manifest entries that describe it,
 * as tf.io.encodeWeights does (no quantization, no sharding).
 *
 * ```js
 * const {data, specs} = await tf.io.encodeWeights({w: tf.tensor([1, 2])});
 * // data.byteLength === 8; specs: [{name: 'w', shape: [2], dtype: 'float32'}]
 * ```
 */
export async function encodeWeights(tensors: NamedTensorMap | NamedTensor[], group?: WeightGroup): Promise<{ data: ArrayBuffer; specs: WeightsManifestEntry[] }> {
  const fn = 'encodeWeights';
  if (tensors === null || typeof tensors !== 'object') {
    throw typeError(fn, 'tensors', 'an object of named tensors or an array of {name, tensor}', tensors);
  }
  const named: NamedTensor[] = Array.isArray(tensors) ? tensors : Object.keys(tensors).map((name) => ({ name, tensor: tensors[name] }));
  const specs: WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (const { name, tensor } of named) {
    if (!(tensor instanceof Tensor)) throw typeError(fn, `tensors['${name}']`, 'a Tensor', tensor);
    tensor.assertLive(fn);
    const values = tensor.dataSync();
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    chunks.push(bytes);
    total += bytes.byteLength;
    const spec: WeightsManifestEntry = { name, shape: tensor.shape.slice(), dtype: tensor.dtype };
    if (group !== undefined) spec.group = group;
    specs.push(spec);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    out.set(chunks[i], offset);
    if (BIG_ENDIAN_HOST) swapWords(out.subarray(offset, offset + chunks[i].byteLength), BYTES[specs[i].dtype]);
    offset += chunks[i].byteLength;
  }
  return { data: out.buffer, specs };
}

/** One view over weight data given as a buffer, a typed array / Node Buffer, or a list of shards. */
function asBytes(weightData: WeightData | ArrayBufferView | ArrayBufferView[]): Uint8Array {
  const parts = Array.isArray(weightData) ? weightData : [weightData];
  const views = parts.map((p, i) => {
    if (p instanceof ArrayBuffer) return new Uint8Array(p);
    if (ArrayBuffer.isView(p)) return new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
    throw typeError('decodeWeights', Array.isArray(weightData) ? `weightData[${i}]` : 'weightData', 'an ArrayBuffer or a list of ArrayBuffers', p);
  });
  return views.length === 1 ? views[0] : concatBytes(views);
}

function concatBytes(views: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const v of views) total += v.byteLength;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const v of views) {
    out.set(v, offset);
    offset += v.byteLength;
  }
  return out;
}

/**
 * Concatenates buffers into one (tf.io.concatenateArrayBuffers).
 *
 * ```js
 * tf.io.concatenateArrayBuffers([new ArrayBuffer(4), new ArrayBuffer(8)]).byteLength; // 12
 * ```
 */
export function concatenateArrayBuffers(buffers: ArrayBuffer[] | ArrayBuffer): ArrayBuffer {
  const bytes = asBytes(buffers);
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
}

/** Checks one manifest entry, so that a corrupt model.json fails with a message naming the weight. */
function checkSpec(spec: WeightsManifestEntry, i: number): void {
  const fn = 'decodeWeights';
  if (spec === null || typeof spec !== 'object' || typeof spec.name !== 'string') {
    throw codedError('ERR_IO', `${fn}: expected {name, shape, dtype} for weight spec ${i} but received ${JSON.stringify(spec)}`);
  }
  if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw codedError('ERR_IO', `${fn}: expected a shape (non-negative integers) for weight '${spec.name}' but received ${JSON.stringify(spec.shape)}`);
  }
  if (spec.dtype !== 'float32' && spec.dtype !== 'int32' && spec.dtype !== 'bool') {
    throw codedError('ERR_UNSUPPORTED', `${fn}: weight '${spec.name}' has dtype ${JSON.stringify(spec.dtype)}; supported: 'float32', 'int32', 'bool'`);
  }
  const q = spec.quantization;
  if (q === undefined) return;
  if (q.dtype !== 'uint8' && q.dtype !== 'uint16' && q.dtype !== 'float16') {
    throw codedError('ERR_UNSUPPORTED', `${fn}: weight '${spec.name}' has quantization dtype ${JSON.stringify(q.dtype)}; supported: 'uint8', 'uint16', 'float16'`);
  }
  if (q.dtype === 'float16' ? spec.dtype !== 'float32' : spec.dtype === 'bool') {
    throw codedError('ERR_UNSUPPORTED', `${fn}: weight '${spec.name}' of dtype ${spec.dtype} cannot be quantized as ${q.dtype}`);
  }
  if (q.dtype !== 'float16' && (typeof q.scale !== 'number' || typeof q.min !== 'number')) {
    throw codedError('ERR_IO', `${fn}: weight '${spec.name}' is quantized as ${q.dtype} but its quantization lacks numeric 'scale' and 'min'`);
  }
}

/** IEEE 754 half precision to a JS number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function decodeOne(spec: WeightsManifestEntry, bytes: Uint8Array): Tensor {
  const n = sizeOf(spec.shape);
  const dtype: DataType = spec.dtype;
  const q = spec.quantization;
  if (q === undefined) {
    const values = dtype === 'float32' ? new Float32Array(n) : dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
    const raw = new Uint8Array(values.buffer);
    raw.set(bytes);
    if (BIG_ENDIAN_HOST) swapWords(raw, BYTES[dtype]);
    return fromTypedArray(values, spec.shape.slice(), dtype, true);
  }
  // Quantized words are read through a DataView: they may start at an odd offset.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const word = q.dtype === 'uint8' ? (i: number) => view.getUint8(i) : (i: number) => view.getUint16(2 * i, true);
  const values = dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
  if (q.dtype === 'float16') {
    for (let i = 0; i < n; i++) values[i] = halfToFloat(word(i));
  } else {
    const scale = q.scale as number;
    const min = q.min as number;
    if (dtype === 'int32') for (let i = 0; i < n; i++) values[i] = Math.round(word(i) * scale + min);
    else for (let i = 0; i < n; i++) values[i] = word(i) * scale + min;
  }
  return fromTypedArray(values, spec.shape.slice(), dtype, true);
}

/**
 * Decodes weight bytes into tensors, one per manifest entry, keyed by name
 * (tf.io.decodeWeights). Reads float32 / int32 / bool and the converter's
 * uint8 / uint16 / float16 quantization.
 *
 * ```js
 * const {data, specs} = await tf.io.encodeWeights({w: tf.tensor([1, 2])});
 * tf.io.decodeWeights(data, specs).w.print(); // [1, 2]
 * ```
 */
export function decodeWeights(weightData: WeightData, specs: WeightsManifestEntry[]): NamedTensorMap {
  if (!Array.isArray(specs)) throw typeError('decodeWeights', 'specs', 'an array of weight manifest entries', specs);
  const bytes = asBytes(weightData);
  specs.forEach(checkSpec);
  const out: NamedTensorMap = {};
  let offset = 0;
  try {
    for (const spec of specs) {
      const length = sizeOf(spec.shape) * BYTES[spec.quantization?.dtype ?? spec.dtype];
      if (offset + length > bytes.byteLength) {
        throw codedError('ERR_IO', `decodeWeights: weight '${spec.name}' (shape [${spec.shape.join(',')}], ${spec.quantization?.dtype ?? spec.dtype}) needs bytes ${offset} to ${offset + length} but the weight data holds only ${bytes.byteLength} bytes`);
      }
      out[spec.name]?.dispose();
      out[spec.name] = decodeOne(spec, bytes.subarray(offset, offset + length));
      offset += length;
    }
  } catch (e) {
    for (const t of Object.values(out)) t.dispose();
    throw e;
  }
  return out;
}

/** The entries of every group of a manifest, in file order (tf.io.getWeightSpecs). */
export function getWeightSpecs(weightsManifest: WeightsManifestConfig): WeightsManifestEntry[] {
  const specs: WeightsManifestEntry[] = [];
  for (const group of weightsManifest) specs.push(...group.weights);
  return specs;
}

/** Byte counts of a save, as TF.js reports them in SaveResult.modelArtifactsInfo. */
export function getModelArtifactsInfoForJSON(artifacts: ModelArtifacts): ModelArtifactsInfo {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw codedError('ERR_UNSUPPORTED', 'getModelArtifactsInfoForJSON: expected a JSON model topology but received an ArrayBuffer (GraphDef)');
  }
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: artifacts.modelTopology == null ? 0 : Buffer.byteLength(JSON.stringify(artifacts.modelTopology), 'utf8'),
    weightSpecsBytes: artifacts.weightSpecs == null ? 0 : Buffer.byteLength(JSON.stringify(artifacts.weightSpecs), 'utf8'),
    weightDataBytes: artifacts.weightData == null ? 0 : asBytes(artifacts.weightData).byteLength,
  };
}

/** The model.json object for artifacts whose weights are described by `manifest`. */
export function getModelJSONForModelArtifacts(artifacts: ModelArtifacts, manifest: WeightsManifestConfig): ModelJSON {
  const json: ModelJSON = {
    modelTopology: artifacts.modelTopology as Record<string, unknown>,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: manifest,
  };
  if (artifacts.signature != null) json.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer != null) json.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature != null) json.initializerSignature = artifacts.initializerSignature;
  if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
  return json;
}

/**
 * Checks that parsed model.json content has the layers-model shape and
 * returns its manifest; `where` names the file in errors.
 */
export function checkModelJSON(json: unknown, where: string): ModelJSON {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw codedError('ERR_IO', `loadLayersModel: ${where} does not hold a JSON object (received ${Array.isArray(json) ? 'an array' : JSON.stringify(json)})`);
  }
  const m = json as ModelJSON;
  if (m.modelTopology == null || typeof m.modelTopology !== 'object') {
    throw codedError('ERR_IO', `loadLayersModel: ${where} has no 'modelTopology' object; is it a TensorFlow.js layers-model file?`);
  }
  if (m.weightsManifest != null) {
    const ok = Array.isArray(m.weightsManifest) && m.weightsManifest.every((g) => g !== null && typeof g === 'object' && Array.isArray(g.paths) && g.paths.every((p) => typeof p === 'string') && Array.isArray(g.weights));
    if (!ok) throw codedError('ERR_IO', `loadLayersModel: ${where} has a malformed 'weightsManifest': expected [{paths: [string...], weights: [...]}, ...]`);
  }
  return m;
}

/** Model artifacts for a parsed model.json whose weights were read as `weightData`. */
export function getModelArtifactsForJSON(json: ModelJSON, weightData?: WeightData): ModelArtifacts {
  const artifacts: ModelArtifacts = {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
  };
  if (json.weightsManifest != null && weightData !== undefined) {
    artifacts.weightSpecs = getWeightSpecs(json.weightsManifest);
    artifacts.weightData = weightData;
  }
  if (json.trainingConfig != null) artifacts.trainingConfig = json.trainingConfig;
  if (json.signature != null) artifacts.signature = json.signature;
  if (json.userDefinedMetadata != null) artifacts.userDefinedMetadata = json.userDefinedMetadata;
  if (json.modelInitializer != null) artifacts.modelInitializer = json.modelInitializer;
  if (json.initializerSignature != null) artifacts.initializerSignature = json.initializerSignature;
  return artifacts;
}
