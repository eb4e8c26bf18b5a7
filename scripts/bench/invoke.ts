/**
 * `invoke`: 64-byte invocations of the echo actor through the host, 16 in
 * flight, against a bare waPC loop over the same module in this process.
 */
import { exampleActor } from "../../tests/actors.ts";
import { testHost } from "../../tests/host_helpers.ts";
import { signActor } from "../../tests/sign.ts";
import { bareWapc } from "./bare_wapc.ts";
import { callRate, percentile } from "./measure.ts";
import type { BenchRow } from "./table.ts";

const PAYLOAD = new Uint8Array(64).fill(7);

async function timed(
  seconds: number,
  step: () => unknown,
): Promise<number> {
  let calls = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    for (let batch = 0; batch < 256; batch++) await step();
    calls += 256;
  }
  return calls / ((performance.now() - started) / 1000);
}

/** Runs the scenario; `instances` sizes the actor's pool. */
export async function invokeScenario(
  seconds: number,
  instances = 1,
): Promise<BenchRow[]> {
  const module = await exampleActor("echo");
  const bare = bareWapc(module);
  const host = await testHost();
  const actor = await signActor(module, { name: "echo" });
  await host.startActor(actor.bytes, { instances });
  const viaHost = () => host.invoke(actor.key, "Echo", PAYLOAD);

  await timed(0.5, () => bare("Echo", PAYLOAD));
  await callRate(0.5, 16, viaHost);
  const baseline = await timed(seconds, () => bare("Echo", PAYLOAD));
  const throughput = await callRate(seconds, 16, viaHost);

  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    await viaHost();
    latencies.push((performance.now() - started) * 1000);
  }
  latencies.sort((a, b) => a - b);
  await host.stop();

  const scenario = instances === 1 ? "invoke" : `invoke x${instances}`;
  return [
    {
      scenario,
      measure: "64 B echo, 16 in flight",
      value: throughput,
      unit: "calls/s",
      baseline,
      baselineName: "bare waPC loop",
      bar: 0.3,
    },
    {
      scenario,
      measure: "latency p50, 1 in flight",
      value: percentile(latencies, 0.5),
      unit: "µs",
    },
    {
      scenario,
      measure: "latency p99, 1 in flight",
      value: percentile(latencies, 0.99),
      unit: "µs",
    },
  ];
}
