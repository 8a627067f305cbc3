/* test_holder.c - a process's identity, and telling a live holder from a dead one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/holder.h"

static void test_self_is_alive_and_stable(void **state)
{
    (void)state;
    const char *me = holder_self();
    assert_non_null(strchr(me, '#'));
    assert_string_equal(me, holder_self());
    assert_int_equal(holder_alive(me), 1);
}

/* An identity on this machine for pid with start time start ("0": not known). */
static void identity_of(char *out, size_t n, long pid, const char *start)
{
    char machine[HOLDER_MAX];
    snprintf(machine, sizeof(machine), "%s", holder_self());
    for (int i = 0; i < 3; i++)
        *strrchr(machine, '#') = '\0';
    snprintf(out, n, "%s#%ld#%s#0123abcd", machine, pid, start);
}

static void test_another_process_alive_then_dead(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        pause();
        _exit(0);
    }
    char id[HOLDER_MAX + 64];
    identity_of(id, sizeof(id), (long)pid, "0"); /* no start time: kill(pid, 0) decides */
    assert_int_equal(holder_alive(id), 1);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    assert_int_equal(holder_alive(id), 0);
}

static void test_start_time_tells_a_reused_pid(void **state)
{
    (void)state;
    char mine[HOLDER_MAX], id[HOLDER_MAX + 64];
    snprintf(mine, sizeof(mine), "%s", holder_self());
    *strrchr(mine, '#') = '\0';
    const char *start = strrchr(mine, '#') + 1;
    assert_string_not_equal(start, "0"); /* /proc is there */
    identity_of(id, sizeof(id), (long)getpid(), start);
    assert_int_equal(holder_alive(id), 1); /* this process, another token: still alive */
    identity_of(id, sizeof(id), (long)getpid(), "1");
    assert_int_equal(holder_alive(id), 0); /* this pid, another start: a reused pid */
}

static void test_other_machine_is_unknown(void **state)
{
    (void)state;
    assert_int_equal(holder_alive("elsewhere:boot:pid:[1]#42#1000#cafe"), -1);
    assert_int_equal(holder_alive("garbage"), -1);
    assert_int_equal(holder_alive(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_self_is_alive_and_stable),
        cmocka_unit_test(test_another_process_alive_then_dead),
        cmocka_unit_test(test_start_time_tells_a_reused_pid),
        cmocka_unit_test(test_other_machine_is_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
