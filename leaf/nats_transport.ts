/**
 * Dials NATS through the client's Node socket transport, guarded so that a
 * socket error nobody listens for cannot end the process.
 *
 * The transport drops a socket's listeners at some steps: when the TLS
 * handshake completes, when it discards a failed connection. A server
 * that refuses the client's certificate says so with a TLS alert right
 * after the handshake; in such a gap the socket's `error` event finds no
 * listener, and an unheard `error` is thrown as an uncaught exception that
 * ends the process. The guard drops unheard errors (the transport still
 * learns of the failure from the socket closing) and keeps the first, as
 * the better reason for a failed first connection.
 *
 * @module
 */
import tls from "node:tls";
import type {
  NatsClient,
  NatsConnection,
  NatsConnectionOptions,
} from "../deps.ts";

type NodeTransport = InstanceType<NatsClient["NodeTransport"]>;
type DialTarget = Parameters<NodeTransport["dial"]>[0];
type Report = (error: unknown) => void;

/**
 * Connects with the guarded transport. When the first connection fails
 * after a socket error nobody heard, rejects with that error instead.
 */
export async function connectGuarded(
  client: NatsClient,
  options: NatsConnectionOptions,
): Promise<NatsConnection> {
  let unheard: unknown;
  const report: Report = (error) => unheard ??= error;
  const Transport = guardedTransport(client);
  client.setTransportFactory({
    factory: () => new Transport(report),
    dnsResolveFn: client.nodeResolveHost,
  });
  try {
    return await client.NatsConnectionImpl.connect(
      options as Parameters<typeof client.NatsConnectionImpl.connect>[0],
    );
  } catch (error) {
    throw unheard ?? error;
  }
}

type GuardedTransport = new (report: Report) => NodeTransport;

const transports = new WeakMap<NatsClient, GuardedTransport>();

function guardedTransport(client: NatsClient): GuardedTransport {
  let Transport = transports.get(client);
  if (Transport) return Transport;
  Transport = class extends client.NodeTransport {
    #report: Report;
    constructor(report: Report) {
      super();
      this.#report = report;
    }
    override async dial(target: DialTarget) {
      return guard(await super.dial(target), this.#report);
    }
    override tlsFirst(target: DialTarget) {
      return withGuardedTls(this.#report, () => super.tlsFirst(target));
    }
    override startTLS() {
      return withGuardedTls(this.#report, () => super.startTLS());
    }
  };
  transports.set(client, Transport);
  return Transport;
}

// A TLS socket must be guarded from its creation on, so `tls.connect` is
// wrapped while handshakes are under way. Should two overlap, an unheard
// error of either socket is reported to both.
const originalConnect = tls.connect;
const handshakes = new Set<Report>();

async function withGuardedTls<T>(
  report: Report,
  handshake: () => Promise<T>,
): Promise<T> {
  if (handshakes.size === 0) {
    tls.connect = ((...args: Parameters<typeof tls.connect>) => {
      const reports = [...handshakes];
      const reportAll: Report = (error) => reports.forEach((r) => r(error));
      return guard(originalConnect(...args), reportAll);
    }) as typeof tls.connect;
  }
  handshakes.add(report);
  try {
    return await handshake();
  } finally {
    handshakes.delete(report);
    if (handshakes.size === 0) tls.connect = originalConnect;
  }
}

interface Emitter {
  emit(event: string | symbol, ...args: unknown[]): boolean;
  listenerCount(event: string | symbol): number;
}

function guard<T extends Emitter>(socket: T, report: Report): T {
  const emit = socket.emit;
  socket.emit = function (event, ...args) {
    if (event === "error" && this.listenerCount("error") === 0) {
      report(args[0]);
      return false;
    }
    return emit.call(this, event, ...args);
  };
  return socket;
}
