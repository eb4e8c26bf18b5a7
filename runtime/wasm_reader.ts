/**
 * A bounds-checked cursor over part of a WebAssembly binary, and a sink that
 * collects output bytes. Every read that would leave its range throws a
 * SyntaxError, so a truncated or corrupt module can never cause a RangeError
 * from a typed array or an endless loop.
 *
 * @module
 */

const PREFIX = "Cannot instrument module";

/** Reads bytes of one region (a section, a function body) of a module. */
export class WasmReader {
  /**
   * @param bytes the whole module
   * @param offset where reading starts
   * @param end offset just past the region
   * @param region what the region is, for error messages ("section 10")
   */
  constructor(
    readonly bytes: Uint8Array,
    public offset: number,
    readonly end: number,
    readonly region: string,
  ) {}

  /** True when every byte of the region has been read. */
  get done(): boolean {
    return this.offset >= this.end;
  }

  /** A reader over the next `length` bytes, which this reader skips. */
  take(length: number, region: string): WasmReader {
    if (length > this.end - this.offset) {
      this.fail(`${region} runs past the end of ${this.region}`);
    }
    const start = this.offset;
    this.offset += length;
    return new WasmReader(this.bytes, start, this.offset, region);
  }

  /** One byte. */
  byte(): number {
    if (this.offset >= this.end) this.fail(`${this.region} ends too early`);
    return this.bytes[this.offset++];
  }

  /** The next byte, left unread. */
  peek(): number {
    if (this.offset >= this.end) this.fail(`${this.region} ends too early`);
    return this.bytes[this.offset];
  }

  /** Skips `count` raw bytes. */
  skip(count: number): void {
    if (count > this.end - this.offset) {
      this.fail(`${this.region} ends too early`);
    }
    this.offset += count;
  }

  /** An unsigned LEB128 integer of at most 32 bits. */
  u32(): number {
    const start = this.offset;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (result > 0xffffffff) this.fail("integer too large", start);
        return result;
      }
    }
    this.fail("integer too long", start);
  }

  /** Skips a LEB128 integer (signed or not) of at most `maxBytes` bytes. */
  skipLeb(maxBytes: number): void {
    const start = this.offset;
    for (let count = 0; count < maxBytes; count++) {
      if ((this.byte() & 0x80) === 0) return;
    }
    this.fail("integer too long", start);
  }

  /** Skips a name or any other byte vector. */
  skipVector(): void {
    this.skip(this.u32());
  }

  /** Skips a value type, including `(ref null? ht)` of typed references. */
  skipValueType(): void {
    const code = this.byte();
    if (code === 0x63 || code === 0x64) this.skipLeb(5);
  }

  /** Skips table or memory limits (32- or 64-bit). */
  skipLimits(): void {
    const flags = this.byte();
    const size = flags & 0x04 ? 10 : 5;
    this.skipLeb(size);
    if (flags & 0x01) this.skipLeb(size);
  }

  /** Throws a SyntaxError naming the problem and where it is. */
  fail(problem: string, at = this.offset): never {
    throw new SyntaxError(`${PREFIX}: ${problem} at offset ${at}`);
  }
}

/** Collects output bytes in a buffer that grows as needed. */
export class ByteSink {
  #buffer = new Uint8Array(256);
  #length = 0;

  /** Number of bytes collected so far. */
  get length(): number {
    return this.#length;
  }

  /** Appends a run of bytes. */
  bytes(part: Uint8Array): void {
    this.#reserve(part.length);
    this.#buffer.set(part, this.#length);
    this.#length += part.length;
  }

  /** Appends single bytes. */
  push(...values: number[]): void {
    this.#reserve(values.length);
    for (const value of values) this.#buffer[this.#length++] = value;
  }

  /** Appends an unsigned LEB128 integer. */
  u32(value: number): void {
    this.#reserve(5);
    do {
      const byte = value & 0x7f;
      value = Math.floor(value / 128);
      this.#buffer[this.#length++] = value === 0 ? byte : byte | 0x80;
    } while (value !== 0);
  }

  /** Appends the bytes of another sink. */
  append(inner: ByteSink): void {
    this.bytes(inner.#buffer.subarray(0, inner.#length));
  }

  /** Appends the bytes of another sink, prefixed by their number. */
  sized(inner: ByteSink): void {
    this.u32(inner.length);
    this.bytes(inner.#buffer.subarray(0, inner.#length));
  }

  /** The bytes collected. */
  toBytes(): Uint8Array<ArrayBuffer> {
    return this.#buffer.slice(0, this.#length);
  }

  #reserve(count: number): void {
    const needed = this.#length + count;
    if (needed <= this.#buffer.length) return;
    const grown = new Uint8Array(Math.max(needed, this.#buffer.length * 2));
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }
}
