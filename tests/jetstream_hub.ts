/**
 * A hub for outbox tests: a real nats-server with JetStream, and the
 * JetStream API calls the tests make over core NATS requests (create a
 * stream, count its messages, read them back).
 */
import { connectNatsBus, type NatsBus } from "../leaf/nats_bus.ts";
import { type NatsServer, startNatsServer } from "./nats_server.ts";

/** The stream the tests publish to, on `telemetry.>`. */
export const STREAM = "TELEMETRY";

/** How long the stream remembers message ids, in ms. */
export const DUPLICATE_WINDOW_MS = 120_000;

/** A running JetStream server and a connection to it. */
export interface Hub {
  server: NatsServer;
  /** A connection for the test's own API calls. */
  admin: NatsBus;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
}

/** A message read back from a stream. */
export interface StreamEntry {
  seq: number;
  subject: string;
  /** Its `Nats-Msg-Id` header. */
  id?: string;
  text: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Starts nats-server with JetStream (`-js -sd DIR`). */
export async function startHub(): Promise<Hub> {
  const storeDir = await Deno.makeTempDir({ prefix: "trellis-js-" });
  const server = await startNatsServer({ args: ["-js", "-sd", storeDir] });
  const admin = await connectNatsBus({ servers: [server.url] });
  return {
    server,
    admin,
    async stop() {
      await admin.close();
      await server.stop();
      await Deno.remove(storeDir, { recursive: true }).catch(() => {});
    },
  };
}

/** Calls the JetStream API; throws its error, if it answers with one. */
export async function jsApi(
  bus: NatsBus,
  subject: string,
  request: unknown = {},
): Promise<Record<string, unknown>> {
  const reply = await bus.request(
    `$JS.API.${subject}`,
    encoder.encode(JSON.stringify(request)),
    { timeoutMs: 5000 },
  );
  const answer = JSON.parse(decoder.decode(reply.payload));
  if (answer.error) {
    throw new Error(`JetStream ${subject}: ${JSON.stringify(answer.error)}`);
  }
  return answer;
}

/**
 * Creates (or, first deleting it, recreates) the stream on `telemetry.>`
 * with file storage and a two-minute duplicate window.
 */
export async function resetStream(bus: NatsBus): Promise<void> {
  await jsApi(bus, `STREAM.DELETE.${STREAM}`).catch(() => {});
  await jsApi(bus, `STREAM.CREATE.${STREAM}`, {
    name: STREAM,
    subjects: ["telemetry.>"],
    storage: "file",
    duplicate_window: DUPLICATE_WINDOW_MS * 1_000_000,
  });
}

/** Messages in the stream now. */
export async function streamCount(bus: NatsBus): Promise<number> {
  const info = await jsApi(bus, `STREAM.INFO.${STREAM}`);
  return Number((info.state as { messages: number }).messages);
}

/** Resolves once the stream holds `count` messages; rejects after. */
export async function untilStreamHolds(
  bus: NatsBus,
  count: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let held = await streamCount(bus);
  while (held < count) {
    if (performance.now() > deadline) {
      throw new Error(
        `Expected ${count} messages in the stream within ${timeoutMs} ms, ` +
          `got ${held}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    held = await streamCount(bus);
  }
}

/** Reads messages 1 to `count` of the stream, in stream order. */
export async function readStream(
  bus: NatsBus,
  count: number,
): Promise<StreamEntry[]> {
  const entries: StreamEntry[] = [];
  for (let first = 1; first <= count; first += 200) {
    const last = Math.min(count, first + 199);
    const seqs = Array.from({ length: last - first + 1 }, (_, i) => first + i);
    entries.push(...await Promise.all(seqs.map((seq) => readOne(bus, seq))));
  }
  return entries;
}

async function readOne(bus: NatsBus, seq: number): Promise<StreamEntry> {
  const answer = await jsApi(bus, `STREAM.MSG.GET.${STREAM}`, { seq });
  const message = answer.message as {
    subject: string;
    seq: number;
    hdrs?: string;
    data?: string;
  };
  const headers = message.hdrs ? decoder.decode(base64(message.hdrs)) : "";
  const id = /^Nats-Msg-Id:\s*(.+?)\r$/m.exec(headers)?.[1];
  return {
    seq: message.seq,
    subject: message.subject,
    id,
    text: message.data ? decoder.decode(base64(message.data)) : "",
  };
}

function base64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}
