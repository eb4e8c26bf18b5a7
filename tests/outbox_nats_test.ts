import { suite } from "uvu";
import * as assert from "uvu/assert";
import { LinkBus } from "../leaf/link_bus.ts";
import { connectNatsBus, type NatsBus } from "../leaf/nats_bus.ts";
import { Outbox } from "../leaf/outbox.ts";
import { sendWhileLinked } from "../leaf/outbox_link.ts";
import { NatsOutboxSender } from "../leaf/outbox_nats.ts";
import { ChildLines } from "./child_lines.ts";
import {
  type Hub,
  readStream,
  resetStream,
  startHub,
  streamCount,
  untilStreamHolds,
} from "./jetstream_hub.ts";
import {
  bytes,
  EagerSender,
  nextEvent,
  pause,
  tempDir,
  text,
} from "./outbox_harness.ts";
import { TcpGate } from "./tcp_gate.ts";

const BACKLOG = 5000;
const CHILD = "tests/outbox_child.ts";

const natsOutbox = suite("Outbox over NATS");

let hub: Hub;
let dir: Awaited<ReturnType<typeof tempDir>>;
const cleanups: (() => unknown)[] = [];

natsOutbox.before(async () => {
  hub = await startHub();
});

natsOutbox.after(async () => {
  await hub?.stop();
});

natsOutbox.before.each(async () => {
  dir = await tempDir();
  await resetStream(hub.admin);
});

natsOutbox.after.each(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await Promise.resolve(cleanup()).catch(() => {});
  }
  await dir.remove();
});

function open(options: Parameters<typeof Outbox.open>[1] = {}): Outbox {
  const outbox = Outbox.open(`${dir.path}/outbox.db`, options);
  cleanups.push(() => outbox.close());
  return outbox;
}

async function connect(url: string): Promise<NatsBus> {
  const bus = await connectNatsBus({ servers: [url] });
  cleanups.push(() => bus.close());
  return bus;
}

function spawnChild(args: string[]): ChildLines {
  const child = ChildLines.spawn(CHILD, args);
  cleanups.push(() => child.kill());
  return child;
}

async function enqueueBacklog(outbox: Outbox): Promise<void> {
  for (let first = 0; first < BACKLOG; first += 500) {
    await Promise.all(
      Array.from(
        { length: 500 },
        (_, index) =>
          outbox.enqueue("telemetry.barn.temp", bytes(`m${first + index}`)),
      ),
    );
  }
}

// Exactly the backlog, in order, each message once with its own id.
async function assertStreamHoldsBacklog(): Promise<void> {
  assert.is(await streamCount(hub.admin), BACKLOG);
  const entries = await readStream(hub.admin, BACKLOG);
  const texts = entries.map((entry) => entry.text);
  const expected = Array.from({ length: BACKLOG }, (_, index) => `m${index}`);
  const firstWrong = texts.findIndex((value, index) =>
    value !== expected[index]
  );
  assert.is(firstWrong, -1, `stream entry ${firstWrong} out of order`);
  const ids = new Set(entries.map((entry) => entry.id));
  assert.is(ids.size, BACKLOG);
  assert.not.ok(ids.has(undefined));
}

function linkThrough(gate: TcpGate): LinkBus {
  const link = new LinkBus({
    connect: () =>
      connectNatsBus({
        servers: [gate.url],
        reconnect: { delayMs: 100, jitterMs: 0 },
        connectTimeoutMs: 1000,
      }),
    initialDelayMs: 100,
    maxDelayMs: 300,
  });
  cleanups.push(() => link.close());
  return link;
}

natsOutbox(
  "delivers a backlog enqueued while the hub was unreachable, once each " +
    "and in order",
  async () => {
    const gate = TcpGate.open(hub.server.port);
    cleanups.push(() => gate.shut());
    gate.shut();
    const outbox = open({ retryDelayMs: 100 });
    const link = linkThrough(gate);
    cleanups.push(sendWhileLinked(outbox, link));

    await enqueueBacklog(outbox);
    await pause(300);
    assert.is(outbox.status().depth, BACKLOG);
    assert.is(outbox.status().state, "detached");
    assert.is(await streamCount(hub.admin), 0);

    const drained = nextEvent(outbox, "drained", 30_000);
    gate.reopen();
    assert.is((await drained).sent, BACKLOG);
    await assertStreamHoldsBacklog();
    const { depth, sent, dropped } = outbox.status();
    assert.equal({ depth, sent, dropped }, {
      depth: 0,
      sent: BACKLOG,
      dropped: 0,
    });
  },
);

natsOutbox(
  "resumes without loss or duplicates when the link drops mid-drain",
  async () => {
    const gate = TcpGate.open(hub.server.port);
    cleanups.push(() => gate.shut());
    const outbox = open({ retryDelayMs: 100, progressIntervalMs: 10 });
    await enqueueBacklog(outbox);
    const link = linkThrough(gate);

    const midway = nextEvent(
      outbox,
      "progress",
      10_000,
      (event) => event.sent >= 1000,
    );
    cleanups.push(sendWhileLinked(outbox, link));
    await midway;
    gate.shut();
    await nextEvent(
      outbox,
      "state",
      5000,
      (event) => event.state === "detached",
    );
    const held = await streamCount(hub.admin);
    assert.ok(held < BACKLOG, `the stream held all ${held} already`);

    const drained = nextEvent(outbox, "drained", 30_000);
    gate.reopen();
    await drained;
    await assertStreamHoldsBacklog();
    assert.is(outbox.status().depth, 0);
  },
);

natsOutbox(
  "delivers a backlog once each and in order across a kill -9 of the " +
    "sending process",
  async () => {
    const outbox = open();
    await enqueueBacklog(outbox);
    await outbox.close();
    const path = `${dir.path}/outbox.db`;
    const url = hub.server.url;

    const first = spawnChild(["drain", path, url, "32"]);
    await first.until((fact) => Number(fact.progress) >= 300, 20_000);
    await first.kill();
    const held = await streamCount(hub.admin);
    assert.ok(held > 0 && held < BACKLOG, `the stream held ${held}`);

    // Sent again: the window in flight, and messages confirmed within the
    // few milliseconds before their removal was committed.
    const second = spawnChild(["drain", path, url, "32"]);
    const start = await second.until((fact) => "depth" in fact, 20_000);
    assert.ok(Number(start.depth) <= BACKLOG - held + 256, `${start.depth}`);
    const done = await second.until((fact) => "drained" in fact, 30_000);
    assert.is(await second.exit(), 0, second.stderr);
    assert.is(done.depth, 0);
    assert.ok(
      Number(done.duplicates) <= 256,
      `${done.duplicates} messages were sent again`,
    );
    await untilStreamHolds(hub.admin, BACKLOG, 5000);
    await assertStreamHoldsBacklog();
  },
);

natsOutbox(
  "keeps every acknowledged message across a kill -9 while enqueuing",
  async () => {
    const path = `${dir.path}/outbox.db`;
    const child = spawnChild(["enqueue", path, "1000000"]);
    await child.until((fact) => Number(fact.acked) >= 3000, 20_000);
    await child.kill();
    const acked = Math.max(...child.facts.map((fact) => Number(fact.acked)));

    const outbox = open();
    const { depth } = outbox.status();
    assert.ok(depth >= acked, `${depth} stored, ${acked} acknowledged`);
    const sender = new EagerSender();
    outbox.start(sender);
    await nextEvent(outbox, "drained", 10_000);
    const texts = sender.sent.map((message) => text(message.payload));
    assert.equal(
      texts,
      Array.from({ length: depth }, (_, index) => `m${index}`),
    );
  },
);

natsOutbox("confirms a message by a service's reply", async () => {
  const service = await connect(hub.server.url);
  const received: (readonly string[] | undefined)[] = [];
  service.subscribe("service.log", (message) => {
    received.push(message.headers?.["Nats-Msg-Id"]);
    message.respond(bytes("ok"));
  });
  await service.flush();
  const bus = await connect(hub.server.url);
  const outbox = open();
  await outbox.enqueue("service.log", bytes("one"));
  await outbox.enqueue("service.log", bytes("two"), { "Nats-Msg-Id": "two" });
  const sender = new NatsOutboxSender(bus);
  outbox.start(sender);
  assert.is((await nextEvent(outbox, "drained")).sent, 2);
  assert.is(sender.confirmed, 2);
  assert.is(received.length, 2);
  assert.match(received[0]![0], /^[0-9a-f]{16}-1$/);
  assert.equal(received[1], ["two"]);
});

natsOutbox("retries a message nothing takes until something does", async () => {
  const bus = await connect(hub.server.url);
  const outbox = open({ retryDelayMs: 50, maxRetryDelayMs: 50 });
  await outbox.enqueue("service.late", bytes("waiting"));
  const failed = nextEvent(outbox, "send_failed");
  outbox.start(new NatsOutboxSender(bus, { timeoutMs: 500 }));
  assert.is(
    (await failed).error.message,
    `Cannot send "service.late" upstream: Cannot request "service.late": ` +
      `no responders`,
  );
  assert.is(outbox.status().depth, 1);

  const service = await connect(hub.server.url);
  service.subscribe("service.late", (message) => message.respond(bytes("")));
  await service.flush();
  await nextEvent(outbox, "drained", 5000);
  assert.is(outbox.status().depth, 0);
});

natsOutbox("fails a send the stream refuses", async () => {
  const bus = await connect(hub.server.url);
  const outbox = open({ retryDelayMs: 60_000 });
  await outbox.enqueue("telemetry.x", bytes("refused"), {
    "Nats-Expected-Stream": "ELSEWHERE",
  });
  const failed = nextEvent(outbox, "send_failed");
  outbox.start(new NatsOutboxSender(bus));
  assert.match(
    (await failed).error.message,
    /^Cannot send "telemetry\.x" upstream: the stream refused it: .*stream/,
  );
  assert.is(outbox.status().depth, 1);
  assert.is(await streamCount(hub.admin), 0);
});

natsOutbox.run();
