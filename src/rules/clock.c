#include "rules/clock.h"

#include <stdlib.h>
#include <time.h>

#include "util/timefmt.h"

#define SECONDS_PER_DAY 86400

int rules_clock_init(rules_clock *clock, const char *today_arg, ia_err *err)
{
    const char *env = getenv("IMGAUDIT_TODAY");
    int64_t days;
    time_t now;

    if (today_arg) {
        if (!timefmt_date_parse(today_arg, &days))
            return err_set(err, IA_ERR_USAGE, "--today '%s' is not a date (YYYY-MM-DD)", today_arg);
    } else if (env && *env) {
        if (!timefmt_date_parse(env, &days))
            return err_set(err, IA_ERR_USAGE, "IMGAUDIT_TODAY '%s' is not a date (YYYY-MM-DD)", env);
    } else {
        now = time(NULL);
        clock->now_s = (int64_t)now;
        clock->today = clock->now_s >= 0 ? clock->now_s / SECONDS_PER_DAY
                                         : -((-clock->now_s + SECONDS_PER_DAY - 1) / SECONDS_PER_DAY);
        return 0;
    }
    clock->today = days;
    clock->now_s = days * SECONDS_PER_DAY;
    return 0;
}
