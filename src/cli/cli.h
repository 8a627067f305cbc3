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
int open_gateway(const char *cmd, const char *ledger);

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
