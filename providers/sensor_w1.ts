/**
 * The 1-Wire source of `trellis:sensors`: DS18B20 (family `28`) and DS1822
 * (family `22`) thermometers under `/sys/bus/w1/devices`, read from the
 * kernel's `w1_slave` file, whose scratchpad is checked here with the
 * Dallas/Maxim CRC rather than trusting the driver's YES.
 *
 * @module
 */
import { join } from "node:path";
import { errorReading, type Reading } from "./sensor_reading.ts";
import type { SensorSource, SourceContext } from "./sensor_source.ts";
import { listEntries, readText, sysPath } from "./sensor_sysfs_files.ts";

const THERMOMETER = /^(28|22)-[0-9a-f]{12}$/i;

/** Thermometers: sensor `28-<serial>`, value in °C. */
export function w1Source(context: SourceContext): SensorSource {
  const dir = sysPath(context.root, "bus", "w1", "devices");
  return {
    name: "w1",
    read: () => readThermometers(dir, context.now),
    close: () => Promise.resolve(),
  };
}

async function readThermometers(
  dir: string,
  now: () => number,
): Promise<Reading[]> {
  const subject = { kind: "temperature", unit: "°C", source: "w1" };
  const devices = await listEntries(dir, THERMOMETER);
  if (devices.length === 0) {
    const reason = `No DS18B20 thermometers under "${dir}"`;
    return [errorReading({ ...subject, sensor: "w1" }, now(), reason)];
  }
  return await Promise.all(devices.map(async (device) => {
    const about = { ...subject, sensor: device.toLowerCase() };
    try {
      const text = await readText(join(dir, device, "w1_slave"));
      return { ...about, value: parseW1Slave(text), timestamp: now() };
    } catch (error) {
      return errorReading(about, now(), error);
    }
  }));
}

/**
 * CRC-8 of 1-Wire devices (polynomial x⁸+x⁵+x⁴+1, 0x31, shifted out least
 * significant bit first, so 0x8C), over `bytes`.
 */
export function crc8(bytes: ArrayLike<number>): number {
  let crc = 0;
  for (let index = 0; index < bytes.length; index++) {
    crc ^= bytes[index];
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 1 ? (crc >>> 1) ^ 0x8c : crc >>> 1;
    }
  }
  return crc;
}

const SCRATCHPAD_LINE = /^((?:[0-9a-f]{2} ){9}): crc=([0-9a-f]{2}) (YES|NO)$/i;

/**
 * The temperature in °C of a `w1_slave` text such as
 *
 * ```
 * 91 01 4b 46 7f ff 0c 10 70 : crc=70 YES
 * 91 01 4b 46 7f ff 0c 10 70 t=25062
 * ```
 *
 * computed from the scratchpad bytes once their CRC checks. Throws a
 * RangeError saying why the text holds no temperature.
 */
export function parseW1Slave(text: string): number {
  const [first = ""] = text.split("\n");
  const match = SCRATCHPAD_LINE.exec(first.trim());
  if (!match) {
    throw new RangeError(
      `Cannot read the scratchpad: unexpected line "${first.trim()}"`,
    );
  }
  const bytes = match[1].trim().split(" ").map((hex) => parseInt(hex, 16));
  checkScratchpad(bytes, parseInt(match[2], 16), match[3].toUpperCase());
  return temperatureOf(bytes);
}

function checkScratchpad(bytes: number[], crcField: number, verdict: string) {
  const computed = crc8(bytes.slice(0, 8));
  if (computed !== bytes[8]) {
    throw new RangeError(
      `CRC mismatch: computed ${hex(computed)}, scratchpad has ` +
        `${hex(bytes[8])}`,
    );
  }
  if (crcField !== bytes[8]) {
    throw new RangeError(
      `CRC mismatch: the driver reports ${hex(crcField)}, scratchpad has ` +
        `${hex(bytes[8])}`,
    );
  }
  if (verdict !== "YES") {
    throw new RangeError("CRC mismatch: the driver says NO");
  }
  // Zeros pass the CRC: it is what a thermometer that answers nothing reads.
  if (bytes.every((byte) => byte === 0)) {
    throw new RangeError("Thermometer not answering: scratchpad is all zeros");
  }
  // 85 °C with reserved byte 0x0c is the power-on value, not a reading.
  if (bytes[0] === 0x50 && bytes[1] === 0x05 && bytes[6] === 0x0c) {
    throw new RangeError(
      "Thermometer holds its power-on value (85 °C): no conversion ran",
    );
  }
}

// Bytes 0 and 1: a signed 16-bit count of 1/16 °C, little-endian.
function temperatureOf(bytes: number[]): number {
  const raw = (bytes[1] << 8) | bytes[0];
  const signed = raw & 0x8000 ? raw - 0x10000 : raw;
  return signed / 16;
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}
