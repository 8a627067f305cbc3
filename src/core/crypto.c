/* crypto.c - thin, named wrappers over libsodium. */
#include "crypto.h"

#include <sodium.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/* OWASP (2023): Argon2id with 19 MiB and t=2 at least; we take t=2, 19 MiB. */
#define PWHASH_OPSLIMIT 2
#define PWHASH_MEMLIMIT ((size_t)19 * 1024 * 1024)

_Static_assert(PASSWORD_HASH_BYTES == crypto_pwhash_STRBYTES,
               "PASSWORD_HASH_BYTES must be libsodium's crypto_pwhash_STRBYTES");

int crypto_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

/* An id's random bits come from a buffer of its thread, filled 1 KiB at a time: one system
 * call for 146 ids rather than one for each (a renewal makes a dozen). Ids are names, not
 * secrets; partnerd never forks, so no two processes share a buffer. */
#define ID_POOL_BYTES 1024
static _Thread_local unsigned char id_pool[ID_POOL_BYTES];
static _Thread_local size_t id_pool_left;

static void id_random(unsigned char *raw, size_t n)
{
    if (id_pool_left < n) {
        randombytes_buf(id_pool, sizeof(id_pool));
        id_pool_left = sizeof(id_pool);
    }
    id_pool_left -= n;
    memcpy(raw, id_pool + id_pool_left, n);
    sodium_memzero(id_pool + id_pool_left, n); /* used once */
}

/* An id is 20 characters of 5 bits: 10 of the real time in milliseconds (50 bits, most
 * significant first), then 10 random (50 bits). Ids made later sort after, so a table's id
 * index grows at its end, as its rows do: a transaction that inserts a batch of rows dirties
 * a page or two of that index, not a random page per row (each of which a commit writes to
 * the WAL and a checkpoint to the file). Ids made in the same millisecond differ by their
 * random half. The time is the wall clock, not the business clock (clock_now): a test that
 * moves the business clock still makes ids in order. */
void id_new(const char *prefix, char *out, size_t n)
{
    static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    unsigned char raw[7];
    char body[21];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    for (int i = 9; i >= 0; i--, ms >>= 5)
        body[i] = alphabet[ms & 31];
    id_random(raw, sizeof(raw));
    uint64_t bits = 0;
    for (size_t i = 0; i < sizeof(raw); i++)
        bits = bits << 8 | raw[i];
    for (int i = 10; i < 20; i++, bits >>= 5)
        body[i] = alphabet[bits & 31];
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

_Static_assert(SEAL_KEY_BYTES == crypto_secretbox_KEYBYTES,
               "SEAL_KEY_BYTES must be libsodium's crypto_secretbox_KEYBYTES");
_Static_assert(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES == 40,
               "SEALED_SIZE counts 40 bytes of nonce and MAC");

int seal_key_from_hex(const char *hex, unsigned char key[SEAL_KEY_BYTES])
{
    size_t len = 0;
    const char *end = NULL;
    if (hex == NULL)
        return -1;
    while (*hex == ' ' || *hex == '\t' || *hex == '\n' || *hex == '\r')
        hex++;
    if (sodium_hex2bin(key, SEAL_KEY_BYTES, hex, strlen(hex), NULL, &len, &end) != 0 ||
        len != SEAL_KEY_BYTES)
        return -1;
    for (; *end; end++)
        if (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\r')
            return -1;
    return 0;
}

void seal_key_new_hex(char out[65])
{
    unsigned char key[SEAL_KEY_BYTES];
    crypto_secretbox_keygen(key);
    sodium_bin2hex(out, 65, key, sizeof(key));
    sodium_memzero(key, sizeof(key));
}

int seal_text(const unsigned char key[SEAL_KEY_BYTES], const char *plain, char *out, size_t n)
{
    size_t len = strlen(plain);
    size_t total = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
    if (len > 4096 || n < sodium_base64_ENCODED_LEN(total, sodium_base64_VARIANT_ORIGINAL))
        return -1;
    unsigned char buf[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 4096];
    randombytes_buf(buf, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, len, buf,
                          key);
    sodium_bin2base64(out, n, buf, total, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(buf, sizeof(buf));
    return 0;
}

int open_text(const unsigned char key[SEAL_KEY_BYTES], const char *sealed, char *out, size_t n)
{
    unsigned char buf[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 4096];
    size_t len = 0;
    if (sealed == NULL ||
        sodium_base642bin(buf, sizeof(buf), sealed, strlen(sealed), NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return -1;
    size_t plain = len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    if (plain + 1 > n ||
        crypto_secretbox_open_easy((unsigned char *)out, buf + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, buf, key) != 0)
        return -1;
    out[plain] = '\0';
    return 0;
}

void keyed_hash_hex(const unsigned char key[SEAL_KEY_BYTES], const char *s, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)s, strlen(s), key, SEAL_KEY_BYTES);
    sodium_bin2hex(out, 65, h, sizeof(h));
}
