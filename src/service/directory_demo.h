/*
 * service/directory_demo.h - the directory's part of the demo data set (`partnerd demo`).
 */
#ifndef PD_SERVICE_DIRECTORY_DEMO_H
#define PD_SERVICE_DIRECTORY_DEMO_H

#include <stddef.h>

struct db;

/* Inside the caller's transaction: a few partners with an active subscription and a
 * published profile, and referrals at every stage for the first, whose id goes to
 * first_partner (n bytes). 0 or a negative status. */
int directory_demo_load(struct db *db, char *first_partner, size_t n);

#endif
