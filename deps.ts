/**
 * The one place where outside packages are named. Versions are pinned in
 * `deno.json`; code elsewhere imports from here.
 *
 * @module
 */

export { decode as msgpackDecode, Packr, Unpackr } from "msgpackr";
export {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
} from "yaml";

/** Loads wabt (WAT to wasm), used by tests and tools, never by the host. */
export async function loadWabt() {
  const { default: init } = await import("wabt");
  return await init();
}

/** Loads @nats-io/nkeys, used by tests to cross-check the key codec. */
export async function loadNkeys() {
  return await import("@nats-io/nkeys");
}

/**
 * Loads the NATS client (core NATS over Node sockets), with its socket
 * transport class. Only the leaf link needs it, so a standalone host never
 * loads NATS code.
 */
export async function loadNats() {
  const [client, transport] = await Promise.all([
    import("@nats-io/transport-node"),
    import("@nats-io/transport-node/lib/node_transport.js"),
  ]);
  return {
    ...client,
    NodeTransport: transport.NodeTransport,
    nodeResolveHost: transport.nodeResolveHost,
  };
}

/** The NATS client module, as {@link loadNats} resolves it. */
export type NatsClient = Awaited<ReturnType<typeof loadNats>>;

export type {
  Msg as NatsMsg,
  MsgHdrs as NatsMsgHdrs,
  NatsConnection,
  NodeConnectionOptions as NatsConnectionOptions,
  Status as NatsClientStatus,
  Subscription as NatsSubscription,
} from "@nats-io/transport-node";

/**
 * Loads the JetStream client, which the module store's object store runs
 * on. Only `trellis ctl` and a host fetching a module need it.
 */
export async function loadJetStream() {
  return await import("@nats-io/jetstream");
}

/**
 * Loads the JetStream object store client, where the lattice keeps actor
 * modules larger than a NATS message.
 */
export async function loadObjectStore() {
  return await import("@nats-io/obj");
}

export type { ObjectStore } from "@nats-io/obj";

/** Loads @nats-io/jwt, used by tests to issue decentralized-auth JWTs. */
export async function loadNatsJwt() {
  return await import("@nats-io/jwt");
}

/** Loads the AssemblyScript compiler (`asc`), used by the actor builder. */
export async function loadAssemblyScript() {
  return await import("assemblyscript/asc");
}

/**
 * The versions of the AssemblyScript compiler and the guest library actors
 * are built with, read from their manifests without loading the compiler.
 * Importing the manifests also installs the packages into `node_modules`,
 * where the compiler looks for the guest library.
 */
export async function loadActorToolchainVersions(): Promise<
  Record<string, string>
> {
  const options = { with: { type: "json" } } as const;
  const compiler = await import("assemblyscript/package.json", options);
  const guest = await import("@wapc/as-guest/package.json", options);
  return {
    "assemblyscript": String(compiler.default.version),
    "@wapc/as-guest": String(guest.default.version),
  };
}
