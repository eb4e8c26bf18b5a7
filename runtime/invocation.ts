/**
 * Invocations between hosts (spec §5): the MessagePack envelope an
 * invocation and its response travel in, and the entities they name.
 *
 * @module
 */
import { asBytes, asString, asStruct, decode } from "./codec.ts";
import { actorUrl, capabilityUrl, SYSTEM_URL } from "./dispatch.ts";
import {
  INVOCATION_FIELDS,
  readCommonInvocation,
  readCommonResponse,
  RESPONSE_FIELDS,
} from "./invocation_read.ts";
import { valueEnd } from "./msgpack_bytes.ts";
import { MsgpackReader } from "./msgpack_reader.ts";
import { MsgpackWriter } from "./msgpack_writer.ts";

/** The origin key waSCC gives invocations the host itself makes. */
export const SYSTEM_ORIGIN = "system";

/** Who sends or receives an invocation. */
export type Entity =
  | { kind: "actor"; key: string }
  | { kind: "capability"; capabilityId: string; binding: string };

/** One operation sent to an actor or a provider on another host. */
export interface Invocation {
  origin: Entity;
  target: Entity;
  operation: string;
  msg: Uint8Array;
  /** A UUID v4. */
  id: string;
  /** The anti-forgery token (runtime/invocation_token.ts). */
  encodedClaims: string;
  /** The sending host's server key (`N…`). */
  hostId: string;
}

/** The answer to an invocation: its reply bytes or an error text. */
export interface InvocationResponse {
  msg: Uint8Array;
  error?: string;
  invocationId: string;
}

/** `wasmbus://…` of an entity (the host itself for the system origin). */
export function entityUrl(entity: Entity): string {
  if (entity.kind === "capability") {
    return capabilityUrl(entity.capabilityId, entity.binding);
  }
  return entity.key === SYSTEM_ORIGIN ? SYSTEM_URL : actorUrl(entity.key);
}

/** The URL an invocation is addressed to: the target's URL and the op. */
export function targetUrl(
  invocation: Pick<Invocation, "target" | "operation">,
) {
  return `${entityUrl(invocation.target)}/${invocation.operation}`;
}

/**
 * Encodes an invocation as waSCC does: a map in field order, entities as
 * one-entry integer-keyed maps and `msg` as an array of integers (a waSCC
 * 0.14 host refuses `bin` there).
 */
export function encodeInvocation(invocation: Invocation): Uint8Array {
  // Strings may take three bytes a character (the writer reserves that
  // much), bytes two as integers.
  const writer = new MsgpackWriter(
    512 + invocation.msg.length * 2 + invocation.encodedClaims.length * 3,
  ).map(7);
  writeEntity(writer.string("origin"), invocation.origin);
  writeEntity(writer.string("target"), invocation.target);
  return writer
    .string("operation").string(invocation.operation)
    .string("msg").byteArray(invocation.msg)
    .string("id").string(invocation.id)
    .string("encoded_claims").string(invocation.encodedClaims)
    .string("host_id").string(invocation.hostId)
    .finish();
}

function writeEntity(writer: MsgpackWriter, entity: Entity): void {
  writer.map(1);
  if (entity.kind === "actor") {
    writer.uint(0).string(entity.key);
    return;
  }
  writer.uint(1).map(2)
    .string("capid").string(entity.capabilityId)
    .string("binding").string(entity.binding);
}

/**
 * Decodes an invocation, map or array form, `msg` as `bin` or integers.
 * Throws a SyntaxError or TypeError naming what is wrong.
 */
export function decodeInvocation(bytes: Uint8Array): Invocation {
  const invocation = readCommonInvocation(bytes) ?? decodeAnyInvocation(bytes);
  for (const field of ["operation", "id", "hostId"] as const) {
    if (invocation[field] === "") {
      throw new TypeError(`Cannot decode invocation: "${field}" is empty`);
    }
  }
  return invocation;
}

function decodeAnyInvocation(bytes: Uint8Array): Invocation {
  const what = "invocation";
  const fields = decodeWithBytes(bytes, INVOCATION_FIELDS, what);
  return {
    origin: decodeEntity(fields.origin, "origin"),
    target: decodeEntity(fields.target, "target"),
    operation: asString(fields.operation, "operation"),
    msg: asBytes(fields.msg, "msg"),
    id: asString(fields.id, "id"),
    encodedClaims: asString(fields.encoded_claims, "encoded_claims"),
    hostId: asString(fields.host_id, "host_id"),
  };
}

/** Encodes a response; `msg` as an array of integers, as waSCC does. */
export function encodeResponse(response: InvocationResponse): Uint8Array {
  const writer = new MsgpackWriter(256 + response.msg.length * 2)
    .map(3)
    .string("msg").byteArray(response.msg)
    .string("error");
  if (response.error === undefined) writer.nil();
  else writer.string(response.error);
  return writer.string("invocation_id").string(response.invocationId)
    .finish();
}

/** Decodes a response, map or array form, `msg` as `bin` or integers. */
export function decodeResponse(bytes: Uint8Array): InvocationResponse {
  return readCommonResponse(bytes) ?? decodeAnyResponse(bytes);
}

function decodeAnyResponse(bytes: Uint8Array): InvocationResponse {
  const what = "invocation response";
  const fields = decodeWithBytes(bytes, RESPONSE_FIELDS, what);
  const error = fields.error;
  if (error !== undefined && error !== null && typeof error !== "string") {
    throw new TypeError(`Cannot decode ${what}: "error" is not text`);
  }
  return {
    msg: asBytes(fields.msg, "msg"),
    error: typeof error === "string" ? error : undefined,
    invocationId: asString(fields.invocation_id, "invocation_id"),
  };
}

function decodeEntity(value: unknown, field: string): Entity {
  const fail = (reason: string) =>
    new TypeError(`Cannot decode invocation: "${field}" ${reason}`);
  const variant = entityVariant(value);
  if (!variant) throw fail("is not an entity");
  const [index, payload] = variant;
  if (index === 0) {
    if (typeof payload !== "string" || payload === "") {
      throw fail("names no actor");
    }
    return { kind: "actor", key: payload };
  }
  if (index === 1) {
    const capability = asStruct(payload, ["capid", "binding"], field);
    const capabilityId = asString(capability.capid, `${field}.capid`);
    if (capabilityId === "") throw fail("names no capability");
    return {
      kind: "capability",
      capabilityId,
      binding: asString(capability.binding, `${field}.binding`),
    };
  }
  throw fail(`has an unknown variant ${index}`);
}

// An enum is a one-entry map from the variant index to its payload; the
// decoder turns integer keys into property names.
function entityVariant(value: unknown): [number, unknown] | undefined {
  if (value instanceof Map) {
    if (value.size !== 1) return undefined;
    const [[key, payload]] = value;
    return [Number(key), payload];
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return undefined;
  }
  const entries = Object.entries(value);
  if (entries.length !== 1) return undefined;
  const index = Number(entries[0][0]);
  return Number.isInteger(index) ? [index, entries[0][1]] : undefined;
}

/** Envelopes from this size on are decoded with the byte-vector path. */
const FAST_DECODE_BYTES = 512;

// Decodes a struct whose `msg` may be a large integer array: the envelope's
// entries are found by their extent and `msg` read straight into bytes.
function decodeWithBytes(
  bytes: Uint8Array,
  fields: readonly string[],
  what: string,
): Record<string, unknown> {
  const type = bytes[0];
  if (bytes.length < FAST_DECODE_BYTES || (type & 0xf0) !== 0x80) {
    return asStruct(decode(bytes, what), fields, what);
  }
  const struct: Record<string, unknown> = {};
  try {
    let at = 1;
    for (let entry = 0; entry < (type & 0x0f); entry++) {
      const keyEnd = valueEnd(bytes, at);
      const key = decode(bytes.subarray(at, keyEnd), what);
      const end = valueEnd(bytes, keyEnd);
      const vector = key === "msg"
        ? new MsgpackReader(bytes.subarray(keyEnd, end)).bytes(true)
        : undefined;
      struct[String(key)] = vector ?? decode(bytes.subarray(keyEnd, end), what);
      at = end;
    }
  } catch (error) {
    if (error instanceof SyntaxError) throw error;
    throw new SyntaxError(`Cannot decode ${what}: ${(error as Error).message}`);
  }
  return struct;
}
