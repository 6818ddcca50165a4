/*
 * config.h — the command line (QEMU-like options) into a VMConfig.
 */
#ifndef X86BT_CONFIG_H
#define X86BT_CONFIG_H

#include <stddef.h>

#include "machine/vm.h"

typedef enum ConfigAction {
    CONFIG_RUN,     /* start the VM */
    CONFIG_HELP,    /* print usage, exit 0 */
    CONFIG_VERSION, /* print version, exit 0 */
    CONFIG_ERROR,   /* err holds one line; exit 2 */
} ConfigAction;

#define X86BT_VERSION "0.1.0"

/* Parse argv into cfg (which the caller initialised with
 * vm_config_defaults). Files named by options must be readable (and disk
 * images writable unless the file is read-only by permission). Nothing is
 * opened for writing or modified here. */
ConfigAction config_parse(int argc, char **argv, VMConfig *cfg, char *err,
                          size_t errlen);
void config_usage(FILE *out);

#endif
