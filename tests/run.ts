/**
 * The one entry for every uvu suite: `deno task test [FILTER…]`.
 *
 * It makes sure the tools the suites need are there, imports every
 * `*_test.ts` under `tests/` (or those whose path contains a FILTER), runs
 * the suites in order and ends with `N passed, N failed`.
 */
import { ensureNatsServer } from "./ensure_tools.ts";

type SuiteRun = () => Promise<[true | string, number, number, number]>;
type Group = [string | null, ...SuiteRun[]];

const globals = globalThis as unknown as {
  UVU_DEFER: number;
  UVU_QUEUE: Group[];
  UVU_INDEX: number;
};

async function main(): Promise<number> {
  await ensureNatsServer();

  const testsDir = new URL(".", import.meta.url);
  const files = await listTestFiles(testsDir, Deno.args);
  if (files.length === 0) {
    console.error(`no test file matches ${Deno.args.join(" ")}`);
    return 1;
  }

  globals.UVU_DEFER = 1;
  globals.UVU_QUEUE = [];
  for (const [index, file] of files.entries()) {
    globals.UVU_QUEUE.push([file]);
    globals.UVU_INDEX = index;
    await import(new URL(file, testsDir).href);
  }

  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const started = performance.now();
  for (const [name, ...suites] of globals.UVU_QUEUE) {
    console.log(`\n${name}`);
    for (const run of suites) {
      const [errors, ran, skips, total] = await run();
      passed += ran;
      failed += total - ran;
      skipped += skips;
      if (errors !== true) console.log(`\n${errors}`);
    }
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\nduration ${seconds} s`);
  console.log(
    `${passed} passed, ${failed} failed` +
      (skipped ? `, ${skipped} skipped` : ""),
  );
  return failed === 0 ? 0 : 1;
}

async function listTestFiles(dir: URL, filters: string[]): Promise<string[]> {
  const found: string[] = [];
  async function walk(url: URL, prefix: string) {
    for await (const entry of Deno.readDir(url)) {
      const path = prefix + entry.name;
      if (entry.isDirectory && entry.name !== "fixtures") {
        await walk(new URL(`${entry.name}/`, url), `${path}/`);
      } else if (entry.isFile && entry.name.endsWith("_test.ts")) {
        found.push(path);
      }
    }
  }
  await walk(dir, "");
  return found
    .filter((path) =>
      filters.length === 0 || filters.some((f) => path.includes(f))
    )
    .sort();
}

Deno.exit(await main());
