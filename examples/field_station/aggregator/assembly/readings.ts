// The ReadingBatch trellis:sensors delivers (docs/sensors.md): a map
// {readings: [Reading], sequence, skipped}, each Reading a map keyed by
// field name.
import { MessageReader } from "../../../shared/assembly/msgpack_reader";

/** One reading; `error` is empty on a good one. */
export class Reading {
  sensor: string = "";
  kind: string = "";
  value: f64 = NaN;
  unit: string = "";
  timestamp: i64 = 0;
  source: string = "";
  error: string = "";
}

/** One delivery. */
export class ReadingBatch {
  readings: Reading[] = [];
  sequence: i64 = 0;
  skipped: i64 = 0;

  /** The latest timestamp of the batch, 0 when it holds no reading. */
  latest(): i64 {
    let latest: i64 = 0;
    for (let i = 0; i < this.readings.length; i++) {
      if (this.readings[i].timestamp > latest) {
        latest = this.readings[i].timestamp;
      }
    }
    return latest;
  }
}

/** Decodes a batch; `reader.error` tells whether the payload was one. */
export function readBatch(reader: MessageReader): ReadingBatch {
  const batch = new ReadingBatch();
  const fields = reader.mapSize();
  for (let i: u32 = 0; i < fields && reader.error == null; i++) {
    const key = reader.string();
    if (key == "readings") batch.readings = readReadings(reader);
    else if (key == "sequence") batch.sequence = reader.integer();
    else if (key == "skipped") batch.skipped = reader.integer();
    else reader.skip();
  }
  return batch;
}

function readReadings(reader: MessageReader): Reading[] {
  const readings: Reading[] = [];
  const count = reader.arraySize();
  for (let i: u32 = 0; i < count && reader.error == null; i++) {
    readings.push(readReading(reader));
  }
  return readings;
}

function readReading(reader: MessageReader): Reading {
  const reading = new Reading();
  const fields = reader.mapSize();
  for (let i: u32 = 0; i < fields && reader.error == null; i++) {
    const key = reader.string();
    if (key == "sensor") reading.sensor = reader.string();
    else if (key == "kind") reading.kind = reader.string();
    else if (key == "value") reading.value = reader.number();
    else if (key == "unit") reading.unit = reader.string();
    else if (key == "timestamp") reading.timestamp = wholeNumber(reader);
    else if (key == "source") reading.source = reader.string();
    else if (key == "error") reading.error = reader.string();
    else reader.skip();
  }
  if (reading.error == "" && !isFinite(reading.value)) {
    reading.error = "No value";
  }
  return reading;
}

// An integer, or a float with an integer value, as the codecs that write
// large whole numbers as floats send them.
function wholeNumber(reader: MessageReader): i64 {
  const value = reader.number();
  return isFinite(value) ? <i64> value : 0;
}
