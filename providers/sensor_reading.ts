/**
 * One sensor reading of `trellis:sensors`, the batches it travels in, and
 * their MessagePack form (spec §3: structs as maps with plain keys).
 *
 * @module
 */
import { encode } from "../runtime/codec.ts";

/** One value read from one sensor, or the reason it could not be read. */
export interface Reading {
  /** Stable id, such as `thermal_zone0` or `28-0316a2791aff`. */
  sensor: string;
  /** What is measured: `temperature`, `humidity`, `voltage`, `position`… */
  kind: string;
  /** The value in `unit`; NaN when `error` is set. */
  value: number;
  /** The unit: `°C`, `%`, `V`, `°`, or empty for counts. */
  unit: string;
  /** When the value was read, in ms since the Unix epoch. */
  timestamp: number;
  /** The source that read it: `thermal`, `hwmon`, `w1`, `iio`… */
  source: string;
  /** What the sensor calls itself (a zone type, an hwmon label), if any. */
  label?: string;
  /** Why the sensor could not be read; absent on a good reading. */
  error?: string;
}

/** What a reading is about, for an error reading that has no value. */
export type ReadingSubject = Pick<
  Reading,
  "sensor" | "kind" | "unit" | "source" | "label"
>;

/** A reading saying that `subject` could not be read, and why. */
export function errorReading(
  subject: ReadingSubject,
  timestamp: number,
  error: unknown,
): Reading {
  return { ...subject, value: NaN, timestamp, error: reasonOf(error) };
}

/** The message of an error, or the text of anything else thrown. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A reading as it goes on the wire: plain keys, `timestamp` as a 64-bit
 * integer, and `label` and `error` left out when absent.
 */
export function wireReading(reading: Reading): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    sensor: reading.sensor,
    kind: reading.kind,
    value: reading.value,
    unit: reading.unit,
    // A bigint makes msgpack write an integer, never a float.
    timestamp: BigInt(Math.trunc(reading.timestamp)),
    source: reading.source,
  };
  if (reading.label !== undefined) wire.label = reading.label;
  if (reading.error !== undefined) wire.error = reading.error;
  return wire;
}

/** A `ReadingBatch`: what `DeliverReadings` carries, `ReadSensors` returns. */
export interface ReadingBatch {
  /** Every sensor of the binding, error readings included. */
  readings: Reading[];
  /** The delivery's number for this binding, from 1; 0 in a reply. */
  sequence: number;
  /** Ticks skipped since the last delivery because one was in flight. */
  skipped: number;
}

/** Encodes a batch as a MessagePack map. */
export function encodeBatch(batch: ReadingBatch): Uint8Array {
  return encode({
    readings: batch.readings.map(wireReading),
    sequence: batch.sequence,
    skipped: batch.skipped,
  });
}
