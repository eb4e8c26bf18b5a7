/**
 * An example provider plug-in, `example:clock`: tells bound actors the
 * time, and ticks them every few milliseconds when their binding asks for
 * it. Load it from a manifest:
 *
 * ```yaml
 * capabilities:
 *   - { path: ./examples/providers/clock.ts }
 * bindings:
 *   - actor: MB4OLDIC3TCZ4Q4TGGOVAZC43VXFE2JQVRAXQMQFXUCREOOFEKOKZTY2
 *     capability: "example:clock"
 *     values: { TICK_MS: "1000" }
 * ```
 *
 * Binding values: `TICK_MS` (optional) is the tick interval in whole
 * milliseconds; `TICK_OPERATION` the operation each tick is delivered as
 * (default `HandleTick`).
 *
 * @module
 */
import { encode } from "../../runtime/codec.ts";
import type {
  ActorBinding,
  CapabilityDescriptor,
  CapabilityProvider,
  ProviderCall,
  ProviderContext,
  ProviderFactory,
} from "../../runtime/provider.ts";
import { unknownOperation } from "../../runtime/provider.ts";

const CAPABILITY = "example:clock";

/** What the clock says about itself. */
export const clockDescriptor: CapabilityDescriptor = {
  id: CAPABILITY,
  name: "Clock",
  version: "0.1.0",
  revision: 1,
  longDescription: "The time, and periodic ticks to bound actors",
  supportedOperations: [
    {
      name: "Now",
      direction: "to_provider",
      doctext: "The time as {millis} since the Unix epoch",
    },
    {
      name: "HandleTick",
      direction: "to_actor",
      doctext: "A tick {millis, sequence}, every TICK_MS milliseconds",
    },
  ],
};

/** The plug-in's export: the host looks for `provider`. */
export const provider: ProviderFactory = {
  capabilityId: CAPABILITY,
  create: (context) => new ClockProvider(context),
};

interface Ticker {
  timer: ReturnType<typeof setInterval>;
  busy: boolean;
}

class ClockProvider implements CapabilityProvider {
  readonly descriptor = clockDescriptor;
  readonly #context: ProviderContext;
  readonly #tickers = new Map<string, Ticker>();

  constructor(context: ProviderContext) {
    this.#context = context;
  }

  bind({ actor, values }: ActorBinding): Promise<void> {
    this.#stopTicker(actor);
    if (values.TICK_MS === undefined) return Promise.resolve();
    const interval = Number(values.TICK_MS);
    if (!Number.isInteger(interval) || interval < 1) {
      return Promise.reject(
        new RangeError(
          `Invalid "TICK_MS": expected whole milliseconds of at least 1, ` +
            `got "${values.TICK_MS}"`,
        ),
      );
    }
    const operation = values.TICK_OPERATION || "HandleTick";
    let sequence = 0;
    const ticker: Ticker = {
      busy: false,
      timer: setInterval(() => {
        // A slow actor skips ticks instead of queueing them.
        if (ticker.busy) return;
        ticker.busy = true;
        this.#tick(actor, operation, sequence++)
          .finally(() => ticker.busy = false);
      }, interval),
    };
    this.#tickers.set(actor, ticker);
    return Promise.resolve();
  }

  unbind(actor: string): Promise<void> {
    this.#stopTicker(actor);
    return Promise.resolve();
  }

  call({ operation }: ProviderCall): Promise<Uint8Array> {
    if (operation !== "Now") {
      return Promise.reject(unknownOperation(CAPABILITY, operation));
    }
    return Promise.resolve(encode({ millis: Date.now() }));
  }

  stop(): Promise<void> {
    for (const actor of [...this.#tickers.keys()]) this.#stopTicker(actor);
    return Promise.resolve();
  }

  async #tick(actor: string, operation: string, sequence: number) {
    try {
      const payload = encode({ millis: Date.now(), sequence });
      await this.#context.deliver(actor, operation, payload);
    } catch (error) {
      this.#context.logger.warn("tick failed", {
        actor,
        sequence,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  #stopTicker(actor: string): void {
    const ticker = this.#tickers.get(actor);
    if (ticker) clearInterval(ticker.timer);
    this.#tickers.delete(actor);
  }
}
