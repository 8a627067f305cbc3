/*
 * cli/commands.c - the subcommands besides serve and staff: migrate, backup, jobs run,
 * import-legacy, demo, routes, version.
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
#include <unistd.h>

#include "api/api.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/netaddr.h"
#include "core/roles.h"
#include "db/db.h"
#include "http/server.h"
#include "jobs/jobs.h"
#include "log.h"
#include "service/support.h"
#include "service/tx.h"
#include "service/accounts.h"
#include "service/clock_sync.h"
#include "service/legacy.h"
#include "service/seller.h"
#include "service/settings.h"
#include "service/webhook_secrets.h"
#include "gateway/gateway.h"
#include "version.h"

int migrate_schema(const char *cmd, struct db *db)
{
    struct pd_error err = {0};
    int before = 0, after = 0;
    db_schema_version(db, &before);
    if (db_migrate(db, &err) < 0) {
        fprintf(stderr, "partnerd %s: %s\n", cmd, err.message);
        pd_error_clear(&err);
        return 1;
    }
    db_schema_version(db, &after);
    if (after == before)
        printf("schema is up to date (version %d)\n", after);
    else
        printf("schema migrated from version %d to %d\n", before, after);
    fflush(stdout);
    return 0;
}

int cmd_migrate(int argc, char **argv)
{
    struct common c;
    struct db *db;
    int rc = parse_common("migrate",
                          "usage: partnerd migrate [options]\n\n"
                          "Applies the schema migrations the database lacks, each in its own\n"
                          "transaction. Refuses a database migrated by a newer partnerd.\n"
                          "Then seals the webhook signing secrets still in clear (serve does\n"
                          "the same at start-up) with the key file benefits.key_file.\n",
                          argc, argv, &c);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (open_db("migrate", &c, &db))
        return 1;
    rc = migrate_schema("migrate", db);
    if (rc == 0)
        rc = seal_webhook_secrets("migrate", db);
    db_close(db);
    return rc;
}

int cmd_backup(int argc, char **argv)
{
    static const char *help =
        "usage: partnerd backup [options] DEST\n\n"
        "Copies the SQLite database, while partnerd serves, into the new file DEST: a\n"
        "consistent snapshot taken with SQLite's online backup API, readable by its owner\n"
        "only (mode 0600). DEST must not exist;\n"
        "the database must (a missing one fails, rather than copy an empty one).\n"
        "To restore, stop partnerd, put the copy in the database's place (removing the\n"
        "old -wal and -shm files) and start it again. A PostgreSQL database is backed up\n"
        "with pg_dump --format=custom and restored with pg_restore (see partnerd(8)).\n";
    struct common c;
    struct db *db;
    struct pd_error err = {0};
    if (argc < 2) {
        fprintf(stderr,
                "partnerd backup: DEST is missing\nRun 'partnerd backup --help' for usage.\n");
        return EXIT_USAGE;
    }
    const char *dest = argv[argc - 1];
    if (strcmp(dest, "--help") == 0 || strcmp(dest, "-h") == 0) {
        printf("%s\n%s", help, common_help);
        return 0;
    }
    /* a mistyped option is no file to write ("./-name" names one that begins with '-') */
    if (dest[0] == '-') {
        fprintf(stderr,
                "partnerd backup: unknown option '%s' (DEST comes last)\n"
                "Run 'partnerd backup --help' for usage.\n",
                dest);
        return EXIT_USAGE;
    }
    int rc = parse_common("backup", help, argc - 1, argv, &c);
    if (rc)
        return rc < 0 ? 0 : rc;
    /* a mistyped path (or cron's working directory for the default var/partnerd.db) would
     * be created empty, and its empty copy reported as a backup */
    if (sqlite_missing("backup", &c, false))
        return 1;
    if (open_db("backup", &c, &db)) /* any schema version: a copy is a copy */
        return 1;
    rc = db_backup(db, dest, &err);
    db_close(db);
    if (rc < 0) {
        fprintf(stderr, "partnerd backup: %s\n", err.message);
        pd_error_clear(&err);
        return 1;
    }
    printf("database copied to %s\n", dest);
    return 0;
}

int cmd_jobs(int argc, char **argv)
{
    struct common c;
    struct db *db;
    static const char *jobs_help =
        "usage: partnerd jobs run [options]\n\n"
        "Runs one pass of every lifecycle job on the business date, then exits\n"
        "(for cron). Safe to run while servers run jobs too. Give it the gateway\n"
        "options the servers have: automatic renewals are charged here.\n\n"
        "  --workers N          PostgreSQL: connections the pass spreads its renewals,\n"
        "                       notices, benefits and emails over, at once (default 2;\n"
        "                       1 to 8; on SQLite, which writes one at a time: 1)\n"
        "  --db-busy-timeout MS how long a change waits for another writer's lock\n"
        "                       (default 5000)\n"
        "  --log-format FORMAT  text (default) or json: each log line as one JSON object\n";
    struct gateway_args gw = {0};
    long workers = JOBS_WORKERS_DEFAULT;
    if (argc < 2 || strcmp(argv[1], "run") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            printf("%s%s\n%s", jobs_help, gateway_help, common_help);
            return 0;
        }
        return usage_error("jobs", "%s", "expected 'jobs run'");
    }
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"timezone", required_argument, 0, 'z'},
                                         {"db-busy-timeout", required_argument, 0, 'W'},
                                         {"log-format", required_argument, 0, 'F'},
                                         {"help", no_argument, 0, 'h'},
                                         {"gateway-ledger", required_argument, 0, 'g'},
                                         {"workers", required_argument, 0, 'J'},
                                         GATEWAY_LONG_OPTIONS,
                                         {0, 0, 0, 0}};
    int o;
    common_defaults(&c);
    optind = 1;
    while ((o = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            c.db_url = optarg;
            break;
        case 'z':
            c.timezone = optarg;
            break;
        case 'F':
            if (parse_log_format("jobs run", optarg))
                return EXIT_USAGE;
            break;
        case 'W':
            if (parse_busy_timeout("jobs run", optarg))
                return EXIT_USAGE;
            break;
        case 'g':
            gw.ledger = optarg;
            break;
        case 'J':
            if (parse_positive(optarg, TX_WORKERS_MAX, &workers))
                return usage_error("jobs run", "--workers wants 1 to %d, not '%s'", TX_WORKERS_MAX,
                                   optarg);
            break;
        case 'h':
            printf("%s%s\n%s", jobs_help, gateway_help, common_help);
            return 0;
        default: {
            int taken = gateway_arg("jobs run", o, optarg, &gw);
            if (taken == 1)
                break;
            return taken ? taken : usage_error("jobs run", "%s", "unknown or incomplete option");
        }
        }
    }
    if (optind < argc - 1)
        return usage_error("jobs run", "unexpected argument '%s'", argv[optind + 1]);
    if (open_current_db("jobs run", &c, &db))
        return 1;
    if (open_gateway("jobs run", &gw) || bind_gateway("jobs run", db, &gw)) {
        db_close(db);
        return 1;
    }
    clock_sync_enable(true); /* a pinned test clock is honoured by a manual pass */
    struct tx_workers w;
    jobs_workers_open(db, c.db_url, (int)workers, &w);
    int rc = jobs_run_once(&w, true, NULL);
    jobs_workers_close(&w);
    db_close(db);
    return rc < 0 ? 1 : 0;
}

static const char *import_help =
    "usage: partnerd import-legacy [options] FILE.csv\n\n"
    "Imports subscriptions managed in the Partner Membership Center (PMC). The file is\n"
    "UTF-8 CSV with this header line and one subscription per line:\n\n"
    "  membership_id,offer,starts_on,expires_on,auto_renew\n"
    "  1234567,action-pack,2026-06-23,2027-06-22,true\n\n"
    "membership_id: the partner's 7 digits; offer: an offer code; dates: YYYY-MM-DD;\n"
    "auto_renew: true or false. A spreadsheet's export (a byte order mark first, fields\n"
    "between double quotes) is read as it is. Every bad line is reported with its number,\n"
    "and then nothing at all is imported: a line whose partner already holds the offer (or\n"
    "held it over some of the same dates: the file imported again), or is paying for it by\n"
    "card right now, is one. The partners' purchases wait while it runs. Imported\n"
    "subscriptions are managed in the PMC until an operator migrates them.\n\n";

/* Reads a whole file (at most 64 MiB) into a malloc'd string. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            if (cap >= (64u << 20)) {
                free(buf);
                buf = NULL;
                break;
            }
            char *grown = realloc(buf, cap * 2 + 1);
            if (grown == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

int cmd_import_legacy(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"timezone", required_argument, 0, 'z'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct common c;
    int o;
    common_defaults(&c);
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            c.db_url = optarg;
            break;
        case 'z':
            c.timezone = optarg;
            break;
        case 'h':
            printf("%s%s", import_help, common_help);
            return 0;
        default:
            return usage_error("import-legacy", "%s", "unknown or incomplete option");
        }
    }
    if (optind != argc - 1)
        return usage_error("import-legacy", "%s", "expected exactly one FILE.csv");
    char *csv = read_file(argv[optind]);
    if (csv == NULL) {
        fprintf(stderr, "partnerd import-legacy: cannot read %s\n", argv[optind]);
        return 1;
    }
    struct db *db;
    struct pd_error err = {0};
    json_t *problems = NULL;
    int imported = 0;
    if (open_current_db("import-legacy", &c, &db)) {
        free(csv);
        return 1;
    }
    /* a pinned test clock is honoured, as by `jobs run`: "live" is as of the tests' today */
    clock_sync_enable(true);
    int rc = clock_sync(db);
    if (rc >= 0)
        rc = legacy_import(db, csv, &imported, &problems, &err);
    else
        pd_fail(&err, rc, "%s", db_errmsg(db));
    free(csv);
    db_close(db);
    size_t i;
    json_t *p;
    json_array_foreach(problems, i, p)
        fprintf(stderr, "%s: %s\n", argv[optind], json_string_value(p));
    json_decref(problems);
    if (rc < 0) {
        fprintf(stderr, "partnerd import-legacy: %s\n", err.message);
        pd_error_clear(&err);
        return 1;
    }
    printf("imported %d subscription(s) managed in the Partner Membership Center\n", imported);
    return 0;
}

int cmd_demo(int argc, char **argv)
{
    struct common c;
    struct db *db;
    struct pd_error err = {0};
    int created = 0;
    int rc = parse_common("demo",
                          "usage: partnerd demo [options]\n\n"
                          "Loads demo data into a database that has no partner yet: a partner\n"
                          "with two users, two certified people and an Action Pack paid by wire\n"
                          "transfer (its benefits ready to activate), two stocked product key\n"
                          "pools, and one staff account per role. Prints the logins.\n",
                          argc, argv, &c);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (open_current_db("demo", &c, &db))
        return 1;
    rc = demo_load(db, &created, &err);
    db_close(db);
    if (rc < 0) {
        fprintf(stderr, "partnerd demo: %s\n", err.message);
        pd_error_clear(&err);
        return 1;
    }
    printf(created ? "demo data loaded.\n"
                   : "the database already has data; demo data not "
                     "loaded again.\n");
    printf("demo logins (password: %s):\n", DEMO_PASSWORD);
    for (const struct demo_login *l = demo_logins; l->email; l++)
        printf("  %-28s %s\n", l->email, l->roles);
    return 0;
}

int cmd_routes(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: partnerd routes\n\nLists the HTTP routes: method, path and the action "
               "the\nauthorization table knows each by, one per line, tab-separated.\n");
        return 0;
    }
    if (argc > 1)
        return usage_error("routes", "unexpected argument '%s'", argv[1]);
    for (const struct route *rt = api_routes; rt->method; rt++)
        printf("%s\t%s\t%s\n", rt->method, rt->pattern, rt->action);
    return 0;
}

int cmd_version(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: partnerd version\n\nPrints the version and the schema version.\n");
        return 0;
    }
    if (argc > 1)
        return usage_error("version", "unexpected argument '%s'", argv[1]);
    printf("partnerd %s (schema %d)\n", PARTNERD_VERSION, db_schema_latest());
    return 0;
}
