/* jobs/deliver.h - the outbox_delivery job (see deliver.c). */
#ifndef PD_JOBS_DELIVER_H
#define PD_JOBS_DELIVER_H

#include <stddef.h>

struct buf;
struct db;
struct tx_workers;

/* Appends the Subject header line (CRLF included) of subject (len bytes of UTF-8):
 * RFC 2047 encoded words of whole characters, each at most 75 characters, folded. */
void deliver_subject(struct buf *msg, const char *subject, size_t len);

/* Sends due emails, each group over w's connections at once, and webhooks. Returns how many
 * went out, or a negative status. */
int outbox_delivery_run(const struct tx_workers *w);

#endif
