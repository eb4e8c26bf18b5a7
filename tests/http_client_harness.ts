/**
 * Helpers for `wascc:http_client` tests: a real `Deno.serve` on 127.0.0.1
 * that records what reaches it, and a provider bound to test actors.
 */
import { httpClientProvider } from "../providers/http_client.ts";
import { decode, encode } from "../runtime/codec.ts";
import { silentLogger } from "../runtime/logger.ts";
import type { CapabilityProvider } from "../runtime/provider.ts";

/** Actor keys (56 characters starting with `M`). */
export const ACTOR_A = "M" + "A".repeat(55);
export const ACTOR_B = "M" + "B".repeat(55);

/** A request as the test server received it. */
export interface SeenRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: Uint8Array;
}

/** A test server and what it has seen. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  port: number;
  seen: SeenRequest[];
  /** Settles when `close` starts: handlers that stall wait on it. */
  released: Promise<void>;
  close(): Promise<void>;
}

/** Answers a request the server has read; may stall on `released`. */
export type Handler = (
  request: SeenRequest,
  server: TestServer,
) => Response | Promise<Response>;

/** Starts a server on a free port of 127.0.0.1 that records requests. */
export function startServer(handler: Handler): TestServer {
  let release = () => {};
  const released = new Promise<void>((resolve) => release = resolve);
  const seen: SeenRequest[] = [];
  const test: TestServer = {
    base: "",
    port: 0,
    seen,
    released,
    async close() {
      release();
      await server.shutdown();
    },
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const body = new Uint8Array(await request.arrayBuffer());
      const { method, headers } = request;
      const entry = { method, url: new URL(request.url), headers, body };
      seen.push(entry);
      return await handler(entry, test);
    },
  );
  test.port = server.addr.port;
  test.base = `http://127.0.0.1:${test.port}`;
  return test;
}

/** A port nothing listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** A started provider with `actor` bound with `values`. */
export async function boundProvider(
  values: Record<string, string> = {},
  actor = ACTOR_A,
): Promise<CapabilityProvider> {
  const provider = await httpClientProvider.create({
    binding: "default",
    logger: silentLogger,
    dataDir: "/nonexistent",
    deliver: () => Promise.reject(new Error("no deliveries expected")),
  });
  await provider.bind({ actor, binding: "default", values });
  return provider;
}

/** The decoded `Response` struct. */
export interface ResponseReply {
  statusCode: number;
  status: string;
  header: Record<string, string>;
  body: Uint8Array;
}

/** Calls `PerformRequest` with `request` encoded; decodes the reply. */
export async function performRequest(
  provider: CapabilityProvider,
  request: Record<string, unknown>,
  actor = ACTOR_A,
): Promise<ResponseReply> {
  const reply = await provider.call({
    actor,
    operation: "PerformRequest",
    payload: encode({
      method: "GET",
      header: {},
      body: new Uint8Array(),
      ...request,
    }),
  });
  return decode(reply) as ResponseReply;
}

/** UTF-8 bytes of `body`. */
export const bytes = (body: string) => new TextEncoder().encode(body);

/** Text of UTF-8 bytes. */
export const text = (body: Uint8Array) => new TextDecoder().decode(body);

/**
 * A pattern matching `message` exactly, where each `PORT` stands for any
 * port number.
 */
export function exactly(message: string): RegExp {
  const escaped = message.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&");
  return new RegExp(`^${escaped.replaceAll("PORT", "\\d+")}$`);
}
