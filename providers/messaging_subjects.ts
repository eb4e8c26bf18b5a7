/**
 * Which subjects actors may use through `wascc:messaging`. The lattice
 * talks on `wasmbus.…` or, in a namespace, `<ns>.wasmbus.…` (spec §5), and
 * requests are answered on `_INBOX.…`; an actor must not be able to
 * forge, answer for or overhear that traffic. docs/bus.md lists examples.
 *
 * - A lattice subject is one whose first or second token is `wasmbus`.
 * - Publishing, requesting and reply subjects: refused when they are
 *   lattice subjects.
 * - Subscriptions: refused when they could match a lattice subject, that
 *   is when the first or second token is `wasmbus`, `*` or `>`; and when
 *   the first token is `_INBOX`.
 *
 * @module
 */
import { assertPattern, assertSubject } from "../runtime/subjects.ts";

const LATTICE_TOKEN = "wasmbus";
const INBOX_TOKEN = "_INBOX";

/** Whether a subject to publish to belongs to a lattice. */
export function isLatticeSubject(subject: string): boolean {
  const [first, second] = subject.split(".", 2);
  return first === LATTICE_TOKEN || second === LATTICE_TOKEN;
}

/** Whether a subscription subject could match a lattice subject. */
export function couldMatchLattice(pattern: string): boolean {
  const [first, second] = pattern.split(".", 2);
  return [first, second].some((token) =>
    token === LATTICE_TOKEN || token === "*" || token === ">"
  );
}

/**
 * Checks a subject an actor publishes or requests on, or gives as a reply
 * subject: valid, and not a lattice subject.
 */
export function assertActorSubject(subject: string, action: string): void {
  assertSubject(subject, action);
  if (isLatticeSubject(subject)) {
    throw new RangeError(
      `Cannot ${action} "${subject}": subjects whose first or second token ` +
        `is "wasmbus" belong to the lattice`,
    );
  }
}

/**
 * Checks a subject an actor subscribes to: valid, unable to match a
 * lattice subject, and not a reply inbox.
 */
export function assertActorPattern(pattern: string, action: string): void {
  assertPattern(pattern, action);
  if (couldMatchLattice(pattern)) {
    throw new RangeError(
      `Cannot ${action} "${pattern}": it could match subjects of the ` +
        `lattice (first or second token "wasmbus"), so its first two ` +
        `tokens must be neither "wasmbus", "*" nor ">"`,
    );
  }
  if (pattern.split(".", 1)[0] === INBOX_TOKEN) {
    throw new RangeError(
      `Cannot ${action} "${pattern}": reply inboxes (_INBOX) are reserved`,
    );
  }
}
