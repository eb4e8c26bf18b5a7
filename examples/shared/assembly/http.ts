// The wascc:http_server messages: a Request arrives as a MessagePack map
// keyed by field name, a Response goes back the same way.
import { MessageReader } from "./msgpack_reader";
import {
  binSize,
  mapHeaderSize,
  MessageWriter,
  stringSize,
  uintSize,
} from "./msgpack_writer";

// The body of a message without one: shared, as zero bytes cannot change.
const NO_BYTES = new ArrayBuffer(0);

/** An HTTP request delivered by the http_server capability. */
export class Request {
  method: string = "";
  path: string = "";
  queryString: string = "";
  header: Map<string, string> = new Map<string, string>();
  body: ArrayBuffer = NO_BYTES;
}

/** An HTTP response for the http_server capability. */
export class Response {
  statusCode: u32 = 200;
  status: string = "OK";
  header: Map<string, string> = new Map<string, string>();
  body: ArrayBuffer = NO_BYTES;
}

const REQUEST_FIELDS: StaticArray<string> = [
  "method",
  "path",
  "queryString",
  "header",
  "body",
];

/** Decodes a Request; `reader.error` tells whether the payload was one. */
export function readRequest(reader: MessageReader): Request {
  const request = new Request();
  const fields = reader.mapSize();
  for (let i: u32 = 0; i < fields && reader.error == null; i++) {
    const field = reader.oneOf(REQUEST_FIELDS);
    if (field == 0) request.method = reader.string();
    else if (field == 1) request.path = reader.string();
    else if (field == 2) request.queryString = reader.string();
    else if (field == 3) readHeader(reader, request.header);
    else if (field == 4) request.body = reader.bytesField();
    else reader.skip();
  }
  return request;
}

function readHeader(reader: MessageReader, header: Map<string, string>): void {
  const entries = reader.mapSize();
  for (let i: u32 = 0; i < entries && reader.error == null; i++) {
    const name = reader.string();
    header.set(name, reader.string());
  }
}

// The field names of a Response with their headers: "statusCode",
// "status", "header", "body" and the map of four.
const RESPONSE_KEYS_SIZE = 1 + 11 + 7 + 7 + 5;

/** The Response as a MessagePack map. */
export function encodeResponse(response: Response): ArrayBuffer {
  const names = response.header.keys();
  let size = RESPONSE_KEYS_SIZE + uintSize(response.statusCode) +
    stringSize(response.status) + mapHeaderSize(<u32> names.length) +
    binSize(response.body.byteLength);
  for (let i = 0; i < names.length; i++) {
    size += stringSize(names[i]) + stringSize(response.header.get(names[i]));
  }
  const writer = new MessageWriter(size).map(4);
  writer.string("statusCode").uint(response.statusCode);
  writer.string("status").string(response.status);
  writer.string("header").map(<u32> names.length);
  for (let i = 0; i < names.length; i++) {
    writer.string(names[i]).string(response.header.get(names[i]));
  }
  writer.string("body").bin(response.body);
  return writer.toArrayBuffer();
}
