/* Unit tests for src/machine/config.c: QEMU-like options, one-line
 * errors for bad options and unreadable files. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "machine/config.h"

static ConfigAction parse(VMConfig *cfg, char *err, int argc, char **argv)
{
    vm_config_defaults(cfg);
    err[0] = 0;
    return config_parse(argc, argv, cfg, err, 256);
}

#define ARGV(...) (char *[]){"x86bt", __VA_ARGS__}
#define ARGC(...) (int)(sizeof((char *[]){"x86bt", __VA_ARGS__}) / sizeof(char *))
#define PARSE(cfg, err, ...) parse(cfg, err, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

START_TEST(defaults)
{
    VMConfig cfg;
    char err[256];
    ck_assert_int_eq(parse(&cfg, err, 1, (char *[]){"x86bt"}), CONFIG_RUN);
    ck_assert_uint_eq(cfg.ram_mb, 64);
    ck_assert(cfg.jit);
    ck_assert_int_eq(cfg.icount_shift, -1);
}
END_TEST

START_TEST(good_options)
{
    VMConfig cfg;
    char err[256];
    ck_assert_int_eq(PARSE(&cfg, err, "-m", "256", "-jit", "off", "-icount",
                           "3", "-boot", "dc", "-nographic", "-serial",
                           "stdio", "-serial", "file:/tmp/x", "-trace",
                           "int,io", "-bios", "/dev/null"),
                     CONFIG_RUN);
    ck_assert_uint_eq(cfg.ram_mb, 256);
    ck_assert(!cfg.jit);
    ck_assert_int_eq(cfg.icount_shift, 3);
    ck_assert_str_eq(cfg.boot, "dc");
    ck_assert_str_eq(cfg.display, "none");
    ck_assert_str_eq(cfg.serial[1], "file:/tmp/x");
    ck_assert(cfg.trace_mask != 0);
    ck_assert_int_eq(PARSE(&cfg, err, "-m", "1G"), CONFIG_RUN);
    ck_assert_uint_eq(cfg.ram_mb, 1024);
}
END_TEST

START_TEST(help_and_version)
{
    VMConfig cfg;
    char err[256];
    ck_assert_int_eq(PARSE(&cfg, err, "--help"), CONFIG_HELP);
    ck_assert_int_eq(PARSE(&cfg, err, "-h"), CONFIG_HELP);
    ck_assert_int_eq(PARSE(&cfg, err, "--version"), CONFIG_VERSION);
}
END_TEST

static void expect_error(int argc, char **argv, const char *needle)
{
    VMConfig cfg;
    char err[256];
    ck_assert_int_eq(parse(&cfg, err, argc, argv), CONFIG_ERROR);
    ck_assert_msg(strstr(err, needle), "error '%s' lacks '%s'", err, needle);
    ck_assert_ptr_null(strchr(err, '\n')); /* one line */
}

START_TEST(rtc_base)
{
    /* -rtc base=DATETIME fixes the RTC start; base=utc is the default. */
    VMConfig cfg;
    char err[256];
    ck_assert_int_eq(PARSE(&cfg, err, "-rtc", "base=2000-01-01T00:00:00"),
                     CONFIG_RUN);
    ck_assert_str_eq(cfg.rtc_base, "2000-01-01T00:00:00");
    ck_assert_int_eq(PARSE(&cfg, err, "-rtc", "base=utc"), CONFIG_RUN);
    ck_assert_ptr_null(cfg.rtc_base);
    ck_assert_int_eq(PARSE(&cfg, err, "-rtc", "base=2000-13-01T00:00:00"),
                     CONFIG_ERROR);
    ck_assert_ptr_nonnull(strstr(err, "-rtc"));
    ck_assert_int_eq(PARSE(&cfg, err, "-rtc", "localtime"), CONFIG_ERROR);
}
END_TEST

START_TEST(boot_and_sendkey)
{
    /* -boot takes QEMU's order=/menu=/splash-time= items; -sendkey-at is
     * repeatable, with its keys checked at parse time. */
    VMConfig cfg;
    char err[256];
    ck_assert_int_eq(PARSE(&cfg, err, "-boot", "d,menu=on,splash-time=5000"),
                     CONFIG_RUN);
    ck_assert_str_eq(cfg.boot, "d");
    ck_assert(cfg.boot_menu);
    ck_assert_int_eq(cfg.boot_menu_ms, 5000);
    ck_assert_int_eq(PARSE(&cfg, err, "-boot", "order=ca,menu=off"),
                     CONFIG_RUN);
    ck_assert_str_eq(cfg.boot, "ca");
    ck_assert(!cfg.boot_menu);
    ck_assert_int_eq(cfg.boot_menu_ms, -1);
    ck_assert_int_eq(PARSE(&cfg, err, "-boot", "menu=on"), CONFIG_RUN);
    ck_assert_str_eq(cfg.boot, "cad");
    ck_assert(cfg.boot_menu);
    ck_assert_int_eq(PARSE(&cfg, err, "-sendkey-at", "1.5:esc",
                           "-sendkey-at", "0:ctrl-alt-delete,a,ret"),
                     CONFIG_RUN);
    ck_assert_uint_eq(cfg.nsendkey, 2);
    ck_assert_int_eq(cfg.sendkey[0].ns, 1500000000);
    ck_assert_str_eq(cfg.sendkey[0].keys, "esc");
    ck_assert_int_eq(cfg.sendkey[1].ns, 0);
}
END_TEST

START_TEST(errors)
{
    expect_error(ARGC("-boot", "c,menu=maybe"), ARGV("-boot", "c,menu=maybe"),
                 "-boot");
    expect_error(ARGC("-boot", "menu=on,c"), ARGV("-boot", "menu=on,c"),
                 "-boot");
    expect_error(ARGC("-boot", "splash-time=70000"),
                 ARGV("-boot", "splash-time=70000"), "-boot");
    expect_error(ARGC("-boot", "cadnc"), ARGV("-boot", "cadnc"), "-boot");
    expect_error(ARGC("-sendkey-at", "1:esc,nokey"),
                 ARGV("-sendkey-at", "1:esc,nokey"), "unknown key 'nokey'");
    expect_error(ARGC("-sendkey-at", "esc"), ARGV("-sendkey-at", "esc"),
                 "SECONDS:KEYS");
    expect_error(ARGC("-sendkey-at", "1:a,,b"), ARGV("-sendkey-at", "1:a,,b"),
                 "unknown key ''");
    expect_error(ARGC("-m", "0"), ARGV("-m", "0"), "-m");
    expect_error(ARGC("-m", "99999"), ARGV("-m", "99999"), "-m");
    expect_error(ARGC("-m", "-5"), ARGV("-m", "-5"), "-m");
    expect_error(ARGC("-m"), ARGV("-m"), "missing argument");
    expect_error(ARGC("-frobnicate"), ARGV("-frobnicate"), "unknown option");
    expect_error(ARGC("-hda", "/no/such/disk.img"),
                 ARGV("-hda", "/no/such/disk.img"), "cannot open");
    expect_error(ARGC("-kernel", "/no/such/vmlinuz"),
                 ARGV("-kernel", "/no/such/vmlinuz"), "-kernel");
    expect_error(ARGC("-jit", "maybe"), ARGV("-jit", "maybe"), "-jit");
    expect_error(ARGC("-boot", "z"), ARGV("-boot", "z"), "-boot");
    expect_error(ARGC("-icount", "11"), ARGV("-icount", "11"), "-icount");
    expect_error(ARGC("-trace", "bogus"), ARGV("-trace", "bogus"), "-trace");
    expect_error(ARGC("-serial", "tcp:1"), ARGV("-serial", "tcp:1"),
                 "-serial");
    expect_error(ARGC("-display", "gtk"), ARGV("-display", "gtk"),
                 "-display");
    expect_error(ARGC("-append", "x"), ARGV("-append", "x"), "-kernel");
    expect_error(ARGC("-serial", "none", "-serial", "none", "-serial", "none"),
                 ARGV("-serial", "none", "-serial", "none", "-serial",
                      "none"),
                 "two");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, good_options);
    tcase_add_test(tc, help_and_version);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, rtc_base);
    tcase_add_test(tc, boot_and_sendkey);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
