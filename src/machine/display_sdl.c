/*
 * display_sdl.c — the SDL2 window: shows the VGA frame and feeds keyboard
 * and mouse input to the i8042 (set-1 scancodes, see i8042.h).
 *
 * Refresh runs from a VM timer every 33 ms of virtual time, also limited
 * to ~30 frames per host second. Input: every SDL key is translated from
 * its USB HID usage (SDL_Scancode) to a set-1 make code; a click grabs the
 * mouse (relative mode), Ctrl+Alt releases it. Closing the window powers
 * the VM off. Without a host display (no DISPLAY/WAYLAND_DISPLAY, or SDL
 * video init fails) opening returns NULL after one info line.
 */
#include "machine/display.h"

#include <SDL.h>
#include <stdlib.h>

#include "devices/devices.h"
#include "devices/i8042.h"
#include "devices/vga.h"
#include "machine/vm.h"

#define DISPLAY_PERIOD_NS (NS_PER_SEC / 30)

struct DisplaySdl {
    VM *vm;
    VgaState *vga;
    I8042State *kbd;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    int tw, th;
    uint32_t *frame;
    Timer timer;
    int64_t last_host;
    bool grabbed;
};

/* SDL_Scancode (USB HID usage page 7) 0..100 to set-1 codes; 0xE0xx are
 * extended keys. */
static const uint16_t sdl_to_set1[101] = {
    [4] = 0x1E, 0x30, 0x2E, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17, 0x24, 0x25,
    0x26, 0x32, 0x31, 0x18, 0x19, 0x10, 0x13, 0x1F, 0x14, 0x16, 0x2F, 0x11,
    0x2D, 0x15, 0x2C,                                   /* A..Z */
    0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, /* 1..0 */
    0x1C, 0x01, 0x0E, 0x0F, 0x39, 0x0C, 0x0D, 0x1A, 0x1B, 0x2B, 0x2B, 0x27,
    0x28, 0x29, 0x33, 0x34, 0x35, 0x3A,                 /* Enter..Caps */
    0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x40, 0x41, 0x42, 0x43, 0x44, 0x57,
    0x58,                                               /* F1..F12 */
    0xE037, 0x46, 0xE11D, 0xE052, 0xE047, 0xE049, 0xE053, 0xE04F, 0xE051,
    0xE04D, 0xE04B, 0xE050, 0xE048,                     /* PrtSc..Up */
    0x45, 0xE035, 0x37, 0x4A, 0x4E, 0xE01C, 0x4F, 0x50, 0x51, 0x4B, 0x4C,
    0x4D, 0x47, 0x48, 0x49, 0x52, 0x53,                 /* keypad */
    0x56,                                               /* ISO \ */
};

/* Modifiers: SDL_SCANCODE_LCTRL (224) .. RGUI (231). */
static const uint16_t sdl_mod_to_set1[8] = {
    0x1D, 0x2A, 0x38, 0xE05B, 0xE01D, 0x36, 0xE038, 0xE05C,
};

static uint32_t display_keycode(SDL_Scancode sc)
{
    if ((unsigned)sc < sizeof(sdl_to_set1) / sizeof(sdl_to_set1[0]))
        return sdl_to_set1[sc];
    if (sc >= SDL_SCANCODE_LCTRL && sc <= SDL_SCANCODE_RGUI)
        return sdl_mod_to_set1[sc - SDL_SCANCODE_LCTRL];
    return 0;
}

static void display_grab(DisplaySdl *d, bool on)
{
    d->grabbed = on;
    SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE);
    SDL_SetWindowTitle(d->win, on ? "x86bt (Ctrl+Alt releases the mouse)"
                                  : "x86bt");
}

static void display_key(DisplaySdl *d, const SDL_KeyboardEvent *k)
{
    SDL_Keymod m = SDL_GetModState();
    if (d->grabbed && k->state == SDL_PRESSED && (m & KMOD_CTRL) &&
        (m & KMOD_ALT))
        display_grab(d, false);
    uint32_t code = display_keycode(k->keysym.scancode);
    if (code && d->kbd && !k->repeat)
        i8042_key_event(d->kbd, code, k->state == SDL_PRESSED);
}

static unsigned display_buttons(uint32_t state)
{
    return (state & SDL_BUTTON_LMASK ? 1u : 0) |
           (state & SDL_BUTTON_RMASK ? 2u : 0) |
           (state & SDL_BUTTON_MMASK ? 4u : 0);
}

static void display_event(DisplaySdl *d, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT:
        vm_poweroff(d->vm, 0);
        break;
    case SDL_KEYDOWN:
    case SDL_KEYUP:
        display_key(d, &e->key);
        break;
    case SDL_MOUSEMOTION:
        if (d->grabbed && d->kbd)
            i8042_mouse_event(d->kbd, e->motion.xrel, e->motion.yrel, 0,
                              display_buttons(e->motion.state));
        break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        if (!d->grabbed && e->type == SDL_MOUSEBUTTONDOWN)
            display_grab(d, true);
        else if (d->kbd)
            i8042_mouse_event(d->kbd, 0, 0, 0,
                              display_buttons(SDL_GetMouseState(NULL, NULL)));
        break;
    case SDL_MOUSEWHEEL:
        if (d->grabbed && d->kbd)
            i8042_mouse_event(d->kbd, 0, 0, -e->wheel.y,
                              display_buttons(SDL_GetMouseState(NULL, NULL)));
        break;
    default:
        break;
    }
}

static void display_present(DisplaySdl *d)
{
    int w, h;
    vga_render(d->vga, d->frame, &w, &h);
    if (w != d->tw || h != d->th || !d->tex) {
        if (d->tex)
            SDL_DestroyTexture(d->tex);
        d->tex = SDL_CreateTexture(d->ren, SDL_PIXELFORMAT_ARGB8888,
                                   SDL_TEXTUREACCESS_STREAMING, w, h);
        d->tw = w;
        d->th = h;
        SDL_SetWindowSize(d->win, w < 640 ? w * 2 : w, h < 400 ? h * 2 : h);
    }
    if (!d->tex)
        return;
    SDL_UpdateTexture(d->tex, NULL, d->frame, w * 4);
    SDL_RenderClear(d->ren);
    SDL_RenderCopy(d->ren, d->tex, NULL, NULL);
    SDL_RenderPresent(d->ren);
}

static void display_tick(void *opaque)
{
    DisplaySdl *d = opaque;
    SDL_Event e;
    while (SDL_PollEvent(&e))
        display_event(d, &e);
    int64_t now = clock_host_ns();
    if (now - d->last_host >= DISPLAY_PERIOD_NS * 9 / 10) {
        d->last_host = now;
        display_present(d);
    }
    timer_mod(&d->timer, clock_now(&d->vm->clock) + DISPLAY_PERIOD_NS);
}

DisplaySdl *display_sdl_open(VM *vm, VgaState *vga)
{
    if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY")) {
        log_msg(&vm->log, LOG_INFO | LOG_ERROR,
                "x86bt: no host display; running with -display none\n");
        return NULL;
    }
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        log_msg(&vm->log, LOG_INFO | LOG_ERROR,
                "x86bt: SDL: %s; running with -display none\n",
                SDL_GetError());
        return NULL;
    }
    DisplaySdl *d = calloc(1, sizeof(*d));
    if (d)
        d->frame = malloc((size_t)VGA_MAX_WIDTH * VGA_MAX_HEIGHT * 4);
    if (d && d->frame)
        d->win = SDL_CreateWindow("x86bt", SDL_WINDOWPOS_UNDEFINED,
                                  SDL_WINDOWPOS_UNDEFINED, 720, 400,
                                  SDL_WINDOW_RESIZABLE);
    if (d && d->win)
        d->ren = SDL_CreateRenderer(d->win, -1, 0);
    if (!d || !d->ren) {
        log_msg(&vm->log, LOG_INFO | LOG_ERROR,
                "x86bt: SDL window: %s; running with -display none\n",
                SDL_GetError());
        display_sdl_close(d);
        return NULL;
    }
    d->vm = vm;
    d->vga = vga;
    d->kbd = vm_find_device(vm, &i8042_device);
    timer_init(&d->timer, &vm->clock, display_tick, d);
    timer_mod(&d->timer, DISPLAY_PERIOD_NS);
    return d;
}

void display_sdl_close(DisplaySdl *d)
{
    if (!d)
        return;
    if (d->vm)
        timer_del(&d->timer);
    if (d->tex)
        SDL_DestroyTexture(d->tex);
    if (d->ren)
        SDL_DestroyRenderer(d->ren);
    if (d->win)
        SDL_DestroyWindow(d->win);
    free(d->frame);
    free(d);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
}
