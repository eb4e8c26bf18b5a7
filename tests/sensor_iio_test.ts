import { suite } from "uvu";
import * as assert from "uvu/assert";
import { silentLogger } from "../runtime/logger.ts";
import { iioSource } from "../providers/sensor_iio.ts";
import { FakeRoot } from "./sensor_harness.ts";

const DEVICES = "sys/bus/iio/devices";

const iio = suite("iio source");

iio("computes (raw + offset) * scale in everyday units", async () => {
  const root = await FakeRoot.create();
  const bme = `${DEVICES}/iio:device0`;
  await root.writeAll({
    [`${bme}/name`]: "bme280",
    [`${bme}/in_temp_raw`]: "2000",
    [`${bme}/in_temp_offset`]: "500",
    [`${bme}/in_temp_scale`]: "10",
    [`${bme}/in_humidityrelative_input`]: "48250",
    [`${bme}/in_pressure_raw`]: "1013250",
    [`${bme}/in_pressure_scale`]: "0.0001",
    [`${bme}/sampling_frequency`]: "1",
  });

  const readings = await iioSource({
    root: root.path,
    now: () => 9,
    logger: silentLogger,
  }).read();
  const summary = readings.map((r) => [r.sensor, r.kind, r.value, r.unit]);
  assert.equal(summary, [
    ["bme280.humidityrelative", "humidity", 48.25, "%"],
    ["bme280.pressure", "pressure", 1013.25, "hPa"],
    ["bme280.temp", "temperature", 25, "°C"],
  ]);
  assert.ok(readings.every((reading) => reading.source === "iio"));
  await root.dispose();
});

iio("falls back to the shared scale of a channel type", async () => {
  const root = await FakeRoot.create();
  const adc = `${DEVICES}/iio:device1`;
  await root.writeAll({
    [`${adc}/name`]: "ads1015",
    [`${adc}/in_voltage0_raw`]: "1000",
    [`${adc}/in_voltage1_raw`]: "-200",
    [`${adc}/in_voltage1_scale`]: "2",
    [`${adc}/in_voltage_scale`]: "3",
    [`${adc}/in_voltage2_raw`]: "oops",
  });

  const [first, second, third] = await iioSource({
    root: root.path,
    now: () => 9,
    logger: silentLogger,
  }).read();
  assert.is(first.value, 3);
  assert.is(first.unit, "V");
  assert.is(second.value, -0.4);
  assert.is(third.sensor, "ads1015.voltage2");
  assert.match(third.error!, /in_voltage2_raw": expected a number/);
  await root.dispose();
});

iio("reports a tree without devices as an error reading", async () => {
  const root = await FakeRoot.create();
  const readings = await iioSource({
    root: root.path,
    now: () => 9,
    logger: silentLogger,
  }).read();
  assert.is(readings.length, 1);
  assert.match(readings[0].error!, /^No IIO devices under /);
  await root.dispose();
});

iio.run();
