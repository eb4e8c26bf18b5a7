import { suite } from "uvu";
import * as assert from "uvu/assert";
import { decode, encode } from "../runtime/codec.ts";
import type { Host } from "../runtime/host.ts";
import { builtinProviders } from "../providers/builtin.ts";
import { sensorsProvider } from "../providers/sensors.ts";
import { testHost } from "./host_helpers.ts";
import {
  decodeBatch,
  FakeRoot,
  pause,
  readingOf,
  sensorsOf,
  until,
} from "./sensor_harness.ts";
import { sensorSinkActor } from "./sensor_actor.ts";
import { signActor } from "./sign.ts";
import { rejects } from "./rejects.ts";

interface Stats {
  deliveries: number;
  readings: number;
  errors: number;
  skipped: number;
  sequence: number;
  lastSensor: string;
}

async function startSink(host: Host): Promise<string> {
  const actor = await signActor(await sensorSinkActor(), {
    name: "sensor sink",
    caps: ["trellis:sensors"],
  });
  await host.startActor(actor.bytes, { source: "sensor_sink.wasm" });
  return actor.key;
}

async function statsOf(host: Host, actor: string): Promise<Stats> {
  return decode(await host.invoke(actor, "Stats", new Uint8Array())) as Stats;
}

const host = suite("trellis:sensors in a host");

host("is one of the built-in providers", () => {
  assert.is(builtinProviders.get("trellis:sensors"), sensorsProvider);
});

host("delivers readings to a bound wasm actor until unbound", async () => {
  const trellis = await testHost();
  await trellis.startProvider(sensorsProvider);
  const actor = await startSink(trellis);
  await trellis.bind(actor, "trellis:sensors", "default", {
    SOURCE: "simulated",
    SENSORS: "4",
    SEED: "11",
    INTERVAL: "20ms",
  });

  await until(async () => (await statsOf(trellis, actor)).deliveries >= 3);
  const running = await statsOf(trellis, actor);
  assert.is(running.readings, running.deliveries * 8, "8 readings a batch");
  assert.is(running.errors, 0);
  assert.is(running.lastSensor, "sim-4.humidity");
  assert.ok(running.sequence >= running.deliveries);

  await trellis.unbind(actor, "trellis:sensors", "default");
  await pause(30); // a delivery in flight at unbind may still land
  const atUnbind = await statsOf(trellis, actor);
  await pause(100);
  const later = await statsOf(trellis, actor);
  assert.is(later.deliveries, atUnbind.deliveries, "no delivery after unbind");
  await trellis.stop();
});

host("answers an actor's ReadSensors call", async () => {
  const root = await FakeRoot.create();
  await root.writeAll({
    "sys/class/thermal/thermal_zone0/temp": "48312",
    "sys/class/thermal/thermal_zone0/type": "cpu-thermal",
  });
  const trellis = await testHost();
  await trellis.startProvider(sensorsProvider);
  const actor = await startSink(trellis);
  await trellis.bind(actor, "trellis:sensors", "default", {
    SOURCE: "thermal,w1",
    ROOT: root.path,
    INTERVAL: "off",
  });

  const reply = await trellis.invoke(actor, "ReadNow", encode({}));
  const batch = decodeBatch(reply);
  assert.equal(sensorsOf(batch), ["thermal_zone0", "w1"]);
  const zone = readingOf(batch, "thermal_zone0");
  assert.is(zone.value, 48.312);
  assert.is(zone.label, "cpu-thermal");
  assert.is(typeof zone.timestamp, "bigint", "timestamp is an integer");
  assert.match(readingOf(batch, "w1").error as string, /^No DS18B20/);

  const one = decodeBatch(
    await trellis.invoke(actor, "ReadNow", encode({ sensors: ["w1"] })),
  );
  assert.equal(sensorsOf(one), ["w1"]);
  assert.is((await statsOf(trellis, actor)).deliveries, 0);
  await trellis.stop();
  await root.dispose();
});

host("refuses a binding with a bad value, naming the actor", async () => {
  const trellis = await testHost();
  await trellis.startProvider(sensorsProvider);
  const actor = await startSink(trellis);

  await rejects(
    () =>
      trellis.bind(actor, "trellis:sensors", "default", { INTERVAL: "fast" }),
    new RegExp(
      `^Cannot bind actor "${actor}" to trellis:sensors "default": ` +
        `Invalid "INTERVAL": expected a duration`,
    ),
  );
  await trellis.stop();
});

host.run();
