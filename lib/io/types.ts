// The shapes of TensorFlow.js's model artifacts, manifests and IO handlers,
// with TF.js's names so that code written against tf.io type-checks here.
import type { DataType } from '../tensor/dtype';
import type { Tensor } from '../tensor/tensor';

/** How a weight was quantized by the TF.js converter; values are `q * scale + min` (uint8/uint16) or IEEE half floats. */
export interface Quantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  scale?: number;
  min?: number;
  /** Present in converter output; not needed to decode. */
  original_dtype?: string;
}

/** One weight in a manifest: its name, shape and dtype, in the order its bytes appear. */
export interface WeightsManifestEntry {
  name: string;
  shape: number[];
  /** TF.js also writes 'string' and 'complex64', which tensorforge rejects on load. */
  dtype: DataType;
  /** 'model' (default) or 'optimizer': optimizer slots saved with `includeOptimizer`. */
  group?: WeightGroup;
  quantization?: Quantization;
}

export type WeightGroup = 'model' | 'optimizer';

/** A group of weights stored in the files `paths` (shards, concatenated in order). */
export interface WeightsManifestGroupConfig {
  paths: string[];
  weights: WeightsManifestEntry[];
}

export type WeightsManifestConfig = WeightsManifestGroupConfig[];

/** Weight bytes: one buffer, or shards to be read as if concatenated. */
export type WeightData = ArrayBuffer | ArrayBuffer[];

/** Everything a model save holds, before an IO handler decides where it goes. */
export interface ModelArtifacts {
  /** The Keras-format (snake_case) topology: {class_name, config, keras_version, backend}. */
  modelTopology?: Record<string, unknown> | ArrayBuffer;
  weightSpecs?: WeightsManifestEntry[];
  weightData?: WeightData;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: Record<string, unknown>;
  userDefinedMetadata?: Record<string, unknown>;
  signature?: Record<string, unknown>;
  modelInitializer?: Record<string, unknown>;
  initializerSignature?: Record<string, unknown>;
  /** TF.js's escape hatch for handlers that stream weights; unused by the file handler. */
  getWeightStream?: () => unknown;
}

/** The contents of model.json. */
export interface ModelJSON {
  modelTopology: Record<string, unknown>;
  weightsManifest: WeightsManifestConfig;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: Record<string, unknown>;
  userDefinedMetadata?: Record<string, unknown>;
  signature?: Record<string, unknown>;
  modelInitializer?: Record<string, unknown>;
  initializerSignature?: Record<string, unknown>;
}

export interface ModelArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON' | 'GraphDef';
  modelTopologyBytes?: number;
  weightSpecsBytes?: number;
  weightDataBytes?: number;
}

export interface SaveResult {
  modelArtifactsInfo: ModelArtifactsInfo;
  responses?: unknown[];
  errors?: Array<Record<string, unknown> | string>;
}

export type SaveHandler = (artifacts: ModelArtifacts) => Promise<SaveResult>;
export type LoadHandler = () => Promise<ModelArtifacts>;

/** An object that saves and/or loads model artifacts (tf.io.IOHandler). */
export interface IOHandler {
  save?: SaveHandler;
  load?: LoadHandler;
}

/** Options of tf.loadLayersModel and of load routers. */
export interface LoadOptions {
  /** Every weight in the file must match a model weight and the reverse (default true). */
  strict?: boolean;
  /** Called with the fraction of files read, from 0 to 1. */
  onProgress?: (fraction: number) => void;
  /** For http(s) loading: prepended to the weight file paths instead of model.json's folder. */
  weightPathPrefix?: string;
  /** For http(s) loading: passed to fetch. */
  requestInit?: Record<string, unknown>;
  /** For http(s) loading: replaces the global fetch. */
  fetchFunc?: (url: string, init?: Record<string, unknown>) => Promise<{ ok: boolean; status: number; json(): Promise<unknown>; arrayBuffer(): Promise<ArrayBuffer> }>;
}

/** Options of model.save. */
export interface SaveConfig {
  /** Save only trainable weights (default false). */
  trainableOnly?: boolean;
  /** Also save the optimizer's configuration and state (default false). */
  includeOptimizer?: boolean;
}

export type IORouter = (url: string | string[], loadOptions?: LoadOptions) => IOHandler | null;

export interface NamedTensor {
  name: string;
  tensor: Tensor;
}

export type NamedTensorMap = { [name: string]: Tensor };
