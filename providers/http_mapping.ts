/**
 * Mapping between fetch `Request`/`Response` objects and the waSCC
 * `wascc:http_server` structs (spec §3): `Request{method, path,
 * queryString, header, body}` and `Response{statusCode, status, header,
 * body}`.
 *
 * @module
 */
import {
  asBytes,
  asInteger,
  asString,
  asStruct,
  decode,
} from "../runtime/codec.ts";
import { fieldNames, MsgpackReader } from "../runtime/msgpack_reader.ts";
import { MsgpackWriter } from "../runtime/msgpack_writer.ts";

/** The `Request` struct an actor receives with `HandleRequest`. */
export interface HttpRequestStruct {
  method: string;
  /** Path as sent, without query string or fragment. */
  path: string;
  /** Query string without the leading `?`. */
  queryString: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  header: Record<string, string>;
  body: Uint8Array;
}

/** The `Response` struct an actor replies with. */
export interface HttpResponseStruct {
  statusCode: number;
  status: string;
  header: Record<string, string>;
  body: Uint8Array;
}

const RESPONSE_FIELDS = ["statusCode", "status", "header", "body"] as const;

// Connection-level headers that describe one hop, and the length, which
// the server computes from the body it sends.
const HOP_BY_HOP = new Set([
  "connection",
  "content-length",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

// Statuses whose responses never carry a body.
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Splits a request URL into the path and the query string as sent. */
export function splitTarget(
  url: string,
): { path: string; queryString: string } {
  const authority = url.indexOf("://");
  const pathStart = url.indexOf("/", authority < 0 ? 0 : authority + 3);
  let target = pathStart < 0 ? "/" : url.slice(pathStart);

  const fragment = target.indexOf("#");
  if (fragment >= 0) target = target.slice(0, fragment);

  const query = target.indexOf("?");
  if (query < 0) return { path: target, queryString: "" };
  return { path: target.slice(0, query), queryString: target.slice(query + 1) };
}

/** Reads headers into a map with lower-cased names, joining repeats. */
export function headerMap(headers: Headers): Record<string, string> {
  const map: Record<string, string> = {};
  // forEach walks the same pairs as the iterator at a fifth of its cost.
  headers.forEach((value, name) => {
    map[name] = name in map ? `${map[name]}, ${value}` : value;
  });
  return map;
}

/**
 * Reads a request body up to `maxBytes`. Resolves with `null`, and stops
 * reading, as soon as the body is known to be larger: from its
 * Content-Length before reading, or while reading a chunked body.
 */
export async function readBody(
  request: Request,
  maxBytes: number,
): Promise<Uint8Array | null> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) return null;
  if (request.body === null) return new Uint8Array();

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return concat(chunks, length);
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** Encodes a `Request` struct as the `HandleRequest` payload. */
export function encodeHttpRequest(
  request: HttpRequestStruct,
): Uint8Array<ArrayBuffer> {
  const { header, body } = request;
  const names = Object.keys(header);
  // Strings may take three bytes a character: the writer reserves that.
  let text = request.method.length + request.path.length +
    request.queryString.length;
  for (const name of names) text += name.length + header[name].length;
  const writer = new MsgpackWriter(128 + 3 * text + body.length)
    .map(5)
    .string("method").string(request.method)
    .string("path").string(request.path)
    .string("queryString").string(request.queryString)
    .string("header").map(names.length);
  for (const name of names) writer.string(name).string(header[name]);
  return writer.string("body").bin(body).finish();
}

/**
 * Decodes an actor's `Response` reply leniently: map or array form, body
 * as `bin` or an integer array, missing fields defaulted (status code 200).
 * Throws a SyntaxError or TypeError when the reply is not a response.
 */
export function decodeHttpResponse(bytes: Uint8Array): HttpResponseStruct {
  return readCommonResponse(bytes) ?? decodeAnyResponse(bytes);
}

const RESPONSE_NAMES = fieldNames(...RESPONSE_FIELDS);
// An empty body: shared, as nothing can be written into zero bytes (and
// allocating a buffer costs more than reading the whole reply).
const NO_BYTES = new Uint8Array();

// The shape the actors send (a map of the four fields, header text to
// text, body as `bin`), read in place; undefined for anything else.
function readCommonResponse(
  bytes: Uint8Array,
): HttpResponseStruct | undefined {
  const reader = new MsgpackReader(bytes);
  const fields = reader.mapSize();
  if (fields === undefined) return undefined;
  const response: HttpResponseStruct = {
    statusCode: 200,
    status: "",
    header: {},
    body: NO_BYTES,
  };
  for (let field = 0; field < fields; field++) {
    const index = reader.oneOf(RESPONSE_NAMES);
    if (index === 0) {
      const code = reader.uint();
      if (code === undefined) return undefined;
      response.statusCode = code;
    } else if (index === 1) {
      const status = reader.string();
      if (status === undefined) return undefined;
      response.status = status;
    } else if (index === 2) {
      const entries = reader.mapSize();
      if (entries === undefined) return undefined;
      for (let entry = 0; entry < entries; entry++) {
        const name = reader.string();
        const value = reader.string();
        if (name === undefined || value === undefined) return undefined;
        response.header[name] = value;
      }
    } else if (index === 3) {
      const body = reader.bytes();
      if (body === undefined) return undefined;
      response.body = body;
    } else {
      return undefined;
    }
  }
  return response;
}

function decodeAnyResponse(bytes: Uint8Array): HttpResponseStruct {
  const what = "HTTP response";
  const struct = asStruct(decode(bytes, what), RESPONSE_FIELDS, what);
  return {
    statusCode: asInteger(struct.statusCode, "statusCode", 200),
    status: asString(struct.status, "status"),
    header: readHeaderField(struct.header),
    body: asBytes(struct.body, "body"),
  };
}

// Entries whose value is not text are left out rather than failing the
// whole reply; a header field that is not a map at all fails it.
function readHeaderField(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  const entries = value instanceof Map
    ? [...value.entries()]
    : typeof value === "object" && !Array.isArray(value)
    ? Object.entries(value)
    : null;
  if (entries === null) {
    throw new TypeError(`Cannot decode field "header": expected a map`);
  }
  const header: Record<string, string> = {};
  for (const [name, item] of entries) {
    if (typeof item === "string") header[String(name)] = item;
    else if (typeof item === "number") header[String(name)] = String(item);
  }
  return header;
}

/**
 * Builds the fetch `Response` for an actor's reply. Headers that are
 * invalid or hop-by-hop are skipped; the body is dropped for statuses that
 * cannot carry one. The reason phrase on the wire is the standard one for
 * the status (`Deno.serve` does not send a custom `status` text). Throws a
 * RangeError for a status that cannot be sent as a final response (outside
 * 200–599).
 */
export function toFetchResponse(reply: HttpResponseStruct): Response {
  const { statusCode } = reply;
  if (statusCode < 200 || statusCode > 599) {
    throw new RangeError(
      `Cannot send HTTP response: status ${statusCode} is not a final status`,
    );
  }

  // A reply without headers (common) builds no Headers object.
  let headers: Headers | undefined;
  for (const name in reply.header) {
    const value = reply.header[name];
    if (HOP_BY_HOP.has(name.toLowerCase())) continue;
    headers ??= new Headers();
    try {
      headers.append(name, value);
    } catch {
      // An invalid name or value is skipped, not sent half-formed.
    }
  }

  const body = NULL_BODY_STATUSES.has(statusCode) || reply.body.length === 0
    ? null
    : ownBytes(reply.body);
  return new Response(
    body,
    headers ? { status: statusCode, headers } : { status: statusCode },
  );
}

// A view on shared memory cannot back a response body; copy it out.
function ownBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? bytes as Uint8Array<ArrayBuffer>
    : bytes.slice();
}
