/**
 * The caller's side of lattice control, over one NATS connection: signed
 * commands to one host, auctions and inventory queries answered by many,
 * the event stream, and the module store.
 *
 * @module
 */
import { loadNats, type NatsConnection } from "../deps.ts";
import type { BusMessage, Subscription } from "../runtime/bus.ts";
import { type Bid, compareBids } from "../runtime/control_auction.ts";
import { readAnswer, readBody } from "../runtime/control_commands.ts";
import {
  ControlSubjects,
  type HostCommand,
} from "../runtime/control_subjects.ts";
import { CONTROL_TOKEN_HEADER, signCommand } from "../runtime/control_token.ts";
import type { KeyPair } from "../runtime/ed25519.ts";
import {
  type InventoryKind,
  LatticeSubjects,
} from "../runtime/lattice_subjects.ts";
import { ModuleStore } from "./module_store.ts";
import { NatsBus } from "./nats_bus.ts";
import { type NatsBusOptions, natsConnectionOptions } from "./nats_options.ts";
import { connectGuarded } from "./nats_transport.ts";

/** How `trellis ctl` reaches the lattice. */
export interface CtlClientOptions {
  /** Servers, credentials and TLS, as for a host. */
  nats: Pick<
    NatsBusOptions,
    "servers" | "credsFile" | "nkeySeedFile" | "tls"
  >;
  /** The lattice's name, if any. */
  namespace?: string;
  /** Signs every control request; without it requests go unsigned. */
  signer?: KeyPair;
  /** How long one host may take to answer a command, in ms. */
  timeoutMs: number;
  /** How long to collect answers from many hosts, in ms. */
  waitMs: number;
}

/** A command that a host answered with an error. */
export class CommandFailedError extends Error {
  override name = "CommandFailedError";
  constructor(
    readonly hostId: string,
    readonly command: HostCommand,
    reason: string,
  ) {
    super(reason);
  }
}

/** A host's answer to an inventory query, untagged. */
export type InventoryAnswer = Record<string, unknown> & { host?: string };

/** A connection to the lattice for control. */
export class CtlClient {
  readonly subjects: LatticeSubjects;
  readonly control: ControlSubjects;
  readonly #options: CtlClientOptions;
  readonly #connection: NatsConnection;
  readonly #bus: NatsBus;
  #store?: Promise<ModuleStore>;

  private constructor(
    options: CtlClientOptions,
    connection: NatsConnection,
    bus: NatsBus,
  ) {
    this.#options = options;
    this.#connection = connection;
    this.#bus = bus;
    this.subjects = new LatticeSubjects(options.namespace);
    this.control = new ControlSubjects(this.subjects.prefix);
  }

  /** Connects; rejects naming the servers when none answers. */
  static async connect(options: CtlClientOptions): Promise<CtlClient> {
    const client = await loadNats();
    const connectionOptions = await natsConnectionOptions({
      ...options.nats,
      name: "trellis ctl",
      reconnect: false,
    }, client);
    let connection;
    try {
      connection = await connectGuarded(client, connectionOptions);
    } catch (error) {
      const servers = options.nats.servers.join(", ");
      throw new Error(
        `Cannot connect to NATS at ${servers}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return new CtlClient(options, connection, new NatsBus(connection, client));
  }

  /**
   * Sends `command` to one host and resolves with its result; rejects
   * with CommandFailedError when the host answers with an error.
   */
  async command(
    hostId: string,
    command: HostCommand,
    body: Record<string, unknown> = {},
    timeoutMs = this.#options.timeoutMs,
  ): Promise<Record<string, unknown>> {
    const subject = this.control.host(hostId, command);
    const payload = encodeJson(body);
    const reply = await this.#bus.request(subject, payload, {
      timeoutMs,
      headers: await this.#headers(subject, payload),
    }).catch((error) => {
      throw new CommandFailedError(
        hostId,
        command,
        `Cannot send ${command} to host "${hostId}": ${error.message}`,
      );
    });
    const answer = readAnswer(reply.payload);
    if (!answer.ok) {
      const refused = answer.error.replace(/^Command refused: /, "");
      throw new CommandFailedError(
        hostId,
        command,
        refused === answer.error
          ? answer.error
          : `Cannot send ${command} to host "${hostId}": command refused: ` +
            refused,
      );
    }
    const { ok: _, ...result } = answer;
    return result;
  }

  /** The bids of an actor auction, least loaded first. */
  async auction(
    constraints: Record<string, string>,
    actor?: string,
  ): Promise<Bid[]> {
    const answers = await this.gather(this.control.auction, {
      ...(actor ? { actor_id: actor } : {}),
      constraints,
    }, true);
    return sortBids(answers);
  }

  /** The bids of a provider auction, least loaded first. */
  async providerAuction(
    capabilityId: string,
    binding: string,
    constraints: Record<string, string>,
  ): Promise<Bid[]> {
    const answers = await this.gather(this.control.providerAuction, {
      capability_id: capabilityId,
      binding_name: binding,
      constraints,
    }, true);
    return sortBids(answers);
  }

  /** Every host's answer to an inventory query, without its tag. */
  async inventory(kind: InventoryKind): Promise<InventoryAnswer[]> {
    const answers = await this.gather(this.subjects.inventory(kind), {});
    return answers.map((answer) => {
      const [inner] = Object.values(answer);
      return (inner ?? {}) as InventoryAnswer;
    }).filter((answer) => typeof answer === "object");
  }

  /**
   * Publishes `body` to `subject` with a reply inbox and collects every
   * JSON answer that arrives within the wait.
   */
  async gather(
    subject: string,
    body: Record<string, unknown>,
    signed = false,
  ): Promise<Record<string, unknown>[]> {
    const inbox = `_INBOX.ctl.${crypto.randomUUID()}`;
    const answers: Record<string, unknown>[] = [];
    const subscription = this.#bus.subscribe(inbox, (message) => {
      try {
        answers.push(readBody(message.payload));
      } catch {
        // Not an answer.
      }
    });
    const payload = encodeJson(body);
    try {
      await this.#bus.flush();
      this.#bus.publish(subject, payload, {
        reply: inbox,
        headers: signed ? await this.#headers(subject, payload) : undefined,
      });
      await new Promise((resolve) => setTimeout(resolve, this.#options.waitMs));
    } finally {
      subscription.unsubscribe();
    }
    return answers;
  }

  /**
   * Follows the lattice's events until the subscription ends; resolves
   * once the server knows of the subscription.
   */
  async events(
    handler: (message: BusMessage) => void,
  ): Promise<Subscription> {
    const subscription = this.#bus.subscribe(this.subjects.events, handler);
    await this.#bus.flush();
    return subscription;
  }

  /** The lattice's module store; `create` makes its bucket if missing. */
  moduleStore(create = false): Promise<ModuleStore> {
    this.#store ??= ModuleStore.open(
      this.#connection,
      this.#options.namespace,
      create,
    );
    return this.#store;
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.#bus.close();
  }

  async #headers(subject: string, payload: Uint8Array) {
    const signer = this.#options.signer;
    if (!signer) return undefined;
    return {
      [CONTROL_TOKEN_HEADER]: await signCommand(subject, payload, signer),
    };
  }
}

function encodeJson(body: Record<string, unknown>): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(body));
}

// Refusals come back as answers too: they say why nobody bid.
function sortBids(answers: Record<string, unknown>[]): Bid[] {
  const refusal = answers.find((answer) => answer.ok === false);
  const bids = answers.filter((answer) =>
    answer.ok === true && typeof answer.host_id === "string"
  ) as unknown as Bid[];
  if (bids.length === 0 && refusal) {
    throw new Error(`Cannot hold auction: ${String(refusal.error)}`);
  }
  return bids.toSorted(compareBids);
}
