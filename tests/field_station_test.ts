import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  type AlarmEventJson,
  reading,
  SECOND,
  stateOf,
  StationHost,
  T0,
  TEMPERATURE,
  temperatures,
} from "./field_station_harness.ts";
import { pause } from "./bus_recorder.ts";

const HUMIDITY = "barn-1.humidity";

const windows = suite("field station aggregator windows");

windows("keeps min, max and mean of each sensor's window", async () => {
  const station = await StationHost.start();
  for (const [index, value] of [10, 20.5, 30].entries()) {
    const at = T0 + index * SECOND;
    await station.deliver([
      reading(TEMPERATURE, value, at),
      reading(HUMIDITY, 60 + index, at),
    ]);
  }

  const json = await station.readings();
  assert.equal(json.sensors.map((sensor) => sensor.sensor), [
    TEMPERATURE,
    HUMIDITY,
  ]);
  const temperature = json.sensors[0];
  assert.equal(
    [temperature.value, temperature.count, temperature.min, temperature.max],
    [30, 3, 10, 30],
  );
  assert.is(temperature.mean, 20.167, "rounded to three places");
  assert.is(temperature.unit, "°C");
  assert.is(temperature.timestamp, T0 + 2 * SECOND);
  assert.equal([json.sensors[1].mean, json.sensors[1].kind], [61, "humidity"]);
  assert.equal(json.window, { readings: 60, seconds: 300 });
  assert.equal([json.deliveries, json.sequence, json.updated], [
    3,
    3,
    T0 + 2 * SECOND,
  ]);
  await station.dispose();
});

windows("keeps the last 60 readings, none over five minutes old", async () => {
  const station = await StationHost.start();
  await temperatures(station, Array.from({ length: 70 }, (_, i) => i));

  const full = await station.sensor(TEMPERATURE);
  assert.equal([full.count, full.min, full.max, full.mean], [60, 10, 69, 39.5]);
  await station.deliver([reading(TEMPERATURE, 5, T0 + 69 * SECOND + 301_000)]);
  const later = await station.sensor(TEMPERATURE);
  assert.equal([later.count, later.min, later.max], [1, 5, 5]);
  await station.dispose();
});

windows("forgets a sensor silent for five minutes", async () => {
  const station = await StationHost.start();
  await station.deliver([
    reading(TEMPERATURE, 12, T0),
    reading("barn-2.temperature", 40, T0),
  ]);
  await station.deliver([reading(TEMPERATURE, 13, T0 + 300_000)]);
  assert.is((await station.readings()).alarms.length, 1);

  await station.deliver([reading(TEMPERATURE, 14, T0 + 300_001)]);
  const json = await station.readings();
  assert.equal(json.sensors.map((sensor) => sensor.sensor), [TEMPERATURE]);
  assert.equal(json.alarms, []);
  await station.dispose();
});

windows("shows an error reading without counting it", async () => {
  const station = await StationHost.start();
  await temperatures(station, [12]);
  await station.deliver([{
    ...reading(TEMPERATURE, NaN, T0 + SECOND),
    error: 'Sensor "barn-1.temperature" is no longer found',
  }]);

  const sensor = await station.sensor(TEMPERATURE);
  assert.equal([sensor.value, sensor.count, sensor.mean], [null, 1, 12]);
  assert.match(sensor.error ?? "", /no longer found/);
  await station.dispose();
});

windows.run();

const alarms = suite("field station aggregator alarms");

alarms(
  "raises a high alarm and clears it after three calm readings",
  async () => {
    const station = await StationHost.start();
    await temperatures(station, [20, 35, 41]);

    let json = await station.readings();
    assert.equal(json.alarms.length, 1);
    assert.equal(json.sensors[0].alarm, {
      bound: "high",
      limit: 30,
      value: 41,
      peak: 41,
      since: T0 + SECOND,
    });
    assert.equal(stateOf(json.events), [`${TEMPERATURE} high raised`]);

    await temperatures(station, [25, 26], T0 + 3 * SECOND);
    assert.ok((await station.sensor(TEMPERATURE)).alarm, "still raised");
    await temperatures(station, [24], T0 + 5 * SECOND);
    json = await station.readings();
    assert.equal(json.alarms, []);
    assert.is(json.sensors[0].alarm, null);
    assert.equal(stateOf(json.events), [
      `${TEMPERATURE} high cleared`,
      `${TEMPERATURE} high raised`,
    ]);
    assert.is(json.events[0].at, T0 + 5 * SECOND);
    await station.dispose();
  },
);

alarms("raises low alarms and humidity alarms by default", async () => {
  const station = await StationHost.start();
  await station.deliver([
    reading(TEMPERATURE, -2.5, T0),
    reading(HUMIDITY, 91, T0),
    reading("barn-2.humidity", 3, T0),
  ]);

  const json = await station.readings();
  assert.equal(
    json.alarms.map((alarm) => [alarm.sensor, alarm.bound, alarm.limit]),
    [[TEMPERATURE, "low", 0], [HUMIDITY, "high", 85]],
  );
  assert.equal(json.thresholds, {
    humidity: { low: null, high: 85 },
    temperature: { low: 0, high: 30 },
  });
  await station.dispose();
});

alarms("publishes each alarm raised and cleared", async () => {
  const station = await StationHost.start();
  await temperatures(station, [40, 20, 20, 20]);

  const subject = "telemetry.barn.alarms";
  await station.telemetry.until(3);
  const events = station.published(subject) as AlarmEventJson[];
  assert.equal(stateOf(events), [
    `${TEMPERATURE} high raised`,
    `${TEMPERATURE} high cleared`,
  ]);
  assert.equal(events[0], {
    device: "barn",
    sensor: TEMPERATURE,
    kind: "temperature",
    unit: "°C",
    state: "raised",
    bound: "high",
    value: 40,
    limit: 30,
    at: T0,
  });
  assert.is((await station.readings()).telemetry.alarmSubject, subject);
  await station.dispose();
});

alarms.run();

const telemetry = suite("field station aggregator telemetry");

telemetry(
  "publishes a summary at most every 10 s of reading time",
  async () => {
    const station = await StationHost.start();
    await temperatures(station, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);

    await station.telemetry.until(2);
    await pause();
    const summaries = station.published("telemetry.barn") as {
      device: string;
      at: number;
      sequence: number;
      sensors: Record<string, unknown>[];
      alarms: string[];
    }[];
    assert.equal(summaries.map((summary) => summary.at), [
      T0,
      T0 + 10 * SECOND,
    ]);
    assert.equal(summaries[1], {
      device: "barn",
      at: T0 + 10 * SECOND,
      sequence: 11,
      sensors: [{
        sensor: TEMPERATURE,
        kind: "temperature",
        unit: "°C",
        value: 20,
        min: 10,
        max: 20,
        mean: 15,
        count: 11,
      }],
      alarms: [],
    });
    const json = await station.readings();
    assert.equal(json.telemetry, {
      subject: "telemetry.barn",
      alarmSubject: "telemetry.barn.alarms",
      published: 2,
      failed: 0,
      lastError: "",
    });
    await station.dispose();
  },
);

telemetry("names the device after PUT /device, and keeps it", async () => {
  const station = await StationHost.start();
  await temperatures(station, [10]);
  assert.is((await station.readings()).device, "barn");

  const put = await station.request("PUT", "/device", "north-barn");
  assert.equal([put.status, JSON.parse(put.text)], [200, {
    device: "north-barn",
  }]);
  await temperatures(station, [11, 40], T0 + 10 * SECOND);
  await station.telemetry.until(3);
  assert.equal(station.published("telemetry.north-barn.alarms").length, 1);
  assert.equal(station.published("telemetry.north-barn").length, 1);
  const bad = await station.request("PUT", "/device", "a.b");
  assert.is(bad.status, 400);
  assert.match(JSON.parse(bad.text).error, /^Invalid device name "a\.b"/);
  await station.stop();

  const again = await StationHost.start({ dataDir: station.dataDir });
  assert.is((await again.readings()).device, "north-barn");
  await again.request("PUT", "/device", "");
  await temperatures(again, [10]);
  assert.is((await again.readings()).device, "barn");
  await again.dispose();
});

telemetry("reads the simulated sensors of trellis:sensors", async () => {
  const station = await StationHost.start({
    sensors: {
      SOURCE: "simulated",
      SENSORS: "2",
      SEED: "3",
      INTERVAL: "30ms",
      DEVICE_NAME: "shed-4",
    },
  });
  const deadline = Date.now() + 5000;
  let json = await station.readings();
  while (json.deliveries < 3 && Date.now() < deadline) {
    await pause(30);
    json = await station.readings();
  }

  assert.is(json.device, "shed-4");
  assert.equal(json.sensors.map((sensor) => sensor.sensor), [
    "shed-4-1.temperature",
    "shed-4-1.humidity",
    "shed-4-2.temperature",
    "shed-4-2.humidity",
  ]);
  for (const sensor of json.sensors) {
    assert.ok(sensor.count >= 1 && sensor.mean !== null, sensor.sensor);
    assert.ok(sensor.min! <= sensor.mean! && sensor.mean! <= sensor.max!);
  }
  const [summary] = station.published("telemetry.shed-4") as {
    sensors: unknown[];
  }[];
  assert.is(summary.sensors.length, 4);
  await station.dispose();
});

telemetry.run();
