// The IDX format of MNIST and Fashion-MNIST: a big-endian header (two zero
// bytes, a type code, the rank, one uint32 per dimension) then the data.
// Files may be gzipped; the header and the size are checked before use.
import * as fs from 'fs';
import * as zlib from 'zlib';
import { codedError } from '../errors';

export interface IdxArray {
  shape: number[];
  /** uint8 data as stored (MNIST images and labels are uint8). */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
};

/** Parses IDX bytes (already gunzipped). `source` names the file in errors. */
export function parseIdx(bytes: Buffer, source = 'IDX data'): IdxArray {
  const bad = (why: string) => codedError('ERR_IO', `readIdx: ${source} is not a valid IDX file: ${why}`);
  if (bytes.length < 4) throw bad(`it has only ${bytes.length} bytes`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw bad(`the magic number must start with two zero bytes, got 0x${bytes.subarray(0, 4).toString('hex')}`);
  const type = TYPES[bytes[2]];
  if (!type) throw bad(`unknown element type code 0x${bytes[2].toString(16)}`);
  const rank = bytes[3];
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw bad(`the header needs ${headerBytes} bytes but the file has ${bytes.length}`);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(bytes.readUInt32BE(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (bytes.length !== expected) {
    throw bad(`shape [${shape.join(',')}] of ${type.name} needs ${expected} bytes but the file has ${bytes.length}`);
  }
  const body = bytes.subarray(headerBytes);
  let data: IdxArray['data'];
  switch (type.name) {
    case 'uint8':
      data = new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length));
      break;
    case 'int8':
      data = new Int8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length));
      break;
    default: {
      // Multi-byte types are big-endian on disk.
      const view = new DataView(body.buffer, body.byteOffset, body.length);
      if (type.name === 'int16') { data = new Int16Array(count); for (let i = 0; i < count; i++) data[i] = view.getInt16(2 * i); }
      else if (type.name === 'int32') { data = new Int32Array(count); for (let i = 0; i < count; i++) data[i] = view.getInt32(4 * i); }
      else if (type.name === 'float32') { data = new Float32Array(count); for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i); }
      else { data = new Float64Array(count); for (let i = 0; i < count; i++) data[i] = view.getFloat64(8 * i); }
    }
  }
  return { shape, data };
}

/** Reads an IDX file, gzipped (by its magic bytes, whatever its name) or raw. */
export function readIdx(file: string): IdxArray {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw codedError('ERR_IO', `readIdx: cannot read '${file}': ${(e as Error).message}`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = zlib.gunzipSync(bytes);
    } catch (e) {
      throw codedError('ERR_IO', `readIdx: '${file}' looks gzipped but cannot be decompressed: ${(e as Error).message}`);
    }
  }
  return parseIdx(bytes, `'${file}'`);
}
