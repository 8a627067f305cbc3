/*
 * cli/serve.c - partnerd serve: the HTTP server and the jobs thread until a stop signal.
 */
#include "cli/cli.h"

#include <arpa/inet.h>
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
#include "db/pool.h"
#include "http/server.h"
#include "jobs/jobs.h"
#include "service/tx.h"
#include "log.h"
#include "service/support.h"
#include "service/accounts.h"
#include "service/clock_sync.h"
#include "service/job_requests.h"
#include "service/legacy.h"
#include "service/seller.h"
#include "service/settings.h"
#include "service/webhook_secrets.h"
#include "gateway/gateway.h"
#include "version.h"

/* Parses "ADDR:PORT" or "[V6]:PORT", ADDR an IP address. */
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
    unsigned char addr[16]; /* an address, not a name: "localhost" is refused here, as usage */
    if (inet_pton(AF_INET, host, addr) != 1 && inet_pton(AF_INET6, host, addr) != 1)
        return -1;
    errno = 0;
    long p = strtol(colon + 1, &end, 10);
    if (errno || *end || colon[1] == '\0' || p < 0 || p > 65535)
        return -1;
    *port = (int)p;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {{"listen", required_argument, 0, 'l'},
                                         {"db", required_argument, 0, 'd'},
                                         {"timezone", required_argument, 0, 'z'},
                                         {"test-clock", no_argument, 0, 'c'},
                                         {"no-jobs", no_argument, 0, 'n'},
                                         {"threads", required_argument, 0, 't'},
                                         {"body-limit", required_argument, 0, 'b'},
                                         {"jobs-interval", required_argument, 0, 'i'},
                                         {"jobs-workers", required_argument, 0, 'J'},
                                         {"gateway-ledger", required_argument, 0, 'g'},
                                         {"help", no_argument, 0, 'h'},
                                         {"trusted-proxy", required_argument, 0, 'p'},
                                         {"metrics-from", required_argument, 0, 'm'},
                                         {"header-timeout", required_argument, 0, 'H'},
                                         {"body-timeout", required_argument, 0, 'B'},
                                         {"body-memory", required_argument, 0, 'M'},
                                         {"db-busy-timeout", required_argument, 0, 'W'},
                                         {"log-format", required_argument, 0, 'F'},
                                         {"migrate", no_argument, 0, 'D'},
                                         GATEWAY_LONG_OPTIONS,
                                         {0, 0, 0, 0}};
    struct common c;
    const char *listen = DEFAULT_LISTEN;
    struct gateway_args gw = {0};
    static struct netaddr_list proxies, monitoring;
    const char *proxies_text = "", *monitoring_text = "127.0.0.1, ::1";
    long header_timeout = 10, body_timeout = 60, body_memory = 256L << 20;
    bool test_clock = false, no_jobs = false, migrate = false;
    long threads = sysconf(_SC_NPROCESSORS_ONLN) * 4, body_limit = 1 << 20, interval = 60;
    long workers = JOBS_WORKERS_DEFAULT;
    int o;
    common_defaults(&c);
    if (threads < 8)
        threads = 8;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'l':
            listen = optarg;
            break;
        case 'd':
            c.db_url = optarg;
            break;
        case 'z':
            c.timezone = optarg;
            break;
        case 'c':
            test_clock = true;
            break;
        case 'n':
            no_jobs = true;
            break;
        case 'D':
            migrate = true;
            break;
        case 'g':
            gw.ledger = optarg;
            break;
        case 'p':
            proxies_text = optarg;
            break;
        case 'm':
            monitoring_text = optarg;
            break;
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
                return usage_error("serve", "--jobs-interval wants 1 to 86400 s, not '%s'", optarg);
            break;
        case 'J':
            if (parse_positive(optarg, TX_WORKERS_MAX, &workers))
                return usage_error("serve", "--jobs-workers wants 1 to %d, not '%s'", TX_WORKERS_MAX,
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
            printf(
                "usage: partnerd serve [options]\n\n"
                "Runs the HTTP API (and the portal) until SIGTERM or SIGINT, which let\n"
                "requests in flight finish first.\n\n"
                "  --listen ADDR:PORT   address to listen on (default " DEFAULT_LISTEN
                "; port 0 picks one)\n"
                "  --migrate            first apply the migrations the database lacks, as\n"
                "                       'partnerd migrate' does, on the database it serves\n"
                "  --test-clock         let an operator set the business clock\n"
                "  --no-jobs            no periodic job passes in this process (a pass\n"
                "                       asked by POST /api/v1/admin/jobs/run still runs)\n"
                "  --jobs-interval S    seconds between two job passes (default 60)\n"
                "  --jobs-workers N     PostgreSQL: connections a pass spreads its renewals,\n"
                "                       notices, benefits and emails over, at once (default 2;\n"
                "                       1 to 8; opened under --no-jobs too, for the passes\n"
                "                       asked for; on SQLite, which writes one at a time: 1)\n"
                "  --threads N          requests using the database at once (default 4 per CPU,\n"
                "                       at least 8), over at most twice as many connections: one\n"
                "                       waiting on the payment gateway lets another in (each\n"
                "                       HTTP connection has a thread of its own)\n"
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
                "  --db-busy-timeout MS how long a change waits for another writer's lock\n"
                "                       before 503 database_busy (default 5000)\n"
                "  --log-format FORMAT  text (default) or json: each log line as one JSON\n"
                "                       object, for a log collector\n%s%s",
                gateway_help, common_help);
            return 0;
        default: {
            int taken = gateway_arg("serve", o, optarg, &gw);
            if (taken == 1)
                break;
            return taken ? taken : usage_error("serve", "%s", "unknown or incomplete option");
        }
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
    if (!migrate && sqlite_missing("serve", &c, true)) /* before the ledger is made beside it */
        return 1;
    if (open_gateway("serve", &gw)) /* its keys checked before the database is bound to it */
        return 1;
    /* a request waiting on the gateway lets another use the database meanwhile */
    gateway_on_wait(db_pool_away_here);
    struct db *db;
    /* the systemd unit's way: one command line names the database both migrated and
     * served, where a separate 'partnerd migrate' did not see $PARTNERD_OPTIONS' --db */
    if (migrate) {
        if (open_db("serve", &c, &db))
            return 1;
        int failed = migrate_schema("serve", db);
        db_close(db);
        if (failed)
            return 1;
    }
    if (open_current_db("serve", &c, &db))
        return 1;
    int identity = check_seller_identity(db);
    if (identity == 0)
        identity = seal_webhook_secrets("serve", db);
    if (identity == 0)
        identity = bind_gateway("serve", db, &gw);
    db_close(db);
    if (identity)
        return 1;
    if (gateway_public_key()) { /* Stripe.js in the portal: its origins, and only then */
        cfg.csp_script = "https://js.stripe.com";
        cfg.csp_frame = "https://hooks.stripe.com";
        cfg.csp_connect = "https://api.stripe.com";
    }
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
    if (jobs_start(c.db_url, no_jobs ? 0 : (int)interval, (int)workers, &jobs) < 0) {
        http_stop(server, 0);
        return 1;
    }
    char shown_host[140];
    snprintf(shown_host, sizeof(shown_host), strchr(host, ':') ? "[%.130s]" : "%.130s", host);
    printf("partnerd %s listening on http://%s:%d (database %s%s%s)\n", PARTNERD_VERSION,
           shown_host, http_port(server),
           strncmp(c.db_url, "sqlite:", 7) == 0 ? c.db_url : "postgresql",
           test_clock ? ", test clock" : "", no_jobs ? ", no jobs" : "");
    fflush(stdout);
    log_line(LOG_INFO, NULL, "started", "port=%d threads=%ld jobs=%d test_clock=%d gateway=%s",
             http_port(server), threads, !no_jobs, test_clock, gateway_name());

    int sig = 0;
    sigwait(&stop, &sig);
    log_line(LOG_INFO, NULL, "stopping", "signal=%d", sig);
    /* the jobs pass stops after its current step while the requests in flight finish:
     * the whole stop within a supervisor's patience (the unit's TimeoutStopSec=20) */
    job_requests_close();
    http_stop(server, 10000);
    jobs_stop(jobs);
    log_line(LOG_INFO, NULL, "stopped", NULL);
    return 0;
}
