/**
 * Makes sure the outside programs the suites need are installed: it
 * installs `nats-server` with apt when it is missing and it can, and
 * otherwise fails with the command to run.
 */

async function has(command: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("sh", {
      args: ["-c", `command -v ${command}`],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/** Installs nats-server with apt-get when it is missing. */
export async function ensureNatsServer(): Promise<void> {
  if (await has("nats-server")) return;
  const hint = "apt-get update && apt-get install -y nats-server";
  const isRoot = Deno.uid?.() === 0;
  if (!isRoot || !(await has("apt-get"))) {
    throw new Error(
      `Cannot run the suites: nats-server is missing; run: ${hint}`,
    );
  }
  console.error("installing nats-server with apt-get");
  for (
    const args of [["update", "-qq"], ["install", "-y", "-qq", "nats-server"]]
  ) {
    const { success } = await new Deno.Command("apt-get", {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!success) {
      throw new Error(
        `Cannot install nats-server: apt-get ${args[0]} failed; run: ${hint}`,
      );
    }
  }
}
