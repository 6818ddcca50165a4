/* block.c — raw image block backend; see block.h. */
#include "machine/block.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int block_open(BlockDev *b, const char *path, bool read_only)
{
    b->fd = -1;
    b->size = 0;
    b->read_only = read_only;
    int fd = read_only ? -1 : open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return -errno;
        b->read_only = true;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    b->fd = fd;
    b->size = (uint64_t)st.st_size;
    return 0;
}

void block_close(BlockDev *b)
{
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
}

static bool block_in_range(const BlockDev *b, uint64_t off, size_t len)
{
    return b->fd >= 0 && off <= b->size && len <= b->size - off;
}

int block_read(BlockDev *b, uint64_t off, void *buf, size_t len)
{
    if (!block_in_range(b, off, len))
        return -EINVAL;
    uint8_t *p = buf;
    while (len) {
        ssize_t n = pread(b->fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

int block_write(BlockDev *b, uint64_t off, const void *buf, size_t len)
{
    if (b->read_only)
        return -EROFS;
    if (!block_in_range(b, off, len))
        return -EINVAL;
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = pwrite(b->fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

int block_flush(BlockDev *b)
{
    if (b->fd < 0)
        return -EBADF;
    if (b->read_only)
        return 0;
    return fsync(b->fd) < 0 ? -errno : 0;
}
