/*
 * core/image.h - checking that uploaded bytes are a picture we can show (a logo).
 *
 * The type is read from the bytes, never from what the client says; the picture is then
 * decoded in full (PNG by cairo's reader, JPEG by libjpeg), so a file that only starts
 * like a picture is refused. Dimensions are bounded before decoding.
 */
#ifndef PD_CORE_IMAGE_H
#define PD_CORE_IMAGE_H

#include <stddef.h>

#define IMAGE_MAX_SIDE 4096 /* pixels, either side */

struct image_info {
    const char *content_type; /* "image/png" or "image/jpeg" */
    int width, height;
    char sha256[65]; /* of the bytes, lowercase hex: the logo's name in its URL */
};

/* 0 and *out when data is a PNG or JPEG that decodes, at most IMAGE_MAX_SIDE a side;
 * -1 otherwise. */
int image_check(const unsigned char *data, size_t size, struct image_info *out);

#endif
