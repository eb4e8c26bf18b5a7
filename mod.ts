/**
 * trellis: a host for signed WebAssembly actors (the waSCC 0.14 / waPC
 * ABI) next to the capability providers that give them their powers.
 *
 * ```ts
 * import { Host, keyValueProvider } from "./mod.ts";
 *
 * const host = new Host({ id: "N…", dataDir: "/var/lib/trellis" });
 * await host.startProvider(keyValueProvider);
 * const claims = await host.startActor(await Deno.readFile("counter.wasm"));
 * await host.bind(claims.subject, "wascc:keyvalue");
 * ```
 *
 * @module
 */

export { Host } from "./runtime/host.ts";
export type {
  BindingInfo,
  HostOptions,
  ProviderInfo,
  StartActorOptions,
  UpdateActorOptions,
} from "./runtime/host.ts";
export { HostEvents } from "./runtime/host_events.ts";
export type { HostEvent, HostEventListener } from "./runtime/host_events.ts";
export { Actor } from "./runtime/actor.ts";
export type { InvocationContext } from "./runtime/actor.ts";
export {
  ActorBusyError,
  DeadlineExceededError,
  PermissionDeniedError,
} from "./runtime/errors.ts";
export type {
  ActorBinding,
  CapabilityDescriptor,
  CapabilityProvider,
  OperationDescriptor,
  OperationDirection,
  ProviderCall,
  ProviderContext,
  ProviderFactory,
} from "./runtime/provider.ts";
export { unknownOperation } from "./runtime/provider.ts";
export type { LogFields, Logger, LogLevel } from "./runtime/logger.ts";
export { silentLogger } from "./runtime/logger.ts";
export {
  ClaimsError,
  describeClaims,
  moduleHash,
  readClaims,
  verifyModule,
} from "./runtime/claims.ts";
export type {
  ActorClaims,
  ClaimsCheck,
  VerifyOptions,
} from "./runtime/claims.ts";
export { signModule } from "./runtime/claims_sign.ts";
export type { SignOptions } from "./runtime/claims_sign.ts";
export {
  generateKeyPair,
  keyPairFromSeed,
  verifySignature,
} from "./runtime/ed25519.ts";
export type { KeyPair } from "./runtime/ed25519.ts";
export type { KeyKind } from "./runtime/nkeys.ts";
export { decode, encode } from "./runtime/codec.ts";
export {
  loadManifest,
  ManifestError,
  parseManifest,
} from "./runtime/manifest.ts";
export type {
  Manifest,
  ManifestActor,
  ManifestBinding,
  ManifestCapability,
  ManifestEnv,
  ManifestIssue,
} from "./runtime/manifest.ts";
export { applyManifest } from "./runtime/manifest_apply.ts";
export type { ProviderCatalog } from "./runtime/manifest_apply.ts";
export type { WasmProviderOptions } from "./runtime/wasm_provider.ts";
export { httpServerProvider } from "./providers/http_server.ts";
export { keyValueProvider } from "./providers/keyvalue.ts";
export { extrasProvider } from "./providers/extras.ts";
export { loggingProvider } from "./providers/logging.ts";
export { createSensorsProvider, sensorsProvider } from "./providers/sensors.ts";
export type { SensorsProviderOptions } from "./providers/sensors.ts";
export { ModuleCache } from "./runtime/module_cache.ts";
export type { Remote } from "./runtime/remote.ts";
export type { Entity } from "./runtime/invocation.ts";
export { builtinProviders } from "./providers/builtin.ts";
