// The 'file://' IO handler: a model is a folder holding model.json and
// weights.bin, laid out exactly as @tensorflow/tfjs-node writes them, so
// either library reads what the other wrote.
import { promises as fsp } from 'fs';
import * as path from 'path';
import { codedError, typeError } from '../errors';
import { IOHandler, IORouter, ModelArtifacts, ModelJSON, SaveResult, WeightsManifestConfig } from './types';
import { checkModelJSON, getModelArtifactsForJSON, getModelArtifactsInfoForJSON } from './weights';

const MODEL_JSON_FILENAME = 'model.json';
const WEIGHTS_BINARY_FILENAME = 'weights.bin';

function isErrno(e: unknown, code: string): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === code;
}

/** A Node Buffer's bytes as an ArrayBuffer of their own (a Buffer may share a pooled one). */
function toArrayBuffer(buf: Buffer): ArrayBuffer {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) return buf.buffer as ArrayBuffer;
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/** Writes `data` next to `target` under a temporary name; rename() then replaces the target in one step. */
async function writeTemp(target: string, data: string | Uint8Array): Promise<string> {
  const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await fsp.writeFile(tmp, data);
  return tmp;
}

export class NodeFileSystem implements IOHandler {
  static readonly URL_SCHEME = 'file://';
  readonly MODEL_JSON_FILENAME = MODEL_JSON_FILENAME;
  readonly WEIGHTS_BINARY_FILENAME = WEIGHTS_BINARY_FILENAME;
  /** Absolute: a folder to save into, or the model.json (or its folder) to load. */
  protected readonly path: string;

  constructor(filePath: string | string[]) {
    if (Array.isArray(filePath)) {
      // tfjs-node reads [graph.pb, weights manifest] pairs here; only layers models are supported.
      throw codedError('ERR_UNSUPPORTED', `fileSystem: expected one path (a layers model's folder or model.json) but received ${filePath.length} paths; binary GraphDef models are not supported`);
    }
    if (typeof filePath !== 'string' || filePath.length === 0) throw typeError('fileSystem', 'path', 'a non-empty string', filePath);
    this.path = path.resolve(filePath);
  }

  /**
   * Writes model.json and weights.bin into the folder, creating it (and its
   * parents) when missing. Each file is written under a temporary name and
   * renamed into place, weights first, so a crash never leaves a model.json
   * that names half-written weights.
   */
  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    if (artifacts === null || typeof artifacts !== 'object') throw typeError('fileSystem.save', 'modelArtifacts', 'an object', artifacts);
    if (artifacts.modelTopology instanceof ArrayBuffer) {
      throw codedError('ERR_UNSUPPORTED', 'fileSystem.save: binary (GraphDef) model topologies cannot be saved; expected a JSON topology');
    }
    await this.createOrVerifyDirectory();
    const weightsManifest: WeightsManifestConfig = [{ paths: [WEIGHTS_BINARY_FILENAME], weights: artifacts.weightSpecs ?? [] }];
    // Key order as tfjs-node's file handler writes it.
    const modelJSON: ModelJSON = {
      modelTopology: artifacts.modelTopology as Record<string, unknown>,
      weightsManifest,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
    };
    if (artifacts.trainingConfig != null) modelJSON.trainingConfig = artifacts.trainingConfig;
    if (artifacts.signature != null) modelJSON.signature = artifacts.signature;
    if (artifacts.userDefinedMetadata != null) modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;

    const weights = artifacts.weightData;
    const weightBytes = weights == null ? new Uint8Array(0) : Buffer.concat((Array.isArray(weights) ? weights : [weights]).map((b) => new Uint8Array(b)));
    const weightsPath = path.join(this.path, WEIGHTS_BINARY_FILENAME);
    const jsonPath = path.join(this.path, MODEL_JSON_FILENAME);
    const temps: string[] = [];
    try {
      temps.push(await writeTemp(weightsPath, weightBytes));
      temps.push(await writeTemp(jsonPath, JSON.stringify(modelJSON)));
      await fsp.rename(temps[0], weightsPath);
      await fsp.rename(temps[1], jsonPath);
    } catch (e) {
      await Promise.all(temps.map((t) => fsp.rm(t, { force: true })));
      throw codedError('ERR_IO', `fileSystem.save: could not write the model into '${this.path}': ${(e as Error).message}`);
    }
    return { modelArtifactsInfo: getModelArtifactsInfoForJSON(artifacts) };
  }

  /** Reads model.json (this.path, or model.json inside the folder this.path) and every weight file it lists. */
  async load(): Promise<ModelArtifacts> {
    let jsonPath = this.path;
    const info = await fsp.stat(jsonPath).catch((e: unknown) => {
      if (isErrno(e, 'ENOENT')) throw codedError('ERR_IO', `loadLayersModel: '${jsonPath}' does not exist`);
      throw codedError('ERR_IO', `loadLayersModel: cannot read '${jsonPath}': ${(e as Error).message}`);
    });
    if (info.isDirectory()) jsonPath = path.join(jsonPath, MODEL_JSON_FILENAME);
    let text: string;
    try {
      text = await fsp.readFile(jsonPath, 'utf8');
    } catch (e) {
      if (isErrno(e, 'ENOENT')) throw codedError('ERR_IO', `loadLayersModel: '${this.path}' is a folder without ${MODEL_JSON_FILENAME}`);
      throw codedError('ERR_IO', `loadLayersModel: cannot read '${jsonPath}': ${(e as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw codedError('ERR_IO', `loadLayersModel: '${jsonPath}' is not valid JSON: ${(e as Error).message}`);
    }
    const modelJSON = checkModelJSON(parsed, `'${jsonPath}'`);
    if (modelJSON.weightsManifest == null) return getModelArtifactsForJSON(modelJSON);
    return getModelArtifactsForJSON(modelJSON, await this.loadWeights(modelJSON.weightsManifest, jsonPath));
  }

  /** The manifest's files, relative to model.json's folder, concatenated in manifest order. */
  private async loadWeights(manifest: WeightsManifestConfig, jsonPath: string): Promise<ArrayBuffer> {
    const dir = path.dirname(jsonPath);
    const buffers: Buffer[] = [];
    for (const group of manifest) {
      for (const p of group.paths) {
        const file = path.join(dir, p);
        try {
          buffers.push(await fsp.readFile(file));
        } catch (e) {
          if (isErrno(e, 'ENOENT')) throw codedError('ERR_IO', `loadLayersModel: weight file '${file}' listed in '${jsonPath}' does not exist`);
          throw codedError('ERR_IO', `loadLayersModel: cannot read weight file '${file}': ${(e as Error).message}`);
        }
      }
    }
    return toArrayBuffer(buffers.length === 1 ? buffers[0] : Buffer.concat(buffers));
  }

  private async createOrVerifyDirectory(): Promise<void> {
    try {
      await fsp.mkdir(this.path, { recursive: true });
    } catch (e) {
      if (isErrno(e, 'EEXIST') || isErrno(e, 'ENOTDIR')) {
        throw codedError('ERR_IO', `fileSystem.save: '${this.path}' exists as a file; expected a folder or a path that does not exist`);
      }
      throw codedError('ERR_IO', `fileSystem.save: cannot create the folder '${this.path}': ${(e as Error).message}`);
    }
  }
}

/**
 * An IO handler for a folder on the local file system (tf.io.fileSystem):
 * `model.save(tf.io.fileSystem('/tmp/m'))` is `model.save('file:///tmp/m')`.
 *
 * ```js
 * await model.save(tf.io.fileSystem('./my-model'));
 * const again = await tf.loadLayersModel(tf.io.fileSystem('./my-model/model.json'));
 * ```
 */
export function fileSystem(filePath: string | string[]): NodeFileSystem {
  return new NodeFileSystem(filePath);
}

/** Routes 'file://...' URLs to a NodeFileSystem handler. */
export const fileSystemRouter: IORouter = (url) => {
  if (typeof url !== 'string' || !url.startsWith(NodeFileSystem.URL_SCHEME)) return null;
  return new NodeFileSystem(url.slice(NodeFileSystem.URL_SCHEME.length));
};
