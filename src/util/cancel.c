#include "util/cancel.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/log.h"

/* Written by the signal handler, read by every thread: a lock-free atomic is safe for both. */
static atomic_int g_cancel_signal;

/* Not 0: a stop ends the process at once with this code (cancel_exit_at_once). */
static atomic_int g_exit_code;

static void on_signal(int sig)
{
    static const char msg[] = "imgaudit: interrupted; nothing half-written was left\n";
    int code = atomic_load(&g_exit_code);

    atomic_store(&g_cancel_signal, sig);
    /* No half-written file may survive a stop, even if the process is killed right after. */
    file_out_abort_all();
    if (code) {
        /* Both async-signal-safe; nothing else is needed: the step owns nothing to finish. */
        log_line_signal_safe(msg);
        _exit(code);
    }
}

void cancel_exit_at_once(int code)
{
    atomic_store(&g_exit_code, code);
}

void cancel_install_handlers(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A peer that closes a connection must not kill the process. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

bool cancel_requested(void)
{
    return atomic_load(&g_cancel_signal) != 0;
}

int cancel_signal(void)
{
    return atomic_load(&g_cancel_signal);
}

bool cancel_sleep_ms(long ms)
{
    while (ms > 0 && !cancel_requested()) {
        long step = ms < 50 ? ms : 50;
        struct timespec ts = {step / 1000, (step % 1000) * 1000000L};

        nanosleep(&ts, NULL);
        ms -= step;
    }
    return !cancel_requested();
}

void cancel_exit_now(int code)
{
    fflush(stdout);
    fflush(stderr);
    _exit(code);
}
