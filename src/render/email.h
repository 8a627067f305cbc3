/*
 * render/email.h - the email of an outbox event, in its recipient's language.
 *
 * The words are the catalog's (core/messages.def, EMAIL_*), one subject and body per
 * event (and notice kind); their holes are filled from the event's payload, dates and
 * amounts formatted for the language. The HTML part escapes every value at the point of
 * output.
 */
#ifndef PD_RENDER_EMAIL_H
#define PD_RENDER_EMAIL_H

#include <jansson.h>

#include "core/buf.h"

/* Fills subject, text and html for event with payload, in lang (a tag: "fr", "en"); signed
 * by seller. Returns 0, or -1 for an event without a template. */
int email_render(const char *event, const json_t *payload, const char *lang, const char *seller,
                 struct buf *subject, struct buf *text, struct buf *html);

#endif
