/* stats: mean, median, histogram and agreement over a card's non-pass votes. */
#include "game/stats.h"

#include <string.h>

void stats_compute(const game_vote *votes, uint32_t n, int32_t scale_min, int32_t scale_max, game_stats *out)
{
    memset(out, 0, sizeof *out);
    uint32_t span = (uint32_t)(scale_max - scale_min + 1);
    out->n_hist = (uint8_t)(span > GAME_SCALE_MAX ? GAME_SCALE_MAX : span);
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (votes[i].pass) {
            out->pass++;
            continue;
        }
        int64_t v = votes[i].value;
        if (v < scale_min || v > scale_max || v - scale_min >= out->n_hist)
            continue;
        out->hist[v - scale_min]++;
        sum += (uint64_t)v;
        if (out->n == 0 || (uint32_t)v < out->min)
            out->min = (uint32_t)v;
        if (out->n == 0 || (uint32_t)v > out->max)
            out->max = (uint32_t)v;
        out->n++;
    }
    if (out->n == 0)
        return;
    out->mean = (double)sum / out->n;
    /* The median walks the histogram: the values at ranks (n-1)/2 and n/2. */
    uint32_t lo_rank = (out->n - 1) / 2, hi_rank = out->n / 2, seen = 0;
    double lo = 0, hi = 0;
    for (uint32_t k = 0; k < out->n_hist; k++) {
        uint32_t c = out->hist[k];
        if (c == 0)
            continue;
        if (lo_rank >= seen && lo_rank < seen + c)
            lo = scale_min + (double)k;
        if (hi_rank >= seen && hi_rank < seen + c)
            hi = scale_min + (double)k;
        seen += c;
    }
    out->median = (lo + hi) / 2;
}

game_agreement stats_agreement(const game_stats *s, int32_t scale_min, int32_t scale_max)
{
    if (s->n < 2)
        return GAME_AGREE_NONE;
    uint32_t r = (uint32_t)((int64_t)scale_max - scale_min);
    /* Agreed: (nearly) all votes within one step, a window of r/4 + 1
     * neighbouring values; "nearly" is 90 %, so one outlier among ten or
     * more does not undo it, but one among five does. */
    uint32_t w = r / 4 + 1, best = 0;
    for (uint32_t k = 0; k + w <= s->n_hist; k++) {
        uint32_t c = 0;
        for (uint32_t j = k; j < k + w; j++)
            c += s->hist[j];
        if (c > best)
            best = c;
    }
    if ((uint64_t)best * 10 >= (uint64_t)s->n * 9)
        return GAME_AGREE_CONSENSUS;
    /* Opposed: two camps, a quarter of the votes or more at each end (the
     * values less than r/4 from the scale's lowest, resp. highest value).
     * Spread alone is not enough: flat votes 1-2-3-4-5, or one outlier
     * among many, are divided, not opposed. */
    uint32_t low = 0, high = 0;
    for (uint32_t k = 0; k < s->n_hist; k++) {
        if (k * 4 < r)
            low += s->hist[k];
        if ((r - k) * 4 < r)
            high += s->hist[k];
    }
    if ((uint64_t)low * 4 >= s->n && (uint64_t)high * 4 >= s->n)
        return GAME_AGREE_POLARISED;
    return GAME_AGREE_MIXED;
}
