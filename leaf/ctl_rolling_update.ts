/**
 * Rolling updates: an actor updated on every host that runs it, one host
 * at a time, each by that host's live update; on a failure the hosts
 * already updated are put back, so the lattice never stays split.
 *
 * @module
 */
import type { CtlClient } from "./ctl_client.ts";
import { hostsRunning, type Progress } from "./ctl_steer.ts";

/** What happened on one host of a rolling update. */
export interface RollingStep {
  host: string;
  status: "updated" | "failed" | "reverted" | "revert_failed";
  /** The module the host ran before, as a store reference. */
  previous?: string;
  error?: string;
  ms: number;
}

/** What a rolling update did, host by host. */
export interface RollingResult {
  actor: string;
  steps: RollingStep[];
  /** Whether every host runs the new module. */
  complete: boolean;
}

/**
 * Updates `actor` to `module` on every host that runs it, one host at a
 * time, each by the host's live update (which rolls back there when the
 * new module fails). After a failure the hosts already updated are put
 * back on their previous module, so the lattice is not left split.
 */
export async function rollingUpdate(
  client: CtlClient,
  update: { actor: string; module: string; force: boolean },
  progress: Progress,
): Promise<RollingResult> {
  const hosts = await hostsRunning(client, update.actor);
  if (hosts.length === 0) {
    throw new Error(`Cannot update actor "${update.actor}": no host runs it`);
  }
  const steps: RollingStep[] = [];
  for (const [index, { host }] of hosts.entries()) {
    progress(`update ${index + 1}/${hosts.length}: host ${host}`);
    const step = await timed(host, async () => {
      const result = await client.command(host, "actor.update", {
        actor: update.actor,
        module: update.module,
        force: update.force,
      });
      return { previous: String(result.previous) };
    });
    steps.push({ ...step, status: step.error ? "failed" : "updated" });
    progress(
      `update ${index + 1}/${hosts.length}: host ${host} ` +
        (step.error ? `failed: ${step.error}` : `done in ${step.ms} ms`),
    );
    if (step.error) break;
  }
  const complete = steps.every((step) => step.status === "updated");
  if (!complete) await revert(client, update.actor, steps, progress);
  return { actor: update.actor, steps, complete };
}

async function revert(
  client: CtlClient,
  actor: string,
  steps: RollingStep[],
  progress: Progress,
): Promise<void> {
  for (const step of steps.toReversed()) {
    if (step.status !== "updated" || !step.previous) continue;
    const undo = await timed(
      step.host,
      () =>
        client.command(step.host, "actor.update", {
          actor,
          module: step.previous,
          force: true,
        }),
    );
    step.status = undo.error ? "revert_failed" : "reverted";
    if (undo.error) step.error = undo.error;
    progress(
      `revert: host ${step.host} ` +
        (undo.error ? `failed: ${undo.error}` : "back on its previous module"),
    );
  }
}

async function timed<T extends object>(
  host: string,
  step: () => Promise<T>,
): Promise<Partial<T> & { host: string; ms: number; error?: string }> {
  const started = performance.now();
  try {
    const result = await step();
    return { ...result, host, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      host,
      ms: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    } as Partial<T> & { host: string; ms: number; error: string };
  }
}
