/**
 * Helpers for the reload suites: builds of one actor identity, manifests
 * written to a temporary directory, log lines read back, and a steady
 * HTTP load that records every reply.
 */
import { join } from "node:path";
import type { KeyPair } from "../runtime/ed25519.ts";
import { generateKeyPair } from "../runtime/ed25519.ts";
import type { LogFields, Logger } from "../runtime/logger.ts";
import { testActor } from "./actors.ts";
import type { CliProcess } from "./cli_harness.ts";
import { signActor } from "./sign.ts";
import { wat } from "./wat.ts";

const COUNTER_CAPS = ["wascc:http_server", "wascc:keyvalue"];

/** Two builds of the counter signed as one actor, and a broken third. */
export interface CounterBuilds {
  key: string;
  subject: KeyPair;
  /** `examples/counter`: replies `{"count":N}`. */
  plain: Uint8Array;
  /** `tests/actors/counter_next`: replies `{"count":N,"build":"next"}`. */
  next: Uint8Array;
  /** A module of the same identity whose `_start` traps. */
  trapping: Uint8Array;
}

/** Builds and signs the counter builds with one subject key. */
export async function counterBuilds(): Promise<CounterBuilds> {
  const subject = await generateKeyPair("module");
  const sign = async (bytes: Uint8Array) =>
    (await signActor(bytes, { subject, name: "counter", caps: COUNTER_CAPS }))
      .bytes;
  return {
    key: subject.publicKey,
    subject,
    plain: await sign(await testActor("counter")),
    next: await sign(await testActor("counter_next")),
    trapping: await sign(await trappingModule()),
  };
}

/** A waPC guest whose `_start` traps, unsigned. */
export function trappingModule(): Promise<Uint8Array<ArrayBuffer>> {
  return wat(`(module
    (memory (export "memory") 1)
    (func (export "_start") unreachable)
    (func (export "__guest_call") (param i32 i32) (result i32)
      (i32.const 0)))`);
}

/**
 * `bytes` with one more custom section: another module hash, the same
 * behaviour.
 */
export function withCustomSection(
  bytes: Uint8Array,
  name: string,
): Uint8Array {
  const encodedName = new TextEncoder().encode(name);
  if (encodedName.length > 100) throw new RangeError("name too long");
  const section = [0, encodedName.length + 1, encodedName.length];
  const out = new Uint8Array(
    bytes.length + section.length + encodedName.length,
  );
  out.set(bytes);
  out.set(section, bytes.length);
  out.set(encodedName, bytes.length + section.length);
  return out;
}

/** A file beside the manifest; returns its path. */
export async function writeFile(
  dir: string,
  name: string,
  bytes: Uint8Array,
): Promise<string> {
  const path = join(dir, name);
  await Deno.writeFile(path, bytes);
  return path;
}

/** A line the recording logger received. */
export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A logger that keeps every line. */
export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const make = (fields: LogFields): Logger => {
    const line = (level: string) => (msg: string, extra: LogFields = {}) =>
      void lines.push({ ...fields, ...extra, level, msg });
    return {
      error: line("error"),
      warn: line("warn"),
      info: line("info"),
      debug: line("debug"),
      trace: line("trace"),
      child: (more) => make({ ...fields, ...more }),
    };
  };
  return { logger: make({}), lines };
}

/** The JSON log lines a `trellis up --log-format json` wrote so far. */
export function logLines(process: CliProcess): LogLine[] {
  return process.stderr.split("\n").filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);
}

/** Waits until `count` log lines match; returns the matching lines. */
export async function waitForLogs(
  process: CliProcess,
  matches: (line: LogLine) => boolean,
  count: number,
  timeoutMs = 20_000,
): Promise<LogLine[]> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const found = logLines(process).filter(matches);
    if (found.length >= count) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out waiting for ${count} log lines; stderr:\n` +
          process.stderr.slice(-4000),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What a counter reply said. */
export interface CounterReply {
  count: number;
  build?: string;
}

/** Requests in parallel loops until stopped; records replies and failures. */
export class HttpLoad {
  readonly replies: CounterReply[] = [];
  readonly failures: string[] = [];
  #stopped = false;
  #loops: Promise<void>[];

  /** Starts `loops` loops against `url`, each ending at a limit. */
  constructor(
    url: string,
    loops: number,
    limits: { requests: number; ms: number },
  ) {
    const until = Date.now() + limits.ms;
    const more = () =>
      !this.#stopped && Date.now() < until &&
      this.replies.length + this.failures.length < limits.requests;
    this.#loops = Array.from({ length: loops }, async () => {
      while (more()) await this.#request(url);
    });
  }

  /** Stops the loops and waits for their last requests. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#loops);
  }

  /** Resolves once `count` more replies than now have come. */
  async waitForReplies(count: number, timeoutMs = 10_000): Promise<void> {
    const target = this.replies.length + count;
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < target) {
      if (Date.now() > deadline) throw new Error("Too few replies");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async #request(url: string): Promise<void> {
    try {
      const response = await fetch(url);
      const body = await response.text();
      if (response.status !== 200) {
        this.failures.push(`status ${response.status}: ${body}`);
        return;
      }
      this.replies.push(JSON.parse(body) as CounterReply);
    } catch (error) {
      this.failures.push(error instanceof Error ? error.message : `${error}`);
    }
  }
}

/**
 * A manifest running the counter from `file` behind HTTP on `port`, its
 * key-value store the provider's default (SQLite) or `memory`.
 */
export function counterManifest(
  file: string,
  key: string,
  port: number,
  store?: "memory",
): string {
  return [
    "actors:",
    `  - ./${file}`,
    "capabilities:",
    '  - id: "wascc:http_server"',
    '  - id: "wascc:keyvalue"',
    "bindings:",
    `  - actor: ${key}`,
    '    capability: "wascc:http_server"',
    `    values: { HOST: 127.0.0.1, PORT: "${port}" }`,
    `  - actor: ${key}`,
    '    capability: "wascc:keyvalue"',
    ...(store ? [`    values: { STORE: ${store} }`] : []),
    "",
  ].join("\n");
}
