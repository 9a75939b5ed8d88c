/* vp_room.c - the one check of a room code's spelling, shared by every layer that takes a code. */
#include <string.h>

#include "verrijk/protocol.h"

bool vp_room_code_valid(const char *s, size_t len)
{
    if (!s || len != VP_ROOM_LEN)
        return false;
    /* memchr over the alphabet without its NUL: strchr would find a NUL byte. */
    for (size_t i = 0; i < len; i++)
        if (!memchr(VP_ROOM_ALPHABET, s[i], sizeof(VP_ROOM_ALPHABET) - 1))
            return false;
    return true;
}
