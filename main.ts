/**
 * The trellis command line and binary entry. Results and the ready line go
 * to standard output, logs and errors to standard error.
 *
 * Exit codes: 0 ok, 1 failure, 2 usage.
 *
 * @module
 */
import { runClaims } from "./runtime/cli_claims.ts";
import {
  type CliIo,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
} from "./runtime/cli_io.ts";
import { runKeys } from "./runtime/cli_keys.ts";
import { runOutbox, runStatus } from "./runtime/cli_status.ts";
import { CTL_USAGE, runCtl } from "./leaf/cli_ctl.ts";
import { connectModuleStore } from "./leaf/module_store.ts";
import { LEAF_USAGE, runLeaf } from "./leaf/cli_leaf.ts";
import { connectNats } from "./leaf/nats_connector.ts";
import { openUpstream } from "./leaf/outbox_open.ts";
import { runUp } from "./runtime/cli_up.ts";
import { UsageError } from "./runtime/flags.ts";
import { messageOf } from "./runtime/wapc_instance.ts";

/** The version this build reports. */
export const VERSION = "0.1.0";

const USAGE = `trellis ${VERSION}: signed WebAssembly actors at the edge

Usage:
  trellis up [--manifest FILE [--watch] | --example NAME] [--data-dir DIR]
             [--label k=v]...
             [--allow-issuer KEY]... [--deadline D] [--max-memory M]
             [--queue-limit N]
             [--log-level L] [--log-format json|text] [--admin HOST:PORT]
             [--standalone | --nats URL[,URL]... [--lattice NAME]
              [--creds FILE | --nats-nkey SEEDFILE] [--tls-ca FILE]
              [--tls-cert FILE --tls-key FILE] [--rpc-timeout D]
              [--trusted-host KEY]... [--heartbeat D] [--ctl-issuer KEY]...
              [--leaf-monitor URL|none]]
             [--upstream SUBJECT]... [--outbox-max-bytes N]
             [--outbox-max-age D] [--outbox-when-full reject|drop-oldest]
             [--outbox-sync normal|full]
             Joins the lattice at --nats (default nats://127.0.0.1:4222)
             whenever it answers, serving locally meanwhile; the leaf
             node's monitor (default http://127.0.0.1:8222 without --nats)
             tells whether the hub beyond it is reachable.
             SIGHUP reloads the manifest and applies what changed;
             --watch does so whenever the file changes
${CTL_USAGE}
  trellis status [--data-dir DIR | --admin HOST:PORT] [--json]
  trellis outbox status [--data-dir DIR | --admin HOST:PORT] [--json]
             [--follow]
  trellis claims inspect FILE.wasm [--json]
  trellis claims sign IN.wasm -o OUT.wasm --issuer SEEDFILE
             --subject SEEDFILE --name NAME [--cap ID]... [--tag T]...
             [--rev N] [--ver V] [--expires-in D] [--not-before D]
             [--provider] [--json]
  trellis keys gen account|module|service|server [--json]
             [-o SEEDFILE [--force]]
  ${LEAF_USAGE}
  trellis --version`;

const encoder = new TextEncoder();

const processIo: CliIo = {
  out: (line) => Deno.stdout.writeSync(encoder.encode(line + "\n")),
  err: (line) => Deno.stderr.writeSync(encoder.encode(line + "\n")),
  errIsTerminal: Deno.stderr.isTerminal(),
};

/** Runs one command line and returns its exit code. */
export async function main(args: string[], io = processIo): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "up":
        return await runUp(rest, io, {
          connect: connectNats,
          moduleStore: connectModuleStore,
          openUpstream,
          version: `trellis ${VERSION}`,
        });
      case "ctl":
        return await runCtl(rest, io);
      case "leaf":
        return await runLeaf(rest, io);
      case "claims":
        return await runClaims(rest, io);
      case "keys":
        return await runKeys(rest, io);
      case "status":
        return await runStatus(rest, io);
      case "outbox":
        return await runOutbox(rest, io);
      case "--version":
      case "version":
        io.out(`trellis ${VERSION}`);
        return EXIT_OK;
      case undefined:
        io.err(USAGE);
        return EXIT_USAGE;
      case "help":
      case "--help":
      case "-h":
        io.out(USAGE);
        return EXIT_OK;
      default:
        throw new UsageError(`Unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      io.err(`Run "trellis help" for usage`);
      return EXIT_USAGE;
    }
    io.err(messageOf(error));
    return EXIT_FAILURE;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
