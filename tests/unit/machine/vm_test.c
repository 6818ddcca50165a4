/* Unit tests for src/machine/vm.c and device.c: two independent VMs in
 * one process, device save/load round trip, requests. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "machine/vm.h"

static VM *make_vm(uint64_t mb)
{
    VMConfig cfg;
    char err[256] = "";
    vm_config_defaults(&cfg);
    cfg.ram_mb = mb;
    cfg.bios = "build/test-bios.bin";
    cfg.icount_shift = 0;
    VM *vm = vm_create(&cfg, err, sizeof(err));
    ck_assert_msg(vm != NULL, "vm_create: %s", err);
    return vm;
}

static void write_bios(void)
{
    uint8_t img[65536];
    memset(img, 0xF4, sizeof(img)); /* hlt */
    FILE *f = fopen("build/test-bios.bin", "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(img, 1, sizeof(img), f);
    fclose(f);
}

START_TEST(two_vms_are_independent)
{
    write_bios();
    VM *a = make_vm(8), *b = make_vm(16);
    uint32_t va = 0x11111111, vb = 0x22222222, r;
    phys_write(&a->mem, 0x1000, &va, 4);
    phys_write(&b->mem, 0x1000, &vb, 4);
    phys_read(&a->mem, 0x1000, &r, 4);
    ck_assert_uint_eq(r, va);
    phys_read(&b->mem, 0x1000, &r, 4);
    ck_assert_uint_eq(r, vb);
    /* the exit port powers off only its own VM */
    io_write(&a->io, 0xF4, 3, 1);
    ck_assert(a->requests & VM_REQ_POWEROFF);
    ck_assert_int_eq(a->exit_status, 7);
    ck_assert(!(b->requests & VM_REQ_POWEROFF));
    ck_assert_int_eq(vm_run(a), 7);
    vm_destroy(a);
    vm_destroy(b);
}
END_TEST

START_TEST(bad_bios_is_clear_error)
{
    VMConfig cfg;
    char err[256] = "";
    vm_config_defaults(&cfg);
    cfg.bios = "/dev/null";
    ck_assert_ptr_null(vm_create(&cfg, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "-bios"));
}
END_TEST

typedef struct Dummy {
    uint32_t a;
    uint8_t arr[5];
    Timer t;
    int post_loads;
} Dummy;

static void dummy_cb(void *o)
{
    (void)o;
}

static int dummy_post_load(void *s)
{
    ((Dummy *)s)->post_loads++;
    return 0;
}

static const StateField dummy_fields[] = {
    STATE_FIELD(Dummy, a),
    STATE_FIELD(Dummy, arr),
    STATE_TIMER_FIELD(Dummy, t),
    STATE_END,
};

static const DeviceInfo dummy_device = {
    .name = "dummy",
    .state_size = sizeof(Dummy),
    .state_version = 2,
    .fields = dummy_fields,
    .post_load = dummy_post_load,
};

START_TEST(save_load_roundtrip)
{
    Clock c;
    clock_init(&c, true, 0);
    Dummy src = {.a = 0xCAFEBABE, .arr = {1, 2, 3, 4, 5}}, dst = {0};
    timer_init(&src.t, &c, dummy_cb, &src);
    timer_init(&dst.t, &c, dummy_cb, &dst);
    timer_mod(&src.t, 12345);
    Device ds = {&dummy_device, &src, NULL}, dd = {&dummy_device, &dst, NULL};
    FILE *f = tmpfile();
    ck_assert_int_eq(device_save(&ds, f), 0);
    rewind(f);
    ck_assert_int_eq(device_load(&dd, f), 0);
    ck_assert_uint_eq(dst.a, 0xCAFEBABE);
    ck_assert_uint_eq(dst.arr[4], 5);
    ck_assert(timer_pending(&dst.t));
    ck_assert_int_eq(dst.t.expire, 12345);
    ck_assert_int_eq(dst.post_loads, 1);
    /* A truncated stream is an error, not a crash. */
    char head[12];
    rewind(f);
    ck_assert_uint_eq(fread(head, 1, sizeof(head), f), sizeof(head));
    FILE *g = tmpfile();
    fwrite(head, 1, sizeof(head), g);
    rewind(g);
    ck_assert_int_ne(device_load(&dd, g), 0);
    fclose(g);
    fclose(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vm");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, two_vms_are_independent);
    tcase_add_test(tc, bad_bios_is_clear_error);
    tcase_add_test(tc, save_load_roundtrip);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
