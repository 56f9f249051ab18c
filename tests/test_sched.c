/* The collector's scheduler on a fake clock: slots, lanes apart, families learning, delays, the end. */
#include <stdlib.h>
#include <string.h>

#include "collect/sched.h"
#include "testutil.h"

static double fake_now;

static double fake_clock(void *ud)
{
    (void)ud;
    return fake_now;
}

static sched *new_sched(double start_rps)
{
    sched_options opt = {start_rps, 0.5, 200, fake_clock, NULL};
    sched *s = NULL;
    ia_err err;

    fake_now = 1000;
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(sched_new(&s, &opt, &err), 0);
    return s;
}

static void push(sched *s, const char *account, sched_item *item, double delay_s)
{
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(sched_push(s, "workspaces", "eu-west-1", account, item, delay_s, &err), 0);
}

static void test_sched__never_before_the_slot(void)
{
    sched *s = new_sched(10);
    sched_item items[4];
    /* 10 requests/s, paced 5% under it (the network's jitter must not cost a throttle at the limit). */
    const double slot = 1.0 / (10 * 0.95);
    double wait;

    memset(items, 0, sizeof(items));
    for (int i = 0; i < 4; i++)
        push(s, "111122223333", &items[i], 0);
    /* A burst of two, as AWS's buckets allow a lane after a pause... */
    CU_ASSERT_PTR_EQUAL(sched_try_next(s, &wait), &items[0]);
    CU_ASSERT_PTR_EQUAL(sched_try_next(s, &wait), &items[1]);
    /* ...then the rate: the next slot is one slot later, not one moment sooner. */
    CU_ASSERT_PTR_NULL(sched_try_next(s, &wait));
    CU_ASSERT_DOUBLE_EQUAL(wait, slot, 1e-9);
    fake_now += slot - 0.001;
    CU_ASSERT_PTR_NULL(sched_try_next(s, &wait));
    fake_now += 0.001;
    CU_ASSERT_PTR_EQUAL(sched_try_next(s, &wait), &items[2]);
    CU_ASSERT_PTR_NULL(sched_try_next(s, &wait));
    CU_ASSERT_DOUBLE_EQUAL(wait, slot, 1e-9);
    sched_done(s, &items[0], SCHED_OK);
    sched_done(s, &items[1], SCHED_OK);
    sched_done(s, &items[2], SCHED_OK);
    fake_now += 1;
    CU_ASSERT_PTR_EQUAL(sched_try_next(s, &wait), &items[3]);
    sched_done(s, &items[3], SCHED_OK);
    CU_ASSERT_PTR_NULL(sched_try_next(s, &wait));
    CU_ASSERT_EQUAL(wait, -1);
    sched_free(s);
}

static void test_sched__a_throttled_lane_does_not_delay_another(void)
{
    sched *s = new_sched(10);
    sched_item a[12], b[4];
    double wait, b_done = 0;
    sched_item *it;
    int handed = 0;

    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    for (int i = 0; i < 12; i++)
        push(s, "111111111111", &a[i], 0);
    for (int i = 0; i < 4; i++)
        push(s, "222222222222", &b[i], 0);
    /* Both lanes start at once; A is throttled on every answer, B never. */
    while (handed < 16) {
        it = sched_try_next(s, &wait);
        if (!it) {
            CU_ASSERT_TRUE_FATAL(wait > 0);
            fake_now += wait;
            continue;
        }
        handed++;
        if (it >= b && it < b + 4) {
            b_done = fake_now;
            sched_done(s, it, SCHED_OK);
        } else {
            sched_done(s, it, SCHED_THROTTLED);
        }
    }
    /* B went at its family's pace: its burst of two at once, then two slots at the rate A's first throttle
     * taught the family (7/s, paced 5% under), whatever A went through after. */
    CU_ASSERT_TRUE(b_done <= 1000 + 2 / (0.95 * 7) + 1e-9);
    /* A's throttles after its first slowed A alone. */
    CU_ASSERT_TRUE(sched_lane_rate(s, "workspaces", "eu-west-1", "111111111111") <
                   sched_lane_rate(s, "workspaces", "eu-west-1", "222222222222"));
    CU_ASSERT_DOUBLE_EQUAL(sched_lane_rate(s, "workspaces", "eu-west-1", "222222222222"), 7, 1e-9);
    sched_free(s);
}

static void test_sched__a_family_learns_once_for_its_lanes(void)
{
    sched *s = new_sched(20);
    sched_item a[3], c, d;
    double wait, family_rate;

    memset(a, 0, sizeof(a));
    memset(&c, 0, sizeof(c));
    memset(&d, 0, sizeof(d));
    push(s, "111111111111", &a[0], 0);
    push(s, "111111111111", &a[1], 0);
    CU_ASSERT_PTR_EQUAL(sched_try_next(s, &wait), &a[0]);
    fake_now += 0.05;
    CU_ASSERT_PTR_EQUAL(sched_try_next(s, &wait), &a[1]);
    /* Two requests of the same round throttled: the family is cut once, not twice. */
    sched_done(s, &a[0], SCHED_THROTTLED);
    sched_done(s, &a[1], SCHED_THROTTLED);
    family_rate = sched_lane_rate(s, "workspaces", "eu-west-1", "111111111111");
    CU_ASSERT_DOUBLE_EQUAL(family_rate, 0.7 * 20, 1e-9);
    /* A new account of the same service and region starts from what was learned, not from 20/s. */
    push(s, "333333333333", &c, 0);
    CU_ASSERT_DOUBLE_EQUAL(sched_lane_rate(s, "workspaces", "eu-west-1", "333333333333"), family_rate, 1e-9);
    CU_ASSERT_PTR_EQUAL(sched_try_next(s, &wait), &c);
    sched_done(s, &c, SCHED_OK);
    family_rate = sched_lane_rate(s, "workspaces", "eu-west-1", "333333333333");
    /* A's further throttles slow A only: a lane that comes later still starts from the family's rate. */
    push(s, "111111111111", &a[2], 0);
    for (int i = 0; i < 3; i++) {
        sched_item *it;

        while (!(it = sched_try_next(s, &wait)))
            fake_now += wait;
        CU_ASSERT_PTR_EQUAL(it, &a[2]);
        sched_done(s, it, SCHED_THROTTLED);
        if (i < 2)
            push(s, "111111111111", &a[2], 0);
    }
    push(s, "444444444444", &d, 0);
    CU_ASSERT_TRUE(sched_lane_rate(s, "workspaces", "eu-west-1", "111111111111") < family_rate);
    CU_ASSERT_DOUBLE_EQUAL(sched_lane_rate(s, "workspaces", "eu-west-1", "444444444444"), family_rate, 1e-9);
    CU_ASSERT_PTR_EQUAL(sched_try_next(s, &wait), &d);
    sched_done(s, &d, SCHED_OK);
    sched_free(s);
}

static void test_sched__delayed_items_wait_apart(void)
{
    sched *s = new_sched(100);
    sched_item retry, other;
    double wait;

    memset(&retry, 0, sizeof(retry));
    memset(&other, 0, sizeof(other));
    push(s, "111111111111", &retry, 1.5);
    push(s, "222222222222", &other, 0);
    /* The retry's backoff holds no one up. */
    CU_ASSERT_PTR_EQUAL(sched_try_next(s, &wait), &other);
    sched_done(s, &other, SCHED_OK);
    CU_ASSERT_PTR_NULL(sched_try_next(s, &wait));
    CU_ASSERT_DOUBLE_EQUAL(wait, 1.5, 1e-9);
    fake_now += 1.5;
    CU_ASSERT_PTR_EQUAL(sched_try_next(s, &wait), &retry);
    sched_done(s, &retry, SCHED_OK);
    sched_free(s);
}

static void test_sched__next_ends_when_all_is_done(void)
{
    sched_options opt = {0};
    sched_item first, follow_up;
    sched *s = NULL;
    sched_stats st;
    ia_err err;

    memset(&first, 0, sizeof(first));
    memset(&follow_up, 0, sizeof(follow_up));
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(sched_new(&s, &opt, &err), 0);
    CU_ASSERT_EQUAL(sched_push(s, "appstream", "us-east-1", "111111111111", &first, 0, &err), 0);
    CU_ASSERT_PTR_EQUAL(sched_next(s), &first);
    /* A follow-up pushed before done keeps the run going. */
    CU_ASSERT_EQUAL(sched_push(s, "appstream", "us-east-1", "111111111111", &follow_up, 0.01, &err), 0);
    sched_done(s, &first, SCHED_OK);
    CU_ASSERT_PTR_EQUAL(sched_next(s), &follow_up);
    sched_done(s, &follow_up, SCHED_OK);
    CU_ASSERT_PTR_NULL(sched_next(s));
    sched_stats_get(s, &st);
    CU_ASSERT_EQUAL(st.lanes, 1);
    CU_ASSERT_EQUAL(st.queued + st.running, 0);
    sched_free(s);
}

static void test_sched__floor_and_ceiling(void)
{
    sched_options opt = {20, 1, 50, fake_clock, NULL};
    sched *s = NULL;
    sched_item it;
    double wait;
    ia_err err;

    fake_now = 1000;
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(sched_new(&s, &opt, &err), 0);
    memset(&it, 0, sizeof(it));
    CU_ASSERT_EQUAL(sched_lane_rate(s, "workspaces", "eu-west-1", "111122223333"), 0);
    /* Throttled again and again: down to the floor, never below. */
    for (int i = 0; i < 100; i++) {
        push(s, "111122223333", &it, 0);
        while (!sched_try_next(s, &wait))
            fake_now += wait;
        sched_done(s, &it, SCHED_THROTTLED);
    }
    CU_ASSERT_DOUBLE_EQUAL(sched_lane_rate(s, "workspaces", "eu-west-1", "111122223333"), 1, 1e-9);
    /* Answered again and again: up to the ceiling, never above. */
    for (int i = 0; i < 3000; i++) {
        push(s, "111122223333", &it, 0);
        while (!sched_try_next(s, &wait))
            fake_now += wait;
        sched_done(s, &it, SCHED_OK);
    }
    CU_ASSERT_DOUBLE_EQUAL(sched_lane_rate(s, "workspaces", "eu-west-1", "111122223333"), 50, 1e-9);
    sched_free(s);
    sched_free(NULL);
}

static void test_sched__thousands_of_lanes_stay_apart(void)
{
    sched *s = new_sched(20);
    sched_item *items = calloc(5000, sizeof(*items));
    char account[16];
    size_t handed = 0;
    double wait;
    sched_item *it;
    sched_stats st;

    CU_ASSERT_PTR_NOT_NULL_FATAL(items);
    for (int i = 0; i < 5000; i++) {
        snprintf(account, sizeof(account), "%012d", i);
        push(s, account, &items[i], 0);
    }
    /* Every lane has a free slot now: all 5,000 go out at once, whatever the tables grew through. */
    while ((it = sched_try_next(s, &wait)) != NULL) {
        size_t i = (size_t)(it - items);

        handed++;
        sched_done(s, it, i % 7 == 1 ? SCHED_THROTTLED : SCHED_OK);
    }
    CU_ASSERT_EQUAL(handed, 5000);
    sched_stats_get(s, &st);
    CU_ASSERT_EQUAL(st.lanes, 5000);
    CU_ASSERT_EQUAL(st.throttles, 5000 / 7 + 1);
    /* The throttled lanes went their own way; the others follow the family. */
    CU_ASSERT_TRUE(sched_lane_rate(s, "workspaces", "eu-west-1", "000000000001") > 0);
    CU_ASSERT_EQUAL(sched_lane_rate(s, "workspaces", "us-east-1", "000000000001"), 0);
    sched_free(s);
    free(items);
}

static CU_TestInfo tests[] = {
    {"never hands out a lane's request before its slot", test_sched__never_before_the_slot},
    {"a throttled lane does not delay another lane", test_sched__a_throttled_lane_does_not_delay_another},
    {"a family learns its limit once for all its lanes", test_sched__a_family_learns_once_for_its_lanes},
    {"delayed items (retries) wait apart, holding no one", test_sched__delayed_items_wait_apart},
    {"next ends when nothing is queued, delayed or running", test_sched__next_ends_when_all_is_done},
    {"rates stay between the floor and the ceiling", test_sched__floor_and_ceiling},
    {"thousands of lanes stay apart", test_sched__thousands_of_lanes_stay_apart},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return testutil_run("sched", tests);
}
