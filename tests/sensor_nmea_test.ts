import { suite } from "uvu";
import * as assert from "uvu/assert";
import { nmeaChecksum, nmeaReadings } from "../providers/sensor_nmea.ts";
import { csvReading } from "../providers/sensor_csv.ts";
import type { Reading } from "../providers/sensor_reading.ts";
import { nmeaSentence as sentence } from "./sensor_harness.ts";

function values(readings: Reading[]): Record<string, number | string> {
  return Object.fromEntries(
    readings.map((r) => [r.sensor, r.error ?? Math.round(r.value * 1e5) / 1e5]),
  );
}

const nmea = suite("nmeaReadings");

nmea("reads position, altitude, fix and satellites from GGA", () => {
  const line = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9," +
    "M,,*47";
  const readings = nmeaReadings(line, 77);
  assert.equal(values(readings), {
    fix: 1,
    satellites: 8,
    latitude: 48.1173,
    longitude: 11.51667,
    altitude: 545.4,
  });
  const latitude = readings.find((r) => r.sensor === "latitude")!;
  assert.equal(latitude, {
    sensor: "latitude",
    kind: "position",
    unit: "°",
    source: "serial",
    value: latitude.value,
    timestamp: 77,
  });
});

nmea("reads position, speed and course from RMC of any talker", () => {
  const line = sentence(
    "GNRMC,081836,A,3751.65,S,14507.36,W,000.5,054.7,191194,020.3,E",
  );
  assert.equal(values(nmeaReadings(line, 1)), {
    latitude: -37.86083,
    longitude: -145.12267,
    speed: 0.25722,
    course: 54.7,
  });
  assert.equal(
    nmeaReadings(
      "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4," +
        "230394,003.1,W*6A",
      1,
    ).length,
    4,
  );
});

nmea("reports no fix as error readings of the position", () => {
  const gga = sentence("GPGGA,002153,,,,,0,00,99.99,,,,,,");
  assert.equal(values(nmeaReadings(gga, 1)), {
    fix: 0,
    satellites: 0,
    latitude: "No GPS fix",
    longitude: "No GPS fix",
  });
  const rmc = sentence("GPRMC,002153,V,,,,,,,150625,,,N");
  assert.equal(values(nmeaReadings(rmc, 1)), {
    latitude: "No GPS fix",
    longitude: "No GPS fix",
  });
});

nmea("ignores sentences it does not use", () => {
  const gsv = sentence("GPGSV,3,1,11,03,03,111,00,04,15,270,00,06,01,010,00");
  assert.equal(nmeaReadings(gsv, 1), []);
});

nmea("refuses a wrong or missing checksum", () => {
  const good = sentence("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,1,M,,,,");
  const bad = good.slice(0, -2) + (good.endsWith("00") ? "01" : "00");
  assert.throws(() => nmeaReadings(bad, 1), /checksum [0-9A-F]{2} does not/);
  assert.throws(
    () => nmeaReadings("$GPGGA,123519,4807.038,N", 1),
    /^Cannot read NMEA sentence "\$GPGGA,123519,4807.038,N": expected/,
  );
  const classic = "GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M," +
    "46.9,M,,";
  assert.is(nmeaChecksum(classic), 0x47);
});

nmea.run();

const csv = suite("csvReading");

csv("reads name, value and unit, guessing the kind from the unit", () => {
  assert.equal(csvReading("soil_moisture,41.5,%\r", 3), {
    sensor: "soil_moisture",
    kind: "humidity",
    value: 41.5,
    unit: "%",
    timestamp: 3,
    source: "serial",
  });
  assert.is(csvReading("water_temp, 12.25 , °C", 3).kind, "temperature");
  assert.equal(
    [csvReading("door,1", 3).kind, csvReading("door,1", 3).unit],
    ["measurement", ""],
  );
});

csv("refuses a line that is not name,value[,unit]", () => {
  for (const line of ["", "door", "door,open", "a b,1", "x,1,V,extra"]) {
    assert.throws(() => csvReading(line, 3), /^Cannot read CSV line/, line);
  }
});

csv.run();
