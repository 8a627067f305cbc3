/*
 * core/msg.h - the one message catalog: every text a person reads, in every language.
 *
 * Each message has a key (MSG_FIELD_REQUIRED) and one wording per language, written side
 * by side in core/messages.def; adding a language is adding a column there and a name to
 * enum msg_lang. Wordings may hold numbered holes, {0} to {9}, filled by msg_format() in
 * the order the caller gives: a language may put them in another order.
 *
 * Errors (core/error.c), validation messages (service/validate.c), emails, notices and
 * PDFs all take their words from here. Pure data and string copying: no I/O.
 */
#ifndef PD_MSG_H
#define PD_MSG_H

#include <stddef.h>

enum msg_id {
#define MSG(id, fr, en) MSG_##id,
#include "core/messages.def"
#undef MSG
    MSG__COUNT
};

/* The languages, in the order of the catalog's columns. */
enum msg_lang { LANG_FR, LANG_EN, LANG__COUNT };

/* The language of a tag: "en" (or "en-GB"...) is English; anything else, NULL included,
 * is French, the program owner's language. */
enum msg_lang msg_lang(const char *tag);

/* The tag of a language: "fr", "en". */
const char *msg_lang_tag(enum msg_lang lang);

/* The wording of id in the language of tag, holes unfilled. Never NULL. */
const char *msg_text(enum msg_id id, const char *tag);

/* The stable name of id ("FIELD_REQUIRED"), for storing a message to render later. */
const char *msg_key(enum msg_id id);

/* The id named key, or -1 when this build has no such message. */
int msg_find(const char *key);

/* Copies text into out (n bytes, always terminated), replacing {i} by args[i]; a hole
 * without an argument is left empty. Returns out. */
char *msg_fill(char *out, size_t n, const char *text, const char *const args[], int nargs);

/* msg_fill() of the wording of id in the language of tag. */
char *msg_format(char *out, size_t n, enum msg_id id, const char *tag, const char *const args[],
                 int nargs);

#endif
