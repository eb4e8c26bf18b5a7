/**
 * Noticing that a manifest file changed. The directory is watched rather
 * than the file, so an editor that saves by writing a new file and
 * renaming it over the old one is noticed too.
 *
 * @module
 */
import { basename, dirname, resolve } from "node:path";

/** A running watch; `close` ends it. */
export interface ManifestWatch {
  close(): void;
}

/** How {@linkcode watchManifest} waits. */
export interface WatchOptions {
  /** Quiet time after the last change before `onChange` runs (250 ms). */
  debounceMs?: number;
}

/**
 * Calls `onChange` once the file at `path` has changed and then stayed
 * untouched for `debounceMs`: a save that writes several times is one
 * change. Throws, as `Deno.watchFs` does, when the directory cannot be
 * watched.
 */
export function watchManifest(
  path: string,
  onChange: () => void,
  options: WatchOptions = {},
): ManifestWatch {
  const file = resolve(path);
  const debounceMs = options.debounceMs ?? 250;
  const watcher = Deno.watchFs(dirname(file), { recursive: false });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  // Every path reported is in the watched directory: the name tells.
  const touched = (event: Deno.FsEvent) =>
    event.kind !== "access" &&
    event.paths.some((changed) => basename(changed) === basename(file));

  (async () => {
    for await (const event of watcher) {
      if (closed || !touched(event)) continue;
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        if (!closed) onChange();
      }, debounceMs);
    }
  })().catch(() => {
    // The watch ended (its directory went away): reloads on SIGHUP remain.
  });

  return {
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}
