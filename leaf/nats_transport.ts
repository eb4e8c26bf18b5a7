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
 * With reconnection on, the client does not notice a connection that the
 * server closes while the first connect is under way (a client
 * certificate refused after the handshake): it waits out its connect
 * timeout (20 s by default) and then reports "timeout". The guard fails
 * that dial at once with the reason the socket gave, as the client does
 * with reconnection off; the client then tries its next server.
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
type ConnectTarget = Parameters<NodeTransport["connect"]>[0];
type TransportOptions = Parameters<NodeTransport["connect"]>[1];
type Report = (error: unknown) => void;

/** A first connect under way; its transports find it in their options. */
interface Attempt {
  /** Fails the dial under way with `error`, until the connect settles. */
  refuse(error: Error): void;
}

// The client copies its options' own keys, so a transport it creates for
// a connection sees this key of the options that connection was given.
const ATTEMPT_KEY = "trellisConnectAttempt";

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
  const attempt: Attempt = { refuse: () => {} };
  // What the client's own connect() does, with the handler in reach (its
  // constructor is private to the client's types, not to its code).
  type Handler = InstanceType<NatsClient["ProtocolHandler"]>;
  type Connection = NatsConnection & {
    options: ConstructorParameters<NatsClient["ProtocolHandler"]>[0];
    protocol: Handler;
  };
  const Connection = client.NatsConnectionImpl as unknown as new (
    options: NatsConnectionOptions & { [ATTEMPT_KEY]: Attempt },
  ) => Connection;
  const connection = new Connection({ ...options, [ATTEMPT_KEY]: attempt });
  const handler = new client.ProtocolHandler(connection.options, connection);
  attempt.refuse = (error) => handler.connectError?.(error);
  try {
    await handler.dialLoop();
    connection.protocol = handler;
    return connection;
  } catch (error) {
    throw unheard ?? clearer(error);
  } finally {
    attempt.refuse = () => {};
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
    override async connect(target: ConnectTarget, options: TransportOptions) {
      await super.connect(target, options);
      const attempt = attemptOf(options);
      if (!attempt) return;
      this.closed().then((error) =>
        attempt.refuse(error ?? new Error("the server closed the connection"))
      );
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

// Writing to a socket the server has closed fails with EPIPE or the like,
// which says little; what the server said (a TLS alert), when it arrived
// first, is kept as it is.
function clearer(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if ((error as { syscall?: unknown }).syscall !== "write") return error;
  return new Error(`the server closed the connection (${error.message})`, {
    cause: error,
  });
}

function attemptOf(options: TransportOptions): Attempt | undefined {
  const attempt = (options as Record<string, unknown>)[ATTEMPT_KEY];
  return typeof attempt === "object" && attempt !== null
    ? attempt as Attempt
    : undefined;
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
