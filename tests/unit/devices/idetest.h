/*
 * idetest.h — disk and CD images for the IDE unit tests: a temporary file
 * of `blocks` blocks of `bsize` bytes whose first two bytes hold the block
 * number, so a test can tell which block a transfer returned.
 */
#ifndef X86BT_IDETEST_H
#define X86BT_IDETEST_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void idetest_make_image(char *path, const char *tmpl,
                                      unsigned blocks, unsigned bsize)
{
    strcpy(path, tmpl);
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    uint8_t *b = malloc(bsize);
    ck_assert_ptr_nonnull(b);
    for (unsigned i = 0; i < blocks; i++) {
        for (unsigned j = 0; j < bsize; j++)
            b[j] = (uint8_t)(i * 7 + j);
        b[0] = (uint8_t)i;
        b[1] = (uint8_t)(i >> 8);
        ck_assert_int_eq(write(fd, b, bsize), (int)bsize);
    }
    free(b);
    close(fd);
}

#endif
