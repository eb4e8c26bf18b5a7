/**
 * Finds the subscriptions a subject reaches: literal subjects by map
 * lookup, wildcard subjects by token comparison, with the answers cached
 * per subject until the set of subscriptions changes.
 *
 * @module
 */
import { tokensMatch } from "./subjects.ts";

/** What the index needs to know about a subscription. */
export interface Indexed {
  readonly subject: string;
  readonly queue?: string;
}

/** The subscriptions one subject reaches. */
export interface Route<T> {
  /** Subscriptions outside queue groups: each gets the message. */
  readonly plain: readonly T[];
  /** Members of each queue group: one member per group gets it. */
  readonly groups: readonly (readonly T[])[];
}

const EMPTY_ROUTE: Route<never> = { plain: [], groups: [] };

// Reply subjects are unique, so the cache must not grow without bound.
const CACHE_LIMIT = 4096;

/** An index of subscriptions by subject. */
export class SubscriptionIndex<T extends Indexed> {
  #literal = new Map<string, Set<T>>();
  #wildcard = new Map<T, string[]>();
  #cache = new Map<string, Route<T>>();

  /** Adds a subscription whose subject is a valid pattern. */
  add(subscription: T): void {
    const { subject } = subscription;
    const tokens = subject.split(".");
    if (tokens.includes("*") || tokens.includes(">")) {
      this.#wildcard.set(subscription, tokens);
    } else {
      let set = this.#literal.get(subject);
      if (!set) this.#literal.set(subject, set = new Set());
      set.add(subscription);
    }
    this.#cache.clear();
  }

  /** Removes a subscription; nothing happens when it is not there. */
  remove(subscription: T): void {
    const { subject } = subscription;
    if (this.#wildcard.delete(subscription)) {
      this.#cache.clear();
      return;
    }
    const set = this.#literal.get(subject);
    if (!set?.delete(subscription)) return;
    if (set.size === 0) this.#literal.delete(subject);
    this.#cache.clear();
  }

  /** The subscriptions a valid subject to publish to reaches. */
  match(subject: string): Route<T> {
    let route = this.#cache.get(subject);
    if (route === undefined) {
      route = this.#collect(subject);
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
      this.#cache.set(subject, route);
    }
    return route;
  }

  #collect(subject: string): Route<T> {
    const matched: T[] = [...(this.#literal.get(subject) ?? [])];
    if (this.#wildcard.size > 0) {
      const tokens = subject.split(".");
      for (const [subscription, pattern] of this.#wildcard) {
        if (tokensMatch(pattern, tokens)) matched.push(subscription);
      }
    }
    if (matched.length === 0) return EMPTY_ROUTE;
    return splitByGroup(matched);
  }
}

function splitByGroup<T extends Indexed>(matched: T[]): Route<T> {
  const plain: T[] = [];
  const groups = new Map<string, T[]>();
  for (const subscription of matched) {
    const { queue } = subscription;
    if (queue === undefined) {
      plain.push(subscription);
      continue;
    }
    const members = groups.get(queue);
    if (members) members.push(subscription);
    else groups.set(queue, [subscription]);
  }
  return { plain, groups: [...groups.values()] };
}
