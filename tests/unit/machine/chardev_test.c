/*
 * chardev_test.c — host serial backends: file output and the Unix socket
 * server (one client, reconnect after hang-up).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "machine/chardev.h"

static Log log_;

static int connect_unix(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

START_TEST(test_unix_socket)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/x86bt-chr-%d.sock", (int)getpid());
    Chardev c;
    log_init(&log_, 0);
    ck_assert_int_eq(chardev_open(&c, "none", &log_), 0);
    ck_assert(!chardev_has_input(&c));
    chardev_close(&c);
    char spec[80];
    snprintf(spec, sizeof(spec), "unix:%s", path);
    ck_assert_int_eq(chardev_open(&c, spec, &log_), 0);
    ck_assert(chardev_has_input(&c));
    uint8_t buf[16];
    ck_assert_uint_eq(chardev_read(&c, buf, sizeof(buf)), 0);
    int fd = connect_unix(path);
    ck_assert_uint_eq(chardev_read(&c, buf, sizeof(buf)), 0); /* accepts */
    ck_assert_int_eq(write(fd, "hi", 2), 2);
    ck_assert_uint_eq(chardev_read(&c, buf, sizeof(buf)), 2);
    ck_assert_int_eq(memcmp(buf, "hi", 2), 0);
    chardev_write(&c, (const uint8_t *)"yo", 2);
    ck_assert_int_eq(read(fd, buf, 2), 2);
    ck_assert_int_eq(memcmp(buf, "yo", 2), 0);
    close(fd);
    ck_assert_uint_eq(chardev_read(&c, buf, sizeof(buf)), 0); /* hang-up */
    fd = connect_unix(path);
    chardev_read(&c, buf, sizeof(buf));
    ck_assert_int_eq(write(fd, "!", 1), 1);
    ck_assert_uint_eq(chardev_read(&c, buf, sizeof(buf)), 1);
    close(fd);
    chardev_close(&c);
    ck_assert_int_ne(access(path, F_OK), 0); /* socket file removed */
}
END_TEST

START_TEST(test_bad_spec)
{
    Chardev c;
    log_init(&log_, 0);
    ck_assert_int_lt(chardev_open(&c, "bogus", &log_), 0);
    ck_assert_int_lt(chardev_open(&c, "file:/nonexistent/dir/x", &log_), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("chardev");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_unix_socket);
    tcase_add_test(tc, test_bad_spec);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
