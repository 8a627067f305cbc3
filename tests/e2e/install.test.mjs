// install.test.mjs - what an operator installs and relies on: partnerd(8) documents every
// command and option that --help shows, and a backup taken while partnerd serves restores
// into a server with every row. (`make test` also runs `make install` into a temporary
// prefix, then mandoc -Tlint and systemd-analyze verify on what it installed.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { connect } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { cli, startServer, join, sql, PG, BIN, freshDatabase, staffClient, adminOf } from './harness.mjs';

const man = readFileSync(new URL('../../docs/partnerd.8', import.meta.url), 'utf8');

test('partnerd(8) names every command and every option of every --help', () => {
  const usage = cli(['--help']).stdout;
  const commands = [...usage.matchAll(/^ {2}([a-z-]+(?: run| add)?) {2,}/gm)].map((m) => m[1]);
  assert.ok(commands.length >= 9, usage);
  for (const command of commands) {
    const [verb, sub] = command.split(' ');
    assert.match(man, new RegExp(`\\.Cm ${verb}${sub ? ` ${sub}` : ''}\\b`), `command ${command}`);
    const help = cli([...command.split(' '), '--help']).stdout;
    for (const [, option] of help.matchAll(/^ {2}(?:-h, )?--([a-z-]+)/gm))
      assert.match(man, new RegExp(`Fl -${option}\\b`), `${command} --${option} is not in partnerd(8)`);
  }
});

test('a backup of SQLite taken while partnerd serves restores every row', async () => {
  const dir = mkdtempSync(joinPath(tmpdir(), 'partnerd-backup-'));
  const srv = await startServer({ args: ['--no-jobs'], db: { url: `sqlite:${joinPath(dir, 'live.db')}`, cleanup() {} } });
  try {
    const orgs = [];
    for (let i = 0; i < 5; i++) orgs.push(await join(srv.url));
    // writes keep arriving while the copy is taken
    const writing = Promise.all(Array.from({ length: 5 }, () => join(srv.url)));
    const dest = joinPath(dir, 'copy.db');
    const b = cli(['backup', '--db', srv.db.url, dest]);
    assert.equal(b.status, 0, b.stderr);
    // it holds what the database holds (password hashes, IBANs): its owner's only, whatever the umask
    assert.equal(statSync(dest).mode & 0o777, 0o600);
    await writing;
    assert.equal(cli(['backup', '--db', srv.db.url, dest]).status, 1, 'never overwrites');
    assert.equal(sql(`sqlite:${dest}`, 'PRAGMA integrity_check'), 'ok');
    const copied = Number(sql(`sqlite:${dest}`, 'SELECT COUNT(*) FROM partners'));
    assert.ok(copied >= 5 && copied <= 10, `${copied} partners in the copy`);
    // restore: a server on the copy signs in the partners it holds
    const restored = await startServer({ args: ['--no-jobs'], db: { url: `sqlite:${dest}`, cleanup() {} } });
    try {
      for (const org of orgs) {
        const r = await fetch(restored.url + '/api/v1/sessions', {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ email: org.email, password: org.password }),
        });
        assert.equal(r.status, 201);
      }
    } finally {
      await restored.stop();
    }
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a backup of a SQLite database that is not there fails, and creates nothing', () => {
  const dir = mkdtempSync(joinPath(tmpdir(), 'partnerd-backup-'));
  try {
    const dest = joinPath(dir, 'copy.db');
    // cron runs in another directory than the operator's shell: the default var/partnerd.db
    // or a mistyped --db names no database; its empty copy is no backup
    const r = cli(['backup', '--db', `sqlite:${joinPath(dir, 'typo', 'partnerd.db')}`, dest]);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /no database at .*typo\/partnerd\.db/);
    assert.ok(!existsSync(dest), 'no copy');
    assert.ok(!existsSync(joinPath(dir, 'typo')), 'no database made to be copied');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('backup of PostgreSQL says to use pg_dump', () => {
  const r = cli(['backup', '--db', PG || 'postgresql://127.0.0.1:1/none', joinPath(tmpdir(), 'never.db')]);
  assert.equal(r.status, 1);
  if (PG) assert.match(r.stderr, /pg_dump/);
  assert.ok(!existsSync(joinPath(tmpdir(), 'never.db')));
});

test('--log-format json writes each line as one JSON object with the same fields', async () => {
  const srv = await startServer({ args: ['--no-jobs', '--log-format', 'json'] });
  try {
    assert.equal((await fetch(srv.url + '/api/v1/version')).status, 200);
    await fetch(srv.url + '/api/v1/nowhere?x=1');
    let lines = [];
    for (let i = 0; i < 100; i++) {
      lines = srv.stderr().trim().split('\n').filter(Boolean);
      if (lines.some((l) => l.includes('/api/v1/nowhere'))) break;
      await new Promise((ok) => setTimeout(ok, 20));
    }
    const events = lines.map((l) => JSON.parse(l)); // every line parses
    const started = events.find((e) => e.msg === 'started');
    assert.equal(typeof started.port, 'number');
    const miss = events.find((e) => e.msg === 'request' && e.path === '/api/v1/nowhere');
    assert.equal(miss.status, 404);
    assert.equal(miss.error, 'not_found');
    assert.match(miss.ts, /^\d{4}-\d\d-\d\dT/);
    assert.equal(miss.level, 'info');
    // a method is the client's to write: one opening a quote swallowed path, status and
    // ip into "method", and an escape sequence reached the log raw
    const port = new URL(srv.url).port;
    for (const method of ['"GET', 'G\x1b[31mET']) {
      await new Promise((ok) => {
        const sock = connect(port, '127.0.0.1', () => sock.end(`${method} /api/v1/forged HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        sock.on('data', () => {}).on('close', ok).on('error', ok);
      });
    }
    for (let i = 0; i < 100 && (srv.stderr().match(/forged/g) || []).length < 2; i++) await new Promise((ok) => setTimeout(ok, 20));
    const forged = srv.stderr().trim().split('\n').filter((l) => l.includes('forged')).map((l) => JSON.parse(l));
    assert.equal(forged.length, 2, srv.stderr());
    for (const f of forged) {
      assert.equal(f.path, '/api/v1/forged', JSON.stringify(f));
      assert.equal(f.status, 404);
      assert.equal(f.ip, '127.0.0.1');
    }
    assert.doesNotMatch(srv.stderr(), /\x1b/);
  } finally {
    await srv.stop();
  }
  assert.equal(cli(['serve', '--log-format', 'xml']).status, 2);
});

// The unit's commands, as systemd runs them, with --db in $PARTNERD_OPTIONS as partnerd(8)
// says serve's options go: its ExecStartPre ran `partnerd migrate` without them, which
// migrated the PARTNERD_DB of the unit instead, and serve then refused the database it was
// given ("run 'partnerd migrate'").
test('the systemd unit migrates the very database it then serves', async () => {
  const unit = readFileSync(new URL('../../dist/partnerd.service.in', import.meta.url), 'utf8');
  const dir = mkdtempSync(joinPath(tmpdir(), 'partnerd-unit-'));
  const db = freshDatabase();
  const decoy = joinPath(dir, 'partnerd.db'); // the unit's own PARTNERD_DB
  const options = ['--db', db.url, '--listen', '127.0.0.1:0', '--no-jobs', '--gateway-ledger', joinPath(dir, 'ledger.db')];
  const env = { ...process.env, PARTNERD_DB: `sqlite:${decoy}` };
  const commandOf = (line) => line.replace(/^ExecStart(Pre)?=/, '').split(/\s+/).flatMap((w) =>
    w === '$PARTNERD_OPTIONS' ? options : [w.replace('@SBINDIR@/partnerd', BIN)]);
  const lines = unit.split('\n');
  try {
    for (const line of lines.filter((l) => l.startsWith('ExecStartPre='))) {
      const [bin, ...args] = commandOf(line);
      assert.equal(spawnSync(bin, args, { cwd: dir, env, encoding: 'utf8' }).status, 0, line);
    }
    const [bin, ...args] = commandOf(lines.find((l) => l.startsWith('ExecStart=')));
    const proc = spawn(bin, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    proc.stderr.on('data', (b) => (err += b));
    const url = await new Promise((ok) => {
      proc.stdout.on('data', (b) => {
        out += b;
        const m = out.match(/listening on (http:\/\/\S+)/);
        if (m) ok(m[1]);
      });
      proc.on('exit', () => ok(null));
    });
    try {
      assert.ok(url, `serve did not start: ${err}`);
      assert.equal((await fetch(url + '/healthz')).status, 200);
      assert.ok(!existsSync(decoy), 'no other database made or migrated');
    } finally {
      proc.kill('SIGTERM');
      await new Promise((ok) => (proc.exitCode !== null ? ok() : proc.on('exit', ok)));
    }
  } finally {
    db.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

// An email's error (libcurl's words, a path) was logged between quotes, raw: a quote in it
// closed the value early, and the rest became keys of their own in the JSON log
test('an email that cannot be written logs its error as one value, in the JSON log too', async () => {
  const srv = await startServer({ args: ['--no-jobs', '--log-format', 'json'] });
  const tmp = mkdtempSync(joinPath(tmpdir(), 'partnerd-mail-'));
  try {
    const op = await staffClient(srv, 'operator');
    const file = joinPath(tmp, 'a-file');
    writeFileSync(file, ''); // no directory can be made under it, even by root
    const dir = `${file}/partnerd" level="forged`;
    assert.equal((await op.call('PUT', '/api/v1/admin/settings/mail.dir', { value: dir })).status, 200);
    const { client } = await adminOf(srv.url); // an invitation is an email
    assert.equal((await client.call('POST', '/api/v1/users', { email: 'new@org.example', name: 'New', roles: ['user'] })).status, 201);
    assert.equal((await op.call('POST', '/api/v1/admin/jobs/run', {})).status, 200);
    let emails = [];
    for (let i = 0; i < 100 && emails.length === 0; i++) {
      emails = srv.stderr().trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.msg === 'email');
      if (emails.length === 0) await new Promise((ok) => setTimeout(ok, 20));
    }
    assert.ok(emails.length >= 1, srv.stderr());
    for (const e of emails) {
      assert.equal(e.level, 'warn', JSON.stringify(e));
      assert.ok(e.error.startsWith(`cannot%20write%20to%20${file}/partnerd%22%20level%3D%22forged:%20Not%20a%20directory`), e.error);
    }
  } finally {
    await srv.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});
