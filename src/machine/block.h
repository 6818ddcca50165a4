/*
 * block.h — block backend: a disk or CD image on the host.
 *
 * Raw images only for now (VMDK comes later behind the same calls). All
 * calls take byte offsets and return 0 or a negative errno; accesses past
 * the end of the image return -EINVAL without touching the file. A
 * read-only backend refuses writes with -EROFS. block_flush() is fsync():
 * the guest's FLUSH CACHE / SYNCHRONIZE CACHE end up here.
 */
#ifndef X86BT_BLOCK_H
#define X86BT_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct BlockDev {
    int fd;          /* -1 when closed */
    uint64_t size;   /* bytes */
    bool read_only;
} BlockDev;

/* Open path; read_only forces O_RDONLY, else falls back to read-only if
 * the file cannot be opened for writing (read_only then reports it). */
int block_open(BlockDev *b, const char *path, bool read_only);
void block_close(BlockDev *b);
int block_read(BlockDev *b, uint64_t off, void *buf, size_t len);
int block_write(BlockDev *b, uint64_t off, const void *buf, size_t len);
int block_flush(BlockDev *b);

#endif
