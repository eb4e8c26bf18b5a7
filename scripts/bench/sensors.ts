/**
 * `sensors`: readings per second `trellis:sensors` gets into a wasm actor
 * when the simulated source ticks every millisecond, for batches of a few
 * to many thousand readings. Ticks that find a delivery still in flight
 * are skipped, so the figure is the most the host keeps up with. Baseline:
 * the same actor invoked directly with a batch of the same size, one call
 * in flight, so the ratio is what sampling, encoding and the timer cost.
 */
import { decode } from "../../runtime/codec.ts";
import type { Host } from "../../runtime/host.ts";
import { encodeBatch } from "../../providers/sensor_reading.ts";
import { simulatedSource } from "../../providers/sensor_simulated.ts";
import { sensorsProvider } from "../../providers/sensors.ts";
import { testHost } from "../../tests/host_helpers.ts";
import { sensorSinkActor } from "../../tests/sensor_actor.ts";
import { signActor } from "../../tests/sign.ts";
import type { BenchRow } from "./table.ts";

/** Simulated units per batch; each gives two readings. */
const UNITS = [5, 500, 5000];

interface SinkStats {
  deliveries: number;
  readings: number;
  skipped: number;
}

async function statsOf(host: Host, actor: string): Promise<SinkStats> {
  const reply = await host.invoke(actor, "Stats", new Uint8Array());
  return decode(reply) as SinkStats;
}

/** Readings per second delivered by the provider, and skipped ticks. */
async function viaProvider(
  host: Host,
  actor: string,
  units: number,
  seconds: number,
): Promise<{ readings: number; deliveries: number; skipped: number }> {
  await host.bind(actor, "trellis:sensors", "default", {
    SOURCE: "simulated",
    SENSORS: String(units),
    INTERVAL: "1ms",
  });
  await pause(300);
  const before = await statsOf(host, actor);
  const started = performance.now();
  await pause(seconds * 1000);
  const after = await statsOf(host, actor);
  const elapsed = (performance.now() - started) / 1000;
  await host.unbind(actor, "trellis:sensors", "default");
  await pause(50);
  return {
    readings: (after.readings - before.readings) / elapsed,
    deliveries: (after.deliveries - before.deliveries) / elapsed,
    skipped: (after.skipped - before.skipped) / elapsed,
  };
}

/** Readings per second when the batch is invoked directly. */
async function viaInvoke(
  host: Host,
  actor: string,
  units: number,
  seconds: number,
): Promise<number> {
  const source = simulatedSource({
    seed: 1,
    units,
    spikeChance: 0,
    prefix: "sim",
    now: Date.now,
  });
  const readings = await source.read();
  const payload = encodeBatch({ readings, sequence: 1, skipped: 0 });
  const call = () => host.invoke(actor, "DeliverReadings", payload);
  const warmUntil = performance.now() + 300;
  while (performance.now() < warmUntil) await call();

  let calls = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    await call();
    calls++;
  }
  return calls * readings.length / ((performance.now() - started) / 1000);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs the scenario for `seconds` per measurement. */
export async function sensorsScenario(seconds: number): Promise<BenchRow[]> {
  const host = await testHost();
  await host.startProvider(sensorsProvider);
  const actor = await signActor(await sensorSinkActor(), {
    name: "sensor sink",
    caps: ["trellis:sensors"],
  });
  await host.startActor(actor.bytes);

  const rows: BenchRow[] = [];
  for (const units of UNITS) {
    const batch = units * 2;
    const baseline = await viaInvoke(host, actor.key, units, seconds);
    const measured = await viaProvider(host, actor.key, units, seconds);
    // Small batches are bound by the timer, large ones by the host.
    const bound = units < 100 ? " (timer-bound)" : "";
    rows.push({
      scenario: "sensors",
      measure: `batch of ${batch}, 1 ms ticks${bound}`,
      value: measured.readings,
      unit: "readings/s",
      baseline,
      baselineName: "direct invoke",
    }, {
      scenario: "sensors",
      measure: `batch of ${batch}: deliveries`,
      value: measured.deliveries,
      unit: "/s",
    }, {
      scenario: "sensors",
      measure: `batch of ${batch}: ticks skipped`,
      value: measured.skipped,
      unit: "/s",
    });
  }
  await host.stop();
  return rows;
}
