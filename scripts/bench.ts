/**
 * Benchmarks: `deno task bench [SCENARIO…] [--seconds N]`. Each scenario
 * measures the real path against a named baseline in the same run and
 * prints the ratio. Scenarios: invoke, invoke_instances, http, start, swap,
 * bus, lattice, sensors, outbox.
 */
import { parseFlags } from "../runtime/flags.ts";
import { busScenario } from "./bench/bus.ts";
import { invokeScenario } from "./bench/invoke.ts";
import { httpScenario } from "./bench/http.ts";
import { invokeInstancesScenario } from "./bench/invoke_instances.ts";
import { latticeScenario } from "./bench/lattice.ts";
import { outboxScenario } from "./bench/outbox.ts";
import { sensorsScenario } from "./bench/sensors.ts";
import { startScenario } from "./bench/start.ts";
import { swapScenario } from "./bench/swap.ts";
import { type BenchRow, printTable } from "./bench/table.ts";

const scenarios: Record<string, (seconds: number) => Promise<BenchRow[]>> = {
  invoke: (seconds) => invokeScenario(seconds),
  invoke_instances: (seconds) => invokeInstancesScenario(seconds),
  http: (seconds) => httpScenario(seconds),
  start: (seconds) => startScenario(seconds),
  swap: (seconds) => swapScenario(seconds),
  bus: (seconds) => busScenario(seconds),
  lattice: (seconds) => latticeScenario(seconds),
  sensors: (seconds) => sensorsScenario(seconds),
  outbox: (seconds) => outboxScenario(seconds),
};

const flags = parseFlags(Deno.args, { seconds: "string" });
const chosen = flags.positionals.length > 0
  ? flags.positionals
  : Object.keys(scenarios);
const seconds = Number(flags.strings.seconds ?? "3");

const rows: BenchRow[] = [];
for (const name of chosen) {
  const scenario = scenarios[name];
  if (!scenario) {
    console.error(`unknown scenario "${name}": ${Object.keys(scenarios)}`);
    Deno.exit(2);
  }
  console.error(`running ${name}`);
  rows.push(...await scenario(seconds));
}
printTable(rows);
