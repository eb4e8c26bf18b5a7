/**
 * A process the outbox tests kill with SIGKILL. Prints one JSON line per
 * fact the parent waits for.
 *
 *   outbox_child.ts drain DB URL WINDOW   sends the outbox to URL, exits
 *                                         once it is drained
 *   outbox_child.ts enqueue DB COUNT      enqueues "m0"… in waves of 100,
 *                                         printing how many were acked
 */
import { connectNatsBus } from "../leaf/nats_bus.ts";
import { Outbox } from "../leaf/outbox.ts";
import { NatsOutboxSender } from "../leaf/outbox_nats.ts";

const encoder = new TextEncoder();

function tell(fact: Record<string, unknown>): void {
  Deno.stdout.writeSync(encoder.encode(JSON.stringify(fact) + "\n"));
}

async function drain(path: string, url: string, window: number) {
  const outbox = Outbox.open(path, { window, progressIntervalMs: 20 });
  const bus = await connectNatsBus({ servers: [url] });
  const sender = new NatsOutboxSender(bus);
  const drained = new Promise<number>((resolve) => {
    outbox.on((event) => {
      if (event.type === "progress") tell({ progress: event.sent });
      if (event.type === "drained") resolve(event.sent);
      if (event.type === "send_failed") tell({ failed: event.error.message });
    });
  });
  tell({ depth: outbox.status().depth });
  outbox.start(sender);
  const sent = await drained;
  const { depth } = outbox.status();
  await outbox.close();
  await bus.close();
  tell({ drained: sent, depth, duplicates: sender.duplicates });
}

async function enqueue(path: string, count: number) {
  const outbox = Outbox.open(path);
  for (let first = 0; first < count; first += 100) {
    const wave = Array.from(
      { length: Math.min(100, count - first) },
      (_, index) =>
        outbox.enqueue("telemetry.t", encoder.encode(`m${first + index}`)),
    );
    await Promise.all(wave);
    tell({ acked: first + wave.length });
  }
  await outbox.close();
}

const [mode, path, ...rest] = Deno.args;
if (mode === "drain") await drain(path, rest[0], Number(rest[1]));
else if (mode === "enqueue") await enqueue(path, Number(rest[0]));
else throw new TypeError(`Cannot run outbox child: unknown mode "${mode}"`);
