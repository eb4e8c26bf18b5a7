import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  type SimulatedOptions,
  simulatedSource,
  uniform,
} from "../providers/sensor_simulated.ts";
import type { Reading } from "../providers/sensor_reading.ts";

const MIDNIGHT = Date.UTC(2025, 5, 1);
const HOUR = 3_600_000;

function readAt(
  timestamps: number[],
  options: Partial<SimulatedOptions> = {},
): Promise<Reading[][]> {
  let index = 0;
  const source = simulatedSource({
    seed: 42,
    units: 2,
    spikeChance: 0,
    prefix: "sim",
    now: () => timestamps[index++],
    ...options,
  });
  return Promise.all(timestamps.map(() => source.read()));
}

const simulated = suite("simulated source");

simulated("gives the same readings for the same seed and times", async () => {
  const times = [MIDNIGHT, MIDNIGHT + 10_000, MIDNIGHT + 7 * HOUR];
  const first = await readAt(times);
  const second = await readAt(times);
  assert.equal(first, second);
  assert.equal(first[0].map((reading) => reading.sensor), [
    "sim-1.temperature",
    "sim-1.humidity",
    "sim-2.temperature",
    "sim-2.humidity",
  ]);
  assert.equal(first[0][0].unit, "°C");
  assert.equal(first[0][1].unit, "%");
});

simulated("gives other readings for another seed", async () => {
  const [one] = await readAt([MIDNIGHT], { seed: 1 });
  const [two] = await readAt([MIDNIGHT], { seed: 2 });
  assert.not.equal(
    one.map((reading) => reading.value),
    two.map((reading) => reading.value),
  );
});

simulated("is warmer and drier in the afternoon than at night", async () => {
  const [night, afternoon] = await readAt(
    [MIDNIGHT + 3 * HOUR, MIDNIGHT + 15 * HOUR],
    { units: 20 },
  );
  for (let index = 0; index < night.length; index++) {
    const kind = night[index].kind;
    if (kind === "temperature") {
      assert.ok(afternoon[index].value > night[index].value + 3, kind);
    } else {
      assert.ok(afternoon[index].value < night[index].value, kind);
      assert.ok(night[index].value <= 100 && afternoon[index].value >= 0);
    }
  }
});

simulated("spikes as often as SPIKES asks", async () => {
  const times = Array.from({ length: 200 }, (_, i) => MIDNIGHT + i * 1000);
  const calm = await readAt(times, { units: 1 });
  const spiky = await readAt(times, { units: 1, spikeChance: 0.1 });
  const spikes = spiky.filter((readings, index) =>
    readings[0].value > calm[index][0].value + 10
  ).length;
  assert.ok(spikes >= 8 && spikes <= 35, `${spikes} spikes in 200`);
});

simulated.run();

const draws = suite("uniform");

draws("spreads draws evenly over [0, 1)", () => {
  const buckets = new Array(10).fill(0);
  for (let index = 0; index < 10_000; index++) {
    const draw = uniform(7, index);
    assert.ok(draw >= 0 && draw < 1);
    buckets[Math.floor(draw * 10)]++;
  }
  for (const count of buckets) assert.ok(count > 850 && count < 1150);
  assert.is(uniform(1, 2, 3), uniform(1, 2, 3));
  assert.is.not(uniform(1, 2, 3), uniform(1, 2, 4));
});

draws.run();
