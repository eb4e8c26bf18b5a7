// The MessagePack writes the actors need. Empty byte fields are written as
// an empty `bin`, never as nil, so strict decoders accept them.

/** A MessagePack writer that grows its buffer as it goes. */
export class MessageWriter {
  private bytes: Uint8Array = new Uint8Array(128);
  private length: i32 = 0;

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
      this.bytes.dataStart + this.length,
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
    return this.bytes.buffer.slice(0, this.length);
  }

  private byte(value: u8): MessageWriter {
    this.reserve(1);
    this.bytes[this.length++] = value;
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
    memory.copy(
      this.bytes.dataStart + this.length,
      changetype<usize>(value),
      size,
    );
    this.length += size;
    return this;
  }

  private reserve(extra: i32): void {
    if (this.length + extra <= this.bytes.length) return;
    let capacity = this.bytes.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}
