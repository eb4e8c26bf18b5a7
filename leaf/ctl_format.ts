/**
 * How `trellis ctl` shows the lattice to people: hosts, inventories and
 * events as short lines. Scripts use `--json` instead.
 *
 * @module
 */
import type { InventoryAnswer } from "./ctl_client.ts";

/** One line per host: id, uptime, link and user labels. */
export function formatHosts(hosts: InventoryAnswer[]): string[] {
  return hosts.toSorted(byId).map((host) => {
    const labels = Object.entries((host.labels ?? {}) as Record<string, string>)
      .filter(([key]) => !key.startsWith("hostcore."))
      .map(([key, value]) => `${key}=${value}`);
    return [
      String(host.id),
      `up ${formatMs(Number(host.uptime_ms ?? 0))}`,
      `link ${host.link ?? "up"}`,
      ...labels,
    ].join("  ");
  });
}

/** What a host runs, as its inventory answers put together. */
export interface HostInventory {
  host: string;
  actors: InventoryAnswer | undefined;
  bindings: InventoryAnswer | undefined;
  capabilities: InventoryAnswer | undefined;
}

/** A block per host: its actors, providers and bindings. */
export function formatInventory(inventories: HostInventory[]): string[] {
  const lines: string[] = [];
  for (const inventory of inventories) {
    lines.push(`host ${inventory.host}`);
    const instances = (inventory.actors?.instances ?? {}) as Record<
      string,
      number
    >;
    for (const claims of list(inventory.actors?.actors)) {
      const wascap = (claims.wascap ?? {}) as Record<string, unknown>;
      const key = String(claims.sub);
      lines.push(
        `  actor ${key} ${wascap.name ?? "-"} rev ${wascap.rev ?? "-"} ` +
          `instances ${instances[key] ?? 1}`,
      );
    }
    for (const capability of list(inventory.capabilities?.capabilities)) {
      const descriptor = (capability.descriptor ?? {}) as { id?: string };
      lines.push(
        `  provider ${descriptor.id} "${capability.binding_name}"`,
      );
    }
    for (const binding of list(inventory.bindings?.bindings)) {
      lines.push(
        `  binding ${binding.actor} to ${binding.capability_id} ` +
          `"${binding.binding_name}"`,
      );
    }
  }
  return lines;
}

/** One line for a CloudEvent: time, source host, name and fields. */
export function formatEvent(event: Record<string, unknown>): string {
  let name = String(event.type ?? "?");
  let fields = "";
  try {
    const data = JSON.parse(String(event.data));
    const [tag] = Object.keys(data);
    name = tag ?? name;
    fields = JSON.stringify(data[tag]);
  } catch {
    // Show what there is.
  }
  return `${event.time} ${event.source} ${name} ${fields}`;
}

/** `950ms`, `12s`, `3m4s`, `2h5m`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}

/** `1.5 MiB`, `12.0 KiB`, `300 B`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value : [];
}

function byId(a: InventoryAnswer, b: InventoryAnswer): number {
  return String(a.id).localeCompare(String(b.id));
}
