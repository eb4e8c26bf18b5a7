// The aggregator's state, one per instance: run it with one instance, or
// each would keep windows of its own share of the calls.
import { AlarmEvent } from "./alarm";
import { eventJson } from "./documents";
import { alarmSubject, Publisher } from "./messaging";
import { Settings } from "./settings";
import { Station } from "./station";

export const station = new Station();
export const settings = new Settings();
export const publisher = new Publisher();

/** The device name put over HTTP, else the sensors', else "unnamed". */
export function deviceName(): string {
  if (settings.device != "") return settings.device;
  if (station.sensorDevice != "") return station.sensorDevice;
  return "unnamed";
}

/** Publishes each alarm event on the device's alarm subject. */
export function publishEvents(events: AlarmEvent[]): void {
  if (events.length == 0) return;
  const device = deviceName();
  const subject = alarmSubject(device);
  for (let i = 0; i < events.length; i++) {
    publisher.send(subject, eventJson(events[i], device));
  }
}
