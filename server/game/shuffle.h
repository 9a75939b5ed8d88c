/* shuffle: the fixed, documented card shuffle (Fisher–Yates driven by splitmix64). */
#ifndef VERRIJK_GAME_SHUFFLE_H
#define VERRIJK_GAME_SHUFFLE_H

#include <stdint.h>

/* splitmix64 (Steele, Lea, Flood 2014): advances *state by
 * 0x9E3779B97F4A7C15 and returns the mixed value. */
uint64_t shuffle_next(uint64_t *state);

/* Shuffles items[0..n) in place, determined by seed alone:
 *   state = seed
 *   for i = n-1 down to 1:
 *       j = shuffle_next(&state) % (i + 1)
 *       swap(items[i], items[j])
 * Changing this changes what recovery rebuilds from old logs: never do it.
 * (The modulo's bias is below 2^-54 for our n ≤ 500, and irrelevant here.) */
void shuffle_items(uint16_t *items, uint32_t n, uint64_t seed);

#endif
