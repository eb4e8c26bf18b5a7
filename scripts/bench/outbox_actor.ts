/**
 * The outbox's enqueue rate as actors see it: a guest publishing 200-byte
 * messages through `wascc:messaging` to a subject marked upstream, 64
 * invocations in flight, each acknowledged once its message is on disk.
 */
import { openUpstream } from "../../leaf/outbox_open.ts";
import { createMessagingProvider } from "../../providers/messaging.ts";
import { encode } from "../../runtime/codec.ts";
import { silentLogger } from "../../runtime/logger.ts";
import { LoopbackBus } from "../../runtime/loopback_bus.ts";
import { testActor } from "../../tests/actors.ts";
import { testHost } from "../../tests/host_helpers.ts";
import { signActor } from "../../tests/sign.ts";

const IN_FLIGHT = 64;

/** Publishes per second through an actor into a fresh outbox. */
export async function actorPublishRate(seconds: number): Promise<number> {
  const dataDir = await Deno.makeTempDir({ prefix: "trellis-bench-pub-" });
  const host = await testHost({ dataDir, queueLimit: 10_000 });
  const bus = new LoopbackBus();
  const upstream = openUpstream({ subjects: ["telemetry.>"] }, {
    dataDir,
    logger: silentLogger,
  });
  try {
    await host.startProvider(createMessagingProvider(bus, { upstream }));
    const caller = await signActor(await testActor("caller"), {
      name: "publisher",
      caps: ["wascc:messaging"],
    });
    await host.startActor(caller.bytes, { instances: 4 });
    await host.bind(caller.key, "wascc:messaging");
    const call = encode({
      binding: "default",
      namespace: "wascc:messaging",
      operation: "Publish",
      payload: encode({
        subject: "telemetry.bench.reading",
        replyTo: "",
        body: new Uint8Array(200).fill(7),
      }),
    });
    const until = performance.now() + seconds * 1000;
    let published = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (performance.now() < until) {
          await host.invoke(caller.key, "Call", call);
          published++;
        }
      }),
    );
    return published / ((performance.now() - started) / 1000);
  } finally {
    await host.stop();
    await upstream.close();
    await bus.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}
