/**
 * The built-in `wascc:extras` provider (spec §3): UUIDs, random numbers and
 * per-actor sequence numbers.
 *
 * @module
 */
import { asInteger, encode } from "../runtime/codec.ts";
import {
  type CapabilityDescriptor,
  type CapabilityProvider,
  type ProviderCall,
  type ProviderFactory,
  unknownOperation,
} from "../runtime/provider.ts";
import { decodeRequest, perform } from "./operation.ts";

const CAPABILITY = "wascc:extras";

/** The fields of a `GeneratorRequest`, in order. */
const REQUEST_FIELDS = ["guid", "sequence", "random", "min", "max"];

const UINT32_RANGE = 2 ** 32;

/** What the extras provider says about itself. */
export const extrasDescriptor: CapabilityDescriptor = {
  id: CAPABILITY,
  name: "Extras",
  version: "0.1.0",
  revision: 1,
  longDescription: "UUIDs, random numbers and per-actor sequence numbers",
  supportedOperations: [
    ["RequestGuid", "A version 4 UUID"],
    ["RequestRandom", "A random 32-bit unsigned integer in [min, max)"],
    ["RequestSequence", "The calling actor's next sequence number, from 0"],
  ].map(([name, doctext]) => ({ name, direction: "to_provider", doctext })),
};

/**
 * The `wascc:extras` provider. Sequences live in memory, one per actor,
 * and restart at 0 when the actor is unbound. `RequestGuid` and
 * `RequestSequence` do not read their payload.
 */
export const extrasProvider: ProviderFactory = {
  capabilityId: CAPABILITY,
  create: () => new ExtrasProvider(),
};

class ExtrasProvider implements CapabilityProvider {
  readonly descriptor = extrasDescriptor;
  #sequences = new Map<string, number>();

  bind(): Promise<void> {
    return Promise.resolve();
  }

  unbind(actor: string): Promise<void> {
    this.#sequences.delete(actor);
    return Promise.resolve();
  }

  call({ actor, operation, payload }: ProviderCall): Promise<Uint8Array> {
    switch (operation) {
      case "RequestGuid":
        return perform(operation, () => reply({ guid: crypto.randomUUID() }));
      case "RequestRandom":
        return perform(
          operation,
          () => reply({ randomNumber: random(payload) }),
        );
      case "RequestSequence":
        return perform(
          operation,
          () => reply({ sequenceNumber: this.#next(actor) }),
        );
      default:
        return Promise.reject(unknownOperation(CAPABILITY, operation));
    }
  }

  stop(): Promise<void> {
    this.#sequences.clear();
    return Promise.resolve();
  }

  #next(actor: string): number {
    const sequence = this.#sequences.get(actor) ?? 0;
    this.#sequences.set(actor, sequence + 1);
    return sequence;
  }
}

interface GeneratorResult {
  guid?: string;
  sequenceNumber?: number;
  randomNumber?: number;
}

function reply(result: GeneratorResult): Uint8Array {
  return encode({
    guid: result.guid ?? null,
    sequenceNumber: result.sequenceNumber ?? 0,
    randomNumber: result.randomNumber ?? 0,
  });
}

function random(payload: Uint8Array): number {
  const request = decodeRequest(payload, REQUEST_FIELDS, ["min", "max"]);
  const min = uint32(request.min, "min");
  const max = uint32(request.max, "max");
  if (min >= max) {
    throw new RangeError(`Field "min" (${min}) must be below "max" (${max})`);
  }
  return min + uniformBelow(max - min);
}

function uint32(value: unknown, field: string): number {
  const number = asInteger(value, field);
  if (number < 0 || number >= UINT32_RANGE) {
    throw new RangeError(
      `Field "${field}" is outside the unsigned 32-bit range: ${number}`,
    );
  }
  return number;
}

// Draws again when a draw falls in the incomplete last block, so every
// value below `span` is equally likely.
function uniformBelow(span: number): number {
  const limit = UINT32_RANGE - (UINT32_RANGE % span);
  const draw = new Uint32Array(1);
  do crypto.getRandomValues(draw); while (draw[0] >= limit);
  return draw[0] % span;
}
