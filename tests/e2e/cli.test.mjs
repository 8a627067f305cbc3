// cli.test.mjs - the command line of SPEC section 10, as an operator uses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { cli, freshDatabase, sql, BIN, startServer, Client } from './harness.mjs';

const COMMANDS = [['serve'], ['migrate'], ['jobs', 'run'], ['staff', 'add'], ['staff', 'list'], ['staff', 'remove'], ['import-legacy'], ['demo'], ['version']];

test('every subcommand answers --help with its usage', () => {
  for (const cmd of COMMANDS) {
    const r = cli([...cmd, '--help']);
    assert.equal(r.status, 0, `${cmd.join(' ')} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`usage: partnerd ${cmd.join(' ')}`));
  }
  const top = cli(['--help']);
  assert.equal(top.status, 0);
  for (const cmd of COMMANDS) assert.match(top.stdout, new RegExp(cmd[0]));
});

test('a bad flag, a missing command or an unknown command is a usage error (exit 2)', () => {
  assert.equal(cli(['serve', '--no-such-flag']).status, 2);
  assert.equal(cli(['serve', '--listen', 'nonsense']).status, 2);
  // a name is no address: told as usage, before the database is opened (and bound)
  const unused = freshDatabase();
  const named = cli(['serve', '--listen', 'localhost:8080', '--db', unused.url]);
  unused.cleanup();
  assert.equal(named.status, 2, named.stderr);
  assert.match(named.stderr, /--listen wants ADDR:PORT/);
  assert.equal(cli(['serve', '--threads', '0']).status, 2);
  assert.equal(cli(['migrate', '--bogus']).status, 2);
  assert.equal(cli(['migrate', 'extra']).status, 2);
  const db = freshDatabase();
  assert.equal(cli(['backup', '--db', db.url, '--bogus']).status, 2, 'a mistyped option is no file to write');
  assert.ok(!existsSync('--bogus'));
  db.cleanup();
  assert.equal(cli(['staff', 'add', '--email', 'a@b.example']).status, 2);
  assert.equal(cli(['staff', 'remove']).status, 2, '--email is required');
  assert.equal(cli(['staff', 'list', '--role', 'operator']).status, 2);
  assert.equal(cli(['staff', 'frob']).status, 2);
  assert.equal(cli(['jobs']).status, 2);
  assert.equal(cli(['version', 'x']).status, 2);
  assert.equal(cli([]).status, 2);
  const r = cli(['frobnicate']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
});

test('version prints the release and the schema it knows', () => {
  const r = cli(['version']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^partnerd \d+\.\d+\.\d+ \(schema \d+\)$/m);
});

test('migrate applies once, then says the schema is up to date', () => {
  const db = freshDatabase();
  try {
    const first = cli(['migrate', '--db', db.url]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /schema migrated from version 0 to \d+/);
    const second = cli(['migrate', '--db', db.url]);
    assert.equal(second.status, 0);
    assert.match(second.stdout, /schema is up to date/);
  } finally {
    db.cleanup();
  }
});

test('a database migrated by a newer partnerd is refused, and nothing is changed', () => {
  const db = freshDatabase();
  try {
    assert.equal(cli(['migrate', '--db', db.url]).status, 0);
    sql(db.url, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)");
    const m = cli(['migrate', '--db', db.url]);
    assert.equal(m.status, 1);
    assert.match(m.stderr, /schema version 999.*newer partnerd/);
    const s = cli(['serve', '--db', db.url, '--listen', '127.0.0.1:0']);
    assert.equal(s.status, 1);
    assert.match(s.stderr, /newer than this partnerd/);
    assert.equal(sql(db.url, 'SELECT COUNT(*) FROM schema_migrations WHERE version = 999'), '1');
  } finally {
    db.cleanup();
  }
});

test('serve refuses a database that was never migrated, and says what to run', () => {
  const db = freshDatabase();
  try {
    const s = cli(['serve', '--db', db.url, '--listen', '127.0.0.1:0']);
    assert.equal(s.status, 1);
    assert.match(s.stderr, /run 'partnerd migrate'/);
  } finally {
    db.cleanup();
  }
});

test('an unknown time zone or database URL is refused clearly', () => {
  const db = freshDatabase();
  try {
    const tz = cli(['migrate', '--db', db.url, '--timezone', 'Mars/Olympus']);
    assert.equal(tz.status, 1);
    assert.match(tz.stderr, /unknown time zone 'Mars\/Olympus'/);
    const url = cli(['migrate', '--db', 'mysql://localhost/x']);
    assert.equal(url.status, 1);
    assert.match(url.stderr, /sqlite:PATH or postgresql/);
  } finally {
    db.cleanup();
  }
});

// A member of staff who leaves: the operator removes the account, which then can neither
// sign in nor use a session or an API token it had; added again, it comes back with its new
// role and password, its old ones gone.
test('staff remove ends an account at once; staff list shows it; staff add brings it back', async () => {
  const srv = await startServer();
  const staff = (args, env = {}) => cli(['staff', ...args, '--db', srv.db.url], { env });
  try {
    const email = 'leaving@staff.example';
    const first = 'first password for finance';
    assert.equal(staff(['add', '--email', email, '--name', 'Léa Départ', '--role', 'finance'], { PARTNERD_PASSWORD: first }).status, 0);
    const session = new Client(srv.url);
    assert.equal((await session.signIn(email, first)).status, 201);
    const token = (await session.call('POST', '/api/v1/api-tokens', { name: 'export' })).body.token;
    const bearer = new Client(srv.url, { bearer: token });
    assert.equal((await bearer.call('GET', '/api/v1/admin/wire-transfers')).status, 200);
    const row = (out) => out.split('\n').find((l) => l.startsWith(email)).split(/\s+/);
    const listed = staff(['list']);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^EMAIL +ROLE +STATUS +TWO-FACTOR +CREATED/);
    assert.deepEqual(row(listed.stdout).slice(0, 4), [email, 'finance', 'active', 'off']);

    const removed = staff(['remove', '--email', 'Leaving@Staff.example']);
    assert.equal(removed.status, 0, removed.stderr);
    assert.equal((await session.call('GET', '/api/v1/me')).status, 401, 'its session is ended');
    assert.equal((await bearer.call('GET', '/api/v1/admin/wire-transfers')).status, 401, 'its API token is refused');
    assert.equal((await new Client(srv.url).signIn(email, first)).status, 401, 'it cannot sign in');
    assert.deepEqual(row(staff(['list']).stdout).slice(0, 3), [email, 'finance', 'removed']);
    const twice = staff(['remove', '--email', email]);
    assert.equal(twice.status, 1);
    assert.match(twice.stderr, /no staff account with this email/);
    assert.equal(staff(['remove', '--email', 'nobody@staff.example']).status, 1);

    const second = 'second password for support';
    const back = staff(['add', '--email', email, '--name', 'Léa Retour', '--role', 'support'], { PARTNERD_PASSWORD: second });
    assert.equal(back.status, 0, back.stderr);
    assert.deepEqual(row(staff(['list']).stdout).slice(0, 3), [email, 'support', 'active']);
    assert.equal((await new Client(srv.url).signIn(email, first)).status, 401, 'the old password is gone');
    const again = new Client(srv.url);
    assert.equal((await again.signIn(email, second)).status, 201);
    assert.deepEqual((await again.call('GET', '/api/v1/me')).body.user.roles, ['support'], 'support now, not finance');
    assert.equal((await bearer.call('GET', '/api/v1/admin/wire-transfers')).status, 401, 'the old token stays refused');
    assert.equal(sql(srv.db.url, "SELECT COUNT(*) FROM users WHERE email = 'leaving@staff.example'"), '1', 'one person in the audit trail');
    const audited = "FROM audit_events WHERE action LIKE 'staff.%' AND details LIKE '%leaving@staff.example%'";
    assert.equal(sql(srv.db.url, `SELECT action || ' ' || COUNT(*) ${audited} GROUP BY action ORDER BY action`), 'staff.created 2\nstaff.removed 1');
    assert.equal(sql(srv.db.url, `SELECT COUNT(DISTINCT object_id) ${audited}`), '1', 'each naming the same account');
  } finally {
    await srv.stop();
  }
});

test('staff add creates an account with a hashed password, once per email', () => {
  const db = freshDatabase();
  try {
    assert.equal(cli(['migrate', '--db', db.url]).status, 0);
    const password = 'correct horse battery staple';
    const add = ['staff', 'add', '--db', db.url, '--email', 'Ops@Example.com', '--name', 'Olga Ops', '--role', 'operator'];
    const r = cli(add, { env: { PARTNERD_PASSWORD: password } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /created with role operator/);
    const row = sql(db.url, "SELECT u.kind || '|' || u.email || '|' || r.role || '|' || u.password_hash FROM users u JOIN user_roles r ON r.user_id = u.id");
    const [kind, email, role, hash] = row.split('|');
    assert.deepEqual([kind, email, role], ['staff', 'ops@example.com', 'operator']);
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.ok(!row.includes(password));

    const again = cli(add, { input: password + '\n' });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already exists/);

    const short = cli(['staff', 'add', '--db', db.url, '--email', 'x@example.com', '--name', 'X', '--role', 'support'], { input: 'short\n' });
    assert.equal(short.status, 1);
    assert.match(short.stderr, /password: must be 12 to 128 characters/);
    const badRole = cli(['staff', 'add', '--db', db.url, '--email', 'y@example.com', '--name', 'Y', '--role', 'global_admin'], { env: { PARTNERD_PASSWORD: password } });
    // a partner's role is a wrong command line (2, as the manual says), and creates nothing
    assert.equal(badRole.status, 2, badRole.stderr);
    assert.match(badRole.stderr, /--role wants support, finance or operator, not 'global_admin'/);
    assert.equal(sql(db.url, "SELECT COUNT(*) FROM users WHERE email = 'y@example.com'"), '0');
    const badEmail = cli(['staff', 'add', '--db', db.url, '--email', 'not-an-email', '--name', 'Y', '--role', 'support'], { env: { PARTNERD_PASSWORD: password } });
    assert.equal(badEmail.status, 1);
    assert.match(badEmail.stderr, /email: not a valid email address/);
    assert.equal(sql(db.url, 'SELECT COUNT(*) FROM users'), '1');
  } finally {
    db.cleanup();
  }
});

// cron runs commands in another directory than the operator's shell: the default
// sqlite:var/partnerd.db (or a mistyped --db) named no database, which was made there,
// empty, before the command said "schema version 0; run 'partnerd migrate'" (and migrate
// would have made it a second, empty database)
test('a command that needs the database refuses a SQLite path with none there, and makes nothing', () => {
  const dir = mkdtempSync(joinPath(tmpdir(), 'partnerd-cwd-'));
  try {
    const env = { ...process.env, PARTNERD_PASSWORD: 'correct horse battery staple' };
    delete env.PARTNERD_DB; // the default, sqlite:var/partnerd.db
    const run = (args) => spawnSync(BIN, args, { cwd: dir, encoding: 'utf8', input: '', env });
    for (const args of [['staff', 'add', '--email', 'a@b.example', '--name', 'A', '--role', 'operator'], ['jobs', 'run'], ['serve', '--listen', '127.0.0.1:0'], ['demo'], ['import-legacy', '/dev/null']]) {
      const r = run(args);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^partnerd ${args[0]}.*: no database at var/partnerd\\.db \\(relative to the working directory, .*partnerd-cwd-.*\\): see --db and \\$PARTNERD_DB, or run 'partnerd migrate' to make it$`, 'm'), args.join(' '));
      assert.deepEqual(readdirSync(dir), [], `${args.join(' ')} made nothing`);
    }
    const typo = run(['staff', 'add', '--db', `sqlite:${joinPath(dir, 'typo', 'p.db')}`, '--email', 'a@b.example', '--name', 'A', '--role', 'operator']);
    assert.equal(typo.status, 1);
    assert.match(typo.stderr, /no database at .*typo\/p\.db: see --db/);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A relative benefits.key_file is the working directory's: a command started elsewhere
// (cron, a shell) did not find the file, made one with a fresh key and carried on (migrate
// even said it had sealed nothing wrong): the webhook secrets sealed with the real file
// no longer opened, so no webhook could be signed, and a stray key file was left behind.
test('a key file missing where the database holds sealed secrets is not made anew: the command says where it looked', () => {
  const server = mkdtempSync(joinPath(tmpdir(), 'partnerd-server-'));
  const elsewhere = mkdtempSync(joinPath(tmpdir(), 'partnerd-cron-'));
  const db = freshDatabase();
  const run = (cwd, args) => spawnSync(BIN, [...args, '--db', db.url], { cwd, encoding: 'utf8', env: { ...process.env, PARTNERD_DB: '' } });
  try {
    assert.equal(run(server, ['migrate']).status, 0);
    sql(db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('benefits.key_file', 'keys/benefit-keys.secret', 0)");
    assert.equal(run(server, ['demo']).status, 0);
    const partner = sql(db.url, 'SELECT MIN(id) FROM partners');
    sql(db.url, `INSERT INTO webhook_endpoints (id, partner_id, url, events, secret, created_at) VALUES ('whe_cwd', '${partner}', 'https://hooks.example/x', 'order.confirmed', 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', 0)`);
    const sealed = run(server, ['migrate']);
    assert.equal(sealed.status, 0, sealed.stderr);
    assert.ok(existsSync(joinPath(server, 'keys', 'benefit-keys.secret')));
    assert.match(sql(db.url, "SELECT secret FROM webhook_endpoints WHERE id = 'whe_cwd'"), /^sealed:/);

    const r = run(elsewhere, ['migrate']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /no benefits\.key_file keys\/benefit-keys\.secret in .*partnerd-cron-[^,]*, yet secrets are sealed with it: install it/);
    assert.deepEqual(readdirSync(elsewhere), [], 'no key file made there');
    assert.equal(run(server, ['migrate']).status, 0, 'where the file is, all is well');
  } finally {
    db.cleanup();
    rmSync(server, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test('demo loads its data once and prints the logins both times', () => {
  const db = freshDatabase();
  try {
    assert.equal(cli(['migrate', '--db', db.url]).status, 0);
    const first = cli(['demo', '--db', db.url]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /demo data loaded/);
    assert.match(first.stdout, /admin@contoso\.example/);
    assert.match(first.stdout, /operator@partnerd\.example/);
    const second = cli(['demo', '--db', db.url]);
    assert.equal(second.status, 0);
    assert.match(second.stdout, /already has data/);
    // Contoso, and the four partners listed in the directory (issue 19), one with its admin
    assert.equal(sql(db.url, 'SELECT COUNT(*) FROM partners'), '5');
    assert.equal(sql(db.url, 'SELECT COUNT(*) FROM users'), '6');
    assert.equal(sql(db.url, 'SELECT COUNT(*) FROM directory_listings'), '4');
    const mid = sql(db.url, "SELECT membership_id FROM partners WHERE legal_name LIKE 'Contoso%'");
    assert.match(mid, /^[1-9]\d{6}$/);
    // a history to look at: Silver within reach, Action Pack paid by transfer with its
    // benefits, and stocked key pools to activate them from (issue 18)
    assert.equal(sql(db.url, 'SELECT COUNT(*) FROM certified_people'), '2');
    assert.equal(sql(db.url, "SELECT status || ' ' || payment_method || ' ' || offer_code FROM orders"), 'confirmed wire action-pack');
    assert.equal(sql(db.url, 'SELECT COUNT(*) FROM benefit_grants'), '7');
    assert.equal(sql(db.url, "SELECT COUNT(*) FROM product_keys WHERE grant_id IS NULL"), '50');
    // the pools' kept figures (migration 021) are those of the keys loaded
    assert.equal(sql(db.url, "SELECT SUM(total_keys) || '/' || SUM(free_keys) FROM key_pools"),
      sql(db.url, "SELECT COUNT(*) || '/' || SUM(CASE WHEN grant_id IS NULL THEN 1 ELSE 0 END) FROM product_keys"));
    assert.equal(sql(db.url, "SELECT COUNT(*) FROM invoices WHERE type = 'invoice'"), '1');
  } finally {
    db.cleanup();
  }
});

test('jobs run makes one pass and exits 0', () => {
  const db = freshDatabase();
  try {
    assert.equal(cli(['migrate', '--db', db.url]).status, 0);
    const r = cli(['jobs', 'run', '--db', db.url]);
    assert.equal(r.status, 0, r.stderr);
  } finally {
    db.cleanup();
  }
});

test('a database keeps the payment gateway it started with: another is refused, --switch-gateway moves it once, audited', () => {
  const db = freshDatabase();
  // a Stripe that cannot be reached: a pass with nothing due never asks it
  const stripe = ['--gateway', 'stripe', '--stripe-api-base', 'http://127.0.0.1:9'];
  const env = { PARTNERD_STRIPE_SECRET_KEY: 'sk_test_cli51mpl3', PARTNERD_STRIPE_WEBHOOK_SECRET: 'whsec_cli51mpl3', PARTNERD_STRIPE_PUBLISHABLE_KEY: 'pk_test_cli51mpl3' };
  const bound = () => sql(db.url, "SELECT value FROM settings WHERE key = 'payments.gateway'");
  try {
    assert.equal(cli(['migrate', '--db', db.url]).status, 0);
    assert.equal(bound(), '', 'no gateway before a process used one');
    assert.equal(cli(['jobs', 'run', '--db', db.url]).status, 0);
    assert.equal(bound(), 'test');
    // the operator's cron forgot nothing here, but the database is the test gateway's
    let r = cli(['jobs', 'run', '--db', db.url, ...stripe], { env });
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /go through the test gateway, not stripe: start with --gateway test \(to move the database to stripe: --gateway stripe --switch-gateway\)/);
    assert.doesNotMatch(r.stderr, /sk_test|whsec_/);
    assert.equal(bound(), 'test');
    r = cli(['jobs', 'run', '--db', db.url, ...stripe, '--switch-gateway'], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(bound(), 'stripe');
    assert.equal(sql(db.url, "SELECT COUNT(*) FROM audit_events WHERE action = 'payments.gateway_switched' AND details LIKE '%\"from\":\"test\"%'"), '1');
    // now a process without --gateway stripe (the test gateway by default) is the one refused
    r = cli(['jobs', 'run', '--db', db.url]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /go through the stripe gateway, not test/);
    assert.equal(cli(['jobs', 'run', '--db', db.url, ...stripe], { env }).status, 0);
  } finally {
    db.cleanup();
  }
});
