/*
 * render/text_cache.h - the calling thread's pango state for drawing invoice pages.
 *
 * Laying a text out (itemizing, shaping with HarfBuzz, breaking lines) was a quarter of the
 * time of an invoice, and most of the texts of a page are the same on every document in a
 * language: the catalog's labels, the legal mentions, the seller's block. Each thread keeps
 * a PangoContext, and the laid-out layouts of the texts its caller says are constant, for
 * its next documents. A layout is a function of its text, size, weight, width and alignment
 * alone (the font, DejaVu Sans, and the context are the same for every page), so a kept
 * layout draws exactly what a new one would: the same PDF bytes. The cache holds a fixed
 * number of layouts (the oldest is replaced), so its memory does not grow with the number
 * of documents; it is freed when the thread ends. Nothing is shared between threads.
 */
#ifndef PD_RENDER_TEXT_CACHE_H
#define PD_RENDER_TEXT_CACHE_H

#include <pango/pangocairo.h>
#include <stdbool.h>

/* How many layouts a thread keeps: the constant texts of a page in both languages. */
#define TEXT_CACHE_SLOTS 128

struct text_cache;

/* The calling thread's cache, its context made to match cr (a page of a PDF surface), or
 * NULL when pango or memory failed. */
struct text_cache *text_cache_for(cairo_t *cr);

/* s laid out in DejaVu Sans of size (points), bold or not, within width (0: one line,
 * else wrapped at words) aligned right or left. keep: s is the same on many documents
 * (a label, a legal mention, the seller's name): its layout is kept for the thread's next
 * pages; else the thread's one scratch layout is set up for it. The layout belongs to the
 * cache: use it before the next call, do not unref it. */
PangoLayout *text_cache_layout(struct text_cache *c, const char *s, double size, bool bold,
                               double width, bool right, bool keep);

#endif
