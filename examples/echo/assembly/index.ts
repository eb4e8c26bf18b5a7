// An actor that answers HTTP requests with a JSON description of the
// request, and echoes raw payloads back for benchmarks.
import { handleAbort, handleCall, register, Result } from "@wapc/as-guest";
import {
  encodeResponse,
  readRequest,
  Request,
  Response,
} from "../../shared/assembly/http";
import { jsonString } from "../../shared/assembly/json";
import { MessageReader } from "../../shared/assembly/msgpack_reader";

register("HandleRequest", handleRequest);
register("Echo", echo);

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
  response.header.set("content-type", "application/json");
  response.body = String.UTF8.encode(describe(request));
  return Result.ok<ArrayBuffer>(encodeResponse(response));
}

function echo(payload: ArrayBuffer): Result<ArrayBuffer> {
  return Result.ok<ArrayBuffer>(payload);
}

function describe(request: Request): string {
  return '{"method":' + jsonString(request.method) +
    ',"path":' + jsonString(request.path) +
    ',"query":' + jsonString(request.queryString) +
    ',"body":' + jsonString(String.UTF8.decode(request.body)) + "}";
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
