/**
 * The sysfs sources of `trellis:sensors`: Linux thermal zones
 * (`/sys/class/thermal/thermal_zone*`) and hwmon chips
 * (`/sys/class/hwmon/hwmon*`).
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

/**
 * Thermal zones: sensor `thermal_zoneN`, labelled with the zone's `type`,
 * value `temp` in millidegrees turned to °C.
 */
export function thermalSource(context: SourceContext): SensorSource {
  const dir = sysPath(context.root, "class", "thermal");
  return {
    name: "thermal",
    read: () => readThermal(dir, context.now),
    close: () => Promise.resolve(),
  };
}

async function readThermal(
  dir: string,
  now: () => number,
): Promise<Reading[]> {
  const subject = { kind: "temperature", unit: "°C", source: "thermal" };
  const zones = await listEntries(dir, /^thermal_zone\d+$/);
  if (zones.length === 0) {
    const reason = `No thermal zones under "${dir}"`;
    return [errorReading({ ...subject, sensor: "thermal" }, now(), reason)];
  }
  return await Promise.all(zones.map(async (zone) => {
    const label = await readOptionalText(join(dir, zone, "type"));
    const about = { ...subject, sensor: zone, label };
    try {
      const milli = await readNumber(join(dir, zone, "temp"));
      return { ...about, value: milli / 1000, timestamp: now() };
    } catch (error) {
      return errorReading(about, now(), error);
    }
  }));
}

/** What an hwmon channel measures and how its file's value scales. */
interface Channel {
  kind: string;
  unit: string;
  /** What the file's value is divided by to give `unit`. */
  divisor: number;
}

// hwmon sysfs ABI: temperatures in m°C, voltages in mV, currents in mA,
// power in µW, humidity in m%, fans in RPM.
const HWMON_CHANNELS: Record<string, Channel> = {
  temp: { kind: "temperature", unit: "°C", divisor: 1000 },
  in: { kind: "voltage", unit: "V", divisor: 1000 },
  curr: { kind: "current", unit: "A", divisor: 1000 },
  power: { kind: "power", unit: "W", divisor: 1e6 },
  humidity: { kind: "humidity", unit: "%", divisor: 1000 },
  fan: { kind: "fan_speed", unit: "RPM", divisor: 1 },
};

const HWMON_INPUT = /^(temp|in|curr|power|humidity|fan)(\d+)_input$/;

/**
 * Hwmon chips: sensor `<chip name>.<channel>` (such as `cpu_thermal.temp1`),
 * labelled with the channel's `_label`; temperature, voltage, current,
 * power, humidity and fan inputs.
 */
export function hwmonSource(context: SourceContext): SensorSource {
  const dir = sysPath(context.root, "class", "hwmon");
  return {
    name: "hwmon",
    read: () => readHwmon(dir, context.now),
    close: () => Promise.resolve(),
  };
}

async function readHwmon(dir: string, now: () => number): Promise<Reading[]> {
  const entries = await listEntries(dir, /^hwmon\d+$/);
  if (entries.length === 0) {
    const subject = { kind: "temperature", unit: "°C", source: "hwmon" };
    const reason = `No hwmon chips under "${dir}"`;
    return [errorReading({ ...subject, sensor: "hwmon" }, now(), reason)];
  }
  const chips = await Promise.all(
    entries.map((entry) => describeChip(dir, entry)),
  );
  const prefixes = chipPrefixes(chips);
  const readings = await Promise.all(
    chips.map((chip) => readChip(chip, prefixes.get(chip.entry)!, now)),
  );
  return readings.flat();
}

interface Chip {
  entry: string;
  name: string;
  /** Where the chip's attributes are: the entry, or its `device`. */
  attributes: string;
}

// Kernels before 3.x kept the attributes in the device directory.
async function describeChip(dir: string, entry: string): Promise<Chip> {
  let attributes = join(dir, entry);
  if (!await exists(join(attributes, "name"))) {
    const device = join(attributes, "device");
    if (await exists(join(device, "name"))) attributes = device;
  }
  const name = await readOptionalText(join(attributes, "name"));
  return { entry, name: name || entry, attributes };
}

async function readChip(
  chip: Chip,
  prefix: string,
  now: () => number,
): Promise<Reading[]> {
  const inputs = await listEntries(chip.attributes, HWMON_INPUT);
  return await Promise.all(inputs.map(async (input) => {
    const [, type, index] = HWMON_INPUT.exec(input)!;
    const channel = HWMON_CHANNELS[type];
    const labelPath = join(chip.attributes, `${type}${index}_label`);
    const about = {
      sensor: `${prefix}.${type}${index}`,
      kind: channel.kind,
      unit: channel.unit,
      source: "hwmon",
      label: await readOptionalText(labelPath),
    };
    try {
      const raw = await readNumber(join(chip.attributes, input));
      return { ...about, value: raw / channel.divisor, timestamp: now() };
    } catch (error) {
      return errorReading(about, now(), error);
    }
  }));
}
