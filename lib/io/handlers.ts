// Which IO handler serves a URL: a registry of routers per direction, as
// tf.io's IORouterRegistry, with 'file://' and 'http(s)://' built in; and
// the in-memory handlers (withSaveHandler, fromMemory).
import { codedError, typeError } from '../errors';
import { fileSystemRouter } from './file_system';
import { httpRouter } from './http';
import { IOHandler, IORouter, LoadOptions, ModelArtifacts, SaveResult, WeightData, WeightsManifestEntry } from './types';

const saveRouters: IORouter[] = [fileSystemRouter, httpRouter];
const loadRouters: IORouter[] = [fileSystemRouter, httpRouter];

function register(list: IORouter[], router: IORouter, fn: string): void {
  if (typeof router !== 'function') throw typeError(fn, 'router', 'a function (url, loadOptions?) => IOHandler | null', router);
  list.push(router);
}

/** Adds a router consulted by model.save('scheme://...') (tf.io.registerSaveRouter). */
export function registerSaveRouter(router: IORouter): void {
  register(saveRouters, router, 'registerSaveRouter');
}

/** Adds a router consulted by tf.loadLayersModel('scheme://...') (tf.io.registerLoadRouter). */
export function registerLoadRouter(router: IORouter): void {
  register(loadRouters, router, 'registerLoadRouter');
}

function handlersFor(list: IORouter[], url: string | string[], fn: string, loadOptions?: LoadOptions): IOHandler[] {
  if (typeof url !== 'string' && !(Array.isArray(url) && url.every((u) => typeof u === 'string'))) {
    throw typeError(fn, 'url', 'a URL string', url);
  }
  const out: IOHandler[] = [];
  for (const router of list) {
    const handler = router(url, loadOptions);
    if (handler !== null && handler !== undefined) out.push(handler);
  }
  return out;
}

/**
 * The save handlers whose routers accept `url` (tf.io.getSaveHandlers).
 *
 * ```js
 * const [handler] = tf.io.getSaveHandlers('file:///tmp/my-model');
 * ```
 */
export function getSaveHandlers(url: string | string[]): IOHandler[] {
  return handlersFor(saveRouters, url, 'getSaveHandlers');
}

/**
 * The load handlers whose routers accept `url` (tf.io.getLoadHandlers).
 *
 * ```js
 * const [handler] = tf.io.getLoadHandlers('file:///tmp/my-model/model.json');
 * ```
 */
export function getLoadHandlers(url: string | string[], loadOptions?: LoadOptions): IOHandler[] {
  return handlersFor(loadRouters, url, 'getLoadHandlers', loadOptions);
}

/**
 * Resolves `handlerOrURL` to exactly one handler that can `direction`:
 * a URL must match one router, an object must have the method.
 */
export function resolveHandler(handlerOrURL: string | IOHandler, direction: 'save' | 'load', fn: string, loadOptions?: LoadOptions): IOHandler {
  let handler = handlerOrURL as IOHandler;
  if (typeof handlerOrURL === 'string') {
    const found = direction === 'save' ? getSaveHandlers(handlerOrURL) : getLoadHandlers(handlerOrURL, loadOptions);
    if (found.length === 0) {
      const hint = /^[a-z][a-z0-9+.-]*:\/\//i.test(handlerOrURL) ? '' : ` (for a local path write 'file://${handlerOrURL}')`;
      throw codedError('ERR_IO', `${fn}: no ${direction} handler for URL '${handlerOrURL}'${hint}; built in: 'file://', 'http://', 'https://'`);
    }
    if (found.length > 1) throw codedError('ERR_IO', `${fn}: ${found.length} ${direction} handlers match URL '${handlerOrURL}'; expected exactly one`);
    handler = found[0];
  }
  if (handler === null || typeof handler !== 'object' || typeof handler[direction] !== 'function') {
    throw typeError(fn, 'handlerOrURL', `a URL string or an IOHandler with a ${direction}() method`, handlerOrURL);
  }
  return handler;
}

/**
 * A handler whose save calls `saveHandler` with the model artifacts
 * (tf.io.withSaveHandler): to send a model anywhere.
 *
 * ```js
 * await model.save(tf.io.withSaveHandler(async (artifacts) => {
 *   // artifacts.modelTopology, artifacts.weightSpecs, artifacts.weightData
 *   return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
 * }));
 * ```
 */
export function withSaveHandler(saveHandler: (artifacts: ModelArtifacts) => Promise<SaveResult>): IOHandler {
  if (typeof saveHandler !== 'function') throw typeError('withSaveHandler', 'saveHandler', 'a function (artifacts) => Promise<SaveResult>', saveHandler);
  return { save: async (artifacts) => saveHandler(artifacts) };
}

/**
 * A handler whose load returns artifacts held in memory (tf.io.fromMemory):
 * what a withSaveHandler received, or a parsed model.json's topology with
 * its weight specs and data.
 *
 * ```js
 * let saved;
 * await model.save(tf.io.withSaveHandler(async (a) => { saved = a; return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}}; }));
 * const copy = await tf.loadLayersModel(tf.io.fromMemory(saved));
 * ```
 */
export function fromMemory(
  modelArtifacts: ModelArtifacts | Record<string, unknown>,
  weightSpecs?: WeightsManifestEntry[],
  weightData?: WeightData,
  trainingConfig?: Record<string, unknown>,
): IOHandler {
  const artifacts = memoryArtifacts(modelArtifacts, weightSpecs, weightData, trainingConfig, 'fromMemory');
  return { load: async () => artifacts };
}

function memoryArtifacts(
  first: ModelArtifacts | Record<string, unknown>,
  weightSpecs: WeightsManifestEntry[] | undefined,
  weightData: WeightData | undefined,
  trainingConfig: Record<string, unknown> | undefined,
  fn: string,
): ModelArtifacts {
  if (first === null || typeof first !== 'object') throw typeError(fn, 'modelArtifacts', 'model artifacts or a model topology object', first);
  // One argument with artifacts' keys is the artifacts; otherwise (TF.js's older form) it is the topology.
  const isArtifacts = weightSpecs === undefined && weightData === undefined && trainingConfig === undefined && ('modelTopology' in first || 'weightSpecs' in first);
  if (isArtifacts) return first as ModelArtifacts;
  return { modelTopology: first as Record<string, unknown>, weightSpecs, weightData, trainingConfig };
}
