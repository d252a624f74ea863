import { DTypeCode, TypedArray } from '../native';

export type DataType = 'float32' | 'int32' | 'bool';
export type Rank = 'R0' | 'R1' | 'R2' | 'R3' | 'R4' | 'R5' | 'R6';
export type ShapeMap = { R0: []; R1: [number]; R2: [number, number]; R3: [number, number, number]; R4: [number, number, number, number]; R5: number[]; R6: number[] };
export type DataTypeMap = { float32: Float32Array; int32: Int32Array; bool: Uint8Array };

export const DTYPES: readonly DataType[] = ['float32', 'int32', 'bool'];

export function dtypeCode(d: DataType): DTypeCode {
  return d === 'float32' ? DTypeCode.Float32 : d === 'int32' ? DTypeCode.Int32 : DTypeCode.Bool;
}

export function dtypeFromCode(c: DTypeCode): DataType {
  return c === DTypeCode.Float32 ? 'float32' : c === DTypeCode.Int32 ? 'int32' : 'bool';
}

export function bytesPerElement(d: DataType): number {
  return d === 'bool' ? 1 : 4;
}

export function typedArrayFor(d: DataType, n: number): TypedArray {
  return d === 'float32' ? new Float32Array(n) : d === 'int32' ? new Int32Array(n) : new Uint8Array(n);
}

/** The dtype a binary op computes in: float32 wins over int32 wins over bool (as TF.js upcasts). */
export function upcast(a: DataType, b: DataType): DataType {
  if (a === 'float32' || b === 'float32') return 'float32';
  if (a === 'int32' || b === 'int32') return 'int32';
  return 'bool';
}
