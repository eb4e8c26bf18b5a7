// The HTTP side: the page, its JSON, and the settings that can change.
//
//   GET    /                   the page (also /index.html)
//   GET    /readings.json      what the page shows, as JSON
//   GET    /thresholds         every kind's limits
//   PUT    /thresholds/<kind>  {"low":…,"high":…}, kept in the store
//   DELETE /thresholds/<kind>  back to the default
//   GET    /device, PUT /device  the device name (text), "" to reset
import { Request, Response } from "../../../shared/assembly/http";
import { jsonString } from "../../../shared/assembly/json";
import { readingsJson, thresholdsJson } from "./documents";
import { isPlainName } from "./messaging";
import { pageHtml } from "./page";
import {
  deviceName,
  publishEvents,
  publisher,
  settings,
  station,
} from "./state";
import { parseThreshold, Threshold } from "./threshold";

const THRESHOLDS = "/thresholds/";

/** Answers one request. */
export function route(request: Request): Response {
  settings.load();
  const path = request.path;
  const method = request.method.toUpperCase();
  if (path == "/" || path == "/index.html") {
    if (method != "GET") return notAllowed("GET");
    const page = pageHtml(station, settings, deviceName(), publisher);
    return answer(200, "text/html; charset=utf-8", page);
  }
  if (path == "/readings.json") {
    if (method != "GET") return notAllowed("GET");
    return json(200, readingsJson(station, settings, deviceName(), publisher));
  }
  if (path == "/thresholds") {
    if (method != "GET") return notAllowed("GET");
    return json(200, thresholdsJson(settings));
  }
  if (path.startsWith(THRESHOLDS)) {
    return threshold(method, path.substring(THRESHOLDS.length), request);
  }
  if (path == "/device") return device(method, request);
  return failure(404, "No page at " + jsonString(path));
}

function threshold(method: string, kind: string, request: Request): Response {
  if (!isPlainName(kind)) {
    return failure(404, "No kind " + jsonString(kind) +
      ": a kind is letters, digits, _ and -");
  }
  if (method == "GET") {
    const known = settings.thresholdOf(kind);
    return json(200, (known == null ? new Threshold(kind) : known)
      .toJsonWithKind());
  }
  if (method == "DELETE") {
    const error = settings.resetThreshold(kind);
    if (error != "") return failure(500, "Cannot reset threshold: " + error);
    return changed(kind);
  }
  if (method != "PUT") return notAllowed("GET, PUT, DELETE");
  const parsed = parseThreshold(kind, String.UTF8.decode(request.body));
  const threshold = parsed.threshold;
  if (threshold == null) {
    return failure(400, "Invalid threshold: " + parsed.error);
  }
  const error = settings.putThreshold(threshold);
  if (error != "") return failure(500, "Cannot store threshold: " + error);
  return changed(kind);
}

// The new limits apply to the latest readings at once.
function changed(kind: string): Response {
  publishEvents(station.recheck(settings));
  const now = settings.thresholdOf(kind);
  return json(200, (now == null ? new Threshold(kind) : now).toJsonWithKind());
}

function device(method: string, request: Request): Response {
  if (method == "PUT") {
    const name = String.UTF8.decode(request.body).trim();
    if (name != "" && !isPlainName(name)) {
      return failure(400, "Invalid device name " + jsonString(name) +
        ": use 1 to 64 letters, digits, _ and -");
    }
    const error = settings.putDevice(name);
    if (error != "") return failure(500, "Cannot store device name: " + error);
  } else if (method != "GET") {
    return notAllowed("GET, PUT");
  }
  return json(200, '{"device":' + jsonString(deviceName()) + "}");
}

function json(status: u32, body: string): Response {
  return answer(status, "application/json", body);
}

function failure(status: u32, message: string): Response {
  return json(status, '{"error":' + jsonString(message) + "}");
}

function notAllowed(allow: string): Response {
  const response = failure(405, "Method not allowed; use " + allow);
  response.header.set("allow", allow);
  return response;
}

function answer(status: u32, type: string, body: string): Response {
  const response = new Response();
  response.statusCode = status;
  response.status = reason(status);
  response.header.set("content-type", type);
  response.header.set("cache-control", "no-store");
  response.body = String.UTF8.encode(body);
  return response;
}

function reason(status: u32): string {
  if (status == 200) return "OK";
  if (status == 400) return "Bad Request";
  if (status == 404) return "Not Found";
  if (status == 405) return "Method Not Allowed";
  return "Internal Server Error";
}
