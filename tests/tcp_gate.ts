/**
 * A TCP forwarder a test can shut and open again on the same port: it
 * cuts a link to a server (as a lost uplink does) while the server keeps
 * running.
 */

/** A forwarder from a local port to a server's. */
export class TcpGate {
  readonly port: number;
  readonly #target: Deno.ConnectOptions;
  readonly #connections = new Set<Deno.Conn>();
  #listener?: Deno.Listener;

  private constructor(port: number, target: Deno.ConnectOptions) {
    this.port = port;
    this.#target = target;
  }

  /** Starts forwarding connections to `targetPort` on 127.0.0.1. */
  static open(targetPort: number): TcpGate {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const gate = new TcpGate(
      (listener.addr as Deno.NetAddr).port,
      { hostname: "127.0.0.1", port: targetPort },
    );
    gate.#serve(listener);
    return gate;
  }

  /** `nats://127.0.0.1:<port>`. */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Whether connections are accepted now. */
  get isOpen(): boolean {
    return this.#listener !== undefined;
  }

  /** Refuses new connections and cuts the ones forwarded. */
  shut(): void {
    this.#listener?.close();
    this.#listener = undefined;
    for (const connection of this.#connections) close(connection);
    this.#connections.clear();
  }

  /** Accepts connections again, on the same port. */
  reopen(): void {
    if (this.#listener) return;
    this.#serve(Deno.listen({ hostname: "127.0.0.1", port: this.port }));
  }

  #serve(listener: Deno.Listener): void {
    this.#listener = listener;
    (async () => {
      for await (const client of listener) void this.#forward(client);
    })().catch(() => {});
  }

  async #forward(client: Deno.Conn): Promise<void> {
    let server: Deno.Conn;
    try {
      server = await Deno.connect(this.#target);
    } catch {
      return close(client);
    }
    if (!this.isOpen) return void [client, server].forEach(close);
    this.#connections.add(client);
    this.#connections.add(server);
    const end = () => {
      for (const connection of [client, server]) {
        this.#connections.delete(connection);
        close(connection);
      }
    };
    await Promise.race([
      client.readable.pipeTo(server.writable),
      server.readable.pipeTo(client.writable),
    ]).catch(() => {});
    end();
  }
}

function close(connection: Deno.Conn): void {
  try {
    connection.close();
  } catch {
    // Closed already.
  }
}
