// The MessagePack writes the actors need. Empty byte fields are written as
// an empty `bin`, never as nil, so strict decoders accept them.

/**
 * A MessagePack writer that grows its buffer as it goes. Given the exact
 * size up front (see `stringSize` and friends), it allocates once and
 * hands its buffer over without a copy.
 */
export class MessageWriter {
  private buffer: ArrayBuffer;
  private length: i32 = 0;

  constructor(capacity: i32 = 128) {
    this.buffer = new ArrayBuffer(capacity);
  }

  /** Starts a map of `size` entries; keys and values follow. */
  map(size: u32): MessageWriter {
    if (size < 16) return this.byte(0x80 | <u8> size);
    if (size < 0x10000) return this.byte(0xde).u16(<u16> size);
    return this.byte(0xdf).u32(size);
  }

  /** Writes a UTF-8 string. */
  string(value: string): MessageWriter {
    const size = <u32> String.UTF8.byteLength(value);
    if (size < 32) this.byte(0xa0 | <u8> size);
    else if (size < 0x100) this.byte(0xd9).byte(<u8> size);
    else if (size < 0x10000) this.byte(0xda).u16(<u16> size);
    else this.byte(0xdb).u32(size);
    // Encoded straight into the buffer, with no string copy between.
    this.reserve(size);
    String.UTF8.encodeUnsafe(
      changetype<usize>(value),
      value.length,
      this.end(),
    );
    this.length += size;
    return this;
  }

  /** Writes a non-negative integer in its shortest form. */
  uint(value: u32): MessageWriter {
    if (value < 0x80) return this.byte(<u8> value);
    if (value < 0x100) return this.byte(0xcc).byte(<u8> value);
    if (value < 0x10000) return this.byte(0xcd).u16(<u16> value);
    return this.byte(0xce).u32(value);
  }

  /** Writes bytes as `bin`. */
  bin(value: ArrayBuffer): MessageWriter {
    const size = <u32> value.byteLength;
    if (size < 0x100) this.byte(0xc4).byte(<u8> size);
    else if (size < 0x10000) this.byte(0xc5).u16(<u16> size);
    else this.byte(0xc6).u32(size);
    return this.raw(value);
  }

  /** The bytes written so far. */
  toArrayBuffer(): ArrayBuffer {
    if (this.length == this.buffer.byteLength) return this.buffer;
    return this.buffer.slice(0, this.length);
  }

  private end(): usize {
    return changetype<usize>(this.buffer) + <usize> this.length;
  }

  private byte(value: u8): MessageWriter {
    this.reserve(1);
    store<u8>(this.end(), value);
    this.length++;
    return this;
  }

  private u16(value: u16): MessageWriter {
    return this.byte(<u8> (value >> 8)).byte(<u8> value);
  }

  private u32(value: u32): MessageWriter {
    return this.u16(<u16> (value >> 16)).u16(<u16> value);
  }

  private raw(value: ArrayBuffer): MessageWriter {
    const size = value.byteLength;
    this.reserve(size);
    memory.copy(this.end(), changetype<usize>(value), size);
    this.length += size;
    return this;
  }

  private reserve(extra: i32): void {
    const capacity = this.buffer.byteLength;
    if (this.length + extra <= capacity) return;
    let grown = max(capacity * 2, 16);
    while (grown < this.length + extra) grown *= 2;
    const buffer = new ArrayBuffer(grown);
    memory.copy(
      changetype<usize>(buffer),
      changetype<usize>(this.buffer),
      this.length,
    );
    this.buffer = buffer;
  }
}

/** The bytes a string takes, header included. */
export function stringSize(value: string): i32 {
  const size = String.UTF8.byteLength(value);
  return size + (size < 32 ? 1 : size < 0x100 ? 2 : size < 0x10000 ? 3 : 5);
}

/** The bytes a `bin` of `size` bytes takes, header included. */
export function binSize(size: i32): i32 {
  return size + (size < 0x100 ? 2 : size < 0x10000 ? 3 : 5);
}

/** The bytes a map header of `entries` takes. */
export function mapHeaderSize(entries: u32): i32 {
  return entries < 16 ? 1 : entries < 0x10000 ? 3 : 5;
}

/** The bytes a non-negative integer takes. */
export function uintSize(value: u32): i32 {
  return value < 0x80 ? 1 : value < 0x100 ? 2 : value < 0x10000 ? 3 : 5;
}
