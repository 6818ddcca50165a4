/*
 * device.c — named, versioned device save state (see device.h).
 *
 * Stream format per device: "DEV\0", name (NUL-terminated), version (u32),
 * then per field: name (NUL-terminated), size (u32), bytes. Timers are
 * saved as {int64 expire, u8 pending}. Loading matches fields by name so a
 * field added later does not break older images; sizes must agree.
 */
#include "machine/device.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "machine/clock.h"

static int put(FILE *f, const void *p, size_t n)
{
    return fwrite(p, 1, n, f) == n ? 0 : -EIO;
}

static int put_str(FILE *f, const char *s)
{
    return put(f, s, strlen(s) + 1);
}

static int get(FILE *f, void *p, size_t n)
{
    return fread(p, 1, n, f) == n ? 0 : -EIO;
}

static int get_str(FILE *f, char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int c = fgetc(f);
        if (c == EOF)
            return -EIO;
        buf[i] = (char)c;
        if (c == 0)
            return 0;
    }
    return -EINVAL;
}

int device_save(const Device *dev, FILE *f)
{
    const DeviceInfo *info = dev->info;
    uint32_t ver = info->state_version;
    int rc = put(f, "DEV", 4);
    rc = rc ? rc : put_str(f, info->name);
    rc = rc ? rc : put(f, &ver, 4);
    for (const StateField *fl = info->fields; !rc && fl && fl->name; fl++) {
        const uint8_t *p = (const uint8_t *)dev->state + fl->offset;
        rc = put_str(f, fl->name);
        if (fl->kind == STATE_TIMER) {
            const Timer *t = (const Timer *)p;
            uint8_t buf[9];
            memcpy(buf, &t->expire, 8);
            buf[8] = t->pending;
            uint32_t sz = 9;
            rc = rc ? rc : put(f, &sz, 4);
            rc = rc ? rc : put(f, buf, 9);
        } else {
            uint32_t sz = (uint32_t)fl->size;
            rc = rc ? rc : put(f, &sz, 4);
            rc = rc ? rc : put(f, p, fl->size);
        }
    }
    rc = rc ? rc : put_str(f, "");
    return rc;
}

static const StateField *find_field(const DeviceInfo *info, const char *name)
{
    for (const StateField *fl = info->fields; fl && fl->name; fl++)
        if (strcmp(fl->name, name) == 0)
            return fl;
    return NULL;
}

static int load_field(Device *dev, const StateField *fl, FILE *f,
                      uint32_t sz)
{
    uint8_t *p = (uint8_t *)dev->state + fl->offset;
    if (fl->kind == STATE_TIMER) {
        uint8_t buf[9];
        if (sz != 9 || get(f, buf, 9))
            return -EINVAL;
        Timer *t = (Timer *)p;
        int64_t expire;
        memcpy(&expire, buf, 8);
        if (buf[8])
            timer_mod(t, expire);
        else
            timer_del(t);
        return 0;
    }
    if (sz != fl->size)
        return -EINVAL;
    return get(f, p, sz);
}

int device_load(Device *dev, FILE *f)
{
    char magic[4], name[128];
    uint32_t ver;
    if (get(f, magic, 4) || memcmp(magic, "DEV", 4))
        return -EINVAL;
    if (get_str(f, name, sizeof(name)) || strcmp(name, dev->info->name))
        return -EINVAL;
    if (get(f, &ver, 4) || ver > dev->info->state_version)
        return -EINVAL;
    for (;;) {
        uint32_t sz;
        if (get_str(f, name, sizeof(name)))
            return -EIO;
        if (!name[0])
            break;
        if (get(f, &sz, 4))
            return -EIO;
        const StateField *fl = find_field(dev->info, name);
        int rc = fl ? load_field(dev, fl, f, sz)
                    : (fseek(f, sz, SEEK_CUR) ? -EIO : 0);
        if (rc)
            return rc;
    }
    return dev->info->post_load ? dev->info->post_load(dev->state) : 0;
}
