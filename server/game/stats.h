/* stats: the figures of a card's votes and the group's agreement (SPEC.md §5). */
#ifndef VERRIJK_GAME_STATS_H
#define VERRIJK_GAME_STATS_H

#include "game/event.h"

/* Stats over votes[0..n) on a scale scale_min..scale_max: passes are counted
 * in `pass`, every other vote in n, hist, mean, median, min and max. Values
 * outside the scale are not expected (decide refuses them) and are ignored. */
void stats_compute(const game_vote *votes, uint32_t n, int32_t scale_min, int32_t scale_max, game_stats *out);

/* The rule of SPEC.md §5 over the histogram: consensus when >= 90 % of the
 * votes lie within r/4 + 1 neighbouring values, polarised when >= 25 % lie
 * at each end (less than r/4 from the scale's lowest resp. highest value),
 * else mixed; none when fewer than two non-pass votes (r = scale max - min).
 * Integer arithmetic: no rounding. */
game_agreement stats_agreement(const game_stats *s, int32_t scale_min, int32_t scale_max);

#endif
