/*
 * core/password.h - is this password good enough to protect a partner's account?
 *
 * Length alone let `password1234` and a user's own email address through. A password is
 * refused when it is one of the 30 000 commonest passwords (data/common-passwords.txt,
 * compiled in), or one of them with digits and symbols added around it (Password1234!),
 * when it has fewer than five different characters (aaaaaaaaaaaa, 121212121212), or when
 * it contains the user's email address, its local part, or the company's name. Pure: no I/O.
 */
#ifndef PD_PASSWORD_H
#define PD_PASSWORD_H

#include <stdbool.h>

/* A password has 12 to 128 characters: code points, not bytes ("é" counts one), as the
 * message says; PASSWORD_MAX_BYTES is the most its UTF-8 can take, for buffers. */
#define PASSWORD_MIN 12
#define PASSWORD_MAX 128
#define PASSWORD_MAX_BYTES (PASSWORD_MAX * 4)

/* True when password (NULL: false) has PASSWORD_MIN to PASSWORD_MAX characters. */
bool password_length_valid(const char *password);

/* The list, one lower-case password a line (core/password_list.c, generated). */
extern const char password_list[];

enum password_verdict {
    PASSWORD_OK,
    PASSWORD_COMMON,   /* common, or too simple */
    PASSWORD_PERSONAL, /* contains the email or the company name */
};

/* The verdict on password for a user with this email (may be NULL) in a company of this
 * name (may be NULL). Length is checked apart (password_length_valid()). */
enum password_verdict password_judge(const char *password, const char *email, const char *company);

/* True when s, lower-cased, is a line of the list. */
bool password_listed(const char *s);

#endif
