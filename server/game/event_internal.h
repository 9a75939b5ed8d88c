/* event_internal: what event.c and event_read.c share; no one else includes this. */
#ifndef VERRIJK_GAME_EVENT_INTERNAL_H
#define VERRIJK_GAME_EVENT_INTERNAL_H

#include "game/event.h"

/* The wire name of each kind, in event.c: packing writes it, reading
 * looks the kind up in it. */
extern const char *const event_names[GAME_EV__COUNT];

#endif
