/**
 * MessagePack as waSCC 0.14 speaks it (spec §3): structs are maps keyed by
 * field name, decoders are lenient (map or array form, `bin` or integer
 * arrays for bytes, only the first value of a buffer).
 *
 * @module
 */
import { Packr, Unpackr } from "../deps.ts";

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

/** Encodes a value as MessagePack with plain maps (no records). */
export function encode(value: unknown): Uint8Array<ArrayBuffer> {
  return packr.pack(value) as Uint8Array<ArrayBuffer>;
}

/**
 * Decodes the first MessagePack value of `bytes`, ignoring anything after
 * it (some guests append a trailing zero byte).
 */
export function decode(bytes: Uint8Array, what = "message"): unknown {
  if (bytes.length === 0) {
    throw new SyntaxError(`Cannot decode ${what}: payload is empty`);
  }
  let first: unknown;
  try {
    unpackr.unpackMultiple(bytes, (value: unknown) => {
      first = value;
      return false;
    });
  } catch (error) {
    throw new SyntaxError(
      `Cannot decode ${what}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (isReservedByte(first)) {
    throw new SyntaxError(`Cannot decode ${what}: reserved byte 0xc1`);
  }
  return first;
}

// msgpackr turns the never-used byte 0xc1 into a marker object.
function isReservedByte(value: unknown): boolean {
  return typeof value === "object" && value !== null &&
    value.constructor?.name === "C1Type";
}

/**
 * Decodes a struct that may arrive as a map keyed by field name or as an
 * array in field order; missing fields stay undefined, unknown keys are
 * kept.
 */
export function decodeStruct(
  bytes: Uint8Array,
  fields: readonly string[],
  what = "message",
): Record<string, unknown> {
  return asStruct(decode(bytes, what), fields, what);
}

/** Turns a decoded map, `Map` or array into a struct keyed by field. */
export function asStruct(
  value: unknown,
  fields: readonly string[],
  what = "message",
): Record<string, unknown> {
  if (Array.isArray(value)) {
    const struct: Record<string, unknown> = {};
    fields.forEach((field, index) => struct[field] = value[index]);
    return struct;
  }
  if (value instanceof Map) return Object.fromEntries(value);
  if (value !== null && typeof value === "object") {
    return value as Record<string, unknown>;
  }
  throw new TypeError(
    `Cannot decode ${what}: expected a map or an array, got ${describe(value)}`,
  );
}

/** Reads a byte field sent as `bin`, an integer array or a string. */
export function asBytes(value: unknown, field = "bytes"): Uint8Array {
  if (value === undefined || value === null) return new Uint8Array();
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    const bytes = new Uint8Array(value.length);
    value.forEach((byte, index) => {
      if (!Number.isInteger(byte) || byte < 0 || byte > 255) {
        throw new TypeError(
          `Cannot decode field "${field}": item ${index} is not a byte`,
        );
      }
      bytes[index] = byte;
    });
    return bytes;
  }
  if (typeof value === "string") return new TextEncoder().encode(value);
  throw new TypeError(
    `Cannot decode field "${field}": expected bytes, got ${describe(value)}`,
  );
}

/** Reads a string field; absent means `fallback`. */
export function asString(value: unknown, field: string, fallback = ""): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  throw new TypeError(
    `Cannot decode field "${field}": expected a string, got ${describe(value)}`,
  );
}

/** Reads an integer field; absent means `fallback`. */
export function asInteger(value: unknown, field: string, fallback = 0): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number" && Number.isInteger(value)) return value;
  throw new TypeError(
    `Cannot decode field "${field}": expected an integer, got ${
      describe(value)
    }`,
  );
}

/** Reads a boolean field; absent means `fallback`. */
export function asBoolean(
  value: unknown,
  field: string,
  fallback = false,
): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "boolean") return value;
  throw new TypeError(
    `Cannot decode field "${field}": expected a boolean, got ${
      describe(value)
    }`,
  );
}

/** Reads a list of strings; absent means empty. */
export function asStringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new TypeError(
      `Cannot decode field "${field}": expected a list, got ${describe(value)}`,
    );
  }
  return value.map((item, index) => asString(item, `${field}[${index}]`));
}

/** Reads a map of strings (such as HTTP headers); absent means empty. */
export function asStringMap(
  value: unknown,
  field: string,
): Record<string, string> {
  if (value === undefined || value === null) return {};
  const entries = value instanceof Map
    ? [...value.entries()]
    : typeof value === "object" && !Array.isArray(value)
    ? Object.entries(value as Record<string, unknown>)
    : null;
  if (entries === null) {
    throw new TypeError(
      `Cannot decode field "${field}": expected a map, got ${describe(value)}`,
    );
  }
  const map: Record<string, string> = {};
  for (const [key, item] of entries) {
    map[String(key)] = asString(item, `${field}.${key}`);
  }
  return map;
}

function describe(value: unknown): string {
  if (value === null) return "nil";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return "bytes";
  return typeof value === "object" ? "a map" : `a ${typeof value}`;
}
