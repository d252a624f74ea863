// tf.io: IO handlers, the weight format, and saving / loading layers models.
export * from './types';
export { encodeWeights, decodeWeights, concatenateArrayBuffers, getWeightSpecs, getModelArtifactsInfoForJSON, getModelJSONForModelArtifacts } from './weights';
export { fileSystem, NodeFileSystem } from './file_system';
export { http, browserHTTPRequest, HTTPRequest } from './http';
export { registerSaveRouter, registerLoadRouter, getSaveHandlers, getLoadHandlers, withSaveHandler, fromMemory } from './handlers';
export { loadLayersModel, loadLayersModelFromIOHandler, modelFromJSON, modelToArtifacts, saveLayersModel, getModelTopology, loadWeightsByName } from './load';
