/* vp_names.c - the stable wire names of codes, message types, roles, modes and languages. */
#include "verrijk/protocol.h"

/* clang-format off */
static const char *const code_names[VP_CODE__COUNT] = {
    [VP_OK] = "ok",
    [VP_BAD_REQUEST] = "bad_request",
    [VP_TOO_LARGE] = "too_large",
    [VP_RATE_LIMITED] = "rate_limited",
    [VP_NO_ROOM] = "no_room",
    [VP_ROOM_TAKEN] = "room_taken",
    [VP_ROOM_FULL] = "room_full",
    [VP_ROOM_LOCKED] = "room_locked",
    [VP_NAME_TAKEN] = "name_taken",
    [VP_BAD_TOKEN] = "bad_token",
    [VP_NOT_ALLOWED] = "not_allowed",
    [VP_WRONG_PHASE] = "wrong_phase",
    [VP_NOT_YOUR_TURN] = "not_your_turn",
    [VP_NO_CARD] = "no_card",
    [VP_BAD_VOTE] = "bad_vote",
    [VP_SERVER_BUSY] = "server_busy",
};
/* clang-format on */

/* clang-format off */
static const char *const type_names[VP_T__COUNT] = {
    [VP_T_CREATE] = "create",
    [VP_T_JOIN] = "join",
    [VP_T_RESUME] = "resume",
    [VP_T_START] = "start",
    [VP_T_PLAY] = "play",
    [VP_T_DRAW] = "draw",
    [VP_T_VOTE] = "vote",
    [VP_T_REVOTE] = "revote",
    [VP_T_REVEAL] = "reveal",
    [VP_T_NOTE] = "note",
    [VP_T_HIDE] = "hide",
    [VP_T_NEXT] = "next",
    [VP_T_SKIP] = "skip",
    [VP_T_TIMER] = "timer",
    [VP_T_CLOSE] = "close",
    [VP_T_SEAT] = "seat",
    [VP_T_HANDOVER] = "handover",
    [VP_T_KICK] = "kick",
    [VP_T_LOCK] = "lock",
    [VP_T_WINDOW] = "window",
    [VP_T_LEAVE] = "leave",
    [VP_T_PURGE] = "purge",
    [VP_T_PING] = "ping",
    [VP_T_PAGE] = "page",
};
/* clang-format on */

/* Out-of-range values get a fixed placeholder instead of NULL, so a caller
 * that logs a corrupt value does not crash on it. */
#define NAME_UNKNOWN "unknown"

const char *vp_code_name(vp_code code)
{
    if ((unsigned)code >= VP_CODE__COUNT)
        return NAME_UNKNOWN;
    return code_names[code];
}

const char *vp_type_name(vp_type t)
{
    if ((unsigned)t >= VP_T__COUNT)
        return NAME_UNKNOWN;
    return type_names[t];
}

const char *vp_role_name(vp_role role)
{
    switch (role) {
    case VP_ROLE_FACILITATOR: return "facilitator";
    case VP_ROLE_PLAYER: return "player";
    case VP_ROLE_SCREEN: return "screen";
    }
    return NAME_UNKNOWN;
}

const char *vp_mode_name(vp_mode mode)
{
    switch (mode) {
    case VP_MODE_HANDS: return "hands";
    case VP_MODE_DECK: return "deck";
    }
    return NAME_UNKNOWN;
}

const char *vp_lang_name(vp_lang lang)
{
    switch (lang) {
    case VP_LANG_NL: return "nl";
    case VP_LANG_EN: return "en";
    }
    return NAME_UNKNOWN;
}
