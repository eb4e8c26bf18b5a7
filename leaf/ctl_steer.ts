/**
 * Steering that spans hosts, built from single-host commands: finding
 * where an actor runs, choosing a host by auction, and moving an actor
 * between hosts so that something always serves it.
 *
 * @module
 */
import type { CtlClient, InventoryAnswer } from "./ctl_client.ts";

/** Where progress lines go (standard error in the CLI). */
export type Progress = (line: string) => void;

/** One host running an actor. */
export interface ActorPlacement {
  host: string;
  instances: number;
  /** The module hash of the claims it runs. */
  hash: string;
}

/**
 * The hosts that run `actor`, ordered by host id, from the actors
 * inventory (asked for unless given).
 */
export async function hostsRunning(
  client: CtlClient,
  actor: string,
  inventory?: InventoryAnswer[],
): Promise<ActorPlacement[]> {
  const answers = inventory ?? await client.inventory("actors");
  const placements: ActorPlacement[] = [];
  for (const answer of answers) {
    const actors = (answer.actors ?? []) as {
      sub?: string;
      wascap?: { hash?: string };
    }[];
    const claims = actors.find((claims) => claims.sub === actor);
    if (!claims || typeof answer.host !== "string") continue;
    const instances = (answer.instances ?? {}) as Record<string, number>;
    placements.push({
      host: answer.host,
      instances: instances[actor] ?? 1,
      hash: claims.wascap?.hash ?? "",
    });
  }
  return placements.toSorted((a, b) => a.host.localeCompare(b.host));
}

/** The one host running `actor`, or `given`; an error when ambiguous. */
export async function hostOf(
  client: CtlClient,
  actor: string,
  given: string | undefined,
  flag: string,
): Promise<string> {
  if (given) return given;
  return onlyHost(actor, await hostsRunning(client, actor), flag);
}

function onlyHost(
  actor: string,
  hosts: ActorPlacement[],
  flag: string,
): string {
  if (hosts.length === 0) {
    throw new Error(`Cannot find actor "${actor}": no host runs it`);
  }
  if (hosts.length > 1) {
    throw new Error(
      `Cannot choose a host for actor "${actor}": ${hosts.length} hosts ` +
        `run it; name one with ${flag}`,
    );
  }
  return hosts[0].host;
}

/** How to choose a host: by id, or by auction under constraints. */
export interface HostChoice {
  host?: string;
  constraints: Record<string, string>;
  /** The actor to place, when known: hosts running it do not bid. */
  actor?: string;
}

/** The chosen host: `choice.host`, or the least loaded bidder. */
export async function chooseHost(
  client: CtlClient,
  choice: HostChoice,
): Promise<string> {
  if (choice.host) return choice.host;
  const bids = await client.auction(choice.constraints, choice.actor);
  if (bids.length === 0) {
    throw new Error(
      `Cannot choose a host: none bid for ${
        describeConstraints(choice.constraints)
      }`,
    );
  }
  return bids[0].host_id;
}

/** What a move did. */
export interface MoveResult {
  actor: string;
  from: string;
  to: string;
  module: string;
  instances: number;
  bindings: number;
  ms: number;
}

/** How to move an actor. */
export interface MoveRequest {
  actor: string;
  from?: string;
  to?: string;
  constraints: Record<string, string>;
  /** The module to start on the target; by default the source's. */
  module?: string;
}

/**
 * Moves an actor: starts it on the target with the source's instances
 * and bindings, and stops it on the source only once the target answers
 * that it runs and listens. Calls go on being served throughout.
 */
export async function moveActor(
  client: CtlClient,
  request: MoveRequest,
  progress: Progress,
): Promise<MoveResult> {
  const started = performance.now();
  const { actor } = request;
  const [actors, bindingAnswers] = await Promise.all([
    client.inventory("actors"),
    client.inventory("bindings"),
  ]);
  const running = await hostsRunning(client, actor, actors);
  const from = request.from ?? onlyHost(actor, running, "--from");
  const placement = running.find((placement) => placement.host === from);
  if (!placement) {
    throw new Error(`Cannot move actor "${actor}": "${from}" does not run it`);
  }
  const to = await chooseHost(client, {
    host: request.to,
    constraints: request.constraints,
    actor,
  });
  if (from === to) {
    throw new Error(
      `Cannot move actor "${actor}": it already runs on "${to}"`,
    );
  }
  const module = request.module ?? String(
    (await client.command(from, "actor.module", { actor, share: true }))
      .module,
  );
  const bindings = bindingsOf(bindingAnswers, from, actor);
  progress(`move: starting on host ${to}`);
  await client.command(to, "actor.launch", {
    module,
    instances: placement.instances,
    bindings,
  });
  progress(`move: started on host ${to}; stopping on host ${from}`);
  await client.command(from, "actor.terminate", { actor });
  return {
    actor,
    from,
    to,
    module,
    instances: placement.instances,
    bindings: bindings.length,
    ms: Math.round(performance.now() - started),
  };
}

/**
 * The bindings `host` keeps for `actor` in a bindings inventory, as
 * launch bodies list them.
 */
export function bindingsOf(
  answers: InventoryAnswer[],
  host: string,
  actor: string,
): Record<string, unknown>[] {
  const answer = answers.find((answer) => answer.host === host);
  const bindings = (answer?.bindings ?? []) as {
    actor: string;
    capability_id: string;
    binding_name: string;
    configuration: Record<string, string>;
  }[];
  return bindings.filter((binding) => binding.actor === actor).map((
    binding,
  ) => ({
    capability_id: binding.capability_id,
    binding_name: binding.binding_name,
    values: Object.fromEntries(
      Object.entries(binding.configuration ?? {}).filter(([key]) =>
        !key.startsWith("__wascc_")
      ),
    ),
  }));
}

/** `k=v, k=v`, or "any host" without constraints. */
export function describeConstraints(
  constraints: Record<string, string>,
): string {
  const pairs = Object.entries(constraints).map(([k, v]) => `${k}=${v}`);
  return pairs.length ? pairs.join(", ") : "any host";
}
