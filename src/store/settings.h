/*
 * store/settings.h - the settings table: named values every process shares.
 */
#ifndef PD_STORE_SETTINGS_H
#define PD_STORE_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* Copies the value of key into out (size n). Returns 1 when found, 0 when absent, or a
 * negative status. */
int settings_get(struct db *db, const char *key, char *out, size_t n);

/* The integer value of key, or fallback when absent or not an integer. */
int64_t settings_get_int(struct db *db, const char *key, int64_t fallback);

/* Calls fn once for every stored setting, in one query. Returns 0 or a negative status. */
int settings_each(struct db *db, void (*fn)(void *ctx, const char *key, const char *value),
                  void *ctx);

/* Inserts or replaces key's value. */
int settings_set(struct db *db, const char *key, const char *value);

/* Removes key (absent is fine). */
int settings_delete(struct db *db, const char *key);

#endif
