// Publishing through wascc:messaging (binding "default") and the subjects
// the aggregator publishes on.
import { hostCall } from "@wapc/as-guest";
import { MessageWriter } from "../../../shared/assembly/msgpack_writer";

/** `telemetry.<device>`: the summaries. */
export function summarySubject(device: string): string {
  return "telemetry." + subjectToken(device);
}

/** `telemetry.<device>.alarms`: each alarm raised or cleared. */
export function alarmSubject(device: string): string {
  return summarySubject(device) + ".alarms";
}

/**
 * `name` as one subject token: characters other than letters, digits,
 * `_` and `-` (a `.` would split it) become `_`.
 */
export function subjectToken(name: string): string {
  let token = "";
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    token += isTokenCode(code) ? String.fromCharCode(code) : "_";
  }
  return token == "" ? "_" : token;
}

/** Whether `name` is 1 to 64 letters, digits, `_` and `-`. */
export function isPlainName(name: string): bool {
  if (name.length == 0 || name.length > 64) return false;
  for (let i = 0; i < name.length; i++) {
    if (!isTokenCode(name.charCodeAt(i))) return false;
  }
  return true;
}

/** Publishes `text` on `subject`; returns why it failed, or "". */
export function publish(subject: string, text: string): string {
  const writer = new MessageWriter().map(3);
  writer.string("subject").string(subject);
  writer.string("replyTo").string("");
  writer.string("body").bin(String.UTF8.encode(text));
  const result = hostCall(
    "default",
    "wascc:messaging",
    "Publish",
    writer.toArrayBuffer(),
  );
  return result.isOk ? "" : result.error()!.message;
}

function isTokenCode(code: i32): bool {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) || code == 0x5f || code == 0x2d;
}

/** Counts what was published and what failed. */
export class Publisher {
  published: i64 = 0;
  failed: i64 = 0;
  /** Why the latest failed publish failed, or "". */
  lastError: string = "";

  /**
   * Publishes, and remembers a failure rather than failing the caller: a
   * summary that cannot go out is no reason to drop the readings.
   */
  send(subject: string, text: string): void {
    const error = publish(subject, text);
    if (error == "") {
      this.published++;
      return;
    }
    this.failed++;
    this.lastError = error;
  }
}
