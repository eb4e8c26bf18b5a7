/**
 * Messages an actor publishes to a subject marked upstream, end to end:
 * actor → `wascc:messaging` → outbox on disk → link → a real nats-server's
 * JetStream stream. With the hub down the actor's publishes succeed and
 * wait; when the hub returns they all arrive, in order, once each.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { LinkBus } from "../leaf/link_bus.ts";
import { connectNatsBus } from "../leaf/nats_bus.ts";
import { openUpstream } from "../leaf/outbox_open.ts";
import { createMessagingProvider } from "../providers/messaging.ts";
import { encode } from "../runtime/codec.ts";
import type { LinkEvent } from "../runtime/link.ts";
import { silentLogger } from "../runtime/logger.ts";
import { testActor } from "./actors.ts";
import { testHost } from "./host_helpers.ts";
import { readStream, resetStream, untilStreamHolds } from "./jetstream_hub.ts";
import { startNatsServer } from "./nats_server.ts";
import { signActor } from "./sign.ts";

const MESSAGES = 5000;

function untilLink(bus: LinkBus, state: LinkEvent["state"]) {
  return new Promise<void>((resolve, reject) => {
    if (bus.state === state) return resolve();
    const timer = setTimeout(
      () => reject(new Error(`Link not ${state}`)),
      10_000,
    );
    const off = bus.onLink((event) => {
      if (event.state !== state) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

const upstream = suite("upstream messages");

upstream(
  "keeps what an actor publishes while the hub is down and delivers it once",
  async () => {
    const storeDir = await Deno.makeTempDir({ prefix: "trellis-js-" });
    const args = ["-js", "-sd", storeDir];
    let server = await startNatsServer({ args });
    const port = server.port;
    const admin = await connectNatsBus({ servers: [server.url] });
    await resetStream(admin);
    await admin.close();

    const link = new LinkBus({
      connect: () =>
        connectNatsBus({
          servers: [server.url],
          reconnect: { delayMs: 100, jitterMs: 0 },
          connectTimeoutMs: 500,
        }),
      initialDelayMs: 50,
      maxDelayMs: 300,
    });
    await untilLink(link, "up");
    const dataDir = await Deno.makeTempDir({ prefix: "trellis-upstream-" });
    const host = await testHost({ dataDir });
    const outbox = openUpstream(
      { subjects: ["telemetry.>"] },
      { dataDir, link, logger: silentLogger },
    );
    await host.startProvider(
      createMessagingProvider(link, { upstream: outbox }),
    );
    const caller = await signActor(await testActor("caller"), {
      name: "caller",
      caps: ["wascc:messaging"],
    });
    await host.startActor(caller.bytes);
    await host.bind(caller.key, "wascc:messaging");
    const publish = (text: string) =>
      host.invoke(
        caller.key,
        "Call",
        encode({
          binding: "default",
          namespace: "wascc:messaging",
          operation: "Publish",
          payload: encode({
            subject: "telemetry.barn-7",
            replyTo: "",
            body: new TextEncoder().encode(text),
          }),
        }),
      );
    try {
      await server.stop();
      await untilLink(link, "down");
      for (let n = 0; n < MESSAGES; n++) await publish(`reading ${n}`);
      assert.is((outbox.status() as { depth: number }).depth, MESSAGES);

      server = await startNatsServer({ args, port });
      const reader = await connectNatsBus({ servers: [server.url] });
      await untilStreamHolds(reader, MESSAGES, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const entries = await readStream(reader, MESSAGES);
      assert.equal(
        entries.map((entry) => entry.text),
        Array.from({ length: MESSAGES }, (_, n) => `reading ${n}`),
      );
      const info = await reader.request(
        "$JS.API.STREAM.INFO.TELEMETRY",
        new Uint8Array(),
        { timeoutMs: 2000 },
      );
      const state = JSON.parse(new TextDecoder().decode(info.payload)).state;
      assert.is(state.messages, MESSAGES, "no duplicates");
      await reader.close();
    } finally {
      await host.stop();
      await outbox.close();
      await link.close();
      await server.stop();
      await Deno.remove(storeDir, { recursive: true }).catch(() => {});
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
);

upstream.run();
