/**
 * The lattice's module store: actor modules in a JetStream object store
 * (they can be larger than a NATS message), each named by its module hash
 * as claims compute it. `trellis ctl put` uploads; hosts download what a
 * command names, through a link that dials on first use.
 *
 * @module
 */
import {
  loadJetStream,
  loadNats,
  loadObjectStore,
  type NatsConnection,
  type ObjectStore,
} from "../deps.ts";
import { hashOf, type ModuleStoreConnector } from "../runtime/module_source.ts";
import { messageOf } from "../runtime/wapc_instance.ts";
import { natsConnectionOptions } from "./nats_options.ts";
import { connectGuarded } from "./nats_transport.ts";

/** How long one JetStream request of the store may take, in ms. */
const API_TIMEOUT_MS = 5000;
/** Bytes per stream chunk handed to an upload. */
const UPLOAD_CHUNK = 128 * 1024;

/** The bucket of a lattice's modules: one per lattice name. */
export function moduleBucket(namespace?: string): string {
  return namespace ? `trellis-modules-${namespace}` : "trellis-modules";
}

/** Called as an upload goes: bytes handed over so far, and in all. */
export type UploadProgress = (sent: number, total: number) => void;

/** What an upload did. */
export interface UploadResult {
  hash: string;
  size: number;
  /** The store had the module already; nothing was sent. */
  existed: boolean;
}

/** A lattice's module store over one NATS connection. */
export class ModuleStore {
  readonly #store: ObjectStore;

  private constructor(store: ObjectStore) {
    this.#store = store;
  }

  /**
   * Opens the store of lattice `namespace` on `connection`; `create`
   * makes the bucket when it does not exist yet.
   */
  static async open(
    connection: NatsConnection,
    namespace: string | undefined,
    create = false,
  ): Promise<ModuleStore> {
    const bucket = moduleBucket(namespace);
    const [{ jetstream }, { Objm }] = await Promise.all([
      loadJetStream(),
      loadObjectStore(),
    ]);
    const objects = new Objm(
      jetstream(connection, { timeout: API_TIMEOUT_MS }),
    );
    try {
      const store = create
        ? await objects.create(bucket, { description: "trellis modules" })
        : await objects.open(bucket);
      return new ModuleStore(store);
    } catch (error) {
      throw new Error(
        `Cannot open module store "${bucket}": ${messageOf(error)}`,
        { cause: error },
      );
    }
  }

  /** Whether the store holds a module with `hash`. */
  async has(hash: string): Promise<boolean> {
    const info = await this.#store.info(hash);
    return info !== null && !info.deleted;
  }

  /**
   * Stores `bytes` under their module hash, unless the store has them;
   * `name` (such as the file name) is kept as the object's description.
   */
  async upload(
    bytes: Uint8Array,
    name?: string,
    onProgress?: UploadProgress,
  ): Promise<UploadResult> {
    const hash = await hashOf(bytes);
    if (await this.has(hash)) {
      onProgress?.(bytes.length, bytes.length);
      return { hash, size: bytes.length, existed: true };
    }
    try {
      await this.#store.put(
        { name: hash, description: name },
        chunked(bytes, onProgress),
        { timeout: API_TIMEOUT_MS },
      );
    } catch (error) {
      throw new Error(
        `Cannot upload module "${name ?? hash}": ${messageOf(error)}`,
        { cause: error },
      );
    }
    return { hash, size: bytes.length, existed: false };
  }

  /** The bytes stored under `hash`; rejects when there are none. */
  async download(hash: string): Promise<Uint8Array> {
    const result = await this.#store.get(hash);
    if (result === null) {
      throw new Error(`module "${hash}" is not in the store`);
    }
    const parts: Uint8Array[] = [];
    for await (const part of result.data) parts.push(part);
    const error = await result.error;
    if (error) throw error;
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.length;
    }
    return bytes;
  }
}

function chunked(
  bytes: Uint8Array,
  onProgress?: UploadProgress,
): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      const end = Math.min(bytes.length, offset + UPLOAD_CHUNK);
      controller.enqueue(bytes.slice(offset, end));
      offset = end;
      onProgress?.(offset, bytes.length);
    },
  });
}

/**
 * The store link `trellis up` gives its control interface: a connection
 * of its own, dialled on the first fetch or put and kept after. A put
 * makes the bucket when the lattice has none yet.
 */
export const connectModuleStore: ModuleStoreConnector = (
  link,
  namespace,
  logger,
) => {
  let dialling: Promise<NatsConnection> | undefined;
  const stores = new Map<boolean, Promise<ModuleStore>>();
  const connection = () => {
    dialling ??= dial(link).catch((error) => {
      dialling = undefined;
      throw error;
    });
    return dialling;
  };
  const open = (create: boolean) => {
    let store = stores.get(create);
    if (!store) {
      store = connection().then((nc) =>
        ModuleStore.open(nc, namespace, create)
      );
      stores.set(create, store);
      store.then(
        () => logger.debug("module store open", { create }),
        () => stores.delete(create),
      );
    }
    return store;
  };
  return {
    fetch: async (hash) => await (await open(false)).download(hash),
    put: async (hash, bytes) => {
      const { hash: actual } = await (await open(true)).upload(bytes, hash);
      if (actual !== hash) {
        throw new Error(`module "${hash}" has hash "${actual}"`);
      }
    },
    async close() {
      const current = dialling;
      dialling = undefined;
      stores.clear();
      const nc = await current?.catch(() => undefined);
      await nc?.close().catch(() => {});
    },
  };
};

async function dial(
  link: Parameters<ModuleStoreConnector>[0],
): Promise<NatsConnection> {
  const client = await loadNats();
  const options = await natsConnectionOptions({
    servers: link.servers,
    name: "trellis modules",
    credsFile: link.credsFile,
    nkeySeedFile: link.nkeySeedFile,
    tls: link.tls,
    connectTimeoutMs: API_TIMEOUT_MS,
  }, client);
  return await connectGuarded(client, options);
}
