/**
 * Reading the capability descriptor a portable (wasm) provider returns
 * from `GetCapabilityDescriptor` (spec §3): snake_case keys, directions as
 * one-entry enum maps.
 *
 * @module
 */
import { asInteger, asString, asStruct, decode } from "./codec.ts";
import type {
  CapabilityDescriptor,
  OperationDescriptor,
  OperationDirection,
} from "./provider.ts";

const DESCRIPTOR_FIELDS = [
  "id",
  "name",
  "version",
  "revision",
  "long_description",
  "supported_operations",
];

const OPERATION_FIELDS = ["name", "direction", "doctext"];

/** Enum variant index to direction: 0 to the provider, 1 to the actor. */
const DIRECTIONS: readonly OperationDirection[] = [
  "to_provider",
  "to_actor",
  "both",
];

/**
 * Decodes a descriptor (map or array form). Throws a TypeError naming the
 * field when the capability id is missing or a field has the wrong type.
 */
export function decodeDescriptor(bytes: Uint8Array): CapabilityDescriptor {
  const fields = asStruct(
    decode(bytes, "descriptor"),
    DESCRIPTOR_FIELDS,
    "descriptor",
  );
  const id = asString(fields.id, "id");
  if (id.trim() === "") {
    throw new TypeError('Cannot decode descriptor: it has no "id"');
  }
  return {
    id,
    name: asString(fields.name, "name"),
    version: asString(fields.version, "version"),
    revision: asInteger(fields.revision, "revision"),
    longDescription: asString(fields.long_description, "long_description"),
    supportedOperations: operations(fields.supported_operations),
  };
}

function operations(value: unknown): OperationDescriptor[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new TypeError(
      'Cannot decode field "supported_operations": expected a list',
    );
  }
  return value.map((item, index) => {
    const field = `supported_operations[${index}]`;
    const operation = asStruct(item, OPERATION_FIELDS, field);
    return {
      name: asString(operation.name, `${field}.name`),
      direction: direction(operation.direction, `${field}.direction`),
      doctext: asString(operation.doctext, `${field}.doctext`),
    };
  });
}

/**
 * Reads an enum written as `{index: nil}`, as `[index, …]` or as a bare
 * index.
 */
function direction(value: unknown, field: string): OperationDirection {
  let index: unknown = value;
  if (value instanceof Map) index = [...value.keys()][0];
  else if (Array.isArray(value)) index = value[0];
  else if (value !== null && typeof value === "object") {
    index = Number(Object.keys(value)[0]);
  }
  const found = typeof index === "number" || typeof index === "bigint"
    ? DIRECTIONS[Number(index)]
    : undefined;
  if (found === undefined) {
    throw new TypeError(
      `Cannot decode field "${field}": expected a variant 0, 1 or 2`,
    );
  }
  return found;
}
