/**
 * The bus conformance suite against the bus `trellis up` runs on: a link
 * bus whose link is up to a real nats-server, so that every message of
 * the suite travels through NATS, and the same bus with its link down.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { LinkBus } from "../leaf/link_bus.ts";
import { connectNatsBus } from "../leaf/nats_bus.ts";
import { busConformance } from "./bus_conformance.ts";
import { bytes, Recorder, text } from "./bus_recorder.ts";
import { type NatsServer, startNatsServer } from "./nats_server.ts";

// One server for every test (each has its own subjects), stopped by the
// last suite of this file.
let shared: Promise<NatsServer> | undefined;
const sharedServer = () => shared ??= startNatsServer();

async function linkedBus(): Promise<LinkBus> {
  const server = await sharedServer();
  const bus = new LinkBus({
    connect: () => connectNatsBus({ servers: [server.url] }),
    initialDelayMs: 50,
  });
  await untilUp(bus);
  return bus;
}

function untilUp(bus: LinkBus, timeoutMs = 5000): Promise<void> {
  if (bus.state === "up") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`Link not up within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = bus.onLink((event) => {
      if (event.state !== "up") return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

busConformance("link, up to nats-server", linkedBus);

// Down, the same bus runs on its loopback half, through the same
// subscription wrapper.
busConformance("link, down", () =>
  Promise.resolve(
    new LinkBus({
      connect: () => Promise.reject(new Error("no server here")),
      initialDelayMs: 60_000,
    }),
  ));

const carried = suite("LinkBus conformance setup");

carried.after(async () => {
  if (shared) await (await shared).stop();
});

carried("hands the suite a bus whose messages go through NATS", async () => {
  const bus = await linkedBus();
  const server = await sharedServer();
  const outside = await connectNatsBus({ servers: [server.url] });
  try {
    const heard = new Recorder();
    outside.subscribe("setup.check", heard.handler);
    await outside.flush();
    bus.publish("setup.check", bytes("through nats"));
    const [message] = await heard.until(1);
    assert.is(text(message.payload), "through nats");
  } finally {
    await outside.close();
    await bus.close();
  }
});

carried.run();
