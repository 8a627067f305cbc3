/*
 * service/webhook_secrets.h - webhook signing secrets sealed at rest (issue 14).
 *
 * partnerd must keep an endpoint's secret to sign its deliveries, so it cannot keep only a
 * hash of it. It keeps it sealed instead, with the keyring that seals benefit product keys
 * (benefits.key_file, service/benefit_keys.h): the stored text is "sealed:" and
 * seal_text() of the secret under the key file's first key. A database dump or backup
 * then holds no usable secret without the key file.
 *
 * Rows written before sealing hold the secret in clear. `partnerd serve` and `partnerd
 * migrate` seal them at start-up (webhook_secrets_seal_all), idempotently: a sealed row is
 * left alone, and each row is replaced only while it still holds what was read (two
 * servers starting together seal it once). The same pass reseals, under the first key, a
 * secret sealed under another key of the file: after a key rotation (a new key put first,
 * docs/operations.md), a restart or the key pools' reseal moves every secret to it.
 */
#ifndef PD_SERVICE_WEBHOOK_SECRETS_H
#define PD_SERVICE_WEBHOOK_SECRETS_H

#include <stddef.h>

#include "core/error.h"
#include "service/benefit_keys.h"

struct db;

#define WEBHOOK_SECRET_PREFIX "sealed:"

/* Room for an endpoint's stored secret (a secret of up to 80 bytes, sealed). */
#define WEBHOOK_SECRET_STORED 256

/* Seals plain (a new endpoint's secret) for storing into out (n bytes). 0, or
 * PD_E_KEYS_SECRET_UNAVAILABLE when the key file cannot be read, with err. */
int webhook_secret_seal(struct db *db, const char *plain, char *out, size_t n,
                        struct pd_error *err);

/* Opens a stored secret with any key of k into out (n bytes); a secret still in clear
 * (written by a partnerd before sealing) is copied as it is. 0, or -1 when it opens with
 * no key of the file. */
int webhook_secret_open(const struct keyring *k, const char *stored, char *out, size_t n);

/* Seals every secret still in clear and reseals under the first key those sealed under
 * another: *sealed and *resealed say how many. Loads the key file only when there is an
 * endpoint. A secret that opens with no key of the file is left as it is and
 * counted in *unopened (its endpoint's deliveries fail until the key is put back). */
int webhook_secrets_seal_all(struct db *db, int *sealed, int *resealed, int *unopened,
                             struct pd_error *err);

#endif
