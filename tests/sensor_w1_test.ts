import { suite } from "uvu";
import * as assert from "uvu/assert";
import { silentLogger } from "../runtime/logger.ts";
import { crc8, parseW1Slave, w1Source } from "../providers/sensor_w1.ts";
import { FakeRoot } from "./sensor_harness.ts";

const DEVICES = "sys/bus/w1/devices";

/** The `w1_slave` text of a scratchpad, CRC computed unless given. */
function w1Slave(
  scratchpad: number[],
  options: { crc?: number; verdict?: string } = {},
): string {
  const crc = options.crc ?? crc8(scratchpad);
  const bytes = [...scratchpad, crc]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join(" ");
  const verdict = options.verdict ?? "YES";
  const raw = (scratchpad[1] << 8) | scratchpad[0];
  const signed = raw & 0x8000 ? raw - 0x10000 : raw;
  const milli = Math.trunc(signed * 62.5);
  return `${bytes} : crc=${hex(crc)} ${verdict}\n${bytes} t=${milli}\n`;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

/** A scratchpad holding `sixteenths` of a °C. */
function scratchpad(sixteenths: number): number[] {
  const raw = sixteenths & 0xffff;
  return [raw & 0xff, raw >> 8, 0x4b, 0x46, 0x7f, 0xff, 0x0c, 0x10];
}

const crc = suite("crc8");

crc("matches the Dallas/Maxim check values", () => {
  // The ROM code example of Maxim's application note 27.
  assert.is(crc8([0x02, 0x1c, 0xb8, 0x01, 0x00, 0x00, 0x00]), 0xa2);
  // A scratchpad as the Linux w1_therm driver prints it.
  assert.is(crc8([0x72, 0x01, 0x4b, 0x46, 0x7f, 0xff, 0x0e, 0x10]), 0x57);
  assert.is(crc8([]), 0);
});

crc.run();

const parse = suite("parseW1Slave");

parse("reads the temperature from the checked scratchpad", () => {
  const text = "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n" +
    "72 01 4b 46 7f ff 0e 10 57 t=23125\n";
  assert.is(parseW1Slave(text), 23.125);
  assert.is(parseW1Slave(w1Slave(scratchpad(-10 * 16 - 2))), -10.125);
  assert.is(parseW1Slave(w1Slave(scratchpad(0))), 0);
});

parse("refuses a scratchpad whose CRC does not match, even with YES", () => {
  const bytes = scratchpad(400);
  const text = w1Slave(bytes, { crc: crc8(bytes) ^ 0x01 });
  assert.throws(
    () => parseW1Slave(text),
    /^CRC mismatch: computed 0x[0-9a-f]{2}, scratchpad has 0x[0-9a-f]{2}$/,
  );
});

parse("refuses what the driver marked NO", () => {
  const text = w1Slave(scratchpad(400), { verdict: "NO" });
  assert.throws(() => parseW1Slave(text), /the driver says NO/);
});

parse("refuses an all-zero scratchpad and the power-on value", () => {
  assert.throws(
    () => parseW1Slave(w1Slave([0, 0, 0, 0, 0, 0, 0, 0])),
    /^Thermometer not answering/,
  );
  assert.throws(
    () => parseW1Slave(w1Slave(scratchpad(85 * 16))),
    /power-on value \(85 °C\)/,
  );
});

parse("refuses text that is no scratchpad", () => {
  assert.throws(
    () => parseW1Slave("ff ff ff\n"),
    /^Cannot read the scratchpad: unexpected line "ff ff ff"$/,
  );
});

parse.run();

const source = suite("w1 source");

source("reads each thermometer; a bad CRC is an error reading", async () => {
  const root = await FakeRoot.create();
  const corrupted = scratchpad(21 * 16);
  await root.writeAll({
    [`${DEVICES}/28-0316a2791aff/w1_slave`]: w1Slave(scratchpad(19 * 16 + 8)),
    [`${DEVICES}/28-0000075e2a3c/w1_slave`]: w1Slave(corrupted, {
      crc: crc8(corrupted) ^ 0x40,
    }),
    [`${DEVICES}/w1_bus_master1/w1_master_slaves`]: "28-0316a2791aff\n",
    [`${DEVICES}/10-000802b4a8f2/w1_slave`]: "not a DS18B20\n",
  });
  const context = { root: root.path, now: () => 5, logger: silentLogger };

  const readings = await w1Source(context).read();
  assert.equal(readings.map((reading) => reading.sensor), [
    "28-0000075e2a3c",
    "28-0316a2791aff",
  ]);
  const [bad, good] = readings;
  assert.equal(good, {
    sensor: "28-0316a2791aff",
    kind: "temperature",
    unit: "°C",
    source: "w1",
    value: 19.5,
    timestamp: 5,
  });
  assert.ok(Number.isNaN(bad.value), "no value for a bad CRC");
  assert.match(bad.error!, /^CRC mismatch/);
  await root.dispose();
});

source("reports a bus without thermometers as an error reading", async () => {
  const root = await FakeRoot.create();
  await root.write(`${DEVICES}/w1_bus_master1/w1_master_slaves`, "");
  const context = { root: root.path, now: () => 5, logger: silentLogger };

  const readings = await w1Source(context).read();
  assert.is(readings.length, 1);
  assert.is(readings[0].sensor, "w1");
  assert.match(readings[0].error!, /^No DS18B20 thermometers under /);
  await root.dispose();
});

source.run();
