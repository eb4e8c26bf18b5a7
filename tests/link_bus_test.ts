/**
 * The link bus against a real nats-server that comes and goes: a host on
 * it works offline, joins when the server appears, and keeps serving
 * locally when it goes away.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { LinkBus } from "../leaf/link_bus.ts";
import { connectNatsBus } from "../leaf/nats_bus.ts";
import type { HostEvent } from "../runtime/host_events.ts";
import type { LinkEvent } from "../runtime/link.ts";
import { testActor } from "./actors.ts";
import { bytes, Recorder, text } from "./bus_recorder.ts";
import { freePort } from "./http_server_harness.ts";
import { latticeHost } from "./lattice_harness.ts";
import { startNatsServer } from "./nats_server.ts";
import { rejects } from "./rejects.ts";
import { signActor } from "./sign.ts";

function linkTo(port: number): LinkBus {
  return new LinkBus({
    connect: () =>
      connectNatsBus({
        servers: [`nats://127.0.0.1:${port}`],
        reconnect: { delayMs: 100, jitterMs: 0 },
        connectTimeoutMs: 500,
      }),
    initialDelayMs: 50,
    maxDelayMs: 200,
  });
}

function nextLink(bus: LinkBus, state: LinkEvent["state"], timeoutMs = 8000) {
  return new Promise<LinkEvent>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Link not ${state} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const off = bus.onLink((event) => {
      if (event.state !== state) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

const link = suite("LinkBus");

link("delivers locally while down and over NATS once up", async () => {
  const port = freePort();
  const bus = linkTo(port);
  const received = new Recorder();
  bus.subscribe("telemetry.>", received.handler);
  bus.publish("telemetry.a", bytes("offline"));
  await received.until(1);
  assert.is(bus.state, "down");

  const server = await startNatsServer({ port });
  try {
    await nextLink(bus, "up");
    const other = await connectNatsBus({ servers: [server.url] });
    other.publish("telemetry.b", bytes("from elsewhere"));
    await other.flush();
    await received.until(2);
    assert.equal(received.texts(), ["offline", "from elsewhere"]);
    await other.close();
  } finally {
    await bus.close();
    await server.stop();
  }
});

link(
  "keeps local calls working and fails remote calls fast when down",
  async () => {
    const port = freePort();
    const server = await startNatsServer({ port });
    const bus = linkTo(port);
    await nextLink(bus, "up");
    const member = await latticeHost(bus, { rpcTimeoutMs: 3000 });
    const events: HostEvent[] = [];
    member.host.events.on((event) => events.push(event));
    const actor = await signActor(await testActor("echo"), { name: "echo" });
    await member.host.startActor(actor.bytes);
    try {
      const down = nextLink(bus, "down");
      await server.stop();
      await down;
      assert.ok(
        events.some((event) =>
          event.type === "link_changed" && event.state === "down"
        ),
        "a typed link event",
      );
      assert.is(member.lattice.linkState, "down");

      for (let call = 0; call < 20; call++) {
        const reply = await member.host.invoke(
          actor.key,
          "Echo",
          bytes(`local ${call}`),
        );
        assert.is(text(reply), `local ${call}`);
      }
      const started = performance.now();
      await rejects(
        () => member.host.invoke("M" + "Q".repeat(55), "Echo", bytes("x")),
        /lattice unreachable/,
      );
      assert.ok(performance.now() - started < 200, "failed fast");
    } finally {
      await member.stop();
      await bus.close();
    }
  },
);

link.run();
