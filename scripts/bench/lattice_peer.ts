/**
 * The far side of the `lattice` benchmark, in its own process:
 * `raw URL SUBJECT` answers requests on SUBJECT with their own bytes;
 * `host URL MODULE` runs a host in the lattice with the signed actor
 * MODULE. Prints `ready` once it serves; stops on SIGTERM.
 */
import { connectNatsBus } from "../../leaf/nats_bus.ts";
import { generateKeyPair } from "../../runtime/ed25519.ts";
import { Host } from "../../runtime/host.ts";
import { InvocationSigner } from "../../runtime/invocation_token.ts";
import { Lattice } from "../../runtime/lattice.ts";

const [mode, url, target] = Deno.args;
const bus = await connectNatsBus({ servers: [url] });
let stop = async () => {};
if (mode === "raw") {
  bus.subscribe(target, (message) => {
    message.respond(message.payload);
  });
} else {
  const key = await generateKeyPair("server");
  const dataDir = await Deno.makeTempDir({ prefix: "trellis-bench-" });
  const host = new Host({ id: key.publicKey, dataDir });
  await host.startActor(await Deno.readFile(target), { instances: 2 });
  const lattice = Lattice.join(host, {
    bus,
    signer: new InvocationSigner(key.seed),
    heartbeatMs: 0,
  });
  stop = async () => {
    await host.stop();
    lattice.leave();
    await Deno.remove(dataDir, { recursive: true });
  };
}
await bus.flush();
console.log("ready");
await new Promise<void>((resolve) =>
  Deno.addSignalListener("SIGTERM", () => resolve())
);
await stop();
await bus.close();
Deno.exit(0);
