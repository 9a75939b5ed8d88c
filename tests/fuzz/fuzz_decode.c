/* fuzz_decode: vp_decode on arbitrary bytes; checks what protocol.h promises about the result. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <msgpack.h>
#include <verrijk/protocol.h>

#include "fuzz_util.h"

/* A strict UTF-8 check written apart from the decoder's own, so that the
 * decoder is not its own judge: no overlong forms, no surrogates, nothing
 * above U+10FFFF. */
static bool utf8_ok(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t c = s[i], min;
        unsigned more;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            more = 1, min = 0x80, c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            more = 2, min = 0x800, c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            more = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        if (n - i - 1 < more)
            return false;
        for (unsigned k = 1; k <= more; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            c = c << 6 | (s[i + k] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return false;
        i += more + 1;
    }
    return true;
}

/* No C0, no DEL; C1 (U+0080..U+009F, bytes c2 80..c2 9f) neither. `nl_tab`:
 * \n and \t are allowed (note and close texts). */
static bool no_controls(vp_str s, bool nl_tab)
{
    const uint8_t *p = (const uint8_t *)s.ptr;
    for (uint32_t i = 0; i < s.len; i++) {
        if (nl_tab && (p[i] == '\n' || p[i] == '\t'))
            continue;
        if (p[i] < 0x20 || p[i] == 0x7f)
            return false;
        if (p[i] == 0xc2 && i + 1 < s.len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)
            return false;
    }
    return true;
}

static const uint8_t *g_buf;
static size_t g_len;

/* A string of the result: inside the decoded buffer, strict UTF-8, and of
 * a length within [min, max]. An absent string is {NULL, 0}. */
static void check_str(const char *field, vp_str s, uint32_t min, uint32_t max)
{
    if (s.ptr == NULL) {
        FUZZ_CHECK(s.len == 0 && min == 0, "%s: NULL string of length %u (min %u)", field, s.len, min);
        return;
    }
    const uint8_t *p = (const uint8_t *)s.ptr;
    FUZZ_CHECK(p >= g_buf && p <= g_buf + g_len && s.len <= (size_t)(g_buf + g_len - p),
               "%s: string [%p, +%u) outside the input [%p, +%zu)", field, (const void *)p, s.len, (const void *)g_buf,
               g_len);
    FUZZ_CHECK(s.len >= min && s.len <= max, "%s: length %u outside %u..%u", field, s.len, min, max);
    FUZZ_CHECK(utf8_ok(p, s.len), "%s: not strict UTF-8", field);
}

static bool all_of(vp_str s, const char *alphabet)
{
    for (uint32_t i = 0; i < s.len; i++)
        if (!memchr(alphabet, s.ptr[i], strlen(alphabet)))
            return false;
    return true;
}

static void check_name(vp_str s)
{
    check_str("name", s, 1, VP_NAME_MAX);
    FUZZ_CHECK(s.ptr[0] != ' ' && s.ptr[s.len - 1] != ' ', "name not trimmed");
    FUZZ_CHECK(no_controls(s, false), "name holds a control character");
}

static void check_room(vp_str s)
{
    check_str("room", s, VP_ROOM_LEN, VP_ROOM_LEN);
    FUZZ_CHECK(all_of(s, "23456789ABCDEFGHJKMNPQRSTUVWXYZ"), "room outside the code alphabet");
}

static void check_opts(const vp_opts *o)
{
    FUZZ_CHECK((o->set & ~((VP_OPT_BOOKENDS << 1) - 1u)) == 0, "opts.set has unknown bits %#x", o->set);
    FUZZ_CHECK(o->mode == VP_MODE_HANDS || o->mode == VP_MODE_DECK, "opts.mode %d", (int)o->mode);
    FUZZ_CHECK(o->hand >= VP_HAND_MIN && o->hand <= VP_HAND_MAX, "opts.hand %u", o->hand);
    FUZZ_CHECK(o->n_categories <= VP_CATEGORIES_MAX, "opts: %u categories", o->n_categories);
    if (!(o->set & VP_OPT_MODE))
        FUZZ_CHECK(o->mode == VP_MODE_HANDS, "opts.mode not defaulted");
    if (!(o->set & VP_OPT_HAND))
        FUZZ_CHECK(o->hand == 3, "opts.hand not defaulted");
    if (!(o->set & VP_OPT_AUTO_REVEAL))
        FUZZ_CHECK(o->auto_reveal, "opts.auto_reveal not defaulted");
    if (!(o->set & VP_OPT_CATEGORIES))
        FUZZ_CHECK(o->n_categories == 0, "opts.categories without the key");
    for (uint8_t i = 0; i < o->n_categories; i++) {
        check_str("opts.categories[]", o->categories[i], 1, VP_CARD_ID_MAX);
        for (uint8_t j = 0; j < i; j++)
            FUZZ_CHECK(o->categories[i].len != o->categories[j].len ||
                           memcmp(o->categories[i].ptr, o->categories[j].ptr, o->categories[i].len) != 0,
                       "opts.categories names one category twice");
    }
}

/* Every field the table of SPEC.md §3.1 gives the type, within its rule. */
static void check_ok(const vp_intent *in)
{
    FUZZ_CHECK((unsigned)in->t < VP_T__COUNT, "type %d", (int)in->t);
    if (in->has_id)
        FUZZ_CHECK(in->id <= VP_ID_MAX, "id %llu over 2^53", (unsigned long long)in->id);
    switch (in->t) {
    case VP_T_CREATE:
        check_room(in->room);
        check_name(in->name);
        check_str("deck", in->deck, 1, VP_DECK_ID_MAX);
        check_str("title", in->title, 0, VP_TITLE_MAX);
        if (in->title.len)
            FUZZ_CHECK(no_controls(in->title, false), "title holds a control character");
        FUZZ_CHECK(in->lang == VP_LANG_NL || in->lang == VP_LANG_EN, "lang %d", (int)in->lang);
        FUZZ_CHECK(in->tz_offset >= VP_TZ_MIN && in->tz_offset <= VP_TZ_MAX, "tz %d", in->tz_offset);
        check_opts(&in->opts);
        break;
    case VP_T_JOIN:
        check_room(in->room);
        check_name(in->name);
        FUZZ_CHECK(in->role == VP_ROLE_PLAYER || in->role == VP_ROLE_SCREEN, "join role %d", (int)in->role);
        break;
    case VP_T_RESUME:
        check_room(in->room);
        check_str("token", in->token, VP_TOKEN_LEN, VP_TOKEN_LEN);
        FUZZ_CHECK(all_of(in->token, "0123456789abcdef"), "token not lowercase hex");
        break;
    case VP_T_START: check_opts(&in->opts); break;
    case VP_T_PLAY: check_str("card", in->card, 1, VP_CARD_ID_MAX); break;
    case VP_T_VOTE:
        if (in->pass)
            FUZZ_CHECK(in->value == 0, "a pass with value %llu", (unsigned long long)in->value);
        if (in->has_for)
            FUZZ_CHECK(in->for_player >= 1, "for 0");
        break;
    case VP_T_NOTE: {
        check_str("text", in->text, 1, VP_NOTE_MAX);
        FUZZ_CHECK(no_controls(in->text, true), "note text holds a control character");
        bool visible = false;
        for (uint32_t i = 0; i < in->text.len; i++)
            visible |= !memchr(" \t\n\r\v\f", in->text.ptr[i], 6);
        FUZZ_CHECK(visible, "note text is only white space");
        break;
    }
    case VP_T_TIMER: FUZZ_CHECK(in->seconds <= VP_TIMER_MAX, "seconds %u", in->seconds); break;
    case VP_T_CLOSE:
        check_str("text", in->text, 0, VP_CLOSE_TEXT_MAX);
        if (in->text.len)
            FUZZ_CHECK(no_controls(in->text, true), "close text holds a control character");
        FUZZ_CHECK(in->n_actions <= VP_ACTIONS_MAX, "%u actions", in->n_actions);
        for (uint8_t i = 0; i < in->n_actions; i++) {
            check_str("actions[]", in->actions[i], 1, VP_ACTION_MAX);
            FUZZ_CHECK(no_controls(in->actions[i], false), "action holds a control character");
        }
        break;
    case VP_T_SEAT: check_name(in->name); break;
    case VP_T_HANDOVER:
    case VP_T_KICK: FUZZ_CHECK(in->player >= 1, "player 0"); break;
    case VP_T_PAGE: FUZZ_CHECK(in->page <= VP_PAGE_MAX, "page %u", in->page); break;
    default: break;
    }
    /* Fields of other types stay zero: a caller never acts on a stray one. */
    if (in->t != VP_T_CREATE && in->t != VP_T_JOIN && in->t != VP_T_RESUME)
        FUZZ_CHECK(in->room.ptr == NULL, "room set on a %s", vp_type_name(in->t));
    if (in->t != VP_T_PLAY && in->t != VP_T_DRAW) /* a draw may name its card (SPEC.md §3) */
        FUZZ_CHECK(in->card.ptr == NULL, "card set on a %s", vp_type_name(in->t));
    if (in->t != VP_T_RESUME)
        FUZZ_CHECK(in->token.ptr == NULL, "token set on a %s", vp_type_name(in->t));
    if (in->t != VP_T_PAGE)
        FUZZ_CHECK(in->page == 0, "page set on a %s", vp_type_name(in->t));
}

/* On failure only has_id/id survive: compare with a zeroed intent. */
static void check_error(const vp_intent *in)
{
    vp_intent z;
    memset(&z, 0, sizeof z);
    z.has_id = in->has_id;
    z.id = in->id;
    FUZZ_CHECK(memcmp(&z, in, sizeof z) == 0, "a failed decode left fields set besides the id");
    /* Without has_id the id means nothing (a duplicate `id` key leaves the
     * first one's value there), so only an answered id is bounded. */
    if (in->has_id)
        FUZZ_CHECK(in->id <= VP_ID_MAX, "error id %llu over 2^53", (unsigned long long)in->id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_intent in, again;
    const char *why = "not set by vp_decode";
    g_buf = data;
    g_len = size;

    vp_code code = vp_decode(data, size, &in, &why);
    if (code == VP_OK) {
        FUZZ_CHECK(why == NULL, "why is \"%s\" on success", why);
        check_ok(&in);
    } else {
        FUZZ_CHECK(code == VP_BAD_REQUEST || code == VP_TOO_LARGE, "vp_decode returned %s", vp_code_name(code));
        FUZZ_CHECK(code == VP_BAD_REQUEST || size > VP_MAX_MESSAGE, "too_large for %zu bytes", size);
        FUZZ_CHECK(why != NULL && why[0] != '\0', "no why for %s", vp_code_name(code));
        /* The pre-scan promises that msgpack-c accepts whatever it lets
         * through; this sentence means the two parsers disagreed. */
        FUZZ_CHECK(strcmp(why, "message is not valid MessagePack") != 0,
                   "the pre-scan passed bytes that msgpack-c refused");
        check_error(&in);

        /* The error answer to this message encodes as one map. */
        msgpack_sbuffer sb;
        msgpack_sbuffer_init(&sb);
        FUZZ_CHECK(vp_pack_error(&sb, in.has_id, in.id, code, why) == 0, "vp_pack_error failed");
        msgpack_unpacked u;
        FUZZ_CHECK(fuzz_unpack_one("error", sb.data, sb.size, &u) == MSGPACK_OBJECT_MAP, "error is not a map");
        msgpack_unpacked_destroy(&u);
        msgpack_sbuffer_destroy(&sb);
    }

    /* The decoder is a function of the bytes alone, and `why` may be NULL. */
    FUZZ_CHECK(vp_decode(data, size, &again, NULL) == code, "a second decode disagrees");
    FUZZ_CHECK(again.t == in.t && again.has_id == in.has_id && again.id == in.id,
               "a second decode gives another intent");
    return 0;
}
