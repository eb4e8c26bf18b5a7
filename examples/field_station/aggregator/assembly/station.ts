// What the aggregator knows: per sensor the latest reading, its window
// and its alarm, the recent alarm events, and when telemetry went out.
import { AlarmEvent, AlarmState } from "./alarm";
import { Reading, ReadingBatch } from "./readings";
import { Settings } from "./settings";
import { Window, WINDOW_MS } from "./window";

/** Alarm events kept for the page, newest first. */
export const EVENTS_KEPT: i32 = 20;

/** The least time between two telemetry summaries, by reading time. */
export const TELEMETRY_PERIOD_MS: i64 = 10_000;

/** One sensor as the aggregator sees it. */
export class Sensor {
  value: f64 = NaN;
  timestamp: i64 = 0;
  /** Why the latest reading has no value, or "". */
  error: string = "";
  window: Window = new Window();
  alarm: AlarmState;

  constructor(
    public name: string,
    public kind: string,
    public unit: string,
  ) {
    this.alarm = new AlarmState(name, kind, unit);
  }
}

/** The aggregator's state between calls. */
export class Station {
  sensors: Sensor[] = [];
  events: AlarmEvent[] = [];
  deliveries: i64 = 0;
  sequence: i64 = 0;
  skipped: i64 = 0;
  /** The latest reading time seen, ms since the epoch. */
  updated: i64 = 0;
  /** The device name the sensor ids carry, or "". */
  sensorDevice: string = "";
  /** Reading time of the last summary; -1 before the first. */
  lastSummary: i64 = -1;
  private index: Map<string, Sensor> = new Map<string, Sensor>();

  /** Takes a delivery; returns the alarm events it caused. */
  receive(batch: ReadingBatch, settings: Settings): AlarmEvent[] {
    const events: AlarmEvent[] = [];
    this.deliveries++;
    this.sequence = batch.sequence;
    this.skipped += batch.skipped;
    const latest = batch.latest();
    if (latest > this.updated) this.updated = latest;

    for (let i = 0; i < batch.readings.length; i++) {
      this.take(batch.readings[i], settings, events);
    }
    this.forgetSilent();
    this.nameDevice(batch);
    this.remember(events);
    return events;
  }

  /** Applies changed thresholds to the latest readings. */
  recheck(settings: Settings): AlarmEvent[] {
    const events: AlarmEvent[] = [];
    for (let i = 0; i < this.sensors.length; i++) {
      const sensor = this.sensors[i];
      if (sensor.error != "" || sensor.timestamp == 0) continue;
      const threshold = settings.thresholdOf(sensor.kind);
      sensor.alarm.recheck(threshold, sensor.value, sensor.timestamp, events);
    }
    this.remember(events);
    return events;
  }

  /** Whether a summary is due, given the latest reading time. */
  summaryDue(): bool {
    return this.lastSummary < 0 || this.updated < this.lastSummary ||
      this.updated - this.lastSummary >= TELEMETRY_PERIOD_MS;
  }

  /** The sensors with an alarm raised. */
  alarmed(): Sensor[] {
    const alarmed: Sensor[] = [];
    for (let i = 0; i < this.sensors.length; i++) {
      if (this.sensors[i].alarm.raised != null) alarmed.push(this.sensors[i]);
    }
    return alarmed;
  }

  private take(
    reading: Reading,
    settings: Settings,
    events: AlarmEvent[],
  ): void {
    const sensor = this.sensorFor(reading);
    sensor.timestamp = reading.timestamp;
    sensor.error = reading.error;
    if (reading.error != "") {
      sensor.value = NaN;
      return;
    }
    sensor.value = reading.value;
    sensor.window.add(reading.value, reading.timestamp);
    const threshold = settings.thresholdOf(sensor.kind);
    sensor.alarm.check(threshold, reading.value, reading.timestamp, events);
  }

  private sensorFor(reading: Reading): Sensor {
    if (this.index.has(reading.sensor)) {
      const known = this.index.get(reading.sensor);
      if (reading.unit != "") known.unit = reading.unit;
      return known;
    }
    const sensor = new Sensor(reading.sensor, reading.kind, reading.unit);
    this.index.set(reading.sensor, sensor);
    this.sensors.push(sensor);
    return sensor;
  }

  // Windows lose what is too old; a sensor that sent nothing, not even an
  // error, for as long (its binding changed) is forgotten, alarm and all.
  private forgetSilent(): void {
    const kept: Sensor[] = [];
    for (let i = 0; i < this.sensors.length; i++) {
      const sensor = this.sensors[i];
      sensor.window.prune(this.updated);
      if (sensor.timestamp >= this.updated - WINDOW_MS) kept.push(sensor);
      else this.index.delete(sensor.name);
    }
    this.sensors = kept;
  }

  // The latest batch that names a device wins, so that a binding given
  // another DEVICE_NAME renames it.
  private nameDevice(batch: ReadingBatch): void {
    for (let i = 0; i < batch.readings.length; i++) {
      const device = deviceOf(batch.readings[i]);
      if (device != "") {
        this.sensorDevice = device;
        return;
      }
    }
  }

  private remember(events: AlarmEvent[]): void {
    for (let i = events.length - 1; i >= 0; i--) this.events.unshift(events[i]);
    while (this.events.length > EVENTS_KEPT) this.events.pop();
  }
}

/**
 * The DEVICE_NAME the sensors binding put in front of a sensor id: the
 * simulated source names `<device>-<n>.<kind>`, the serial one
 * `<device>.<name>`; other sources name no device ("").
 */
export function deviceOf(reading: Reading): string {
  const dot = reading.sensor.lastIndexOf(".");
  if (dot <= 0) return "";
  const unit = reading.sensor.substring(0, dot);
  if (reading.source == "serial") return unit;
  if (reading.source != "simulated") return "";
  let end = unit.length;
  while (end > 0 && isDigit(unit.charCodeAt(end - 1))) end--;
  if (end == unit.length || end < 2 || unit.charCodeAt(end - 1) != 0x2d) {
    return "";
  }
  return unit.substring(0, end - 1);
}

function isDigit(code: i32): bool {
  return code >= 0x30 && code <= 0x39;
}
