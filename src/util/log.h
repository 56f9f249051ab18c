#ifndef IMGAUDIT_UTIL_LOG_H
#define IMGAUDIT_UTIL_LOG_H

/*
 * Every message imgaudit writes to stderr goes through here: errors,
 * warnings, info, progress, the verdict of a quiet run. Never stdout (stdout
 * may be a snapshot or a report); help texts and report summaries are not
 * messages and do not come here.
 *
 * Safe to call from several threads; each line is written whole, control
 * characters escaped (util/termtext.h). When stderr is not a terminal (cron,
 * CI, a log file) each line starts with the time it was written, ISO-8601
 * UTC ("2026-12-03T06:50:00Z imgaudit: warning: ..."); on a terminal it does
 * not. Callers never pass secrets: the AWS layer logs operations, endpoints,
 * statuses and latencies only, never headers or bodies.
 */

typedef enum log_level { LOG_QUIET = 0, LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG } log_level;

/* Process-wide threshold; messages above it are dropped. Default LOG_WARN. */
void log_set_level(log_level level);

/* "imgaudit: <level>: <formatted text>", when level is within the threshold. */
void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/*
 * One whole message line as the caller formats it, whatever the threshold:
 * usage errors that name the subcommand ("imgaudit collect: error: ..."),
 * progress lines, summaries, the verdict of a quiet run. A final '\n' is
 * added.
 */
void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Writes line (which ends with '\n'; control characters are the caller's
 * business) the way log_line would, with write(2) only: async-signal-safe,
 * for a signal handler.
 */
void log_line_signal_safe(const char *line);

/*
 * Draws (or, with NULL, clears) a live status line on stderr, under the same
 * lock as log lines, so that the two never interleave mid-line. For a
 * terminal only.
 */
void log_status(const char *line);

/*
 * Called before each log line is written, e.g. to clear a live progress line
 * on the terminal; NULL to remove. Runs under the log lock.
 */
void log_set_before_hook(void (*hook)(void));

#endif
