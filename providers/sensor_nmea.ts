/**
 * NMEA 0183 sentences from a GPS receiver, turned into readings: position,
 * altitude, fix quality and satellites from GGA, position, speed and course
 * from RMC, of any talker (`$GP`, `$GN`, `$GL`…). Other sentences are
 * ignored; a sentence whose checksum is wrong or missing is refused.
 *
 * @module
 */
import { errorReading, type Reading } from "./sensor_reading.ts";

const SENTENCE = /^\$([A-Z]{2})([A-Z]{3}),([^*]*)\*([0-9A-Fa-f]{2})$/;

const KNOTS_IN_M_PER_S = 1852 / 3600;

/** XOR of the characters between `$` and `*`, as NMEA checksums are. */
export function nmeaChecksum(body: string): number {
  let sum = 0;
  for (let index = 0; index < body.length; index++) {
    sum ^= body.charCodeAt(index) & 0xff;
  }
  return sum;
}

/**
 * The readings one sentence gives, named `latitude`, `longitude`,
 * `altitude`, `fix`, `satellites`, `speed` and `course`; none for a
 * sentence type not used. Throws a SyntaxError for a
 * line that is not a whole sentence with the right checksum.
 */
export function nmeaReadings(line: string, timestamp: number): Reading[] {
  const match = SENTENCE.exec(line.trim());
  if (!match) {
    throw new SyntaxError(
      `Cannot read NMEA sentence "${clip(line)}": expected $TTSSS,…*HH`,
    );
  }
  const [, talker, type, body, sent] = match;
  const computed = nmeaChecksum(`${talker}${type},${body}`);
  if (computed !== parseInt(sent, 16)) {
    throw new SyntaxError(
      `Cannot read NMEA sentence "${clip(line)}": checksum ${sent} does ` +
        `not match ${hex(computed)}`,
    );
  }
  const fields = body.split(",");
  const reading = new SentenceReadings(timestamp);
  if (type === "GGA") return reading.fromGga(fields);
  if (type === "RMC") return reading.fromRmc(fields);
  return [];
}

class SentenceReadings {
  constructor(readonly timestamp: number) {}

  // time, lat, N/S, lon, E/W, quality, satellites, hdop, altitude, M, …
  fromGga(fields: string[]): Reading[] {
    const quality = number(fields[5]) ?? 0;
    const readings = [
      this.value("fix", "fix", "", quality),
      this.value("satellites", "satellites", "", number(fields[6]) ?? 0),
    ];
    if (quality === 0) return [...readings, ...this.noFix()];
    readings.push(...this.position(fields.slice(1, 5)));
    const altitude = number(fields[8]);
    if (altitude !== undefined) {
      readings.push(this.value("altitude", "altitude", "m", altitude));
    }
    return readings;
  }

  // time, status A/V, lat, N/S, lon, E/W, knots, course, date, …
  fromRmc(fields: string[]): Reading[] {
    if (fields[1] !== "A") return this.noFix();
    const readings = this.position(fields.slice(2, 6));
    const knots = number(fields[6]);
    if (knots !== undefined) {
      const speed = knots * KNOTS_IN_M_PER_S;
      readings.push(this.value("speed", "speed", "m/s", speed));
    }
    const course = number(fields[7]);
    if (course !== undefined) {
      readings.push(this.value("course", "course", "°", course));
    }
    return readings;
  }

  position([lat, ns, lon, ew]: string[]): Reading[] {
    const latitude = degrees(lat, 2, ns, "N", "S");
    const longitude = degrees(lon, 3, ew, "E", "W");
    if (latitude === undefined || longitude === undefined) {
      return this.noFix("Sentence has no usable position");
    }
    return [
      this.value("latitude", "position", "°", latitude),
      this.value("longitude", "position", "°", longitude),
    ];
  }

  noFix(reason = "No GPS fix"): Reading[] {
    return ["latitude", "longitude"].map((axis) =>
      errorReading(this.about(axis, "position", "°"), this.timestamp, reason)
    );
  }

  value(name: string, kind: string, unit: string, value: number): Reading {
    return {
      ...this.about(name, kind, unit),
      value,
      timestamp: this.timestamp,
    };
  }

  about(name: string, kind: string, unit: string) {
    return { sensor: name, kind, unit, source: "serial" };
  }
}

function number(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

// NMEA writes ddmm.mmmm (latitude) and dddmm.mmmm (longitude).
function degrees(
  text: string,
  degreeDigits: number,
  hemisphere: string,
  positive: string,
  negative: string,
): number | undefined {
  const pattern = new RegExp(`^(\\d{${degreeDigits}})(\\d{2}(?:\\.\\d+)?)$`);
  const match = pattern.exec(text);
  if (!match || (hemisphere !== positive && hemisphere !== negative)) {
    return undefined;
  }
  const value = Number(match[1]) + Number(match[2]) / 60;
  return hemisphere === negative ? -value : value;
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, "0");
}

function clip(line: string): string {
  const trimmed = line.trim();
  return trimmed.length > 40 ? `${trimmed.slice(0, 40)}…` : trimmed;
}
