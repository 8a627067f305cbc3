/*
 * render/text_cache.h - pango state kept between invoice pages.
 *
 * pango_cairo_create_layout() for each page made a context of the calling thread's
 * default font map; the server runs each connection on a thread of its own, so a download
 * also made a font map (fontconfig lookups, HarfBuzz faces, cairo fonts) and threw it away
 * with the thread: four times the cost of drawing the page. And laying a text out
 * (itemizing, shaping, breaking lines) was a quarter of the rest, though most texts of a
 * page are the same on every document in a language: the catalog's labels, the legal
 * mentions, the seller's block.
 *
 * A text cache is a font map, a context of it, and the layouts of the texts its user said
 * were constant. A page takes one for itself from a pool and gives it back when drawn:
 * one thread at a time uses it, as pango requires. A new one is made when none is idle,
 * up to TEXT_CACHE_MAX; beyond, a page waits for one (a page takes milliseconds, and
 * TEXT_CACHE_MAX pages at once keep more cores busy than the server has). Caches are never
 * freed: pango 1.50 loses a few kilobytes with every font map it frees (it did so at the
 * end of every connection's thread), and memory stays at most TEXT_CACHE_MAX caches,
 * whatever the number of documents. A layout is a function of its text,
 * size, weight, width and alignment alone (the font, DejaVu Sans, and the context's options
 * are the same for every page), so a kept layout draws exactly what a new one would: the
 * same PDF bytes (tests/unit/test_render_bytes.c).
 */
#ifndef PD_RENDER_TEXT_CACHE_H
#define PD_RENDER_TEXT_CACHE_H

#include <pango/pangocairo.h>
#include <stdbool.h>

/* How many layouts a cache keeps: the constant texts of a page in both languages. */
#define TEXT_CACHE_SLOTS 128
/* How many caches there are, at most: the pages drawn at once. */
#define TEXT_CACHE_MAX 8

struct text_cache;

/* A cache for the calling thread's page cr (a page of a PDF surface), its context matched
 * to cr, until text_cache_give(); waits while TEXT_CACHE_MAX pages are being drawn. NULL
 * when pango or memory failed. */
struct text_cache *text_cache_take(cairo_t *cr);

/* Gives c (NULL: nothing) back to the pool, for the next page. */
void text_cache_give(struct text_cache *c);

/* s laid out in DejaVu Sans of size (points), bold or not, within width (0: one line,
 * else wrapped at words) aligned right or left. keep: s is the same on many documents
 * (a label, a legal mention, the seller's name): its layout is kept for the next pages;
 * else the cache's one scratch layout is set up for it. The layout belongs to the cache:
 * use it before the next call, do not unref it. */
PangoLayout *text_cache_layout(struct text_cache *c, const char *s, double size, bool bold,
                               double width, bool right, bool keep);

#endif
