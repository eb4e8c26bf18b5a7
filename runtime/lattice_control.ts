/**
 * A host's control interface on the lattice: it listens on
 * `P.control.<host id>.…` and on the auction subjects, checks each
 * command's signature (runtime/control_token.ts) and carries it out on the
 * Host (runtime/control_handlers.ts), answering every request with JSON.
 * A refused command is answered with the reason and logged as a warning.
 * Commands to one host run one at a time, in the order they arrive.
 *
 * @module
 */
import type { Bus, BusMessage, Subscription } from "./bus.ts";
import {
  actorBid,
  type Bid,
  providerBid,
  readActorAuction,
  readProviderAuction,
} from "./control_auction.ts";
import {
  type ControlAnswer,
  encodeAnswer,
  readBody,
} from "./control_commands.ts";
import { ControlHandlers } from "./control_handlers.ts";
import { ControlSubjects } from "./control_subjects.ts";
import { CommandChecker, CONTROL_TOKEN_HEADER } from "./control_token.ts";
import type { Host } from "./host.ts";
import type { Lattice } from "./lattice.ts";
import { type Logger, silentLogger } from "./logger.ts";
import { ModuleCache } from "./module_cache.ts";
import {
  type ModuleFetch,
  ModuleSource,
  type ModuleStoreLink,
} from "./module_source.ts";
import type { ProviderFactory } from "./provider.ts";
import { messageOf } from "./wapc_instance.ts";

/** How a host takes commands. */
export interface LatticeControlOptions {
  host: Host;
  /** The host's membership; its subjects give the control prefix. */
  lattice: Lattice;
  /** The bus to listen on (default: the lattice's). */
  bus?: Bus;
  /**
   * Account or operator keys whose signed commands the host obeys; with
   * none, it obeys every command, signed or not, and warns once.
   */
  issuers: readonly string[];
  /** Where modules are cached (`<dataDir>/modules`). */
  dataDir: string;
  /** The module cache, when the host keeps one already. */
  cache?: ModuleCache;
  /** The module store: fetching, and sharing for moves. */
  store?: ModuleStoreLink;
  /** Fetches from the store when no `store` is given. */
  fetchModule?: ModuleFetch;
  /** The built-in providers `provider.launch` may start. */
  providers?: (capabilityId: string) => ProviderFactory | undefined;
  /** Stops the host (`host.stop`); without it the command is refused. */
  stopHost?: () => void;
  /** Clock skew tolerated on command tokens, in seconds (default 60). */
  skewSeconds?: number;
  logger?: Logger;
}

/** A running control interface. */
export interface LatticeControl {
  /** Stops taking commands, after those being carried out. */
  close(): Promise<void>;
}

/** Starts taking control commands for `options.host`. */
export function startLatticeControl(
  options: LatticeControlOptions,
): LatticeControl {
  const logger = options.logger ?? silentLogger;
  const checker = new CommandChecker({
    issuers: options.issuers,
    skewSeconds: options.skewSeconds,
  });
  if (checker.open) {
    logger.warn("lattice control is open to unsigned commands", {
      hint: "give --ctl-issuer KEY to obey signed commands only",
    });
  }
  const cache = options.cache ?? new ModuleCache(options.dataDir);
  const fetch = options.store?.fetch ?? options.fetchModule;
  const handlers = new ControlHandlers({
    host: options.host,
    modules: new ModuleSource({ cache, fetch, logger }),
    cache,
    store: options.store,
    providers: options.providers ?? (() => undefined),
    stopHost: options.stopHost,
    logger,
  });
  const control = new ControlListener(options, checker, handlers, logger);
  return { close: () => control.close() };
}

class ControlListener {
  readonly #host: Host;
  readonly #subjects: ControlSubjects;
  readonly #checker: CommandChecker;
  readonly #handlers: ControlHandlers;
  readonly #providers: (id: string) => ProviderFactory | undefined;
  readonly #logger: Logger;
  readonly #subscriptions: Subscription[];

  constructor(
    options: LatticeControlOptions,
    checker: CommandChecker,
    handlers: ControlHandlers,
    logger: Logger,
  ) {
    this.#host = options.host;
    this.#subjects = new ControlSubjects(options.lattice.subjects.prefix);
    this.#checker = checker;
    this.#handlers = handlers;
    this.#providers = options.providers ?? (() => undefined);
    this.#logger = logger;
    const bus = options.bus ?? options.lattice.bus;
    this.#subscriptions = [
      bus.subscribe(
        this.#subjects.hostPattern(this.#host.id),
        (message) => this.#command(message),
      ),
      bus.subscribe(
        this.#subjects.auction,
        (message) => this.#auction(message, "actor"),
      ),
      bus.subscribe(
        this.#subjects.providerAuction,
        (message) => this.#auction(message, "provider"),
      ),
    ];
  }

  async close(): Promise<void> {
    await Promise.all(this.#subscriptions.map((sub) => sub.drain()));
  }

  // Returning the promise makes the subscription wait for it: commands
  // run one at a time.
  async #command(message: BusMessage): Promise<void> {
    if (!await this.#accepted(message)) return;
    const address = this.#subjects.address(message.subject);
    if (!address) {
      this.#answer(message, {
        ok: false,
        error: `Unknown control command "${message.subject}"`,
      });
      return;
    }
    const started = performance.now();
    try {
      const result = await this.#handlers.run(
        address.command,
        message.payload,
      );
      this.#logger.info("control command done", {
        command: address.command,
        ms: Math.round(performance.now() - started),
      });
      this.#answer(message, { ...result, ok: true });
    } catch (error) {
      this.#logger.warn("control command failed", {
        command: address.command,
        error: messageOf(error),
      });
      this.#answer(message, { ok: false, error: messageOf(error) });
    }
  }

  async #auction(
    message: BusMessage,
    kind: "actor" | "provider",
  ): Promise<void> {
    if (!await this.#accepted(message)) return;
    let bid: Bid | undefined;
    try {
      const body = readBody(message.payload);
      if (kind === "actor") {
        bid = actorBid(this.#host, readActorAuction(body));
      } else {
        const auction = readProviderAuction(body);
        const available = this.#providers(auction.capabilityId) !== undefined;
        bid = providerBid(this.#host, auction, available);
      }
    } catch (error) {
      this.#answer(message, { ok: false, error: messageOf(error) });
      return;
    }
    if (bid) this.#answer(message, { ...bid, ok: true });
  }

  async #accepted(message: BusMessage): Promise<boolean> {
    const token = message.headers?.[CONTROL_TOKEN_HEADER]?.[0];
    const check = await this.#checker.check(
      message.subject,
      message.payload,
      token,
    );
    if (check.accepted) return true;
    this.#logger.warn("control command refused", {
      subject: message.subject,
      issuer: check.issuer,
      reason: check.reason,
    });
    this.#answer(message, {
      ok: false,
      error: `Command refused: ${check.reason}`,
    });
    return false;
  }

  #answer(message: BusMessage, answer: ControlAnswer): void {
    try {
      message.respond(encodeAnswer(answer));
    } catch (error) {
      this.#logger.warn("cannot answer control command", {
        subject: message.subject,
        error: messageOf(error),
      });
    }
  }
}
