// The error classes and the one message formula every argument check uses:
//   "<fn>: expected <what> for '<arg>' but received <value>"
// Each error carries a stable `code` so programs can branch on it.

export type ErrorCode =
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_INVALID_ARG_VALUE'
  | 'ERR_OUT_OF_RANGE'
  | 'ERR_SHAPE_MISMATCH'
  | 'ERR_DTYPE_MISMATCH'
  | 'ERR_TENSOR_DISPOSED'
  | 'ERR_UNKNOWN_NAME'
  | 'ERR_NOT_DIFFERENTIABLE'
  | 'ERR_NOT_BUILT'
  | 'ERR_NOT_COMPILED'
  | 'ERR_IO'
  | 'ERR_UNSUPPORTED';

function withCode<E extends Error>(e: E, code: ErrorCode): E & { code: ErrorCode } {
  (e as E & { code: ErrorCode }).code = code;
  return e as E & { code: ErrorCode };
}

/** Describes a received value for an error message: its value when short, else its type. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return value.length > 40 ? `a string of length ${value.length}` : `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${String(value)} of type ${typeof value}`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return value.length <= 8 && value.every((v) => typeof v === 'number') ? `[${value.join(', ')}]` : `an array of length ${value.length}`;
  const v = value as { constructor?: { name?: string }; shape?: unknown; dtype?: unknown };
  if (v.shape !== undefined && v.dtype !== undefined && Array.isArray(v.shape)) return `a ${String(v.dtype)} tensor of shape [${(v.shape as number[]).join(',')}]`;
  if (ArrayBuffer.isView(value)) return `a ${v.constructor?.name ?? 'typed array'}`;
  return `an object of type ${v.constructor?.name ?? 'Object'}`;
}

/** A wrong kind of value: TypeError. */
export function typeError(fn: string, arg: string, expected: string, received: unknown): TypeError & { code: ErrorCode } {
  return withCode(new TypeError(`${fn}: expected ${expected} for '${arg}' but received ${describe(received)}`), 'ERR_INVALID_ARG_TYPE');
}

/** A value of the right kind outside what is allowed: RangeError. */
export function rangeError(fn: string, arg: string, expected: string, received: unknown): RangeError & { code: ErrorCode } {
  return withCode(new RangeError(`${fn}: expected ${expected} for '${arg}' but received ${describe(received)}`), 'ERR_OUT_OF_RANGE');
}

/** Shapes that do not fit together; the message prints both. */
export function shapeError(fn: string, what: string, a: readonly number[], b: readonly number[], detail = ''): Error & { code: ErrorCode } {
  return withCode(new Error(`${fn}: ${what} ([${a.join(',')}] and [${b.join(',')}])${detail ? `: ${detail}` : ''}`), 'ERR_SHAPE_MISMATCH');
}

/** Any other error with a code (unknown names, IO, unsupported features, ...). */
export function codedError(code: ErrorCode, message: string): Error & { code: ErrorCode } {
  return withCode(code === 'ERR_INVALID_ARG_TYPE' ? new TypeError(message) : new Error(message), code);
}

/** An unknown name among a list of known ones (losses, optimizers, layers, ...). */
export function unknownName(fn: string, kind: string, name: unknown, known: Iterable<string>): Error & { code: ErrorCode } {
  return withCode(new Error(`${fn}: unknown ${kind} ${describe(name)}; known: ${[...known].join(', ')}`), 'ERR_UNKNOWN_NAME');
}

// The argument checks themselves. Each throws with the formula above. (The
// explicit type is what lets TypeScript use them as assertion functions.)
export interface Checks {
  isInt(fn: string, arg: string, v: unknown, min?: number): asserts v is number;
  isNumber(fn: string, arg: string, v: unknown): asserts v is number;
  inRange(fn: string, arg: string, v: number, lo: number, hi: number, what?: string): void;
  isShape(fn: string, arg: string, v: unknown): asserts v is number[];
  oneOf<T extends string>(fn: string, arg: string, v: unknown, allowed: readonly T[]): asserts v is T;
  isFunction(fn: string, arg: string, v: unknown): asserts v is (...args: unknown[]) => unknown;
}

export const check: Checks = {
  isInt(fn: string, arg: string, v: unknown, min = -Infinity): asserts v is number {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(fn, arg, 'an integer', v);
    if (v < min) throw rangeError(fn, arg, `an integer >= ${min}`, v);
  },
  isNumber(fn: string, arg: string, v: unknown): asserts v is number {
    if (typeof v !== 'number' || Number.isNaN(v)) throw typeError(fn, arg, 'a number', v);
  },
  inRange(fn: string, arg: string, v: number, lo: number, hi: number, what = `a number in [${lo}, ${hi}]`): void {
    if (!(v >= lo && v <= hi)) throw rangeError(fn, arg, what, v);
  },
  isShape(fn: string, arg: string, v: unknown): asserts v is number[] {
    if (!Array.isArray(v) || !v.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0))
      throw typeError(fn, arg, 'a shape (an array of non-negative integers)', v);
  },
  oneOf<T extends string>(fn: string, arg: string, v: unknown, allowed: readonly T[]): asserts v is T {
    if (!allowed.includes(v as T)) throw typeError(fn, arg, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v);
  },
  isFunction(fn: string, arg: string, v: unknown): asserts v is (...args: unknown[]) => unknown {
    if (typeof v !== 'function') throw typeError(fn, arg, 'a function', v);
  },
};
