/**
 * How to reach a NATS server: servers, credentials, TLS and reconnection,
 * turned into the client's connection options. Files are read here, so
 * that a missing or malformed one is reported by name before dialling.
 *
 * @module
 */
import type { NatsClient, NatsConnectionOptions } from "../deps.ts";
import type { Logger } from "../runtime/logger.ts";

/** Files for TLS; paths to PEM files. */
export interface NatsTlsOptions {
  /** The CA that signed the server's certificate, when not a public one. */
  caFile?: string;
  /** This client's certificate, for servers that verify clients. */
  certFile?: string;
  /** The private key of `certFile`. */
  keyFile?: string;
}

/** How the client reconnects after losing its server. */
export interface NatsReconnectOptions {
  /** Attempts per server before giving up; -1 (the default) never does. */
  maxAttempts?: number;
  /** Wait between attempts on one server, in milliseconds; 2000 default. */
  delayMs?: number;
  /** Random extra wait added to `delayMs`, in milliseconds; 100 default. */
  jitterMs?: number;
}

/** Options of `connectNatsBus`. At most one way to authenticate. */
export interface NatsBusOptions {
  /** Server URLs (`nats://host:4222`, `tls://host:4222`), tried in turn. */
  servers: readonly string[];
  /** The connection's name, shown by the server's monitoring. */
  name?: string;
  /** A `.creds` file: a user JWT and its nkey seed (decentralized auth). */
  credsFile?: string;
  /** A file holding a user nkey seed (`SU…`): nkey authentication. */
  nkeySeedFile?: string;
  /** A user name, with `pass`. */
  user?: string;
  /** The password of `user`. */
  pass?: string;
  /** A token. */
  token?: string;
  /** TLS files; without `caFile`, the default CAs verify the server. */
  tls?: NatsTlsOptions;
  /** Reconnection; `false` closes the bus when the link is lost. */
  reconnect?: NatsReconnectOptions | false;
  /** How long to wait for the first connection, in milliseconds. */
  connectTimeoutMs?: number;
  /** How often to ping the server to find a dead link, in milliseconds. */
  pingIntervalMs?: number;
  /** Where failing handlers and server errors are reported. */
  logger?: Logger;
}

const DEFAULT_RECONNECT_DELAY_MS = 2000;
const DEFAULT_RECONNECT_JITTER_MS = 100;

/**
 * Builds the client's connection options, reading the credential and
 * TLS files. Throws a TypeError for contradictory options and an Error
 * naming the file for one that cannot be read or is malformed.
 */
export async function natsConnectionOptions(
  options: NatsBusOptions,
  client: NatsClient,
): Promise<NatsConnectionOptions> {
  assertServers(options.servers);
  const reconnect = options.reconnect ?? {};
  const connection: NatsConnectionOptions = {
    servers: [...options.servers],
    name: options.name,
    timeout: options.connectTimeoutMs,
    // The client would capture stack traces for every request (to show
    // where a timeout came from): 15–30 µs of CPU per request here, a
    // quarter of a lattice call's. The bus names the subject in its
    // errors instead.
    noAsyncTraces: true,
    pingInterval: options.pingIntervalMs,
    reconnect: reconnect !== false,
    maxReconnectAttempts: reconnect ? reconnect.maxAttempts ?? -1 : 0,
    reconnectTimeWait: reconnect
      ? reconnect.delayMs ?? DEFAULT_RECONNECT_DELAY_MS
      : undefined,
    reconnectJitter: reconnect
      ? reconnect.jitterMs ?? DEFAULT_RECONNECT_JITTER_MS
      : undefined,
    reconnectJitterTLS: reconnect
      ? reconnect.jitterMs ?? DEFAULT_RECONNECT_JITTER_MS
      : undefined,
  };
  Object.assign(connection, await authOptions(options, client));
  if (options.tls) connection.tls = await tlsOptions(options.tls);
  return withoutUndefined(connection);
}

function assertServers(servers: readonly string[]): void {
  if (!Array.isArray(servers) || servers.length === 0) {
    throw new TypeError("Cannot connect to NATS: no server URL given");
  }
  for (const server of servers) {
    if (typeof server !== "string" || server.trim() === "") {
      throw new TypeError(
        `Cannot connect to NATS: server URL "${server}" is empty`,
      );
    }
  }
}

async function authOptions(
  options: NatsBusOptions,
  client: NatsClient,
): Promise<Partial<NatsConnectionOptions>> {
  const ways = [
    options.credsFile !== undefined && "credsFile",
    options.nkeySeedFile !== undefined && "nkeySeedFile",
    options.user !== undefined && "user",
    options.token !== undefined && "token",
  ].filter(Boolean);
  if (ways.length > 1) {
    throw new TypeError(
      `Cannot connect to NATS: give one way to authenticate, not ` +
        `${ways.join(" and ")}`,
    );
  }
  if (options.pass !== undefined && options.user === undefined) {
    throw new TypeError("Cannot connect to NATS: pass given without user");
  }
  if (options.credsFile !== undefined) {
    const creds = await readCreds(options.credsFile);
    return { authenticator: client.credsAuthenticator(creds) };
  }
  if (options.nkeySeedFile !== undefined) {
    const seed = await readSeed(options.nkeySeedFile);
    return { authenticator: client.nkeyAuthenticator(seed) };
  }
  if (options.user !== undefined) {
    return { user: options.user, pass: options.pass };
  }
  if (options.token !== undefined) return { token: options.token };
  return {};
}

async function readCreds(path: string): Promise<Uint8Array> {
  const text = await readText(path, "NATS credentials file");
  const hasJwt = /-----BEGIN NATS USER JWT-----/.test(text);
  const hasSeed = /-----BEGIN USER NKEY SEED-----/.test(text);
  if (!hasJwt || !hasSeed) {
    throw new Error(
      `Cannot read NATS credentials file "${path}": it lacks a ` +
        `${hasJwt ? "user nkey seed" : "user JWT"} block`,
    );
  }
  return new TextEncoder().encode(text);
}

async function readSeed(path: string): Promise<Uint8Array> {
  const seed = (await readText(path, "NATS nkey seed file")).trim();
  if (!/^SU[A-Z2-7]+$/.test(seed)) {
    throw new Error(
      `Cannot read NATS nkey seed file "${path}": it does not hold one ` +
        `user seed (a line starting with "SU")`,
    );
  }
  return new TextEncoder().encode(seed);
}

async function tlsOptions(
  tls: NatsTlsOptions,
): Promise<NonNullable<NatsConnectionOptions["tls"]>> {
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new TypeError(
      "Cannot connect to NATS: a TLS client certificate needs both " +
        "certFile and keyFile",
    );
  }
  const read = (path: string | undefined, what: string) =>
    path === undefined ? undefined : readText(path, what);
  return withoutUndefined({
    ca: await read(tls.caFile, "TLS CA file"),
    cert: await read(tls.certFile, "TLS certificate file"),
    key: await read(tls.keyFile, "TLS key file"),
  });
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot read ${what} "${path}": ${reason}`, {
      cause: error,
    });
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as T;
}
