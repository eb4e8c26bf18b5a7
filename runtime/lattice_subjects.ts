/**
 * The subjects of a lattice (spec §5): every subject starts with the
 * prefix `wasmbus`, or `<namespace>.wasmbus` when the lattice is named.
 *
 * @module
 */

const NAMESPACE = /^[a-z0-9]+$/;

/** The inventory queries every host answers. */
export type InventoryKind = "hosts" | "actors" | "bindings" | "capabilities";

/** The subjects of one lattice. */
export class LatticeSubjects {
  /** `wasmbus` or `<namespace>.wasmbus`. */
  readonly prefix: string;

  /**
   * Subjects under the prefix of `namespace`; without one they are
   * exactly waSCC's. A namespace is lower-case letters and digits.
   */
  constructor(namespace?: string) {
    if (namespace !== undefined && !NAMESPACE.test(namespace)) {
      throw new TypeError(
        `Invalid lattice name "${namespace}": use lower-case letters and ` +
          "digits only",
      );
    }
    this.prefix = namespace ? `${namespace}.wasmbus` : "wasmbus";
  }

  /** Invocations of an actor (queue group: the subject itself). */
  actor(key: string): string {
    return `${this.prefix}.actor.${key}`;
  }

  /** Binds and removals every instance of a capability binding hears. */
  providerBinding(capabilityId: string, binding: string): string {
    return `${this.prefix}.provider.${capabilityToken(capabilityId)}.` +
      binding;
  }

  /** One actor's calls to a capability binding (a queue group). */
  providerCalls(capabilityId: string, binding: string, actor: string): string {
    return `${this.providerBinding(capabilityId, binding)}.${actor}`;
  }

  /** An inventory query. */
  inventory(kind: InventoryKind): string {
    return `${this.prefix}.inventory.${kind}`;
  }

  /** Where hosts publish their CloudEvents. */
  get events(): string {
    return `${this.prefix}.events`;
  }
}

/**
 * A capability id as a subject token: lower-case, `:` → `.`, space → `_`
 * (`wascc:http_server` → `wascc.http_server`).
 */
export function capabilityToken(capabilityId: string): string {
  return capabilityId.toLowerCase().replaceAll(":", ".").replaceAll(" ", "_");
}
