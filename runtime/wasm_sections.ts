/**
 * Reading the section layout of a WebAssembly binary: enough to find,
 * remove and append custom sections without re-serialising the module.
 *
 * @module
 */

/** One section of a module: its id and where its payload lies. */
export interface WasmSection {
  id: number;
  /** Offset of the section id byte. */
  start: number;
  /** Offset of the first payload byte (after the size). */
  payloadStart: number;
  /** Offset just past the payload. */
  end: number;
  /** Name of a custom section (id 0). */
  name?: string;
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const VERSION = [0x01, 0x00, 0x00, 0x00];

/** Reads an unsigned LEB128 integer (up to 32 bits). */
export function readU32(
  bytes: Uint8Array,
  offset: number,
): [value: number, next: number] {
  let result = 0;
  let shift = 0;
  let position = offset;
  while (true) {
    if (position >= bytes.length) {
      throw new SyntaxError(
        `Cannot read module: integer runs past the end at offset ${offset}`,
      );
    }
    const byte = bytes[position++];
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) {
      throw new SyntaxError(
        `Cannot read module: integer too long at offset ${offset}`,
      );
    }
  }
  return [result, position];
}

/** Encodes an unsigned LEB128 integer. */
export function writeU32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/**
 * Lists the sections of a module, checking the header and that every
 * section lies inside the file.
 */
export function readSections(bytes: Uint8Array): WasmSection[] {
  const header = [...MAGIC, ...VERSION];
  if (
    bytes.length < 8 || header.some((byte, index) => bytes[index] !== byte)
  ) {
    throw new SyntaxError(
      "Cannot read module: not a WebAssembly binary (bad magic or version)",
    );
  }
  const sections: WasmSection[] = [];
  let offset = 8;
  while (offset < bytes.length) {
    const start = offset;
    const id = bytes[offset++];
    const [size, payloadStart] = readU32(bytes, offset);
    const end = payloadStart + size;
    if (end > bytes.length) {
      throw new SyntaxError(
        `Cannot read module: section ${id} at offset ${start} runs past the end`,
      );
    }
    const section: WasmSection = { id, start, payloadStart, end };
    if (id === 0) {
      const [nameLength, nameStart] = readU32(bytes, payloadStart);
      if (nameStart + nameLength > end) {
        throw new SyntaxError(
          `Cannot read module: custom section name at offset ${start} is too long`,
        );
      }
      section.name = new TextDecoder().decode(
        bytes.subarray(nameStart, nameStart + nameLength),
      );
    }
    sections.push(section);
    offset = end;
  }
  return sections;
}

/** The payload of a custom section after its name. */
export function customSectionContent(
  bytes: Uint8Array,
  section: WasmSection,
): Uint8Array {
  const [nameLength, nameStart] = readU32(bytes, section.payloadStart);
  return bytes.subarray(nameStart + nameLength, section.end);
}

/** The module with every custom section named `name` cut out. */
export function withoutCustomSections(
  bytes: Uint8Array,
  name: string,
): Uint8Array<ArrayBuffer> {
  const kept: Uint8Array[] = [bytes.subarray(0, 8)];
  for (const section of readSections(bytes)) {
    if (section.id === 0 && section.name === name) continue;
    kept.push(bytes.subarray(section.start, section.end));
  }
  return concat(kept);
}

/** The module with a custom section appended at its end. */
export function withCustomSection(
  bytes: Uint8Array,
  name: string,
  content: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const nameBytes = new TextEncoder().encode(name);
  const payload = concat([
    Uint8Array.from(writeU32(nameBytes.length)),
    nameBytes,
    content,
  ]);
  return concat([
    bytes,
    Uint8Array.of(0),
    Uint8Array.from(writeU32(payload.length)),
    payload,
  ]);
}

/** Joins byte arrays into one. */
export function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
