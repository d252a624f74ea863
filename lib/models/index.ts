// Models: the functional LayersModel (tf.model), Sequential (tf.sequential)
// and their training functions.
export { LayersModel, model } from './model';
export type { ModelArgs } from './model';
export { Sequential, sequential } from './sequential';
export type { SequentialArgs } from './sequential';
export type { ClassWeight, DatasetLike, InputData, LossOrMetricFn, ModelCompileArgs, ModelEvaluateArgs, ModelEvaluateDatasetArgs, ModelFitArgs, ModelFitDatasetArgs, ModelPredictArgs } from './training';
export { printSummary } from './summary';
