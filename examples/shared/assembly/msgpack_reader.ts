// Reads the MessagePack the wascc codec sends: maps keyed by field name,
// strings, integers, and byte fields as `bin` or as arrays of integers.
// Only the first value of a buffer is read; trailing bytes are ignored.

// What an empty byte field reads as: one shared buffer, as nothing can be
// written into zero bytes.
const EMPTY = new ArrayBuffer(0);

/**
 * A MessagePack reader. After a failure `error` is set and every further
 * read gives a default value.
 */
export class MessageReader {
  /** What went wrong, or null while all reads succeeded. */
  error: string | null = null;
  private buffer: ArrayBuffer;
  private start: usize;
  private length: i32;
  private offset: i32 = 0;

  constructor(buffer: ArrayBuffer) {
    this.buffer = buffer;
    this.start = changetype<usize>(buffer);
    this.length = buffer.byteLength;
  }

  /** Reads a map header and returns its number of entries (nil is 0). */
  mapSize(): u32 {
    const lead = this.byte();
    if ((lead & 0xf0) == 0x80) return lead & 0x0f;
    if (lead == 0xde) return this.uint(2);
    if (lead == 0xdf) return this.uint(4);
    if (lead == 0xc0) return 0;
    this.fail("expected a map, got 0x" + lead.toString(16));
    return 0;
  }

  /** Reads an array header and returns its length (nil is 0). */
  arraySize(): u32 {
    const lead = this.byte();
    if ((lead & 0xf0) == 0x90) return lead & 0x0f;
    if (lead == 0xdc) return this.uint(2);
    if (lead == 0xdd) return this.uint(4);
    if (lead == 0xc0) return 0;
    this.fail("expected an array, got 0x" + lead.toString(16));
    return 0;
  }

  /** Reads a UTF-8 string (nil is the empty string). */
  string(): string {
    const size = this.stringSize();
    // Decoded in place: no copy of the bytes on the way to the string.
    const start = this.skipOver(size);
    if (start < 0 || size == 0) return "";
    return String.UTF8.decodeUnsafe(this.start + start, size);
  }

  /**
   * Reads a string and returns the index of the first of `names` (ASCII
   * text, such as field names) it equals, or -1. Allocates nothing, so a
   * struct's keys are matched without making a string of each.
   */
  oneOf(names: StaticArray<string>): i32 {
    const size = this.stringSize();
    const start = this.skipOver(size);
    if (start < 0) return -1;
    const at = this.start + start;
    for (let index = 0; index < names.length; index++) {
      const name = names[index];
      if (<u32> name.length != size) continue;
      let same = true;
      for (let i: u32 = 0; i < size && same; i++) {
        same = <u32> load<u8>(at + i) == <u32> name.charCodeAt(i);
      }
      if (same) return index;
    }
    return -1;
  }

  // Reads a string header and returns the size of the bytes that follow.
  private stringSize(): u32 {
    const lead = this.byte();
    if ((lead & 0xe0) == 0xa0) return lead & 0x1f;
    if (lead == 0xd9) return this.uint(1);
    if (lead == 0xda) return this.uint(2);
    if (lead == 0xdb) return this.uint(4);
    if (lead != 0xc0) {
      this.fail("expected a string, got 0x" + lead.toString(16));
    }
    return 0;
  }

  /** Reads bytes sent as `bin` or as an array of integers (nil is empty). */
  bytesField(): ArrayBuffer {
    const lead = this.peek();
    if (lead == 0xc4) return this.take(this.skipByte().uint(1));
    if (lead == 0xc5) return this.take(this.skipByte().uint(2));
    if (lead == 0xc6) return this.take(this.skipByte().uint(4));
    const size = this.arraySize();
    const out = new Uint8Array(size);
    for (let i: u32 = 0; i < size && this.error == null; i++) {
      out[i] = <u8> this.integer();
    }
    return out.buffer;
  }

  /** Reads an integer of any MessagePack width. */
  integer(): i64 {
    const lead = this.byte();
    if (lead < 0x80) return lead;
    if (lead >= 0xe0) return <i64> (<i8> lead);
    if (lead == 0xcc) return this.uint(1);
    if (lead == 0xcd) return this.uint(2);
    if (lead == 0xce) return this.uint(4);
    if (lead == 0xcf) return (<i64> this.uint(4) << 32) | this.uint(4);
    if (lead == 0xd0) return <i8> this.uint(1);
    if (lead == 0xd1) return <i16> this.uint(2);
    if (lead == 0xd2) return <i32> this.uint(4);
    if (lead == 0xd3) return (<i64> this.uint(4) << 32) | this.uint(4);
    this.fail("expected an integer, got 0x" + lead.toString(16));
    return 0;
  }

  /**
   * Reads a number written as a float (32 or 64 bits) or as an integer of
   * any width; nil reads as NaN.
   */
  number(): f64 {
    const lead = this.peek();
    if (lead == 0xca) return <f64> reinterpret<f32>(this.skipByte().uint(4));
    if (lead == 0xcb) {
      const high = <u64> this.skipByte().uint(4);
      return reinterpret<f64>((high << 32) | <u64> this.uint(4));
    }
    if (lead == 0xc0) {
      this.byte();
      return NaN;
    }
    return <f64> this.integer();
  }

  /** Reads a boolean (nil is false). */
  boolean(): bool {
    const lead = this.byte();
    if (lead == 0xc3) return true;
    if (lead != 0xc2 && lead != 0xc0) {
      this.fail("expected a boolean, got 0x" + lead.toString(16));
    }
    return false;
  }

  /** Skips one value, however deeply nested. */
  skip(): void {
    let pending: u32 = 1;
    while (pending > 0 && this.error == null) {
      pending = pending - 1 + this.skipOne();
    }
  }

  // Skips the next value's header and payload and returns how many nested
  // values follow it.
  private skipOne(): u32 {
    const lead = this.byte();
    if (lead < 0x80 || lead >= 0xe0 || (lead >= 0xc0 && lead <= 0xc3)) return 0;
    if ((lead & 0xf0) == 0x80) return 2 * (lead & 0x0f);
    if ((lead & 0xf0) == 0x90) return lead & 0x0f;
    if ((lead & 0xe0) == 0xa0) return this.drop(lead & 0x1f);
    switch (lead) {
      case 0xc4:
      case 0xd9:
        return this.drop(this.uint(1));
      case 0xc5:
      case 0xda:
        return this.drop(this.uint(2));
      case 0xc6:
      case 0xdb:
        return this.drop(this.uint(4));
      case 0xc7:
        return this.drop(this.uint(1) + 1);
      case 0xc8:
        return this.drop(this.uint(2) + 1);
      case 0xc9:
        return this.drop(this.uint(4) + 1);
      case 0xcc:
      case 0xd0:
        return this.drop(1);
      case 0xcd:
      case 0xd1:
        return this.drop(2);
      case 0xca:
      case 0xce:
      case 0xd2:
        return this.drop(4);
      case 0xcb:
      case 0xcf:
      case 0xd3:
        return this.drop(8);
      case 0xd4:
        return this.drop(2);
      case 0xd5:
        return this.drop(3);
      case 0xd6:
        return this.drop(5);
      case 0xd7:
        return this.drop(9);
      case 0xd8:
        return this.drop(17);
      case 0xdc:
        return this.uint(2);
      case 0xdd:
        return this.uint(4);
      case 0xde:
        return 2 * this.uint(2);
      case 0xdf:
        return 2 * this.uint(4);
    }
    this.fail("unknown type 0x" + lead.toString(16));
    return 0;
  }

  private peek(): u8 {
    if (this.offset < this.length) {
      return load<u8>(this.start + <usize> this.offset);
    }
    this.fail("unexpected end of input");
    return 0xc0;
  }

  private byte(): u8 {
    const value = this.peek();
    if (this.error == null) this.offset++;
    return value;
  }

  private skipByte(): MessageReader {
    this.byte();
    return this;
  }

  private uint(size: i32): u32 {
    let value: u32 = 0;
    for (let i = 0; i < size; i++) value = (value << 8) | this.byte();
    return value;
  }

  private take(size: u32): ArrayBuffer {
    const start = this.skipOver(size);
    if (start < 0) return new ArrayBuffer(0);
    if (start == this.offset) return EMPTY;
    return this.buffer.slice(start, this.offset);
  }

  // Moves past `size` bytes and returns where they start, or -1 (and the
  // reader fails) when the input ends first.
  private skipOver(size: u32): i32 {
    if (<u64> this.offset + size > <u64> this.length) {
      this.fail("unexpected end of input");
      return -1;
    }
    const start = this.offset;
    this.offset += size;
    return start;
  }

  private drop(size: u32): u32 {
    this.skipOver(size);
    return 0;
  }

  private fail(message: string): void {
    if (this.error == null) this.error = message;
    this.offset = this.length;
  }
}
