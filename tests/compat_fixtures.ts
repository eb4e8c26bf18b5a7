/**
 * The hand-written waSCC-era actors of tests/fixtures/compat, compiled,
 * signed and started on a real host.
 */
import { httpServerProvider } from "../providers/http_server.ts";
import { keyValueProvider } from "../providers/keyvalue.ts";
import type { Host } from "../runtime/host.ts";
import type { LogFields, Logger } from "../runtime/logger.ts";
import { freePort } from "./http_server_harness.ts";
import { testHost } from "./host_helpers.ts";
import { signActor, type SignedModule } from "./sign.ts";
import { wat } from "./wat.ts";

const HTTP_SERVER = "wascc:http_server";
const KEYVALUE = "wascc:keyvalue";

/** The binary of `tests/fixtures/compat/<name>.wat`. */
export async function compatModule(
  name: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const url = new URL(`./fixtures/compat/${name}.wat`, import.meta.url);
  return wat(await Deno.readTextFile(url));
}

/** How a fixture is signed and started. */
export interface FixtureOptions {
  /** Capabilities its claims list (default none). */
  caps?: string[];
  /** Instances in its pool (default 1). */
  instances?: number;
}

/** Signs a fixture as a new actor and starts it. */
export async function startFixture(
  host: Host,
  name: string,
  { caps = [], instances = 1 }: FixtureOptions = {},
): Promise<SignedModule> {
  const actor = await signActor(await compatModule(name), { caps, name });
  await host.startActor(actor.bytes, { source: `${name}.wat`, instances });
  return actor;
}

/** A line the recording logger received. */
export interface LogLine {
  level: string;
  message: string;
  fields: LogFields;
}

/** A logger that keeps every line, with the fields of its parents. */
export function recordingLogger(
  lines: LogLine[] = [],
  inherited: LogFields = {},
): Logger {
  const record = (level: string) => (message: string, fields = {}) => {
    lines.push({ level, message, fields: { ...inherited, ...fields } });
  };
  return {
    error: record("error"),
    warn: record("warn"),
    info: record("info"),
    debug: record("debug"),
    trace: record("trace"),
    child: (fields) => recordingLogger(lines, { ...inherited, ...fields }),
  };
}

/** A host running the HTTP server provider, logging into `lines`. */
export async function httpHost(lines: LogLine[] = []): Promise<Host> {
  const host = await testHost({ logger: recordingLogger(lines) });
  await host.startProvider(httpServerProvider);
  return host;
}

/** Starts a fixture and serves it on a free port of 127.0.0.1. */
export async function serveFixture(
  host: Host,
  name: string,
): Promise<{ actor: SignedModule; base: string }> {
  const actor = await startFixture(host, name, { caps: [HTTP_SERVER] });
  const port = freePort();
  await host.bind(actor.key, HTTP_SERVER, "default", {
    PORT: String(port),
    HOST: "127.0.0.1",
  });
  return { actor, base: `http://127.0.0.1:${port}` };
}

/** A host with the key-value provider, for actors bound with STORE memory. */
export async function keyValueHost(): Promise<Host> {
  const host = await testHost();
  await host.startProvider(keyValueProvider);
  return host;
}

/** Starts a fixture claiming wascc:keyvalue, bound to "default" in memory. */
export async function startKeyValueFixture(
  host: Host,
  name: string,
): Promise<SignedModule> {
  const actor = await startFixture(host, name, { caps: [KEYVALUE] });
  await host.bind(actor.key, KEYVALUE, "default", { STORE: "memory" });
  return actor;
}

/** The status, headers and body bytes of a GET to `url`. */
export async function get(url: string) {
  const response = await fetch(url);
  const body = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body };
}
