/**
 * A MessagePack writer for the structs the host sends on every call (an
 * HTTP request, a lattice envelope): maps keyed by field name, strings,
 * byte fields. It writes straight into one growing buffer, where the
 * generic encoder builds and walks an object graph first; on the HTTP
 * path that difference is a measurable share of a request.
 *
 * The output is plain MessagePack in the shortest forms, as the generic
 * encoder writes it.
 *
 * @module
 */

import { writeIntegers } from "./msgpack_bytes.ts";

const encoder = new TextEncoder();
const ASCII_COPY_LIMIT = 64;

/** Writes MessagePack values one after another into a growing buffer. */
export class MsgpackWriter {
  #bytes: Uint8Array<ArrayBuffer>;
  #at = 0;

  /**
   * A writer whose buffer starts at `capacity` bytes. Small buffers are
   * carved from a shared slab (see `finish`).
   */
  constructor(capacity = 256) {
    this.#bytes = capacity <= SLAB_PIECE_LIMIT
      ? slab.take(capacity)
      : new Uint8Array(capacity);
  }

  /** A map header of `size` entries; keys and values follow. */
  map(size: number): this {
    if (size < 16) return this.#byte(0x80 | size);
    this.#reserve(5);
    this.#header(size, size < 0x10000 ? 3 : 5, -1, 0xdd);
    return this;
  }

  /** A UTF-8 string. */
  string(value: string): this {
    const length = value.length;
    // Room for the longest header and the longest encoding; the bytes
    // move back when the header turns out shorter.
    const most = length * 3;
    const head = most < 32 ? 1 : most < 0x100 ? 2 : most < 0x10000 ? 3 : 5;
    this.#reserve(head + most);
    const bytes = this.#bytes;
    const start = this.#at + head;
    let size = 0;
    // Short ASCII text is copied here; a call into the encoder costs more.
    if (length <= ASCII_COPY_LIMIT) {
      while (size < length) {
        const code = value.charCodeAt(size);
        if (code >= 0x80) break;
        bytes[start + size++] = code;
      }
    }
    if (size < length) {
      size = encoder.encodeInto(value, bytes.subarray(start)).written;
    }
    const needed = size < 32 ? 1 : size < 0x100 ? 2 : size < 0x10000 ? 3 : 5;
    if (needed < head) {
      bytes.copyWithin(this.#at + needed, start, start + size);
    }
    this.#header(size, needed, 0xa0, 0xd9);
    this.#at += size;
    return this;
  }

  /** Bytes as `bin`. */
  bin(value: Uint8Array): this {
    const size = value.length;
    const head = size < 0x100 ? 2 : size < 0x10000 ? 3 : 5;
    this.#reserve(head + size);
    this.#header(size, head, -1, 0xc4);
    this.#bytes.set(value, this.#at);
    this.#at += size;
    return this;
  }

  /** Bytes as an array of integers, as waSCC writes a `Vec<u8>`. */
  byteArray(value: Uint8Array): this {
    const length = value.length;
    this.#reserve(5 + length * 2);
    const bytes = this.#bytes;
    let at = this.#at;
    if (length < 16) {
      bytes[at++] = 0x90 | length;
    } else {
      this.#header(length, length < 0x10000 ? 3 : 5, -1, 0xdb);
      at = this.#at;
    }
    this.#at = writeIntegers(value, bytes, at);
    return this;
  }

  /** A non-negative integer below 2^32, in its shortest form. */
  uint(value: number): this {
    if (value < 0x80) return this.#byte(value);
    this.#reserve(5);
    const head = value < 0x100 ? 2 : value < 0x10000 ? 3 : 5;
    this.#header(value, head, -1, 0xcc);
    return this;
  }

  /** nil. */
  nil(): this {
    return this.#byte(0xc0);
  }

  /** Bytes that already are MessagePack, copied as they are. */
  raw(value: Uint8Array): this {
    this.#reserve(value.length);
    this.#bytes.set(value, this.#at);
    this.#at += value.length;
    return this;
  }

  /**
   * What was written, as a view on the writer's buffer. That buffer may be
   * a slab shared with other writers' output: the view is for sending
   * (copying into a socket, a guest's memory), not for keeping long.
   */
  finish(): Uint8Array<ArrayBuffer> {
    slab.giveBack(this.#bytes, this.#at);
    return this.#bytes.subarray(0, this.#at);
  }

  // Writes the header of a string, bin, array or map of `size` in `head`
  // bytes and moves past it: `fix` is the fixed-size type (-1 for none),
  // `first` the 8-bit type, followed by the 16- and 32-bit types (for
  // arrays and maps, which have no 8-bit type, one below the 16-bit).
  #header(size: number, head: number, fix: number, first: number): void {
    const bytes = this.#bytes;
    const at = this.#at;
    if (head === 1) {
      bytes[at] = fix | size;
    } else if (head === 2) {
      bytes[at] = first;
      bytes[at + 1] = size;
    } else if (head === 3) {
      bytes[at] = first + 1;
      bytes[at + 1] = size >>> 8;
      bytes[at + 2] = size & 0xff;
    } else {
      bytes[at] = first + 2;
      bytes[at + 1] = size >>> 24;
      bytes[at + 2] = (size >>> 16) & 0xff;
      bytes[at + 3] = (size >>> 8) & 0xff;
      bytes[at + 4] = size & 0xff;
    }
    this.#at = at + head;
  }

  #byte(value: number): this {
    this.#reserve(1);
    this.#bytes[this.#at++] = value;
    return this;
  }

  #reserve(extra: number): void {
    const needed = this.#at + extra;
    if (needed <= this.#bytes.length) return;
    let capacity = this.#bytes.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#bytes.subarray(0, this.#at));
    this.#bytes = grown;
  }
}

// Allocating an ArrayBuffer costs about half a microsecond here whatever
// its size, more than encoding a small struct; a view on a slab costs a
// twentieth of that. Only writers use the slabs, and a piece once
// finished is never handed out again, so a view stays valid; a slab is
// freed once no view on it remains.
const SLAB_BYTES = 64 * 1024;
const SLAB_PIECE_LIMIT = 4 * 1024;

class Slab {
  #buffer = new Uint8Array(SLAB_BYTES);
  #at = 0;

  /** A piece of `size` bytes no finished writer's output overlaps. */
  take(size: number): Uint8Array<ArrayBuffer> {
    if (this.#at + size > SLAB_BYTES) {
      this.#buffer = new Uint8Array(SLAB_BYTES);
      this.#at = 0;
    }
    const piece = this.#buffer.subarray(this.#at, this.#at + size);
    this.#at += size;
    return piece;
  }

  /** Returns the unused end of the last piece taken, past `used` bytes. */
  giveBack(piece: Uint8Array, used: number): void {
    if (piece.buffer !== this.#buffer.buffer) return;
    if (piece.byteOffset + piece.length !== this.#at) return;
    this.#at = piece.byteOffset + used;
  }
}

const slab = new Slab();
