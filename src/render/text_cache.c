/*
 * render/text_cache.c - per-thread pango context and laid-out constant texts (see the
 * header). A slot is found by a linear scan of the hashes (a page asks for about forty
 * texts, the table has TEXT_CACHE_SLOTS): cheaper than any of the pango calls it saves.
 */
#include "render/text_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    uint64_t hash; /* of everything below: 0 for an empty slot */
    char *text;
    double size, width;
    bool bold, right;
    PangoLayout *layout;
};

struct text_cache {
    PangoContext *context;
    PangoFontDescription *font; /* DejaVu Sans; size and weight set for each text */
    PangoLayout *scratch;       /* the texts that are not kept */
    /* what the context was last matched to: cr's target's and cr's own font options, its
     * matrix */
    cairo_font_options_t *surface_options, *cr_options, *probe_surface, *probe_cr;
    cairo_matrix_t matrix;
    bool matched;
    struct slot slots[TEXT_CACHE_SLOTS];
    size_t next; /* the slot replaced when the table is full, in turn */
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static bool cache_key_ok;

static void slot_clear(struct slot *s)
{
    if (s->layout)
        g_object_unref(s->layout);
    free(s->text);
    memset(s, 0, sizeof(*s));
}

static void cache_free(void *p)
{
    struct text_cache *c = p;
    if (c == NULL)
        return;
    for (size_t i = 0; i < TEXT_CACHE_SLOTS; i++)
        slot_clear(&c->slots[i]);
    if (c->scratch)
        g_object_unref(c->scratch);
    if (c->font)
        pango_font_description_free(c->font);
    if (c->context)
        g_object_unref(c->context);
    cairo_font_options_destroy(c->surface_options);
    cairo_font_options_destroy(c->cr_options);
    cairo_font_options_destroy(c->probe_surface);
    cairo_font_options_destroy(c->probe_cr);
    free(c);
}

static void cache_key_create(void)
{
    cache_key_ok = pthread_key_create(&cache_key, cache_free) == 0;
}

struct text_cache *text_cache_for(cairo_t *cr)
{
    pthread_once(&cache_once, cache_key_create);
    if (!cache_key_ok)
        return NULL;
    struct text_cache *c = pthread_getspecific(cache_key);
    if (c == NULL) {
        c = calloc(1, sizeof(*c));
        if (c == NULL)
            return NULL;
        /* what pango_cairo_create_layout(cr) did for each page: a context of the thread's
         * default font map, matched to cr */
        c->context = pango_font_map_create_context(pango_cairo_font_map_get_default());
        c->font = pango_font_description_new();
        c->surface_options = cairo_font_options_create();
        c->cr_options = cairo_font_options_create();
        c->probe_surface = cairo_font_options_create();
        c->probe_cr = cairo_font_options_create();
        if (c->context == NULL || c->font == NULL ||
            cairo_font_options_status(c->surface_options) != CAIRO_STATUS_SUCCESS ||
            cairo_font_options_status(c->cr_options) != CAIRO_STATUS_SUCCESS ||
            cairo_font_options_status(c->probe_surface) != CAIRO_STATUS_SUCCESS ||
            cairo_font_options_status(c->probe_cr) != CAIRO_STATUS_SUCCESS ||
            pthread_setspecific(cache_key, c) != 0) {
            cache_free(c);
            return NULL;
        }
        pango_font_description_set_family(c->font, "DejaVu Sans");
    }
    /* pango_cairo_update_context() tells the context it changed, and so has every kept
     * layout laid out again, even when nothing did: it is called only when what it reads of
     * cr (its target's font options, its own, its matrix) is not what it was the last time.
     * For a page of a PDF surface, it is called once per thread. */
    cairo_matrix_t m;
    cairo_get_matrix(cr, &m);
    cairo_surface_get_font_options(cairo_get_target(cr), c->probe_surface);
    cairo_get_font_options(cr, c->probe_cr);
    if (!c->matched || memcmp(&m, &c->matrix, sizeof(m)) != 0 ||
        !cairo_font_options_equal(c->probe_surface, c->surface_options) ||
        !cairo_font_options_equal(c->probe_cr, c->cr_options)) {
        /* the probes become the options matched; the old ones, the next probes */
        cairo_font_options_t *t = c->surface_options;
        c->surface_options = c->probe_surface;
        c->probe_surface = t;
        t = c->cr_options;
        c->cr_options = c->probe_cr;
        c->probe_cr = t;
        c->matrix = m;
        c->matched = true;
        pango_cairo_update_context(cr, c->context);
    }
    if (c->scratch == NULL)
        c->scratch = pango_layout_new(c->context);
    return c->scratch ? c : NULL;
}

static void set_up(struct text_cache *c, PangoLayout *layout, const char *s, double size, bool bold,
                   double width, bool right)
{
    pango_font_description_set_absolute_size(c->font, size * PANGO_SCALE);
    pango_font_description_set_weight(c->font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(layout, c->font);
    pango_layout_set_width(layout, width > 0 ? (int)(width * PANGO_SCALE) : -1);
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout, right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    pango_layout_set_text(layout, s, -1);
}

/* FNV-1a over the text and the settings. */
static uint64_t hash_of(const char *s, double size, bool bold, double width, bool right)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    unsigned char tail[2 * sizeof(double) + 2];
    memcpy(tail, &size, sizeof(double));
    memcpy(tail + sizeof(double), &width, sizeof(double));
    tail[2 * sizeof(double)] = bold;
    tail[2 * sizeof(double) + 1] = right;
    for (size_t i = 0; i < sizeof(tail); i++)
        h = (h ^ tail[i]) * 1099511628211ULL;
    return h ? h : 1;
}

PangoLayout *text_cache_layout(struct text_cache *c, const char *s, double size, bool bold,
                               double width, bool right, bool keep)
{
    s = s ? s : "";
    if (!keep) {
        set_up(c, c->scratch, s, size, bold, width, right);
        return c->scratch;
    }
    uint64_t h = hash_of(s, size, bold, width, right);
    for (size_t i = 0; i < TEXT_CACHE_SLOTS; i++) {
        struct slot *sl = &c->slots[i];
        if (sl->hash == h && sl->size == size && sl->width == width && sl->bold == bold &&
            sl->right == right && strcmp(sl->text, s) == 0)
            return sl->layout;
    }
    struct slot *sl = &c->slots[c->next];
    c->next = (c->next + 1) % TEXT_CACHE_SLOTS;
    slot_clear(sl);
    sl->text = strdup(s);
    sl->layout = pango_layout_new(c->context);
    if (sl->text == NULL || sl->layout == NULL) {
        slot_clear(sl);
        set_up(c, c->scratch, s, size, bold, width, right);
        return c->scratch;
    }
    set_up(c, sl->layout, s, size, bold, width, right);
    *sl = (struct slot){.hash = h,
                        .text = sl->text,
                        .size = size,
                        .width = width,
                        .bold = bold,
                        .right = right,
                        .layout = sl->layout};
    return sl->layout;
}
