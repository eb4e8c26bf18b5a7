// Threshold alarms of one sensor. An alarm is raised by the first reading
// past a limit and cleared by CLEAR_AFTER readings in a row back within
// the limits, so that a value hovering at a limit does not flap; a change
// of the limits applies at once.
import { Threshold } from "./threshold";

/** Readings in a row within the limits that clear an alarm. */
export const CLEAR_AFTER: i32 = 3;

/** An alarm that is raised. */
export class Alarm {
  /** "high" or "low". */
  bound: string = "";
  limit: f64 = NaN;
  /** The latest value, and the furthest past the limit so far. */
  value: f64 = NaN;
  peak: f64 = NaN;
  /** When it was raised, ms since the epoch. */
  since: i64 = 0;
  /** Readings in a row back within the limits. */
  calm: i32 = 0;
}

/** An alarm raised or cleared. */
export class AlarmEvent {
  sensor: string = "";
  kind: string = "";
  unit: string = "";
  /** "raised" or "cleared". */
  state: string = "";
  bound: string = "";
  value: f64 = NaN;
  limit: f64 = NaN;
  at: i64 = 0;
}

/** The alarm state of one sensor. */
export class AlarmState {
  raised: Alarm | null = null;

  constructor(
    public sensor: string,
    public kind: string,
    public unit: string,
  ) {}

  /** Takes a good reading; adds what happened to `events`. */
  check(
    threshold: Threshold | null,
    value: f64,
    at: i64,
    events: AlarmEvent[],
  ): void {
    const bound = threshold == null ? "" : threshold.breach(value);
    const alarm = this.raised;
    if (alarm == null) {
      if (bound != "") this.raise(threshold!, bound, value, at, events);
      return;
    }
    alarm.value = value;
    if (bound == "") {
      alarm.calm++;
      if (alarm.calm >= CLEAR_AFTER) this.clear(value, at, events);
      return;
    }
    if (bound != alarm.bound) {
      this.clear(value, at, events);
      this.raise(threshold!, bound, value, at, events);
      return;
    }
    alarm.calm = 0;
    alarm.limit = threshold!.limit(bound);
    if (isFurther(bound, value, alarm.peak)) alarm.peak = value;
  }

  /** Applies changed limits to the latest value at once. */
  recheck(
    threshold: Threshold | null,
    value: f64,
    at: i64,
    events: AlarmEvent[],
  ): void {
    const bound = threshold == null ? "" : threshold.breach(value);
    const alarm = this.raised;
    if (alarm != null && bound != alarm.bound) this.clear(value, at, events);
    if (bound == "") return;
    if (this.raised == null) this.raise(threshold!, bound, value, at, events);
    else this.raised!.limit = threshold!.limit(bound);
  }

  private raise(
    threshold: Threshold,
    bound: string,
    value: f64,
    at: i64,
    events: AlarmEvent[],
  ): void {
    const alarm = new Alarm();
    alarm.bound = bound;
    alarm.limit = threshold.limit(bound);
    alarm.value = value;
    alarm.peak = value;
    alarm.since = at;
    this.raised = alarm;
    events.push(this.event("raised", alarm, value, at));
  }

  private clear(value: f64, at: i64, events: AlarmEvent[]): void {
    const alarm = this.raised;
    if (alarm == null) return;
    this.raised = null;
    events.push(this.event("cleared", alarm, value, at));
  }

  private event(state: string, alarm: Alarm, value: f64, at: i64): AlarmEvent {
    const event = new AlarmEvent();
    event.sensor = this.sensor;
    event.kind = this.kind;
    event.unit = this.unit;
    event.state = state;
    event.bound = alarm.bound;
    event.value = value;
    event.limit = alarm.limit;
    event.at = at;
    return event;
  }
}

function isFurther(bound: string, value: f64, peak: f64): bool {
  return bound == "high" ? value > peak : value < peak;
}
