/* view_internal: what view.c and filter.c share; no one else includes this. */
#ifndef VERRIJK_GAME_VIEW_INTERNAL_H
#define VERRIJK_GAME_VIEW_INTERNAL_H

#include "game/room_internal.h"

/* The deck a room plays, {id, version, hash}: in the View and in the
 * public form of `created`. */
void pack_deck_ref(msgpack_packer *pk, const deck *d);

#endif
