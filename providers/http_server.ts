/**
 * The built-in `wascc:http_server` provider: one HTTP listener per bound
 * actor, each request delivered to the actor as `HandleRequest` (spec §3).
 *
 * @module
 */
import type {
  ActorBinding,
  CapabilityDescriptor,
  CapabilityProvider,
  ProviderCall,
  ProviderContext,
  ProviderFactory,
} from "../runtime/provider.ts";
import { unknownOperation } from "../runtime/provider.ts";
import { ActorBusyError, DeadlineExceededError } from "../runtime/errors.ts";
import {
  decodeHttpResponse,
  encodeHttpRequest,
  headerMap,
  readBody,
  splitTarget,
  toFetchResponse,
} from "./http_mapping.ts";
import { DeadlineSweep } from "./deadline_sweep.ts";
import type { HttpServerConfig } from "./http_server_config.ts";
import { readHttpServerConfig } from "./http_server_config.ts";

const CAPABILITY_ID = "wascc:http_server";

const DESCRIPTOR: CapabilityDescriptor = {
  id: CAPABILITY_ID,
  name: "HTTP server",
  version: "0.1.0",
  revision: 1,
  longDescription: "Serves HTTP on a port per bound actor (binding value " +
    "PORT) and delivers each request to the actor.",
  supportedOperations: [{
    name: "HandleRequest",
    direction: "to_actor",
    doctext: "An HTTP request for the actor; it replies with a Response.",
  }],
};

/**
 * Makes `wascc:http_server` providers. Binding values: `PORT` (default
 * 8080), `HOST` (default `0.0.0.0`), `MAX_BODY` bytes (default 1 MiB) and
 * `TIMEOUT` ms (default 30000). Binding an actor again replaces its
 * listener; when the new one cannot listen, the old one keeps serving
 * unless it held the same port.
 */
export const httpServerProvider: ProviderFactory = {
  capabilityId: CAPABILITY_ID,
  create(context: ProviderContext): CapabilityProvider {
    return new HttpServerProvider(context);
  },
};

class HttpServerProvider implements CapabilityProvider {
  readonly descriptor = DESCRIPTOR;
  readonly #context: ProviderContext;
  readonly #listeners = new Map<string, Listener>();
  // Per actor, the tail of its queued bind/unbind steps.
  readonly #pending = new Map<string, Promise<void>>();
  #stopped = false;

  constructor(context: ProviderContext) {
    this.#context = context;
  }

  bind(binding: ActorBinding): Promise<void> {
    return this.#serialized(binding.actor, () => this.#bind(binding));
  }

  unbind(actor: string): Promise<void> {
    return this.#serialized(actor, () => this.#close(actor));
  }

  call(call: ProviderCall): Promise<Uint8Array> {
    return Promise.reject(unknownOperation(CAPABILITY_ID, call.operation));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const actors = new Set([
      ...this.#listeners.keys(),
      ...this.#pending.keys(),
    ]);
    await Promise.all([...actors].map((actor) => this.unbind(actor)));
  }

  async #bind({ actor, values }: ActorBinding): Promise<void> {
    const config = readHttpServerConfig(actor, values);
    if (this.#stopped) {
      throw new Error(
        `Cannot bind actor "${actor}" to ${CAPABILITY_ID}: provider stopped`,
      );
    }

    // On another port the new listener starts before the old one closes,
    // so a failed rebind leaves the actor served; on the same port the old
    // one has to go first.
    if (this.#listeners.get(actor)?.port === config.port) {
      await this.#close(actor);
    }
    const handler = requestHandler(actor, config, this.#context);
    const server = listen(actor, config, handler);
    await this.#close(actor);
    this.#listeners.set(actor, {
      server,
      port: config.port,
      graceMs: config.timeoutMs,
    });
    this.#context.logger.info("http listener started", {
      actor,
      hostname: config.hostname,
      port: config.port,
    });
  }

  // The port is free as soon as shutdown starts. Requests in flight end
  // within the time limit; a client that keeps its connection open past
  // that (say, still sending a body after a 413) is not waited for.
  async #close(actor: string): Promise<void> {
    const listener = this.#listeners.get(actor);
    if (listener === undefined) return;
    this.#listeners.delete(actor);

    const { server, graceMs } = listener;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const drained = await Promise.race([
      server.shutdown().then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(resolve, graceMs, false);
      }),
    ]);
    clearTimeout(timer);

    const { logger } = this.#context;
    if (drained) logger.info("http listener stopped", { actor });
    else logger.warn("http listener stopped, connections left open", { actor });
  }

  // Runs bind/unbind steps of one actor one after the other, so a rebind
  // never races the listener it replaces.
  #serialized(actor: string, step: () => Promise<void>): Promise<void> {
    const previous = this.#pending.get(actor) ?? Promise.resolve();
    const run = previous.then(step);
    const tail = run.catch(() => {});
    this.#pending.set(actor, tail);
    tail.then(() => {
      if (this.#pending.get(actor) === tail) this.#pending.delete(actor);
    });
    return run;
  }
}

function listen(
  actor: string,
  config: HttpServerConfig,
  handler: (request: Request) => Promise<Response>,
): Deno.HttpServer {
  const { hostname, port } = config;
  try {
    return Deno.serve({
      hostname,
      port,
      onListen() {},
      onError: () => plainResponse(500),
    }, handler);
  } catch (error) {
    const prefix = `Cannot bind actor "${actor}" to ${CAPABILITY_ID}`;
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Deno.errors.AddrInUse(`${prefix}: port ${port} is in use`, {
        cause: error,
      });
    }
    const reason = error instanceof Deno.errors.AddrNotAvailable
      ? `address "${hostname}" is not one of this machine's`
      : error instanceof Deno.errors.PermissionDenied
      ? `not permitted to listen on port ${port}`
      : (error as Error).message;
    throw new Error(
      `${prefix}: cannot listen on ${hostname}:${port}: ${reason}`,
      { cause: error },
    );
  }
}

interface Listener {
  server: Deno.HttpServer;
  port: number;
  /** How long closing waits for open connections. */
  graceMs: number;
}

function requestHandler(
  actor: string,
  config: HttpServerConfig,
  context: ProviderContext,
): (request: Request) => Promise<Response> {
  const { logger } = context;
  const deadlines = new DeadlineSweep(config.timeoutMs);

  const timedOut = () => {
    logger.warn("http request timed out", { actor, ms: config.timeoutMs });
    return plainResponse(504);
  };
  return (request) =>
    deadlines.run(serveRequest(actor, request, config, context), timedOut);
}

// Never rejects: every failure becomes a response, so a reply that loses
// the race with the time limit is dropped without an unhandled rejection.
// Written with `then` rather than `await`: a request without a body (most
// GETs) reaches the actor without waiting a turn, and every step saved
// shows at tens of thousands of requests a second.
function serveRequest(
  actor: string,
  request: Request,
  config: HttpServerConfig,
  context: ProviderContext,
): Promise<Response> {
  if (request.body === null) {
    return deliverRequest(actor, request, EMPTY, context);
  }
  return readBody(request, config.maxBodyBytes).then(
    (body) =>
      body === null
        ? plainResponse(413)
        : deliverRequest(actor, request, body, context),
    (error) => {
      context.logger.debug("http request body unreadable", {
        actor,
        error: (error as Error).message,
      });
      return plainResponse(400);
    },
  );
}

function deliverRequest(
  actor: string,
  request: Request,
  body: Uint8Array,
  context: ProviderContext,
): Promise<Response> {
  let reply: Promise<Uint8Array>;
  try {
    const { path, queryString } = splitTarget(request.url);
    const payload = encodeHttpRequest({
      method: request.method,
      path,
      queryString,
      header: headerMap(request.headers),
      body,
    });
    reply = context.deliver(actor, "HandleRequest", payload);
  } catch (error) {
    reply = Promise.reject(error);
  }
  return reply.then(
    (bytes) => replyResponse(actor, bytes, context),
    (error) => failureResponse(actor, error, context),
  );
}

function replyResponse(
  actor: string,
  reply: Uint8Array,
  context: ProviderContext,
): Response {
  try {
    return toFetchResponse(decodeHttpResponse(reply));
  } catch (error) {
    context.logger.warn("http reply from actor unusable", {
      actor,
      error: (error as Error).message,
    });
    return plainResponse(500);
  }
}

function failureResponse(
  actor: string,
  error: unknown,
  { logger }: ProviderContext,
): Response {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ActorBusyError) {
    logger.debug("http request refused: actor busy", { actor });
    return plainResponse(503, { "retry-after": "1" });
  }
  if (error instanceof DeadlineExceededError) {
    logger.warn("http request past actor deadline", { actor, error: message });
    return plainResponse(504);
  }
  logger.warn("http request failed in actor", { actor, error: message });
  return plainResponse(500);
}

const EMPTY = new Uint8Array();

const REASONS: Record<number, string> = {
  400: "bad request",
  413: "payload too large",
  500: "internal server error",
  503: "service unavailable",
  504: "gateway timeout",
};

// A short generic body: what went wrong inside stays in the log.
function plainResponse(
  status: number,
  headers: Record<string, string> = {},
): Response {
  return new Response(REASONS[status], {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}
