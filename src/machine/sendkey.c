/*
 * sendkey.c — scripted keyboard input for -sendkey-at (see sendkey.h).
 *
 * The options become one list of timed key events, delivered by one timer
 * on the virtual clock to the i8042's keyboard exactly as the SDL window
 * delivers real key transitions (i8042_key_event). Codes are set-1 make
 * codes, 0xE0xx for E0-prefixed keys (IBM PS/2 Hardware Interface
 * Technical Reference, "Keyboard", scan code set 1).
 */
#include "machine/sendkey.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/i8042.h"
#include "machine/vm.h"

#define KEY_SHIFT 0x2A

typedef struct KeyName {
    const char *name;
    uint32_t code;
} KeyName;

/* QEMU's sendkey names for keys that are not one printable character. */
static const KeyName key_names[] = {
    {"esc", 0x01},         {"backspace", 0x0E},  {"tab", 0x0F},
    {"ret", 0x1C},         {"ctrl", 0x1D},       {"shift", 0x2A},
    {"shift_r", 0x36},     {"alt", 0x38},        {"spc", 0x39},
    {"caps_lock", 0x3A},   {"f1", 0x3B},         {"f2", 0x3C},
    {"f3", 0x3D},          {"f4", 0x3E},         {"f5", 0x3F},
    {"f6", 0x40},          {"f7", 0x41},         {"f8", 0x42},
    {"f9", 0x43},          {"f10", 0x44},        {"num_lock", 0x45},
    {"scroll_lock", 0x46}, {"f11", 0x57},        {"f12", 0x58},
    {"minus", 0x0C},       {"equal", 0x0D},      {"comma", 0x33},
    {"dot", 0x34},         {"slash", 0x35},      {"asterisk", 0x37},
    {"ctrl_r", 0xE01D},    {"alt_r", 0xE038},    {"kp_enter", 0xE01C},
    {"home", 0xE047},      {"up", 0xE048},       {"pgup", 0xE049},
    {"left", 0xE04B},      {"right", 0xE04D},    {"end", 0xE04F},
    {"down", 0xE050},      {"pgdn", 0xE051},     {"insert", 0xE052},
    {"delete", 0xE053},
};

/* US layout: the characters of each key row, unshifted and shifted, from
 * the key whose make code is `first`. */
typedef struct KeyRow {
    uint8_t first;
    const char *plain, *shifted;
} KeyRow;

static const KeyRow key_rows[] = {
    {0x02, "1234567890-=", "!@#$%^&*()_+"},
    {0x10, "qwertyuiop[]", "QWERTYUIOP{}"},
    {0x1E, "asdfghjkl;'`", "ASDFGHJKL:\"~"},
    {0x2B, "\\zxcvbnm,./", "|ZXCVBNM<>?"},
};

/* One key of a stroke: a name or a single character. Returns the code
 * (0 if unknown); *shift is set when the character needs shift. */
static uint32_t key_lookup(const char *s, size_t len, bool *shift)
{
    *shift = false;
    for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
        if (strlen(key_names[i].name) == len &&
            !memcmp(key_names[i].name, s, len))
            return key_names[i].code;
    if (len != 1)
        return 0;
    if (s[0] == ' ')
        return 0x39;
    if (!s[0])
        return 0;
    for (size_t r = 0; r < sizeof(key_rows) / sizeof(key_rows[0]); r++) {
        const char *p = strchr(key_rows[r].plain, s[0]);
        const char *q = strchr(key_rows[r].shifted, s[0]);
        if (p)
            return key_rows[r].first + (uint32_t)(p - key_rows[r].plain);
        if (q) {
            *shift = true;
            return key_rows[r].first + (uint32_t)(q - key_rows[r].shifted);
        }
    }
    return 0;
}

static void put_event(SendKeyEvent *ev, size_t max, int n, uint32_t code,
                      bool down)
{
    if (ev && (size_t)n < max) {
        ev[n].keycode = code;
        ev[n].down = down;
    }
}

/* One stroke "[mod-]...key" of len bytes: its keys down, then up in
 * reverse order. Returns the events added or -1. */
static int parse_stroke(const char *s, size_t len, SendKeyEvent *ev,
                        size_t max, int n)
{
    uint32_t codes[SENDKEY_MAX_COMBO];
    unsigned nc = 0;
    size_t pos = 0;
    while (pos < len) {
        /* A '-' right at the start of a key is the minus key itself. */
        const char *dash = memchr(s + pos + 1, '-', len - pos - 1);
        size_t klen = dash ? (size_t)(dash - (s + pos)) : len - pos;
        bool shift;
        uint32_t code = key_lookup(s + pos, klen, &shift);
        if (!code || nc + (shift ? 2u : 1u) > SENDKEY_MAX_COMBO ||
            (dash && dash + 1 == s + len))
            return -1;
        if (shift)
            codes[nc++] = KEY_SHIFT;
        codes[nc++] = code;
        pos += klen + (dash ? 1 : 0);
    }
    if (!nc)
        return -1;
    int added = 0;
    for (unsigned i = 0; i < nc; i++)
        put_event(ev, max, n + added++, codes[i], true);
    for (unsigned i = nc; i-- > 0;)
        put_event(ev, max, n + added++, codes[i], false);
    return added;
}

int sendkey_parse(const char *keys, SendKeyEvent *ev, size_t max, char *bad,
                  size_t badlen)
{
    int n = 0;
    const char *p = keys;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        int added = parse_stroke(p, len, ev, max, n);
        if (added < 0) {
            if (bad && badlen)
                snprintf(bad, badlen, "%.*s", (int)len, p);
            return -1;
        }
        n += added;
        if (!comma)
            return n;
        p = comma + 1;
    }
}

typedef struct TimedKey {
    int64_t at;
    SendKeyEvent ev;
} TimedKey;

struct SendKeyQueue {
    VM *vm;
    Timer timer;
    TimedKey *keys;
    size_t n, next;
};

static void sendkey_fire(void *opaque)
{
    SendKeyQueue *q = opaque;
    I8042State *kbc = vm_find_device(q->vm, &i8042_device);
    int64_t now = clock_now(&q->vm->clock);
    while (q->next < q->n && q->keys[q->next].at <= now) {
        const SendKeyEvent *e = &q->keys[q->next++].ev;
        if (kbc)
            i8042_key_event(kbc, e->keycode, e->down);
    }
    if (q->next < q->n)
        timer_mod(&q->timer, q->keys[q->next].at);
}

/* Options in time order (a stable insertion sort of their indices). */
static void sendkey_order(const VMConfig *cfg, unsigned *idx)
{
    for (unsigned i = 0; i < cfg->nsendkey; i++) {
        unsigned j = i;
        while (j > 0 && cfg->sendkey[idx[j - 1]].ns > cfg->sendkey[i].ns) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = i;
    }
}

int sendkey_start(VM *vm)
{
    const VMConfig *cfg = &vm->cfg;
    if (!cfg->nsendkey)
        return 0;
    size_t total = 0;
    for (unsigned i = 0; i < cfg->nsendkey; i++) {
        int n = sendkey_parse(cfg->sendkey[i].keys, NULL, 0, NULL, 0);
        if (n < 0)
            return -EINVAL;
        total += (size_t)n;
    }
    SendKeyQueue *q = calloc(1, sizeof(*q));
    if (!q || !(q->keys = calloc(total, sizeof(*q->keys)))) {
        free(q);
        return -ENOMEM;
    }
    SendKeyEvent *ev = calloc(total, sizeof(*ev));
    if (!ev) {
        free(q->keys);
        free(q);
        return -ENOMEM;
    }
    unsigned idx[VM_MAX_SENDKEY];
    sendkey_order(cfg, idx);
    int64_t t = 0;
    for (unsigned i = 0; i < cfg->nsendkey; i++) {
        const VMSendKey *sk = &cfg->sendkey[idx[i]];
        int n = sendkey_parse(sk->keys, ev, total, NULL, 0);
        /* A later option waits for the events of an earlier one. */
        if (t < sk->ns)
            t = sk->ns;
        for (int k = 0; k < n; k++, t += SENDKEY_STEP_NS) {
            q->keys[q->n].at = t;
            q->keys[q->n++].ev = ev[k];
        }
    }
    free(ev);
    q->vm = vm;
    timer_init(&q->timer, &vm->clock, sendkey_fire, q);
    timer_mod(&q->timer, q->keys[0].at);
    vm->sendkey = q;
    return 0;
}

void sendkey_stop(VM *vm)
{
    SendKeyQueue *q = vm->sendkey;
    if (!q)
        return;
    timer_del(&q->timer);
    free(q->keys);
    free(q);
    vm->sendkey = NULL;
}
