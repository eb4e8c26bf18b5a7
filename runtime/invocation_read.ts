/**
 * The quick path for lattice envelopes: an invocation or a response in
 * the shape hosts send (a map of the spec's fields, entities as one-entry
 * maps, `msg` as integers or `bin`), read in place. Anything else gives
 * undefined, and runtime/invocation.ts decodes it leniently instead,
 * with errors that name what is wrong.
 *
 * @module
 */
import type { Entity, Invocation, InvocationResponse } from "./invocation.ts";
import { fieldNames, MsgpackReader } from "./msgpack_reader.ts";

/** The fields of an invocation, in the order they are sent. */
export const INVOCATION_FIELDS = [
  "origin",
  "target",
  "operation",
  "msg",
  "id",
  "encoded_claims",
  "host_id",
] as const;
/** The fields of an invocation response, in the order they are sent. */
export const RESPONSE_FIELDS = ["msg", "error", "invocation_id"] as const;

const INVOCATION_NAMES = fieldNames(...INVOCATION_FIELDS);
const RESPONSE_NAMES = fieldNames(...RESPONSE_FIELDS);
const CAPABILITY_NAMES = fieldNames("capid", "binding");

/** An invocation in the common shape, or undefined. */
export function readCommonInvocation(
  bytes: Uint8Array,
): Invocation | undefined {
  const reader = new MsgpackReader(bytes);
  if (reader.mapSize() !== 7) return undefined;
  let origin: Entity | undefined;
  let target: Entity | undefined;
  let operation: string | undefined;
  let msg: Uint8Array | undefined;
  let id: string | undefined;
  let encodedClaims: string | undefined;
  let hostId: string | undefined;
  for (let field = 0; field < 7; field++) {
    switch (reader.oneOf(INVOCATION_NAMES)) {
      case 0:
        origin = readEntity(reader);
        break;
      case 1:
        target = readEntity(reader);
        break;
      case 2:
        operation = reader.string();
        break;
      case 3:
        msg = reader.bytes(true);
        break;
      case 4:
        id = reader.string();
        break;
      case 5:
        encodedClaims = reader.string();
        break;
      case 6:
        hostId = reader.string();
        break;
      default:
        return undefined;
    }
  }
  if (
    origin === undefined || target === undefined || operation === undefined ||
    msg === undefined || id === undefined || encodedClaims === undefined ||
    hostId === undefined
  ) {
    return undefined;
  }
  return { origin, target, operation, msg, id, encodedClaims, hostId };
}

/** A response in the common shape, or undefined. */
export function readCommonResponse(
  bytes: Uint8Array,
): InvocationResponse | undefined {
  const reader = new MsgpackReader(bytes);
  if (reader.mapSize() !== 3) return undefined;
  let msg: Uint8Array | undefined;
  let error: string | undefined;
  let errorRead = false;
  let invocationId: string | undefined;
  for (let field = 0; field < 3; field++) {
    switch (reader.oneOf(RESPONSE_NAMES)) {
      case 0:
        msg = reader.bytes(true);
        break;
      case 1:
        errorRead = reader.nil();
        if (!errorRead) {
          error = reader.string();
          errorRead = error !== undefined;
        }
        break;
      case 2:
        invocationId = reader.string();
        break;
      default:
        return undefined;
    }
  }
  if (msg === undefined || !errorRead || invocationId === undefined) {
    return undefined;
  }
  return { msg, error, invocationId };
}

function readEntity(reader: MsgpackReader): Entity | undefined {
  if (reader.mapSize() !== 1) return undefined;
  const variant = reader.uint();
  if (variant === 0) {
    const key = reader.string();
    return key ? { kind: "actor", key } : undefined;
  }
  if (variant !== 1 || reader.mapSize() !== 2) return undefined;
  let capabilityId: string | undefined;
  let binding: string | undefined;
  for (let field = 0; field < 2; field++) {
    const index = reader.oneOf(CAPABILITY_NAMES);
    if (index === 0) capabilityId = reader.string();
    else if (index === 1) binding = reader.string();
    else return undefined;
  }
  if (!capabilityId || binding === undefined) return undefined;
  return { kind: "capability", capabilityId, binding };
}
