// The actor the host tests use to make host calls: `Call` forwards one and
// answers with the host's response; `Spin` never returns.
import {
  handleAbort,
  handleCall,
  hostCall,
  register,
  Result,
} from "@wapc/as-guest";
import {
  MessageReader,
} from "../../../../examples/shared/assembly/msgpack_reader";

// Grown by `Spin`, so the loop has an effect the optimizer must keep.
let spins: u64 = 0;

register("Call", call);
register("Spin", spin);

// Payload {binding, namespace, operation, payload: bin}. A host error
// comes back as the guest error with exactly the host's text.
function call(payload: ArrayBuffer): Result<ArrayBuffer> {
  const reader = new MessageReader(payload);
  let binding = "";
  let namespace = "";
  let operation = "";
  let message = new ArrayBuffer(0);
  const fields = reader.mapSize();
  for (let i: u32 = 0; i < fields && reader.error == null; i++) {
    const key = reader.string();
    if (key == "binding") binding = reader.string();
    else if (key == "namespace") namespace = reader.string();
    else if (key == "operation") operation = reader.string();
    else if (key == "payload") message = reader.bytesField();
    else reader.skip();
  }
  const failure = reader.error;
  if (failure != null) {
    return Result.error<ArrayBuffer>(
      new Error("Cannot decode call: " + failure),
    );
  }

  return hostCall(binding, namespace, operation, message);
}

function spin(payload: ArrayBuffer): Result<ArrayBuffer> {
  while (true) spins += <u64> payload.byteLength + 1;
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
