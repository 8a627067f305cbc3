/*
 * core/hash.h - FNV-1a, the one fast hash: for finding a thing in a small table (prepared
 * statements, laid-out texts), spreading rows over shards, or telling lists apart in a
 * cursor. Not for secrets, nor where an attacker gains by making two inputs collide: that is
 * core/crypto.h's.
 *
 * A hash starts at HASH32_START or HASH64_START and goes on over each part in turn, so
 * several parts hash as one: h = hash64(HASH64_START, a, na); h = hash64(h, b, nb).
 */
#ifndef PD_CORE_HASH_H
#define PD_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH32_START 2166136261u
#define HASH64_START 14695981039346656037ULL

uint32_t hash32(uint32_t h, const void *bytes, size_t n);
uint64_t hash64(uint64_t h, const void *bytes, size_t n);

/* A string's bytes, without its terminating 0. */
uint32_t hash32_str(uint32_t h, const char *s);
uint64_t hash64_str(uint64_t h, const char *s);

#endif
