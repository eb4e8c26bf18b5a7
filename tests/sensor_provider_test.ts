import { suite } from "uvu";
import * as assert from "uvu/assert";
import { encode } from "../runtime/codec.ts";
import { readSensorConfig } from "../providers/sensor_config.ts";
import { sensorsDescriptor } from "../providers/sensors.ts";
import { crc8 } from "../providers/sensor_w1.ts";
import {
  ACTOR,
  FakeRoot,
  pause,
  ProviderHarness,
  readingOf,
  sensorsOf,
  until,
} from "./sensor_harness.ts";
import { rejects } from "./rejects.ts";

const config = suite("readSensorConfig");

config("gives defaults for values a binding leaves out", () => {
  assert.equal(readSensorConfig({ __wascc_name: "barn" }), {
    sources: ["thermal"],
    intervalMs: 10_000,
    root: "/",
    device: undefined,
    format: "nmea",
    baud: 9600,
    seed: 1,
    units: 1,
    spikeChance: 0,
    deviceName: undefined,
  });
  const chosen = readSensorConfig({
    SOURCE: " W1, simulated ,w1",
    INTERVAL: "1.5s",
    ROOT: "/tmp/fake",
    SEED: "7",
    SENSORS: "12",
    SPIKES: "0.05",
    DEVICE_NAME: "loft",
  });
  assert.equal(chosen.sources, ["w1", "simulated"]);
  assert.is(chosen.intervalMs, 1500);
  assert.is(readSensorConfig({ INTERVAL: "off" }).intervalMs, undefined);
});

config("refuses a bad value, naming it and what it got", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ SOURCE: "thermal,gps" }, /^Invalid "SOURCE": expected a comma list/],
    [{ INTERVAL: "soon" }, /^Invalid "INTERVAL": expected a duration .*"soon"/],
    [{ INTERVAL: "0s" }, /^Invalid "INTERVAL": .*got "0s"$/],
    [
      { ROOT: "fake" },
      /^Invalid "ROOT": expected an absolute path, got "fake"/,
    ],
    [{ SOURCE: "serial" }, /^Missing "DEVICE": SOURCE "serial" needs/],
    [{ FORMAT: "json" }, /^Invalid "FORMAT": expected "nmea" or "csv", got/],
    [{ BAUD: "9601" }, /^Invalid "BAUD": expected one of 1200, .*"9601"$/],
    [{ SEED: "-1" }, /^Invalid "SEED": expected a whole number .*"-1"$/],
    [{ SENSORS: "0" }, /^Invalid "SENSORS": expected .* 1 to 10000, got "0"/],
    [{ SPIKES: "2" }, /^Invalid "SPIKES": expected a chance .*"2"$/],
    [{ DEVICE_NAME: "a/b" }, /^Invalid "DEVICE_NAME": .*got "a\/b"$/],
  ];
  for (const [values, pattern] of cases) {
    assert.throws(() => readSensorConfig(values), pattern, pattern.source);
  }
});

config.run();

const provider = suite("SensorsProvider");

provider("describes its operations", () => {
  assert.is(sensorsDescriptor.id, "trellis:sensors");
  assert.equal(
    sensorsDescriptor.supportedOperations.map(({ name, direction }) => [
      name,
      direction,
    ]),
    [["ReadSensors", "to_provider"], ["DeliverReadings", "to_actor"]],
  );
});

provider("reads on demand, every sensor or those asked for", async () => {
  const harness = await ProviderHarness.start({ now: () => 1000 });
  await harness.bind({ SOURCE: "simulated", SENSORS: "2", INTERVAL: "off" });

  const all = await harness.read();
  assert.equal(all.sequence, 0);
  assert.equal(sensorsOf(all), [
    "sim-1.temperature",
    "sim-1.humidity",
    "sim-2.temperature",
    "sim-2.humidity",
  ]);
  assert.equal(await harness.read({}), all);
  const some = await harness.read({ sensors: ["sim-2.humidity", "nope"] });
  assert.equal(sensorsOf(some), ["sim-2.humidity", "nope"]);
  assert.is(some.readings[0].error, undefined);
  assert.is(some.readings[1].error, 'No sensor "nope" in this binding');
  assert.is(harness.deliveries.length, 0, "INTERVAL off delivers nothing");
  await harness.stop();
});

provider("refuses unknown operations, bad payloads and strangers", async () => {
  const harness = await ProviderHarness.start();
  await harness.bind({ SOURCE: "simulated", INTERVAL: "off" });
  const call = (operation: string, payload: Uint8Array, actor = ACTOR) =>
    harness.provider.call({ actor, operation, payload });

  await rejects(
    () => call("Calibrate", new Uint8Array()),
    /^Cannot perform "Calibrate": not an operation of trellis:sensors$/,
  );
  await rejects(
    () => call("ReadSensors", encode({ sensors: "all" })),
    /^Cannot perform "ReadSensors": cannot decode field "sensors"/,
  );
  await rejects(
    () => call("ReadSensors", new Uint8Array(), "MSTRANGER"),
    /^Cannot perform "ReadSensors": actor "MSTRANGER" is not bound$/,
  );
  await harness.stop();
});

provider("delivers a batch at once, then one every interval", async () => {
  const harness = await ProviderHarness.start();
  await harness.bind({ SOURCE: "simulated", SENSORS: "3", INTERVAL: "20ms" });

  const deliveries = await harness.delivered(3);
  assert.equal(deliveries.slice(0, 3).map((d) => d.batch.sequence), [1, 2, 3]);
  for (const delivery of deliveries) {
    assert.is(delivery.actor, ACTOR);
    assert.is(delivery.operation, "DeliverReadings");
    assert.is(delivery.batch.readings.length, 6);
    assert.is(delivery.batch.skipped, 0);
  }
  assert.is(harness.provider.counts(ACTOR)?.readings, deliveries.length * 6);
  await harness.stop();
});

provider("skips and counts ticks while a delivery is in flight", async () => {
  let release = () => {};
  const harness = await ProviderHarness.start({
    answer: () => new Promise((resolve) => release = () => resolve(encode(0))),
  });
  await harness.bind({ SOURCE: "simulated", INTERVAL: "5ms" });

  await harness.delivered(1);
  await pause(100);
  assert.is(harness.deliveries.length, 1, "nothing queued behind it");
  const skipped = harness.provider.counts(ACTOR)!.skipped;
  assert.ok(skipped >= 5, `${skipped} ticks skipped`);
  release();
  const [, second] = await harness.delivered(2);
  assert.ok(second.batch.skipped >= skipped, "the next batch tells the gap");
  assert.is(
    harness.linesAt("warn").filter((line) =>
      line.message === "reading delivery slower than its interval"
    ).length,
    1,
  );
  release();
  await harness.stop();
});

provider("stops delivering on unbind and on stop", async () => {
  const harness = await ProviderHarness.start();
  await harness.bind({ SOURCE: "simulated", INTERVAL: "5ms" }, "MONE");
  await harness.bind({ SOURCE: "simulated", INTERVAL: "5ms" }, "MTWO");
  await until(() =>
    harness.deliveries.some((d) => d.actor === "MONE") &&
    harness.deliveries.some((d) => d.actor === "MTWO")
  );

  await harness.provider.unbind("MONE");
  const toOne = () => harness.deliveries.filter((d) => d.actor === "MONE");
  const countAtUnbind = toOne().length;
  const toTwo = harness.deliveries.length - countAtUnbind;
  await pause(60);
  assert.is(toOne().length, countAtUnbind, "none after unbind");
  assert.ok(harness.deliveries.length > toTwo + countAtUnbind, "MTWO goes on");
  await harness.stop();
  const atStop = harness.deliveries.length;
  await pause(60);
  assert.is(harness.deliveries.length, atStop, "none after stop");
});

provider("logs a failing delivery once until it recovers", async () => {
  let failing = true;
  const harness = await ProviderHarness.start({
    answer: () =>
      failing
        ? Promise.reject(new Error("actor trapped"))
        : Promise.resolve(new Uint8Array()),
  });
  await harness.bind({ SOURCE: "simulated", INTERVAL: "5ms" });
  await harness.delivered(4);
  failing = false;
  await until(() => harness.provider.counts(ACTOR)!.delivered > 0);

  const lines = harness.lines.filter((line) => line.level !== "debug");
  assert.equal(lines.map((line) => line.message), [
    "reading delivery failed",
    "reading delivery recovered",
  ]);
  assert.is(lines[0].fields?.error, "actor trapped");
  assert.ok(harness.provider.counts(ACTOR)!.failed >= 4);
  await harness.stop();
});

provider("reports missing sensors without stopping the others", async () => {
  const root = await FakeRoot.create();
  const zone = "sys/class/thermal/thermal_zone0";
  const scratchpad = [0x50, 0x01, 0x4b, 0x46, 0x7f, 0xff, 0x0c, 0x10];
  const bytes = [...scratchpad, crc8(scratchpad)]
    .map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
  const thermometer = "sys/bus/w1/devices/28-00000a1b2c3d";
  await root.writeAll({
    [`${zone}/temp`]: "40000",
    [`${thermometer}/w1_slave`]: `${bytes} : crc=${bytes.slice(-2)} YES\n`,
  });
  const harness = await ProviderHarness.start();
  await harness.bind({
    SOURCE: "thermal,w1,hwmon",
    ROOT: root.path,
    INTERVAL: "off",
  });

  let batch = await harness.read();
  assert.is(readingOf(batch, "thermal_zone0").value, 40);
  assert.is(readingOf(batch, "28-00000a1b2c3d").value, 21);
  assert.match(readingOf(batch, "hwmon").error as string, /^No hwmon chips/);

  await root.remove(`${zone}/temp`);
  await root.remove(thermometer);
  for (let read = 0; read < 3; read++) batch = await harness.read();
  assert.match(
    readingOf(batch, "thermal_zone0").error as string,
    /thermal_zone0\/temp": No such file/,
  );
  assert.is(
    readingOf(batch, "28-00000a1b2c3d").error,
    'Sensor "28-00000a1b2c3d" is no longer found',
  );
  assert.equal(
    harness.linesAt("warn").map((line) => line.fields?.sensor),
    ["hwmon", "thermal_zone0", "w1", "28-00000a1b2c3d"],
    "each problem warned once",
  );

  await root.write(`${zone}/temp`, "39000");
  batch = await harness.read();
  assert.is(readingOf(batch, "thermal_zone0").value, 39);
  assert.equal(
    harness.linesAt("info").map((line) => line.fields?.sensor),
    ["thermal_zone0"],
  );
  await harness.stop();
  await root.dispose();
});

provider.run();
