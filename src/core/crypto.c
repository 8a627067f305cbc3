/* crypto.c - thin, named wrappers over libsodium. */
#include "crypto.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* OWASP (2023): Argon2id with 19 MiB and t=2 at least; we take t=2, 19 MiB. */
#define PWHASH_OPSLIMIT 2
#define PWHASH_MEMLIMIT ((size_t)19 * 1024 * 1024)

_Static_assert(PASSWORD_HASH_BYTES == crypto_pwhash_STRBYTES,
               "PASSWORD_HASH_BYTES must be libsodium's crypto_pwhash_STRBYTES");

int crypto_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

void id_new(const char *prefix, char *out, size_t n)
{
    static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    unsigned char raw[13];
    char body[21];
    randombytes_buf(raw, sizeof(raw));
    /* 20 characters of 5 bits = 100 bits, read from the 104 random bits */
    for (int i = 0; i < 20; i++) {
        int bit = i * 5;
        unsigned v = ((unsigned)raw[bit / 8] << 8 | raw[bit / 8 + 1]) >> (11 - bit % 8);
        body[i] = alphabet[v & 31];
    }
    body[20] = '\0';
    snprintf(out, n, "%s_%s", prefix, body);
}

void random_bytes(void *buf, size_t n)
{
    randombytes_buf(buf, n);
}

void random_hex(size_t nbytes, char *out)
{
    unsigned char raw[64];
    if (nbytes > sizeof(raw))
        nbytes = sizeof(raw);
    randombytes_buf(raw, nbytes);
    sodium_bin2hex(out, nbytes * 2 + 1, raw, nbytes);
    sodium_memzero(raw, sizeof(raw));
}

long random_between(long lo, long hi)
{
    return lo + (long)randombytes_uniform((uint32_t)(hi - lo + 1));
}

int password_hash(const char *password, char *out, size_t n)
{
    if (n < PASSWORD_HASH_BYTES)
        return -1;
    return crypto_pwhash_str(out, password, strlen(password), PWHASH_OPSLIMIT, PWHASH_MEMLIMIT) == 0
               ? 0
               : -1;
}

int password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? 0 : -1;
}

void sha256_hex(const char *s, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
    sodium_bin2hex(out, 65, h, sizeof(h));
}

void hmac_sha256(const void *key, size_t key_len, const char *const parts[], int n,
                 unsigned char out[HMAC_SHA256_BYTES])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, key_len);
    for (int i = 0; i < n; i++)
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)parts[i], strlen(parts[i]));
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof(st));
}

void bytes_hex(const unsigned char *bytes, size_t n, char *out)
{
    sodium_bin2hex(out, n * 2 + 1, bytes, n);
}

int secret_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb || la == 0)
        return 0;
    return sodium_memcmp(a, b, la) == 0;
}

void secret_wipe(void *p, size_t n)
{
    sodium_memzero(p, n);
}
