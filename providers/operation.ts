/**
 * Helpers for performing a provider operation: decoding its payload and
 * naming the operation in any error it raises.
 *
 * @module
 */
import { decodeStruct } from "../runtime/codec.ts";

/**
 * Decodes an operation's payload struct (map or array form, first value
 * only). Each field in `required` must be present; the others may be
 * missing.
 */
export function decodeRequest(
  payload: Uint8Array,
  fields: readonly string[],
  required: readonly string[] = fields,
): Record<string, unknown> {
  const request = decodeStruct(payload, fields, "payload");
  const missing = required.find((field) => request[field] === undefined);
  if (missing !== undefined) {
    throw new TypeError(`Cannot decode payload: missing field "${missing}"`);
  }
  return request;
}

/**
 * Runs `work` for `operation`; an error it throws is rethrown as
 * `Cannot perform "<operation>": <its message>`, of the same built-in type
 * (`TypeError`, `RangeError`, `SyntaxError`, else `Error`), with the
 * original as its cause.
 */
export async function perform<T>(
  operation: string,
  work: () => T | Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw operationError(operation, error);
  }
}

function operationError(operation: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  const message = `Cannot perform "${operation}": ${lowerFirst(reason)}`;
  const options = { cause: error };
  if (error instanceof TypeError) return new TypeError(message, options);
  if (error instanceof RangeError) return new RangeError(message, options);
  if (error instanceof SyntaxError) return new SyntaxError(message, options);
  return new Error(message, options);
}

// "Cannot decode" reads on as "cannot decode"; "SQLITE_BUSY" stays as is.
function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text)
    ? text.charAt(0).toLowerCase() + text.slice(1)
    : text;
}
