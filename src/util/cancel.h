#ifndef IMGAUDIT_UTIL_CANCEL_H
#define IMGAUDIT_UTIL_CANCEL_H

/*
 * Process-wide cancellation for SIGINT/SIGTERM. The handler only sets a
 * flag and removes temporary output files; everything that waits (HTTP
 * transfers, backoff sleeps, worker queues) polls cancel_requested() and
 * gives up with IA_ERR_CANCELLED.
 */

#include <stdbool.h>

/* Installs the SIGINT/SIGTERM handlers. */
void cancel_install_handlers(void);

/* True once a stop was asked for. */
bool cancel_requested(void);

/* The signal that asked, or 0. */
int cancel_signal(void);

/*
 * While code is not 0, a stop ends the process from the handler at once with
 * that exit code, after removing temporary output files and printing
 * "interrupted" on stderr: for a step that cannot poll cancel_requested() (a
 * library call parsing a large file, say) and leaves nothing to finish.
 * 0 turns it off again.
 */
void cancel_exit_at_once(int code);

/*
 * Flushes stdout and stderr and ends the process with code, freeing nothing:
 * after a stop, when all that is left is giving back memory, which for a
 * large snapshot takes longer than a stop may.
 */
_Noreturn void cancel_exit_now(int code);

/* Sleeps up to ms milliseconds, waking early on cancellation. Returns false if cancelled. */
bool cancel_sleep_ms(long ms);

#endif
