/* vp_pack.c - encoders of the server's envelopes: ok, error, pong, welcome and ev. */
#include <string.h>

#include "verrijk/protocol.h"

/* Default sentences for errors raised without one of their own. */
/* clang-format off */
static const char *const default_msg[VP_CODE__COUNT] = {
    [VP_OK] = "ok",
    [VP_BAD_REQUEST] = "the request is malformed",
    [VP_TOO_LARGE] = "the message is larger than 16 KiB",
    [VP_RATE_LIMITED] = "too many messages; slow down",
    [VP_NO_ROOM] = "there is no room with that code",
    [VP_ROOM_TAKEN] = "that room code is taken",
    [VP_ROOM_FULL] = "the room is full",
    [VP_ROOM_LOCKED] = "the room is locked",
    [VP_NAME_TAKEN] = "that name is taken in this room",
    [VP_BAD_TOKEN] = "that token is not valid for this room",
    [VP_NOT_ALLOWED] = "your role may not do that",
    [VP_WRONG_PHASE] = "that is not possible at this point of the game",
    [VP_NOT_YOUR_TURN] = "it is not your turn",
    [VP_NO_CARD] = "there is no such card",
    [VP_BAD_VOTE] = "that vote is not on the deck's scale",
    [VP_SERVER_BUSY] = "the server is busy; try again later",
};
/* clang-format on */

static int pack_cstr(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    if (msgpack_pack_str(pk, n) != 0)
        return -1;
    return msgpack_pack_str_body(pk, s, n);
}

static int pack_vstr(msgpack_packer *pk, vp_str s)
{
    if (msgpack_pack_str(pk, s.len) != 0)
        return -1;
    return s.len == 0 ? 0 : msgpack_pack_str_body(pk, s.ptr, s.len);
}

/* Reads the header of the map at `p` (fixmap, map16 or map32): returns its
 * length in bytes and stores the pair count, or returns 0 when `p` does not
 * start with a whole map header. */
static size_t map_header(const uint8_t *p, size_t len, uint32_t *pairs)
{
    if (p == NULL || len < 1)
        return 0;
    if (p[0] >= 0x80 && p[0] <= 0x8f) {
        *pairs = p[0] & 0x0f;
        return 1;
    }
    if (p[0] == 0xde && len >= 3) {
        *pairs = ((uint32_t)p[1] << 8) | p[2];
        return 3;
    }
    if (p[0] == 0xdf && len >= 5) {
        *pairs = ((uint32_t)p[1] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 8) | p[4];
        return 5;
    }
    return 0;
}

int vp_pack_ok(msgpack_sbuffer *out, uint64_t id)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    if (msgpack_pack_map(&pk, 2) || pack_cstr(&pk, "t") || pack_cstr(&pk, "ok") || pack_cstr(&pk, "id") ||
        msgpack_pack_uint64(&pk, id))
        return -1;
    return 0;
}

int vp_pack_error(msgpack_sbuffer *out, bool has_id, uint64_t id, vp_code code, const char *msg)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    if (msg == NULL)
        msg = (unsigned)code < VP_CODE__COUNT ? default_msg[code] : "error";
    if (msgpack_pack_map(&pk, has_id ? 4 : 3) || pack_cstr(&pk, "t") || pack_cstr(&pk, "error"))
        return -1;
    if (has_id && (pack_cstr(&pk, "id") || msgpack_pack_uint64(&pk, id)))
        return -1;
    if (pack_cstr(&pk, "code") || pack_cstr(&pk, vp_code_name(code)) || pack_cstr(&pk, "msg") || pack_cstr(&pk, msg))
        return -1;
    return 0;
}

int vp_pack_pong(msgpack_sbuffer *out, bool has_id, uint64_t id)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    if (msgpack_pack_map(&pk, has_id ? 2 : 1) || pack_cstr(&pk, "t") || pack_cstr(&pk, "pong"))
        return -1;
    /* The ping's id, so a client can match the answer like any other. */
    if (has_id && (pack_cstr(&pk, "id") || msgpack_pack_uint64(&pk, id)))
        return -1;
    return 0;
}

int vp_pack_welcome(msgpack_sbuffer *out, bool has_id, uint64_t id, uint32_t player, vp_str name, vp_role role,
                    vp_str token, uint32_t away_hold_s, const uint8_t *view, size_t view_len)
{
    msgpack_packer pk;
    uint32_t pairs;
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    /* An empty or non-map View would leave a broken frame behind. */
    if (map_header(view, view_len, &pairs) == 0)
        return -1;
    if (msgpack_pack_map(&pk, has_id ? 6 : 5) || pack_cstr(&pk, "t") || pack_cstr(&pk, "welcome"))
        return -1;
    if (has_id && (pack_cstr(&pk, "id") || msgpack_pack_uint64(&pk, id)))
        return -1;
    if (pack_cstr(&pk, "you") || msgpack_pack_map(&pk, 3) || pack_cstr(&pk, "player") ||
        msgpack_pack_uint32(&pk, player) || pack_cstr(&pk, "name") || pack_vstr(&pk, name) || pack_cstr(&pk, "role") ||
        pack_cstr(&pk, vp_role_name(role)))
        return -1;
    if (pack_cstr(&pk, "token") || pack_vstr(&pk, token) || pack_cstr(&pk, "away_hold") ||
        msgpack_pack_uint32(&pk, away_hold_s) || pack_cstr(&pk, "state"))
        return -1;
    return msgpack_sbuffer_write(out, (const char *)view, view_len);
}

int vp_pack_ev(msgpack_sbuffer *out, uint64_t seq, uint64_t at, const uint8_t *event, size_t event_len)
{
    msgpack_packer pk;
    uint32_t pairs;
    size_t hdr = map_header(event, event_len, &pairs);
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    if (hdr == 0 || pairs > UINT32_MAX - 3)
        return -1;
    if (msgpack_pack_map(&pk, pairs + 3) || pack_cstr(&pk, "t") || pack_cstr(&pk, "ev") || pack_cstr(&pk, "seq") ||
        msgpack_pack_uint64(&pk, seq) || pack_cstr(&pk, "at") || msgpack_pack_uint64(&pk, at))
        return -1;
    if (event_len == hdr)
        return 0;
    return msgpack_sbuffer_write(out, (const char *)event + hdr, event_len - hdr);
}
