import * as assert from "uvu/assert";
import { decode, encode } from "../runtime/codec.ts";
import { silentLogger } from "../runtime/logger.ts";
import type {
  CapabilityProvider,
  ProviderContext,
} from "../runtime/provider.ts";
import { createKeyValueProvider } from "../providers/keyvalue.ts";
import { rejects } from "./rejects.ts";

export const ACTOR = "MACTORONE";
export const OTHER_ACTOR = "MACTORTWO";

export type StoreKind = "sqlite" | "memory";

/** A provider context that keeps data in `dataDir` and logs nothing. */
export function quietContext(dataDir: string): ProviderContext {
  return {
    binding: "default",
    logger: silentLogger,
    dataDir,
    deliver: () => Promise.reject(new Error("No actor to deliver to")),
  };
}

/** A provider bound to ACTOR, with a clock the test moves by hand. */
export class Harness {
  clockMs = 1_700_000_000_000;
  provider!: CapabilityProvider;

  constructor(readonly dataDir: string, readonly kind: StoreKind) {}

  static async start(kind: StoreKind, dataDir?: string): Promise<Harness> {
    const harness = new Harness(dataDir ?? await Deno.makeTempDir(), kind);
    await harness.restart();
    return harness;
  }

  async restart(): Promise<void> {
    const factory = createKeyValueProvider({ now: () => this.clockMs });
    this.provider = await factory.create(quietContext(this.dataDir));
    await this.bind(ACTOR);
  }

  bind(actor: string): Promise<void> {
    const values: Record<string, string> = this.kind === "memory"
      ? { STORE: "memory" }
      : {};
    return this.provider.bind({ actor, binding: "default", values });
  }

  async call(operation: string, request: unknown, actor = ACTOR) {
    return decode(await this.raw(operation, encode(request), actor));
  }

  raw(operation: string, payload: Uint8Array, actor = ACTOR) {
    return this.provider.call({ actor, operation, payload });
  }

  async stop(): Promise<void> {
    await this.provider.stop();
    await Deno.remove(this.dataDir, { recursive: true });
  }
}

/** Asserts that `promise` rejects with a `type` error matching `pattern`. */
export async function refuses(
  promise: Promise<unknown>,
  type: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor,
  pattern: RegExp,
): Promise<void> {
  assert.instance(await rejects(() => promise, pattern), type);
}
