#include "util/log.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "util/termtext.h"
#include "util/timefmt.h"

/* "2026-12-03T06:50:00Z " and its NUL. */
#define STAMP_SIZE 22

static log_level g_log_level = LOG_WARN;
static pthread_mutex_t g_log_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*g_log_before)(void);

void log_set_level(log_level level)
{
    g_log_level = level;
}

void log_set_before_hook(void (*hook)(void))
{
    pthread_mutex_lock(&g_log_lock);
    g_log_before = hook;
    pthread_mutex_unlock(&g_log_lock);
}

/* Writes v as width digits, zero-padded, at p. */
static void put_digits(char *p, unsigned long v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* Whether stderr is a terminal: -1 until stamp first asks (the signal handler reads it too). */
static volatile sig_atomic_t g_stderr_tty = -1;

/*
 * The line's time prefix into out: "" on a terminal (a person watching knows
 * the time), else the time now, ISO-8601 UTC, and a space. Pure arithmetic
 * on clock_gettime and, once, a tcgetattr for the terminal test (what isatty
 * does), all async-signal-safe, so that the signal handler's line gets one
 * too. Years past 9999 are not expected from a clock.
 */
static void stamp(char out[STAMP_SIZE])
{
    struct termios tio;
    struct timespec ts;
    int64_t year;
    unsigned month, day;
    unsigned long secs;

    out[0] = '\0';
    if (g_stderr_tty < 0)
        g_stderr_tty = tcgetattr(STDERR_FILENO, &tio) == 0;
    if (g_stderr_tty || clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
        return;
    timefmt_civil_from_days((int64_t)(ts.tv_sec / 86400), &year, &month, &day);
    secs = (unsigned long)(ts.tv_sec % 86400);
    memcpy(out, "0000-00-00T00:00:00Z ", STAMP_SIZE);
    put_digits(out, (unsigned long)year, 4);
    put_digits(out + 5, month, 2);
    put_digits(out + 8, day, 2);
    put_digits(out + 11, secs / 3600, 2);
    put_digits(out + 14, secs / 60 % 60, 2);
    put_digits(out + 17, secs % 60, 2);
}

/* Writes one line: the time prefix, text escaped, '\n'. */
static void emit(const char *text)
{
    char prefix[STAMP_SIZE];

    pthread_mutex_lock(&g_log_lock);
    if (g_log_before)
        g_log_before();
    stamp(prefix);
    fputs(prefix, stderr);
    termtext_printf(stderr, "%s\n", text);
    fflush(stderr);
    pthread_mutex_unlock(&g_log_lock);
}

void log_msg(log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"", "error", "warning", "info", "debug"};
    char text[2048], line[2100];
    va_list ap;

    if (level > g_log_level || level == LOG_QUIET)
        return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    snprintf(line, sizeof(line), "imgaudit: %s: %s", names[level], text);
    emit(line);
}

void log_line(const char *fmt, ...)
{
    char line[2100];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    emit(line);
}

void log_line_signal_safe(const char *line)
{
    char prefix[STAMP_SIZE];

    stamp(prefix);
    /* Nothing is left to do if stderr refuses: the process is ending. */
    if (write(STDERR_FILENO, prefix, strlen(prefix)) < 0 || write(STDERR_FILENO, line, strlen(line)) < 0)
        return;
}

void log_status(const char *line)
{
    pthread_mutex_lock(&g_log_lock);
    fputs("\r\033[K", stderr);
    termtext_printf(stderr, "%s", line ? line : "");
    fflush(stderr);
    pthread_mutex_unlock(&g_log_lock);
}
