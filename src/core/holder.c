/*
 * core/holder.c - this process's identity, and whether another identity's process lives.
 *
 * The identity is "MACHINE#PID#START#TOKEN": MACHINE is the host name, the kernel's boot id
 * and the pid namespace, so two containers or two boots never look alike; START is the
 * process's start time in clock ticks since boot (/proc/PID/stat, field 22), so a pid
 * reused by another process is not mistaken for the holder. Linux's /proc is read; without
 * it, kill(pid, 0) says whether the pid exists.
 */
#include "core/holder.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/crypto.h"

static char self[HOLDER_MAX];
static char machine[HOLDER_MAX];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The first line of a small file, without its newline; "" when it cannot be read. */
static void first_line(const char *path, char *out, size_t n)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    if (fgets(out, (int)n, f) == NULL)
        out[0] = '\0';
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
}

/* The start time of pid in clock ticks since boot; 0 when /proc does not tell. */
static unsigned long long start_of(long pid)
{
    char path[64], line[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    first_line(path, line, sizeof(line));
    /* the command name (field 2) may hold spaces and parentheses: read after the last ')' */
    const char *p = strrchr(line, ')');
    if (p == NULL)
        return 0;
    unsigned long long start = 0;
    /* after ")" come state (field 3) ... starttime (field 22), one space apart */
    int field = 2;
    for (p++; *p && field < 22; p++)
        if (*p == ' ')
            field++;
    if (field == 22)
        start = strtoull(p, NULL, 10);
    return start;
}

static void compute(void)
{
    char host[64] = "", boot[64], ns[64] = "";
    gethostname(host, sizeof(host) - 1);
    host[strcspn(host, "#")] = '\0';
    first_line("/proc/sys/kernel/random/boot_id", boot, sizeof(boot));
    ssize_t len = readlink("/proc/self/ns/pid", ns, sizeof(ns) - 1);
    ns[len > 0 ? len : 0] = '\0';
    snprintf(machine, sizeof(machine), "%.63s:%.40s:%.40s", host, boot, ns);
    char token[17];
    random_hex(8, token);
    long pid = (long)getpid();
    snprintf(self, sizeof(self), "%.150s#%ld#%llu#%s", machine, pid, start_of(pid), token);
}

const char *holder_self(void)
{
    pthread_once(&once, compute);
    return self;
}

int holder_alive(const char *id)
{
    holder_self();
    if (id == NULL)
        return -1;
    if (strcmp(id, self) == 0)
        return 1;
    /* from the right: TOKEN, START, PID; the rest is the machine */
    char copy[HOLDER_MAX];
    snprintf(copy, sizeof(copy), "%s", id);
    char *token = strrchr(copy, '#');
    if (token == NULL)
        return -1;
    *token = '\0';
    char *start = strrchr(copy, '#');
    if (start == NULL)
        return -1;
    *start++ = '\0';
    char *pid_text = strrchr(copy, '#');
    if (pid_text == NULL)
        return -1;
    *pid_text++ = '\0';
    if (strcmp(copy, machine) != 0)
        return -1;
    char *end;
    long pid = strtol(pid_text, &end, 10);
    if (*end || pid <= 0)
        return -1;
    unsigned long long want = strtoull(start, NULL, 10);
    if (want != 0) {
        unsigned long long now = start_of(pid);
        return now != 0 && now == want;
    }
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}
