/* vp_decode.c - decodes one client frame into a vp_intent: pre-scan, unpack, then each type's fields by table. */
#include <string.h>

#include "verrijk/protocol.h"
#include "vp_scan.h"

typedef vp_code (*field_parse)(const msgpack_object *v, vp_intent *out, const char **why);

/* One key a message type knows. Fields are checked in table order, so the
 * error a message gets does not depend on the order of its keys. */
typedef struct field {
    const char *key;
    bool required;
    field_parse parse;
    const char *missing; /* the sentence when a required key is absent */
} field;

typedef struct kind {
    const field *fields;
    size_t n_fields;
} kind;

/* ---- reading msgpack objects ---- */

static bool key_is(const msgpack_object *k, const char *key)
{
    size_t n = strlen(key);
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n && memcmp(k->via.str.ptr, key, n) == 0;
}

/* The pre-scan has ruled out duplicate keys, so the first match is the
 * only one. */
static const msgpack_object *map_get(const msgpack_object *map, const char *key)
{
    for (uint32_t i = 0; i < map->via.map.size; i++)
        if (key_is(&map->via.map.ptr[i].key, key))
            return &map->via.map.ptr[i].val;
    return NULL;
}

static bool get_str(const msgpack_object *v, vp_str *s)
{
    if (v->type != MSGPACK_OBJECT_STR)
        return false;
    s->ptr = v->via.str.ptr;
    s->len = v->via.str.size;
    return true;
}

typedef enum int_kind { INT_OK, INT_NEGATIVE, INT_WRONG_TYPE } int_kind;

/* Only MessagePack integers count: a float, even 3.0, is the wrong type. */
static int_kind get_uint(const msgpack_object *v, uint64_t *u)
{
    if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        *u = v->via.u64;
        return INT_OK;
    }
    return v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ? INT_NEGATIVE : INT_WRONG_TYPE;
}

/* True for a uint in [min, max]; callers give one sentence for every failure. */
static bool get_uint_in(const msgpack_object *v, uint64_t min, uint64_t max, uint64_t *u)
{
    return get_uint(v, u) == INT_OK && *u >= min && *u <= max;
}

/* Control characters: C0, DEL and C1 (U+0080..U+009F, which UTF-8 spells
 * C2 80..C2 9F). The input is valid UTF-8 already, so a 0xc2 lead byte is
 * always followed by a continuation byte. */
static bool has_control(vp_str s, bool allow_nl_tab)
{
    const uint8_t *p = (const uint8_t *)s.ptr;
    for (uint32_t i = 0; i < s.len; i++) {
        uint8_t c = p[i];
        if (c < 0x20) {
            if (allow_nl_tab && (c == '\n' || c == '\t'))
                continue;
            return true;
        }
        if (c == 0x7f)
            return true;
        if (c == 0xc2 && i + 1 < s.len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)
            return true;
    }
    return false;
}

/* Characters that show nothing on their own: Unicode White_Space outside
 * C0/C1 (those are control characters, refused on their own) plus space,
 * tab and newline; the zero-width and format characters (soft hyphen,
 * ZWSP/ZWNJ/ZWJ, word joiner and the invisible operators, BOM, variation
 * selectors, tags, Mongolian vowel separator, the musical and shorthand
 * format controls); the bidirectional controls (marks, embeddings,
 * overrides, isolates); and blank letters (Braille blank, the Hangul
 * fillers). A name or note made only of these would show as nobody. */
static bool invisible(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == 0xa0 || cp == 0xad || cp == 0x34f || cp == 0x61c ||
           cp == 0x115f || cp == 0x1160 || cp == 0x1680 || (cp >= 0x17b4 && cp <= 0x17b5) ||
           (cp >= 0x180b && cp <= 0x180f) || (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
           (cp >= 0x205f && cp <= 0x206f) || cp == 0x2800 || cp == 0x3000 || cp == 0x3164 ||
           (cp >= 0xfe00 && cp <= 0xfe0f) || cp == 0xfeff || cp == 0xffa0 || (cp >= 0xfff0 && cp <= 0xfff8) ||
           (cp >= 0x1bca0 && cp <= 0x1bca3) || (cp >= 0x1d173 && cp <= 0x1d17a) || (cp >= 0xe0000 && cp <= 0xe0fff);
}

/* True when s holds a character that is not invisible (above). The input
 * is valid UTF-8 already. */
static bool has_visible(vp_str s)
{
    const uint8_t *p = (const uint8_t *)s.ptr;
    uint32_t i = 0;
    while (i < s.len) {
        uint8_t c = p[i];
        uint32_t cp, n;
        if (c < 0x80) {
            cp = c;
            n = 1;
        } else if (c < 0xe0) {
            cp = ((uint32_t)(c & 0x1f) << 6) | (p[i + 1] & 0x3f);
            n = 2;
        } else if (c < 0xf0) {
            cp = ((uint32_t)(c & 0x0f) << 12) | ((uint32_t)(p[i + 1] & 0x3f) << 6) | (p[i + 2] & 0x3f);
            n = 3;
        } else {
            cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(p[i + 1] & 0x3f) << 12) |
                 ((uint32_t)(p[i + 2] & 0x3f) << 6) | (p[i + 3] & 0x3f);
            n = 4;
        }
        if (!invisible(cp))
            return true;
        i += n;
    }
    return false;
}

static bool all_in(vp_str s, const char *set)
{
    for (uint32_t i = 0; i < s.len; i++)
        if (s.ptr[i] == '\0' || strchr(set, s.ptr[i]) == NULL)
            return false;
    return true;
}

static bool str_eq(vp_str s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && memcmp(s.ptr, lit, n) == 0;
}

/* ---- shared field rules ---- */

static vp_code bad(const char **why, const char *sentence)
{
    *why = sentence;
    return VP_BAD_REQUEST;
}

static vp_code parse_room(const msgpack_object *v, vp_intent *out, const char **why)
{
    if (!get_str(v, &out->room) || !vp_room_code_valid(out->room.ptr, out->room.len))
        return bad(why, "room must be 6 characters of the room code alphabet, in upper case");
    return VP_OK;
}

/* Names lose leading and trailing ASCII spaces; the rest must be 1..40
 * bytes without control characters. */
static vp_code parse_name(const msgpack_object *v, vp_intent *out, const char **why)
{
    vp_str s;
    if (!get_str(v, &s))
        return bad(why, "name must be a string");
    while (s.len > 0 && s.ptr[0] == ' ') {
        s.ptr++;
        s.len--;
    }
    while (s.len > 0 && s.ptr[s.len - 1] == ' ')
        s.len--;
    if (s.len < 1 || s.len > VP_NAME_MAX)
        return bad(why, "name must be 1 to 40 bytes long after trimming spaces");
    if (has_control(s, false))
        return bad(why, "name must not contain control characters");
    if (!has_visible(s))
        return bad(why, "name must hold a visible character, not only spaces or invisible characters");
    out->name = s;
    return VP_OK;
}

static vp_code parse_title(const msgpack_object *v, vp_intent *out, const char **why)
{
    if (!get_str(v, &out->title) || out->title.len > VP_TITLE_MAX)
        return bad(why, "title must be a string of at most 120 bytes");
    if (has_control(out->title, false))
        return bad(why, "title must not contain control characters");
    return VP_OK;
}

static vp_code parse_deck(const msgpack_object *v, vp_intent *out, const char **why)
{
    if (!get_str(v, &out->deck) || out->deck.len < 1 || out->deck.len > VP_DECK_ID_MAX)
        return bad(why, "deck must be a deck id of 1 to 64 bytes");
    return VP_OK;
}

static vp_code parse_lang(const msgpack_object *v, vp_intent *out, const char **why)
{
    vp_str s;
    if (get_str(v, &s) && str_eq(s, "nl"))
        out->lang = VP_LANG_NL;
    else if (get_str(v, &s) && str_eq(s, "en"))
        out->lang = VP_LANG_EN;
    else
        return bad(why, "lang must be \"nl\" or \"en\"");
    return VP_OK;
}

static vp_code parse_tz_offset(const msgpack_object *v, vp_intent *out, const char **why)
{
    const char *sentence = "tz_offset must be an integer from -720 to 840 (minutes east of UTC)";
    if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        if (v->via.u64 > VP_TZ_MAX)
            return bad(why, sentence);
        out->tz_offset = (int32_t)v->via.u64;
    } else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        if (v->via.i64 < VP_TZ_MIN)
            return bad(why, sentence);
        out->tz_offset = (int32_t)v->via.i64;
    } else {
        return bad(why, sentence);
    }
    return VP_OK;
}

static vp_code parse_opts(const msgpack_object *v, vp_intent *out, const char **why)
{
    vp_opts *o = &out->opts;
    const msgpack_object *f;
    vp_str s;
    uint64_t u;

    if (v->type != MSGPACK_OBJECT_MAP)
        return bad(why, "opts must be a map");
    out->has_opts = true;
    if ((f = map_get(v, "mode")) != NULL) {
        if (get_str(f, &s) && str_eq(s, "hands"))
            o->mode = VP_MODE_HANDS;
        else if (get_str(f, &s) && str_eq(s, "deck"))
            o->mode = VP_MODE_DECK;
        else
            return bad(why, "opts.mode must be \"hands\" or \"deck\"");
        o->set |= VP_OPT_MODE;
    }
    if ((f = map_get(v, "hand")) != NULL) {
        if (!get_uint_in(f, VP_HAND_MIN, VP_HAND_MAX, &u))
            return bad(why, "opts.hand must be an integer from 1 to 7");
        o->hand = (uint8_t)u;
        o->set |= VP_OPT_HAND;
    }
    if ((f = map_get(v, "anonymous")) != NULL) {
        if (f->type != MSGPACK_OBJECT_BOOLEAN)
            return bad(why, "opts.anonymous must be true or false");
        o->anonymous = f->via.boolean;
        o->set |= VP_OPT_ANONYMOUS;
    }
    if ((f = map_get(v, "auto_reveal")) != NULL) {
        if (f->type != MSGPACK_OBJECT_BOOLEAN)
            return bad(why, "opts.auto_reveal must be true or false");
        o->auto_reveal = f->via.boolean;
        o->set |= VP_OPT_AUTO_REVEAL;
    }
    if ((f = map_get(v, "facilitator_plays")) != NULL) {
        if (f->type != MSGPACK_OBJECT_BOOLEAN)
            return bad(why, "opts.facilitator_plays must be true or false");
        o->facilitator_plays = f->via.boolean;
        o->set |= VP_OPT_FACILITATOR_PLAYS;
    }
    if ((f = map_get(v, "categories")) != NULL) {
        if (f->type != MSGPACK_OBJECT_ARRAY || f->via.array.size > VP_CATEGORIES_MAX)
            return bad(why, "opts.categories must be a list of at most 32 category ids");
        for (uint32_t i = 0; i < f->via.array.size; i++) {
            vp_str c;
            if (!get_str(&f->via.array.ptr[i], &c) || c.len < 1 || c.len > VP_CARD_ID_MAX)
                return bad(why, "opts.categories must hold category ids of 1 to 64 bytes");
            for (uint32_t j = 0; j < i; j++)
                if (o->categories[j].len == c.len && memcmp(o->categories[j].ptr, c.ptr, c.len) == 0)
                    return bad(why, "opts.categories must not name a category twice");
            o->categories[i] = c;
        }
        o->n_categories = (uint8_t)f->via.array.size;
        o->set |= VP_OPT_CATEGORIES;
    }
    if ((f = map_get(v, "kinds")) != NULL) {
        if (f->type != MSGPACK_OBJECT_ARRAY || f->via.array.size > VP_KINDS_MAX)
            return bad(why, "opts.kinds must be a list of at most 4 card kinds");
        for (uint32_t i = 0; i < f->via.array.size; i++) {
            vp_str c;
            if (!get_str(&f->via.array.ptr[i], &c) || c.len < 1 || c.len > VP_CARD_ID_MAX)
                return bad(why, "opts.kinds must hold card kinds of 1 to 64 bytes");
            for (uint32_t j = 0; j < i; j++)
                if (o->kinds[j].len == c.len && memcmp(o->kinds[j].ptr, c.ptr, c.len) == 0)
                    return bad(why, "opts.kinds must not name a kind twice");
            o->kinds[i] = c;
        }
        o->n_kinds = (uint8_t)f->via.array.size;
        o->set |= VP_OPT_KINDS;
    }
    if ((f = map_get(v, "audience")) != NULL) {
        /* nil is not absent (§3.1): "" chooses every card. */
        if (!get_str(f, &o->audience) || o->audience.len > VP_CARD_ID_MAX)
            return bad(why, "opts.audience must be an audience id of 0 to 64 bytes");
        o->set |= VP_OPT_AUDIENCE;
    }
    if ((f = map_get(v, "bookends")) != NULL) {
        if (f->type != MSGPACK_OBJECT_BOOLEAN)
            return bad(why, "opts.bookends must be true or false");
        o->bookends = f->via.boolean;
        o->set |= VP_OPT_BOOKENDS;
    }
    return VP_OK;
}

static vp_code parse_role(const msgpack_object *v, vp_intent *out, const char **why)
{
    vp_str s;
    if (get_str(v, &s) && str_eq(s, "player"))
        out->role = VP_ROLE_PLAYER;
    else if (get_str(v, &s) && str_eq(s, "screen"))
        out->role = VP_ROLE_SCREEN;
    else
        return bad(why, "role must be \"player\" or \"screen\"");
    return VP_OK;
}

static vp_code parse_token(const msgpack_object *v, vp_intent *out, const char **why)
{
    if (!get_str(v, &out->token) || out->token.len != VP_TOKEN_LEN || !all_in(out->token, "0123456789abcdef"))
        return bad(why, "token must be 32 lowercase hex characters");
    return VP_OK;
}

static vp_code parse_card(const msgpack_object *v, vp_intent *out, const char **why)
{
    if (!get_str(v, &out->card) || out->card.len < 1 || out->card.len > VP_CARD_ID_MAX)
        return bad(why, "card must be a card id of 1 to 64 bytes");
    return VP_OK;
}

static vp_code parse_vote_value(const msgpack_object *v, vp_intent *out, const char **why)
{
    if (v->type == MSGPACK_OBJECT_NIL) {
        out->pass = true;
        return VP_OK;
    }
    if (get_uint(v, &out->value) != INT_OK)
        return bad(why, "value must be a non-negative integer, or nil to pass");
    return VP_OK;
}

static vp_code parse_vote_for(const msgpack_object *v, vp_intent *out, const char **why)
{
    uint64_t u;
    if (!get_uint_in(v, 1, UINT32_MAX, &u))
        return bad(why, "for must be a member id (an integer of at least 1)");
    out->has_for = true;
    out->for_player = (uint32_t)u;
    return VP_OK;
}

static vp_code parse_note_text(const msgpack_object *v, vp_intent *out, const char **why)
{
    if (!get_str(v, &out->text) || out->text.len < 1 || out->text.len > VP_NOTE_MAX)
        return bad(why, "text must be 1 to 500 bytes");
    if (!has_visible(out->text))
        return bad(why, "text must hold a visible character, not only white space or invisible characters");
    if (has_control(out->text, true))
        return bad(why, "text must not contain control characters other than newline and tab");
    return VP_OK;
}

static vp_code parse_hide_note(const msgpack_object *v, vp_intent *out, const char **why)
{
    uint64_t u;
    if (!get_uint_in(v, 0, UINT32_MAX, &u))
        return bad(why, "note must be a note id (a non-negative integer)");
    out->note = (uint32_t)u;
    return VP_OK;
}

static vp_code parse_timer_seconds(const msgpack_object *v, vp_intent *out, const char **why)
{
    uint64_t u;
    if (!get_uint_in(v, 0, VP_TIMER_MAX, &u))
        return bad(why, "seconds must be an integer from 0 to 3600");
    out->seconds = (uint32_t)u;
    return VP_OK;
}

static vp_code parse_page(const msgpack_object *v, vp_intent *out, const char **why)
{
    uint64_t u;
    if (!get_uint_in(v, 0, VP_PAGE_MAX, &u))
        return bad(why, "page must be an integer from 0 to 255");
    out->page = (uint32_t)u;
    return VP_OK;
}

static vp_code parse_close_text(const msgpack_object *v, vp_intent *out, const char **why)
{
    if (!get_str(v, &out->text) || out->text.len > VP_CLOSE_TEXT_MAX)
        return bad(why, "text must be a string of at most 4000 bytes");
    if (has_control(out->text, true))
        return bad(why, "text must not contain control characters other than newline and tab");
    return VP_OK;
}

static vp_code parse_close_actions(const msgpack_object *v, vp_intent *out, const char **why)
{
    if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size > VP_ACTIONS_MAX)
        return bad(why, "actions must be a list of at most 20 strings");
    for (uint32_t i = 0; i < v->via.array.size; i++) {
        vp_str a;
        if (!get_str(&v->via.array.ptr[i], &a) || a.len < 1 || a.len > VP_ACTION_MAX)
            return bad(why, "each action must be 1 to 200 bytes");
        if (has_control(a, false))
            return bad(why, "actions must not contain control characters");
        out->actions[i] = a;
    }
    out->n_actions = (uint8_t)v->via.array.size;
    return VP_OK;
}

static vp_code parse_player(const msgpack_object *v, vp_intent *out, const char **why)
{
    uint64_t u;
    if (!get_uint_in(v, 1, UINT32_MAX, &u))
        return bad(why, "player must be a member id (an integer of at least 1)");
    out->player = (uint32_t)u;
    return VP_OK;
}

/* "" chooses no window; whether the id is one of the deck's is the game's to check. */
static vp_code parse_window(const msgpack_object *v, vp_intent *out, const char **why)
{
    if (!get_str(v, &out->window) || out->window.len > VP_CARD_ID_MAX)
        return bad(why, "window must be a window id of 0 to 64 bytes");
    return VP_OK;
}

static vp_code parse_chair(const msgpack_object *v, vp_intent *out, const char **why)
{
    if (v->type != MSGPACK_OBJECT_BOOLEAN)
        return bad(why, "chair must be true or false");
    out->chair = v->via.boolean;
    return VP_OK;
}

static vp_code parse_locked(const msgpack_object *v, vp_intent *out, const char **why)
{
    if (v->type != MSGPACK_OBJECT_BOOLEAN)
        return bad(why, "locked must be true or false");
    out->locked = v->via.boolean;
    return VP_OK;
}

/* ---- the table: which keys each message type reads ---- */

/* clang-format off */
#define REQ(k, fn) { k, true, fn, k " is required" }
#define OPT(k, fn) { k, false, fn, NULL }
#define KIND(arr) { (arr), sizeof(arr) / sizeof((arr)[0]) }
/* clang-format on */

static const field f_create[] = {
    REQ("room", parse_room), REQ("name", parse_name),           REQ("deck", parse_deck), OPT("title", parse_title),
    OPT("lang", parse_lang), OPT("tz_offset", parse_tz_offset), OPT("opts", parse_opts),
};
static const field f_join[] = {REQ("room", parse_room), REQ("name", parse_name), OPT("role", parse_role)};
static const field f_resume[] = {REQ("room", parse_room), REQ("token", parse_token)};
static const field f_start[] = {OPT("opts", parse_opts)};
static const field f_play[] = {REQ("card", parse_card)};
static const field f_draw[] = {OPT("card", parse_card)};
static const field f_vote[] = {REQ("value", parse_vote_value), OPT("for", parse_vote_for)};
static const field f_note[] = {REQ("text", parse_note_text)};
static const field f_hide[] = {REQ("note", parse_hide_note)};
static const field f_timer[] = {REQ("seconds", parse_timer_seconds)};
static const field f_page[] = {REQ("page", parse_page)};
static const field f_close[] = {OPT("text", parse_close_text), OPT("actions", parse_close_actions)};
static const field f_seat[] = {REQ("name", parse_name)};
static const field f_player[] = {REQ("player", parse_player)};
static const field f_lock[] = {REQ("locked", parse_locked)};
static const field f_window[] = {REQ("window", parse_window), OPT("for", parse_vote_for), OPT("chair", parse_chair)};

/* clang-format off */
static const kind kinds[VP_T__COUNT] = {
    [VP_T_CREATE] = KIND(f_create),
    [VP_T_JOIN] = KIND(f_join),
    [VP_T_RESUME] = KIND(f_resume),
    [VP_T_START] = KIND(f_start),
    [VP_T_PLAY] = KIND(f_play),
    [VP_T_DRAW] = KIND(f_draw),
    [VP_T_VOTE] = KIND(f_vote),
    [VP_T_NOTE] = KIND(f_note),
    [VP_T_HIDE] = KIND(f_hide),
    [VP_T_TIMER] = KIND(f_timer),
    [VP_T_CLOSE] = KIND(f_close),
    [VP_T_SEAT] = KIND(f_seat),
    [VP_T_HANDOVER] = KIND(f_player),
    [VP_T_KICK] = KIND(f_player),
    [VP_T_LOCK] = KIND(f_lock),
    [VP_T_WINDOW] = KIND(f_window),
    [VP_T_PAGE] = KIND(f_page),
    /* revote, reveal, next, skip, leave, purge, ping: no fields. */
};
/* clang-format on */

static void opts_defaults(vp_opts *o)
{
    o->set = 0;
    o->mode = VP_MODE_HANDS;
    o->hand = 3;
    o->anonymous = false;
    o->auto_reveal = true;
    o->facilitator_plays = false;
    o->n_categories = 0;
    o->n_kinds = 0;
    o->audience = (vp_str){0};
    o->bookends = false;
}

static void set_defaults(vp_intent *out, const uint8_t *buf)
{
    /* Empty defaults point at the start of the buffer with length 0, so
     * every vp_str points into buf and none is NULL. */
    vp_str empty = {(const char *)buf, 0};
    switch (out->t) {
    case VP_T_CREATE:
        out->title = empty;
        out->lang = VP_LANG_NL;
        out->tz_offset = 0;
        opts_defaults(&out->opts);
        break;
    case VP_T_START: opts_defaults(&out->opts); break;
    case VP_T_JOIN: out->role = VP_ROLE_PLAYER; break;
    case VP_T_CLOSE: out->text = empty; break;
    case VP_T_DRAW: out->card = empty; break;
    default: break;
    }
}

static vp_code decode_object(const msgpack_object *root, const uint8_t *buf, vp_intent *out, const char **why)
{
    const msgpack_object *v;
    vp_str t;
    int type;

    if (root->type != MSGPACK_OBJECT_MAP)
        return bad(why, "message must be a MessagePack map");
    if ((v = map_get(root, "id")) != NULL) {
        uint64_t id;
        if (!get_uint_in(v, 0, VP_ID_MAX, &id))
            return bad(why, "id must be an integer from 0 to 2^53");
        out->has_id = true;
        out->id = id;
    }
    if ((v = map_get(root, "t")) == NULL)
        return bad(why, "t is required");
    if (!get_str(v, &t))
        return bad(why, "t must be a string");
    for (type = 0; type < VP_T__COUNT; type++)
        if (str_eq(t, vp_type_name((vp_type)type)))
            break;
    if (type == VP_T__COUNT)
        return bad(why, "t names no known message type");
    out->t = (vp_type)type;
    set_defaults(out, buf);

    const kind *k = &kinds[type];
    for (size_t i = 0; i < k->n_fields; i++) {
        const field *f = &k->fields[i];
        vp_code code;
        if ((v = map_get(root, f->key)) == NULL) {
            if (f->required)
                return bad(why, f->missing);
            continue;
        }
        if ((code = f->parse(v, out, why)) != VP_OK)
            return code;
    }
    return VP_OK;
}

vp_code vp_decode(const uint8_t *buf, size_t len, vp_intent *out, const char **why)
{
    const char *ignored;
    vp_scan_result scan;
    msgpack_unpacked up;
    size_t off = 0;
    vp_code code;

    if (why == NULL)
        why = &ignored;
    *why = NULL;
    memset(out, 0, sizeof *out);
    if (len > VP_MAX_MESSAGE) {
        *why = "message is larger than 16 KiB";
        return VP_TOO_LARGE;
    }
    if (vp_scan(buf, len, &scan) != 0) {
        out->has_id = scan.has_id;
        out->id = scan.id;
        *why = scan.why;
        return VP_BAD_REQUEST;
    }

    /* The pre-scan has bounded every count and the depth, so the unpacker
     * allocates at most a few times len. With msgpack_unpack_next strings
     * are not copied: they point into buf (the tests check this). */
    msgpack_unpacked_init(&up);
    switch (msgpack_unpack_next(&up, (const char *)buf, len, &off)) {
    case MSGPACK_UNPACK_SUCCESS: break;
    case MSGPACK_UNPACK_NOMEM_ERROR:
        *why = "the server ran out of memory";
        code = VP_SERVER_BUSY;
        goto done;
    default:
        /* Not reached after a clean pre-scan; kept so that a disagreement
         * between the two parsers is an error, never a crash. */
        *why = "message is not valid MessagePack";
        code = VP_BAD_REQUEST;
        goto done;
    }
    if (off != len) {
        *why = "message has bytes after its one MessagePack object";
        code = VP_BAD_REQUEST;
        goto done;
    }
    code = decode_object(&up.data, buf, out, why);

done:
    msgpack_unpacked_destroy(&up);
    if (code != VP_OK) {
        /* Only the id survives an error, so no caller acts on half a message. */
        bool has_id = out->has_id;
        uint64_t id = out->id;
        memset(out, 0, sizeof *out);
        out->has_id = has_id;
        out->id = id;
    }
    return code;
}
