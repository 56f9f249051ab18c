#ifndef IMGAUDIT_BENCH_MEASURE_H
#define IMGAUDIT_BENCH_MEASURE_H

/* What the benchmarks measure a process by: wall time, and its memory as Linux counts it. */

/* Seconds on the monotonic clock. */
double measure_now_s(void);

/* VmHWM or VmRSS from /proc/self/status, in KiB; 0 when unreadable. */
long measure_proc_kib(const char *field);

#endif
