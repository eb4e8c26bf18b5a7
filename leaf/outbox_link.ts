/**
 * Sends an outbox while a link bus is up: a NATS sender is attached when
 * the link comes up and detached when it goes down.
 *
 * @module
 */
import type { LinkBus } from "./link_bus.ts";
import type { Outbox } from "./outbox.ts";
import {
  NatsOutboxSender,
  type NatsOutboxSenderOptions,
} from "./outbox_nats.ts";

/**
 * Attaches a {@link NatsOutboxSender} over `link`'s NATS bus to `outbox`
 * whenever the link is up (now included) and detaches it whenever the
 * link goes down. Returns a function that stops following the link and
 * detaches the sender.
 */
export function sendWhileLinked(
  outbox: Outbox,
  link: Pick<LinkBus, "onLink" | "remote">,
  options: NatsOutboxSenderOptions = {},
): () => void {
  const attach = () => {
    const remote = link.remote;
    if (remote && !outbox.closed) {
      outbox.start(new NatsOutboxSender(remote, options));
    }
  };
  const removeListener = link.onLink((event) => {
    if (event.state === "up") attach();
    else outbox.stop();
  });
  attach();
  return () => {
    removeListener();
    outbox.stop();
  };
}
