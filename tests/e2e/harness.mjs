// harness.mjs - starts real partnerd processes for the end-to-end tests.
//
// Each server gets a fresh database: a new SQLite file in a temporary directory, or,
// when PARTNERD_TEST_PG holds the URL of a throwaway PostgreSQL cluster, a new database
// created in it. The binary is $PARTNERD_BIN (default build/partnerd).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

export const BIN = resolve(process.env.PARTNERD_BIN || 'build/partnerd');
export const PG = process.env.PARTNERD_TEST_PG || '';
export const ENGINE = PG ? 'postgresql' : 'sqlite';

/** A fresh, empty database URL; cleanup() removes it. */
export function freshDatabase() {
  if (PG) {
    const name = 'e2e_' + randomBytes(6).toString('hex');
    psql(PG, `CREATE DATABASE ${name}`);
    const url = PG.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
    return { url, cleanup: () => psql(PG, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'partnerd-e2e-'));
  return { url: `sqlite:${dir}/partnerd.db`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function psql(url, sql) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
  return r.stdout.trim();
}

/** Runs one SQL statement on a database URL through the engine's own client. */
export function sql(url, statement) {
  if (url.startsWith('sqlite:')) {
    const r = spawnSync('sqlite3', [url.slice(7), statement], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
    return r.stdout.trim();
  }
  return psql(url, statement);
}

/** Runs the CLI synchronously: {status, stdout, stderr}. */
export function cli(args, { env = {}, input } = {}) {
  const r = spawnSync(BIN, args, {
    encoding: 'utf8',
    input,
    env: { ...process.env, PARTNERD_DB: '', ...env },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Starts `partnerd serve` on a free port with a migrated fresh database.
 * Returns {url, db, proc, stderr(), stop()}.
 */
export async function startServer({ args = [], demo = false, db } = {}) {
  const owned = !db;
  db = db || freshDatabase();
  const m = cli(['migrate', '--db', db.url]);
  if (m.status !== 0) throw new Error(`migrate failed: ${m.stderr}`);
  if (demo) {
    const d = cli(['demo', '--db', db.url]);
    if (d.status !== 0) throw new Error(`demo failed: ${d.stderr}`);
  }
  const proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--db', db.url, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr.on('data', (b) => (err += b));
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`partnerd did not start: ${err}`)), 15_000);
    proc.stdout.on('data', (b) => {
      out += b;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    proc.on('exit', (code) => fail(new Error(`partnerd exited ${code}: ${err}`)));
  });
  const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));
  return {
    url,
    db,
    proc,
    exited,
    stderr: () => err,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const r = await exited;
      if (owned) db.cleanup();
      return r;
    },
  };
}
