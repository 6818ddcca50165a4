/* devarg.c — device option strings; see devarg.h. */
#include "devices/devarg.h"

#include <stdlib.h>
#include <string.h>

bool devarg_get(const char *arg, const char *key, char *out, size_t outlen)
{
    size_t klen = strlen(key);
    const char *p = arg;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        const char *val = NULL;
        size_t vlen = 0;
        if (eq && (size_t)(eq - p) == klen && memcmp(p, key, klen) == 0) {
            val = eq + 1;
            vlen = len - klen - 1;
        } else if (!eq && klen == 0) {
            val = p;
            vlen = len;
        }
        if (val) {
            if (vlen + 1 > outlen)
                return false;
            memcpy(out, val, vlen);
            out[vlen] = '\0';
            return true;
        }
        p = end ? end + 1 : NULL;
    }
    return false;
}

bool devarg_get_uint(const char *arg, const char *key, uint64_t *val,
                     bool *ok)
{
    char buf[32];
    if (!devarg_get(arg, key, buf, sizeof(buf)))
        return false;
    char *end;
    unsigned long long v = strtoull(buf, &end, 0);
    if (end == buf || *end != '\0') {
        *ok = false;
        return true;
    }
    *val = v;
    return true;
}
