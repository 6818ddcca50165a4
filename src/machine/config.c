/*
 * config.c — command-line parsing. Options follow qemu-system-i386 where
 * one exists, so scripts carry over. Every error is one line, and the
 * caller exits with status 2 before anything is created or touched.
 */
#include "machine/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/log.h"
#include "machine/sendkey.h"

typedef enum OptKind { OPT_FLAG, OPT_ARG } OptKind;

typedef struct OptDesc {
    const char *name;
    OptKind kind;
    const char *help;
} OptDesc;

static const OptDesc opts[] = {
    {"-m", OPT_ARG, "MB        guest RAM in MB (1-3072, default 64; suffix M/G ok)"},
    {"-bios", OPT_ARG, "FILE    firmware image (default: SeaBIOS)"},
    {"-hda", OPT_ARG, "FILE     primary master IDE disk (raw image)"},
    {"-hdb", OPT_ARG, "FILE     primary slave IDE disk"},
    {"-cdrom", OPT_ARG, "FILE   secondary master ATAPI CD-ROM (ISO image)"},
    {"-fda", OPT_ARG, "FILE     floppy A (raw image; smaller than 1.44 MB: a partly filled 1.44 MB disk)"},
    {"-boot", OPT_ARG, "ORDER[,menu=on][,splash-time=MS]  boot order letters a (floppy) c (disk) d (CD) n (net); menu=on: SeaBIOS's ESC boot menu"},
    {"-kernel", OPT_ARG, "FILE  Linux bzImage (boot protocol) or multiboot ELF"},
    {"-initrd", OPT_ARG, "FILE  initial ramdisk for -kernel"},
    {"-append", OPT_ARG, "STR   kernel command line for -kernel"},
    {"-serial", OPT_ARG, "DEV   COM1 backend: stdio, file:PATH, unix:PATH, none (repeat for COM2)"},
    {"-display", OPT_ARG, "TYPE sdl or none"},
    {"-nographic", OPT_FLAG, "  no display; serial on stdio"},
    {"-debugcon", OPT_ARG, "DEV SeaBIOS debug log (port 0x402): stdio or file:PATH"},
    {"-jit", OPT_ARG, "on|off   translation tier (default on) or reference interpreter"},
    {"-icount", OPT_ARG, "N     deterministic time: 2^N ns per guest instruction (0-10)"},
    {"-trace", OPT_ARG, "LIST   insn,translate,int,io,unimp,guest,info"},
    {"-tcache", OPT_ARG, "KB    translation cache size in KB (default 32768)"},
    {"-screenshot-at", OPT_ARG, "S:PATH  write the screen as PNG at virtual time S seconds"},
    {"-screenshot-text-at", OPT_ARG, "S:PATH  write the text screen at virtual time S seconds"},
    {"-sendkey-at", OPT_ARG, "S:KEYS  type KEYS (e.g. esc or ctrl-alt-delete,a,ret) at virtual time S (repeatable)"},
    {"-no-reboot", OPT_FLAG, "  exit instead of resetting the guest"},
    {"-rtc", OPT_ARG, "base=utc|YYYY-MM-DDTHH:MM:SS  RTC start time (default: host UTC)"},
    {"-h", OPT_FLAG, "          this help (also --help)"},
    {"--version", OPT_FLAG, "   print the version"},
};

void config_usage(FILE *out)
{
    fprintf(out, "usage: x86bt [options]\n"
                 "x86bt " X86BT_VERSION
                 " - PC emulator by dynamic binary translation\n\n");
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        fprintf(out, "  %s %s\n", opts[i].name, opts[i].help);
}

/* -rtc base=utc (host time, the default) or base=YYYY-MM-DDTHH:MM:SS (a
 * fixed UTC start; the clock then follows virtual time). */
static int parse_rtc(VMConfig *cfg, const char *v, char *err, size_t errlen)
{
    int y, mo, d, h, mi, sec;
    char tail;
    if (strncmp(v, "base=", 5) == 0 && strcmp(v + 5, "utc") == 0) {
        cfg->rtc_base = NULL;
        return 0;
    }
    if (strncmp(v, "base=", 5) != 0 ||
        sscanf(v + 5, "%d-%d-%dT%d:%d:%d%c", &y, &mo, &d, &h, &mi, &sec,
               &tail) != 6 ||
        y < 1970 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
        h > 23 || mi > 59 || sec > 59) {
        snprintf(err, errlen,
                 "-rtc: expected base=utc or base=YYYY-MM-DDTHH:MM:SS, got "
                 "'%s'",
                 v);
        return -1;
    }
    cfg->rtc_base = v + 5;
    return 0;
}

static const OptDesc *find_opt(const char *name)
{
    if (strcmp(name, "--help") == 0)
        name = "-h";
    if (name[0] == '-' && name[1] == '-' && strcmp(name, "--version") != 0)
        name++; /* accept --opt as -opt, like QEMU */
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        if (strcmp(opts[i].name, name) == 0)
            return &opts[i];
    return NULL;
}

static int check_file(const char *opt, const char *path, int mode, char *err,
                      size_t errlen)
{
    if (access(path, mode) != 0) {
        snprintf(err, errlen, "%s: cannot open '%s': %s", opt, path,
                 strerror(errno));
        return -1;
    }
    return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || (*end && strcmp(end, "M") && strcmp(end, "G")) ||
        s[0] == '-')
        return -1;
    if (*end == 'G') {
        if (v > (1ull << 20))
            return -1;
        v <<= 10;
    }
    *out = v;
    return 0;
}

static int parse_serial(VMConfig *cfg, const char *v, char *err, size_t errlen)
{
    if (cfg->serial_set >= 2) {
        snprintf(err, errlen, "-serial: at most two serial ports");
        return -1;
    }
    unsigned slot = cfg->serial_set;
    if (strcmp(v, "stdio") && strcmp(v, "none") && strncmp(v, "file:", 5) &&
        strncmp(v, "unix:", 5)) {
        snprintf(err, errlen,
                 "-serial: unknown backend '%s' (stdio, file:PATH, "
                 "unix:PATH, none)",
                 v);
        return -1;
    }
    cfg->serial[slot] = v;
    cfg->serial_set++;
    return 0;
}

/* "SECONDS:PATH" (seconds may have a fraction) for the screenshot
 * options, "SECONDS:KEYS" for -sendkey-at (what names the part after the
 * colon in the error). */
static int parse_timed(const char *opt, const char *what, const char *v,
                       int64_t *ns, const char **path, char *err,
                       size_t errlen)
{
    char *end;
    errno = 0;
    double secs = strtod(v, &end);
    if (errno || end == v || *end != ':' || !end[1] || secs < 0 ||
        secs > 1e6) {
        snprintf(err, errlen, "%s: expected SECONDS:%s, got '%s'", opt, what,
                 v);
        return -1;
    }
    *ns = (int64_t)(secs * 1e9);
    *path = end + 1;
    return 0;
}

/* One -boot item of len bytes: [order=]LETTERS, menu=on|off or
 * splash-time=MS (QEMU's names). */
static int parse_boot_item(VMConfig *cfg, const char *it, size_t len,
                           bool first)
{
    uint64_t ms;
    char num[16];
    if (len > 6 && !strncmp(it, "order=", 6)) {
        it += 6;
        len -= 6;
        first = true;
    }
    if (first && len >= 1 && len <= 4 && strspn(it, "acdn") >= len) {
        memcpy(cfg->boot, it, len);
        cfg->boot[len] = 0;
    } else if (len == 7 && !strncmp(it, "menu=on", 7)) {
        cfg->boot_menu = true;
    } else if (len == 8 && !strncmp(it, "menu=off", 8)) {
        cfg->boot_menu = false;
    } else if (len > 12 && len < 12 + sizeof(num) &&
               !strncmp(it, "splash-time=", 12)) {
        memcpy(num, it + 12, len - 12);
        num[len - 12] = 0;
        if (parse_u64(num, &ms) || ms > 0xFFFF)
            return -1;
        cfg->boot_menu_ms = (int)ms;
    } else {
        return -1;
    }
    return 0;
}

/* -boot [order=]LETTERS[,menu=on|off][,splash-time=MS]. */
static int parse_boot(VMConfig *cfg, const char *v, char *err,
                      size_t errlen)
{
    const char *p = v;
    for (bool first = true;; first = false) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (parse_boot_item(cfg, p, len, first)) {
            snprintf(err, errlen,
                     "-boot: bad '%s' (ORDER of letters a, c, d, n; "
                     "menu=on|off; splash-time=MS)",
                     v);
            return -1;
        }
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

/* -sendkey-at SECONDS:KEYS; the keys are checked here (sendkey.h). */
static int parse_sendkey(VMConfig *cfg, const char *v, char *err,
                         size_t errlen)
{
    int64_t ns;
    const char *keys;
    char bad[64];
    if (parse_timed("-sendkey-at", "KEYS", v, &ns, &keys, err, errlen))
        return -1;
    if (cfg->nsendkey >= VM_MAX_SENDKEY) {
        snprintf(err, errlen, "-sendkey-at: at most %d times",
                 VM_MAX_SENDKEY);
        return -1;
    }
    if (sendkey_parse(keys, NULL, 0, bad, sizeof(bad)) < 0) {
        snprintf(err, errlen, "-sendkey-at: unknown key '%s' in '%s'", bad,
                 keys);
        return -1;
    }
    cfg->sendkey[cfg->nsendkey].ns = ns;
    cfg->sendkey[cfg->nsendkey++].keys = keys;
    return 0;
}

/* Apply one option with its argument (NULL for flags). */
static int apply(VMConfig *cfg, const char *name, const char *v, char *err,
                 size_t errlen)
{
    uint64_t n;
    if (!strcmp(name, "-m")) {
        if (parse_u64(v, &n) || n < 1 || n > 3072) {
            snprintf(err, errlen, "-m: bad RAM size '%s' (1-3072 MB)", v);
            return -1;
        }
        cfg->ram_mb = n;
    } else if (!strcmp(name, "-bios") || !strcmp(name, "-kernel") ||
               !strcmp(name, "-initrd")) {
        if (check_file(name, v, R_OK, err, errlen))
            return -1;
        if (!strcmp(name, "-bios"))
            cfg->bios = v;
        else if (!strcmp(name, "-kernel"))
            cfg->kernel = v;
        else
            cfg->initrd = v;
    } else if (!strcmp(name, "-hda") || !strcmp(name, "-hdb") ||
               !strcmp(name, "-cdrom") || !strcmp(name, "-fda")) {
        if (check_file(name, v, R_OK, err, errlen))
            return -1;
        const char **slot = !strcmp(name, "-hda")   ? &cfg->hda
                            : !strcmp(name, "-hdb") ? &cfg->hdb
                            : !strcmp(name, "-fda") ? &cfg->fda
                                                    : &cfg->cdrom;
        *slot = v;
    } else if (!strcmp(name, "-boot")) {
        return parse_boot(cfg, v, err, errlen);
    } else if (!strcmp(name, "-append")) {
        cfg->append = v;
    } else if (!strcmp(name, "-serial")) {
        return parse_serial(cfg, v, err, errlen);
    } else if (!strcmp(name, "-display")) {
        if (strcmp(v, "sdl") && strcmp(v, "none")) {
            snprintf(err, errlen, "-display: unknown type '%s' (sdl, none)",
                     v);
            return -1;
        }
        cfg->display = v;
    } else if (!strcmp(name, "-nographic")) {
        cfg->nographic = true;
        cfg->display = "none";
    } else if (!strcmp(name, "-debugcon")) {
        if (strcmp(v, "stdio") && strncmp(v, "file:", 5)) {
            snprintf(err, errlen,
                     "-debugcon: unknown backend '%s' (stdio, file:PATH)", v);
            return -1;
        }
        cfg->debugcon = v;
    } else if (!strcmp(name, "-jit")) {
        if (strcmp(v, "on") && strcmp(v, "off")) {
            snprintf(err, errlen, "-jit: expected on or off, got '%s'", v);
            return -1;
        }
        cfg->jit = !strcmp(v, "on");
    } else if (!strcmp(name, "-icount")) {
        if (parse_u64(v, &n) || n > 10) {
            snprintf(err, errlen, "-icount: expected 0-10, got '%s'", v);
            return -1;
        }
        cfg->icount_shift = (int)n;
    } else if (!strcmp(name, "-trace")) {
        if (log_parse_trace(v, &cfg->trace_mask)) {
            snprintf(err, errlen,
                     "-trace: bad list '%s' (insn,translate,int,io,unimp,"
                     "guest,info)",
                     v);
            return -1;
        }
    } else if (!strcmp(name, "-tcache")) {
        if (parse_u64(v, &n) || n < 64 || n > (1u << 20)) {
            snprintf(err, errlen, "-tcache: expected 64-1048576 KB, got '%s'",
                     v);
            return -1;
        }
        cfg->tcache_kb = n;
    } else if (!strcmp(name, "-screenshot-at")) {
        return parse_timed(name, "PATH", v, &cfg->shot_ns, &cfg->shot_path,
                           err, errlen);
    } else if (!strcmp(name, "-screenshot-text-at")) {
        return parse_timed(name, "PATH", v, &cfg->shot_text_ns,
                           &cfg->shot_text_path, err, errlen);
    } else if (!strcmp(name, "-sendkey-at")) {
        return parse_sendkey(cfg, v, err, errlen);
    } else if (!strcmp(name, "-no-reboot")) {
        cfg->no_reboot = true;
    } else if (!strcmp(name, "-rtc")) {
        return parse_rtc(cfg, v, err, errlen);
    }
    return 0;
}

ConfigAction config_parse(int argc, char **argv, VMConfig *cfg, char *err,
                          size_t errlen)
{
    for (int i = 1; i < argc; i++) {
        const OptDesc *o = find_opt(argv[i]);
        if (!o) {
            snprintf(err, errlen, "unknown option '%s' (try -h)", argv[i]);
            return CONFIG_ERROR;
        }
        if (!strcmp(o->name, "-h"))
            return CONFIG_HELP;
        if (!strcmp(o->name, "--version"))
            return CONFIG_VERSION;
        const char *v = NULL;
        if (o->kind == OPT_ARG) {
            if (i + 1 >= argc) {
                snprintf(err, errlen, "%s: missing argument", o->name);
                return CONFIG_ERROR;
            }
            v = argv[++i];
        }
        if (apply(cfg, o->name, v, err, errlen))
            return CONFIG_ERROR;
    }
    if ((cfg->initrd || cfg->append) && !cfg->kernel) {
        snprintf(err, errlen, "-initrd/-append need -kernel");
        return CONFIG_ERROR;
    }
    return CONFIG_RUN;
}
