/*
 * service/webhook_secrets.c - webhook signing secrets sealed at rest (see the header).
 */
#include "service/webhook_secrets.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "store/webhooks.h"

#define PREFIX_LEN (sizeof(WEBHOOK_SECRET_PREFIX) - 1)

static bool is_sealed(const char *stored)
{
    return strncmp(stored, WEBHOOK_SECRET_PREFIX, PREFIX_LEN) == 0;
}

/* Seals plain under key into out: "sealed:" and the sealed text. 0 or -1. */
static int seal_under(const unsigned char key[SEAL_KEY_BYTES], const char *plain, char *out,
                      size_t n)
{
    if (n <= PREFIX_LEN)
        return -1;
    memcpy(out, WEBHOOK_SECRET_PREFIX, PREFIX_LEN);
    return seal_text(key, plain, out + PREFIX_LEN, n - PREFIX_LEN);
}

int webhook_secret_seal(struct db *db, const char *plain, char *out, size_t n,
                        struct pd_error *err)
{
    struct keyring k;
    int rc = bkeys_keyring(db, &k, err);
    if (rc == 0 && seal_under(k.keys[0], plain, out, n) < 0)
        rc = pd_fail(err, PD_E_INTERNAL, "a webhook secret does not fit its sealed form");
    secret_wipe(&k, sizeof(k));
    return rc;
}

/* Opens stored with k; *key gets the index of the key that opened it (-1: in clear). */
static int open_with(const struct keyring *k, const char *stored, char *out, size_t n, int *key)
{
    *key = -1;
    if (!is_sealed(stored)) {
        snprintf(out, n, "%s", stored);
        return strlen(stored) < n ? 0 : -1;
    }
    for (int i = 0; i < k->count; i++)
        if (open_text(k->keys[i], stored + PREFIX_LEN, out, n) == 0) {
            *key = i;
            return 0;
        }
    return -1;
}

int webhook_secret_open(const struct keyring *k, const char *stored, char *out, size_t n)
{
    int key;
    return open_with(k, stored, out, n, &key);
}

int webhook_secrets_seal_all(struct db *db, int *sealed, int *resealed, int *unopened,
                             struct pd_error *err)
{
    struct webhook_secret_row *rows = NULL;
    struct keyring k = {0};
    int n = 0, rc = webhook_secrets_all(db, &rows, &n);
    *sealed = *resealed = *unopened = 0;
    if (rc < 0)
        rc = pd_fail(err, rc, "cannot read the webhook endpoints");
    for (int i = 0; rc >= 0 && i < n; i++) {
        char plain[WEBHOOK_SECRET_STORED], next[WEBHOOK_SECRET_STORED];
        int key = -1;
        if (k.count == 0 && (rc = bkeys_keyring(db, &k, err)) < 0)
            break;
        if (open_with(&k, rows[i].stored, plain, sizeof(plain), &key) < 0) {
            (*unopened)++;
            continue;
        }
        if (key == 0)
            continue; /* sealed under the first key already */
        if (seal_under(k.keys[0], plain, next, sizeof(next)) < 0) {
            rc = pd_fail(err, PD_E_INTERNAL, "a webhook secret does not fit its sealed form");
        } else if ((rc = webhook_secret_replace(db, rows[i].id, rows[i].stored, next)) < 0) {
            rc = pd_fail(err, rc, "cannot seal a webhook secret");
        } else if (rc > 0) {
            (*(key < 0 ? sealed : resealed))++;
        }
        secret_wipe(plain, sizeof(plain));
    }
    if (rows)
        secret_wipe(rows, (size_t)n * sizeof(*rows));
    free(rows);
    secret_wipe(&k, sizeof(k));
    return rc < 0 ? rc : 0;
}
