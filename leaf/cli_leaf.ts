/**
 * `trellis leaf config`: writes the nats-server configuration of a
 * device's leaf node, or with `--hub-side` the hub's part of the bridge.
 *
 * @module
 */
import { type CliIo, EXIT_OK } from "../runtime/cli_io.ts";
import { parseFlags, UsageError } from "../runtime/flags.ts";
import {
  deviceLeafConfig,
  hubLeafConfig,
  type LeafConfigOptions,
} from "./leaf_config.ts";

/** The usage lines of `trellis leaf`, for the CLI's help. */
export const LEAF_USAGE = `trellis leaf config --hub URL [--hub-side] [-o FILE]
             [--creds FILE] [--account NAME] [--listen HOST:PORT]
             [--monitor HOST:PORT|none]
             [--tls-ca FILE] [--tls-cert FILE --tls-key FILE]
             [--jetstream-domain NAME [--jetstream-store DIR]]
             [--export S]... [--export-service S]... [--import S]...
             [--import-service S]... [--no-defaults] [--lattice NAME]`;

const FLAGS = {
  hub: "string",
  "hub-side": "boolean",
  creds: "string",
  account: "string",
  "tls-ca": "string",
  "tls-cert": "string",
  "tls-key": "string",
  listen: "string",
  monitor: "string",
  "jetstream-domain": "string",
  "jetstream-store": "string",
  export: "list",
  "export-service": "list",
  import: "list",
  "import-service": "list",
  lattice: "string",
  "no-defaults": "boolean",
  output: "string",
} as const;

/** Runs `trellis leaf …`; `args` follow the word `leaf`. */
export async function runLeaf(args: string[], io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  if (action !== "config") {
    throw new UsageError(`Unknown leaf command "${action ?? ""}"`);
  }
  const flags = parseFlags(rest, FLAGS, { o: "output" });
  const hub = flags.strings.hub;
  if (hub === undefined || flags.positionals.length > 0) {
    throw new UsageError(`Usage: ${LEAF_USAGE}`);
  }

  const text = configText(flags.booleans.has("hub-side"), {
    hub,
    creds: flags.strings.creds,
    account: flags.strings.account,
    tlsCa: flags.strings["tls-ca"],
    tlsCert: flags.strings["tls-cert"],
    tlsKey: flags.strings["tls-key"],
    listen: flags.strings.listen,
    monitor: flags.strings.monitor,
    jetstreamDomain: flags.strings["jetstream-domain"],
    jetstreamStore: flags.strings["jetstream-store"],
    exports: flags.lists.export,
    exportServices: flags.lists["export-service"],
    imports: flags.lists.import,
    importServices: flags.lists["import-service"],
    lattice: flags.strings.lattice,
    noDefaults: flags.booleans.has("no-defaults"),
  });

  const output = flags.strings.output;
  if (output === undefined) {
    io.out(text.trimEnd());
  } else {
    await writeConfig(output, text);
    io.out(`wrote ${output}`);
  }
  return EXIT_OK;
}

// A bad option is bad usage: the builders name it in a TypeError.
function configText(hubSide: boolean, options: LeafConfigOptions): string {
  try {
    return hubSide ? hubLeafConfig(options) : deviceLeafConfig(options);
  } catch (error) {
    if (error instanceof TypeError) {
      throw new UsageError(error.message, { cause: error });
    }
    throw error;
  }
}

// The file may hold a password (the hub URL's, or the hub's list of leaf
// users), so only its owner may read it.
async function writeConfig(path: string, text: string): Promise<void> {
  try {
    await Deno.writeTextFile(path, text, { mode: 0o600 });
    await Deno.chmod(path, 0o600);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Cannot write leaf configuration "${path}": ${reason}`,
      { cause: error },
    );
  }
}
