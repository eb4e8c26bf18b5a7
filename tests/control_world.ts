/**
 * A lattice for the control process suites: a real nats-server (with
 * JetStream when asked), hosts as `trellis up --ctl-issuer KEY` processes,
 * the test process as one more host that calls actors under load, and
 * `trellis ctl` signed by the trusted account.
 */
import { join } from "node:path";
import { connectNatsBus, type NatsBus } from "../leaf/nats_bus.ts";
import { generateKeyPair, type KeyPair } from "../runtime/ed25519.ts";
import type { Host } from "../runtime/host.ts";
import type { CliResult } from "./cli_harness.ts";
import { type CliProcess, startCli } from "./cli_harness.ts";
import { ctl, ctlJson } from "./control_harness.ts";
import { type LatticeHost, latticeHost } from "./lattice_harness.ts";
import { type NatsServer, startNatsServer } from "./nats_server.ts";

const READY = /^trellis ready host=(N[A-Z0-9]+)/;
const LINK_UP = /"msg":"link changed".*"state":"up"/;

/** A host process and its id. */
export interface HostProcess {
  process: CliProcess;
  id: string;
  dataDir: string;
}

/** Everything a control process suite runs against. */
export class ControlWorld {
  readonly processes: CliProcess[] = [];
  #started = 0;

  #server: NatsServer;

  private constructor(
    server: NatsServer,
    readonly dir: string,
    readonly signer: KeyPair,
    readonly signerFile: string,
    readonly bus: NatsBus,
    readonly caller: LatticeHost,
  ) {
    this.#server = server;
  }

  /** The server running now. */
  get server(): NatsServer {
    return this.#server;
  }

  /** Starts the server (with JetStream when `jetstream`) and the caller. */
  static async start(jetstream = false): Promise<ControlWorld> {
    const dir = await Deno.makeTempDir({ prefix: "trellis-control-" });
    const server = await startNatsServer(serverOptions(dir, jetstream));
    const signer = await generateKeyPair("account");
    const signerFile = join(dir, "signer.nk");
    await Deno.writeTextFile(signerFile, signer.seed + "\n", { mode: 0o600 });
    const bus = await connectNatsBus({ servers: [server.url] });
    const caller = await latticeHost(bus, { rpcTimeoutMs: 5000 });
    return new ControlWorld(server, dir, signer, signerFile, bus, caller);
  }

  /** The test's host, which calls actors through the lattice. */
  get host(): Host {
    return this.caller.host;
  }

  /**
   * Starts `trellis up` trusting the signer, on a data directory of its
   * own (a host restores what its directory recorded); waits until it is
   * ready and its link is up. `seed` fixes the host's key.
   */
  async up(
    name: string,
    more: string[] = [],
    seed?: string,
  ): Promise<HostProcess> {
    const dataDir = join(this.dir, `${name}-${++this.#started}`);
    if (seed) {
      await Deno.mkdir(dataDir, { recursive: true });
      await Deno.writeTextFile(join(dataDir, "host.nk"), seed + "\n");
    }
    const process = startCli([
      "up",
      "--nats",
      this.server.url,
      "--data-dir",
      dataDir,
      "--log-format",
      "json",
      "--ctl-issuer",
      this.signer.publicKey,
      ...more,
    ]);
    this.processes.push(process);
    const ready = await process.waitForLine(READY, 60_000);
    await process.waitForLog(LINK_UP, 10_000);
    return { process, id: READY.exec(ready)![1], dataDir };
  }

  /** Runs a signed `trellis ctl`. */
  ctl(args: string[]): Promise<CliResult> {
    return ctl(this.server.url, this.signerFile, args);
  }

  /** Runs a signed `trellis ctl … --json`; throws unless it succeeds. */
  ctlJson(args: string[]): Promise<Record<string, unknown>> {
    return ctlJson(this.server.url, this.signerFile, args);
  }

  /** The instances of `actor` per host id, from `ctl inventory`. */
  async placements(actor: string): Promise<Record<string, number>> {
    const inventory = await this.ctlJson(["inventory"]) as unknown as {
      host: string;
      actors?: { instances?: Record<string, number> };
    }[];
    const placed: Record<string, number> = {};
    for (const entry of inventory) {
      const instances = entry.actors?.instances?.[actor];
      if (instances) placed[entry.host] = instances;
    }
    return placed;
  }

  /**
   * Replaces the server with one on the same port, with or without
   * JetStream; hosts and the caller reconnect by themselves.
   */
  async restartServer(jetstream: boolean): Promise<void> {
    const port = this.#server.port;
    await this.#server.stop();
    this.#server = await startNatsServer({
      ...serverOptions(this.dir, jetstream),
      port,
    });
  }

  /** Stops every host process. */
  async stopHosts(): Promise<void> {
    for (const process of this.processes.splice(0)) {
      process.signal("SIGTERM");
      await process.exit(15_000).catch(() => process.kill());
    }
  }

  /** Stops everything and removes the directory. */
  async close(): Promise<void> {
    await this.stopHosts();
    await this.caller.stop();
    await this.bus.close();
    await this.server.stop();
    await Deno.remove(this.dir, { recursive: true });
  }
}

function serverOptions(dir: string, jetstream: boolean) {
  return { args: jetstream ? ["-js", "-sd", join(dir, "jetstream")] : [] };
}

/** Calls an actor in loops until stopped, counting answers and failures. */
export class InvokeLoad {
  answered = 0;
  readonly failures: string[] = [];
  #running = true;
  readonly #loops: Promise<void>[];

  constructor(host: Host, actor: string, loops = 4, pauseMs = 5) {
    const payload = new TextEncoder().encode("steady");
    this.#loops = Array.from({ length: loops }, async () => {
      while (this.#running) {
        try {
          const reply = await host.invoke(actor, "Echo", payload);
          if (new TextDecoder().decode(reply) !== "steady") {
            this.failures.push("wrong answer");
          } else this.answered++;
        } catch (error) {
          this.failures.push((error as Error).message);
        }
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    });
  }

  /** Resolves once `count` more calls were answered (at most 20 s). */
  async more(count: number): Promise<void> {
    const target = this.answered + count;
    const deadline = Date.now() + 20_000;
    while (this.answered < target) {
      if (Date.now() > deadline) {
        throw new Error(`Load stalled at ${this.answered} answers`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops the loops and waits for the calls in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }
}

/** Two server seeds, the one with the lower public key first. */
export async function orderedSeeds(): Promise<[string, string]> {
  const keys = await Promise.all([
    generateKeyPair("server"),
    generateKeyPair("server"),
  ]);
  keys.sort((a, b) => a.publicKey.localeCompare(b.publicKey));
  return [keys[0].seed, keys[1].seed];
}

/** Lines of `result`'s stdout. */
export function stdoutLines(result: CliResult): string[] {
  return result.stdout.split("\n").filter((line) => line !== "");
}
