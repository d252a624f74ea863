// The 'http://' / 'https://' IO handler, as tf.io.http: loading fetches
// model.json and then the weight files it lists (relative to model.json's
// URL); saving POSTs a multipart form with model.json and model.weights.bin.
import { codedError, typeError } from '../errors';
import { IOHandler, IORouter, LoadOptions, ModelArtifacts, SaveResult } from './types';
import { checkModelJSON, concatenateArrayBuffers, getModelArtifactsForJSON, getModelArtifactsInfoForJSON, getModelJSONForModelArtifacts } from './weights';

type Fetch = NonNullable<LoadOptions['fetchFunc']>;

/** [folder URL ending in '/', query string or ''] of a file URL. */
function splitUrl(url: string): [string, string] {
  const slash = url.lastIndexOf('/');
  const query = url.lastIndexOf('?');
  return [url.substring(0, slash) + '/', query > slash ? url.substring(query) : ''];
}

export class HTTPRequest implements IOHandler {
  static readonly URL_SCHEME_REGEX = /^https?:\/\//;
  readonly DEFAULT_METHOD = 'POST';
  private readonly fetchFunc: Fetch;

  constructor(readonly path: string, private readonly options: LoadOptions = {}) {
    if (typeof path !== 'string' || path.length === 0) throw typeError('http', 'path', 'a non-empty URL string', path);
    const f = options.fetchFunc ?? (globalThis as { fetch?: Fetch }).fetch;
    if (typeof f !== 'function') throw typeError('http', 'options.fetchFunc', 'a fetch function (this Node has no global fetch)', f);
    this.fetchFunc = f;
  }

  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    if (artifacts.modelTopology instanceof ArrayBuffer) {
      throw codedError('ERR_UNSUPPORTED', 'http.save: binary (GraphDef) model topologies cannot be saved; expected a JSON topology');
    }
    const init: Record<string, unknown> = { method: this.DEFAULT_METHOD, ...this.options.requestInit };
    const form = new FormData();
    const modelJSON = getModelJSONForModelArtifacts(artifacts, [{ paths: ['./model.weights.bin'], weights: artifacts.weightSpecs ?? [] }]);
    form.append('model.json', new Blob([JSON.stringify(modelJSON)], { type: 'application/json' }), 'model.json');
    if (artifacts.weightData != null) {
      form.append('model.weights.bin', new Blob([concatenateArrayBuffers(artifacts.weightData)], { type: 'application/octet-stream' }), 'model.weights.bin');
    }
    init.body = form;
    const response = await this.request(this.path, init, 'http.save');
    return { modelArtifactsInfo: getModelArtifactsInfoForJSON(artifacts), responses: [response] };
  }

  async load(): Promise<ModelArtifacts> {
    const response = await this.request(this.path, this.options.requestInit, 'loadLayersModel');
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch (e) {
      throw codedError('ERR_IO', `loadLayersModel: the response from '${this.path}' is not valid JSON: ${(e as Error).message}`);
    }
    const modelJSON = checkModelJSON(parsed, `'${this.path}'`);
    if (modelJSON.weightsManifest == null) return getModelArtifactsForJSON(modelJSON);
    const [folder, query] = splitUrl(this.path);
    const prefix = this.options.weightPathPrefix ?? folder;
    const urls = modelJSON.weightsManifest.flatMap((g) => g.paths.map((p) => prefix + p + query));
    const buffers: ArrayBuffer[] = [];
    for (const url of urls) {
      buffers.push(await (await this.request(url, this.options.requestInit, 'loadLayersModel')).arrayBuffer());
      this.options.onProgress?.(buffers.length / urls.length);
    }
    return getModelArtifactsForJSON(modelJSON, concatenateArrayBuffers(buffers));
  }

  private async request(url: string, init: Record<string, unknown> | undefined, fn: string) {
    let response;
    try {
      response = await this.fetchFunc(url, init);
    } catch (e) {
      throw codedError('ERR_IO', `${fn}: request to '${url}' failed: ${(e as Error).message}`);
    }
    if (!response.ok) throw codedError('ERR_IO', `${fn}: request to '${url}' failed with status ${response.status}`);
    return response;
  }
}

/**
 * An IO handler that loads a model over HTTP(S) or saves it with a POST
 * request (tf.io.http); 'http://' and 'https://' URLs route here.
 *
 * ```js
 * const model = await tf.loadLayersModel('https://example.com/models/mlp/model.json');
 * await model.save(tf.io.http('https://example.com/upload', {requestInit: {method: 'PUT'}}));
 * ```
 */
export function http(path: string, options?: LoadOptions): HTTPRequest {
  return new HTTPRequest(path, options);
}

/** tf.io.browserHTTPRequest: the older name of tf.io.http. */
export const browserHTTPRequest = http;

export const httpRouter: IORouter = (url, loadOptions) => {
  if (typeof url !== 'string' || !HTTPRequest.URL_SCHEME_REGEX.test(url)) return null;
  return new HTTPRequest(url, loadOptions);
};
