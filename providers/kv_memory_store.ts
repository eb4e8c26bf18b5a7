/**
 * A key-value store held in memory: fast, and gone when the provider stops.
 *
 * @module
 */
import {
  addToInteger,
  type KeyType,
  type KeyValueStore,
  type KeyValueStoreOptions,
  rangeBounds,
  SweepSchedule,
  wrongType,
} from "./kv_store.ts";

type Entry =
  | { type: "string"; value: string; expiresAt?: number }
  | { type: "list"; items: string[] }
  | { type: "set"; members: Set<string> };

type EntryOf<T extends KeyType> = Extract<Entry, { type: T }>;

/**
 * A {@link KeyValueStore} in a `Map`. Expiry uses `performance.now()`
 * unless a clock is given: nothing outlives the process, so a monotonic
 * clock is safe here.
 */
export class MemoryStore implements KeyValueStore {
  #entries = new Map<string, Entry>();
  #now: () => number;
  #sweeps: SweepSchedule;

  /** Makes an empty store. */
  constructor(options: KeyValueStoreOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
    this.#sweeps = new SweepSchedule(this.#now());
  }

  get(key: string): string | undefined {
    return this.#find(key, "string")?.value;
  }

  set(key: string, value: string, ttlMs: number): void {
    this.#sweepIfDue();
    const expiresAt = ttlMs > 0 ? this.#now() + ttlMs : undefined;
    this.#entries.set(key, { type: "string", value, expiresAt });
  }

  add(key: string, delta: number): number {
    const entry = this.#find(key, "string");
    const sum = addToInteger(key, entry?.value ?? "0", delta);
    if (entry) entry.value = String(sum);
    else this.#entries.set(key, { type: "string", value: String(sum) });
    return sum;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  exists(key: string): boolean {
    return this.#live(key) !== undefined;
  }

  push(key: string, value: string): number {
    const entry = this.#find(key, "list") ??
      this.#create(key, { type: "list", items: [] });
    return entry.items.push(value);
  }

  range(key: string, start: number, stop: number): string[] {
    const items = this.#find(key, "list")?.items ?? [];
    return items.slice(...rangeBounds(items.length, start, stop));
  }

  removeListItem(key: string, value: string): number {
    const entry = this.#find(key, "list");
    if (!entry) return 0;
    entry.items = entry.items.filter((item) => item !== value);
    return this.#dropIfEmpty(key, entry.items.length);
  }

  addToSet(key: string, member: string): number {
    const entry = this.#find(key, "set") ??
      this.#create(key, { type: "set", members: new Set() });
    return entry.members.add(member).size;
  }

  removeFromSet(key: string, member: string): number {
    const entry = this.#find(key, "set");
    if (!entry) return 0;
    entry.members.delete(member);
    return this.#dropIfEmpty(key, entry.members.size);
  }

  members(key: string): string[] {
    return [...this.#find(key, "set")?.members ?? []];
  }

  close(): void {
    this.#entries.clear();
  }

  #find<T extends KeyType>(key: string, type: T): EntryOf<T> | undefined {
    const entry = this.#live(key);
    if (entry && entry.type !== type) throw wrongType(key, entry.type, type);
    return entry as EntryOf<T> | undefined;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.type === "string" && this.#expired(entry)) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #create<T extends Entry>(key: string, entry: T): T {
    this.#sweepIfDue();
    this.#entries.set(key, entry);
    return entry;
  }

  #dropIfEmpty(key: string, size: number): number {
    if (size === 0) this.#entries.delete(key);
    return size;
  }

  #expired(entry: EntryOf<"string">, now = this.#now()): boolean {
    return entry.expiresAt !== undefined && entry.expiresAt <= now;
  }

  #sweepIfDue(): void {
    const now = this.#now();
    if (!this.#sweeps.due(now)) return;
    for (const [key, entry] of this.#entries) {
      if (entry.type === "string" && this.#expired(entry, now)) {
        this.#entries.delete(key);
      }
    }
  }
}
