// The actor the sensor tests bind to trellis:sensors: it counts the
// batches and readings delivered to it, tells the counts with `Stats`, and
// reads the sensors on demand with `ReadNow`.
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
import {
  MessageWriter,
} from "../../../../examples/shared/assembly/msgpack_writer";

let deliveries: u32 = 0;
let readings: u32 = 0;
let errors: u32 = 0;
let skipped: u32 = 0;
let sequence: u32 = 0;
let lastSensor = "";

register("DeliverReadings", deliverReadings);
register("Stats", stats);
register("ReadNow", readNow);

// ReadingBatch {readings: [Reading], sequence, skipped}; a reading with an
// `error` key counts as an error.
function deliverReadings(payload: ArrayBuffer): Result<ArrayBuffer> {
  const reader = new MessageReader(payload);
  const fields = reader.mapSize();
  for (let i: u32 = 0; i < fields && reader.error == null; i++) {
    const key = reader.string();
    if (key == "readings") readBatch(reader);
    else if (key == "sequence") sequence = <u32> reader.integer();
    else if (key == "skipped") skipped += <u32> reader.integer();
    else reader.skip();
  }
  const failure = reader.error;
  if (failure != null) {
    return Result.error<ArrayBuffer>(
      new Error("Cannot decode readings: " + failure),
    );
  }
  deliveries++;
  return Result.ok<ArrayBuffer>(new ArrayBuffer(0));
}

function readBatch(reader: MessageReader): void {
  const count = reader.arraySize();
  for (let i: u32 = 0; i < count && reader.error == null; i++) {
    const fields = reader.mapSize();
    for (let j: u32 = 0; j < fields && reader.error == null; j++) {
      const key = reader.string();
      if (key == "sensor") lastSensor = reader.string();
      else if (key == "error") {
        reader.skip();
        errors++;
      } else reader.skip();
    }
    readings++;
  }
}

// {deliveries, readings, errors, skipped, sequence, lastSensor}
function stats(payload: ArrayBuffer): Result<ArrayBuffer> {
  const writer = new MessageWriter();
  writer.map(6);
  writer.string("deliveries").uint(deliveries);
  writer.string("readings").uint(readings);
  writer.string("errors").uint(errors);
  writer.string("skipped").uint(skipped);
  writer.string("sequence").uint(sequence);
  writer.string("lastSensor").string(lastSensor);
  return Result.ok<ArrayBuffer>(writer.toArrayBuffer());
}

// Sends the payload to ReadSensors and answers with the provider's reply.
function readNow(payload: ArrayBuffer): Result<ArrayBuffer> {
  return hostCall("default", "trellis:sensors", "ReadSensors", payload);
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
