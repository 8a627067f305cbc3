/*
 * partnerd.c - the command line: argv -> subcommand.
 *
 *   serve (cli/serve.c); staff add, list, remove (cli/staff.c); migrate, backup, jobs run,
 *   import-legacy, demo,
 *   routes, version (cli/commands.c); what they share in cli/common.c.
 *
 * Each subcommand parses its own flags with getopt_long, answers --help, and treats a
 * bad flag as a usage error (exit 2). Exit 1 means the command ran and failed.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/crypto.h"

static const char *main_usage =
    "usage: partnerd <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve          run the HTTP server: the API and the web portal (and the jobs)\n"
    "  migrate        bring the database schema up to date\n"
    "  jobs run       run one pass of every lifecycle job, then exit\n"
    "  staff add      create a staff account (support, finance, operator)\n"
    "  staff list     list the staff accounts\n"
    "  staff remove   end a staff account: no sign-in, sessions ended, tokens refused\n"
    "  import-legacy  import subscriptions from a Partner Membership Center CSV\n"
    "  demo           load demo data into an empty database\n"
    "  backup         copy the SQLite database, while it serves, into a new file\n"
    "  routes         list the HTTP routes and their authorization actions\n"
    "  version        print the version\n"
    "\n"
    "Run 'partnerd <command> --help' for the options of a command.\n"
    "Environment: PARTNERD_DB (database URL), PARTNERD_TIMEZONE (business time zone).\n";

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {{"serve", cmd_serve},
                    {"migrate", cmd_migrate},
                    {"jobs", cmd_jobs},
                    {"staff", cmd_staff},
                    {"import-legacy", cmd_import_legacy},
                    {"demo", cmd_demo},
                    {"routes", cmd_routes},
                    {"version", cmd_version},
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
    /* before any thread: SMTP and webhooks (jobs/deliver.c, jobs/webhook_send.c) */
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
