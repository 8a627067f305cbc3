/*
 * service/benefit_keys.h - product keys: sealed at rest, loaded by staff into pools,
 * given to activations, shown only to the organisation that received them.
 *
 * The sealing keys come from the file the setting benefits.key_file names (one key of 64
 * hex characters a line: the first seals, every line opens, which is how a rotation
 * works, docs/operations.md). No key is ever logged, audited or shown to staff whole.
 */
#ifndef PD_SERVICE_BENEFIT_KEYS_H
#define PD_SERVICE_BENEFIT_KEYS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/crypto.h"
#include "core/error.h"
#include "service/page.h"
#include "service/principal.h"

struct db;

#define KEYRING_MAX 4

/* The sealing keys of the key file: keys[0] seals, all of them open. */
struct keyring {
    unsigned char keys[KEYRING_MAX][SEAL_KEY_BYTES];
    int count;
};

/* Reads the key file named by benefits.key_file; creates it (mode 0600, one fresh key)
 * when it does not exist yet. PD_E_KEYS_SECRET_UNAVAILABLE when it cannot be read or
 * holds no key. Wipe with secret_wipe() after use. */
int bkeys_keyring(struct db *db, struct keyring *k, struct pd_error *err);

/* Gives count keys of the pool `product` to a grant inside the caller's transaction and
 * writes their audit events. Returns 1 when given, 0 when the pool has too few (nothing
 * given), or a negative status. */
int bkeys_assign(struct db *db, const struct principal *who, const char *ip, const char *product,
                 const char *grant_id, const char *partner_id, int count);

/* After keys left the pool, inside the same transaction: when fewer than the threshold
 * (benefits.low_stock_threshold) are left, tells operators once (email) until it is
 * stocked again. */
int bkeys_check_low(struct db *db, const char *product);

/* The keys of a grant of the caller's organisation, opened: [{"id","key","assigned_at"}].
 * PD_E_NOT_FOUND for any other organisation's grant. */
int bkeys_of_grant(struct db *db, const struct principal *who, const char *grant_id, json_t **items,
                   struct pd_error *err);

/* Staff: loads a CSV (one key a line, or "product,key" lines; a header line "key" or
 * "product,key" is skipped) into the pool of `product`, then serves the queue. Answers
 * {"product","loaded","duplicates","served","pool":{...}}. A key already loaded (in any
 * pool) is counted as a duplicate and not loaded again. */
int bkeys_load(struct db *db, const struct principal *who, const char *ip, const char *product,
               const char *csv, json_t **out, struct pd_error *err);

/* Staff: a page of the pools (newest first, service/page.h) with their counts, and the
 * low-stock threshold:
 * [{"product","total","free","assigned","queued_requests","queued_keys","low"}]. */
int bkeys_pools(struct db *db, const struct page_in *page, json_t **items, int *threshold,
                char next[CURSOR_TEXT_MAX], struct pd_error *err);

/* Staff: a page of the keys of a pool (the last loaded first, service/page.h), masked (only
 * the last 5 characters shown), with whom they went to. */
int bkeys_pool_keys(struct db *db, const char *product, const struct page_in *page,
                    json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err);

/* Operator: seals every key again under the first key of the key file (after a new key
 * was put first), and the webhook signing secrets with them. Answers {"resealed": n,
 * "webhook_secrets": m}; refuses (PD_E_KEYS_SECRET_UNAVAILABLE) when a key or a webhook
 * secret opens with no key of the file, changing nothing. */
int bkeys_reseal(struct db *db, const struct principal *who, const char *ip, json_t **out,
                 struct pd_error *err);

/* Masks a key for staff: every letter and digit but the last 5 becomes "X". */
void bkeys_mask(const char *key, char *out, size_t n);

#endif
