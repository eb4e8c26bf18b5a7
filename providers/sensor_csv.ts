/**
 * CSV lines `name,value[,unit]` from a microcontroller on a serial line,
 * turned into readings. The kind follows from the unit where it is a
 * common one (`°C` temperature, `%` humidity, `V` voltage…), else it is
 * `measurement`.
 *
 * @module
 */
import type { Reading } from "./sensor_reading.ts";

const KIND_OF_UNIT: Record<string, string> = {
  "°C": "temperature",
  "C": "temperature",
  "degC": "temperature",
  "%": "humidity",
  "%RH": "humidity",
  "V": "voltage",
  "mV": "voltage",
  "A": "current",
  "mA": "current",
  "W": "power",
  "hPa": "pressure",
  "kPa": "pressure",
  "Pa": "pressure",
  "lx": "illuminance",
  "ppm": "concentration",
};

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The reading of one CSV line, named after its first field. Throws a
 * SyntaxError for a line that is not `name,value[,unit]` with a number.
 */
export function csvReading(line: string, timestamp: number): Reading {
  const fields = line.trim().split(",").map((field) => field.trim());
  const [name, text, unit = ""] = fields;
  const value = text === undefined || text === "" ? NaN : Number(text);
  if (fields.length > 3 || !NAME.test(name) || !Number.isFinite(value)) {
    throw new SyntaxError(
      `Cannot read CSV line "${clip(line)}": expected name,value[,unit]`,
    );
  }
  return {
    sensor: name,
    kind: KIND_OF_UNIT[unit] ?? "measurement",
    value,
    unit,
    timestamp,
    source: "serial",
  };
}

function clip(line: string): string {
  const trimmed = line.trim();
  return trimmed.length > 40 ? `${trimmed.slice(0, 40)}…` : trimmed;
}
