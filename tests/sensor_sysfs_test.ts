import { suite } from "uvu";
import * as assert from "uvu/assert";
import { silentLogger } from "../runtime/logger.ts";
import { hwmonSource, thermalSource } from "../providers/sensor_sysfs.ts";
import type { SourceContext } from "../providers/sensor_source.ts";
import { FakeRoot } from "./sensor_harness.ts";

const NOW = 1_750_000_000_000;

function contextOf(root: FakeRoot): SourceContext {
  return { root: root.path, now: () => NOW, logger: silentLogger };
}

const THERMAL = "sys/class/thermal";
const HWMON = "sys/class/hwmon";

const thermal = suite("thermal source");

thermal("reads each zone in °C, labelled with its type", async () => {
  const root = await FakeRoot.create();
  await root.writeAll({
    [`${THERMAL}/thermal_zone0/temp`]: "42500\n",
    [`${THERMAL}/thermal_zone0/type`]: "cpu-thermal\n",
    [`${THERMAL}/thermal_zone10/temp`]: "-1250\n",
    [`${THERMAL}/thermal_zone2/temp`]: "38000\n",
    [`${THERMAL}/thermal_zone2/type`]: "gpu-thermal\n",
    [`${THERMAL}/cooling_device0/type`]: "fan\n",
  });

  const readings = await thermalSource(contextOf(root)).read();
  assert.equal(readings, [
    {
      sensor: "thermal_zone0",
      kind: "temperature",
      unit: "°C",
      source: "thermal",
      label: "cpu-thermal",
      value: 42.5,
      timestamp: NOW,
    },
    {
      sensor: "thermal_zone2",
      kind: "temperature",
      unit: "°C",
      source: "thermal",
      label: "gpu-thermal",
      value: 38,
      timestamp: NOW,
    },
    {
      sensor: "thermal_zone10",
      kind: "temperature",
      unit: "°C",
      source: "thermal",
      label: undefined,
      value: -1.25,
      timestamp: NOW,
    },
  ]);
  await root.dispose();
});

thermal("reports an unreadable zone as an error reading", async () => {
  const root = await FakeRoot.create();
  await root.writeAll({
    [`${THERMAL}/thermal_zone0/temp`]: "51000",
    [`${THERMAL}/thermal_zone1/type`]: "battery",
    [`${THERMAL}/thermal_zone2/temp`]: "not a number",
  });

  const [good, missing, garbled] = await thermalSource(contextOf(root))
    .read();
  assert.is(good.value, 51);
  assert.is(good.error, undefined);
  assert.is(missing.sensor, "thermal_zone1");
  assert.ok(Number.isNaN(missing.value));
  assert.match(
    missing.error!,
    /^Cannot read ".*thermal_zone1\/temp": No such file or directory/,
  );
  assert.match(garbled.error!, /expected a number, got "not a number"$/);
  await root.dispose();
});

thermal("reports a tree without zones as one error reading", async () => {
  const root = await FakeRoot.create();
  const readings = await thermalSource(contextOf(root)).read();
  assert.is(readings.length, 1);
  assert.is(readings[0].sensor, "thermal");
  assert.match(readings[0].error!, /^No thermal zones under ".*thermal"$/);
  await root.dispose();
});

thermal.run();

const hwmon = suite("hwmon source");

hwmon("reads every input of each chip, named after the chip", async () => {
  const root = await FakeRoot.create();
  await root.writeAll({
    [`${HWMON}/hwmon0/name`]: "cpu_thermal",
    [`${HWMON}/hwmon0/temp1_input`]: "47236",
    [`${HWMON}/hwmon1/name`]: "sht3x",
    [`${HWMON}/hwmon1/temp1_input`]: "21450",
    [`${HWMON}/hwmon1/temp1_label`]: "Barn air",
    [`${HWMON}/hwmon1/humidity1_input`]: "63500",
    [`${HWMON}/hwmon2/name`]: "rpi_volt",
    [`${HWMON}/hwmon2/in0_input`]: "4950",
    [`${HWMON}/hwmon2/in0_lcrit_alarm`]: "0",
    [`${HWMON}/hwmon3/name`]: "pwmfan",
    [`${HWMON}/hwmon3/fan1_input`]: "2400",
  });

  const readings = await hwmonSource(contextOf(root)).read();
  const summary = readings.map((r) => [r.sensor, r.kind, r.value, r.unit]);
  assert.equal(summary, [
    ["cpu_thermal.temp1", "temperature", 47.236, "°C"],
    ["sht3x.humidity1", "humidity", 63.5, "%"],
    ["sht3x.temp1", "temperature", 21.45, "°C"],
    ["rpi_volt.in0", "voltage", 4.95, "V"],
    ["pwmfan.fan1", "fan_speed", 2400, "RPM"],
  ]);
  assert.is(readings[2].label, "Barn air");
  assert.ok(readings.every((reading) => reading.source === "hwmon"));
  await root.dispose();
});

hwmon("tells chips of the same name apart by their entry", async () => {
  const root = await FakeRoot.create();
  await root.writeAll({
    [`${HWMON}/hwmon0/name`]: "nvme",
    [`${HWMON}/hwmon0/temp1_input`]: "30000",
    [`${HWMON}/hwmon1/name`]: "nvme",
    [`${HWMON}/hwmon1/temp1_input`]: "31000",
    [`${HWMON}/hwmon2/device/name`]: "lm75",
    [`${HWMON}/hwmon2/device/temp1_input`]: "19000",
  });

  const readings = await hwmonSource(contextOf(root)).read();
  assert.equal(readings.map((reading) => reading.sensor), [
    "nvme.hwmon0.temp1",
    "nvme.hwmon1.temp1",
    "lm75.temp1",
  ]);
  await root.dispose();
});

hwmon("reports an input that fails to read as an error reading", async () => {
  const root = await FakeRoot.create();
  await root.writeAll({
    [`${HWMON}/hwmon0/name`]: "sht3x",
    [`${HWMON}/hwmon0/temp1_input`]: "",
    [`${HWMON}/hwmon0/humidity1_input`]: "55000",
  });

  const [humidity, temperature] = await hwmonSource(contextOf(root)).read();
  assert.is(humidity.value, 55);
  assert.is(temperature.sensor, "sht3x.temp1");
  assert.match(temperature.error!, /expected a number, got ""$/);
  await root.dispose();
});

hwmon.run();
