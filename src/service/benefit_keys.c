/*
 * service/benefit_keys.c - product keys, sealed with libsodium secretbox (core/crypto.h).
 *
 * The key file holds the sealing keys, one a line in hex: the first seals, every one
 * opens, so a rotation is "put a new key first, reseal, drop the old line" without a
 * moment where a key cannot be opened. A key's fingerprint (a hash keyed with the first
 * sealing key) lets the same key never be loaded twice, without opening anything; the
 * reseal computes fingerprints again under the new key.
 *
 * When the file does not exist, the first use creates it with one fresh key (written to
 * a temporary file and linked into place, so two processes never both create one). On
 * several servers the file must be installed on each before their first start.
 */
#include "service/benefit_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/text.h"
#include "db/db.h"
#include "log.h"
#include "service/audit.h"
#include "service/benefits.h"
#include "service/settings.h"
#include "service/tx.h"
#include "service/webhook_secrets.h"
#include "store/benefit_keys.h"
#include "store/benefits.h"
#include "store/outbox.h"
#include "store/webhooks.h"
#include "service/outbox.h"

#define KEY_TEXT_MAX 128 /* a product key: "XXXXX-XXXXX-XXXXX-XXXXX-XXXXX" and more */

/* Creates the key file with one fresh key, atomically: 0, or -1 (errno). EEXIST when
 * another process made it first is success. */
static int create_key_file(const char *path)
{
    char tmp[SETTING_TEXT_SIZE + 32], hex[65], dir[SETTING_TEXT_SIZE];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) { /* its directory, one level, as mail.dir's is made */
        *slash = '\0';
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
            return -1;
    }
    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return -1;
    seal_key_new_hex(hex);
    hex[64] = '\n';
    ssize_t w = write(fd, hex, 65);
    secret_wipe(hex, sizeof(hex));
    int ok = w == 65 && fsync(fd) == 0;
    close(fd);
    int rc = ok && link(tmp, path) == 0 ? 0 : -1;
    if (rc < 0 && errno == EEXIST)
        rc = 0;
    unlink(tmp);
    char esc[1024];
    if (rc == 0)
        log_line(LOG_WARN, NULL,
                 "benefits key file created: back it up and install it on every server", "path=%s",
                 log_escape(path, esc, sizeof(esc)));
    return rc;
}

/* A missing key file is made only for a database that holds nothing sealed yet: with
 * sealed keys or webhook secrets, a fresh key would open none of them, and sealing new
 * ones with it would split them between two files. This is how a process started in
 * another working directory (cron, a shell) than the server's, for a relative
 * benefits.key_file, or a second server the file was not installed on, meets it. 0 (made
 * or there), or a negative status after filling err. */
static int make_key_file_if_new(struct db *db, const char *path, struct pd_error *err)
{
    int sealed = keys_any(db);
    if (sealed == 0)
        sealed = webhook_secrets_sealed_any(db);
    if (sealed < 0)
        return pd_fail(err, sealed, "%s", db_errmsg(db));
    if (sealed == 0)
        return create_key_file(path) == 0 ? 0
                                          : pd_fail(err, PD_E_KEYS_SECRET_UNAVAILABLE,
                                                    "cannot read benefits.key_file %s", path);
    char cwd[512] = "";
    if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) == NULL)
        cwd[0] = '\0';
    return pd_fail(err, PD_E_KEYS_SECRET_UNAVAILABLE,
                   "no benefits.key_file %.200s%s%s, yet secrets are sealed with it: install it", path,
                   cwd[0] ? " in " : "", cwd);
}

int bkeys_keyring(struct db *db, struct keyring *k, struct pd_error *err)
{
    struct settings s;
    memset(k, 0, sizeof(*k));
    int rc = settings_load(db, &s);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    FILE *f = fopen(s.benefits_key_file, "r");
    if (f == NULL && errno == ENOENT) {
        if ((rc = make_key_file_if_new(db, s.benefits_key_file, err)) < 0)
            return rc;
        f = fopen(s.benefits_key_file, "r");
    }
    if (f == NULL)
        return pd_fail(err, PD_E_KEYS_SECRET_UNAVAILABLE, "cannot read benefits.key_file %s",
                       s.benefits_key_file);
    char line[256];
    while (k->count < KEYRING_MAX && fgets(line, sizeof(line), f)) {
        if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
            continue;
        if (seal_key_from_hex(line, k->keys[k->count]) == 0)
            k->count++;
    }
    secret_wipe(line, sizeof(line));
    fclose(f);
    if (k->count == 0)
        return pd_fail(err, PD_E_KEYS_SECRET_UNAVAILABLE, "no key in benefits.key_file %s",
                       s.benefits_key_file);
    return 0;
}

/* Opens a sealed key with any key of the ring: 0, or -1. */
static int open_key(const struct keyring *k, const char *sealed, char *out, size_t n)
{
    for (int i = 0; i < k->count; i++)
        if (open_text(k->keys[i], sealed, out, n) == 0)
            return 0;
    return -1;
}

void bkeys_mask(const char *key, char *out, size_t n)
{
    size_t len = strlen(key), i;
    for (i = 0; i < len && i + 1 < n; i++) {
        char c = key[i];
        bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        out[i] = c;
        if (alnum && i + 5 < len)
            out[i] = 'X';
    }
    out[i] = '\0';
}

int bkeys_assign(struct db *db, const struct principal *who, const char *ip, const char *product,
                 const char *grant_id, const char *partner_id, int count)
{
    int64_t free_keys = 0;
    char(*ids)[32] = calloc((size_t)count, 32);
    if (ids == NULL)
        return PD_E_INTERNAL;
    int rc = pools_ensure(db, product, clock_now());
    if (rc >= 0)
        rc = pools_lock(db, product);
    if (rc >= 0)
        rc = pools_free(db, product, &free_keys);
    if (rc >= 0 && free_keys < count)
        rc = 0; /* too few: nothing given */
    else if (rc >= 0) {
        int given = keys_take(db, product, grant_id, partner_id, count, clock_now(), ids);
        rc = given < 0 ? given : given == count ? 1 : PD_E_INTERNAL;
    }
    /* the audit log of every assignment: which key (by id, never the key) went where */
    for (int i = 0; rc == 1 && i < count; i++) {
        int a = audit(db, who, ip, partner_id, "benefit.key_assigned", "product_key", ids[i],
                      json_pack("{s:s, s:s}", "product", product, "grant_id", grant_id));
        if (a < 0)
            rc = a;
    }
    free(ids);
    return rc;
}

int bkeys_check_low(struct db *db, const char *product)
{
    struct settings s;
    int64_t free_keys = 0;
    int rc = settings_load(db, &s);
    if (rc >= 0)
        rc = pools_free(db, product, &free_keys);
    if (rc < 0)
        return rc;
    if (free_keys >= s.benefits_low_stock_threshold)
        return pools_set_low(db, product, 0) < 0 ? PD_E_DB : 0;
    if ((rc = pools_set_low(db, product, 1)) <= 0)
        return rc; /* told already */
    struct contact *to = NULL;
    int n = 0;
    char left[24], threshold[24];
    snprintf(left, sizeof(left), "%lld", (long long)free_keys);
    snprintf(threshold, sizeof(threshold), "%lld", (long long)s.benefits_low_stock_threshold);
    rc = staff_contacts(db, "operator", &to, &n);
    if (rc >= 0 && n > 0)
        rc = outbox_emit_to(
            db, NULL, "key_pool.low",
            json_pack("{s:s, s:s, s:s}", "product", product, "free", left, "threshold", threshold),
            to, n);
    free(to);
    return rc < 0 ? rc : 0;
}

int bkeys_of_grant(struct db *db, const struct principal *who, const char *grant_id, json_t **items,
                   struct pd_error *err)
{
    struct grant_row g;
    struct keyring k;
    struct arena a = {0};
    struct key_row *keys = NULL;
    int n = 0;
    int rc = grants_find(db, grant_id, who->partner_id, &g);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || who->partner_id[0] == '\0')
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    if ((rc = keys_list(db, &a, grant_id, NULL, NULL, &keys, &n)) < 0) {
        arena_free(&a);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    if (n > 0 && bkeys_keyring(db, &k, err) < 0) {
        arena_free(&a);
        return err->code;
    }
    *items = json_array();
    for (int i = 0; i < n; i++) {
        char key[KEY_TEXT_MAX + 1];
        /* the organisation that received it, and only it, reads it whole */
        if (keys[i].partner_id == NULL || strcmp(keys[i].partner_id, who->partner_id) != 0)
            continue;
        if (open_key(&k, keys[i].sealed, key, sizeof(key)) < 0)
            snprintf(key, sizeof(key), "%s", "");
        json_array_append_new(*items, json_pack("{s:s, s:s, s:s}", "id", keys[i].id, "product",
                                                keys[i].pool_id, "key", key));
        secret_wipe(key, sizeof(key));
    }
    if (n > 0)
        secret_wipe(&k, sizeof(k));
    arena_free(&a);
    return 0;
}

/* A key as staff load it: 5 to 128 printable characters without blanks or commas. */
static bool key_valid(const char *key)
{
    size_t len = strlen(key);
    if (len < 5 || len > KEY_TEXT_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (key[i] <= ' ' || key[i] > '~' || key[i] == ',')
            return false;
    return true;
}

/* A product code: 1 to 47 of a-z, 0-9 and "-". */
static bool product_valid(const char *p)
{
    return p && p[0] && strlen(p) < 48 &&
           strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(p);
}

/* The pool of product as an API object. */
static json_t *pool_view(const struct pool_row *p, int64_t threshold)
{
    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:b}", "product", p->id, "total",
                     (json_int_t)p->total, "free", (json_int_t)p->free, "assigned",
                     (json_int_t)(p->total - p->free), "queued_requests",
                     (json_int_t)p->queued_requests, "queued_keys", (json_int_t)p->queued_keys,
                     "low", p->free < threshold);
}

int bkeys_pools(struct db *db, const struct page_in *page, json_t **items, int *threshold,
                char next[CURSOR_TEXT_MAX], struct pd_error *err)
{
    struct arena a = {0};
    struct pool_row *pools = NULL;
    struct settings s;
    struct checks c = {0};
    struct page_request p;
    int n = 0;
    page_check(&c, page, &p);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    int rc = settings_load(db, &s);
    if (rc >= 0)
        rc = pools_list(db, &a, &p, &pools, &n);
    if (rc >= 0) {
        int shown = page_shown(&p, n);
        *items = json_array();
        for (int i = 0; i < shown; i++)
            json_array_append_new(*items, pool_view(&pools[i], s.benefits_low_stock_threshold));
        *threshold = (int)s.benefits_low_stock_threshold;
        page_next(&p, n, shown ? pools[shown - 1].created_at : 0,
                  shown ? pools[shown - 1].id : NULL, next);
    }
    arena_free(&a);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

int bkeys_pool_keys(struct db *db, const char *product, const struct page_in *page,
                    json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err)
{
    struct arena a = {0};
    struct key_row *keys = NULL;
    struct keyring k;
    struct checks c = {0};
    struct page_request p;
    int n = 0;
    page_check(&c, page, &p);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    int rc = keys_page(db, &a, product, &p, &keys, &n);
    if (rc < 0) {
        arena_free(&a);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    if (n > 0 && bkeys_keyring(db, &k, err) < 0) {
        arena_free(&a);
        return err->code;
    }
    int shown = page_shown(&p, n);
    page_next(&p, n, shown ? keys[shown - 1].loaded_at : 0, shown ? keys[shown - 1].id : NULL,
              next);
    n = shown;
    *items = json_array();
    for (int i = 0; i < n; i++) {
        char key[KEY_TEXT_MAX + 1], masked[KEY_TEXT_MAX + 1] = "";
        if (open_key(&k, keys[i].sealed, key, sizeof(key)) == 0)
            bkeys_mask(key, masked, sizeof(masked));
        secret_wipe(key, sizeof(key));
        json_array_append_new(*items, json_pack("{s:s, s:s, s:s?, s:s?, s:I}", "id", keys[i].id,
                                                "masked", masked, "partner_id", keys[i].partner_id,
                                                "grant_id", keys[i].grant_id, "assigned_at",
                                                (json_int_t)keys[i].assigned_at));
    }
    if (n > 0)
        secret_wipe(&k, sizeof(k));
    arena_free(&a);
    return 0;
}

/* Loads the keys of a CSV text into product's pool: counts into *loaded and *dupes. A
 * line naming another product is a problem of that line. */
static int load_lines(struct db *db, const struct keyring *k, const char *product, char *text,
                      int *loaded, int *dupes, struct pd_error *err)
{
    char *cursor = csv_skip_bom(text), *line;
    int number = 0, rc = 0;
    int64_t now = clock_now();
    while (rc >= 0 && (line = csv_next_line(&cursor)) != NULL) {
        char *fields[3];
        number++;
        int nf = csv_split(line, fields, 2);
        if (nf == 1 && fields[0][0] == '\0')
            continue;
        for (int f = 0; f < nf && f < 2; f++) /* "product","key" as some tools write them */
            csv_unquote(fields[f]);
        const char *key = nf == 2 ? fields[1] : fields[0];
        if (number == 1 && (strcmp(key, "key") == 0 || strcmp(key, "product_key") == 0))
            continue;
        if (nf > 2 || (nf == 2 && strcmp(fields[0], product) != 0) || !key_valid(key)) {
            char field[32];
            snprintf(field, sizeof(field), "line %d", number);
            rc = pd_fail_field(err, PD_E_INVALID_REQUEST, field, MSG_FIELD_PRODUCT_KEY_LINE, NULL);
            break;
        }
        char fp[65], id[32], sealed[SEALED_SIZE(KEY_TEXT_MAX)];
        keyed_hash_hex(k->keys[0], key, fp);
        if ((rc = keys_exists(db, fp)) != 0) {
            *dupes += rc > 0;
            continue;
        }
        id_new("key", id, sizeof(id));
        if (seal_text(k->keys[0], key, sealed, sizeof(sealed)) < 0)
            rc = PD_E_INTERNAL;
        else if ((rc = keys_insert(db, id, product, sealed, fp, now)) >= 0)
            (*loaded)++;
        secret_wipe(line, strlen(line));
    }
    return rc < 0 ? rc : 0;
}

int bkeys_load(struct db *db, const struct principal *who, const char *ip, const char *product,
               const char *csv, json_t **out, struct pd_error *err)
{
    struct keyring k;
    int loaded = 0, dupes = 0, served = 0;
    if (!product_valid(product))
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "product", MSG_FIELD_SLUG, NULL);
    if (csv == NULL || csv[0] == '\0')
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "file", MSG_FIELD_PRODUCT_KEY_LINE, NULL);
    char *text = strdup(csv);
    if (text == NULL)
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    int rc = bkeys_keyring(db, &k, err);
    if (rc >= 0 && (rc = tx_begin(db, err)) >= 0) {
        rc = pools_ensure(db, product, clock_now());
        if (rc >= 0)
            rc = pools_lock(db, product);
        if (rc >= 0)
            rc = load_lines(db, &k, product, text, &loaded, &dupes, err);
        if (rc >= 0)
            rc = audit(db, who, ip, NULL, "key_pool.loaded", "key_pool", product,
                       json_pack("{s:i, s:i}", "loaded", loaded, "duplicates", dupes));
        if (rc >= 0)
            rc = benefits_serve_queue(db, who, ip, product, &served);
        if (rc >= 0)
            rc = bkeys_check_low(db, product);
        rc = tx_end(db, rc, err);
    }
    secret_wipe(&k, sizeof(k));
    secret_wipe(text, strlen(text));
    free(text);
    if (rc < 0)
        return rc;
    /* the pool as it stands now (pools are one a product of the catalog: a few) */
    struct arena a = {0};
    struct pool_row *pools = NULL;
    struct settings s;
    int npools = 0;
    json_t *pool = json_null();
    rc = settings_load(db, &s);
    if (rc >= 0)
        rc = pools_list(db, &a, NULL, &pools, &npools);
    for (int i = 0; rc >= 0 && i < npools; i++)
        if (strcmp(pools[i].id, product) == 0)
            pool = pool_view(&pools[i], s.benefits_low_stock_threshold);
    arena_free(&a);
    if (rc < 0) {
        json_decref(pool);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    *out = json_pack("{s:s, s:i, s:i, s:i, s:o}", "product", product, "loaded", loaded,
                     "duplicates", dupes, "served", served, "pool", pool);
    return 0;
}

int bkeys_reseal(struct db *db, const struct principal *who, const char *ip, json_t **out,
                 struct pd_error *err)
{
    struct keyring k;
    struct arena a = {0};
    struct pool_row *pools = NULL;
    int npools = 0, resealed = 0;
    int rc = bkeys_keyring(db, &k, err);
    if (rc < 0)
        return rc;
    if ((rc = tx_begin(db, err)) < 0) {
        secret_wipe(&k, sizeof(k));
        return rc;
    }
    rc = pools_list(db, &a, NULL, &pools, &npools);
    for (int p = 0; rc >= 0 && p < npools; p++) {
        struct key_row *keys = NULL;
        int n = 0;
        rc = keys_list(db, &a, NULL, NULL, pools[p].id, &keys, &n);
        for (int i = 0; rc >= 0 && i < n; i++) {
            char key[KEY_TEXT_MAX + 1], sealed[SEALED_SIZE(KEY_TEXT_MAX)], fp[65];
            if (open_key(&k, keys[i].sealed, key, sizeof(key)) < 0) {
                rc = pd_fail(err, PD_E_KEYS_SECRET_UNAVAILABLE,
                             "key %s opens with no key of the key file", keys[i].id);
                break;
            }
            keyed_hash_hex(k.keys[0], key, fp);
            rc = seal_text(k.keys[0], key, sealed, sizeof(sealed)) < 0
                     ? PD_E_INTERNAL
                     : keys_reseal(db, keys[i].id, sealed, fp);
            secret_wipe(key, sizeof(key));
            resealed += rc >= 0;
        }
    }
    /* the webhook signing secrets are sealed with the same file (service/webhook_secrets.h) */
    int hooks_sealed = 0, hooks_resealed = 0, hooks_unopened = 0;
    if (rc >= 0)
        rc = webhook_secrets_seal_all(db, &hooks_sealed, &hooks_resealed, &hooks_unopened, err);
    if (rc >= 0 && hooks_unopened > 0)
        rc = pd_fail(err, PD_E_KEYS_SECRET_UNAVAILABLE,
                     "%d webhook secrets open with no key of the key file", hooks_unopened);
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "key_pool.resealed", "key_pool", "*",
                   json_pack("{s:i, s:i}", "resealed", resealed, "webhook_secrets",
                             hooks_sealed + hooks_resealed));
    arena_free(&a);
    secret_wipe(&k, sizeof(k));
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    *out = json_pack("{s:i, s:i}", "resealed", resealed, "webhook_secrets",
                     hooks_sealed + hooks_resealed);
    return 0;
}
