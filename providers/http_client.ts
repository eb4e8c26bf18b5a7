/**
 * The built-in `wascc:http_client` provider: actors send HTTP requests with
 * `PerformRequest` (spec §3).
 *
 * @module
 */
import { asBytes, asString, asStringMap, encode } from "../runtime/codec.ts";
import type {
  ActorBinding,
  CapabilityDescriptor,
  CapabilityProvider,
  ProviderCall,
  ProviderContext,
  ProviderFactory,
} from "../runtime/provider.ts";
import { unknownOperation } from "../runtime/provider.ts";
import type { HttpClientConfig } from "./http_client_config.ts";
import { readHttpClientConfig } from "./http_client_config.ts";
import { sendHttpRequest } from "./http_client_send.ts";
import type { HttpRequestStruct } from "./http_mapping.ts";
import { decodeRequest, perform } from "./operation.ts";

const CAPABILITY_ID = "wascc:http_client";
const OPERATION = "PerformRequest";
const REQUEST_FIELDS = ["method", "path", "queryString", "header", "body"];

const DESCRIPTOR: CapabilityDescriptor = {
  id: CAPABILITY_ID,
  name: "HTTP client",
  version: "0.1.0",
  revision: 1,
  longDescription: "Sends HTTP and HTTPS requests for actors, within " +
    "each binding's time limit, response size limit and host allow list.",
  supportedOperations: [{
    name: OPERATION,
    direction: "to_provider",
    doctext: "Sends a Request (its path is the full URL) and replies " +
      "with the Response.",
  }],
};

/**
 * Makes `wascc:http_client` providers. `PerformRequest` takes the waSCC
 * `Request{method, path, queryString, header, body}` whose `path` is the
 * full URL (`https://example.com/a/b`; a non-empty `queryString` is
 * appended after `?`), and replies with `Response{statusCode, status,
 * header, body}`: header names lower-cased, repeats joined with ", ". A
 * non-2xx status is a reply, not an error. Only http and https URLs.
 *
 * Binding values, per actor: `TIMEOUT` ms for the whole call (default
 * 30000); `MAX_RESPONSE_BYTES` (default 10 MiB; a larger body fails the
 * call, read no further than the limit); `MAX_REDIRECTS` (default 10; 0
 * hands redirects to the actor); `ALLOWED_HOSTS`, comma-separated `host`,
 * `host:port` or `*.domain` (any name below it). Without `ALLOWED_HOSTS`
 * every host is allowed, as in waSCC; with it, other hosts, including
 * redirect targets, are refused before connecting. Unbinding an actor
 * cancels its requests in flight.
 */
export const httpClientProvider: ProviderFactory = {
  capabilityId: CAPABILITY_ID,
  create(context: ProviderContext): CapabilityProvider {
    return new HttpClientProvider(context);
  },
};

interface BoundActor {
  config: HttpClientConfig;
  /** Cancels the actor's requests in flight. */
  cancel: AbortController;
}

class HttpClientProvider implements CapabilityProvider {
  readonly descriptor = DESCRIPTOR;
  readonly #context: ProviderContext;
  readonly #actors = new Map<string, BoundActor>();
  #stopped = false;

  constructor(context: ProviderContext) {
    this.#context = context;
  }

  bind({ actor, values }: ActorBinding): Promise<void> {
    try {
      const config = readHttpClientConfig(actor, values);
      if (this.#stopped) {
        throw new Error(
          `Cannot bind actor "${actor}" to ${CAPABILITY_ID}: provider stopped`,
        );
      }
      const cancel = this.#actors.get(actor)?.cancel ?? new AbortController();
      this.#actors.set(actor, { config, cancel });
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  unbind(actor: string): Promise<void> {
    this.#release(actor, "actor unbound");
    return Promise.resolve();
  }

  call({ actor, operation, payload }: ProviderCall): Promise<Uint8Array> {
    if (operation !== OPERATION) {
      return Promise.reject(unknownOperation(CAPABILITY_ID, operation));
    }
    return perform(operation, () => this.#perform(actor, payload));
  }

  stop(): Promise<void> {
    this.#stopped = true;
    for (const actor of [...this.#actors.keys()]) {
      this.#release(actor, "provider stopped");
    }
    return Promise.resolve();
  }

  async #perform(actor: string, payload: Uint8Array): Promise<Uint8Array> {
    const bound = this.#actors.get(actor);
    if (bound === undefined) {
      throw new Error(`Actor "${actor}" is not bound to ${CAPABILITY_ID}`);
    }
    const request = decodeHttpClientRequest(payload);

    const started = performance.now();
    const response = await sendHttpRequest(
      request,
      bound.config,
      bound.cancel.signal,
    );
    this.#context.logger.debug("http request sent", {
      actor,
      method: request.method || "GET",
      status: response.statusCode,
      bytes: response.body.length,
      ms: Math.round(performance.now() - started),
    });
    return encode(response);
  }

  #release(actor: string, reason: string) {
    const bound = this.#actors.get(actor);
    if (bound === undefined) return;
    this.#actors.delete(actor);
    bound.cancel.abort(new Error(reason));
  }
}

/**
 * Decodes a `PerformRequest` payload leniently (map or array form, body as
 * `bin` or an integer array). `path` is required; the method defaults to
 * GET. Throws a SyntaxError or TypeError for a payload that is not a
 * request.
 */
export function decodeHttpClientRequest(
  payload: Uint8Array,
): HttpRequestStruct {
  const fields = decodeRequest(payload, REQUEST_FIELDS, ["path"]);
  return {
    method: asString(fields.method, "method").trim(),
    path: asString(fields.path, "path").trim(),
    queryString: asString(fields.queryString, "queryString"),
    header: asStringMap(fields.header, "header"),
    body: asBytes(fields.body, "body"),
  };
}
