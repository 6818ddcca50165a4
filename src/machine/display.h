/*
 * display.h — host display backends for the VGA device.
 *
 * SDL2 (display_sdl.c): a window showing vga_render()'s frame, refreshed
 * about 30 times a second from a timer, with keyboard and mouse input fed
 * to the i8042. Opening fails quietly (one info line) when there is no
 * host display, and the VM then runs as with -display none.
 */
#ifndef X86BT_DISPLAY_H
#define X86BT_DISPLAY_H

struct VM;
struct VgaState;
typedef struct DisplaySdl DisplaySdl;

/* Open the window; NULL when SDL or the host display is unavailable. */
DisplaySdl *display_sdl_open(struct VM *vm, struct VgaState *vga);
void display_sdl_close(DisplaySdl *d);

#endif
