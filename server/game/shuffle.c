/* shuffle: Fisher–Yates over splitmix64, the one shuffle every round uses. */
#include "game/shuffle.h"

uint64_t shuffle_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

void shuffle_items(uint16_t *items, uint32_t n, uint64_t seed)
{
    uint64_t state = seed;
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = (uint32_t)(shuffle_next(&state) % i);
        uint16_t t = items[i - 1];
        items[i - 1] = items[j];
        items[j] = t;
    }
}
