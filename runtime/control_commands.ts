/**
 * The bodies of control commands and their answers, as JSON: the wire
 * contract of the control subjects (docs/lattice.md, "Control"). Readers
 * throw a TypeError or SyntaxError naming the faulty field.
 *
 * @module
 */
import { asBoolean, asInteger, asString, asStringMap } from "./codec.ts";
import { type ModuleRef, parseModuleRef } from "./module_source.ts";

/** A binding a command asks for. */
export interface BindingSpec {
  capabilityId: string;
  binding: string;
  values: Record<string, string>;
}

/** `actor.launch`: start an actor from a module. */
export interface LaunchActor {
  module: ModuleRef;
  instances: number;
  /** Bindings to make once it runs, before the answer. */
  bindings: BindingSpec[];
}

/** `actor.update`: replace a running actor's module. */
export interface UpdateActor {
  actor: string;
  module: ModuleRef;
  force: boolean;
}

/** `actor.scale`: set the instances of a running actor. */
export interface ScaleActor {
  actor: string;
  instances: number;
}

/** `actor.module`: which module an actor runs; `share` puts it in store. */
export interface ActorModuleQuery {
  actor: string;
  share: boolean;
}

/** A provider instance: `provider.launch`, `provider.terminate`. */
export interface ProviderSpec {
  capabilityId: string;
  binding: string;
}

/** `label.put` and `label.delete`. */
export interface LabelChange {
  key: string;
  value: string;
}

/** The answer to a host command: a result, or an error text. */
export type ControlAnswer =
  | { ok: true; [field: string]: unknown }
  | { ok: false; error: string };

/** Instances a command may ask for on one host. */
export const MAX_INSTANCES = 1024;

/** Reads a command's JSON body; an empty body is `{}`. */
export function readBody(payload: Uint8Array): Record<string, unknown> {
  if (payload.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(payload));
  } catch (cause) {
    throw new SyntaxError("Cannot read command: body is not JSON", { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError("Cannot read command: body is not a JSON object");
  }
  return value as Record<string, unknown>;
}

/** Reads an `actor.launch` body. */
export function readLaunchActor(body: Record<string, unknown>): LaunchActor {
  const bindings = body.bindings ?? [];
  if (!Array.isArray(bindings)) {
    throw new TypeError('Cannot read command: field "bindings" is not a list');
  }
  return {
    module: readModule(body),
    instances: readInstances(body, 1),
    bindings: bindings.map((item, index) =>
      readBinding(asObject(item, `bindings[${index}]`))
    ),
  };
}

/** Reads an `actor.update` body. */
export function readUpdateActor(body: Record<string, unknown>): UpdateActor {
  return {
    actor: required(body, "actor"),
    module: readModule(body),
    force: asBoolean(body.force, "force"),
  };
}

/** Reads an `actor.scale` body. */
export function readScaleActor(body: Record<string, unknown>): ScaleActor {
  return { actor: required(body, "actor"), instances: readInstances(body) };
}

/** Reads an `actor.module` body. */
export function readModuleQuery(
  body: Record<string, unknown>,
): ActorModuleQuery {
  return {
    actor: required(body, "actor"),
    share: asBoolean(body.share, "share"),
  };
}

/** Reads a body naming an actor (`actor.terminate`). */
export function readActor(body: Record<string, unknown>): string {
  return required(body, "actor");
}

/** Reads a `provider.launch` or `provider.terminate` body. */
export function readProvider(body: Record<string, unknown>): ProviderSpec {
  return {
    capabilityId: required(body, "capability_id"),
    binding: asString(body.binding_name, "binding_name", "default") ||
      "default",
  };
}

/** Reads a `binding.put` or `binding.delete` body, with its actor. */
export function readBinding(
  body: Record<string, unknown>,
): BindingSpec & { actor?: string } {
  const actor = asString(body.actor, "actor") || undefined;
  return {
    ...(actor ? { actor } : {}),
    capabilityId: required(body, "capability_id"),
    binding: asString(body.binding_name, "binding_name", "default") ||
      "default",
    values: asStringMap(body.values, "values"),
  };
}

/** Reads a `label.put` or `label.delete` body (the latter needs no value). */
export function readLabel(body: Record<string, unknown>): LabelChange {
  const key = required(body, "key");
  if (key.startsWith("hostcore.")) {
    throw new RangeError(
      `Cannot change label "${key}": hostcore labels are the host's own`,
    );
  }
  return { key, value: asString(body.value, "value") };
}

/** Encodes an answer as JSON bytes. */
export function encodeAnswer(answer: ControlAnswer): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(answer));
}

/**
 * Reads an answer; a malformed one becomes an error answer, so a caller
 * always gets a verdict.
 */
export function readAnswer(payload: Uint8Array): ControlAnswer {
  try {
    const body = readBody(payload);
    if (body.ok === true) return body as ControlAnswer;
    return { ok: false, error: asString(body.error, "error", "no reason") };
  } catch (error) {
    return { ok: false, error: `malformed answer (${String(error)})` };
  }
}

function readModule(body: Record<string, unknown>): ModuleRef {
  return parseModuleRef(required(body, "module"));
}

function readInstances(body: Record<string, unknown>, fallback?: number) {
  if (body.instances === undefined && fallback !== undefined) return fallback;
  const instances = asInteger(body.instances, "instances", -1);
  if (instances < 1 || instances > MAX_INSTANCES) {
    throw new RangeError(
      `Cannot read command: field "instances" must be 1 to ${MAX_INSTANCES}`,
    );
  }
  return instances;
}

function required(body: Record<string, unknown>, field: string): string {
  const value = asString(body[field], field);
  if (value === "") {
    throw new TypeError(`Cannot read command: field "${field}" is missing`);
  }
  return value;
}

function asObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`Cannot read command: "${field}" is not an object`);
  }
  return value as Record<string, unknown>;
}
