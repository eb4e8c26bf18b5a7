/**
 * Invocations between hosts (spec §5): the MessagePack envelope an
 * invocation and its response travel in, and the entities they name.
 *
 * @module
 */
import { asBytes, asString, asStruct, decode, encode } from "./codec.ts";
import { actorUrl, capabilityUrl, SYSTEM_URL } from "./dispatch.ts";
import { encodeByteArray, readByteVector, valueEnd } from "./msgpack_bytes.ts";

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

const INVOCATION_FIELDS = [
  "origin",
  "target",
  "operation",
  "msg",
  "id",
  "encoded_claims",
  "host_id",
] as const;
const RESPONSE_FIELDS = ["msg", "error", "invocation_id"] as const;

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
  return encodeWithBytes(
    {
      origin: encodeEntity(invocation.origin),
      target: encodeEntity(invocation.target),
      operation: invocation.operation,
    },
    invocation.msg,
    {
      id: invocation.id,
      encoded_claims: invocation.encodedClaims,
      host_id: invocation.hostId,
    },
  );
}

/**
 * Decodes an invocation, map or array form, `msg` as `bin` or integers.
 * Throws a SyntaxError or TypeError naming what is wrong.
 */
export function decodeInvocation(bytes: Uint8Array): Invocation {
  const what = "invocation";
  const fields = decodeWithBytes(bytes, INVOCATION_FIELDS, what);
  const invocation = {
    origin: decodeEntity(fields.origin, "origin"),
    target: decodeEntity(fields.target, "target"),
    operation: asString(fields.operation, "operation"),
    msg: asBytes(fields.msg, "msg"),
    id: asString(fields.id, "id"),
    encodedClaims: asString(fields.encoded_claims, "encoded_claims"),
    hostId: asString(fields.host_id, "host_id"),
  };
  for (const field of ["operation", "id", "hostId"] as const) {
    if (invocation[field] === "") {
      throw new TypeError(`Cannot decode invocation: "${field}" is empty`);
    }
  }
  return invocation;
}

/** Encodes a response; `msg` as an array of integers, as waSCC does. */
export function encodeResponse(response: InvocationResponse): Uint8Array {
  return encodeWithBytes({}, response.msg, {
    error: response.error ?? null,
    invocation_id: response.invocationId,
  });
}

/** Decodes a response, map or array form, `msg` as `bin` or integers. */
export function decodeResponse(bytes: Uint8Array): InvocationResponse {
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

function encodeEntity(entity: Entity): Map<number, unknown> {
  if (entity.kind === "actor") return new Map([[0, entity.key]]);
  return new Map([[1, {
    capid: entity.capabilityId,
    binding: entity.binding,
  }]]);
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

const MSG_KEY = encode("msg");
/** Envelopes from this size on are decoded with the byte-vector path. */
const FAST_DECODE_BYTES = 512;

// A map of `before`, then `msg` as an integer array, then `after`, all in
// order; the small maps are encoded generically and their headers joined.
function encodeWithBytes(
  before: Record<string, unknown>,
  msg: Uint8Array,
  after: Record<string, unknown>,
): Uint8Array {
  const head = encode(before);
  const tail = encode(after);
  const count = Object.keys(before).length + Object.keys(after).length + 1;
  if (count > 15 || head[0] !== (0x80 | Object.keys(before).length)) {
    return encode({ ...before, msg: Array.from(msg), ...after });
  }
  const vector = encodeByteArray(msg);
  const out = new Uint8Array(
    head.length + MSG_KEY.length + vector.length + tail.length - 1,
  );
  out[0] = 0x80 | count;
  let at = 1;
  for (const part of [head.subarray(1), MSG_KEY, vector, tail.subarray(1)]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

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
      const vector = key === "msg" ? readByteVector(bytes, keyEnd) : undefined;
      struct[String(key)] = vector ?? decode(bytes.subarray(keyEnd, end), what);
      at = end;
    }
  } catch (error) {
    if (error instanceof SyntaxError) throw error;
    throw new SyntaxError(`Cannot decode ${what}: ${(error as Error).message}`);
  }
  return struct;
}
