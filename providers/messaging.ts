/**
 * The built-in `wascc:messaging` provider (spec §3) over a message bus:
 * actors publish and request with `Publish` and `Request`, and receive
 * the subjects named in their binding's `SUBSCRIPTION` value (optionally
 * in the queue group `QUEUEGROUP_NAME`) as `DeliverMessage` invocations.
 * Subjects of the lattice are out of reach (providers/messaging_subjects.ts).
 *
 * @module
 */
import type { Bus, BusMessage, Subscription } from "../runtime/bus.ts";
import { asBytes, asInteger, asString, encode } from "../runtime/codec.ts";
import type { Logger } from "../runtime/logger.ts";
import { LoopbackBus } from "../runtime/loopback_bus.ts";
import type { Upstream } from "../runtime/upstream.ts";
import {
  type ActorBinding,
  type CapabilityDescriptor,
  type CapabilityProvider,
  type ProviderCall,
  type ProviderContext,
  type ProviderFactory,
  unknownOperation,
} from "../runtime/provider.ts";
import { assertQueueName } from "../runtime/subjects.ts";
import {
  assertActorPattern,
  assertActorSubject,
} from "./messaging_subjects.ts";
import { decodeRequest, perform } from "./operation.ts";

const CAPABILITY = "wascc:messaging";

/** The fields of a `BrokerMessage`, in order. */
const BROKER_MESSAGE_FIELDS = ["subject", "replyTo", "body"];

/** The fields of a `RequestMessage`, in order. */
const REQUEST_FIELDS = ["subject", "body", "timeout"];

/** The wait for a reply when a `Request` gives no timeout (or 0). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 1000;

/** What the messaging provider says about itself. */
export const messagingDescriptor: CapabilityDescriptor = {
  id: CAPABILITY,
  name: "Messaging",
  version: "0.1.0",
  revision: 1,
  longDescription: "Publish/subscribe and request/reply on a message bus; " +
    "binding values SUBSCRIPTION (comma-separated subjects) and " +
    "QUEUEGROUP_NAME",
  supportedOperations: [
    {
      name: "Publish",
      direction: "to_provider",
      doctext: "Publishes a BrokerMessage{subject, replyTo, body}",
    },
    {
      name: "Request",
      direction: "to_provider",
      doctext: "Sends {subject, body, timeout (ms)} and returns the reply's " +
        "bytes",
    },
    {
      name: "DeliverMessage",
      direction: "to_actor",
      doctext: "A BrokerMessage on one of the binding's subscriptions",
    },
  ],
};

/** Options of {@link createMessagingProvider}. */
export interface MessagingOptions {
  /**
   * Where publishes to subjects marked upstream go instead of the bus: a
   * publish is acknowledged to the actor once the message is on disk.
   */
  upstream?: Upstream;
}

/**
 * Makes messaging providers that publish, request and subscribe on `bus`.
 * The host passes its own bus; stopping a provider leaves the bus open.
 */
export function createMessagingProvider(
  bus: Bus,
  options: MessagingOptions = {},
): ProviderFactory {
  return {
    capabilityId: CAPABILITY,
    create: (context) => new MessagingProvider(bus, context, options.upstream),
  };
}

let processBus: LoopbackBus | undefined;

/**
 * The `wascc:messaging` provider over one loopback bus shared by every
 * instance it creates in this process, made on first use. A host with a
 * bus of its own uses {@link createMessagingProvider} instead.
 */
export const messagingProvider: ProviderFactory = {
  capabilityId: CAPABILITY,
  create: (context) => {
    processBus ??= new LoopbackBus({ logger: context.logger });
    return new MessagingProvider(processBus, context);
  },
};

class MessagingProvider implements CapabilityProvider {
  readonly descriptor = messagingDescriptor;
  #bus: Bus;
  #context: ProviderContext;
  #logger: Logger;
  #subscriptionsOf = new Map<string, Subscription[]>();
  #upstream?: Upstream;

  constructor(bus: Bus, context: ProviderContext, upstream?: Upstream) {
    this.#bus = bus;
    this.#context = context;
    this.#logger = context.logger;
    this.#upstream = upstream;
  }

  bind(binding: ActorBinding): Promise<void> {
    try {
      const { subjects, queue } = readBinding(binding);
      const subscriptions = this.#subscribe(binding.actor, subjects, queue);
      this.#release(binding.actor);
      this.#subscriptionsOf.set(binding.actor, subscriptions);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(bindError(binding.actor, error));
    }
  }

  unbind(actor: string): Promise<void> {
    this.#release(actor);
    return Promise.resolve();
  }

  call({ operation, payload }: ProviderCall): Promise<Uint8Array> {
    switch (operation) {
      case "Publish":
        return perform(operation, () => this.#publish(payload));
      case "Request":
        return perform(operation, () => this.#request(payload));
      default:
        return Promise.reject(unknownOperation(CAPABILITY, operation));
    }
  }

  stop(): Promise<void> {
    for (const actor of [...this.#subscriptionsOf.keys()]) this.#release(actor);
    return Promise.resolve();
  }

  // A subject marked upstream goes to the outbox only: the outbox sends
  // it once the cloud can confirm it, and a plain publish beside it would
  // reach the cloud's stream twice.
  async #publish(payload: Uint8Array): Promise<Uint8Array> {
    const request = decodeRequest(payload, BROKER_MESSAGE_FIELDS, ["subject"]);
    const subject = asString(request.subject, "subject");
    const reply = asString(request.replyTo, "replyTo");
    const body = asBytes(request.body, "body");
    assertActorSubject(subject, "publish to");
    if (reply !== "") assertActorSubject(reply, "reply on");
    if (this.#upstream?.matches(subject)) {
      await this.#upstream.enqueue(subject, body);
    } else {
      this.#bus.publish(subject, body, reply === "" ? undefined : { reply });
    }
    return new Uint8Array();
  }

  async #request(payload: Uint8Array): Promise<Uint8Array> {
    const request = decodeRequest(payload, REQUEST_FIELDS, ["subject"]);
    const subject = asString(request.subject, "subject");
    const body = asBytes(request.body, "body");
    const timeout = asInteger(request.timeout, "timeout");
    if (timeout < 0) {
      throw new RangeError(`Field "timeout" must not be negative: ${timeout}`);
    }
    assertActorSubject(subject, "request");
    const timeoutMs = timeout === 0 ? DEFAULT_REQUEST_TIMEOUT_MS : timeout;
    const reply = await this.#bus.request(subject, body, { timeoutMs });
    return reply.payload;
  }

  #subscribe(
    actor: string,
    subjects: string[],
    queue: string | undefined,
  ): Subscription[] {
    const subscriptions: Subscription[] = [];
    try {
      for (const subject of subjects) {
        const deliver = (message: BusMessage) => this.#deliver(actor, message);
        subscriptions.push(this.#bus.subscribe(subject, deliver, { queue }));
      }
    } catch (error) {
      subscriptions.forEach((subscription) => subscription.unsubscribe());
      throw error;
    }
    return subscriptions;
  }

  // Awaited, so one subscription hands an actor one message at a time.
  async #deliver(actor: string, message: BusMessage): Promise<void> {
    const brokerMessage = {
      subject: message.subject,
      replyTo: message.reply ?? "",
      body: message.payload,
    };
    try {
      await this.#context.deliver(
        actor,
        "DeliverMessage",
        encode(brokerMessage),
      );
    } catch (error) {
      this.#logger.warn("message delivery failed", {
        actor,
        subject: message.subject,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  #release(actor: string): void {
    const subscriptions = this.#subscriptionsOf.get(actor) ?? [];
    subscriptions.forEach((subscription) => subscription.unsubscribe());
    this.#subscriptionsOf.delete(actor);
  }
}

interface SubscriptionValues {
  subjects: string[];
  queue?: string;
}

// Checks every subject before subscribing to any, so a binding is taken
// whole or not at all.
function readBinding({ values }: ActorBinding): SubscriptionValues {
  const list = values.SUBSCRIPTION ?? "";
  const subjects = list.trim() === ""
    ? []
    : list.split(",").map((subject) => subject.trim());
  for (const subject of subjects) {
    if (subject === "") {
      throw new TypeError(`SUBSCRIPTION "${list}" has an empty subject`);
    }
    assertActorPattern(subject, "subscribe to");
  }
  const queue = (values.QUEUEGROUP_NAME ?? "").trim();
  if (queue === "") return { subjects };
  assertQueueName(queue, "subscribe");
  return { subjects, queue };
}

function bindError(actor: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  const message = `Cannot bind actor "${actor}" to ${CAPABILITY}: ` +
    lowerFirst(reason);
  const options = { cause: error };
  if (error instanceof TypeError) return new TypeError(message, options);
  if (error instanceof RangeError) return new RangeError(message, options);
  return new Error(message, options);
}

// "Cannot subscribe" reads on as "cannot subscribe"; "SUBSCRIPTION" stays.
function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text)
    ? text.charAt(0).toLowerCase() + text.slice(1)
    : text;
}
