/**
 * The outbox of `trellis up --upstream …`: opened in the data directory,
 * sending while the link is up and the cloud beyond it is not known to be
 * away (see leaf/outbox_link.ts), its events in the host's log.
 *
 * @module
 */
import { join } from "node:path";
import type { LinkedBus } from "../runtime/link.ts";
import type { Logger } from "../runtime/logger.ts";
import type { Upstream, UpstreamConfig } from "../runtime/upstream.ts";
import { messageOf } from "../runtime/wapc_instance.ts";
import { LinkBus } from "./link_bus.ts";
import { Outbox } from "./outbox.ts";
import type { OutboxEvent } from "./outbox_events.ts";
import { sendWhileLinked } from "./outbox_link.ts";
import { UpstreamSubjects } from "./outbox_upstream.ts";

/** File name of the outbox inside the data directory. */
export const OUTBOX_FILE = "outbox.db";

/** Where the outbox lives and what it sends through. */
export interface UpstreamContext {
  dataDir: string;
  /** The host's link; without one the outbox only fills. */
  link?: LinkedBus;
  logger: Logger;
}

/**
 * Opens the outbox `config` describes, sending while `link` is up and its
 * upstream is not down.
 */
export function openUpstream(
  config: UpstreamConfig,
  context: UpstreamContext,
): Upstream {
  const subjects = new UpstreamSubjects(config.subjects);
  const logger = context.logger.child({ part: "outbox" });
  const outbox = Outbox.open(join(context.dataDir, OUTBOX_FILE), {
    maxBytes: config.maxBytes,
    maxAgeMs: config.maxAgeMs,
    whenFull: config.whenFull,
    sync: config.sync,
    logger,
  });
  const offEvents = outbox.on(logEvents(logger));
  const stopSending = context.link instanceof LinkBus
    ? sendWhileLinked(outbox, context.link)
    : () => {};
  return {
    matches: (subject) => subjects.matches(subject),
    enqueue: (subject, payload, headers) =>
      outbox.enqueue(subject, payload, headers),
    status: () => outbox.status(),
    async close() {
      stopSending();
      offEvents();
      await outbox.close();
    },
  };
}

// A backlog's progress and end are news; a message sent as soon as it
// came is not.
function logEvents(logger: Logger): (event: OutboxEvent) => void {
  let draining = false;
  return (event) => {
    switch (event.type) {
      case "progress":
        draining = true;
        logger.info("outbox draining", {
          depth: event.depth,
          sent: event.sent,
          perSecond: Math.round(event.perSecond),
        });
        break;
      case "drained":
        if (draining) {
          logger.info("outbox drained", { sent: event.sent, ms: event.ms });
        }
        draining = false;
        break;
      case "drop":
        logger.warn("outbox dropped messages", {
          reason: event.reason,
          bound: event.bound,
          count: event.count,
          dropped: event.dropped,
        });
        break;
      case "send_failed":
        logger.warn("outbox send failed", {
          error: messageOf(event.error),
          retryInMs: event.retryInMs,
        });
        break;
      case "clock_step":
        logger.warn("wall clock stepped", { stepMs: event.stepMs });
        break;
      case "state":
        logger.debug("outbox state", { state: event.state });
        break;
    }
  };
}
