/**
 * `invoke_instances`: the `invoke` scenario's 64-byte echo with 16 in
 * flight, run with 1, 2 and 4 instances in the actor's pool. Each count is
 * compared with one instance; one instance with the bare waPC loop.
 */
import { invokeScenario } from "./invoke.ts";
import type { BenchRow } from "./table.ts";

const COUNTS = [1, 2, 4];

/** Runs `invoke` once per instance count and keeps its throughput. */
export async function invokeInstancesScenario(
  seconds: number,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  let single: number | undefined;
  for (const instances of COUNTS) {
    const [throughput] = await invokeScenario(seconds, instances);
    const measure = `64 B echo, 16 in flight, ${instances} ` +
      (instances === 1 ? "instance" : "instances");
    rows.push({
      scenario: "invoke_instances",
      measure,
      value: throughput.value,
      unit: throughput.unit,
      ...(single === undefined
        ? { baseline: throughput.baseline, baselineName: "bare waPC loop" }
        : { baseline: single, baselineName: "1 instance" }),
    });
    single ??= throughput.value;
  }
  return rows;
}
