/**
 * A key-value store in an embedded SQLite file (`node:sqlite`), in WAL mode
 * with `synchronous = NORMAL`: a crash of the process loses nothing, a
 * power cut may lose the last writes but never corrupts the file.
 *
 * Expiry times are stored as wall-clock epoch milliseconds so that they
 * survive a restart; a clock that jumps makes keys expire early or late by
 * the jump.
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import {
  addToInteger,
  type KeyType,
  type KeyValueStore,
  type KeyValueStoreOptions,
  rangeBounds,
  SweepSchedule,
  wrongType,
} from "./kv_store.ts";

const SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE keys (
    key TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    value TEXT,
    size INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER
  );
  CREATE INDEX keys_expiry ON keys (expires_at)
    WHERE expires_at IS NOT NULL;
  CREATE TABLE list_items (
    key TEXT NOT NULL REFERENCES keys (key) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (key, position)
  ) WITHOUT ROWID;
  CREATE TABLE set_members (
    key TEXT NOT NULL REFERENCES keys (key) ON DELETE CASCADE,
    member TEXT NOT NULL,
    UNIQUE (key, member)
  );
  PRAGMA user_version = ${SCHEMA_VERSION};
`;

// Every statement the store runs, prepared once when it opens.
const STATEMENTS = {
  lookup: "SELECT type, value, size, expires_at FROM keys WHERE key = ?",
  remove: "DELETE FROM keys WHERE key = ?",
  sweep: "DELETE FROM keys WHERE expires_at <= ?",
  setString: "REPLACE INTO keys (key, type, value, expires_at) " +
    "VALUES (?, 'string', ?, ?)",
  updateString: "INSERT INTO keys (key, type, value) VALUES (?, 'string', ?) " +
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  create: "INSERT INTO keys (key, type) VALUES (?, ?)",
  push: "INSERT INTO list_items (key, position, value) VALUES (?1, " +
    "(SELECT coalesce(max(position), 0) + 1 FROM list_items " +
    "WHERE key = ?1), ?2)",
  resize: "UPDATE keys SET size = size + ? WHERE key = ? RETURNING size",
  listSlice: "SELECT value FROM list_items WHERE key = ? " +
    "ORDER BY position LIMIT ? OFFSET ?",
  removeListItem: "DELETE FROM list_items WHERE key = ? AND value = ?",
  addMember: "INSERT OR IGNORE INTO set_members (key, member) VALUES (?, ?)",
  removeMember: "DELETE FROM set_members WHERE key = ? AND member = ?",
  members: "SELECT member FROM set_members WHERE key = ? ORDER BY rowid",
};

type Statements = Record<keyof typeof STATEMENTS, StatementSync>;

interface KeyRow {
  type: KeyType;
  value: string | null;
  /** Items of a list or members of a set. */
  size: number;
  expires_at: number | null;
}

/**
 * A {@link KeyValueStore} in one SQLite file. Expiry uses `Date.now()`
 * unless a clock is given; expired keys are deleted when read and swept
 * now and then on writes.
 */
export class SqliteStore implements KeyValueStore {
  #db: DatabaseSync;
  #sql: Statements;
  #now: () => number;
  #sweeps: SweepSchedule;

  /** Opens (and creates, if needed) the database at `path`. */
  constructor(path: string, options: KeyValueStoreOptions = {}) {
    this.#db = openDatabase(path);
    this.#sql = Object.fromEntries(
      Object.entries(STATEMENTS).map(([name, sql]) => [
        name,
        this.#db.prepare(sql),
      ]),
    ) as Statements;
    this.#now = options.now ?? Date.now;
    this.#sweeps = new SweepSchedule(this.#now());
    this.#sql.sweep.run(this.#now());
  }

  get(key: string): string | undefined {
    return this.#find(key, "string")?.value ?? undefined;
  }

  set(key: string, value: string, ttlMs: number): void {
    this.#sweepIfDue();
    const expiresAt = ttlMs > 0 ? this.#now() + ttlMs : null;
    this.#sql.setString.run(key, value, expiresAt);
  }

  add(key: string, delta: number): number {
    return this.#atomically(() => {
      const current = this.#find(key, "string")?.value ?? "0";
      const sum = addToInteger(key, current, delta);
      this.#sql.updateString.run(key, String(sum));
      return sum;
    });
  }

  delete(key: string): void {
    this.#sql.remove.run(key);
  }

  exists(key: string): boolean {
    return this.#live(key) !== undefined;
  }

  push(key: string, value: string): number {
    return this.#atomically(() => {
      this.#findOrCreate(key, "list");
      this.#sql.push.run(key, value);
      return this.#resize(key, 1);
    });
  }

  range(key: string, start: number, stop: number): string[] {
    const list = this.#find(key, "list");
    if (!list) return [];
    const [from, to] = rangeBounds(list.size, start, stop);
    if (from >= to) return [];
    const rows = this.#sql.listSlice.all(key, to - from, from);
    return rows.map((row) => row.value as string);
  }

  removeListItem(key: string, value: string): number {
    return this.#atomically(() => {
      if (!this.#find(key, "list")) return 0;
      const { changes } = this.#sql.removeListItem.run(key, value);
      return this.#resize(key, -Number(changes));
    });
  }

  addToSet(key: string, member: string): number {
    return this.#atomically(() => {
      this.#findOrCreate(key, "set");
      const { changes } = this.#sql.addMember.run(key, member);
      return this.#resize(key, Number(changes));
    });
  }

  removeFromSet(key: string, member: string): number {
    return this.#atomically(() => {
      if (!this.#find(key, "set")) return 0;
      const { changes } = this.#sql.removeMember.run(key, member);
      return this.#resize(key, -Number(changes));
    });
  }

  members(key: string): string[] {
    if (!this.#find(key, "set")) return [];
    return this.#sql.members.all(key).map((row) => row.member as string);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  #find(key: string, type: KeyType): KeyRow | undefined {
    const row = this.#live(key);
    if (row && row.type !== type) throw wrongType(key, row.type, type);
    return row;
  }

  #findOrCreate(key: string, type: KeyType): void {
    if (this.#find(key, type)) return;
    this.#sweepIfDue();
    this.#sql.create.run(key, type);
  }

  #live(key: string): KeyRow | undefined {
    const row = this.#sql.lookup.get(key) as KeyRow | undefined;
    if (row?.expires_at != null && row.expires_at <= this.#now()) {
      this.#sql.remove.run(key);
      return undefined;
    }
    return row;
  }

  /** Changes the size of a list or set by `delta`; removes it if empty. */
  #resize(key: string, delta: number): number {
    const { size } = this.#sql.resize.get(delta, key) as { size: number };
    if (size === 0) this.#sql.remove.run(key);
    return size;
  }

  #sweepIfDue(): void {
    const now = this.#now();
    if (this.#sweeps.due(now)) this.#sql.sweep.run(now);
  }

  #atomically<T>(work: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }
}

function openDatabase(path: string): DatabaseSync {
  let db: DatabaseSync | undefined;
  let version: number;
  try {
    db = new DatabaseSync(path, { enableForeignKeyConstraints: true });
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    db.exec("PRAGMA busy_timeout = 5000;");
    const row = db.prepare("PRAGMA user_version").get();
    version = (row as { user_version: number }).user_version;
  } catch (error) {
    db?.close();
    throw new Error(
      `Cannot open key-value store "${path}": ${(error as Error).message}`,
      { cause: error },
    );
  }

  if (version === 0) db.exec(`BEGIN; ${SCHEMA} COMMIT;`);
  else if (version !== SCHEMA_VERSION) {
    db.close();
    throw new RangeError(
      `Cannot open key-value store "${path}": schema version ${version} ` +
        `is not ${SCHEMA_VERSION}`,
    );
  }
  return db;
}
