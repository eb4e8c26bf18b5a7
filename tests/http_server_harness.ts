/**
 * A stand-in host for `wascc:http_server` tests: records deliveries and log
 * lines, and binds actors on free ports of 127.0.0.1.
 */
import { httpServerProvider } from "../providers/http_server.ts";
import { decodeStruct, encode } from "../runtime/codec.ts";
import type { LogFields, Logger } from "../runtime/logger.ts";
import type { CapabilityProvider } from "../runtime/provider.ts";

/** Actor keys (56 characters starting with `M`). */
export const ACTOR_A = "M" + "A".repeat(55);
export const ACTOR_B = "M" + "B".repeat(55);
const REQUEST_FIELDS = ["method", "path", "queryString", "header", "body"];

/** The actor side of a delivery: its reply bytes or its error. */
export type Deliver = (
  actor: string,
  payload: Uint8Array,
) => Promise<Uint8Array>;

/** A `HandleRequest` the host stand-in received, decoded. */
export interface Delivery {
  actor: string;
  operation: string;
  request: Record<string, unknown>;
}

/** A line written to the recording logger. */
export interface LogLine {
  level: string;
  message: string;
  fields: LogFields;
}

/** A provider whose host stand-in records deliveries and log lines. */
export function startProvider(deliver: Deliver) {
  const deliveries: Delivery[] = [];
  const logs: LogLine[] = [];
  const record = (level: string) => (message: string, fields = {}) => {
    logs.push({ level, message, fields });
  };
  const logger: Logger = {
    error: record("error"),
    warn: record("warn"),
    info: record("info"),
    debug: record("debug"),
    trace: record("trace"),
    child: () => logger,
  };
  const provider = httpServerProvider.create({
    binding: "default",
    logger,
    dataDir: "/nonexistent",
    deliver(actor, operation, payload) {
      const request = decodeStruct(payload, REQUEST_FIELDS);
      deliveries.push({ actor, operation, request });
      return deliver(actor, payload);
    },
  }) as CapabilityProvider;
  return { provider, deliveries, logs };
}

/** A port nothing listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Binds `actor` on a free port of 127.0.0.1; returns its base URL. */
export async function bindOnFreePort(
  provider: CapabilityProvider,
  actor = ACTOR_A,
  values: Record<string, string> = {},
): Promise<string> {
  const port = freePort();
  await provider.bind({
    actor,
    binding: "default",
    values: { PORT: String(port), HOST: "127.0.0.1", ...values },
  });
  return `http://127.0.0.1:${port}`;
}

/** A deliver that answers every request with `response` encoded. */
export const reply = (response: Record<string, unknown> | unknown[]) => () =>
  Promise.resolve(encode(response));

/** UTF-8 bytes of `body`. */
export const text = (body: string) => new TextEncoder().encode(body);

/** Sends raw HTTP/1.1 text and returns the whole response as text. */
export async function rawRequest(base: string, head: string): Promise<string> {
  const { hostname, port } = new URL(base);
  const connection = await Deno.connect({ hostname, port: Number(port) });
  await connection.write(text(head));
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(4096);
  let read: number | null;
  while ((read = await connection.read(buffer)) !== null) {
    chunks.push(decoder.decode(buffer.subarray(0, read), { stream: true }));
  }
  connection.close();
  return chunks.join("");
}
