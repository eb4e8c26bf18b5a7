/**
 * Helpers for the control suites: signed requests over any bus, and the
 * `trellis ctl` command line against a real server.
 */
import type { Bus } from "../runtime/bus.ts";
import { readAnswer } from "../runtime/control_commands.ts";
import {
  ControlSubjects,
  type HostCommand,
} from "../runtime/control_subjects.ts";
import { CONTROL_TOKEN_HEADER, signCommand } from "../runtime/control_token.ts";
import type { KeyPair } from "../runtime/ed25519.ts";
import { type CliResult, runCli } from "./cli_harness.ts";

/** Sends control requests on a bus, signed by `signer` when given. */
export class ControlCaller {
  readonly subjects: ControlSubjects;
  readonly #bus: Bus;
  readonly #signer?: KeyPair;

  constructor(bus: Bus, signer?: KeyPair, prefix = "wasmbus") {
    this.#bus = bus;
    this.#signer = signer;
    this.subjects = new ControlSubjects(prefix);
  }

  /** Sends a command to one host and returns its decoded answer. */
  async command(
    hostId: string,
    command: HostCommand,
    body: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    return await this.request(this.subjects.host(hostId, command), body);
  }

  /** Sends a request to `subject`; returns the first answer. */
  async request(
    subject: string,
    body: Record<string, unknown>,
    token?: string,
  ): Promise<Record<string, unknown>> {
    const payload = new TextEncoder().encode(JSON.stringify(body));
    const signed = token ?? await this.token(subject, payload);
    const reply = await this.#bus.request(subject, payload, {
      timeoutMs: 10_000,
      headers: signed ? { [CONTROL_TOKEN_HEADER]: signed } : undefined,
    });
    return readAnswer(reply.payload) as Record<string, unknown>;
  }

  /** Publishes to `subject` and collects answers for `ms`. */
  async gather(
    subject: string,
    body: Record<string, unknown>,
    ms = 200,
  ): Promise<Record<string, unknown>[]> {
    const inbox = `_INBOX.test.${crypto.randomUUID()}`;
    const answers: Record<string, unknown>[] = [];
    const subscription = this.#bus.subscribe(inbox, (message) => {
      answers.push(readAnswer(message.payload) as Record<string, unknown>);
    });
    const payload = new TextEncoder().encode(JSON.stringify(body));
    const token = await this.token(subject, payload);
    this.#bus.publish(subject, payload, {
      reply: inbox,
      headers: token ? { [CONTROL_TOKEN_HEADER]: token } : undefined,
    });
    await new Promise((resolve) => setTimeout(resolve, ms));
    subscription.unsubscribe();
    return answers;
  }

  /** A token for `payload` on `subject`, when there is a signer. */
  async token(
    subject: string,
    payload: Uint8Array,
  ): Promise<string | undefined> {
    return this.#signer && await signCommand(subject, payload, this.#signer);
  }
}

/** Runs `trellis ctl ARGS… --nats URL [--signer FILE]`. */
export async function ctl(
  nats: string,
  signerFile: string | undefined,
  args: string[],
): Promise<CliResult> {
  return await runCli([
    "ctl",
    ...args,
    "--nats",
    nats,
    ...(signerFile ? ["--signer", signerFile] : []),
  ]);
}

/** Runs `trellis ctl … --json` and parses what it printed; throws on exit. */
export async function ctlJson(
  nats: string,
  signerFile: string | undefined,
  args: string[],
): Promise<Record<string, unknown>> {
  const result = await ctl(nats, signerFile, [...args, "--json"]);
  if (result.code !== 0) {
    throw new Error(
      `trellis ctl ${args.join(" ")} exited ${result.code}: ${result.stderr}`,
    );
  }
  return JSON.parse(result.stdout);
}
