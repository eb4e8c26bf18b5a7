/**
 * The built-in `wascc:keyvalue` provider (spec §3): Redis-like strings,
 * lists and sets, shared by every actor bound to the same provider
 * instance. Keys persist in `<dataDir>/keyvalue.sqlite`; a binding with
 * `STORE=memory` uses a store held in memory instead, shared by the actors
 * bound that way.
 *
 * @module
 */
import { asInteger, asString, asStringList, encode } from "../runtime/codec.ts";
import {
  type ActorBinding,
  type CapabilityDescriptor,
  type CapabilityProvider,
  type ProviderCall,
  type ProviderContext,
  type ProviderFactory,
  unknownOperation,
} from "../runtime/provider.ts";
import { MemoryStore } from "./kv_memory_store.ts";
import { SqliteStore } from "./kv_sqlite_store.ts";
import {
  isInt32,
  type KeyValueStore,
  type KeyValueStoreOptions,
} from "./kv_store.ts";
import { decodeRequest, perform } from "./operation.ts";

const CAPABILITY = "wascc:keyvalue";

type Request = Record<string, unknown>;

interface Operation {
  fields: readonly string[];
  /** Fields that must be present; all of `fields` when not given. */
  required?: readonly string[];
  doctext: string;
  perform(store: KeyValueStore, request: Request): unknown;
}

const OPERATIONS: Record<string, Operation> = {
  Add: {
    fields: ["key", "value"],
    doctext: "Adds an integer to a key's integer value (absent counts as 0)",
    perform: (store, request) => ({
      value: store.add(key(request), int32(request, "value")),
    }),
  },
  Get: {
    fields: ["key"],
    doctext: "Reads a key's string value",
    perform: (store, request) => {
      const value = store.get(key(request));
      return { value: value ?? "", exists: value !== undefined };
    },
  },
  Set: {
    fields: ["key", "value", "expires"],
    required: ["key", "value"],
    doctext: "Sets a key's string value, expiring after `expires` seconds",
    perform: (store, request) => {
      const text = value(request);
      store.set(key(request), text, expirySeconds(request) * 1000);
      return { value: text };
    },
  },
  Del: {
    fields: ["key"],
    doctext: "Removes a key of any type",
    perform: (store, request) => remove(store, key(request)),
  },
  Clear: {
    fields: ["key"],
    doctext: "Removes a key of any type",
    perform: (store, request) => remove(store, key(request)),
  },
  Range: {
    fields: ["key", "start", "stop"],
    doctext: "Reads list items from start to stop inclusive (negative from " +
      "the end)",
    perform: (store, request) => ({
      values: store.range(
        key(request),
        int32(request, "start"),
        int32(request, "stop"),
      ),
    }),
  },
  Push: {
    fields: ["key", "value"],
    doctext: "Appends an item to a list, returning its new length",
    perform: (store, request) => ({
      newCount: store.push(key(request), value(request)),
    }),
  },
  ListItemDelete: {
    fields: ["key", "value"],
    doctext: "Removes every occurrence of an item from a list, returning " +
      "its new length",
    perform: (store, request) => ({
      newCount: store.removeListItem(key(request), value(request)),
    }),
  },
  SetAdd: {
    fields: ["key", "value"],
    doctext: "Adds a member to a set, returning its new cardinality",
    perform: (store, request) => ({
      newCount: store.addToSet(key(request), value(request)),
    }),
  },
  SetRemove: {
    fields: ["key", "value"],
    doctext: "Removes a member from a set, returning its new cardinality",
    perform: (store, request) => ({
      newCount: store.removeFromSet(key(request), value(request)),
    }),
  },
  SetUnion: {
    fields: ["keys"],
    doctext: "Members found in any of the sets",
    perform: (store, request) => ({
      values: union(setsOf(store, request)),
    }),
  },
  SetIntersection: {
    fields: ["keys"],
    doctext: "Members found in all of the sets",
    perform: (store, request) => ({
      values: intersection(setsOf(store, request)),
    }),
  },
  SetQuery: {
    fields: ["key"],
    doctext: "Members of a set",
    perform: (store, request) => ({ values: store.members(key(request)) }),
  },
  KeyExists: {
    fields: ["key"],
    doctext: "Whether a key of any type is present",
    perform: (store, request) => ({
      value: "",
      exists: store.exists(key(request)),
    }),
  },
};

/** What the key-value provider says about itself. */
export const keyValueDescriptor: CapabilityDescriptor = {
  id: CAPABILITY,
  name: "Key-value store",
  version: "0.1.0",
  revision: 1,
  longDescription: "Redis-like strings, lists and sets with expiry, kept " +
    "in SQLite, or in memory for bindings with STORE=memory",
  supportedOperations: Object.entries(OPERATIONS).map(([name, operation]) => ({
    name,
    direction: "to_provider",
    doctext: operation.doctext,
  })),
};

/**
 * Makes key-value providers whose stores measure expiry with `options.now`
 * (by default wall-clock time for SQLite, monotonic time in memory).
 */
export function createKeyValueProvider(
  options: KeyValueStoreOptions = {},
): ProviderFactory {
  return {
    capabilityId: CAPABILITY,
    create: (context) => new KeyValueProvider(context, options),
  };
}

/** The `wascc:keyvalue` provider with its default clocks. */
export const keyValueProvider: ProviderFactory = createKeyValueProvider();

class KeyValueProvider implements CapabilityProvider {
  readonly descriptor = keyValueDescriptor;
  #dataDir: string;
  #options: KeyValueStoreOptions;
  #sqlite?: SqliteStore;
  #memory?: MemoryStore;
  #storeOfActor = new Map<string, KeyValueStore>();

  constructor(context: ProviderContext, options: KeyValueStoreOptions) {
    this.#dataDir = context.dataDir;
    this.#options = options;
  }

  async bind(binding: ActorBinding): Promise<void> {
    const kind = (binding.values.STORE ?? "sqlite").trim().toLowerCase();
    if (kind === "memory") {
      this.#memory ??= new MemoryStore(this.#options);
      this.#storeOfActor.set(binding.actor, this.#memory);
    } else if (kind === "sqlite" || kind === "") {
      this.#storeOfActor.set(binding.actor, await this.#openSqlite());
    } else {
      throw new RangeError(
        `Cannot bind actor "${binding.actor}" to ${CAPABILITY}: STORE ` +
          `"${binding.values.STORE}" is neither "sqlite" nor "memory"`,
      );
    }
  }

  unbind(actor: string): Promise<void> {
    this.#storeOfActor.delete(actor);
    return Promise.resolve();
  }

  call({ actor, operation, payload }: ProviderCall): Promise<Uint8Array> {
    if (!Object.hasOwn(OPERATIONS, operation)) {
      return Promise.reject(unknownOperation(CAPABILITY, operation));
    }
    const { fields, required, perform: run } = OPERATIONS[operation];
    return perform(operation, () => {
      const store = this.#storeOfActor.get(actor);
      if (!store) throw new RangeError(`Actor "${actor}" is not bound`);
      return encode(run(store, decodeRequest(payload, fields, required)));
    });
  }

  stop(): Promise<void> {
    this.#storeOfActor.clear();
    this.#sqlite?.close();
    this.#memory?.close();
    this.#sqlite = this.#memory = undefined;
    return Promise.resolve();
  }

  async #openSqlite(): Promise<SqliteStore> {
    if (!this.#sqlite) {
      await Deno.mkdir(this.#dataDir, { recursive: true });
      this.#sqlite = new SqliteStore(
        `${this.#dataDir}/keyvalue.sqlite`,
        this.#options,
      );
    }
    return this.#sqlite;
  }
}

function key(request: Request): string {
  return asString(request.key, "key");
}

function value(request: Request): string {
  return asString(request.value, "value");
}

function int32(request: Request, field: string): number {
  const number = asInteger(request[field], field);
  if (!isInt32(number)) {
    throw new RangeError(`Field "${field}" is outside the 32-bit range`);
  }
  return number;
}

function expirySeconds(request: Request): number {
  const seconds = request.expires === undefined ? 0 : int32(request, "expires");
  if (seconds < 0) {
    throw new RangeError(`Field "expires" must not be negative: ${seconds}`);
  }
  return seconds;
}

function remove(store: KeyValueStore, key: string) {
  store.delete(key);
  return { key };
}

function setsOf(store: KeyValueStore, request: Request): string[][] {
  return asStringList(request.keys, "keys").map((key) => store.members(key));
}

function union(sets: string[][]): string[] {
  return [...new Set(sets.flat())];
}

function intersection(sets: string[][]): string[] {
  const [first = [], ...others] = sets.map((members) => new Set(members));
  return [...first].filter((member) => others.every((set) => set.has(member)));
}
