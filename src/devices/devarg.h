/*
 * devarg.h — parsing of a device's option string ("key=value,key=value").
 *
 * Device rows in the board table pass one string per instance; these helpers
 * pick single keys out of it. A bare word without '=' is treated as the
 * value of the key "" (so "stdio" or a plain path can be passed alone).
 */
#ifndef X86BT_DEVARG_H
#define X86BT_DEVARG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copy the value of `key` into out (NUL-terminated). False if absent or
 * too long for outlen. */
bool devarg_get(const char *arg, const char *key, char *out, size_t outlen);
/* Parse the value of `key` as an unsigned number (C base prefixes allowed).
 * Returns false if absent; -EINVAL style errors are reported via *ok. */
bool devarg_get_uint(const char *arg, const char *key, uint64_t *val,
                     bool *ok);

#endif
