// Every op function, as tf.* exports them.
export * from './creation';
export * from './convert';
export * from './elementwise';
export * from './reduce';
export * from './linalg';
export * from './nn';
export * from './shape';
export * from './random';
export * from './misc';
