#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "util/termtext.h"

static log_level g_log_level = LOG_WARN;
static pthread_mutex_t g_log_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*g_log_before)(void);

void log_set_level(log_level level)
{
    g_log_level = level;
}

log_level log_get_level(void)
{
    return g_log_level;
}

void log_set_before_hook(void (*hook)(void))
{
    pthread_mutex_lock(&g_log_lock);
    g_log_before = hook;
    pthread_mutex_unlock(&g_log_lock);
}

void log_msg(log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"", "error", "warning", "info", "debug"};
    char line[2048];
    va_list ap;

    if (level > g_log_level || level == LOG_QUIET)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&g_log_lock);
    if (g_log_before)
        g_log_before();
    termtext_printf(stderr, "imgaudit: %s: %s\n", names[level], line);
    fflush(stderr);
    pthread_mutex_unlock(&g_log_lock);
}

void log_status(const char *line)
{
    pthread_mutex_lock(&g_log_lock);
    fputs("\r\033[K", stderr);
    termtext_printf(stderr, "%s", line ? line : "");
    fflush(stderr);
    pthread_mutex_unlock(&g_log_lock);
}
