/* core/msg.c - the message catalog's lookups and the filling of its holes. */
#include "core/msg.h"

#include <string.h>

struct msg_row {
    const char *key;
    const char *text[LANG__COUNT];
};

static const struct msg_row catalog[MSG__COUNT] = {
#define MSG(id, fr, en) [MSG_##id] = {#id, {fr, en}},
#include "core/messages.def"
#undef MSG
};

enum msg_lang msg_lang(const char *tag)
{
    if (tag && (tag[0] == 'e' || tag[0] == 'E') && (tag[1] == 'n' || tag[1] == 'N') &&
        (tag[2] == '\0' || tag[2] == '-' || tag[2] == '_'))
        return LANG_EN;
    return LANG_FR;
}

const char *msg_lang_tag(enum msg_lang lang)
{
    return lang == LANG_EN ? "en" : "fr";
}

const char *msg_text(enum msg_id id, const char *tag)
{
    if ((int)id < 0 || id >= MSG__COUNT)
        return "";
    return catalog[id].text[msg_lang(tag)];
}

const char *msg_key(enum msg_id id)
{
    if ((int)id < 0 || id >= MSG__COUNT)
        return "";
    return catalog[id].key;
}

int msg_find(const char *key)
{
    for (int i = 0; key && i < MSG__COUNT; i++)
        if (strcmp(catalog[i].key, key) == 0)
            return i;
    return -1;
}

char *msg_fill(char *out, size_t n, const char *text, const char *const args[], int nargs)
{
    size_t o = 0;
    if (n == 0)
        return out;
    for (const char *p = text; *p && o + 1 < n; p++) {
        if (p[0] == '{' && p[1] >= '0' && p[1] <= '9' && p[2] == '}') {
            int i = p[1] - '0';
            const char *a = i < nargs && args[i] ? args[i] : "";
            size_t len = strlen(a);
            if (len > n - 1 - o)
                len = n - 1 - o;
            memcpy(out + o, a, len);
            o += len;
            p += 2;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    return out;
}

char *msg_format(char *out, size_t n, enum msg_id id, const char *tag, const char *const args[],
                 int nargs)
{
    return msg_fill(out, n, msg_text(id, tag), args, nargs);
}
