/**
 * Sends an outbox while a link bus reaches the cloud: a NATS sender is
 * attached when the link is up and its upstream is not known to be down,
 * and detached otherwise.
 *
 * @module
 */
import type { LinkBus } from "./link_bus.ts";
import type { NatsBus } from "./nats_bus.ts";
import type { Outbox } from "./outbox.ts";
import {
  NatsOutboxSender,
  type NatsOutboxSenderOptions,
} from "./outbox_nats.ts";

/** What {@link sendWhileLinked} follows of a link bus. */
export type SendingLink =
  & Pick<LinkBus, "onLink" | "remote">
  & Partial<Pick<LinkBus, "upstream" | "onUpstream">>;

/**
 * Attaches a {@link NatsOutboxSender} over `link`'s NATS bus to `outbox`
 * whenever the link is up and its upstream is `up` or `unknown` (now
 * included), and detaches it whenever the link or the upstream goes
 * down. An `unknown` upstream sends as a link without a probe would: a
 * failed send is retried. Returns a function that stops following the
 * link and detaches the sender.
 */
export function sendWhileLinked(
  outbox: Outbox,
  link: SendingLink,
  options: NatsOutboxSenderOptions = {},
): () => void {
  let sendingThrough: NatsBus | undefined;
  const follow = () => {
    const remote = link.upstream === "down" ? undefined : link.remote;
    if (remote === sendingThrough || outbox.closed) return;
    sendingThrough = remote;
    if (remote) outbox.start(new NatsOutboxSender(remote, options));
    else outbox.stop();
  };
  const offLink = link.onLink(follow);
  const offUpstream = link.onUpstream?.(follow) ?? (() => {});
  follow();
  return () => {
    offLink();
    offUpstream();
    outbox.stop();
  };
}
