/**
 * The actor commands of `trellis ctl`: start (on a host or by auction),
 * stop, scale, rolling update and move.
 *
 * @module
 */
import { readClaims } from "../runtime/claims.ts";
import { UsageError } from "../runtime/flags.ts";
import { parseModuleRef } from "../runtime/module_source.ts";
import { messageOf } from "../runtime/wapc_instance.ts";
import {
  type ActionParser,
  constraintsOf,
  countOf,
  hostOrConstraints,
  positionals,
  said,
} from "./ctl_action.ts";
import type { CtlClient } from "./ctl_client.ts";
import { rollingUpdate } from "./ctl_rolling_update.ts";
import { chooseHost, hostOf, hostsRunning, moveActor } from "./ctl_steer.ts";

/** `start MODULE [--host ID | --constraint k=v…] [--instances N]`. */
export const startAction: ActionParser = (args, flags) => {
  const [module] = positionals(args, ["module"], "start");
  checkModule(module);
  const choice = hostOrConstraints(flags);
  const instances = countOf(flags.strings.instances ?? "1", "--instances");
  return async ({ client }) => {
    const actor = await actorOfModule(client, module);
    const host = await chooseHost(client, { ...choice, actor });
    const result = await client.command(host, "actor.launch", {
      module,
      instances,
    });
    const name = result.name ? ` (${result.name})` : "";
    return said(
      `started ${result.actor}${name} on ${host} from ${result.from}`,
      { host, ...result },
    );
  };
};

/** `stop ACTOR [--host ID]`: on that host, or on every host running it. */
export const stopAction: ActionParser = (args, flags) => {
  const [actor] = positionals(args, ["actor"], "stop");
  const given = flags.strings.host;
  return async ({ client }) => {
    const hosts = given
      ? [given]
      : (await hostsRunning(client, actor)).map((found) => found.host);
    if (hosts.length === 0) {
      throw new Error(`Cannot stop actor "${actor}": no host runs it`);
    }
    for (const host of hosts) {
      await client.command(host, "actor.terminate", { actor });
    }
    return {
      lines: hosts.map((host) => `stopped ${actor} on ${host}`),
      json: { actor, hosts },
    };
  };
};

/** `scale ACTOR N [--host ID]`. */
export const scaleAction: ActionParser = (args, flags) => {
  const [actor, count] = positionals(args, ["actor", "n"], "scale");
  const instances = countOf(count, "instance count");
  return async ({ client }) => {
    const host = await hostOf(client, actor, flags.strings.host, "--host");
    await client.command(host, "actor.scale", { actor, instances });
    return said(`scaled ${actor} on ${host} to ${instances}`, {
      actor,
      host,
      instances,
    });
  };
};

/** `update MODULE [--actor KEY] [--force]`: every host, one at a time. */
export const updateAction: ActionParser = (args, flags) => {
  const [module] = positionals(args, ["module"], "update");
  checkModule(module);
  const force = flags.booleans.has("force");
  return async ({ client, progress }) => {
    const actor = flags.strings.actor ??
      await actorOfModule(client, module);
    if (!actor) {
      throw new UsageError(
        `Cannot tell which actor "${module}" is: give --actor KEY`,
      );
    }
    const result = await rollingUpdate(
      client,
      { actor, module, force },
      progress,
    );
    const lines = result.steps.map((step) =>
      `${step.status.replace("_", " ")} ${actor} on ${step.host}` +
      (step.error ? `: ${step.error}` : ` in ${step.ms} ms`)
    );
    return { lines, json: result, ok: result.complete };
  };
};

/** `move ACTOR (--to ID | --constraint k=v…) [--from ID] [--module REF]`. */
export const moveAction: ActionParser = (args, flags) => {
  const [actor] = positionals(args, ["actor"], "move");
  const constraints = constraintsOf(flags);
  if (flags.strings.to && Object.keys(constraints).length > 0) {
    throw new UsageError("Use --to or --constraint, not both");
  }
  const module = flags.strings.module;
  if (module) checkModule(module);
  return async ({ client, progress }) => {
    const result = await moveActor(client, {
      actor,
      from: flags.strings.from,
      to: flags.strings.to,
      constraints,
      module,
    }, progress);
    return said(
      `moved ${actor} from ${result.from} to ${result.to} in ${result.ms} ms`,
      result,
    );
  };
};

function checkModule(module: string): void {
  try {
    parseModuleRef(module);
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
}

// The actor a module is, read from the file when this machine has it or
// from the store: auctions skip hosts running it, updates find its hosts.
async function actorOfModule(
  client: CtlClient,
  module: string,
): Promise<string | undefined> {
  const ref = parseModuleRef(module);
  try {
    const bytes = ref.kind === "file"
      ? await Deno.readFile(ref.path)
      : await (await client.moduleStore()).download(ref.hash);
    return readClaims(bytes).subject;
  } catch {
    return undefined;
  }
}
