/**
 * Runs a real `nats-server` for a test: on 127.0.0.1, on a free port,
 * with an optional configuration file. `startNatsServer()` resolves once
 * the server accepts connections; `stop()` kills it, waits for it to exit
 * and removes its directory. `launchNatsServer()` runs one on given
 * arguments (a configuration file that sets its own ports). Servers a test
 * forgets are killed when the process exits.
 */

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /**
   * Configuration text (nats-server's format), written to `server.conf`
   * in the server's directory. Host and port come from the command line.
   */
  config?: string;
  /** More command-line arguments. */
  args?: string[];
  /** How long to wait for the server to listen, in milliseconds. */
  startTimeoutMs?: number;
  /** The port to listen on (default: a free one). */
  port?: number;
}

/** A running server. */
export interface NatsServer {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** A temporary directory of this server, removed by `stop()`. */
  readonly dir: string;
  /** What the server has written to stderr so far. */
  readonly log: string;
  /** Kills the server, waits for it to exit and removes `dir`. */
  stop(): Promise<void>;
  /** Kills the server and starts it again on the same port. */
  restart(): Promise<void>;
}

const running = new Set<Deno.ChildProcess>();

globalThis.addEventListener("unload", () => {
  for (const process of running) {
    try {
      process.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

/** Starts a nats-server and resolves once it accepts connections. */
export async function startNatsServer(
  options: NatsServerOptions = {},
): Promise<NatsServer> {
  const dir = await Deno.makeTempDir({ prefix: "trellis-nats-" });
  try {
    const port = options.port ?? freePort();
    const args = ["-a", "127.0.0.1", "-p", String(port)];
    if (options.config !== undefined) {
      const configFile = `${dir}/server.conf`;
      await Deno.writeTextFile(configFile, options.config);
      args.push("-c", configFile);
    }
    args.push(...options.args ?? []);
    const timeoutMs = options.startTimeoutMs ?? 5000;
    let process = await launchNatsServer(args, port, timeoutMs);
    const server: NatsServer = {
      url: `nats://127.0.0.1:${port}`,
      port,
      dir,
      get log() {
        return process.log;
      },
      async stop() {
        await process.stop();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      },
      async restart() {
        await process.stop();
        process = await launchNatsServer(args, port, timeoutMs);
      },
    };
    return server;
  } catch (error) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
}

/** A nats-server process started by {@link launchNatsServer}. */
export interface NatsServerProcess {
  /** What the server has written to stderr so far. */
  readonly log: string;
  /** Kills the server and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Runs nats-server with `args` and resolves once `port` (the client port
 * the arguments set) accepts connections.
 */
export async function launchNatsServer(
  args: string[],
  port: number,
  timeoutMs = 5000,
): Promise<NatsServerProcess> {
  const child = new Deno.Command("nats-server", {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  running.add(child);
  let log = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      log += decoder.decode(chunk, { stream: true });
    }
  })().catch(() => {});
  let exited = false;
  const status = child.status.then((status) => {
    exited = true;
    running.delete(child);
    return status;
  });
  const launched: NatsServerProcess = {
    get log() {
      return log;
    },
    async stop() {
      if (!exited) {
        try {
          child.kill("SIGTERM");
        } catch {
          // Exited meanwhile.
        }
      }
      await status;
      await reading;
    },
  };
  try {
    await untilListening(port, timeoutMs, () => exited);
  } catch (error) {
    await launched.stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Cannot start nats-server ${args.join(" ")}: ${reason}\n${log}`,
    );
  }
  return launched;
}

async function untilListening(
  port: number,
  timeoutMs: number,
  exited: () => boolean,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (exited()) throw new Error("it exited");
    try {
      const connection = await Deno.connect({ hostname: "127.0.0.1", port });
      connection.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw new Error(`it did not listen within ${timeoutMs} ms`);
}

/** A port nobody listens on now; a server takes it a moment later. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
