/* fuzz_image.c - uploaded logos: any bytes are refused or accepted as a PNG or JPEG within
 * the size bounds, without a crash in the decoders' error paths. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct image_info img;
    if (image_check(data, size, &img) == 0) {
        assert(!strcmp(img.content_type, "image/png") || !strcmp(img.content_type, "image/jpeg"));
        assert(img.width > 0 && img.width <= IMAGE_MAX_SIDE);
        assert(img.height > 0 && img.height <= IMAGE_MAX_SIDE);
        assert(strlen(img.sha256) == 64);
    }
    return 0;
}
