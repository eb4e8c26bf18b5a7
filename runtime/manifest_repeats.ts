/**
 * Finds entries a manifest lists twice: the same actor file, the same
 * provider under the same binding name, the same binding.
 *
 * @module
 */

import type {
  ManifestActor,
  ManifestBinding,
  ManifestCapability,
  ManifestIssue,
} from "./manifest.ts";

/** Reports the second and later occurrence of each repeated entry. */
export function findRepeats(parts: {
  actors: ManifestActor[];
  capabilities: ManifestCapability[];
  bindings: ManifestBinding[];
}): ManifestIssue[] {
  return [
    ...repeats(
      parts.actors,
      "actors",
      (actor) => actor.path,
      (actor) => `the actor ${JSON.stringify(actor.path)}`,
      '; raise "instances" instead',
    ),
    ...repeats(
      parts.capabilities,
      "capabilities",
      (capability) => `${capabilitySource(capability)}\n${capability.binding}`,
      (capability) =>
        `the capability ${JSON.stringify(capabilitySource(capability))} ` +
        `with binding name ${JSON.stringify(capability.binding)}`,
    ),
    ...repeats(
      parts.bindings,
      "bindings",
      (binding) =>
        `${binding.actor}\n${binding.capability}\n${binding.binding}`,
      (binding) =>
        `the binding of ${binding.actor} to ` +
        `${JSON.stringify(binding.capability)} ` +
        `named ${JSON.stringify(binding.binding)}`,
    ),
  ];
}

function capabilitySource(capability: ManifestCapability): string {
  return capability.kind === "builtin" ? capability.id : capability.path;
}

function repeats<T extends { line: number }>(
  items: T[],
  section: string,
  identity: (item: T) => string,
  describe: (item: T) => string,
  hint = "",
): ManifestIssue[] {
  const firstLines = new Map<string, number>();
  const issues: ManifestIssue[] = [];
  for (const item of items) {
    const first = firstLines.get(identity(item));
    if (first === undefined) {
      firstLines.set(identity(item), item.line);
      continue;
    }
    issues.push({
      line: item.line,
      key: section,
      message: `"${section}" lists ${describe(item)} again ` +
        `(first on line ${first})${hint}`,
    });
  }
  return issues;
}
