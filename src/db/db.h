/*
 * db.h - one small API over SQLite and PostgreSQL.
 *
 * Callers write SQL in the subset both engines share, with `?` placeholders; the
 * PostgreSQL backend numbers them ($1, $2, ...). A statement is prepared, bound (1-based
 * indexes), stepped row by row and finalized. Nothing above db/ includes sqlite3.h or
 * libpq-fe.h, or knows which engine it talks to.
 *
 * A struct db is one connection, used by one thread at a time.
 */
#ifndef PD_DB_H
#define PD_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct db;
struct db_stmt;

enum db_kind { DB_SQLITE, DB_POSTGRES };

/* db_step() results besides errors. */
enum { DB_DONE = 0, DB_ROW = 1 };

/* Opens "sqlite:PATH" or "postgresql://...". SQLite gets WAL, foreign keys and a busy
 * timeout. Returns 0 and *out (owner: caller, db_close()), or a negative status with err. */
int db_open(const char *url, struct db **out, struct pd_error *err);

/* Closes the connection and finalizes its cached statements. NULL is fine. */
void db_close(struct db *db);

/* Which engine this is (for db/ internals, tests and logs; never for SQL choices). */
enum db_kind db_kind(const struct db *db);

/* Whether transactions on separate connections write at the same time (PostgreSQL: each
 * connection is a server process of its own), rather than one after the other (SQLite:
 * one writer per database), so that spreading work over connections makes it faster. */
bool db_writes_at_once(const struct db *db);

/* The engine's last error message, for logs. */
const char *db_errmsg(struct db *db);

/* Runs one or more statements without parameters (migrations, BEGIN, ...). Writes belong
 * in a transaction: outside one, SQLite's are neither queued nor synced (db_commit is). */
int db_exec(struct db *db, const char *sql);

/* A statement's parameters at most, on both engines. */
#define DB_MAX_PARAMS 1024

/* Prepares one statement (at most DB_MAX_PARAMS parameters). Owner of *out: caller,
 * db_finalize(). */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out);

/* Binds parameter idx (1-based). Text is copied. */
int db_bind_int64(struct db_stmt *st, int idx, int64_t v);
int db_bind_text(struct db_stmt *st, int idx, const char *s); /* NULL binds NULL */
int db_bind_null(struct db_stmt *st, int idx);

/* Binds list[0..n-1] to the parameters from idx on, and NULL, which equals nothing, to the
 * rest of width of them: an IN list of width placeholders takes up to width values in one
 * statement, prepared once whatever their number. n must not exceed width. */
int db_bind_text_list(struct db_stmt *st, int idx, const char *const *list, int n, int width);

/* Runs or advances: DB_ROW with a row to read, DB_DONE at the end, or a negative status
 * (PD_E_DB_BUSY, PD_E_DB_CONSTRAINT, PD_E_DB). */
int db_step(struct db_stmt *st);

/* Column values of the current row (0-based). Text stays valid until the next step. */
int64_t db_column_int64(struct db_stmt *st, int col);
const char *db_column_text(struct db_stmt *st, int col); /* NULL for SQL NULL */
bool db_column_is_null(struct db_stmt *st, int col);

/* Rows changed by the last completed INSERT/UPDATE/DELETE of this statement. */
int64_t db_changes(struct db_stmt *st);

/* Clears bindings and results so the statement can run again. */
int db_reset(struct db_stmt *st);

/* Releases the statement. NULL is fine. */
void db_finalize(struct db_stmt *st);

/* Prepares sql and binds its parameters from the variadic arguments, one per character
 * of types: 't' a const char * (NULL binds NULL), 'i' an int64_t. On success *out is
 * ready for db_step(); the caller finalizes it. */
int db_query(struct db *db, struct db_stmt **out, const char *sql, const char *types, ...);

/* Same, run to completion: the number of rows changed, or a negative status. */
int64_t db_run(struct db *db, const char *sql, const char *types, ...);

/* db_run() for a write in a transaction whose outcome nothing reads before the commit: an
 * event's rows, a row's next check day. On PostgreSQL it is sent without waiting for its
 * answer (libpq's pipeline mode), once the transaction's first statement went and the
 * statement ran on this connection before; the transaction's next statement, or its
 * COMMIT, reads the answers. Should the write fail, that statement (a db_write() too) or the
 * COMMIT fails with the write's error text and PD_E_DB (PD_E_DB_BUSY for a deadlock or a
 * lock timeout: a constraint is the write's, not the statement's), and the transaction is
 * lost as if that statement had failed. Outside a transaction, after db_defer_sync(), it is
 * sent so too, as a transaction of its own (see there). On SQLite, and otherwise, it runs at
 * once, and its failure is its own. 0, or a negative status. Not for a write whose
 * own failure the caller handles (a unique key it expects to meet). */
int db_write(struct db *db, const char *sql, const char *types, ...);

/* The same for a write prepared and bound by the caller (too many parameters for types):
 * runs it, or on PostgreSQL sends it without waiting; st stays the caller's to finalize. */
int db_step_write(struct db_stmt *st);

/* Same, for a query of one integer (COUNT, EXISTS...): 0 and *value, or a negative
 * status; a query without rows gives *value = 0. */
int db_scalar(struct db *db, int64_t *value, const char *sql, const char *types, ...);

/* Same, for a query of one text (an id, an email): 1 and its first row's first column copied
 * into out (n bytes, cut to fit), 0 and "" when there is no row, or a negative status. */
int db_text(struct db *db, char *out, size_t n, const char *sql, const char *types, ...);

/* Transactions. SQLite takes the write lock at BEGIN (BEGIN IMMEDIATE), so two writers
 * never deadlock on a lock upgrade; PostgreSQL uses READ COMMITTED with row locks. */
int db_begin(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);

/* Inside a transaction, locks the row of table with this id until commit, so two
 * transactions working on the same organisation (say) take turns. SQLite already holds
 * the database's write lock from BEGIN IMMEDIATE; PostgreSQL takes the row lock an UPDATE
 * of the row takes (FOR NO KEY UPDATE): it makes the row's other lockers and writers wait,
 * not the inserts of rows that refer to it (their foreign-key checks), so a transaction
 * holding it and one that inserts such a row while holding what the first waits for (an
 * organisation locked to buy; its order being settled, which inserts the order's grants)
 * do not deadlock. table must be a plain identifier. Returns 1 when the row exists, 0 when
 * not. */
int db_lock_row(struct db *db, const char *table, const char *id);

/* db_query() of a SELECT of one table's rows that also locks them until the transaction
 * ends, as db_lock_row() does, in the same statement as the read (a round trip fewer on
 * PostgreSQL, which runs it FOR UPDATE, a lock the rows' foreign-key checks wait for too; SQLite
 * holds the write lock from BEGIN IMMEDIATE already). Only inside a transaction; no aggregate,
 * DISTINCT or GROUP BY in sql, and no outer join (PostgreSQL refuses FOR UPDATE of its nullable
 * side): such a read takes db_lock_row() first (store/wire_transfers.c). On PostgreSQL only the
 * locked rows' columns are read as they stand once the lock is had: a subquery or a join reads the
 * other tables as they were when the statement began, before any wait for the lock. */
int db_query_locked(struct db *db, struct db_stmt **out, const char *sql, const char *types, ...);

/* db_prepare() of such a locked read, its parameters bound by the caller (a list of ids,
 * say). With ORDER BY in sql, PostgreSQL locks the rows in that order. */
int db_prepare_locked(struct db *db, const char *sql, struct db_stmt **out);

/* db_lock_row() for the row whose column holds key; shared, a lock that transactions which
 * only read the row hold together (FOR SHARE), while one that locks it not shared waits for
 * them, and they for it. */
int db_lock_row_by(struct db *db, const char *table, const char *column, const char *key,
                   bool shared);

/* Inside a transaction, waits for and holds until it ends a lock named key: transactions
 * taking one key run one after the other. For a check of rows that do not exist yet, whose
 * transactions would otherwise both pass it (a count of requests per address, then an
 * insert). PostgreSQL: a transaction-level advisory lock on key's 64-bit FNV hash (two keys
 * that share a hash only wait for each other); SQLite: nothing to do, one transaction writes
 * at a time from BEGIN IMMEDIATE. Outside a transaction the lock would end with its own
 * statement: only inside one. */
int db_lock_key(struct db *db, const char *key);

/* Applies the embedded migrations the database lacks, each in its own transaction.
 * Refuses (PD_E_SCHEMA_TOO_NEW) a database migrated by a newer partnerd. */
int db_migrate(struct db *db, struct pd_error *err);

/* The database's schema version (0 when new; creates the bookkeeping table) and the
 * newest this binary knows. db_schema_current() only reads, and fails on a new database. */
int db_schema_version(struct db *db, int *version);
int db_schema_current(struct db *db, int *version);
int db_schema_latest(void);

/* Copies a SQLite database, while it is in use, into a new file at dest_path (SQLite's
 * online backup API: a consistent snapshot; writers are not stopped for long). The file
 * must not exist. PostgreSQL answers PD_E_INVALID_REQUEST: use pg_dump. */
int db_backup(struct db *db, const char *dest_path, struct pd_error *err);

/* Runs SELECT 1; 0 when the database answers. */
int db_ping(struct db *db);

/* Before an idle connection is used again: when the server has closed it meanwhile (a
 * PostgreSQL restart, a failover, an administrator's pg_terminate_backend), opens it again
 * now, so that no request's first statement meets a dead connection. Costs one poll()
 * when the connection is well. 0, or PD_E_UNAVAILABLE when the server cannot be reached. */
int db_revive(struct db *db);

/* The caller is about to wait on something other than the database (a payment gateway a
 * network away, the jobs thread's pass) until db_back(). A connection lent by the server's
 * pool (db/pool.h) lets another request use the database meanwhile; on any other
 * connection these do nothing; with a transaction open (its locks would hold the others
 * anyway) the request keeps its turn, and a warning is logged (away_in_transaction): a
 * use case should not wait inside a transaction. Pairs may nest: the outermost one steps
 * away and back. */
void db_away(struct db *db);
void db_back(struct db *db);

/* For db/pool.c: what db_away() and db_back() call on db (back false, then true); NULL for
 * nothing. */
void db_on_away(struct db *db, void (*away)(void *arg, bool back), void *arg);

/* A connection about to write much in one go (a job pass: batches of renewals, each touching
 * pages all over a dozen indexes) when on: SQLite keeps up to 16 MiB of pages in its cache
 * instead of 2 MiB, so a batch's transaction does not spill and read its own pages again,
 * and checkpoints every 32 MiB of WAL instead of 4. Off: back to the defaults, the extra
 * pages freed. PostgreSQL: nothing (the server's buffers serve). */
void db_bulk(struct db *db, bool on);

/* This connection's commits need not survive a power cut (SQLite: its commits do not wait
 * for the WAL's sync; PostgreSQL: nothing). Only for the test gateway's ledger, a stand-in
 * for an acquirer's own books: partnerd's data is always durable. */
void db_not_durable(struct db *db);

/* Until db_sync(), this connection's commits return once written, without waiting for the
 * WAL's sync (SQLite). None is lost if the process dies; a power cut may undo those made
 * since db_defer_sync(). Only for a group of commits whose loss is a repeat allowed anyway
 * (an email marked sent: sent again), ended by db_sync(); outside a transaction. On
 * PostgreSQL every commit still waits for its flush on the server, but a db_write() outside a
 * transaction, a transaction of its own, is sent without waiting for its answer (db_write()
 * says when it can be); db_sync() reads the answers, and a failed one fails no other
 * statement. (synchronous_commit off would not do: a commit that writes no WAL of its own,
 * as db_sync() could make, does not wait for the flush of earlier ones, and a crash of the
 * server itself loses them too.) */
void db_defer_sync(struct db *db);

/* Returns once every commit this connection made since db_defer_sync() is on disk, and
 * ends it: 0, or PD_E_DB when the sync failed (db_errmsg() says why). On PostgreSQL: once
 * the answers of the writes sent since are read; 0, or the first failure's status (with its
 * error), that write undone and the others kept. */
int db_sync(struct db *db);

/* How long a statement waits for another writer's lock before PD_E_DB_BUSY (SQLite's busy
 * timeout, PostgreSQL's lock_timeout), for connections opened afterwards. Default 5000. */
void db_set_busy_timeout_ms(int ms);
int db_busy_timeout_ms(void);

/* What an operator's monitoring needs to know beyond "it answers". */
struct db_health {
    bool writable;      /* a write transaction could begin within the probe's time */
    bool read_only;     /* the database refuses writes (a standby, a read-only file) */
    int64_t free_bytes; /* free space of the database's file system; -1 when unknown */
};

/* Probes the database: answers, can take a write lock within timeout_ms (writing
 * nothing), and the free space where it lives. 0 with *out filled, or a negative status
 * when it does not answer at all. */
int db_health(struct db *db, int timeout_ms, struct db_health *out);

/* Full-text search, the one place where the SQL differs by engine. A migration declares
 * the index of a table: on SQLite an FTS5 table <table>_fts (tokenizer unicode61
 * remove_diacritics 2) whose rowid is the row's, kept by triggers; on PostgreSQL a tsvector
 * column <column>_tsv per searched column and search_tsv over all of them, built with the
 * text search configuration pd_search (unaccent, then simple). Case and accents are
 * ignored on both.
 *
 * db_fts_condition() writes into out an SQL condition, true when the row of `alias` (a row
 * of table) matches the query bound to the condition's one `?`; column NULL searches every
 * indexed column, else that one. db_fts_query() writes that parameter: every word must be
 * found, as a word's beginning. Words must be letters and digits only (core/words.h).
 * 0, or PD_E_INTERNAL when out is too small. */
int db_fts_condition(struct db *db, const char *table, const char *alias, const char *column,
                     char *out, size_t n);
int db_fts_query(struct db *db, const char *const words[], int nwords, const char *column,
                 char *out, size_t n);

/* Database errors seen by this process, for /metrics. */
uint64_t db_errors_total(void);

#endif
