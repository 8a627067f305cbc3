/*
 * cli/staff.c - partnerd staff add | list | remove: the program owner's staff accounts.
 *
 * Staff are managed from the command line only, by whoever runs the server: there is no
 * route that makes an operator. A removed account keeps its row (the audit trail names
 * it), and staff add with its email brings it back (service/accounts.c).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "core/password.h"
#include "core/roles.h"
#include "db/db.h"
#include "service/accounts.h"
#include "store/users.h"

static const char *const staff_help =
    "usage: partnerd staff add --email E --name N --role R [options]\n"
    "usage: partnerd staff list [options]\n"
    "usage: partnerd staff remove --email E [options]\n\n"
    "add creates a staff account of the program owner, or brings back a removed one with\n"
    "this email. R is support, finance or operator. The password comes from\n"
    "$PARTNERD_PASSWORD or the first line of standard input (12 to 128 characters).\n"
    "list prints every staff account: email, role, status, two-factor, created.\n"
    "remove ends an account: it can no longer sign in, its sessions end and its API\n"
    "tokens are refused. Each change is audited.\n\n"
    "  --email E         sign-in address\n"
    "  --name N          full name (add)\n"
    "  --role R          support | finance | operator (add)\n";

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

/* The options of `staff VERB`: 0, -1 after --help, or EXIT_USAGE. */
static int parse(const char *cmd, int argc, char **argv, struct common *c, const char **email,
                 const char **name, const char **role)
{
    static const struct option opts[] = {{"email", required_argument, 0, 'e'},
                                         {"name", required_argument, 0, 'n'},
                                         {"role", required_argument, 0, 'r'},
                                         {"db", required_argument, 0, 'd'},
                                         {"timezone", required_argument, 0, 'z'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int o;
    common_defaults(c);
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'e':
            *email = optarg;
            break;
        case 'n':
            *name = optarg;
            break;
        case 'r':
            *role = optarg;
            break;
        case 'd':
            c->db_url = optarg;
            break;
        case 'z':
            c->timezone = optarg;
            break;
        case 'h':
            printf("%s%s", staff_help, common_help);
            return -1;
        default:
            return usage_error(cmd, "%s", "unknown or incomplete option");
        }
    }
    if (optind < argc)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    return 0;
}

/* Prints a failed command's reason: exit status 1. */
static int failed(const char *cmd, struct pd_error *err)
{
    fprintf(stderr, "partnerd %s: %s\n", cmd, err->message);
    pd_error_clear(err);
    return 1;
}

static int staff_add_cmd(const struct common *c, const char *email, const char *name,
                         const char *role)
{
    if (!email || !name || !role)
        return usage_error("staff add", "%s", "--email, --name and --role are required");
    if ((role_bit(role) & ROLES_STAFF) == 0) /* before the password is asked for */
        return usage_error("staff add", "--role wants support, finance or operator, not '%s'",
                           role);
    char password[PASSWORD_MAX_BYTES + 2]; /* the longest, its newline, NUL: longer is refused */
    if (read_password(password, sizeof(password)) < 0) {
        fprintf(stderr, "partnerd staff add: no password on standard input\n");
        return 1;
    }
    struct db *db;
    struct pd_error err = {0};
    if (open_current_db("staff add", c, &db))
        return 1;
    int rc = staff_add(db, email, name, role, password, &err);
    memset(password, 0, sizeof(password));
    db_close(db);
    if (rc < 0)
        return failed("staff add", &err);
    printf("staff account %s created with role %s\n", email, role);
    return 0;
}

static int staff_list_cmd(const struct common *c)
{
    struct db *db;
    struct pd_error err = {0};
    struct user_row *rows = NULL;
    int n = 0;
    if (open_current_db("staff list", c, &db))
        return 1;
    int rc = staff_list(db, &rows, &n, &err);
    db_close(db);
    if (rc < 0)
        return failed("staff list", &err);
    printf("%-40s %-9s %-8s %-10s %s\n", "EMAIL", "ROLE", "STATUS", "TWO-FACTOR", "CREATED");
    for (int i = 0; i < n; i++) {
        char created[21];
        const struct user_row *u = &rows[i];
        printf("%-40s %-9s %-8s %-10s %s\n", u->email,
               u->roles & ROLE_OPERATOR  ? "operator"
               : u->roles & ROLE_FINANCE ? "finance"
               : u->roles & ROLE_SUPPORT ? "support"
                                         : "-",
               u->status, u->totp_secret[0] ? "on" : "off", instant_format(u->created_at, created));
    }
    free(rows);
    return 0;
}

static int staff_remove_cmd(const struct common *c, const char *email)
{
    if (!email)
        return usage_error("staff remove", "%s", "--email is required");
    struct db *db;
    struct pd_error err = {0};
    if (open_current_db("staff remove", c, &db))
        return 1;
    int rc = staff_remove(db, email, &err);
    db_close(db);
    if (rc < 0)
        return failed("staff remove", &err);
    printf("staff account %s removed: signed out everywhere, its API tokens refused\n", email);
    return 0;
}

int cmd_staff(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("%s%s", staff_help, common_help);
        return 0;
    }
    const char *verb = argc >= 2 ? argv[1] : "";
    char cmd[32];
    snprintf(cmd, sizeof(cmd), "staff %s", verb);
    if (strcmp(verb, "add") != 0 && strcmp(verb, "list") != 0 && strcmp(verb, "remove") != 0)
        return usage_error("staff", "%s", "expected 'staff add', 'staff list' or 'staff remove'");
    struct common c;
    const char *email = NULL, *name = NULL, *role = NULL;
    int rc = parse(cmd, argc - 1, argv + 1, &c, &email, &name, &role);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (strcmp(verb, "add") == 0)
        return staff_add_cmd(&c, email, name, role);
    if ((name || role) && strcmp(verb, "add") != 0)
        return usage_error(cmd, "%s", "--name and --role are for 'staff add'");
    if (strcmp(verb, "list") == 0) {
        if (email)
            return usage_error(cmd, "%s", "--email is for 'staff add' and 'staff remove'");
        return staff_list_cmd(&c);
    }
    return staff_remove_cmd(&c, email);
}
