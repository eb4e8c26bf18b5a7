/**
 * The local admin endpoint: a small HTTP API on a Unix socket in the data
 * directory (`admin.sock`, mode 0600), and optionally on a TCP address
 * (`--admin 127.0.0.1:PORT`). It needs no network, so a person on the
 * device, or its supervisor, can always ask how the host is doing.
 *
 * - `GET /status`: the host, its actors and providers, and each section
 *   given (link, outbox, …), as JSON.
 * - `GET /status/<section>`: one section.
 * - `GET /health`: `200 ok` while the host serves, `503` once it stops.
 *
 * @module
 */
import { join } from "node:path";
import type { Host } from "./host.ts";
import { type Logger, silentLogger } from "./logger.ts";

/** File name of the admin socket inside the data directory. */
export const ADMIN_SOCKET = "admin.sock";

/** What the admin endpoint reports. */
export interface AdminOptions {
  host: Host;
  dataDir: string;
  /** The version text, such as `trellis 0.1.0`. */
  version: string;
  /** Also listen on this TCP address (`host:port`). */
  tcp?: { hostname: string; port: number };
  /** Named parts of the status, read at each request. */
  sections?: Record<string, () => unknown>;
  logger?: Logger;
}

/** A running admin endpoint. */
export interface AdminServer {
  /** The Unix socket's path. */
  socketPath: string;
  /** The TCP port, when listening on one. */
  port?: number;
  /** Marks the host as stopping: health answers 503 from now on. */
  stopping(): void;
  close(): Promise<void>;
}

/** The path of the admin socket of `dataDir`. */
export function adminSocketPath(dataDir: string): string {
  return join(dataDir, ADMIN_SOCKET);
}

/**
 * Rejects when another host runs on `dataDir` (its admin socket answers):
 * two hosts on one data directory would overwrite each other's state. A
 * socket that does not answer was left by a host that was killed.
 */
export async function checkNoOtherHost(dataDir: string): Promise<void> {
  const path = adminSocketPath(dataDir);
  let connection: Deno.Conn;
  try {
    connection = await Deno.connect({ transport: "unix", path });
  } catch {
    return;
  }
  connection.close();
  throw new Error(
    `Cannot start: another trellis host is running on this data ` +
      `directory (its admin socket "${path}" answers)`,
  );
}

/**
 * Starts the admin endpoint. A socket file already there is replaced:
 * call {@linkcode checkNoOtherHost} first, before the host starts anything.
 */
export async function startAdminServer(
  options: AdminOptions,
): Promise<AdminServer> {
  const logger = options.logger ?? silentLogger;
  const socketPath = adminSocketPath(options.dataDir);
  let healthy = true;
  const handler = (request: Request) => answer(request, options, () => healthy);
  const onError = (error: unknown) => {
    logger.warn("admin request failed", { error: String(error) });
    return new Response("internal error\n", { status: 500 });
  };

  await Deno.remove(socketPath).catch(() => {});
  const servers: Deno.HttpServer<Deno.Addr>[] = [];
  try {
    servers.push(Deno.serve({
      path: socketPath,
      transport: "unix",
      onListen: () => {},
      onError,
    }, handler));
    await Deno.chmod(socketPath, 0o600);
  } catch (error) {
    // A path too long for a socket, or a file system without them: the
    // host still serves, only without its local admin socket.
    logger.warn("admin socket unavailable", {
      path: socketPath,
      error: String(error),
    });
  }
  let port: number | undefined;
  if (options.tcp) {
    const { hostname, port: wanted } = options.tcp;
    try {
      const tcp = Deno.serve({
        hostname,
        port: wanted,
        onListen: () => {},
        onError,
      }, handler);
      port = (tcp.addr as Deno.NetAddr).port;
      servers.push(tcp);
    } catch (error) {
      await Promise.all(servers.map((server) => server.shutdown()));
      throw new Error(
        `Cannot serve the admin endpoint on ${hostname}:${wanted}: ` +
          (error as Error).message,
        { cause: error },
      );
    }
  }
  return {
    socketPath,
    port,
    stopping() {
      healthy = false;
    },
    async close() {
      await Promise.all(servers.map((server) => server.shutdown()));
      await Deno.remove(socketPath).catch(() => {});
    },
  };
}

function answer(
  request: Request,
  options: AdminOptions,
  healthy: () => boolean,
): Response {
  if (request.method !== "GET") {
    return new Response("only GET\n", { status: 405 });
  }
  const path = new URL(request.url).pathname.replace(/\/+$/, "");
  if (path === "/health") {
    return healthy()
      ? new Response("ok\n")
      : new Response("stopping\n", { status: 503 });
  }
  if (path === "/status") return json(status(options));
  const section = /^\/status\/([a-z_]+)$/.exec(path)?.[1];
  const read = section ? options.sections?.[section] : undefined;
  if (read) return json(read() ?? null);
  return new Response(`no such path "${path}"\n`, { status: 404 });
}

function status(options: AdminOptions): Record<string, unknown> {
  const { host } = options;
  const sections = Object.entries(options.sections ?? {})
    .map(([name, read]) => [name, read() ?? null]);
  return {
    host: {
      id: host.id,
      version: options.version,
      uptime_ms: Math.round(host.uptimeMs),
      labels: host.labels,
      actors: host.actors().map((claims) => ({
        key: claims.subject,
        name: claims.name ?? null,
        revision: claims.rev ?? null,
        instances: host.actor(claims.subject)?.instances ?? 0,
      })),
      providers: host.providers().map((provider) => ({
        capability_id: provider.capabilityId,
        binding: provider.binding,
      })),
      bindings: host.bindings().length,
    },
    ...Object.fromEntries(sections),
  };
}

function json(value: unknown): Response {
  return new Response(JSON.stringify(value) + "\n", {
    headers: { "content-type": "application/json" },
  });
}
