// Callbacks for fit(): hook objects, History, early stopping, progress output.
export { BaseCallback, Callback, CallbackList, CustomCallback, History, standardizeCallbacks } from './base';
export type { CustomCallbackArgs, Logs, Params, YieldEveryOptions } from './base';
export { EarlyStopping, earlyStopping } from './early_stopping';
export type { EarlyStoppingCallbackArgs } from './early_stopping';
export { ProgressLogger, formatNumber } from './progress';

import { earlyStopping } from './early_stopping';

/** The tf.callbacks namespace. */
export const callbacks = { earlyStopping };
