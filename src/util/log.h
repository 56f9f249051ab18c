#ifndef IMGAUDIT_UTIL_LOG_H
#define IMGAUDIT_UTIL_LOG_H

/*
 * Logging to stderr, never stdout (stdout may be a snapshot or a report).
 * Safe to call from several threads; each line is written whole, control
 * characters escaped (util/termtext.h). Callers never pass secrets: the AWS layer logs operations, endpoints,
 * statuses and latencies only, never headers or bodies.
 */

typedef enum log_level { LOG_QUIET = 0, LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG } log_level;

/* Process-wide threshold; messages above it are dropped. Default LOG_WARN. */
void log_set_level(log_level level);
log_level log_get_level(void);

void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/*
 * Draws (or, with NULL, clears) a live status line on stderr, under the same
 * lock as log lines, so that the two never interleave mid-line.
 */
void log_status(const char *line);

/*
 * Called before each log line is written, e.g. to clear a live progress line
 * on the terminal; NULL to remove. Runs under the log lock.
 */
void log_set_before_hook(void (*hook)(void));

#endif
