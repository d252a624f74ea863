// The class registry behind tf.serialization: every serialisable class
// (layers, models, initializers, regularizers, constraints, optimizers)
// registers under its static className, and configs of the form
// {className, config} are turned back into objects through it. The registry
// lives on the shared engine (engine.classes) so that two copies of the
// package loaded under different names resolve the same classes.
import { codedError, typeError, unknownName } from '../errors';
import { engine } from '../tensor/engine';

/** A JSON-compatible value inside a config. */
export type ConfigDictValue = boolean | number | string | null | ConfigDictArray | ConfigDict | undefined;
export interface ConfigDict {
  [key: string]: ConfigDictValue;
}
export interface ConfigDictArray extends Array<ConfigDictValue> {}

/** A class that can be rebuilt from `{className, config}`. */
export interface SerializableConstructor<T extends Serializable = Serializable> {
  new (...args: any[]): T;
  className: string;
  fromConfig?(cls: SerializableConstructor<T>, config: ConfigDict, customObjects?: { [name: string]: unknown }): T;
}

/**
 * Base of every object that saves as `{className, config}`. Subclasses set
 * `static className` and implement getConfig(); fromConfig defaults to
 * `new cls(config)`, which is right whenever the constructor takes the config.
 */
export abstract class Serializable {
  /** The name under which the class is registered (its static className). */
  getClassName(): string {
    return (this.constructor as SerializableConstructor).className;
  }

  /** The constructor arguments as a JSON-compatible object (camelCase keys). */
  abstract getConfig(): ConfigDict;

  static fromConfig<T extends Serializable>(cls: SerializableConstructor<T>, config: ConfigDict): T {
    return new cls(config);
  }
}

/** Maps registered names to classes; one map per process (see engine.classes). */
export class SerializationMap {
  private static instance: SerializationMap | undefined;
  readonly classNameMap: Map<string, unknown> = engine.classes;

  static getMap(): SerializationMap {
    return (SerializationMap.instance ??= new SerializationMap());
  }

  static register<T extends Serializable>(cls: SerializableConstructor<T>, name = cls.className): void {
    engine.classes.set(name, cls);
  }
}

/**
 * Registers a class so that configs naming it can be deserialised (custom
 * layers, initializers, ...). As tf.serialization.registerClass; `pkg` and
 * `name` give a registered name of the form 'pkg>name'.
 *
 * ```js
 * class Scale extends tf.layers.Layer { static className = 'Scale'; ... }
 * tf.serialization.registerClass(Scale);
 * ```
 */
export function registerClass<T extends SerializableConstructor>(cls: T, pkg?: string, name?: string): T {
  if (typeof cls !== 'function') throw typeError('registerClass', 'cls', 'a class', cls);
  const base = name ?? (cls as { className?: unknown }).className;
  if (typeof base !== 'string' || base.length === 0) {
    throw typeError('registerClass', 'cls', "a class with a non-empty static 'className' string", (cls as { className?: unknown }).className);
  }
  if (pkg !== undefined && (typeof pkg !== 'string' || pkg.includes('>'))) {
    throw typeError('registerClass', 'pkg', "a string without '>'", pkg);
  }
  const registered = pkg !== undefined ? `${pkg}>${base}` : base;
  engine.classes.set(registered, cls);
  return cls;
}

/** The name a registered class is known by, or undefined. */
export function getRegisteredName(cls: unknown): string | undefined {
  for (const [name, c] of engine.classes) if (c === cls) return name;
  return undefined;
}

/** The class registered under `className`, or undefined. */
export function getRegisteredClass(className: string): SerializableConstructor | undefined {
  return engine.classes.get(className) as SerializableConstructor | undefined;
}

/** `{className, config}` for a serialisable object, as Keras's serialize_keras_object. */
export function serializeKerasObject(obj: Serializable | null | undefined): ConfigDict | null {
  if (obj == null) return null;
  if (typeof (obj as Serializable).getConfig !== 'function') {
    throw typeError('serializeKerasObject', 'obj', 'an object with getConfig()', obj);
  }
  const className = getRegisteredName(obj.constructor) ?? obj.getClassName();
  return { className, config: obj.getConfig() };
}

/**
 * Rebuilds an object from `{className, config}`: customObjects (name → class)
 * are searched before the registry. `kind` names what is being deserialised
 * in error messages ('layer', 'initializer', ...).
 *
 * ```js
 * const layer = tf.serialization.deserialize({className: 'Dense', config: {units: 3}});
 * ```
 */
export function deserialize<T = any>(
  config: ConfigDict | { className: string; config?: ConfigDict },
  customObjects: { [name: string]: unknown } = {},
  kind = 'object',
): T {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw typeError('deserialize', 'config', `a {className, config} object describing a ${kind}`, config);
  }
  const className = (config as { className?: unknown }).className;
  if (typeof className !== 'string') {
    throw typeError('deserialize', 'config.className', `the class name of a ${kind} (a string)`, className);
  }
  const cls = (customObjects[className] ?? engine.classes.get(className)) as SerializableConstructor | undefined;
  if (cls === undefined) {
    const known = [...engine.classes.keys(), ...Object.keys(customObjects)].sort();
    throw unknownName('deserialize', `${kind} class (register it with tf.serialization.registerClass)`, className, known);
  }
  const inner = ((config as { config?: ConfigDict }).config ?? {}) as ConfigDict;
  if (typeof inner !== 'object' || Array.isArray(inner)) {
    throw typeError('deserialize', 'config.config', `the config of ${className} (an object)`, inner);
  }
  if (typeof cls.fromConfig === 'function') {
    // Nested objects (a model's layers) need the same custom objects.
    return cls.fromConfig(cls, { ...inner }, customObjects) as T;
  }
  if (typeof cls !== 'function') throw codedError('ERR_INVALID_ARG_VALUE', `deserialize: '${className}' is registered but is not a class`);
  return new cls({ ...inner }) as T;
}

/** 'kernelInitializer' → 'kernel_initializer', as TF.js's toSnakeCase. */
export function toSnakeCase(name: string): string {
  const intermediate = name.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2');
  const insecure = intermediate.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  // A leading underscore would be read as private in Python.
  return insecure[0] !== '_' ? insecure : 'private' + insecure;
}

/** 'kernel_initializer' → 'kernelInitializer', as TF.js's toCamelCase. */
export function toCamelCase(identifier: string): string {
  if (identifier.length <= 1 || !identifier.includes('_')) return identifier;
  return identifier.replace(/[_]+(\w|$)/g, (_m, p1: string) => p1.toUpperCase());
}

// Layer names inside inboundNodes / inputLayers / outputLayers are data,
// not identifiers: they keep their spelling both ways.
function isLayerNameInList(key: string | undefined, index: number, value: unknown): boolean {
  return (key === 'inboundNodes' || key === 'outputLayers' || key === 'inputLayers') && index === 0 && typeof value === 'string';
}

/**
 * Converts a camelCase config (what getConfig returns) to the Python-style
 * config stored in model.json, as TF.js's convertTsToPythonic: keys and
 * string values go to snake_case, names and class names are kept.
 */
export function convertTsToPythonic(tsConfig: unknown, key?: string): unknown {
  if (tsConfig === null || tsConfig === undefined) return null;
  if (typeof tsConfig === 'string') return toSnakeCase(tsConfig);
  if (typeof tsConfig === 'number' || typeof tsConfig === 'boolean') return tsConfig;
  if (Array.isArray(tsConfig)) {
    return tsConfig.map((item, i) => (isLayerNameInList(key, i, item) ? item : convertTsToPythonic(item, key)));
  }
  const out: { [k: string]: unknown } = {};
  for (const [tsKey, value] of Object.entries(tsConfig as object)) {
    const pyKey = toSnakeCase(tsKey);
    out[pyKey] = (tsKey === 'name' || tsKey === 'className') && typeof value === 'string' ? value : convertTsToPythonic(value, tsKey);
  }
  return out;
}

/** The inverse of convertTsToPythonic, as TF.js's convertPythonicToTs. */
export function convertPythonicToTs(pyConfig: unknown, key?: string): unknown {
  if (pyConfig === null || pyConfig === undefined) return null;
  if (typeof pyConfig === 'string') return toCamelCase(pyConfig);
  if (typeof pyConfig === 'number' || typeof pyConfig === 'boolean') return pyConfig;
  if (Array.isArray(pyConfig)) {
    return pyConfig.map((item, i) => (isLayerNameInList(key, i, item) ? item : convertPythonicToTs(item, key)));
  }
  const out: { [k: string]: unknown } = {};
  for (const [pyKey, value] of Object.entries(pyConfig as object)) {
    if (pyKey === 'name' && typeof value === 'string') {
      out[pyKey] = value;
    } else {
      const tsKey = toCamelCase(pyKey);
      out[tsKey] = convertPythonicToTs(value, tsKey);
    }
  }
  return out;
}
