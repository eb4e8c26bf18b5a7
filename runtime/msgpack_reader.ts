/**
 * A MessagePack reader for the common shapes of the structs the host
 * receives on every call (an actor's HTTP reply, a lattice envelope):
 * maps keyed by short names, strings, unsigned integers, byte fields.
 * Every read returns `undefined` for anything else, and the caller then
 * decodes the whole value with the generic, lenient codec, whose errors
 * name what is wrong. It reads in place: no object graph, no copies of
 * keys.
 *
 * @module
 */

import { lowRunEnd } from "./msgpack_bytes.ts";

const decoder = new TextDecoder();
/** Strings up to this length are decoded here; longer by TextDecoder. */
const SHORT_STRING = 32;
/** Low integers in a row after which the rest of their run is copied. */
const RUN_START = 16;
/** What nil reads as without `copy`: zero bytes cannot change. */
const NO_BYTES = new Uint8Array();

/** Reads MessagePack values one after another from `bytes`. */
export class MsgpackReader {
  readonly #bytes: Uint8Array;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** The number of entries of a map header, or undefined. */
  mapSize(): number | undefined {
    const type = this.#bytes[this.#at];
    if ((type & 0xf0) === 0x80) {
      this.#at++;
      return type & 0x0f;
    }
    if (type === 0xde) return this.#length(2);
    if (type === 0xdf) return this.#length(4);
    return undefined;
  }

  /**
   * Reads a string and returns the index of the first of `names` whose
   * bytes (ASCII) equal it, -1 when none does, or undefined when the
   * value is not a short string.
   */
  oneOf(names: readonly Uint8Array[]): number | undefined {
    const size = this.#stringSize();
    if (size === undefined) return undefined;
    const bytes = this.#bytes;
    const start = this.#at;
    this.#at += size;
    for (let index = 0; index < names.length; index++) {
      const name = names[index];
      if (name.length !== size) continue;
      let same = true;
      for (let i = 0; i < size && same; i++) {
        same = bytes[start + i] === name[i];
      }
      if (same) return index;
    }
    return -1;
  }

  /** A string, or undefined (nil included). */
  string(): string | undefined {
    const size = this.#stringSize();
    if (size === undefined) return undefined;
    const bytes = this.#bytes;
    const start = this.#at;
    const end = start + size;
    this.#at = end;
    if (size > SHORT_STRING) return decoder.decode(bytes.subarray(start, end));
    let text = "";
    for (let at = start; at < end; at++) {
      const byte = bytes[at];
      if (byte >= 0x80) return decoder.decode(bytes.subarray(start, end));
      text += String.fromCharCode(byte);
    }
    return text;
  }

  /** An unsigned integer (up to 32 bits), or undefined. */
  uint(): number | undefined {
    const type = this.#bytes[this.#at];
    if (type < 0x80) {
      this.#at++;
      return type;
    }
    if (type === 0xcc) return this.#length(1);
    if (type === 0xcd) return this.#length(2);
    if (type === 0xce) return this.#length(4);
    return undefined;
  }

  /**
   * A byte field sent as `bin`, as an array of integers 0–255 or as nil
   * (empty), or undefined. Unless `copy` is set, a `bin` comes as a view
   * on the input and nil as one shared empty array; integers are always
   * read into a new array.
   */
  bytes(copy = false): Uint8Array | undefined {
    const bytes = this.#bytes;
    const type = bytes[this.#at];
    if (type === 0xc0) {
      this.#at++;
      return copy ? new Uint8Array() : NO_BYTES;
    }
    if (type >= 0xc4 && type <= 0xc6) {
      const size = this.#fits(this.#length(1 << (type - 0xc4)));
      if (size === undefined) return undefined;
      const start = this.#at;
      this.#at += size;
      const view = bytes.subarray(start, this.#at);
      if (!copy) return view;
      // Not `slice`: on a Node Buffer that is a view too.
      const out = new Uint8Array(size);
      out.set(view);
      return out;
    }
    const saved = this.#at;
    let length: number | undefined;
    if ((type & 0xf0) === 0x90) {
      this.#at++;
      length = type & 0x0f;
    } else if (type === 0xdc) {
      length = this.#length(2);
    } else if (type === 0xdd) {
      length = this.#length(4);
    }
    if (length === undefined || this.#at + length > bytes.length) {
      this.#at = saved;
      return undefined;
    }
    const out = new Uint8Array(length);
    let at = this.#at;
    const last = bytes.length;
    let index = 0;
    let low = 0;
    while (index < length) {
      const byte = bytes[at++];
      if (byte < 0x80) {
        out[index++] = byte;
        if (++low < RUN_START) continue;
        // A run of integers below 0x80 is the bytes themselves.
        const end = Math.min(lowRunEnd(bytes, at), at + length - index);
        out.set(bytes.subarray(at, end), index);
        index += end - at;
        at = end;
        low = 0;
      } else if (byte === 0xcc && at < last) {
        low = 0;
        out[index++] = bytes[at++];
      } else {
        this.#at = saved;
        return undefined;
      }
    }
    this.#at = at;
    return out;
  }

  /** Whether the next value is nil; moves past it when it is. */
  nil(): boolean {
    if (this.#bytes[this.#at] !== 0xc0) return false;
    this.#at++;
    return true;
  }

  #stringSize(): number | undefined {
    const type = this.#bytes[this.#at];
    if ((type & 0xe0) === 0xa0) {
      this.#at++;
      return this.#fits(type & 0x1f);
    }
    if (type === 0xd9) return this.#fits(this.#length(1));
    if (type === 0xda) return this.#fits(this.#length(2));
    if (type === 0xdb) return this.#fits(this.#length(4));
    return undefined;
  }

  #fits(size: number | undefined): number | undefined {
    if (size === undefined) return undefined;
    return this.#at + size <= this.#bytes.length ? size : undefined;
  }

  // Reads a big-endian length of `width` bytes after the type byte.
  #length(width: number): number | undefined {
    const bytes = this.#bytes;
    const start = this.#at + 1;
    if (start + width > bytes.length) return undefined;
    let value = 0;
    for (let i = 0; i < width; i++) value = value * 256 + bytes[start + i];
    this.#at = start + width;
    return value;
  }
}

/** Field names as the bytes `MsgpackReader.oneOf` compares. */
export function fieldNames(...names: string[]): Uint8Array[] {
  const encoder = new TextEncoder();
  return names.map((name) => encoder.encode(name));
}
