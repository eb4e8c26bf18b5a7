// The actor the host tests drive: echoes, fails on purpose, traps and logs.
import {
  consoleLog,
  handleAbort,
  handleCall,
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

register("Echo", echo);
register("HandleRequest", handleRequest);
register("Fail", fail);
register("Trap", trap);
register("Log", log);

function echo(payload: ArrayBuffer): Result<ArrayBuffer> {
  return Result.ok<ArrayBuffer>(payload);
}

// Answers 200 with the request body as the response body.
function handleRequest(payload: ArrayBuffer): Result<ArrayBuffer> {
  const reader = new MessageReader(payload);
  const request = readRequest(reader);
  const failure = reader.error;
  if (failure != null) {
    return Result.error<ArrayBuffer>(
      new Error("Cannot decode request: " + failure),
    );
  }

  const response = new Response();
  response.body = request.body;
  return Result.ok<ArrayBuffer>(encodeResponse(response));
}

function fail(payload: ArrayBuffer): Result<ArrayBuffer> {
  return Result.error<ArrayBuffer>(new Error("failed on purpose"));
}

function trap(payload: ArrayBuffer): Result<ArrayBuffer> {
  unreachable();
  return Result.ok<ArrayBuffer>(payload);
}

// Sends the payload text to __console_log and answers with nothing.
function log(payload: ArrayBuffer): Result<ArrayBuffer> {
  consoleLog(String.UTF8.decode(payload));
  return Result.ok<ArrayBuffer>(new ArrayBuffer(0));
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
