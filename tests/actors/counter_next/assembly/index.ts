// A second build of the counter for live-update tests: it counts the same
// way, in the key-value store bound as "default", and tells itself apart
// by a "build" field in its reply.
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
} from "../../../../examples/shared/assembly/http";
import {
  MessageReader,
} from "../../../../examples/shared/assembly/msgpack_reader";
import {
  MessageWriter,
} from "../../../../examples/shared/assembly/msgpack_writer";

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

  const writer = new MessageWriter().map(2);
  writer.string("key").string("counter:" + request.path);
  writer.string("value").uint(1);
  const added = hostCall(
    "default",
    "wascc:keyvalue",
    "Add",
    writer.toArrayBuffer(),
  );
  if (!added.isOk) return Result.error<ArrayBuffer>(added.error()!);

  const reply = new MessageReader(added.get());
  let count: i64 = 0;
  const fields = reply.mapSize();
  for (let i: u32 = 0; i < fields && reply.error == null; i++) {
    if (reply.string() == "value") count = reply.integer();
    else reply.skip();
  }
  const replyError = reply.error;
  if (replyError != null) {
    return Result.error<ArrayBuffer>(
      new Error("Cannot decode the Add reply: " + replyError),
    );
  }

  const response = new Response();
  response.header.set("content-type", "application/json");
  response.body = String.UTF8.encode(
    '{"count":' + count.toString() + ',"build":"next"}',
  );
  return Result.ok<ArrayBuffer>(encodeResponse(response));
}

/** The waPC entry point: runs the handler registered for the operation. */
export function __guest_call(operationSize: usize, payloadSize: usize): bool {
  return handleCall(operationSize, payloadSize);
}

// The program's `abort`: it reports the failure as the guest error.
function abort(
  message: string | null,
  fileName: string | null,
  line: u32,
  column: u32,
): void {
  handleAbort(message, fileName, line, column);
}
