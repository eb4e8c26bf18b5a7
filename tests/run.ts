/**
 * The one entry for every uvu suite: `deno task test [FILTER…]`.
 *
 * It makes sure the tools the suites need are there, imports every
 * `*_test.ts` under `tests/` (or those whose path contains a FILTER), runs
 * the suites in order and ends with `N passed, N failed`. A suite that
 * makes no progress for WATCHDOG_MS ends the run: the file is named on
 * standard error and the process dies of SIGTERM (exit status 143).
 */
import { ensureTools } from "./ensure_tools.ts";
import { Watchdog } from "./watchdog.ts";

type SuiteRun = () => Promise<[true | string, number, number, number]>;
type Group = [string | null, ...SuiteRun[]];

/** How long one file's import or one suite may run; the slowest take 5 s. */
const WATCHDOG_MS = 120_000;

const globals = globalThis as unknown as {
  UVU_DEFER: number;
  UVU_QUEUE: Group[];
  UVU_INDEX: number;
};

async function main(): Promise<number> {
  await ensureTools();

  const testsDir = new URL(".", import.meta.url);
  const files = await listTestFiles(testsDir, Deno.args);
  if (files.length === 0) {
    console.error(`no test file matches ${Deno.args.join(" ")}`);
    return 1;
  }

  const watchdog = new Watchdog(WATCHDOG_MS);
  globals.UVU_DEFER = 1;
  globals.UVU_QUEUE = [];
  for (const [index, file] of files.entries()) {
    watchdog.progress(`importing tests/${file}`);
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
    for (const [index, run] of suites.entries()) {
      watchdog.progress(`suite ${index + 1} of tests/${name}`);
      const [errors, ran, skips, total] = await run();
      passed += ran;
      failed += total - ran;
      skipped += skips;
      if (errors !== true) console.log(`\n${errors}`);
      else if (ran + skips < total) {
        // uvu swallows a failing hook (or an error thrown while reporting
        // a failure); say so rather than count failures with no reason.
        console.log(
          `\n${total - ran} test(s) of tests/${name} did not run: a ` +
            `before, after or after.each hook threw`,
        );
      }
    }
  }

  watchdog.stop();

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
