/**
 * The IIO source of `trellis:sensors`: channels of the industrial I/O
 * devices under `/sys/bus/iio/devices/iio:device*` (BME280, SHT3x, ADCs…),
 * value `(raw + offset) * scale`, or the driver's `_input` where a channel
 * has no `_raw`, converted from the IIO units to everyday ones.
 *
 * @module
 */
import { join } from "node:path";
import { errorReading, type Reading } from "./sensor_reading.ts";
import type { SensorSource, SourceContext } from "./sensor_source.ts";
import {
  chipPrefixes,
  exists,
  listEntries,
  readNumber,
  readOptionalText,
  sysPath,
} from "./sensor_sysfs_files.ts";

/** What a channel type measures and how its IIO unit converts. */
interface ChannelType {
  kind: string;
  unit: string;
  /** Turns the scaled value into `unit`. */
  convert: (value: number) => number;
}

// IIO ABI units after scaling: m°C, m%RH, mV, mA, kPa; others as they are.
const CHANNEL_TYPES: Record<string, ChannelType> = {
  temp: { kind: "temperature", unit: "°C", convert: milli },
  humidityrelative: { kind: "humidity", unit: "%", convert: milli },
  voltage: { kind: "voltage", unit: "V", convert: milli },
  current: { kind: "current", unit: "A", convert: milli },
  pressure: { kind: "pressure", unit: "hPa", convert: (kpa) => kpa * 10 },
  illuminance: { kind: "illuminance", unit: "lx", convert: same },
  intensity: { kind: "intensity", unit: "", convert: same },
  proximity: { kind: "proximity", unit: "", convert: same },
  accel: { kind: "acceleration", unit: "m/s²", convert: same },
  resistance: { kind: "resistance", unit: "Ω", convert: same },
};

function milli(value: number): number {
  return value / 1000;
}

function same(value: number): number {
  return value;
}

const CHANNEL_FILE = /^in_(.+)_(raw|input)$/;

/** IIO channels: sensor `<device name>.<channel>`, such as `bme280.temp`. */
export function iioSource(context: SourceContext): SensorSource {
  const dir = sysPath(context.root, "bus", "iio", "devices");
  return {
    name: "iio",
    read: () => readDevices(dir, context.now),
    close: () => Promise.resolve(),
  };
}

async function readDevices(
  dir: string,
  now: () => number,
): Promise<Reading[]> {
  const entries = await listEntries(dir, /^iio:device\d+$/);
  if (entries.length === 0) {
    const subject = { sensor: "iio", kind: "", unit: "", source: "iio" };
    return [errorReading(subject, now(), `No IIO devices under "${dir}"`)];
  }
  const devices = await Promise.all(entries.map(async (entry) => ({
    entry,
    name: await readOptionalText(join(dir, entry, "name")) || entry,
  })));
  const prefixes = chipPrefixes(devices);
  const readings = await Promise.all(devices.map(({ entry }) => {
    const prefix = prefixes.get(entry)!;
    return readDevice(join(dir, entry), prefix, now);
  }));
  return readings.flat();
}

async function readDevice(
  dir: string,
  prefix: string,
  now: () => number,
): Promise<Reading[]> {
  const files = await listEntries(dir, CHANNEL_FILE);
  const channels = new Map<string, "raw" | "input">();
  for (const file of files) {
    const [, channel, form] = CHANNEL_FILE.exec(file)!;
    if (channels.get(channel) !== "raw") {
      channels.set(channel, form as "raw" | "input");
    }
  }
  return await Promise.all(
    [...channels].map(([channel, form]) =>
      readChannel(dir, prefix, channel, form, now)
    ),
  );
}

async function readChannel(
  dir: string,
  prefix: string,
  channel: string,
  form: "raw" | "input",
  now: () => number,
): Promise<Reading> {
  const type = channelType(channel);
  const known = CHANNEL_TYPES[type];
  const about = {
    sensor: `${prefix}.${channel}`,
    kind: known?.kind ?? type,
    unit: known?.unit ?? "",
    source: "iio",
  };
  try {
    const value = form === "raw"
      ? await scaledRaw(dir, channel, type)
      : await readNumber(join(dir, `in_${channel}_input`));
    return {
      ...about,
      value: known ? known.convert(value) : value,
      timestamp: now(),
    };
  } catch (error) {
    return errorReading(about, now(), error);
  }
}

// "voltage0" and "temp_ambient" share the scale files of "voltage" and
// "temp" when they have none of their own.
function channelType(channel: string): string {
  return /^[a-z]+/.exec(channel)?.[0] ?? channel;
}

async function scaledRaw(
  dir: string,
  channel: string,
  type: string,
): Promise<number> {
  const raw = await readNumber(join(dir, `in_${channel}_raw`));
  const offset = await attribute(dir, channel, type, "offset", 0);
  const scale = await attribute(dir, channel, type, "scale", 1);
  return (raw + offset) * scale;
}

async function attribute(
  dir: string,
  channel: string,
  type: string,
  name: "offset" | "scale",
  fallback: number,
): Promise<number> {
  for (const owner of [channel, type]) {
    const path = join(dir, `in_${owner}_${name}`);
    if (await exists(path)) return await readNumber(path);
  }
  return fallback;
}
