/*
 * render/pdfa.c - making cairo's PDF a PDF/A-3b with an associated file.
 *
 * cairo (1.16) writes its objects, one classic cross-reference table and a trailer
 *   << /Size N /Root R 0 R /Info I 0 R >>
 * with a catalog << /Type /Catalog /Pages P 0 R >>. This file keeps cairo's bytes up to
 * its xref table, as they are, and follows them with
 *
 *   N+0  the embedded file stream (/Subtype /text#2Fxml, /Params /ModDate /Size)
 *   N+1  its file specification (/F, /UF, /Desc, /AFRelationship /Data, /EF)
 *   N+2  the XMP metadata stream (pdfaid part 3 conformance B, Dublin Core title, dates,
 *        producer, and the Factur-X properties with their PDF/A extension schema)
 *   N+3  the sRGB ICC profile (icc-profiles-free's sRGB.icc, embedded at build time)
 *   N+4  the output intent (/GTS_PDFA1) that names it
 *   N+5  a document information dictionary saying what the XMP says
 *   N+6  the catalog: cairo's entries plus /Metadata, /OutputIntents, /AF,
 *        /Names /EmbeddedFiles and /Lang
 *
 * then one cross-reference table for every object (cairo's entries copied, the new ones
 * added) and a trailer naming the new catalog and information dictionary, with the
 * document /ID: a BLAKE2b digest of cairo's bytes and the attached file, so the same
 * document has the same ID. cairo's own catalog and information dictionary stay in the
 * file, unreferenced. One xref table and one trailer, as PDF/A validators prefer to an
 * incremental update. Streams are stored uncompressed: they are small, and a reader of
 * the XMP or of the XML needs no filter.
 */
#include "render/pdfa.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xml_escape.h"

/* The sRGB profile's bytes (build/srgb_icc.c, from cmake/embed_file.cmake). */
extern const unsigned char pdfa_srgb_icc[];
extern const size_t pdfa_srgb_icc_len;

#define NEW_OBJECTS 7

/* What the update needs to know of cairo's file. */
struct original {
    long size;           /* the trailer's /Size: the first free object number */
    long root;           /* the catalog's object number */
    long xref;           /* where its xref table starts */
    const char *catalog; /* the inside of the catalog's dictionary */
    size_t catalog_len;
};

static const char *find_last(const char *p, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = len >= n ? len - n + 1 : 0; i-- > 0;)
        if (memcmp(p + i, needle, n) == 0)
            return p + i;
    return NULL;
}

/* The integer after key ("/Size") within [p, end), or -1. */
static long dict_int(const char *p, const char *end, const char *key)
{
    const char *k = memmem(p, (size_t)(end - p), key, strlen(key));
    if (k == NULL)
        return -1;
    k += strlen(key);
    while (k < end && (*k == ' ' || *k == '\n' || *k == '\r'))
        k++;
    if (k >= end || *k < '0' || *k > '9')
        return -1;
    return strtol(k, NULL, 10);
}

/* The 20-byte xref entry of object num in the table at xref, or NULL. */
static const char *xref_entry(const char *pdf, size_t len, long xref, long num)
{
    const char *p = pdf + xref + 4, *end = pdf + len;
    while (p < end && (*p == '\r' || *p == '\n' || *p == ' '))
        p++;
    while (p < end && *p >= '0' && *p <= '9') { /* subsections: "first count" then entries */
        char *q;
        long first = strtol(p, &q, 10);
        long count = strtol(q, &q, 10);
        while (q < end && (*q == ' ' || *q == '\r' || *q == '\n'))
            q++;
        if (count < 0 || q + count * 20 > end)
            return NULL;
        if (num >= first && num < first + count) {
            const char *e = q + (num - first) * 20;
            return (e[17] == 'n' || e[17] == 'f') && e[18] == ' ' ? e : NULL;
        }
        p = q + count * 20;
    }
    return NULL;
}

static int read_original(const char *pdf, size_t len, struct original *o)
{
    const char *sx = find_last(pdf, len, "startxref");
    if (len < 16 || memcmp(pdf, "%PDF-", 5) != 0 || sx == NULL)
        return -1;
    o->xref = strtol(sx + 9, NULL, 10);
    if (o->xref <= 0 || (size_t)o->xref + 4 > len || memcmp(pdf + o->xref, "xref", 4) != 0)
        return -1;
    const char *tr = memmem(pdf + o->xref, (size_t)(sx - pdf - o->xref), "trailer", 7);
    if (tr == NULL)
        return -1;
    o->size = dict_int(tr, sx, "/Size");
    o->root = dict_int(tr, sx, "/Root");
    if (o->size <= 0 || o->root <= 0 || o->root >= o->size)
        return -1;
    for (long i = 0; i < o->size; i++)
        if (xref_entry(pdf, len, o->xref, i) == NULL)
            return -1;
    const char *e = xref_entry(pdf, len, o->xref, o->root);
    long at = e[17] == 'n' ? strtol(e, NULL, 10) : -1;
    if (at <= 0 || at >= o->xref)
        return -1;
    const char *p = memmem(pdf + at, len - (size_t)at, "<<", 2);
    if (p == NULL)
        return -1;
    int depth = 0;
    for (const char *q = p; q + 1 < pdf + len; q++) {
        if (q[0] == '<' && q[1] == '<') {
            depth++;
            q++;
        } else if (q[0] == '>' && q[1] == '>') {
            q++;
            if (--depth == 0) {
                o->catalog = p + 2;
                o->catalog_len = (size_t)(q - 1 - o->catalog);
                break;
            }
        }
    }
    if (o->catalog == NULL)
        return -1;
    /* keys this update writes must not be there already */
    static const char *const ours[] = {"/Names", "/Metadata", "/AF", "/OutputIntents", "/Lang"};
    for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
        if (memmem(o->catalog, o->catalog_len, ours[i], strlen(ours[i])))
            return -1;
    return 0;
}

/* Appends s as a PDF text string: (literal) when printable ASCII, else <FEFF...> UTF-16BE. */
static void pdf_text(struct buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    bool ascii = true;
    for (const unsigned char *q = p; *q; q++)
        ascii = ascii && *q >= 0x20 && *q < 0x7f;
    if (ascii) {
        buf_puts(b, "(");
        for (; *p; p++) {
            if (*p == '(' || *p == ')' || *p == '\\')
                buf_puts(b, "\\");
            buf_append(b, p, 1);
        }
        buf_puts(b, ")");
        return;
    }
    buf_puts(b, "<FEFF");
    while (*p) {
        unsigned long c = *p++;
        int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
        c &= more == 3 ? 0x07 : more == 2 ? 0x0f : more == 1 ? 0x1f : 0x7f;
        for (; more > 0 && (*p & 0xc0) == 0x80; more--)
            c = (c << 6) | (*p++ & 0x3f);
        if (c >= 0x10000) {
            c -= 0x10000;
            buf_printf(b, "%04lX%04lX", 0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
        } else {
            buf_printf(b, "%04lX", c);
        }
    }
    buf_puts(b, ">");
}

/* The Factur-X extension schema description, as the standard publishes it. */
static const char FX_SCHEMA[] =
    "<rdf:Description rdf:about=\"\" "
    "xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" "
    "xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" "
    "xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n"
    "<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\n"
    "<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>\n"
    "<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
    "</pdfaSchema:namespaceURI>\n"
    "<pdfaSchema:prefix>fx</pdfaSchema:prefix>\n"
    "<pdfaSchema:property><rdf:Seq>\n"
    "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>DocumentFileName</pdfaProperty:name>"
    "<pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external"
    "</pdfaProperty:category><pdfaProperty:description>name of the embedded XML invoice file"
    "</pdfaProperty:description></rdf:li>\n"
    "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>DocumentType</pdfaProperty:name>"
    "<pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external"
    "</pdfaProperty:category><pdfaProperty:description>INVOICE</pdfaProperty:description>"
    "</rdf:li>\n"
    "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>Version</pdfaProperty:name>"
    "<pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external"
    "</pdfaProperty:category><pdfaProperty:description>The actual version of the Factur-X XML "
    "schema</pdfaProperty:description></rdf:li>\n"
    "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>ConformanceLevel</pdfaProperty:name>"
    "<pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external"
    "</pdfaProperty:category><pdfaProperty:description>The conformance level of the embedded "
    "Factur-X data</pdfaProperty:description></rdf:li>\n"
    "</rdf:Seq></pdfaSchema:property>\n"
    "</rdf:li></rdf:Bag></pdfaExtension:schemas>\n"
    "</rdf:Description>\n";

static void xmp(struct buf *b, const struct pdfa_doc *d, const char *instant)
{
    buf_puts(b, "<?xpacket begin=\"\xef\xbb\xbf\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">"
                "<pdfaid:part>3</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"
                "</rdf:Description>\n"
                "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
                "<dc:format>application/pdf</dc:format><dc:title><rdf:Alt>"
                "<rdf:li xml:lang=\"x-default\">");
    xml_escape(b, d->title, XML_ESCAPE_DROP_CONTROLS);
    buf_printf(b,
               "</rdf:li></rdf:Alt></dc:title></rdf:Description>\n"
               "<rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">"
               "<xmp:CreatorTool>partnerd</xmp:CreatorTool><xmp:CreateDate>%s</xmp:CreateDate>"
               "<xmp:ModifyDate>%s</xmp:ModifyDate></rdf:Description>\n"
               "<rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">"
               "<pdf:Producer>partnerd</pdf:Producer></rdf:Description>\n"
               "<rdf:Description rdf:about=\"\" "
               "xmlns:fx=\"urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#\">"
               "<fx:DocumentType>",
               instant, instant);
    xml_escape(b, d->fx_type, XML_ESCAPE_DROP_CONTROLS);
    buf_puts(b, "</fx:DocumentType><fx:DocumentFileName>");
    xml_escape(b, d->file_name, XML_ESCAPE_DROP_CONTROLS);
    buf_puts(b, "</fx:DocumentFileName><fx:Version>1.0</fx:Version><fx:ConformanceLevel>");
    xml_escape(b, d->fx_conformance, XML_ESCAPE_DROP_CONTROLS);
    buf_puts(b, "</fx:ConformanceLevel></rdf:Description>\n");
    buf_puts(b, FX_SCHEMA);
    buf_puts(b, "</rdf:RDF>\n</x:xmpmeta>\n");
    for (int i = 0; i < 8; i++) /* room to edit the packet in place, as XMP expects */
        buf_puts(b, "                                                                   \n");
    buf_puts(b, "<?xpacket end=\"w\"?>");
}

/* Starts object num, noting where it begins (relative to the file's first byte). */
static void obj(struct buf *b, size_t base, long num, long *offset)
{
    *offset = (long)(b->len - base);
    buf_printf(b, "%ld 0 obj\n", num);
}

static void stream(struct buf *b, const char *dict, const void *bytes, size_t n)
{
    buf_printf(b, "<< %s /Length %zu >>\nstream\n", dict, n);
    buf_append(b, bytes, n);
    buf_puts(b, "\nendstream\nendobj\n");
}

int pdfa_finish(struct buf *b, size_t base, const struct pdfa_doc *d)
{
    struct original o = {0};
    const char *day = d->date ? d->date : "";
    const char *pdf = b->data + base;
    size_t len = b->len - base;
    if (b->len <= base || read_original(pdf, len, &o) < 0 || strlen(day) != 10)
        return -1;
    char pdfdate[32], instant[32], dict[200];
    snprintf(pdfdate, sizeof(pdfdate), "D:%.4s%.2s%.2s000000+00'00'", day, day + 5, day + 8);
    snprintf(instant, sizeof(instant), "%.10sT00:00:00+00:00", day);
    unsigned char id[16];
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, sizeof(id));
    crypto_generichash_update(&h, (const unsigned char *)pdf, len);
    crypto_generichash_update(&h, (const unsigned char *)d->file_bytes, d->file_len);
    crypto_generichash_final(&h, id, sizeof(id));
    char idhex[33];
    sodium_bin2hex(idhex, sizeof(idhex), id, sizeof(id));

    /* what is kept of cairo's catalog and xref table, before they are written over */
    struct buf catalog = {0}, entries = {0};
    buf_append(&catalog, o.catalog, o.catalog_len);
    for (long i = 0; i < o.size; i++)
        buf_append(&entries, xref_entry(pdf, len, o.xref, i), 20);
    b->len = base + (size_t)o.xref; /* cairo's objects stay, as they are */
    long n = o.size, at[NEW_OBJECTS];

    obj(b, base, n, &at[0]);
    snprintf(dict, sizeof(dict),
             "/Type /EmbeddedFile /Subtype /text#2Fxml /Params << /ModDate (%s) /Size %zu >>",
             pdfdate, d->file_len);
    stream(b, dict, d->file_bytes, d->file_len);

    obj(b, base, n + 1, &at[1]);
    buf_puts(b, "<< /Type /Filespec /F ");
    pdf_text(b, d->file_name);
    buf_puts(b, " /UF ");
    pdf_text(b, d->file_name);
    buf_puts(b, " /Desc ");
    pdf_text(b, d->file_desc);
    buf_printf(b, " /AFRelationship /Data /EF << /F %ld 0 R /UF %ld 0 R >> >>\nendobj\n", n, n);

    obj(b, base, n + 2, &at[2]);
    struct buf meta = {0};
    xmp(&meta, d, instant);
    stream(b, "/Type /Metadata /Subtype /XML", meta.data, meta.len);
    buf_free(&meta);

    obj(b, base, n + 3, &at[3]);
    stream(b, "/N 3", pdfa_srgb_icc, pdfa_srgb_icc_len);

    obj(b, base, n + 4, &at[4]);
    buf_printf(b,
               "<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB "
               "IEC61966-2.1) /Info (sRGB IEC61966-2.1) /RegistryName (http://www.color.org) "
               "/DestOutputProfile %ld 0 R >>\nendobj\n",
               n + 3);

    obj(b, base, n + 5, &at[5]);
    buf_puts(b, "<< /Title ");
    pdf_text(b, d->title);
    buf_printf(b,
               " /Creator (partnerd) /Producer (partnerd) /CreationDate (%s) /ModDate (%s) "
               ">>\nendobj\n",
               pdfdate, pdfdate);

    obj(b, base, n + 6, &at[6]);
    buf_puts(b, "<<");
    buf_append(b, catalog.data, catalog.len);
    buf_printf(b,
               " /Metadata %ld 0 R /OutputIntents [%ld 0 R] /AF [%ld 0 R] "
               "/Names << /EmbeddedFiles << /Names [",
               n + 2, n + 4, n + 1);
    pdf_text(b, d->file_name);
    buf_printf(b, " %ld 0 R] >> >> /Lang ", n + 1);
    pdf_text(b, d->lang);
    buf_puts(b, " >>\nendobj\n");

    long xref = (long)(b->len - base);
    buf_printf(b, "xref\n0 %ld\n", n + NEW_OBJECTS);
    buf_append(b, entries.data, entries.len);
    for (int i = 0; i < NEW_OBJECTS; i++)
        buf_printf(b, "%010ld 00000 n \n", at[i]);
    buf_printf(b,
               "trailer\n<< /Size %ld /Root %ld 0 R /Info %ld 0 R /ID [<%s> <%s>] >>\n"
               "startxref\n%ld\n%%%%EOF\n",
               n + NEW_OBJECTS, n + 6, n + 5, idhex, idhex, xref);
    buf_free(&catalog);
    buf_free(&entries);
    return 0;
}
