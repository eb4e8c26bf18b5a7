/**
 * `trellis ctl`: steers a lattice from anywhere NATS reaches. Commands
 * are signed with `--signer SEEDFILE` (an account or operator seed the
 * hosts trust through `--ctl-issuer`). Results go to standard output,
 * as text or with `--json` as one JSON document; progress lines of
 * uploads and rolling updates go to standard error.
 *
 * @module
 */
import { type CliIo, EXIT_FAILURE, EXIT_OK } from "../runtime/cli_io.ts";
import { readSeedFile } from "../runtime/cli_files.ts";
import {
  checkLatticeName,
  CONNECTION_FLAGS,
  parseConnectionFlags,
} from "../runtime/cli_lattice.ts";
import { CONTROL_SIGNER_KINDS } from "../runtime/control_token.ts";
import {
  type ParsedFlags,
  parseDuration,
  parseFlags,
  UsageError,
} from "../runtime/flags.ts";
import type { ActionParser } from "./ctl_action.ts";
import {
  moveAction,
  scaleAction,
  startAction,
  stopAction,
  updateAction,
} from "./ctl_actor_actions.ts";
import { CtlClient, type CtlClientOptions } from "./ctl_client.ts";
import {
  bindAction,
  eventsAction,
  hostAction,
  hostsAction,
  inventoryAction,
  labelAction,
  providerAction,
  putAction,
  unbindAction,
} from "./ctl_lattice_actions.ts";

const CTL_FLAGS = {
  ...CONNECTION_FLAGS,
  signer: "string",
  json: "boolean",
  timeout: "string",
  wait: "string",
  host: "string",
  constraint: "list",
  instances: "string",
  actor: "string",
  force: "boolean",
  from: "string",
  to: "string",
  module: "string",
  binding: "string",
  value: "list",
  delete: "list",
  count: "string",
  for: "string",
} as const;

const ACTIONS: Record<string, ActionParser> = {
  hosts: hostsAction,
  inventory: inventoryAction,
  start: startAction,
  stop: stopAction,
  scale: scaleAction,
  update: updateAction,
  move: moveAction,
  provider: providerAction,
  bind: bindAction,
  unbind: unbindAction,
  label: labelAction,
  put: putAction,
  events: eventsAction,
  host: hostAction,
};

/** The usage text of `trellis ctl`, for the binary's help. */
export const CTL_USAGE =
  `  trellis ctl COMMAND [--nats URL[,URL]...] [--lattice NAME]
             [--creds FILE | --nats-nkey SEEDFILE] [--tls-ca FILE]
             [--signer SEEDFILE] [--json] [--timeout D] [--wait D]
    hosts | inventory [--host ID]
    start MODULE [--host ID | --constraint k=v...] [--instances N]
    stop ACTOR [--host ID]          scale ACTOR N [--host ID]
    update MODULE [--actor KEY] [--force]
    move ACTOR [--to ID | --constraint k=v...] [--from ID] [--module REF]
    provider start|stop CAPID [--binding NAME] [--host ID]
    bind|unbind ACTOR CAPID [--binding NAME] [--value k=v]... [--host ID]
    label HOST [k=v]... [--delete KEY]...
    put FILE.wasm                   events [--count N] [--for D]
    host stop HOST
             MODULE is a path on the host or sha256:HASH from "put"`;

/** Runs `trellis ctl`; `args` follow the word `ctl`. */
export async function runCtl(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, CTL_FLAGS);
  const [verb, ...rest] = flags.positionals;
  if (verb === undefined) {
    throw new UsageError(
      `"trellis ctl" needs a command: ${Object.keys(ACTIONS).join(", ")}`,
    );
  }
  const parse = ACTIONS[verb];
  if (!parse) throw new UsageError(`Unknown ctl command "${verb}"`);
  const action = parse(rest, flags);
  const client = await CtlClient.connect(await clientOptions(flags));
  try {
    const json = flags.booleans.has("json");
    const outcome = await action({
      client,
      io,
      json,
      progress: (line) => io.err(line),
    });
    if (json && outcome.json !== undefined) {
      io.out(JSON.stringify(outcome.json, null, 2));
    }
    if (!json) outcome.lines.forEach((line) => io.out(line));
    return outcome.ok === false ? EXIT_FAILURE : EXIT_OK;
  } finally {
    await client.close();
  }
}

async function clientOptions(flags: ParsedFlags): Promise<CtlClientOptions> {
  const { strings } = flags;
  const nats = parseConnectionFlags(strings);
  checkLatticeName(strings.lattice);
  const signer = strings.signer === undefined
    ? undefined
    : await readSeedFile(strings.signer, "signer", CONTROL_SIGNER_KINDS);
  return {
    nats,
    namespace: strings.lattice,
    signer,
    timeoutMs: parseDuration(strings.timeout ?? "30s", "--timeout"),
    waitMs: parseDuration(strings.wait ?? "500ms", "--wait"),
  };
}
