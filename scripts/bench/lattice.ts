/**
 * `lattice`: invocations of an echo actor on another host (a separate
 * process) through a real nats-server, 16 in flight, against raw NATS
 * request/reply of the same payload with the same concurrency through
 * the same server (the baseline), alternated three times, medians kept;
 * also the p50 latency at one in flight, and what the lattice adds to it.
 */
import { fileURLToPath } from "node:url";
import { connectNatsBus, type NatsBus } from "../../leaf/nats_bus.ts";
import { generateKeyPair } from "../../runtime/ed25519.ts";
import { Host } from "../../runtime/host.ts";
import { InvocationSigner } from "../../runtime/invocation_token.ts";
import { Lattice } from "../../runtime/lattice.ts";
import { testActor } from "../../tests/actors.ts";
import { startNatsServer } from "../../tests/nats_server.ts";
import { signActor } from "../../tests/sign.ts";
import { callRate, median, percentile } from "./measure.ts";
import type { BenchRow } from "./table.ts";

const PEER = fileURLToPath(new URL("./lattice_peer.ts", import.meta.url));
const SIZES = [64, 16 * 1024];
const IN_FLIGHT = 16;
const ROUNDS = 3;

/** Runs the scenario for `seconds` per measurement. */
export async function latticeScenario(seconds: number): Promise<BenchRow[]> {
  const server = await startNatsServer();
  const dir = await Deno.makeTempDir({ prefix: "trellis-bench-" });
  const actor = await signActor(await testActor("echo"), { name: "echo" });
  const module = `${dir}/echo.wasm`;
  await Deno.writeFile(module, actor.bytes);
  const raw = await peer(["raw", server.url, "bench.echo"]);
  const far = await peer(["host", server.url, module]);
  const caller = await callerHost(server.url);
  const rows: BenchRow[] = [];
  try {
    for (const size of SIZES) {
      const payload = new Uint8Array(size).fill(7);
      const viaLattice = () => caller.host.invoke(actor.key, "Echo", payload);
      const viaNats = () =>
        caller.bus.request("bench.echo", payload, { timeoutMs: 5000 });
      await callRate(0.5, IN_FLIGHT, viaLattice);
      await callRate(0.5, IN_FLIGHT, viaNats);
      // Alternated rounds, medians kept: a shared machine's noise hits
      // both sides alike.
      const natsRuns: number[] = [];
      const latticeRuns: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        natsRuns.push(await callRate(seconds, IN_FLIGHT, viaNats));
        latticeRuns.push(await callRate(seconds, IN_FLIGHT, viaLattice));
      }
      const nats = median(natsRuns);
      const lattice = median(latticeRuns);
      const label = size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
      rows.push({
        scenario: "lattice",
        measure: `${label} echo, ${IN_FLIGHT} in flight, median of ${ROUNDS}`,
        value: lattice,
        unit: "calls/s",
        baseline: nats,
        baselineName: "raw NATS request/reply",
        bar: 0.5,
      });
      const natsP50 = await p50(seconds / 2, viaNats);
      const latticeP50 = await p50(seconds / 2, viaLattice);
      rows.push({
        scenario: "lattice",
        measure: `${label} p50, 1 in flight`,
        value: latticeP50,
        unit: "µs",
        baseline: natsP50,
        baselineName: "raw NATS request/reply",
      }, {
        scenario: "lattice",
        measure: `${label} added p50, 1 in flight`,
        value: latticeP50 - natsP50,
        unit: "µs",
      });
    }
  } finally {
    await caller.stop();
    await raw.stop();
    await far.stop();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
  return rows;
}

async function callerHost(url: string) {
  const bus: NatsBus = await connectNatsBus({ servers: [url] });
  const key = await generateKeyPair("server");
  const dataDir = await Deno.makeTempDir({ prefix: "trellis-bench-" });
  const host = new Host({ id: key.publicKey, dataDir });
  const lattice = Lattice.join(host, {
    bus,
    signer: new InvocationSigner(key.seed),
    heartbeatMs: 0,
    rpcTimeoutMs: 5000,
  });
  return {
    host,
    bus,
    async stop() {
      await host.stop();
      lattice.leave();
      await bus.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

async function peer(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", PEER, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  let seen = "";
  while (!seen.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`Cannot start bench peer ${args[0]}`);
    seen += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return {
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

async function p50(
  seconds: number,
  call: () => Promise<unknown>,
): Promise<number> {
  const samples: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    await call();
    samples.push((performance.now() - started) * 1000);
  }
  return percentile(samples.sort((a, b) => a - b), 0.5);
}
