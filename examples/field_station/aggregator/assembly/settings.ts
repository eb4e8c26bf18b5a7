// What can be changed at run time — the alarm thresholds and the device
// name — kept in wascc:keyvalue so that a restart finds them again:
//
//   field_station:threshold_kinds   set of the kinds whose limits were put
//   field_station:threshold:<kind>  {"low":…,"high":…} of one kind
//   field_station:device            the device name, when one was put
import {
  storeDelete,
  storeGet,
  storeSet,
  storeSetAdd,
  storeSetMembers,
  storeSetRemove,
} from "./keyvalue";
import { defaultThresholds, parseThreshold, Threshold } from "./threshold";

const KINDS_KEY = "field_station:threshold_kinds";
const THRESHOLD_KEY = "field_station:threshold:";
const DEVICE_KEY = "field_station:device";

/** The thresholds and device name in force. */
export class Settings {
  /** The device name put over HTTP, or "" to take the sensors'. */
  device: string = "";
  private thresholds: Map<string, Threshold> = new Map<string, Threshold>();
  private loaded: bool = false;

  constructor() {
    this.useDefaults();
  }

  /**
   * Reads what the store holds, once it answers: until then the defaults
   * apply and every call tries again.
   */
  load(): void {
    if (this.loaded) return;
    const kinds = storeSetMembers(KINDS_KEY);
    if (kinds.error != "") return;
    const device = storeGet(DEVICE_KEY);
    if (device.error != "") return;

    this.useDefaults();
    for (let i = 0; i < kinds.values.length; i++) {
      this.loadThreshold(kinds.values[i]);
    }
    this.device = device.value;
    this.loaded = true;
  }

  /** The limits of `kind`, or null when it has none. */
  thresholdOf(kind: string): Threshold | null {
    return this.thresholds.has(kind) ? this.thresholds.get(kind) : null;
  }

  /** Every kind's limits, by kind name. */
  all(): Threshold[] {
    const kinds = this.thresholds.keys().sort();
    const all: Threshold[] = [];
    for (let i = 0; i < kinds.length; i++) {
      all.push(this.thresholds.get(kinds[i]));
    }
    return all;
  }

  /** Stores and applies limits; returns why it failed, or "". */
  putThreshold(threshold: Threshold): string {
    const key = THRESHOLD_KEY + threshold.kind;
    const stored = storeSet(key, threshold.toJson());
    if (stored.error != "") return stored.error;
    const listed = storeSetAdd(KINDS_KEY, threshold.kind);
    if (listed.error != "") return listed.error;
    this.thresholds.set(threshold.kind, threshold);
    return "";
  }

  /** Forgets the limits put for `kind`: its default, if any, applies. */
  resetThreshold(kind: string): string {
    const unlisted = storeSetRemove(KINDS_KEY, kind);
    if (unlisted.error != "") return unlisted.error;
    const removed = storeDelete(THRESHOLD_KEY + kind);
    if (removed.error != "") return removed.error;
    this.thresholds.delete(kind);
    const defaults = defaultThresholds();
    for (let i = 0; i < defaults.length; i++) {
      if (defaults[i].kind == kind) this.thresholds.set(kind, defaults[i]);
    }
    return "";
  }

  /** Stores the device name (empty: back to the sensors'). */
  putDevice(name: string): string {
    const result = name == "" ? storeDelete(DEVICE_KEY)
    : storeSet(DEVICE_KEY, name);
    if (result.error != "") return result.error;
    this.device = name;
    return "";
  }

  private loadThreshold(kind: string): void {
    const stored = storeGet(THRESHOLD_KEY + kind);
    if (stored.error != "" || !stored.exists) return;
    const parsed = parseThreshold(kind, stored.value);
    const threshold = parsed.threshold;
    if (threshold != null) this.thresholds.set(kind, threshold);
  }

  private useDefaults(): void {
    this.thresholds.clear();
    const defaults = defaultThresholds();
    for (let i = 0; i < defaults.length; i++) {
      this.thresholds.set(defaults[i].kind, defaults[i]);
    }
  }
}
