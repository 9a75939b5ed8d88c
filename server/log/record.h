/* record.h - one log record's bytes to a game event, checked before msgpack-c sees them. */
#ifndef VERRIJK_RECORD_H
#define VERRIJK_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "game/event.h"
#include "log/evlog.h"

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

/* A record of a log that could not be read, or that its callback refused. */
typedef struct record_error {
    size_t index;  /* 0-based */
    size_t offset; /* in the file, of the record's header */
    char why[200]; /* a sentence: "it does not decode: ..." or the callback's */
} record_error;

/* Called by record_each with record i decoded into *e (cleared after the
 * call: keep nothing of it). Returns 0 to go on; RECORD_STOP to stop there
 * (not an error); RECORD_BAD after writing in why (whylen bytes) what is
 * wrong with the record, e.g. that it does not fit the room. */
typedef int (*record_fn)(void *ud, size_t i, const game_event *e, char *why, size_t whylen);

#define RECORD_STOP 1
#define RECORD_BAD  (-1)

/* The one reader of a log's records (live loading, the HTTP replay and
 * exports, the CLI): decodes each record of c in order with
 * record_read_event and hands it to fn. Returns 0 when every record was
 * handed over, RECORD_STOP when fn stopped, or RECORD_BAD when a record
 * does not decode or fn refused it; then *bad (when not NULL) says which
 * record, where, and why. */
int record_each(const struct evlog_contents *c, record_fn fn, void *ud, record_error *bad);

#endif
