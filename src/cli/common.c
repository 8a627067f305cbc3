/*
 * cli/common.c - what every subcommand shares: the common options, usage errors, opening
 * the database and the gateway, and the start-up checks of serve and migrate.
 */
#include "cli/cli.h"

#include <errno.h>
#include <curl/curl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/netaddr.h"
#include "db/db.h"
#include "http/server.h"
#include "jobs/jobs.h"
#include "log.h"
#include "service/support.h"
#include "service/accounts.h"
#include "service/clock_sync.h"
#include "service/legacy.h"
#include "service/seller.h"
#include "service/settings.h"
#include "service/webhook_secrets.h"
#include "gateway/gateway.h"
#include "gateway/stripe.h"
#include "version.h"

const char *const common_help =
    "  --db URL          sqlite:PATH or postgresql://... (default " DEFAULT_DB
    ", or $PARTNERD_DB)\n"
    "  --timezone TZ     business time zone (default Europe/Paris, or $PARTNERD_TIMEZONE)\n"
    "  -h, --help        this help\n";

__attribute__((format(printf, 2, 3))) int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "partnerd %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'partnerd %s --help' for usage.\n", cmd);
    return EXIT_USAGE;
}

void common_defaults(struct common *c)
{
    c->db_url = getenv("PARTNERD_DB") ? getenv("PARTNERD_DB") : DEFAULT_DB;
    c->timezone = getenv("PARTNERD_TIMEZONE") ? getenv("PARTNERD_TIMEZONE") : "Europe/Paris";
}

/* Creates the directory of a sqlite: path (var/ on a fresh checkout). */
static void make_sqlite_dir(const char *url)
{
    if (strncmp(url, "sqlite:", 7) != 0)
        return;
    char path[4400];
    snprintf(path, sizeof(path), "%s", url + 7);
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0750);
            *p = '/';
        }
}

/* Applies the time zone and opens the database. Returns 0 or prints why and returns 1. */
int open_db(const char *cmd, const struct common *c, struct db **db)
{
    struct pd_error err = {0};
    if (date_set_timezone(c->timezone) < 0) {
        fprintf(stderr, "partnerd %s: unknown time zone '%s'\n", cmd, c->timezone);
        return 1;
    }
    make_sqlite_dir(c->db_url);
    if (db_open(c->db_url, db, &err) < 0) {
        fprintf(stderr, "partnerd %s: %s\n", cmd, err.message);
        pd_error_clear(&err);
        return 1;
    }
    return 0;
}

int sqlite_missing(const char *cmd, const struct common *c, bool migrate_hint)
{
    struct stat st;
    const char *path = c->db_url + 7;
    char cwd[4096];
    if (strncmp(c->db_url, "sqlite:", 7) != 0 || stat(path, &st) == 0)
        return 0;
    fprintf(stderr, "partnerd %s: no database at %s", cmd, path);
    if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL)
        fprintf(stderr, " (relative to the working directory, %s)", cwd);
    fprintf(stderr, ": see --db and $PARTNERD_DB%s\n",
            migrate_hint ? ", or run 'partnerd migrate' to make it" : "");
    return 1;
}

/* Opens the database and requires its schema to be exactly this binary's. */
int open_current_db(const char *cmd, const struct common *c, struct db **db)
{
    int version = 0;
    /* a mistyped path, or cron's working directory for the default var/partnerd.db, is
     * no database: made empty here, it would be 'migrated' next and served, empty */
    if (sqlite_missing(cmd, c, true) || open_db(cmd, c, db))
        return 1;
    if (db_schema_version(*db, &version) < 0) {
        fprintf(stderr, "partnerd %s: cannot read the schema version: %s\n", cmd, db_errmsg(*db));
    } else if (version > db_schema_latest()) {
        fprintf(stderr,
                "partnerd %s: the database is at schema version %d, newer than this "
                "partnerd (%d): run a newer partnerd\n",
                cmd, version, db_schema_latest());
    } else if (version < db_schema_latest()) {
        fprintf(stderr,
                "partnerd %s: the database is at schema version %d; run 'partnerd migrate' "
                "to bring it to %d\n",
                cmd, version, db_schema_latest());
    } else {
        return 0;
    }
    db_close(*db);
    *db = NULL;
    return 1;
}

/* Opens the payment gateway: the built-in test gateway and its ledger file
 * ($PARTNERD_GATEWAY_LEDGER, default var/test-gateway.db). Returns 0 or prints why. */
int parse_positive(const char *s, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || *s == '\0' || v <= 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

/* --log-format text|json. 0, or -1 after saying why. */
int parse_log_format(const char *cmd, const char *text)
{
    if (strcmp(text, "json") == 0)
        log_set_format(LOG_JSON);
    else if (strcmp(text, "text") == 0)
        log_set_format(LOG_TEXT);
    else {
        usage_error(cmd, "--log-format wants text or json, not '%s'", text);
        return -1;
    }
    return 0;
}

/* --db-busy-timeout MS: 1 ms to 10 minutes. 0, or -1 after saying why. */
int parse_busy_timeout(const char *cmd, const char *text)
{
    long ms;
    if (parse_positive(text, 600000, &ms)) {
        usage_error(cmd, "--db-busy-timeout wants 1 to 600000 ms, not '%s'", text);
        return -1;
    }
    db_set_busy_timeout_ms((int)ms);
    return 0;
}

/* Refuses to serve with a wrong seller identity (SIREN, VAT ID, RCS, IBAN, BIC): every
 * invoice would carry it. 0 when right, else 1 after saying what to fix. */
int check_seller_identity(struct db *db)
{
    struct settings s;
    const char *key = NULL;
    enum msg_id why = MSG_FIELD_REQUIRED;
    char text[512];
    if (settings_load(db, &s) < 0) {
        fprintf(stderr, "partnerd serve: cannot read the settings: %s\n", db_errmsg(db));
        return 1;
    }
    if (seller_check(&s, true, &key, &why))
        return 0;
    msg_format(text, sizeof(text), why, "en", (const char *const[]){"receipts, debits"}, 1);
    fprintf(stderr,
            "partnerd serve: the setting %s is wrong: %s.\n"
            "Invoices name the seller by it. Fix it in the settings table, e.g.\n"
            "  sqlite3 var/partnerd.db \"INSERT OR REPLACE INTO settings (key, value, "
            "updated_at) VALUES ('%s', '...', 0)\"\n"
            "(docs/operations.md, \"The seller's legal identity\").\n",
            key, text, key);
    return 1;
}

/* Seals the webhook secrets a partnerd before sealing left in clear, and reseals under
 * the key file's first key those sealed under another (service/webhook_secrets.h). Safe
 * to run at every start, on every server. 0, or 1 after saying why. */
int seal_webhook_secrets(const char *cmd, struct db *db)
{
    struct pd_error err = {0};
    int sealed = 0, resealed = 0, unopened = 0;
    if (webhook_secrets_seal_all(db, &sealed, &resealed, &unopened, &err) < 0) {
        fprintf(stderr, "partnerd %s: cannot seal the webhook secrets: %s\n", cmd, err.message);
        pd_error_clear(&err);
        return 1;
    }
    if (sealed || resealed)
        log_line(LOG_INFO, NULL, "webhook secrets sealed at rest", "sealed=%d resealed=%d", sealed,
                 resealed);
    if (unopened)
        log_line(LOG_WARN, NULL, "webhook secrets that open with no key of benefits.key_file",
                 "count=%d", unopened);
    return 0;
}

/* Parses the common options only; for commands that take nothing else. */
int parse_common(const char *cmd, const char *help, int argc, char **argv, struct common *c)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"timezone", required_argument, 0, 'z'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int o;
    common_defaults(c);
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            c->db_url = optarg;
            break;
        case 'z':
            c->timezone = optarg;
            break;
        case 'h':
            printf("%s\n%s", help, common_help);
            return -1;
        default:
            return usage_error(cmd, "%s", "unknown or incomplete option");
        }
    }
    if (optind < argc)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    return 0;
}

/* ---- the payment gateway ---- */

const char *const gateway_help =
    "  --gateway NAME       the payment gateway: test (default: partnerd's own, test\n"
    "                       money only) or stripe\n"
    "  --gateway-ledger F   the test gateway's ledger (default\n"
    "                       $PARTNERD_GATEWAY_LEDGER or var/test-gateway.db)\n"
    "  --stripe-key-file F  stripe: the file holding the secret key, sk_... or rk_...\n"
    "                       (default $PARTNERD_STRIPE_SECRET_KEY)\n"
    "  --stripe-webhook-secret-file F\n"
    "                       stripe: the file holding the webhook endpoint's signing\n"
    "                       secret, whsec_... (default $PARTNERD_STRIPE_WEBHOOK_SECRET)\n"
    "  --stripe-publishable-key KEY\n"
    "                       stripe: the publishable key pk_... the portal gives\n"
    "                       Stripe.js (default $PARTNERD_STRIPE_PUBLISHABLE_KEY)\n"
    "  --stripe-api-base URL a Stripe stand-in; tests only\n"
    "  --switch-gateway     move this database's card payments to the gateway chosen\n"
    "                       (a database is bound to the gateway it started with, so\n"
    "                       that a process started without --gateway stripe cannot\n"
    "                       act on Stripe's payments with the test gateway)\n";

int gateway_arg(const char *cmd, int o, const char *arg, struct gateway_args *g)
{
    switch (o) {
    case GWOPT_GATEWAY:
        if (strcmp(arg, "test") != 0 && strcmp(arg, "stripe") != 0)
            return usage_error(cmd, "--gateway wants test or stripe, not '%s'", arg);
        g->name = arg;
        return 1;
    case GWOPT_KEY_FILE:
        g->key_file = arg;
        return 1;
    case GWOPT_WEBHOOK_FILE:
        g->webhook_file = arg;
        return 1;
    case GWOPT_PUBLISHABLE:
        g->publishable_key = arg;
        return 1;
    case GWOPT_SWITCH:
        g->switch_gateway = true;
        return 1;
    case GWOPT_API_BASE:
        if (strncmp(arg, "http://", 7) != 0 && strncmp(arg, "https://", 8) != 0)
            return usage_error(cmd, "--stripe-api-base wants an http(s) URL");
        g->api_base = arg;
        return 1;
    default:
        return 0;
    }
}

static int open_stripe(const char *cmd, const struct gateway_args *g)
{
    struct pd_error err = {0};
    const char *pk =
        g->publishable_key ? g->publishable_key : getenv("PARTNERD_STRIPE_PUBLISHABLE_KEY");
    struct stripe_options o = {.api_base = g->api_base,
                               .secret_key_file = g->key_file,
                               .webhook_secret_file = g->webhook_file};
    if (g->api_base)
        o.timeout_ms = 3000; /* a stand-in answers at once, or is told to hang */
    if (gateway_open_stripe(&o, pk, &err) < 0) {
        /* the message names the key and where it was looked for, never a value */
        fprintf(stderr, "partnerd %s: payment gateway: %s\n", cmd, err.message);
        pd_error_clear(&err);
        return 1;
    }
    return 0;
}

int bind_gateway(const char *cmd, struct db *db, const struct gateway_args *g)
{
    const char *name = g->name ? g->name : "test";
    char bound[32] = "";
    int rc = settings_bind_gateway(db, name, g->switch_gateway, bound, sizeof(bound));
    if (rc == PD_E_CONFLICT) {
        fprintf(stderr,
                "partnerd %s: this database's card payments go through the %s gateway, not %s: "
                "start with --gateway %s (to move the database to %s: --gateway %s "
                "--switch-gateway)\n",
                cmd, bound, name, bound, name, name);
        return 1;
    }
    if (rc < 0) {
        fprintf(stderr, "partnerd %s: cannot read the payment gateway's setting: %s\n", cmd,
                db_errmsg(db));
        return 1;
    }
    if (g->switch_gateway)
        log_line(LOG_WARN, NULL, "payment gateway", "gateway=%s switched=1", name);
    return 0;
}

int open_gateway(const char *cmd, const struct gateway_args *g)
{
    struct pd_error err = {0};
    if (g->name && strcmp(g->name, "stripe") == 0)
        return open_stripe(cmd, g);
    if (g->key_file || g->webhook_file || g->publishable_key || g->api_base) {
        fprintf(stderr, "partnerd %s: the --stripe-* options want --gateway stripe\n", cmd);
        return 1;
    }
    const char *ledger = g->ledger;
    if (ledger == NULL)
        ledger = getenv("PARTNERD_GATEWAY_LEDGER") ? getenv("PARTNERD_GATEWAY_LEDGER")
                                                   : "var/test-gateway.db";
    char url[4200];
    snprintf(url, sizeof(url), "sqlite:%s", ledger);
    make_sqlite_dir(url);
    if (gateway_open_test(ledger, &err) < 0) {
        fprintf(stderr, "partnerd %s: payment gateway: %s\n", cmd, err.message);
        pd_error_clear(&err);
        return 1;
    }
    return 0;
}
