/* record.h - one log record's bytes to a game event, checked before msgpack-c sees them. */
#ifndef VERRIJK_RECORD_H
#define VERRIJK_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "game/event.h"

/* Nesting a log record may have (a `created` event embeds a deck). */
#define RECORD_MAX_DEPTH 32

/* True when the len bytes at p are exactly one MessagePack object whose
 * declared counts fit in the bytes (msgpack-c allocates what a header
 * declares before it reads the elements: STACK-NOTES.md) and whose nesting
 * stays within RECORD_MAX_DEPTH. Allocates nothing. */
bool record_well_formed(const uint8_t *p, size_t len);

/* Reads one log record's payload into *e. Returns 0, or -1 with a sentence
 * in err (then *e holds nothing to free). Nothing of p is kept. */
int record_read_event(const uint8_t *p, size_t len, game_event *e, char *err, size_t errlen);

#endif
