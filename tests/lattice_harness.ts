/**
 * Hosts joined into one lattice over a shared bus, for lattice tests that
 * run in one process (the loopback bus) or against a real NATS server.
 */
import type { Bus } from "../runtime/bus.ts";
import { generateKeyPair } from "../runtime/ed25519.ts";
import { Host, type HostOptions } from "../runtime/host.ts";
import { InvocationSigner } from "../runtime/invocation_token.ts";
import { Lattice, type LatticeOptions } from "../runtime/lattice.ts";

/** A host and its membership of a lattice. */
export interface LatticeHost {
  host: Host;
  lattice: Lattice;
  signer: InvocationSigner;
  /** Stops the host, then leaves the lattice. */
  stop(): Promise<void>;
}

/** Starts a host on a fresh data directory and joins it to the lattice. */
export async function latticeHost(
  bus: Bus,
  options: Partial<LatticeOptions> = {},
  hostOptions: Partial<HostOptions> = {},
): Promise<LatticeHost> {
  const key = await generateKeyPair("server");
  const dataDir = await Deno.makeTempDir({ prefix: "trellis-lattice-" });
  const host = new Host({ id: key.publicKey, dataDir, ...hostOptions });
  const signer = new InvocationSigner(key.seed);
  const lattice = Lattice.join(host, {
    bus,
    signer,
    heartbeatMs: 0,
    ...options,
  });
  return {
    host,
    lattice,
    signer,
    async stop() {
      await host.stop();
      lattice.leave();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** Lets queued bus deliveries run. */
export function settle(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
