/**
 * The other commands of `trellis ctl`: what the lattice runs (hosts,
 * inventory, events), providers, bindings, labels, uploads and stopping
 * a host.
 *
 * @module
 */
import { basename } from "node:path";
import { readBody } from "../runtime/control_commands.ts";
import { parseDuration, parsePairs, UsageError } from "../runtime/flags.ts";
import {
  type ActionParser,
  countOf,
  hostOrConstraints,
  type Outcome,
  positionals,
  said,
} from "./ctl_action.ts";
import {
  formatBytes,
  formatEvent,
  formatHosts,
  formatInventory,
  type HostInventory,
} from "./ctl_format.ts";
import { hostsRunning } from "./ctl_steer.ts";

/** `hosts`: every host, its uptime, link and labels. */
export const hostsAction: ActionParser = (args) => {
  positionals(args, [], "hosts");
  return async ({ client }) => {
    const hosts = await client.inventory("hosts");
    return { lines: formatHosts(hosts), json: hosts };
  };
};

/** `inventory [--host ID]`: what each host runs. */
export const inventoryAction: ActionParser = (args, flags) => {
  positionals(args, [], "inventory");
  return async ({ client }) => {
    const [actors, bindings, capabilities] = await Promise.all([
      client.inventory("actors"),
      client.inventory("bindings"),
      client.inventory("capabilities"),
    ]);
    const hosts = new Set(
      [...actors, ...bindings, ...capabilities].map((answer) =>
        String(answer.host)
      ),
    );
    const inventories: HostInventory[] = [...hosts].sort()
      .filter((host) => !flags.strings.host || host === flags.strings.host)
      .map((host) => ({
        host,
        actors: actors.find((answer) => answer.host === host),
        bindings: bindings.find((answer) => answer.host === host),
        capabilities: capabilities.find((answer) => answer.host === host),
      }));
    return { lines: formatInventory(inventories), json: inventories };
  };
};

/** `provider start|stop CAPID [--binding NAME] [--host ID | …]`. */
export const providerAction: ActionParser = (args, flags) => {
  const [verb, capabilityId] = positionals(
    args,
    ["start|stop", "capid"],
    "provider",
  );
  if (verb !== "start" && verb !== "stop") {
    throw new UsageError(`Unknown provider command "${verb}": start or stop`);
  }
  const binding = flags.strings.binding ?? "default";
  const choice = hostOrConstraints(flags);
  if (verb === "stop" && !choice.host) {
    throw new UsageError('"trellis ctl provider stop" needs --host');
  }
  const body = { capability_id: capabilityId, binding_name: binding };
  return async ({ client }) => {
    let host = choice.host;
    if (!host) {
      const bids = await client.providerAuction(
        capabilityId,
        binding,
        choice.constraints,
      );
      if (bids.length === 0) {
        throw new Error(
          `Cannot start provider ${capabilityId} "${binding}": no host bids`,
        );
      }
      host = bids[0].host_id;
    }
    const command = verb === "start" ? "provider.launch" : "provider.terminate";
    await client.command(host, command, body);
    const done = verb === "start" ? "started" : "stopped";
    return said(`${done} ${capabilityId} "${binding}" on ${host}`, {
      host,
      ...body,
    });
  };
};

/** `bind ACTOR CAPID [--binding NAME] [--value k=v]… [--host ID]`. */
export const bindAction: ActionParser = (args, flags) =>
  bindingAction(args, flags, "bind");

/** `unbind ACTOR CAPID [--binding NAME] [--host ID]`. */
export const unbindAction: ActionParser = (args, flags) =>
  bindingAction(args, flags, "unbind");

function bindingAction(
  args: string[],
  flags: Parameters<ActionParser>[1],
  verb: "bind" | "unbind",
) {
  const [actor, capabilityId] = positionals(args, ["actor", "capid"], verb);
  const body = {
    actor,
    capability_id: capabilityId,
    binding_name: flags.strings.binding ?? "default",
    values: parsePairs(flags.lists.value, "--value"),
  };
  const command = verb === "bind" ? "binding.put" : "binding.delete";
  return async ({ client }: Parameters<ReturnType<ActionParser>>[0]) => {
    const hosts = flags.strings.host
      ? [flags.strings.host]
      : (await hostsRunning(client, actor)).map((found) => found.host);
    if (hosts.length === 0) {
      throw new Error(`Cannot ${verb} actor "${actor}": no host runs it`);
    }
    for (const host of hosts) await client.command(host, command, body);
    const done = verb === "bind" ? "bound" : "unbound";
    return {
      lines: hosts.map((host) =>
        `${done} ${actor} to ${capabilityId} "${body.binding_name}" on ${host}`
      ),
      json: { hosts, ...body },
    } satisfies Outcome;
  };
}

/** `label HOST [k=v]… [--delete KEY]…`. */
export const labelAction: ActionParser = (args, flags) => {
  if (args.length === 0) {
    throw new UsageError('"trellis ctl label" takes HOST and k=v pairs');
  }
  const [host, ...pairs] = args;
  const put = parsePairs(pairs, "label");
  const remove = flags.lists.delete ?? [];
  if (pairs.length === 0 && remove.length === 0) {
    throw new UsageError("Give k=v pairs to set or --delete KEY to remove");
  }
  return async ({ client }) => {
    for (const [key, value] of Object.entries(put)) {
      await client.command(host, "label.put", { key, value });
    }
    for (const key of remove) {
      await client.command(host, "label.delete", { key });
    }
    const changes = [
      ...Object.entries(put).map(([key, value]) => `${key}=${value}`),
      ...remove.map((key) => `-${key}`),
    ];
    return said(`labels of ${host}: ${changes.join(" ")}`, {
      host,
      put,
      deleted: remove,
    });
  };
};

/** `put FILE`: uploads a module to the store; prints its reference. */
export const putAction: ActionParser = (args) => {
  const [file] = positionals(args, ["file"], "put");
  return async ({ client, progress }) => {
    const bytes = await Deno.readFile(file).catch((error) => {
      throw new Error(`Cannot read module "${file}": ${error.message}`, {
        cause: error,
      });
    });
    const store = await client.moduleStore(true);
    const started = performance.now();
    let shown = -1;
    const result = await store.upload(bytes, basename(file), (sent, all) => {
      const quarter = Math.floor((sent / all) * 4);
      if (quarter === shown) return;
      shown = quarter;
      progress(
        `upload ${basename(file)}: ${formatBytes(sent)} of ` +
          `${formatBytes(all)} (${Math.round((sent / all) * 100)}%)`,
      );
    });
    const ms = Math.round(performance.now() - started);
    const module = `sha256:${result.hash}`;
    return {
      lines: [module],
      json: { module, ...result, ms },
    };
  };
};

/** `events [--count N] [--for D]`: follows the event stream. */
export const eventsAction: ActionParser = (args, flags) => {
  positionals(args, [], "events");
  const count = flags.strings.count === undefined
    ? Infinity
    : countOf(flags.strings.count, "--count");
  const forMs = flags.strings.for === undefined
    ? undefined
    : parseDuration(flags.strings.for, "--for");
  return async ({ client, io, json, progress }) => {
    let seen = 0;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => finish = resolve);
    const subscription = await client.events((message) => {
      let event: Record<string, unknown>;
      try {
        event = readBody(message.payload);
      } catch {
        return;
      }
      io.out(json ? JSON.stringify(event) : formatEvent(event));
      if (++seen >= count) finish();
    });
    progress(`following ${client.subjects.events}`);
    const timer = forMs === undefined ? undefined : setTimeout(finish, forMs);
    const stop = () => finish();
    Deno.addSignalListener("SIGINT", stop);
    try {
      await finished;
    } finally {
      clearTimeout(timer);
      Deno.removeSignalListener("SIGINT", stop);
      subscription.unsubscribe();
    }
    return { lines: [], json: undefined };
  };
};

/** `host stop HOST`. */
export const hostAction: ActionParser = (args) => {
  const [verb, host] = positionals(args, ["stop", "host"], "host");
  if (verb !== "stop") {
    throw new UsageError(`Unknown host command "${verb}": stop`);
  }
  return async ({ client }) => {
    await client.command(host, "host.stop");
    return said(`stopping ${host}`, { host });
  };
};
