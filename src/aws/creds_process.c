/*
 * Credentials from a profile's credential_process: the command runs with the
 * shell and prints a JSON credential document on its standard output
 * (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html).
 *
 * The shell runs in a process group of its own, with stdin from /dev/null, so
 * that a stop (SIGINT/SIGTERM) or the time-out can end it together with
 * whatever it started: a command that hangs never holds the program.
 */
#define _GNU_SOURCE /* pipe2: both ends close-on-exec from the start, whatever other threads spawn */

#include "aws/creds_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/cancel.h"
#include "util/str.h"

extern char **environ;

#define TIMEOUT_ENV       "IMGAUDIT_CREDENTIAL_PROCESS_TIMEOUT"
#define DEFAULT_TIMEOUT_S 60
#define MAX_TIMEOUT_S     3600
#define MAX_OUTPUT_BYTES  (64 * 1024)
/* How often a stop and the time-out are looked at while the process runs. */
#define POLL_MS 50
/* How long the process group has to exit after SIGTERM before SIGKILL. */
#define KILL_GRACE_MS 500

typedef struct process_ctx {
    char *command;
    long timeout_s;
} process_ctx;

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/*
 * Starts /bin/sh -c command as the leader of a new process group, its stdout
 * a pipe whose read end goes to *out_fd (owned: close), its stdin /dev/null.
 * The signals the program handles or ignores (SIGPIPE) are reset to their
 * defaults in the child, and none is blocked.
 */
static int spawn_shell(const char *command, pid_t *pid, int *out_fd, ia_err *err)
{
    char *argv[] = {"sh", "-c", (char *)command, NULL};
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    sigset_t none, defaults;
    int fds[2], rc;

    if (pipe2(fds, O_CLOEXEC) != 0)
        return err_set(err, IA_ERR_CREDS, "credential_process could not be started: %s", strerror(errno));
    posix_spawn_file_actions_init(&actions);
    /* The copy on stdout is not close-on-exec; the pipe's own descriptors are. */
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setpgroup(&attr, 0);
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    rc = posix_spawn(pid, "/bin/sh", &actions, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return err_set(err, IA_ERR_CREDS, "credential_process could not be started: %s", strerror(rc));
    }
    *out_fd = fds[0];
    return 0;
}

/* Ends the process group led by pid (SIGTERM, then SIGKILL for what is left) and reaps its leader. */
static void kill_group(pid_t pid)
{
    bool reaped = false;

    kill(-pid, SIGTERM);
    for (long waited = 0; waited < KILL_GRACE_MS && !reaped; waited += 10) {
        reaped = waitpid(pid, NULL, WNOHANG) == pid;
        if (!reaped)
            sleep_ms(10);
    }
    /* Also when the leader is gone: a child it left behind may ignore SIGTERM. */
    kill(-pid, SIGKILL);
    if (!reaped)
        waitpid(pid, NULL, 0);
}

/*
 * Reads pid's output from fd into output until the process has closed it and
 * exited (*status), a stop is asked for (IA_ERR_CANCELLED) or timeout_s
 * passes. On failure the process may still run.
 */
static int wait_output(pid_t pid, int fd, long timeout_s, buf *output, int *status, ia_err *err)
{
    long deadline_ms = now_ms() + timeout_s * 1000L;
    char chunk[4096];
    bool open = true;
    int rc = -1;

    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        ssize_t n;

        if (cancel_requested()) {
            err_set(err, IA_ERR_CANCELLED, "interrupted");
            break;
        }
        if (now_ms() >= deadline_ms) {
            err_set(err, IA_ERR_CREDS, "credential_process did not finish within %ld s", timeout_s);
            break;
        }
        if (!open) {
            pid_t w = waitpid(pid, status, WNOHANG);

            if (w == pid) {
                rc = 0;
                break;
            }
            if (w < 0 && errno != EINTR) {
                err_set(err, IA_ERR_CREDS, "credential_process: %s", strerror(errno));
                break;
            }
            sleep_ms(POLL_MS);
            continue;
        }
        if (poll(&p, 1, POLL_MS) <= 0)
            continue; /* nothing yet, or a signal: look at the stop and the clock again */
        n = read(fd, chunk, sizeof(chunk));
        if (n == 0) {
            open = false;
        } else if (n > 0 && buf_append(output, chunk, (size_t)n) != 0) {
            err_set(err, IA_ERR_CREDS, "credential_process wrote more than %zu bytes", output->max);
            break;
        } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
            err_set(err, IA_ERR_CREDS, "credential_process: reading its output: %s", strerror(errno));
            break;
        }
    }
    memset(chunk, 0, sizeof(chunk));
    return rc;
}

static int process_fetch(void *ctx, aws_creds *out, ia_err *err)
{
    const process_ctx *p = ctx;
    buf output;
    pid_t pid;
    int fd, status = 0, rc = -1;

    /* Workers that waited for the provider while a stop came must not start the process again. */
    if (cancel_requested())
        return err_set(err, IA_ERR_CANCELLED, "interrupted");
    buf_init(&output, MAX_OUTPUT_BYTES);
    if (spawn_shell(p->command, &pid, &fd, err) != 0)
        return -1;
    if (wait_output(pid, fd, p->timeout_s, &output, &status, err) != 0) {
        kill_group(pid);
        goto out;
    }
    if (WIFSIGNALED(status)) {
        err_set(err, IA_ERR_CREDS, "credential_process was killed by signal %d", WTERMSIG(status));
        goto out;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        err_set(err, IA_ERR_CREDS, "credential_process exited with status %d",
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        goto out;
    }
    rc = creds_from_json(buf_str(&output), output.len, "credential_process", out, err);
out:
    close(fd);
    buf_free_secret(&output);
    return rc;
}

static void process_free(void *ctx)
{
    process_ctx *p = ctx;

    if (!p)
        return;
    free(p->command);
    free(p);
}

int creds_process_new(creds_provider **out, const char *command, const char *profile, ia_err *err)
{
    const char *timeout = getenv(TIMEOUT_ENV);
    process_ctx *p;
    char desc[300];
    long timeout_s = DEFAULT_TIMEOUT_S;

    if (timeout && *timeout && !str_to_long(timeout, 1, MAX_TIMEOUT_S, &timeout_s))
        return err_set(err, IA_ERR_INPUT, "%s: '%s' is not a whole number of seconds from 1 to %d",
                       TIMEOUT_ENV, timeout, MAX_TIMEOUT_S);
    p = calloc(1, sizeof(*p));
    if (!p || !(p->command = str_dup(command))) {
        free(p);
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    }
    p->timeout_s = timeout_s;
    snprintf(desc, sizeof(desc), "credential_process of profile '%s'", profile);
    return creds_provider_new(out, desc, process_fetch, p, process_free, err);
}
