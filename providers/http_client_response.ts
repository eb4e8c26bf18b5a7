/**
 * Reading an outbound request's response within the limits, and the
 * errors that name its URL.
 *
 * @module
 */
import type { HttpResponseStruct } from "./http_mapping.ts";
import { headerMap } from "./http_mapping.ts";
import type { HttpClientConfig } from "./http_client_config.ts";

/** The abort reason of a request past its time limit. */
export const TIMED_OUT: unique symbol = Symbol("timed out");

/**
 * Reads a response whole into the `Response` struct, header names
 * lower-cased and repeats joined. Rejects with a RangeError when the body
 * is larger than the limit, having read no more than the limit.
 */
export async function readHttpResponse(
  response: Response,
  url: URL,
  config: HttpClientConfig,
  signal: AbortSignal,
): Promise<HttpResponseStruct> {
  return {
    statusCode: response.status,
    status: response.statusText,
    header: headerMap(response.headers),
    body: await readLimited(response, url, config, signal),
  };
}

// Reads chunk by chunk and stops at the limit; the length a compressed
// response declares says nothing about its decoded size.
async function readLimited(
  response: Response,
  url: URL,
  config: HttpClientConfig,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const limit = config.maxResponseBytes;
  const tooLarge = () =>
    new RangeError(
      `Response from "${shownUrl(url)}" is larger than MAX_RESPONSE_BYTES ` +
        `(${limit} bytes)`,
    );
  const declared = response.headers.get("content-length");
  const encoded = response.headers.has("content-encoding");
  if (!encoded && declared !== null && Number(declared) > limit) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (response.body === null) return new Uint8Array();

  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (true) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw transportError(error, url, config, signal);
    }
    if (chunk.done) break;
    length += chunk.value.length;
    if (length > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(chunk.value);
  }
  return joined(chunks, length);
}

function joined(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/**
 * The error for a failed fetch or body read: the time limit, a
 * cancellation or a network failure, naming the URL.
 */
export function transportError(
  error: unknown,
  url: URL,
  config: HttpClientConfig,
  signal: AbortSignal,
): Error {
  const request = `Request to "${shownUrl(url)}"`;
  if (signal.aborted && signal.reason === TIMED_OUT) {
    return new Error(
      `${request} timed out after ${config.timeoutMs} ms (TIMEOUT)`,
    );
  }
  if (signal.aborted) {
    return new Error(`${request} cancelled: ${reasonOf(signal.reason)}`);
  }
  return new Error(`${request} failed: ${reasonOf(error)}`, { cause: error });
}

// fetch reports "fetch failed" with the useful text in its cause, prefixed
// with the URL that the message names already.
function reasonOf(error: unknown): string {
  let reason = error;
  while (
    reason instanceof Error && reason.cause instanceof Error &&
    reason.message === "fetch failed"
  ) reason = reason.cause;
  const text = reason instanceof Error ? reason.message : String(reason);
  return text.replace(/^error sending request for url \(.*?\): /, "");
}

/** A URL as error messages show it: without user name or password. */
export function shownUrl(url: URL): string {
  if (url.username === "" && url.password === "") return url.href;
  const copy = new URL(url);
  copy.username = "";
  copy.password = "";
  return copy.href;
}
