/**
 * `outbox`: store and forward of 200-byte messages. Enqueue rate through
 * the outbox API with 64 concurrent publishers (synchronous NORMAL and
 * FULL), replay rate of a backlog into a JetStream stream on a local
 * nats-server, and how soon replay starts once the hub is reachable
 * again; a plain core NATS publish loop is the baseline.
 *
 * The enqueue is measured twice: through `Outbox.enqueue`, and through
 * an actor's publish (scripts/bench/outbox_actor.ts).
 */
import { LinkBus } from "../../leaf/link_bus.ts";
import { connectNatsBus, type NatsBus } from "../../leaf/nats_bus.ts";
import { Outbox } from "../../leaf/outbox.ts";
import { sendWhileLinked } from "../../leaf/outbox_link.ts";
import { NatsOutboxSender } from "../../leaf/outbox_nats.ts";
import type { OutboxSync } from "../../leaf/outbox_options.ts";
import { type Hub, resetStream, startHub } from "../../tests/jetstream_hub.ts";
import { TcpGate } from "../../tests/tcp_gate.ts";
import { actorPublishRate } from "./outbox_actor.ts";
import type { BenchRow } from "./table.ts";

const PAYLOAD = new Uint8Array(200).fill(7);
const SUBJECT = "telemetry.bench.reading";
const PUBLISHERS = 64;
/** Messages replayed per second of the run (the bar is 5k/s). */
const REPLAY_PER_SECOND = 10_000;

/** Runs the scenario against a nats-server with JetStream it starts. */
export async function outboxScenario(seconds: number): Promise<BenchRow[]> {
  const dir = await Deno.makeTempDir({ prefix: "trellis-bench-outbox-" });
  const hub = await startHub();
  try {
    await resetStream(hub.admin);
    const corePublish = await publishRate(hub.admin, seconds);
    const normal = await enqueueRate(`${dir}/normal.db`, "normal", seconds);
    const full = await enqueueRate(`${dir}/full.db`, "full", seconds);
    const viaActor = await actorPublishRate(seconds);
    const replay = await replayRate(hub, `${dir}/replay.db`, seconds);
    await resetStream(hub.admin);
    const resume = await resumeDelays(hub, `${dir}/resume.db`);
    const scenario = "outbox";
    const core = { baseline: corePublish, baselineName: "core NATS publish" };
    return [
      {
        scenario,
        measure: "core NATS publish",
        value: corePublish,
        unit: "msgs/s",
      },
      {
        scenario,
        measure: `enqueue, ${PUBLISHERS} publishers (bar 20k/s)`,
        value: normal,
        unit: "msgs/s",
        ...core,
      },
      {
        scenario,
        measure: "enqueue through an actor's publish (bar 20k/s)",
        value: viaActor,
        unit: "msgs/s",
        ...core,
      },
      {
        scenario,
        measure: `enqueue, synchronous=FULL`,
        value: full,
        unit: "msgs/s",
        ...core,
      },
      {
        scenario,
        measure: "replay into a stream (bar 5k/s)",
        value: replay,
        unit: "msgs/s",
        ...core,
      },
      {
        scenario,
        measure: "hub back → first replayed",
        value: resume.hubBack,
        unit: "ms",
      },
      {
        scenario,
        measure: "link up → first replayed",
        value: resume.linkUp,
        unit: "ms",
      },
    ];
  } finally {
    await hub.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Fire-and-forget publishes of the same messages, flushed every 10k. */
async function publishRate(bus: NatsBus, seconds: number): Promise<number> {
  let published = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    for (let index = 0; index < 10_000; index++) {
      bus.publish("bench.core", PAYLOAD);
    }
    await bus.flush();
    published += 10_000;
  }
  return published / ((performance.now() - started) / 1000);
}

async function enqueueRate(
  path: string,
  sync: OutboxSync,
  seconds: number,
): Promise<number> {
  const outbox = Outbox.open(path, { sync });
  let enqueued = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: PUBLISHERS }, async () => {
      while (performance.now() < until) {
        await outbox.enqueue(SUBJECT, PAYLOAD);
        enqueued++;
      }
    }),
  );
  const rate = enqueued / ((performance.now() - started) / 1000);
  await outbox.close();
  return rate;
}

/** A backlog sent over a direct connection, until drained. */
async function replayRate(
  hub: Hub,
  path: string,
  seconds: number,
): Promise<number> {
  const outbox = Outbox.open(path);
  await fill(outbox, REPLAY_PER_SECOND * seconds);
  const bus = await connectNatsBus({ servers: [hub.server.url] });
  const drained = new Promise<number>((resolve) =>
    outbox.on((event) => event.type === "drained" && resolve(event.sent))
  );
  const started = performance.now();
  outbox.start(new NatsOutboxSender(bus));
  const sent = await drained;
  const rate = sent / ((performance.now() - started) / 1000);
  await outbox.close();
  await bus.close();
  return rate;
}

/**
 * A backlog waits behind a shut link; the hub's side of the link opens
 * and a subscriber on the hub times the first message, from the moment
 * the hub was reachable and from the moment the link was up.
 */
async function resumeDelays(
  hub: Hub,
  path: string,
): Promise<{ hubBack: number; linkUp: number }> {
  const gate = TcpGate.open(hub.server.port);
  gate.shut();
  const outbox = Outbox.open(path);
  await fill(outbox, 1000);
  const link = new LinkBus({
    connect: () => connectNatsBus({ servers: [gate.url] }),
  });
  let linkUpAt = 0;
  link.onLink((event) => {
    if (event.state === "up") linkUpAt = performance.now();
  });
  const stopSending = sendWhileLinked(outbox, link);
  const first = new Promise<number>((resolve) => {
    hub.admin.subscribe(SUBJECT, () => resolve(performance.now()), { max: 1 });
  });
  await hub.admin.flush();
  // Long enough for the link's backoff to grow past its first steps.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const reopenedAt = performance.now();
  gate.reopen();
  const firstAt = await first;
  stopSending();
  await outbox.close();
  await link.close();
  gate.shut();
  return { hubBack: firstAt - reopenedAt, linkUp: firstAt - linkUpAt };
}

async function fill(outbox: Outbox, count: number): Promise<void> {
  for (let done = 0; done < count; done += 1000) {
    const wave = Math.min(1000, count - done);
    await Promise.all(
      Array.from({ length: wave }, () => outbox.enqueue(SUBJECT, PAYLOAD)),
    );
  }
}
