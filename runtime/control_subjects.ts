/**
 * The control subjects of a lattice: waSCC's (spec §5: actor and provider
 * launch and terminate on one host, actor and provider auctions) and
 * trellis's additions under the same `P.control` prefix. docs/lattice.md
 * ("Control") gives each command's body and answer.
 *
 * @module
 */

/** The commands sent to one host, as the subject's last two tokens. */
export const HOST_COMMANDS = [
  "actor.launch",
  "actor.terminate",
  "actor.scale",
  "actor.update",
  "actor.module",
  "provider.launch",
  "provider.terminate",
  "binding.put",
  "binding.delete",
  "label.put",
  "label.delete",
  "host.stop",
] as const;

/** A command to one host. */
export type HostCommand = typeof HOST_COMMANDS[number];

/** Which host a control subject addresses and with what command. */
export interface ControlAddress {
  hostId: string;
  command: HostCommand;
}

const COMMANDS: ReadonlySet<string> = new Set(HOST_COMMANDS);

/** The control subjects under one lattice prefix. */
export class ControlSubjects {
  /** `P.control`. */
  readonly root: string;

  /** Subjects under `prefix` (`wasmbus` or `<name>.wasmbus`). */
  constructor(prefix: string) {
    this.root = `${prefix}.control`;
  }

  /** `P.control.<hostId>.<command>`. */
  host(hostId: string, command: HostCommand): string {
    return `${this.root}.${hostId}.${command}`;
  }

  /** Every command subject of one host. */
  hostPattern(hostId: string): string {
    return `${this.root}.${hostId}.>`;
  }

  /** Where hosts bid to run an actor. */
  get auction(): string {
    return `${this.root}.auction.request`;
  }

  /** Where hosts bid to run a provider. */
  get providerAuction(): string {
    return `${this.root}.provauction.request`;
  }

  /** The host and command of a host subject; undefined for any other. */
  address(subject: string): ControlAddress | undefined {
    if (!subject.startsWith(`${this.root}.`)) return undefined;
    const [hostId, ...rest] = subject.slice(this.root.length + 1).split(".");
    const command = rest.join(".");
    if (!hostId || !COMMANDS.has(command)) return undefined;
    return { hostId, command: command as HostCommand };
  }
}
