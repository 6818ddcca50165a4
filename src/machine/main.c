/*
 * main.c — the x86bt command: parse options, build the VM, run it.
 * Exit status: the guest's (power-off / debug-exit), 2 on bad usage or
 * unreadable files, 1 if the machine cannot be built.
 */
#include <stdio.h>
#include <string.h>

#include "machine/config.h"
#include "machine/vm.h"

int main(int argc, char **argv)
{
    VMConfig cfg;
    char err[512] = "";
    vm_config_defaults(&cfg);
    switch (config_parse(argc, argv, &cfg, err, sizeof(err))) {
    case CONFIG_HELP:
        config_usage(stdout);
        return 0;
    case CONFIG_VERSION:
        printf("x86bt %s\n", X86BT_VERSION);
        return 0;
    case CONFIG_ERROR:
        fprintf(stderr, "x86bt: %s\n", err);
        return 2;
    case CONFIG_RUN:
        break;
    }
    VM *vm = vm_create(&cfg, err, sizeof(err));
    if (!vm) {
        fprintf(stderr, "x86bt: %s\n", err);
        return 1;
    }
    int status = vm_run(vm);
    fflush(stdout);
    vm_destroy(vm);
    return status;
}
