/**
 * `swap`: GET through `wascc:http_server` to the counter actor (its
 * counts in an in-memory `wascc:keyvalue`), driven by `wrk -t1 -c16
 * --latency`: first in steady state, then for as long again while ten
 * reloads of the manifest flip the actor between two builds of the same
 * identity. The p99 during the updates is compared with the steady p99
 * (bar: at most 2×), and every request must succeed.
 */
import { join } from "node:path";
import { builtinProviders } from "../../providers/builtin.ts";
import { parseManifest } from "../../runtime/manifest.ts";
import {
  type ProviderCatalog,
  startManifest,
} from "../../runtime/manifest_apply.ts";
import { reloadManifest } from "../../runtime/manifest_reload.ts";
import { testHost } from "../../tests/host_helpers.ts";
import { counterBuilds, counterManifest } from "../../tests/reload_harness.ts";
import type { BenchRow } from "./table.ts";

const UPDATES = 10;
const P99_BAR = 2;

/** What one wrk run measured. */
interface WrkRun {
  rate: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx responses and socket errors. */
  failures: number;
}

const catalog: ProviderCatalog = {
  builtin: (id) => builtinProviders.get(id),
};

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Runs the scenario; each of its two phases lasts `seconds`. */
export async function swapScenario(seconds: number): Promise<BenchRow[]> {
  const dir = await Deno.makeTempDir({ prefix: "trellis-swap-" });
  const builds = await counterBuilds();
  await Deno.writeFile(join(dir, "plain.wasm"), builds.plain);
  await Deno.writeFile(join(dir, "next.wasm"), builds.next);
  const port = freePort();
  const manifest = (file: string) =>
    parseManifest(counterManifest(file, builds.key, port, "memory"), {
      path: join(dir, "host.yaml"),
      env: {},
    });
  const versions = [manifest("next.wasm"), manifest("plain.wasm")];
  const host = await testHost();
  let applied = await startManifest(host, manifest("plain.wasm"), catalog);
  const url = `http://127.0.0.1:${port}/bench`;

  await wrk(url, 1);
  const steady = await wrk(url, seconds);
  const during = wrk(url, seconds);
  const updateMs: number[] = [];
  const started = performance.now();
  for (let update = 0; update < UPDATES; update++) {
    const due = started + (update + 0.5) * seconds * 1000 / UPDATES;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, due - performance.now()))
    );
    const begun = performance.now();
    const result = await reloadManifest(
      host,
      applied,
      versions[update % 2],
      { catalog },
    );
    if (result.summary.actorsUpdated !== 1) {
      throw new Error(`Cannot swap: ${JSON.stringify(result.failures)}`);
    }
    applied = result.applied;
    updateMs.push(performance.now() - begun);
  }
  const updating = await during;
  await host.stop();
  await Deno.remove(dir, { recursive: true });

  return rows(steady, updating, updateMs);
}

function rows(steady: WrkRun, during: WrkRun, updateMs: number[]) {
  const scenario = "swap";
  const ratio = during.p99Ms / steady.p99Ms;
  const verdict = ratio <= P99_BAR ? "ok" : "above";
  const steadyName = "steady state";
  return [
    {
      scenario,
      measure: "GET, counter actor, wrk -t1 -c16, during 10 updates",
      value: during.rate,
      unit: "req/s",
      baseline: steady.rate,
      baselineName: steadyName,
    },
    {
      scenario,
      measure: "latency p50 during updates",
      value: during.p50Ms,
      unit: "ms",
      baseline: steady.p50Ms,
      baselineName: steadyName,
    },
    {
      scenario,
      measure: `latency p99 during updates (bar ≤ ${P99_BAR}: ${verdict})`,
      value: during.p99Ms,
      unit: "ms",
      baseline: steady.p99Ms,
      baselineName: steadyName,
    },
    {
      scenario,
      measure: "failed requests (must be 0)",
      value: steady.failures + during.failures,
      unit: "requests",
    },
    {
      scenario,
      measure: "update time, slowest of 10",
      value: Math.max(...updateMs),
      unit: "ms",
    },
  ] satisfies BenchRow[];
}

/** What `wrk -t1 -c16 --latency` measures against `url`. */
async function wrk(url: string, seconds: number): Promise<WrkRun> {
  const { stdout, success } = await new Deno.Command("wrk", {
    args: ["-t1", "-c16", "--latency", `-d${seconds}s`, url],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(stdout);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!success || !rate) throw new Error(`Cannot run wrk: ${text}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const socket =
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/
      .exec(text);
  const socketErrors = socket
    ? socket.slice(1).reduce((sum, count) => sum + Number(count), 0)
    : 0;
  return {
    rate: Number(rate[1]),
    p50Ms: latencyMs(text, 50),
    p99Ms: latencyMs(text, 99),
    failures: Number(non2xx?.[1] ?? 0) + socketErrors,
  };
}

function latencyMs(text: string, percent: number): number {
  const match = new RegExp(`^\\s+${percent}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m")
    .exec(text);
  if (!match) throw new Error(`Cannot read the p${percent} of wrk: ${text}`);
  const scale = { us: 0.001, ms: 1, s: 1000 }[match[2] as "us" | "ms" | "s"];
  return Number(match[1]) * scale;
}
