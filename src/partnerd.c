/*
 * partnerd.c - the command line: argv -> subcommand.
 *
 *   serve, migrate, jobs run, staff add, import-legacy, demo, version
 *
 * Each subcommand parses its own flags with getopt_long, answers --help, and treats a
 * bad flag as a usage error (exit 2). Exit 1 means the command ran and failed.
 */
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
#include "version.h"

#define DEFAULT_DB "sqlite:var/partnerd.db"
#define DEFAULT_LISTEN "127.0.0.1:8080"
#define EXIT_USAGE 2

/* Options every subcommand that touches the database shares. */
struct common {
    const char *db_url;
    const char *timezone;
};

static const char *main_usage =
    "usage: partnerd <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve          run the HTTP server: the API and the web portal (and the jobs)\n"
    "  migrate        bring the database schema up to date\n"
    "  jobs run       run one pass of every lifecycle job, then exit\n"
    "  staff add      create a staff account (support, finance, operator)\n"
    "  import-legacy  import subscriptions from a Partner Membership Center CSV\n"
    "  demo           load demo data into an empty database\n"
    "  backup         copy the SQLite database, while it serves, into a new file\n"
    "  routes         list the HTTP routes and their authorization actions\n"
    "  version        print the version\n"
    "\n"
    "Run 'partnerd <command> --help' for the options of a command.\n"
    "Environment: PARTNERD_DB (database URL), PARTNERD_TIMEZONE (business time zone).\n";

static const char *common_help =
    "  --db URL          sqlite:PATH or postgresql://... (default " DEFAULT_DB
    ", or $PARTNERD_DB)\n"
    "  --timezone TZ     business time zone (default Europe/Paris, or $PARTNERD_TIMEZONE)\n"
    "  -h, --help        this help\n";

__attribute__((format(printf, 2, 3))) static int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "partnerd %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'partnerd %s --help' for usage.\n", cmd);
    return EXIT_USAGE;
}

static void common_defaults(struct common *c)
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
static int open_db(const char *cmd, const struct common *c, struct db **db)
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

/* Opens the database and requires its schema to be exactly this binary's. */
static int open_current_db(const char *cmd, const struct common *c, struct db **db)
{
    int version = 0;
    if (open_db(cmd, c, db))
        return 1;
    if (db_schema_version(*db, &version) < 0) {
        fprintf(stderr, "partnerd %s: cannot read the schema version: %s\n", cmd,
                db_errmsg(*db));
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
static int open_gateway(const char *cmd, const char *ledger)
{
    struct pd_error err = {0};
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

/* Parses "ADDR:PORT" or "[V6]:PORT". */
static int parse_listen(const char *s, char *host, size_t n, int *port)
{
    const char *colon = strrchr(s, ':');
    char *end;
    if (colon == NULL || colon == s)
        return -1;
    const char *h = s;
    size_t hl = (size_t)(colon - s);
    if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl == 0 || hl >= n)
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    errno = 0;
    long p = strtol(colon + 1, &end, 10);
    if (errno || *end || colon[1] == '\0' || p < 0 || p > 65535)
        return -1;
    *port = (int)p;
    return 0;
}

static int parse_positive(const char *s, long max, long *out)
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
static int parse_log_format(const char *cmd, const char *text)
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
static int parse_busy_timeout(const char *cmd, const char *text)
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
static int check_seller_identity(struct db *db)
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
static int seal_webhook_secrets(const char *cmd, struct db *db)
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

static int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, 0, 'l'}, {"db", required_argument, 0, 'd'},
        {"timezone", required_argument, 0, 'z'}, {"test-clock", no_argument, 0, 'c'},
        {"no-jobs", no_argument, 0, 'n'}, {"threads", required_argument, 0, 't'},
        {"body-limit", required_argument, 0, 'b'}, {"jobs-interval", required_argument, 0, 'i'},
        {"gateway-ledger", required_argument, 0, 'g'}, {"help", no_argument, 0, 'h'},
        {"trusted-proxy", required_argument, 0, 'p'}, {"metrics-from", required_argument, 0, 'm'},
        {"header-timeout", required_argument, 0, 'H'}, {"body-timeout", required_argument, 0, 'B'},
        {"body-memory", required_argument, 0, 'M'}, {"db-busy-timeout", required_argument, 0, 'W'},
        {"log-format", required_argument, 0, 'F'}, {0, 0, 0, 0}};
    struct common c;
    const char *listen = DEFAULT_LISTEN, *ledger = NULL;
    static struct netaddr_list proxies, monitoring;
    const char *proxies_text = "", *monitoring_text = "127.0.0.1, ::1";
    long header_timeout = 10, body_timeout = 60, body_memory = 256L << 20;
    bool test_clock = false, no_jobs = false;
    long threads = sysconf(_SC_NPROCESSORS_ONLN) * 4, body_limit = 1 << 20, interval = 60;
    int o;
    common_defaults(&c);
    if (threads < 8)
        threads = 8;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'l': listen = optarg; break;
        case 'd': c.db_url = optarg; break;
        case 'z': c.timezone = optarg; break;
        case 'c': test_clock = true; break;
        case 'n': no_jobs = true; break;
        case 'g': ledger = optarg; break;
        case 'p': proxies_text = optarg; break;
        case 'm': monitoring_text = optarg; break;
        case 'H':
            if (parse_positive(optarg, 3600, &header_timeout))
                return usage_error("serve", "--header-timeout wants 1 to 3600 s, not '%s'", optarg);
            break;
        case 'B':
            if (parse_positive(optarg, 3600, &body_timeout))
                return usage_error("serve", "--body-timeout wants 1 to 3600 s, not '%s'", optarg);
            break;
        case 'M':
            if (parse_positive(optarg, 16L << 30, &body_memory))
                return usage_error("serve", "--body-memory wants 1 to 17179869184 bytes, not '%s'",
                                   optarg);
            break;
        case 't':
            if (parse_positive(optarg, 256, &threads))
                return usage_error("serve", "--threads wants 1 to 256, not '%s'", optarg);
            break;
        case 'b':
            if (parse_positive(optarg, 64L << 20, &body_limit))
                return usage_error("serve", "--body-limit wants 1 to 67108864 bytes, not '%s'",
                                   optarg);
            break;
        case 'i':
            if (parse_positive(optarg, 86400, &interval))
                return usage_error("serve", "--jobs-interval wants 1 to 86400 s, not '%s'",
                                   optarg);
            break;
        case 'W':
            if (parse_busy_timeout("serve", optarg))
                return EXIT_USAGE;
            break;
        case 'F':
            if (parse_log_format("serve", optarg))
                return EXIT_USAGE;
            break;
        case 'h':
            printf("usage: partnerd serve [options]\n\n"
                   "Runs the HTTP API (and the portal) until SIGTERM or SIGINT, which let\n"
                   "requests in flight finish first.\n\n"
                   "  --listen ADDR:PORT   address to listen on (default " DEFAULT_LISTEN
                   "; port 0 picks one)\n"
                   "  --test-clock         let an operator set the business clock\n"
                   "  --no-jobs            no periodic job passes in this process (a pass\n"
                   "                       asked by POST /api/v1/admin/jobs/run still runs)\n"
                   "  --jobs-interval S    seconds between two job passes (default 60)\n"
                   "  --threads N          requests served at once, each with a database connection\n"
                   "                       (default 4 per CPU, at least 8; each HTTP connection has\n"
                   "                       a thread of its own)\n"
                   "  --body-limit BYTES   largest request body (default 1048576; 64 KiB\n"
                   "                       before sign-in; 10 MiB for support files)\n"
                   "  --body-memory BYTES  request bodies held at once, all clients together\n"
                   "                       (default 268435456); past it: 503 and Retry-After\n"
                   "  --header-timeout S   a client's request headers must all arrive within\n"
                   "                       S seconds, however slowly sent (default 10)\n"
                   "  --body-timeout S     and its body within S seconds after (default 60)\n"
                   "  --trusted-proxy LIST addresses or CIDRs of the proxies in front\n"
                   "                       (\"127.0.0.1, ::1\" for nginx on this machine): the\n"
                   "                       client address is then read from X-Forwarded-For\n"
                   "  --metrics-from LIST  client addresses or CIDRs that may read /metrics\n"
                   "                       (default \"127.0.0.1, ::1\"; \"0.0.0.0/0, ::/0\": all)\n"
                   "  --gateway-ledger F   the test payment gateway's ledger (default\n"
                   "                       $PARTNERD_GATEWAY_LEDGER or var/test-gateway.db)\n"
                   "  --db-busy-timeout MS how long a change waits for another writer's lock\n"
                   "                       before 503 database_busy (default 5000)\n"
                   "  --log-format FORMAT  text (default) or json: each log line as one JSON\n"
                   "                       object, for a log collector\n%s",
                   common_help);
            return 0;
        default:
            return usage_error("serve", "%s", "unknown or incomplete option");
        }
    }
    if (optind < argc)
        return usage_error("serve", "unexpected argument '%s'", argv[optind]);
    int bad;
    if (netaddr_list_parse(proxies_text, &proxies, &bad) < 0)
        return usage_error("serve", "--trusted-proxy: entry %d is not an address or CIDR", bad);
    if (netaddr_list_parse(monitoring_text, &monitoring, &bad) < 0)
        return usage_error("serve", "--metrics-from: entry %d is not an address or CIDR", bad);

    struct http_config cfg = {.threads = (unsigned)threads,
                              .body_limit = (size_t)body_limit,
                              .upload_limit = SUPPORT_ATTACHMENT_MAX,
                              .serve_portal = true,
                              .max_connections = 1024,
                              .max_per_ip = 256,
                              .timeout_s = 30,
                              .header_timeout_s = (unsigned)header_timeout,
                              .body_timeout_s = (unsigned)body_timeout,
                              .conn_memory = (size_t)64 * 1024,
                              .body_memory = (size_t)body_memory,
                              .trusted_proxies = &proxies,
                              .monitoring_from = &monitoring,
                              .db_url = c.db_url,
                              .routes = api_routes,
                              .authorize = api_authorize,
                              .before_request = api_before_request,
                              .after_request = api_after_request};
    char host[128];
    if (parse_listen(listen, host, sizeof(host), &cfg.port) < 0)
        return usage_error("serve", "--listen wants ADDR:PORT, not '%s'", listen);
    cfg.host = host;

    if (api_check_routes() < 0) {
        fprintf(stderr, "partnerd serve: a route has no rule in the authorization table\n");
        return 1;
    }
    struct db *db;
    if (open_current_db("serve", &c, &db))
        return 1;
    int identity = check_seller_identity(db);
    if (identity == 0)
        identity = seal_webhook_secrets("serve", db);
    db_close(db);
    if (identity)
        return 1;
    if (open_gateway("serve", ledger))
        return 1;
    clock_sync_enable(test_clock);

    /* Block the stop signals before any thread starts, so all threads inherit the mask
     * and the main thread receives them through sigwait(). */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct http_server *server;
    if (http_start(&cfg, &server) < 0)
        return 1;
    /* the jobs thread runs even under --no-jobs: it serves the passes an operator asks for */
    struct jobs_runner *jobs = NULL;
    if (jobs_start(c.db_url, no_jobs ? 0 : (int)interval, &jobs) < 0) {
        http_stop(server, 0);
        return 1;
    }
    char shown_host[140];
    snprintf(shown_host, sizeof(shown_host), strchr(host, ':') ? "[%.130s]" : "%.130s", host);
    printf("partnerd %s listening on http://%s:%d (database %s%s%s)\n", PARTNERD_VERSION,
           shown_host, http_port(server), strncmp(c.db_url, "sqlite:", 7) == 0 ? c.db_url : "postgresql",
           test_clock ? ", test clock" : "", no_jobs ? ", no jobs" : "");
    fflush(stdout);
    log_line(LOG_INFO, NULL, "started", "port=%d threads=%ld jobs=%d test_clock=%d",
             http_port(server), threads, !no_jobs, test_clock);

    int sig = 0;
    sigwait(&stop, &sig);
    log_line(LOG_INFO, NULL, "stopping", "signal=%d", sig);
    jobs_stop(jobs);
    http_stop(server, 10000);
    log_line(LOG_INFO, NULL, "stopped", NULL);
    return 0;
}

/* Parses the common options only; for commands that take nothing else. */
static int parse_common(const char *cmd, const char *help, int argc, char **argv,
                        struct common *c)
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
        case 'd': c->db_url = optarg; break;
        case 'z': c->timezone = optarg; break;
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

static int cmd_migrate(int argc, char **argv)
{
    struct common c;
    struct db *db;
    struct pd_error err = {0};
    int rc = parse_common("migrate", "usage: partnerd migrate [options]\n\n"
                          "Applies the schema migrations the database lacks, each in its own\n"
                          "transaction. Refuses a database migrated by a newer partnerd.\n"
                          "Then seals the webhook signing secrets still in clear (serve does\n"
                          "the same at start-up) with the key file benefits.key_file.\n",
                          argc, argv, &c);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (open_db("migrate", &c, &db))
        return 1;
    int before = 0, after = 0;
    db_schema_version(db, &before);
    if (db_migrate(db, &err) < 0) {
        fprintf(stderr, "partnerd migrate: %s\n", err.message);
        pd_error_clear(&err);
        db_close(db);
        return 1;
    }
    db_schema_version(db, &after);
    if (seal_webhook_secrets("migrate", db)) {
        db_close(db);
        return 1;
    }
    if (after == before)
        printf("schema is up to date (version %d)\n", after);
    else
        printf("schema migrated from version %d to %d\n", before, after);
    db_close(db);
    return 0;
}

static int cmd_backup(int argc, char **argv)
{
    static const char *help =
        "usage: partnerd backup [options] DEST\n\n"
        "Copies the SQLite database, while partnerd serves, into the new file DEST: a\n"
        "consistent snapshot taken with SQLite's online backup API. DEST must not exist.\n"
        "To restore, stop partnerd, put the copy in the database's place (removing the\n"
        "old -wal and -shm files) and start it again. A PostgreSQL database is backed up\n"
        "with pg_dump --format=custom and restored with pg_restore (see partnerd(8)).\n";
    struct common c;
    struct db *db;
    struct pd_error err = {0};
    if (argc < 2) {
        fprintf(stderr, "partnerd backup: DEST is missing\nRun 'partnerd backup --help' for usage.\n");
        return EXIT_USAGE;
    }
    const char *dest = argv[argc - 1];
    if (strcmp(dest, "--help") == 0 || strcmp(dest, "-h") == 0) {
        printf("%s\n%s", help, common_help);
        return 0;
    }
    int rc = parse_common("backup", help, argc - 1, argv, &c);
    if (rc)
        return rc < 0 ? 0 : rc;
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

static int cmd_jobs(int argc, char **argv)
{
    struct common c;
    struct db *db;
    static const char *jobs_help =
        "usage: partnerd jobs run [options]\n\n"
        "Runs one pass of every lifecycle job on the business date, then exits\n"
        "(for cron). Safe to run while servers run jobs too. The test gateway's\n"
        "ledger is $PARTNERD_GATEWAY_LEDGER (default var/test-gateway.db).\n\n"
        "  --db-busy-timeout MS how long a change waits for another writer's lock\n"
        "                       (default 5000)\n"
        "  --log-format FORMAT  text (default) or json: each log line as one JSON object\n";
    if (argc < 2 || strcmp(argv[1], "run") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            printf("%s\n%s", jobs_help, common_help);
            return 0;
        }
        return usage_error("jobs", "%s", "expected 'jobs run'");
    }
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"timezone", required_argument, 0, 'z'},
                                         {"db-busy-timeout", required_argument, 0, 'W'},
                                         {"log-format", required_argument, 0, 'F'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int o;
    common_defaults(&c);
    optind = 1;
    while ((o = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'd': c.db_url = optarg; break;
        case 'z': c.timezone = optarg; break;
        case 'F':
            if (parse_log_format("jobs run", optarg))
                return EXIT_USAGE;
            break;
        case 'W':
            if (parse_busy_timeout("jobs run", optarg))
                return EXIT_USAGE;
            break;
        case 'h': printf("%s\n%s", jobs_help, common_help); return 0;
        default: return usage_error("jobs run", "%s", "unknown or incomplete option");
        }
    }
    if (optind < argc - 1)
        return usage_error("jobs run", "unexpected argument '%s'", argv[optind + 1]);
    if (open_current_db("jobs run", &c, &db))
        return 1;
    if (open_gateway("jobs run", NULL)) {
        db_close(db);
        return 1;
    }
    clock_sync_enable(true); /* a pinned test clock is honoured by a manual pass */
    int rc = jobs_run_once(db, true, NULL);
    db_close(db);
    return rc < 0 ? 1 : 0;
}

/* Reads the password from $PARTNERD_PASSWORD or the first line of standard input. */
static int read_password(char *out, size_t n)
{
    const char *env = getenv("PARTNERD_PASSWORD");
    if (env) {
        snprintf(out, n, "%s", env);
        return 0;
    }
    if (isatty(STDIN_FILENO))
        fprintf(stderr, "Password (input is shown; prefer PARTNERD_PASSWORD): ");
    if (fgets(out, (int)n, stdin) == NULL)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

static int cmd_staff(int argc, char **argv)
{
    static const struct option opts[] = {
        {"email", required_argument, 0, 'e'}, {"name", required_argument, 0, 'n'},
        {"role", required_argument, 0, 'r'}, {"db", required_argument, 0, 'd'},
        {"timezone", required_argument, 0, 'z'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *help = "usage: partnerd staff add --email E --name N --role R [options]\n\n"
                       "Creates a staff account of the program owner. R is support,\n"
                       "finance or operator. The password comes from $PARTNERD_PASSWORD or\n"
                       "the first line of standard input (12 to 128 characters).\n\n"
                       "  --email E         sign-in address\n"
                       "  --name N          full name\n"
                       "  --role R          support | finance | operator\n";
    struct common c;
    const char *email = NULL, *name = NULL, *role = NULL;
    int o;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("%s%s", help, common_help);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "add") != 0)
        return usage_error("staff", "%s", "expected 'staff add'");
    common_defaults(&c);
    optind = 1;
    argc--;
    argv++;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'e': email = optarg; break;
        case 'n': name = optarg; break;
        case 'r': role = optarg; break;
        case 'd': c.db_url = optarg; break;
        case 'z': c.timezone = optarg; break;
        case 'h': printf("%s%s", help, common_help); return 0;
        default: return usage_error("staff add", "%s", "unknown or incomplete option");
        }
    }
    if (optind < argc)
        return usage_error("staff add", "unexpected argument '%s'", argv[optind]);
    if (!email || !name || !role)
        return usage_error("staff add", "%s", "--email, --name and --role are required");

    char password[PASSWORD_MAX + 2];
    if (read_password(password, sizeof(password)) < 0) {
        fprintf(stderr, "partnerd staff add: no password on standard input\n");
        return 1;
    }
    struct db *db;
    struct pd_error err = {0};
    if (open_current_db("staff add", &c, &db))
        return 1;
    int rc = staff_add(db, email, name, role, password, &err);
    memset(password, 0, sizeof(password));
    db_close(db);
    if (rc < 0) {
        fprintf(stderr, "partnerd staff add: %s\n", err.message);
        pd_error_clear(&err);
        return 1;
    }
    printf("staff account %s created with role %s\n", email, role);
    return 0;
}

static const char *import_help =
    "usage: partnerd import-legacy [options] FILE.csv\n\n"
    "Imports subscriptions managed in the Partner Membership Center (PMC). The file is\n"
    "UTF-8 CSV with this header line and one subscription per line:\n\n"
    "  membership_id,offer,starts_on,expires_on,auto_renew\n"
    "  1234567,action-pack,2026-06-23,2027-06-22,true\n\n"
    "membership_id: the partner's 7 digits; offer: an offer code; dates: YYYY-MM-DD;\n"
    "auto_renew: true or false. Every bad line is reported with its number, and then\n"
    "nothing at all is imported. Imported subscriptions are managed in the PMC until an\n"
    "operator migrates them.\n\n";

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

static int cmd_import_legacy(int argc, char **argv)
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
        case 'd': c.db_url = optarg; break;
        case 'z': c.timezone = optarg; break;
        case 'h': printf("%s%s", import_help, common_help); return 0;
        default: return usage_error("import-legacy", "%s", "unknown or incomplete option");
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
    int rc = legacy_import(db, csv, &imported, &problems, &err);
    free(csv);
    db_close(db);
    size_t i;
    json_t *p;
    json_array_foreach(problems, i, p) fprintf(stderr, "%s: %s\n", argv[optind], json_string_value(p));
    json_decref(problems);
    if (rc < 0) {
        fprintf(stderr, "partnerd import-legacy: %s\n", err.message);
        pd_error_clear(&err);
        return 1;
    }
    printf("imported %d subscription(s) managed in the Partner Membership Center\n", imported);
    return 0;
}

static int cmd_demo(int argc, char **argv)
{
    struct common c;
    struct db *db;
    struct pd_error err = {0};
    int created = 0;
    int rc = parse_common("demo", "usage: partnerd demo [options]\n\n"
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
    printf(created ? "demo data loaded.\n" : "the database already has data; demo data not "
                                             "loaded again.\n");
    printf("demo logins (password: %s):\n", DEMO_PASSWORD);
    for (const struct demo_login *l = demo_logins; l->email; l++)
        printf("  %-28s %s\n", l->email, l->roles);
    return 0;
}

static int cmd_routes(int argc, char **argv)
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

static int cmd_version(int argc, char **argv)
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

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {{"serve", cmd_serve},   {"migrate", cmd_migrate},
                    {"jobs", cmd_jobs},     {"staff", cmd_staff},
                    {"import-legacy", cmd_import_legacy}, {"demo", cmd_demo},
                    {"routes", cmd_routes},  {"version", cmd_version},
                    {"backup", cmd_backup}};

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        fputs(main_usage, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(main_usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(1, argv);
    if (crypto_init() < 0) {
        fputs("partnerd: libsodium failed to start\n", stderr);
        return 1;
    }
    /* before any thread: SMTP and webhooks (jobs/deliver.c) */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("partnerd: libcurl failed to start\n", stderr);
        return 1;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "partnerd: unknown command '%s'\n\n%s", argv[1], main_usage);
    return EXIT_USAGE;
}
