/*
 * cli/cli.h - the command line's parts (partnerd.c dispatches argv to a cmd_*).
 *
 * Each subcommand parses its own flags with getopt_long, answers --help, and treats a
 * bad flag as a usage error (exit 2). Exit 1 means the command ran and failed.
 */
#ifndef PD_CLI_H
#define PD_CLI_H

#include <stdbool.h>

struct db;

#define DEFAULT_DB "sqlite:var/partnerd.db"
#define DEFAULT_LISTEN "127.0.0.1:8080"
#define EXIT_USAGE 2

/* Options every subcommand that touches the database shares. */
struct common {
    const char *db_url;
    const char *timezone;
};

/* The help lines of the common options. */
extern const char *const common_help;

/* Prints "partnerd CMD: <message>" and where the usage is; returns EXIT_USAGE. */
__attribute__((format(printf, 2, 3))) int usage_error(const char *cmd, const char *fmt, ...);

void common_defaults(struct common *c);
/* Parses the common options only (commands that take nothing else): 0, -1 after --help,
 * or EXIT_USAGE. */
int parse_common(const char *cmd, const char *help, int argc, char **argv, struct common *c);
/* 0 and the value of s when it is 1..max, else non-zero. */
int parse_positive(const char *s, long max, long *out);
int parse_log_format(const char *cmd, const char *text);
int parse_busy_timeout(const char *cmd, const char *text);

/* Open the database (any schema; or one migrated to this release) and the gateway. */
int open_db(const char *cmd, const struct common *c, struct db **db);
int open_current_db(const char *cmd, const struct common *c, struct db **db);

/* True (1, after saying so) when c names a SQLite database whose file is not there; only
 * migrate makes one (migrate_hint: say so). */
int sqlite_missing(const char *cmd, const struct common *c, bool migrate_hint);

/* Applies the migrations db lacks and says so on standard output (migrate, serve
 * --migrate). 0, or 1 after saying why. */
int migrate_schema(const char *cmd, struct db *db);

/* The payment gateway's options (serve and jobs run; cli/gateway_args.c). */
struct gateway_args {
    const char *name;            /* "test" (default) or "stripe" */
    const char *ledger;          /* test: its ledger file (NULL: env or var/test-gateway.db) */
    const char *key_file;        /* stripe: the secret key's file (NULL: env) */
    const char *webhook_file;    /* stripe: the webhook signing secret's file (NULL: env) */
    const char *publishable_key; /* stripe: pk_... (NULL: env) */
    const char *api_base;        /* stripe: a stand-in's URL (tests only) */
    bool switch_gateway;         /* the database moves to this gateway (once, audited) */
};
/* getopt_long values of the gateway's options, and their entries in a struct option table. */
enum {
    GWOPT_GATEWAY = 1600,
    GWOPT_KEY_FILE,
    GWOPT_WEBHOOK_FILE,
    GWOPT_PUBLISHABLE,
    GWOPT_API_BASE,
    GWOPT_SWITCH
};
#define GATEWAY_LONG_OPTIONS                                                                       \
    {"gateway", required_argument, 0, GWOPT_GATEWAY},                                              \
        {"stripe-key-file", required_argument, 0, GWOPT_KEY_FILE},                                 \
        {"stripe-webhook-secret-file", required_argument, 0, GWOPT_WEBHOOK_FILE},                  \
        {"stripe-publishable-key", required_argument, 0, GWOPT_PUBLISHABLE},                       \
        {"stripe-api-base", required_argument, 0, GWOPT_API_BASE},                                 \
    {                                                                                              \
        "switch-gateway", no_argument, 0, GWOPT_SWITCH                                             \
    }
/* The help lines of those options. */
extern const char *const gateway_help;
/* Takes option o (its argument arg) when it is one of the gateway's: 1, 0 when it is not one,
 * or EXIT_USAGE after a usage error. */
int gateway_arg(const char *cmd, int o, const char *arg, struct gateway_args *g);
/* Opens the gateway chosen (a missing or malformed Stripe key: a message naming it, never its
 * value, and 1). */
int open_gateway(const char *cmd, const struct gateway_args *g);
/* Checks that db's card payments go through the gateway chosen (service/settings.h
 * settings_bind_gateway), recording it on a new database: 0, or 1 after saying why. */
int bind_gateway(const char *cmd, struct db *db, const struct gateway_args *g);

/* The start-up checks: the seller's legal identity, and webhook secrets sealed at rest. */
int check_seller_identity(struct db *db);
int seal_webhook_secrets(const char *cmd, struct db *db);

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_jobs(int argc, char **argv);
int cmd_staff(int argc, char **argv);
int cmd_import_legacy(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
