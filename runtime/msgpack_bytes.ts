/**
 * Fast paths for the one costly shape of the lattice envelope: byte
 * vectors that waSCC sends as MessagePack arrays of integers (spec §3).
 * A generic encoder or decoder turns 16 KiB into 16,384 JavaScript numbers;
 * these write the bytes directly, find the runs that need no prefix, and
 * find the extent of any value so the rest of an envelope can go through
 * the generic codec. MsgpackReader (runtime/msgpack_reader.ts) reads them.
 *
 * @module
 */

/**
 * The offset just past the MessagePack value at `start`. Throws a
 * RangeError when the value runs past the end of `bytes`.
 */
export function valueEnd(bytes: Uint8Array, start: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = start;
  let pending = 1;
  while (pending > 0) {
    if (at >= bytes.length) throw new RangeError("MessagePack value is cut");
    pending--;
    const type = bytes[at++];
    if (
      type < 0x80 || type >= 0xe0 || type === 0xc0 || type === 0xc2 ||
      type === 0xc3
    ) continue;
    if ((type & 0xf0) === 0x80) pending += 2 * (type & 0x0f);
    else if ((type & 0xf0) === 0x90) pending += type & 0x0f;
    else if ((type & 0xe0) === 0xa0) at += type & 0x1f;
    else {
      const fixed = FIXED_SIZES[type];
      if (fixed !== undefined) {
        at += fixed;
        continue;
      }
      const [size, count] = variableSize(view, type, at);
      at += size;
      if (count.kind === "bytes") at += count.n;
      else pending += count.n;
    }
  }
  if (at > bytes.length) throw new RangeError("MessagePack value is cut");
  return at;
}

/** Sizes of the values whose length is fixed by their type byte. */
const FIXED_SIZES: Record<number, number> = {
  0xcc: 1,
  0xcd: 2,
  0xce: 4,
  0xcf: 8,
  0xd0: 1,
  0xd1: 2,
  0xd2: 4,
  0xd3: 8,
  0xca: 4,
  0xcb: 8,
  0xd4: 2,
  0xd5: 3,
  0xd6: 5,
  0xd7: 9,
  0xd8: 17,
};

type Count = { kind: "bytes" | "items"; n: number };

function variableSize(
  view: DataView,
  type: number,
  at: number,
): [number, Count] {
  const u8 = () => view.getUint8(at);
  const u16 = () => view.getUint16(at);
  const u32 = () => view.getUint32(at);
  switch (type) {
    case 0xc4:
    case 0xd9:
      return [1, { kind: "bytes", n: u8() }];
    case 0xc5:
    case 0xda:
      return [2, { kind: "bytes", n: u16() }];
    case 0xc6:
    case 0xdb:
      return [4, { kind: "bytes", n: u32() }];
    case 0xc7:
      return [2, { kind: "bytes", n: u8() }];
    case 0xc8:
      return [3, { kind: "bytes", n: u16() }];
    case 0xc9:
      return [5, { kind: "bytes", n: u32() }];
    case 0xdc:
      return [2, { kind: "items", n: u16() }];
    case 0xdd:
      return [4, { kind: "items", n: u32() }];
    case 0xde:
      return [2, { kind: "items", n: 2 * u16() }];
    case 0xdf:
      return [4, { kind: "items", n: 2 * u32() }];
    default:
      throw new RangeError(
        `MessagePack type 0x${type.toString(16)} is reserved`,
      );
  }
}

/**
 * The index of the first byte of `bytes` at or after `from` that is 0x80
 * or more, or its length: the end of a run that an array of integers
 * holds as the bytes themselves. Four bytes at a time where the array is
 * aligned for it.
 */
export function lowRunEnd(bytes: Uint8Array, from: number): number {
  const length = bytes.length;
  let at = from;
  while (at < length && (bytes.byteOffset + at) % 4 !== 0) {
    if (bytes[at] >= 0x80) return at;
    at++;
  }
  if (length - at >= 8) {
    const words = new Uint32Array(
      bytes.buffer,
      bytes.byteOffset + at,
      (length - at) >> 2,
    );
    let word = 0;
    while (word < words.length && (words[word] & 0x80808080) === 0) word++;
    at += word * 4;
  }
  while (at < length && bytes[at] < 0x80) at++;
  return at;
}

/** Low bytes in a row after which the rest of their run is copied whole. */
const RUN_START = 16;

/**
 * Writes `value` into `out` at `at` as the items of a MessagePack array
 * of integers and returns the offset past them. Bytes below 0x80 are
 * integers as they are; the others take a 0xcc prefix each. Past a few
 * low bytes in a row the rest of their run is copied whole (text,
 * mostly), so random bytes pay no search.
 */
export function writeIntegers(
  value: Uint8Array,
  out: Uint8Array,
  at: number,
): number {
  const length = value.length;
  let low = 0;
  let index = 0;
  while (index < length) {
    const byte = value[index++];
    if (byte >= 0x80) {
      low = 0;
      out[at++] = 0xcc;
      out[at++] = byte;
    } else if (++low < RUN_START) {
      out[at++] = byte;
    } else {
      out[at++] = byte;
      const end = lowRunEnd(value, index);
      out.set(value.subarray(index, end), at);
      at += end - index;
      index = end;
      low = 0;
    }
  }
  return at;
}
