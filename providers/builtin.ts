/**
 * The providers built into trellis, by capability id.
 *
 * @module
 */
import type { ProviderFactory } from "../runtime/provider.ts";
import { extrasProvider } from "./extras.ts";
import { httpClientProvider } from "./http_client.ts";
import { httpServerProvider } from "./http_server.ts";
import { keyValueProvider } from "./keyvalue.ts";
import { loggingProvider } from "./logging.ts";
import { sensorsProvider } from "./sensors.ts";

/** Built-in provider factories keyed by capability id. */
export const builtinProviders: ReadonlyMap<string, ProviderFactory> = new Map(
  [
    extrasProvider,
    httpClientProvider,
    httpServerProvider,
    keyValueProvider,
    loggingProvider,
    sensorsProvider,
  ]
    .map((factory) => [factory.capabilityId, factory]),
);
