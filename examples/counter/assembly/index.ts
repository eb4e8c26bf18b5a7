// An actor that counts the requests made to each path in the key-value
// store bound as "default", and answers with the new count as JSON.
import {
  handleAbort,
  handleCall,
  hostCall,
  register,
  Result,
} from "@wapc/as-guest";
import {
  encodeResponse,
  readRequest,
  Response,
} from "../../shared/assembly/http";
import { MessageReader } from "../../shared/assembly/msgpack_reader";
import { MessageWriter } from "../../shared/assembly/msgpack_writer";

register("HandleRequest", handleRequest);

function handleRequest(payload: ArrayBuffer): Result<ArrayBuffer> {
  const reader = new MessageReader(payload);
  const request = readRequest(reader);
  const requestError = reader.error;
  if (requestError != null) {
    return Result.error<ArrayBuffer>(
      new Error("Cannot decode request: " + requestError),
    );
  }

  const added = hostCall(
    "default",
    "wascc:keyvalue",
    "Add",
    encodeAdd("counter:" + request.path, 1),
  );
  if (!added.isOk) return Result.error<ArrayBuffer>(added.error()!);

  const reply = new MessageReader(added.get());
  const count = readValue(reply);
  const replyError = reply.error;
  if (replyError != null) {
    return Result.error<ArrayBuffer>(
      new Error("Cannot decode the Add reply: " + replyError),
    );
  }

  const response = new Response();
  response.header.set("content-type", "application/json");
  response.body = String.UTF8.encode('{"count":' + count.toString() + "}");
  return Result.ok<ArrayBuffer>(encodeResponse(response));
}

// wascc:keyvalue Add request: {key, value: i32}.
function encodeAdd(key: string, value: u32): ArrayBuffer {
  const writer = new MessageWriter().map(2);
  writer.string("key").string(key);
  writer.string("value").uint(value);
  return writer.toArrayBuffer();
}

// wascc:keyvalue Add reply: {value}, the new value.
function readValue(reader: MessageReader): i64 {
  let value: i64 = 0;
  const fields = reader.mapSize();
  for (let i: u32 = 0; i < fields && reader.error == null; i++) {
    if (reader.string() == "value") value = reader.integer();
    else reader.skip();
  }
  return value;
}

/** The waPC entry point: runs the handler registered for the operation. */
export function __guest_call(operationSize: usize, payloadSize: usize): bool {
  return handleCall(operationSize, payloadSize);
}

// The program's `abort` (see `--use abort=…`): it reports the failure as
// the guest error instead of importing `env.abort`.
function abort(
  message: string | null,
  fileName: string | null,
  line: u32,
  column: u32,
): void {
  handleAbort(message, fileName, line, column);
}
