/**
 * The layout of an outbox file and how a connection to it is set up:
 * WAL mode, exclusive locking, the durability asked for and, optionally,
 * a cap on the file's size. Also tells SQLite's errors apart.
 *
 * Tables: `messages` (one row per message, in outbox order), `counters`
 * (persisted drop and send counts) and `facts` (the outbox's id and the
 * latest stamp given).
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { OutboxSync } from "./outbox_options.ts";

/** How to set up the file. */
export interface OutboxDatabaseInit {
  sync: OutboxSync;
  /** A cap on the file's size, enforced through `max_page_count`. */
  maxFileBytes?: number;
}

const SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    msg_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    headers TEXT,
    payload BLOB NOT NULL,
    size INTEGER NOT NULL,
    enqueued_at INTEGER NOT NULL
  );
  CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  CREATE TABLE facts (name TEXT PRIMARY KEY, value NOT NULL);
  INSERT INTO counters (name, value) VALUES
    ('sent', 0), ('rejected', 0), ('dropped_oldest', 0), ('expired', 0);
  PRAGMA user_version = ${SCHEMA_VERSION};
`;

const SQLITE_BUSY = 5;
const SQLITE_FULL = 13;

/** Whether `error` is SQLite's "database is locked". */
export function isLocked(error: unknown): boolean {
  return isSqlite(error, SQLITE_BUSY, "database is locked");
}

/** Whether `error` is SQLite's "database or disk is full". */
export function isDiskFull(error: unknown): boolean {
  return isSqlite(error, SQLITE_FULL, "database or disk is full");
}

// Errors of `exec` carry no result code, only SQLite's message for it.
function isSqlite(error: unknown, code: number, message: string): boolean {
  if (!(error instanceof Error)) return false;
  const errcode = (error as { errcode?: unknown }).errcode;
  if (typeof errcode === "number") return (errcode & 0xff) === code;
  return error.message.includes(message);
}

/**
 * Sets up a connection to an outbox file and creates the tables of a new
 * one. Exclusive locking is set before WAL: the WAL index then lives in
 * memory and a second process cannot open the file at all.
 */
export function prepareDatabase(
  db: DatabaseSync,
  init: OutboxDatabaseInit,
): void {
  db.exec("PRAGMA locking_mode = EXCLUSIVE");
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(`PRAGMA synchronous = ${init.sync === "full" ? "FULL" : "NORMAL"}`);
  const version = Number(db.prepare("PRAGMA user_version").get()!.user_version);
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `schema version ${version} is newer than this host's ${SCHEMA_VERSION}`,
    );
  }
  if (version === 0) {
    db.exec("BEGIN IMMEDIATE");
    db.exec(SCHEMA);
    db.prepare("INSERT INTO facts (name, value) VALUES ('outbox_id', ?)")
      .run(randomId());
    db.exec("COMMIT");
  }
  if (init.maxFileBytes !== undefined) {
    const pageSize = Number(db.prepare("PRAGMA page_size").get()!.page_size);
    const pages = Math.max(1, Math.floor(init.maxFileBytes / pageSize));
    db.exec(`PRAGMA max_page_count = ${pages}`);
  }
}

// 64 random bits in hex: ids of outboxes on different devices do not meet.
function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0"))
    .join("");
}
