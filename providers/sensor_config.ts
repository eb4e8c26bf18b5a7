/**
 * Binding values of `trellis:sensors`, read and checked. Every message
 * names the value and quotes what it got; the host adds the actor and the
 * capability in front.
 *
 * @module
 */
import { isAbsolute } from "node:path";
import { parseDuration } from "../runtime/flags.ts";

/** The sources a binding may name in `SOURCE`. */
export const SOURCE_NAMES = [
  "thermal",
  "hwmon",
  "w1",
  "iio",
  "serial",
  "simulated",
] as const;

/** One of {@link SOURCE_NAMES}. */
export type SourceName = typeof SOURCE_NAMES[number];

/** How lines from a serial device are read. */
export type SerialFormat = "nmea" | "csv";

/** Baud rates `stty` is asked for; others are refused. */
const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

/** How one binding reads its sensors and how often it is told. */
export interface SensorConfig {
  /** `SOURCE`: a comma list, default `thermal`. */
  sources: SourceName[];
  /** `INTERVAL` in ms, default 10 s; undefined for `off` (reads only). */
  intervalMs?: number;
  /** `ROOT`: where sysfs sources find `sys/`, default `/`. */
  root: string;
  /** `DEVICE`: the serial device's path, needed by `serial`. */
  device?: string;
  /** `FORMAT`: `nmea` (default) or `csv`. */
  format: SerialFormat;
  /** `BAUD`: the serial line speed, default 9600. */
  baud: number;
  /** `SEED` of the simulated source, default 1. */
  seed: number;
  /** `SENSORS`: how many simulated units, default 1. */
  units: number;
  /** `SPIKES`: chance of a simulated spike per reading, default 0. */
  spikeChance: number;
  /** `DEVICE_NAME`: the prefix of serial and simulated sensor ids. */
  deviceName?: string;
}

/** The interval a binding gets when it names none. */
export const DEFAULT_INTERVAL_MS = 10_000;

/** The most simulated units one binding may ask for. */
export const MAX_SIMULATED_UNITS = 10_000;

/** Reads and checks a binding's values; throws a RangeError naming one. */
export function readSensorConfig(
  values: Record<string, string>,
): SensorConfig {
  const sources = readSources(values.SOURCE);
  const device = optional(values.DEVICE);
  if (sources.includes("serial") && device === undefined) {
    throw new RangeError(
      `Missing "DEVICE": SOURCE "serial" needs the path of a serial device`,
    );
  }
  if (device !== undefined) absolutePath("DEVICE", device);
  return {
    sources,
    intervalMs: readInterval(values.INTERVAL),
    root: absolutePath("ROOT", optional(values.ROOT) ?? "/"),
    device,
    format: readChoice("FORMAT", values.FORMAT, ["nmea", "csv"], "nmea"),
    baud: readBaud(values.BAUD),
    seed: readInteger("SEED", values.SEED, 0, 2 ** 32 - 1, 1),
    units: readInteger("SENSORS", values.SENSORS, 1, MAX_SIMULATED_UNITS, 1),
    spikeChance: readFraction("SPIKES", values.SPIKES),
    deviceName: readDeviceName(values.DEVICE_NAME),
  };
}

function invalid(key: string, expected: string, got: string): RangeError {
  return new RangeError(`Invalid "${key}": expected ${expected}, got "${got}"`);
}

function optional(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

function readSources(text: string | undefined): SourceName[] {
  const list = optional(text) ?? "thermal";
  const expected = `a comma list of ${SOURCE_NAMES.join(", ")}`;
  const names = list.split(",").map((name) => name.trim().toLowerCase());
  for (const name of names) {
    if (!(SOURCE_NAMES as readonly string[]).includes(name)) {
      throw invalid("SOURCE", expected, list);
    }
  }
  return [...new Set(names as SourceName[])];
}

function readInterval(text: string | undefined): number | undefined {
  const trimmed = optional(text);
  if (trimmed === undefined) return DEFAULT_INTERVAL_MS;
  if (trimmed.toLowerCase() === "off") return undefined;
  const expected = 'a duration such as 500ms or 10s, or "off"';
  let ms: number;
  try {
    ms = parseDuration(trimmed, "INTERVAL");
  } catch {
    throw invalid("INTERVAL", expected, trimmed);
  }
  if (ms < 1 || ms > 2 ** 31 - 1) throw invalid("INTERVAL", expected, trimmed);
  return ms;
}

function absolutePath(key: string, path: string): string {
  if (!isAbsolute(path)) throw invalid(key, "an absolute path", path);
  return path;
}

function readChoice<T extends string>(
  key: string,
  text: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  const trimmed = optional(text);
  if (trimmed === undefined) return fallback;
  const choice = trimmed.toLowerCase() as T;
  if (!choices.includes(choice)) {
    throw invalid(key, choices.map((name) => `"${name}"`).join(" or "), text!);
  }
  return choice;
}

function readInteger(
  key: string,
  text: string | undefined,
  min: number,
  max: number,
  fallback: number,
): number {
  const trimmed = optional(text);
  if (trimmed === undefined) return fallback;
  const number = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(number >= min && number <= max)) {
    throw invalid(key, `a whole number from ${min} to ${max}`, trimmed);
  }
  return number;
}

function readBaud(text: string | undefined): number {
  const baud = readInteger("BAUD", text, 1, Number.MAX_SAFE_INTEGER, 9600);
  if (!BAUD_RATES.includes(baud)) {
    throw invalid("BAUD", `one of ${BAUD_RATES.join(", ")}`, String(baud));
  }
  return baud;
}

function readFraction(key: string, text: string | undefined): number {
  const trimmed = optional(text);
  if (trimmed === undefined) return 0;
  const number = /^\d*\.?\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(number >= 0 && number <= 1)) {
    throw invalid(key, "a chance from 0 to 1, such as 0.01", trimmed);
  }
  return number;
}

function readDeviceName(text: string | undefined): string | undefined {
  const trimmed = optional(text);
  if (trimmed === undefined) return undefined;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(trimmed)) {
    throw invalid(
      "DEVICE_NAME",
      "1 to 64 letters, digits, '_', '.' or '-'",
      trimmed,
    );
  }
  return trimmed;
}
