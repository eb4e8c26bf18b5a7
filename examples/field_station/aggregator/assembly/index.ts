// The field station's aggregator: takes the readings trellis:sensors
// delivers, keeps a window of each sensor's recent values, raises and
// clears threshold alarms, publishes a summary and the alarms through
// wascc:messaging, and serves a page of it all through wascc:http_server.
// examples/field_station/README.md describes what it does.
import { handleAbort, handleCall, register, Result } from "@wapc/as-guest";
import { encodeResponse, readRequest } from "../../../shared/assembly/http";
import { MessageReader } from "../../../shared/assembly/msgpack_reader";
import { summaryJson } from "./documents";
import { readBatch } from "./readings";
import { route } from "./routes";
import { summarySubject } from "./messaging";
import {
  deviceName,
  publishEvents,
  publisher,
  settings,
  station,
} from "./state";

register("DeliverReadings", deliverReadings);
register("HandleRequest", handleRequest);

function deliverReadings(payload: ArrayBuffer): Result<ArrayBuffer> {
  const reader = new MessageReader(payload);
  const batch = readBatch(reader);
  const failure = reader.error;
  if (failure != null) {
    return Result.error<ArrayBuffer>(
      new Error("Cannot decode readings: " + failure),
    );
  }

  settings.load();
  publishEvents(station.receive(batch, settings));
  if (station.updated > 0 && station.summaryDue()) {
    const device = deviceName();
    publisher.send(summarySubject(device), summaryJson(station, device));
    station.lastSummary = station.updated;
  }
  return Result.ok<ArrayBuffer>(new ArrayBuffer(0));
}

function handleRequest(payload: ArrayBuffer): Result<ArrayBuffer> {
  const reader = new MessageReader(payload);
  const request = readRequest(reader);
  const failure = reader.error;
  if (failure != null) {
    return Result.error<ArrayBuffer>(
      new Error("Cannot decode request: " + failure),
    );
  }
  return Result.ok<ArrayBuffer>(encodeResponse(route(request)));
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
