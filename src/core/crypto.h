/*
 * crypto.h - identifiers, secrets and passwords, all from libsodium.
 *
 * The one door to libsodium with core/base64.c: no other file includes <sodium.h>
 * (jobs/webhook_send.c signs webhooks, jobs/deliver.c encodes mail, through these two).
 * IDs are opaque strings with a type prefix ("usr_", "sub_", ...) and, in Crockford
 * base32, the millisecond they were made and 50 random bits: they reveal when they were
 * made (as created_at does), not how many there are, and are never secrets (those come
 * from random_hex). (An event's deliveries are named after the event instead:
 * store/outbox.h.) Passwords are hashed with Argon2id at OWASP's recommended cost or more.
 */
#ifndef PD_CRYPTO_H
#define PD_CRYPTO_H

#include <stddef.h>

/* Starts libsodium. Call once before anything else here. Returns 0 or -1. */
int crypto_init(void);

/* Writes prefix + "_" + 20 base32 characters into out (at least strlen(prefix) + 22): an
 * id, unique and ordered by the time it was made (to the millisecond); a name, not a secret. */
void id_new(const char *prefix, char *out, size_t n);

/* Room for a password hash (Argon2id string form, NUL included). */
#define PASSWORD_HASH_BYTES 128

/* Fills buf with n bytes of fresh randomness. */
void random_bytes(void *buf, size_t n);

/* Writes 2*nbytes lowercase hex characters of fresh randomness into out (2*nbytes+1). */
void random_hex(size_t nbytes, char *out);

/* A uniform random integer in [lo, hi]. */
long random_between(long lo, long hi);

/* Overwrites n bytes of a secret so no copy outlives its use. */
void secret_wipe(void *p, size_t n);

/* SHA-256 of a string as 64 lowercase hex characters (for secrets stored by hash). */
void sha256_hex(const char *s, char out[65]);

/* Bytes of an HMAC-SHA256. */
#define HMAC_SHA256_BYTES 32

/* HMAC-SHA256 under key (key_len bytes) of the NUL-terminated parts, one after the other
 * (n of them), into out. */
void hmac_sha256(const void *key, size_t key_len, const char *const parts[], int n,
                 unsigned char out[HMAC_SHA256_BYTES]);

/* Lowercase hex of n bytes into out (2n + 1). */
void bytes_hex(const unsigned char *bytes, size_t n, char *out);

/* Constant-time string equality. */
int secret_equal(const char *a, const char *b);

/* Hashes a password with Argon2id into out (PASSWORD_HASH_BYTES). Returns 0 or -1. */
int password_hash(const char *password, char *out, size_t n);

/* 0 when password matches hash, -1 otherwise. Takes as long either way. */
int password_verify(const char *hash, const char *password);

/* ---- secrets sealed at rest (benefit product keys): libsodium secretbox ---- */

/* Bytes of a sealing key (crypto_secretbox_KEYBYTES). */
#define SEAL_KEY_BYTES 32

/* Room for the sealed form of a text of n bytes: base64 of nonce, MAC and text, NUL. */
#define SEALED_SIZE(n) ((((n) + 40 + 2) / 3) * 4 + 1)

/* Parses a sealing key written as 64 hex characters (surrounding blanks ignored).
 * Returns 0, or -1 when it is not one. */
int seal_key_from_hex(const char *hex, unsigned char key[SEAL_KEY_BYTES]);

/* Writes a fresh random sealing key as 64 hex characters and a NUL into out (65). */
void seal_key_new_hex(char out[65]);

/* Seals plain under key (random nonce, XSalsa20-Poly1305) into out as base64 text.
 * Returns 0, or -1 when out is too small. */
int seal_text(const unsigned char key[SEAL_KEY_BYTES], const char *plain, char *out, size_t n);

/* Opens what seal_text wrote into out (NUL-terminated). Returns 0, or -1 when it was
 * sealed under another key, altered, or out is too small. */
int open_text(const unsigned char key[SEAL_KEY_BYTES], const char *sealed, char *out, size_t n);

/* A keyed hash (BLAKE2b under key) of s as 64 hex characters: the same secret gives the
 * same fingerprint, which tells nothing of it without the key. */
void keyed_hash_hex(const unsigned char key[SEAL_KEY_BYTES], const char *s, char out[65]);

#endif
