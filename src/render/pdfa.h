/*
 * render/pdfa.h - turning cairo's PDF into a PDF/A-3 with an attached XML (Factur-X).
 *
 * cairo draws the pages and embeds the fonts; PDF/A-3 also wants XMP metadata that says
 * so, an output intent with an ICC profile, a document ID, and (for Factur-X) the XML
 * attached as an associated file. pdfa_finish() adds them after cairo's objects, which stay
 * as they are, with a new catalog, one cross-reference table and a trailer. Nothing
 * depends on the clock: the dates and the ID come from the arguments, so the same inputs
 * give the same bytes.
 */
#ifndef PD_RENDER_PDFA_H
#define PD_RENDER_PDFA_H

#include <stddef.h>

#include "core/buf.h"

/* What the PDF/A-3 says of itself, and the file it carries. */
struct pdfa_doc {
    const char *title;      /* dc:title and /Title, UTF-8 */
    const char *lang;       /* the catalog's /Lang: "fr", "en" */
    const char *date;       /* YYYY-MM-DD: creation, modification and the file's date */
    const char *file_name;  /* "factur-x.xml" */
    const char *file_desc;  /* the file specification's /Desc */
    const char *file_bytes; /* the attached file */
    size_t file_len;
    const char *fx_type;        /* Factur-X XMP: "INVOICE" */
    const char *fx_conformance; /* Factur-X XMP: "EN 16931" */
};

/* Makes the PDF that cairo wrote into b from offset base on a PDF/A-3b with doc's file
 * attached (/AFRelationship /Data), in place: its xref table and trailer are replaced by
 * the new objects, a whole xref table and a trailer. 0, or -1 (b as it was) when those
 * bytes are not a file as cairo writes them (one classic xref table, a trailer naming
 * /Root). */
int pdfa_finish(struct buf *b, size_t base, const struct pdfa_doc *doc);

#endif
