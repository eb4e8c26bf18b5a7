/**
 * `trellis status` and `trellis outbox status`: what a running host says
 * about itself through its local admin endpoint, which works with no
 * network. Text for people, `--json` for scripts.
 *
 * @module
 */
import { adminGet, type AdminTarget } from "./admin_client.ts";
import { adminSocketPath } from "./admin_server.ts";
import { type CliIo, EXIT_FAILURE, EXIT_OK } from "./cli_io.ts";
import { defaultDataDir } from "./cli_up.ts";
import { type ParsedFlags, parseFlags, UsageError } from "./flags.ts";

const STATUS_FLAGS = {
  "data-dir": "string",
  admin: "string",
  json: "boolean",
  follow: "boolean",
} as const;

/** Runs `trellis status`; `args` follow the word `status`. */
export async function runStatus(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, STATUS_FLAGS);
  noPositionals(flags);
  const answer = await adminGet(targetOf(flags), "/status");
  if (answer.status !== 200) {
    io.err(`Cannot read the host's status: ${answer.body.trim()}`);
    return EXIT_FAILURE;
  }
  if (flags.booleans.has("json")) {
    io.out(answer.body.trim());
    return EXIT_OK;
  }
  for (const line of statusLines(JSON.parse(answer.body))) io.out(line);
  return EXIT_OK;
}

/**
 * Runs `trellis outbox status`; `args` follow the word `outbox`. With
 * `--follow` it prints a progress line every second until the backlog
 * has drained.
 */
export async function runOutbox(args: string[], io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  if (action !== "status") {
    throw new UsageError(`Unknown outbox command "${action ?? ""}"`);
  }
  const flags = parseFlags(rest, STATUS_FLAGS);
  noPositionals(flags);
  const target = targetOf(flags);
  const read = async () => {
    const answer = await adminGet(target, "/status/outbox");
    if (answer.status === 404) return null;
    if (answer.status !== 200) {
      throw new Error(`Cannot read the outbox: ${answer.body.trim()}`);
    }
    return JSON.parse(answer.body) as OutboxStatus | null;
  };
  let outbox = await read();
  if (!outbox) {
    io.err("This host has no outbox: start it with --upstream SUBJECT");
    return EXIT_FAILURE;
  }
  if (flags.booleans.has("json")) {
    io.out(JSON.stringify(outbox));
    return EXIT_OK;
  }
  io.out(outboxLine(outbox));
  if (!flags.booleans.has("follow")) return EXIT_OK;

  const start = { depth: outbox.depth, at: performance.now() };
  while (outbox && outbox.depth > 0) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    outbox = await read();
    if (outbox) io.err(progressLine(outbox, start));
  }
  io.out("outbox drained");
  return EXIT_OK;
}

/** What the admin endpoint says of the outbox. */
export interface OutboxStatus {
  depth: number;
  bytes: number;
  oldestAgeMs: number | null;
  dropped: number;
  sent: number;
  state: string;
}

function targetOf(flags: ParsedFlags): AdminTarget {
  const admin = flags.strings.admin;
  if (admin !== undefined) {
    const match = /^([^:]+):(\d+)$/.exec(admin);
    if (!match) {
      throw new UsageError(`Invalid --admin "${admin}": expected HOST:PORT`);
    }
    return { hostname: match[1], port: Number(match[2]) };
  }
  const dataDir = flags.strings["data-dir"] ?? defaultDataDir();
  return { socketPath: adminSocketPath(dataDir) };
}

function noPositionals(flags: ParsedFlags): void {
  if (flags.positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${flags.positionals[0]}"`);
  }
}

interface StatusJson {
  host: {
    id: string;
    version: string;
    uptime_ms: number;
    actors: { key: string; name: string | null; instances: number }[];
    providers: { capability_id: string; binding: string }[];
    bindings: number;
  };
  link?: {
    state: string;
    server?: string;
    upstream?: string;
    upstream_reason?: string;
  } | null;
  outbox?: OutboxStatus | null;
}

function statusLines(status: StatusJson): string[] {
  const { host, link, outbox } = status;
  const actors = host.actors.map((actor) =>
    `${actor.name ?? actor.key} ×${actor.instances}`
  );
  const providers = host.providers.map((provider) =>
    provider.binding === "default"
      ? provider.capability_id
      : `${provider.capability_id} "${provider.binding}"`
  );
  const lines = [
    `host      ${host.id} (${host.version}), up ${age(host.uptime_ms)}`,
    `link      ${linkText(link)}`,
    `actors    ${actors.length ? actors.join(", ") : "none"}`,
    `providers ${providers.length ? providers.join(", ") : "none"}`,
    `bindings  ${host.bindings}`,
  ];
  if (outbox) lines.push(`outbox    ${outboxLine(outbox)}`);
  return lines;
}

function linkText(link: StatusJson["link"]): string {
  if (!link) return "standalone";
  const parts = [link.state];
  if (link.server) parts.push(link.server);
  if (link.upstream) {
    const reason = link.upstream_reason ? `: ${link.upstream_reason}` : "";
    parts.push(`(upstream ${link.upstream}${reason})`);
  }
  return parts.join(" ");
}

function outboxLine(outbox: OutboxStatus): string {
  const oldest = outbox.oldestAgeMs === null || outbox.depth === 0
    ? ""
    : `, oldest ${age(outbox.oldestAgeMs)}`;
  return `${outbox.depth} waiting (${size(outbox.bytes)}${oldest}), ` +
    `${outbox.sent} sent, ${outbox.dropped} dropped, ${outbox.state}`;
}

function progressLine(
  outbox: OutboxStatus,
  start: { depth: number; at: number },
): string {
  const seconds = (performance.now() - start.at) / 1000;
  const done = Math.max(0, start.depth - outbox.depth);
  const rate = seconds > 0 ? Math.round(done / seconds) : 0;
  const percent = start.depth > 0 ? Math.floor(100 * done / start.depth) : 100;
  return `draining: ${percent}% (${outbox.depth} left, ${rate}/s)`;
}

function age(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
