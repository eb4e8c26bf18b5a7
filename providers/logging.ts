/**
 * The built-in `wascc:logging` provider (spec §3): actors' log lines go to
 * the host's logger with the actor's key in the field `actor`.
 *
 * @module
 */
import { asInteger, asString } from "../runtime/codec.ts";
import { LOG_LEVELS } from "../runtime/logger.ts";
import {
  type CapabilityDescriptor,
  type CapabilityProvider,
  type ProviderCall,
  type ProviderContext,
  type ProviderFactory,
  unknownOperation,
} from "../runtime/provider.ts";
import { decodeRequest, perform } from "./operation.ts";

const CAPABILITY = "wascc:logging";

/** What the logging provider says about itself. */
export const loggingDescriptor: CapabilityDescriptor = {
  id: CAPABILITY,
  name: "Logging",
  version: "0.1.0",
  revision: 1,
  longDescription: "Writes actors' log lines to the host's logger",
  supportedOperations: [{
    name: "WriteLog",
    direction: "to_provider",
    doctext: "Writes `body` at `level`: 0 off, 1 error, 2 warn, 3 info, " +
      "4 debug, 5 trace",
  }],
};

/** The `wascc:logging` provider, writing to the context's logger. */
export const loggingProvider: ProviderFactory = {
  capabilityId: CAPABILITY,
  create: (context) => new LoggingProvider(context),
};

class LoggingProvider implements CapabilityProvider {
  readonly descriptor = loggingDescriptor;
  #context: ProviderContext;

  constructor(context: ProviderContext) {
    this.#context = context;
  }

  bind(): Promise<void> {
    return Promise.resolve();
  }

  unbind(): Promise<void> {
    return Promise.resolve();
  }

  call({ actor, operation, payload }: ProviderCall): Promise<Uint8Array> {
    if (operation !== "WriteLog") {
      return Promise.reject(unknownOperation(CAPABILITY, operation));
    }
    return perform(operation, () => {
      this.#write(actor, payload);
      return new Uint8Array();
    });
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  #write(actor: string, payload: Uint8Array): void {
    const request = decodeRequest(payload, ["level", "body"], ["level"]);
    const level = asInteger(request.level, "level");
    const body = asString(request.body, "body");
    if (level === 0) return; // wire level 0 is "off"; 1 to 5 map in order
    if (level < 0 || level > LOG_LEVELS.length) {
      throw new RangeError(`Field "level" must be 0 to 5, got ${level}`);
    }
    this.#context.logger[LOG_LEVELS[level - 1]](body, { actor });
  }
}
