/*
 * render/text_cache.c - pango font maps, contexts and laid-out constant texts, kept
 * between pages (see the header). A slot is found by a linear scan of the hashes (a page
 * asks for about forty texts, the table has TEXT_CACHE_SLOTS): cheaper than any of the
 * pango calls it saves.
 */
#include "render/text_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

struct slot {
    uint64_t hash; /* of everything below: 0 for an empty slot */
    char *text;
    double size, width;
    bool bold, right;
    PangoLayout *layout;
};

struct text_cache {
    struct text_cache *next_idle; /* in the pool, while no page uses it */
    PangoFontMap *font_map;       /* its own: a font map is for one thread at a time */
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

/* The caches no page is using; how many there are in all, at most TEXT_CACHE_MAX. */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_given = PTHREAD_COND_INITIALIZER;
static struct text_cache *pool;
static int pool_made;

static void slot_clear(struct slot *s)
{
    if (s->layout)
        g_object_unref(s->layout);
    free(s->text);
    memset(s, 0, sizeof(*s));
}

static void cache_free(struct text_cache *c)
{
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
    if (c->font_map)
        g_object_unref(c->font_map);
    cairo_font_options_destroy(c->surface_options);
    cairo_font_options_destroy(c->cr_options);
    cairo_font_options_destroy(c->probe_surface);
    cairo_font_options_destroy(c->probe_cr);
    free(c);
}

/* A new cache: what pango_cairo_create_layout(cr) made for each page (a context of a
 * font map of the thread, pango_cairo_font_map_get_default()), kept. */
static struct text_cache *cache_new(void)
{
    struct text_cache *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->font_map = pango_cairo_font_map_new();
    c->context = c->font_map ? pango_font_map_create_context(c->font_map) : NULL;
    c->font = pango_font_description_new();
    c->scratch = c->context ? pango_layout_new(c->context) : NULL;
    c->surface_options = cairo_font_options_create();
    c->cr_options = cairo_font_options_create();
    c->probe_surface = cairo_font_options_create();
    c->probe_cr = cairo_font_options_create();
    if (c->scratch == NULL || c->font == NULL ||
        cairo_font_options_status(c->surface_options) != CAIRO_STATUS_SUCCESS ||
        cairo_font_options_status(c->cr_options) != CAIRO_STATUS_SUCCESS ||
        cairo_font_options_status(c->probe_surface) != CAIRO_STATUS_SUCCESS ||
        cairo_font_options_status(c->probe_cr) != CAIRO_STATUS_SUCCESS) {
        cache_free(c);
        return NULL;
    }
    pango_font_description_set_family(c->font, "DejaVu Sans");
    return c;
}

static bool same_matrix(const cairo_matrix_t *a, const cairo_matrix_t *b)
{
    return a->xx == b->xx && a->yx == b->yx && a->xy == b->xy && a->yy == b->yy && a->x0 == b->x0 &&
           a->y0 == b->y0;
}

struct text_cache *text_cache_take(cairo_t *cr)
{
    pthread_mutex_lock(&pool_lock);
    while (pool == NULL && pool_made >= TEXT_CACHE_MAX) /* a page takes a few milliseconds */
        pthread_cond_wait(&pool_given, &pool_lock);
    struct text_cache *c = pool;
    if (c)
        pool = c->next_idle;
    else
        pool_made++; /* made below, out of the lock */
    pthread_mutex_unlock(&pool_lock);
    if (c == NULL && (c = cache_new()) == NULL) {
        pthread_mutex_lock(&pool_lock);
        pool_made--;
        pthread_cond_signal(&pool_given);
        pthread_mutex_unlock(&pool_lock);
        return NULL;
    }
    c->next_idle = NULL;

    /* pango_cairo_update_context() tells the context it changed, and so has every kept
     * layout laid out again, even when nothing did: it is called only when what it reads of
     * cr (its target's font options, its own, its matrix) is not what it was the last time.
     * For a page of a PDF surface, it is called once in the life of a cache. */
    cairo_matrix_t m;
    cairo_get_matrix(cr, &m);
    cairo_surface_get_font_options(cairo_get_target(cr), c->probe_surface);
    cairo_get_font_options(cr, c->probe_cr);
    if (!c->matched || !same_matrix(&m, &c->matrix) ||
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
    return c;
}

void text_cache_give(struct text_cache *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&pool_lock);
    c->next_idle = pool;
    pool = c;
    pthread_cond_signal(&pool_given);
    pthread_mutex_unlock(&pool_lock);
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
    unsigned char tail[2 * sizeof(double) + 2];
    memcpy(tail, &size, sizeof(double));
    memcpy(tail + sizeof(double), &width, sizeof(double));
    tail[2 * sizeof(double)] = bold;
    tail[2 * sizeof(double) + 1] = right;
    uint64_t h = hash64(hash64_str(HASH64_START, s), tail, sizeof(tail));
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
