/*
 * core/image.c - PNG and JPEG checked by decoding them.
 *
 * PNG: the IHDR's dimensions are read from the bytes first (so a small file announcing a
 * huge picture is refused before any allocation), then cairo's PNG reader decodes it from
 * memory. JPEG: libjpeg reads the header, the dimensions are checked, then every scanline
 * is decoded; libjpeg's errors come back through a longjmp instead of exit().
 */
#include "core/image.h"

#include <cairo.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>

struct png_source {
    const unsigned char *p;
    size_t left;
};

static cairo_status_t png_read(void *closure, unsigned char *data, unsigned int length)
{
    struct png_source *s = closure;
    if (length > s->left)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, s->p, length);
    s->p += length;
    s->left -= length;
    return CAIRO_STATUS_SUCCESS;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int check_png(const unsigned char *data, size_t size, struct image_info *out)
{
    /* signature, then the IHDR chunk: length 13, "IHDR", width, height */
    if (size < 33 || memcmp(data + 12, "IHDR", 4) != 0)
        return -1;
    uint32_t w = be32(data + 16), h = be32(data + 20);
    if (w == 0 || h == 0 || w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE)
        return -1;
    struct png_source src = {data, size};
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(png_read, &src);
    int ok = cairo_surface_status(s) == CAIRO_STATUS_SUCCESS &&
             cairo_image_surface_get_width(s) == (int)w &&
             cairo_image_surface_get_height(s) == (int)h;
    cairo_surface_destroy(s);
    if (!ok)
        return -1;
    out->content_type = "image/png";
    out->width = (int)w;
    out->height = (int)h;
    return 0;
}

struct jpeg_failure {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
};

static void jpeg_fail(j_common_ptr cinfo)
{
    longjmp(((struct jpeg_failure *)(void *)cinfo->err)->jump, 1);
}

static void jpeg_quiet(j_common_ptr cinfo, int level)
{
    (void)cinfo;
    (void)level;
}

static int check_jpeg(const unsigned char *data, size_t size, struct image_info *out)
{
    struct jpeg_decompress_struct cinfo;
    struct jpeg_failure fail;
    JSAMPARRAY row = NULL;
    volatile int rc = -1;
    memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = jpeg_std_error(&fail.mgr);
    fail.mgr.error_exit = jpeg_fail;
    fail.mgr.emit_message = jpeg_quiet;
    if (setjmp(fail.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    if (jpeg_read_header(&cinfo, TRUE) == JPEG_HEADER_OK && cinfo.image_width > 0 &&
        cinfo.image_height > 0 && cinfo.image_width <= IMAGE_MAX_SIDE &&
        cinfo.image_height <= IMAGE_MAX_SIDE) {
        jpeg_start_decompress(&cinfo);
        row =
            (*cinfo.mem->alloc_sarray)((j_common_ptr)&cinfo, JPOOL_IMAGE,
                                       cinfo.output_width * (JDIMENSION)cinfo.output_components, 1);
        while (cinfo.output_scanline < cinfo.output_height)
            jpeg_read_scanlines(&cinfo, row, 1);
        /* a truncated file decodes with a warning and grey rows: refuse it */
        if (fail.mgr.num_warnings == 0) {
            out->content_type = "image/jpeg";
            out->width = (int)cinfo.image_width;
            out->height = (int)cinfo.image_height;
            rc = 0;
        }
        jpeg_finish_decompress(&cinfo);
    }
    jpeg_destroy_decompress(&cinfo);
    return rc;
}

int image_check(const unsigned char *data, size_t size, struct image_info *out)
{
    int rc = -1;
    if (data == NULL)
        return -1;
    if (size >= 8 && !memcmp(data, "\x89PNG\r\n\x1a\n", 8))
        rc = check_png(data, size, out);
    else if (size >= 3 && !memcmp(data, "\xff\xd8\xff", 3))
        rc = check_jpeg(data, size, out);
    if (rc == 0) {
        unsigned char digest[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(digest, data, size);
        sodium_bin2hex(out->sha256, sizeof(out->sha256), digest, sizeof(digest));
    }
    return rc;
}
