/* event_read: reading a whole event (a log payload) back, with validation of shapes, bounds and names. */
#include "game/event_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One reader: the first failure writes err and sticks. */
typedef struct reader {
    char *err;
    size_t errlen;
    bool failed;
} reader;

static int fail(reader *r, const char *fmt, ...)
{
    if (!r->failed) {
        r->failed = true;
        if (r->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(r->err, r->errlen, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

static const msgpack_object *find(const msgpack_object *m, const char *key)
{
    if (m->type != MSGPACK_OBJECT_MAP)
        return NULL;
    size_t kl = strlen(key);
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object *k = &m->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == kl && memcmp(k->via.str.ptr, key, kl) == 0)
            return &m->via.map.ptr[i].val;
    }
    return NULL;
}

static int obj_uint(reader *r, const msgpack_object *o, const char *what, uint64_t max, uint64_t *out)
{
    if (!o || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER || o->via.u64 > max)
        return fail(r, "%s: expected an unsigned integer up to %llu", what, (unsigned long long)max);
    *out = o->via.u64;
    return 0;
}

static int get_uint(reader *r, const msgpack_object *m, const char *key, uint64_t max, uint64_t *out)
{
    return obj_uint(r, find(m, key), key, max, out);
}

static int get_u32(reader *r, const msgpack_object *m, const char *key, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    if (get_uint(r, m, key, max, &v))
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* A member id, or nil (0). */
static int obj_member(reader *r, const msgpack_object *o, const char *what, bool nil_ok, uint32_t *out)
{
    if (o && o->type == MSGPACK_OBJECT_NIL && nil_ok) {
        *out = 0;
        return 0;
    }
    uint64_t v = 0;
    if (obj_uint(r, o, what, GAME_MAX_MEMBERS, &v))
        return -1;
    if (v == 0)
        return fail(r, "%s: member ids start at 1", what);
    *out = (uint32_t)v;
    return 0;
}

static int get_member(reader *r, const msgpack_object *m, const char *key, bool nil_ok, uint32_t *out)
{
    return obj_member(r, find(m, key), key, nil_ok, out);
}

static int get_bool(reader *r, const msgpack_object *m, const char *key, bool *out)
{
    const msgpack_object *o = find(m, key);
    if (!o || o->type != MSGPACK_OBJECT_BOOLEAN)
        return fail(r, "%s: expected a boolean", key);
    *out = o->via.boolean;
    return 0;
}

/* Copies a string of min..size-1 bytes without NUL bytes into buf. */
static int obj_str(reader *r, const msgpack_object *o, const char *what, char *buf, size_t size, size_t min)
{
    if (!o || o->type != MSGPACK_OBJECT_STR || o->via.str.size >= size || o->via.str.size < min ||
        memchr(o->via.str.ptr, 0, o->via.str.size))
        return fail(r, "%s: expected a string of %zu..%zu bytes", what, min, size - 1);
    memcpy(buf, o->via.str.ptr, o->via.str.size);
    buf[o->via.str.size] = 0;
    return 0;
}

static int get_str(reader *r, const msgpack_object *m, const char *key, char *buf, size_t size, size_t min)
{
    return obj_str(r, find(m, key), key, buf, size, min);
}

static int obj_strdup(reader *r, const msgpack_object *o, const char *what, size_t max, char **out)
{
    if (!o || o->type != MSGPACK_OBJECT_STR || o->via.str.size > max || memchr(o->via.str.ptr, 0, o->via.str.size))
        return fail(r, "%s: expected a string of at most %zu bytes", what, max);
    char *s = malloc(o->via.str.size + 1);
    if (!s)
        return fail(r, "%s: out of memory", what);
    memcpy(s, o->via.str.ptr, o->via.str.size);
    s[o->via.str.size] = 0;
    *out = s;
    return 0;
}

static int obj_array(reader *r, const msgpack_object *o, const char *what, uint32_t max)
{
    if (!o || o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size > max)
        return fail(r, "%s: expected an array of at most %u items", what, (unsigned)max);
    return 0;
}

static int obj_id(reader *r, const msgpack_object *o, const char *what, game_id *out)
{
    return obj_str(r, o, what, out->s, sizeof out->s, 1);
}

static int name_index(const char *const *names, unsigned n, const msgpack_object *o)
{
    if (!o || o->type != MSGPACK_OBJECT_STR)
        return -1;
    for (unsigned i = 0; i < n; i++)
        if (strlen(names[i]) == o->via.str.size && memcmp(names[i], o->via.str.ptr, o->via.str.size) == 0)
            return (int)i;
    return -1;
}

static int get_enum(reader *r, const msgpack_object *m, const char *key, const char *const *names, unsigned n, int *out)
{
    int i = name_index(names, n, find(m, key));
    if (i < 0)
        return fail(r, "%s: unknown value", key);
    *out = i;
    return 0;
}

static int get_ids(reader *r, const msgpack_object *m, const char *key, uint32_t **out, uint32_t *n)
{
    const msgpack_object *o = find(m, key);
    if (obj_array(r, o, key, GAME_MAX_PRESENT))
        return -1;
    uint32_t *ids = calloc(o->via.array.size + 1, sizeof *ids);
    if (!ids)
        return fail(r, "%s: out of memory", key);
    for (uint32_t i = 0; i < o->via.array.size; i++)
        if (obj_member(r, &o->via.array.ptr[i], key, false, &ids[i])) {
            free(ids);
            return -1;
        }
    *out = ids;
    *n = o->via.array.size;
    return 0;
}

static const char *const mode_names[] = {"hands", "deck"};
static const char *const lang_names[] = {"nl", "en"};
static const char *const role_names[] = {"facilitator", "player", "screen"};
static const char *const agreement_names[] = {"-", "consensus", "mixed", "polarised"};

static int obj_opts(reader *r, const msgpack_object *o, game_opts *out)
{
    if (!o || o->type != MSGPACK_OBJECT_MAP)
        return fail(r, "opts: expected a map");
    memset(out, 0, sizeof *out);
    int mode = 0;
    uint64_t hand = 0;
    if (get_enum(r, o, "mode", mode_names, 2, &mode) || get_uint(r, o, "hand", VP_HAND_MAX, &hand) ||
        get_bool(r, o, "anonymous", &out->anonymous) || get_bool(r, o, "auto_reveal", &out->auto_reveal) ||
        get_bool(r, o, "facilitator_plays", &out->facilitator_plays))
        return -1;
    if (hand < VP_HAND_MIN)
        return fail(r, "opts.hand: below %d", VP_HAND_MIN);
    out->mode = (vp_mode)mode;
    out->hand = (uint8_t)hand;
    const msgpack_object *c = find(o, "categories");
    out->all_categories = !c;
    if (c) {
        if (obj_array(r, c, "opts.categories", VP_CATEGORIES_MAX))
            return -1;
        for (uint32_t i = 0; i < c->via.array.size; i++)
            if (obj_id(r, &c->via.array.ptr[i], "opts.categories", &out->categories[i]))
                return -1;
        out->n_categories = (uint8_t)c->via.array.size;
    }
    const msgpack_object *k = find(o, "kinds");
    if (k) {
        if (obj_array(r, k, "opts.kinds", DECK_KIND__COUNT))
            return -1;
        for (uint32_t i = 0; i < k->via.array.size; i++) {
            int ki = name_index(deck_kind_names, DECK_KIND__COUNT, &k->via.array.ptr[i]);
            if (ki < 0)
                return fail(r, "opts.kinds: unknown kind");
            out->kinds |= (uint8_t)(1u << ki);
        }
    }
    if (find(o, "audience") && get_str(r, o, "audience", out->audience.s, sizeof out->audience.s, 1))
        return -1;
    if (find(o, "bookends") && get_bool(r, o, "bookends", &out->bookends))
        return -1;
    return 0;
}

static int obj_vote_value(reader *r, const msgpack_object *o, game_vote *v)
{
    if (o && o->type == MSGPACK_OBJECT_NIL) {
        v->pass = true;
        v->value = 0;
        return 0;
    }
    uint64_t x = 0;
    if (obj_uint(r, o, "value", DECK_SCALE_BOUND, &x))
        return -1;
    v->pass = false;
    v->value = (uint32_t)x;
    return 0;
}

static int obj_double_or_nil(reader *r, const msgpack_object *o, const char *what, bool *has, double *out)
{
    if (o && o->type == MSGPACK_OBJECT_NIL) {
        *has = false;
        return 0;
    }
    if (!o || (o->type != MSGPACK_OBJECT_FLOAT64 && o->type != MSGPACK_OBJECT_FLOAT32) || !isfinite(o->via.f64))
        return fail(r, "%s: expected a number or nil", what);
    *has = true;
    *out = o->via.f64;
    return 0;
}

static int obj_stats(reader *r, const msgpack_object *o, game_stats *s);

/* An optional `windows` list of [window, stats] pairs; absent leaves has false. */
static int obj_windows(reader *r, const msgpack_object *o, game_windows *w)
{
    memset(w, 0, sizeof *w);
    if (!o)
        return 0;
    if (obj_array(r, o, "windows", DECK_WINDOWS_MAX))
        return -1;
    w->has = true;
    for (uint32_t i = 0; i < o->via.array.size; i++) {
        const msgpack_object *p = &o->via.array.ptr[i];
        if (obj_array(r, p, "windows[]", 2) || p->via.array.size != 2 ||
            obj_id(r, &p->via.array.ptr[0], "windows[].window", &w->w[i].window) ||
            obj_stats(r, &p->via.array.ptr[1], &w->w[i].stats))
            return fail(r, "windows: expected [window, stats] pairs");
        w->n = (uint8_t)(i + 1);
    }
    return 0;
}

static int obj_stats(reader *r, const msgpack_object *o, game_stats *s)
{
    memset(s, 0, sizeof *s);
    if (!o || o->type != MSGPACK_OBJECT_MAP)
        return fail(r, "stats: expected a map");
    bool has_mean = false, has_median = false;
    if (get_u32(r, o, "n", GAME_MAX_MEMBERS, &s->n) || get_u32(r, o, "pass", GAME_MAX_MEMBERS, &s->pass) ||
        obj_double_or_nil(r, find(o, "mean"), "stats.mean", &has_mean, &s->mean) ||
        obj_double_or_nil(r, find(o, "median"), "stats.median", &has_median, &s->median))
        return -1;
    if (has_mean != (s->n > 0) || has_median != (s->n > 0))
        return fail(r, "stats: mean and median are nil exactly when n is 0");
    if (s->n) {
        if (get_u32(r, o, "min", DECK_SCALE_BOUND, &s->min) || get_u32(r, o, "max", DECK_SCALE_BOUND, &s->max))
            return -1;
    }
    const msgpack_object *h = find(o, "hist");
    if (obj_array(r, h, "stats.hist", GAME_SCALE_MAX))
        return -1;
    for (uint32_t i = 0; i < h->via.array.size; i++) {
        uint64_t v = 0;
        if (obj_uint(r, &h->via.array.ptr[i], "stats.hist", GAME_MAX_MEMBERS, &v))
            return -1;
        s->hist[i] = (uint32_t)v;
    }
    s->n_hist = (uint8_t)h->via.array.size;
    return 0;
}

static int obj_votes(reader *r, const msgpack_object *o, game_vote **out, uint32_t *n)
{
    if (obj_array(r, o, "votes", GAME_MAX_PRESENT))
        return -1;
    game_vote *v = calloc(o->via.array.size + 1, sizeof *v);
    if (!v)
        return fail(r, "votes: out of memory");
    for (uint32_t i = 0; i < o->via.array.size; i++) {
        const msgpack_object *p = &o->via.array.ptr[i];
        if (obj_array(r, p, "votes[]", 2) || p->via.array.size != 2 ||
            obj_member(r, &p->via.array.ptr[0], "votes[].player", false, &v[i].player) ||
            obj_vote_value(r, &p->via.array.ptr[1], &v[i])) {
            free(v);
            return fail(r, "votes: expected [player, value] pairs");
        }
    }
    *out = v;
    *n = o->via.array.size;
    return 0;
}

static int obj_summary(reader *r, const msgpack_object *o, game_summary **out)
{
    if (!o || o->type != MSGPACK_OBJECT_MAP)
        return fail(r, "summary: expected a map");
    game_summary *s = calloc(1, sizeof *s);
    if (!s)
        return fail(r, "summary: out of memory");
    const msgpack_object *cards = find(o, "cards"), *cats = find(o, "categories"), *acts = find(o, "actions");
    if (get_u32(r, o, "round", GAME_MAX_ROUNDS, &s->round) || obj_array(r, cards, "summary.cards", DECK_CARDS_MAX) ||
        obj_array(r, cats, "summary.categories", DECK_CATEGORIES_MAX) ||
        obj_array(r, acts, "summary.actions", VP_ACTIONS_MAX) ||
        obj_strdup(r, find(o, "text"), "summary.text", VP_CLOSE_TEXT_MAX, &s->text) ||
        ((s->has_players = find(o, "players") != NULL) && get_ids(r, o, "players", &s->players, &s->n_players)) ||
        get_uint(r, o, "started_at", UINT64_MAX, &s->started_at) ||
        get_uint(r, o, "closed_at", UINT64_MAX, &s->closed_at) ||
        get_str(r, o, "replay_key", s->replay_key, sizeof s->replay_key, GAME_KEY_HEX))
        goto err;
    s->cards = calloc(cards->via.array.size + 1, sizeof *s->cards);
    s->categories = calloc(cats->via.array.size + 1, sizeof *s->categories);
    s->actions = calloc(acts->via.array.size + 1, sizeof *s->actions);
    if (!s->cards || !s->categories || !s->actions) {
        fail(r, "summary: out of memory");
        goto err;
    }
    for (uint32_t i = 0; i < cards->via.array.size; i++) {
        const msgpack_object *c = &cards->via.array.ptr[i];
        game_summary_card *sc = &s->cards[i];
        s->n_cards = i + 1;
        int agreement = 0;
        const msgpack_object *a = find(c, "agreement"), *notes = find(c, "notes");
        if (c->type != MSGPACK_OBJECT_MAP || obj_id(r, find(c, "card"), "summary.cards[].card", &sc->card) ||
            get_member(r, c, "by", true, &sc->by) || obj_stats(r, find(c, "stats"), &sc->stats) ||
            obj_windows(r, find(c, "windows"), &sc->windows) ||
            obj_array(r, notes, "summary.cards[].notes", GAME_MAX_NOTES_CARD)) {
            fail(r, "summary.cards[%u]: malformed", (unsigned)i);
            goto err;
        }
        if (a && a->type == MSGPACK_OBJECT_NIL)
            agreement = GAME_AGREE_NONE;
        else if ((agreement = name_index(agreement_names, 4, a)) <= 0) {
            fail(r, "summary.cards[%u].agreement: unknown value", (unsigned)i);
            goto err;
        }
        sc->agreement = (game_agreement)agreement;
        sc->notes = calloc(notes->via.array.size + 1, sizeof *sc->notes);
        if (!sc->notes) {
            fail(r, "summary: out of memory");
            goto err;
        }
        for (uint32_t j = 0; j < notes->via.array.size; j++) {
            const msgpack_object *n = &notes->via.array.ptr[j];
            game_note_item *ni = &sc->notes[j];
            sc->n_notes = j + 1;
            const msgpack_object *t = find(n, "text");
            if (n->type != MSGPACK_OBJECT_MAP || get_u32(r, n, "note", UINT32_MAX, &ni->note) ||
                (find(n, "player") && get_member(r, n, "player", false, &ni->player)) ||
                (t && obj_strdup(r, t, "summary note text", VP_NOTE_MAX, &ni->text)))
                goto err;
        }
    }
    for (uint32_t i = 0; i < cats->via.array.size; i++) {
        const msgpack_object *c = &cats->via.array.ptr[i];
        game_summary_category *sc = &s->categories[i];
        if (c->type != MSGPACK_OBJECT_MAP ||
            obj_id(r, find(c, "category"), "summary.categories[].category", &sc->category) ||
            get_u32(r, c, "cards", DECK_CARDS_MAX, &sc->cards) ||
            obj_double_or_nil(r, find(c, "mean"), "summary.categories[].mean", &sc->has_mean, &sc->mean))
            goto err;
        s->n_categories = i + 1;
    }
    for (uint32_t i = 0; i < acts->via.array.size; i++) {
        if (obj_strdup(r, &acts->via.array.ptr[i], "summary.actions[]", VP_ACTION_MAX, &s->actions[i]))
            goto err;
        s->n_actions = i + 1;
    }
    *out = s;
    return 0;
err:
    game_summary_free(s);
    return -1;
}

static int read_fields(reader *r, const msgpack_object *o, game_event *e)
{
    int x = 0;
    switch (e->kind) {
    case GAME_EV_CREATED: {
        char derr[200];
        const msgpack_object *d = find(o, "deck");
        if (get_str(r, o, "room", e->u.created.room, sizeof e->u.created.room, VP_ROOM_LEN) ||
            obj_strdup(r, find(o, "title"), "title", VP_TITLE_MAX, &e->u.created.title) ||
            get_enum(r, o, "lang", lang_names, 2, &x) || obj_opts(r, find(o, "opts"), &e->u.created.opts) ||
            get_member(r, o, "by", false, &e->u.created.by) ||
            get_str(r, o, "replay_key", e->u.created.replay_key, sizeof e->u.created.replay_key, GAME_KEY_HEX))
            return -1;
        e->u.created.lang = (vp_lang)x;
        const msgpack_object *tz = find(o, "tz_offset");
        if (!tz || (tz->type != MSGPACK_OBJECT_POSITIVE_INTEGER && tz->type != MSGPACK_OBJECT_NEGATIVE_INTEGER) ||
            tz->via.i64 < VP_TZ_MIN || tz->via.i64 > VP_TZ_MAX)
            return fail(r, "tz_offset: expected minutes in %d..%d", VP_TZ_MIN, VP_TZ_MAX);
        e->u.created.tz_offset = (int32_t)tz->via.i64;
        if (!d || deck_parse_msgpack(d, &e->u.created.deck, derr, sizeof derr))
            return fail(r, "%s", d ? derr : "deck: missing");
        return 0;
    }
    case GAME_EV_JOINED: {
        const msgpack_object *th = find(o, "token_hash");
        if (get_member(r, o, "player", false, &e->u.joined.player) ||
            get_str(r, o, "name", e->u.joined.name, sizeof e->u.joined.name, 1) ||
            get_enum(r, o, "role", role_names, 3, &x) || get_bool(r, o, "seated", &e->u.joined.seated))
            return -1;
        e->u.joined.role = (vp_role)x;
        e->u.joined.has_token_hash = th != NULL;
        if (th && obj_str(r, th, "token_hash", e->u.joined.token_hash, sizeof e->u.joined.token_hash, GAME_HASH_HEX))
            return -1;
        return 0;
    }
    case GAME_EV_PRESENCE:
        return get_member(r, o, "player", false, &e->u.presence.player) ||
                       get_bool(r, o, "online", &e->u.presence.online)
                   ? -1
                   : 0;
    case GAME_EV_LEFT: {
        static const char *const whys[] = {"left", "kicked"};
        if (get_member(r, o, "player", false, &e->u.left.player) || get_enum(r, o, "why", whys, 2, &x))
            return -1;
        e->u.left.kicked = x == 1;
        return 0;
    }
    case GAME_EV_HANDED:
        return get_member(r, o, "from", false, &e->u.handed.from) || get_member(r, o, "to", false, &e->u.handed.to) ? -1
                                                                                                                    : 0;
    case GAME_EV_LOCKED: return get_bool(r, o, "locked", &e->u.locked.locked);
    case GAME_EV_ROUND:
        return get_u32(r, o, "round", GAME_MAX_ROUNDS, &e->u.round.round) ||
                       get_ids(r, o, "order", &e->u.round.order, &e->u.round.n_order) ||
                       get_u32(r, o, "pile", DECK_CARDS_MAX, &e->u.round.pile) ||
                       obj_opts(r, find(o, "opts"), &e->u.round.opts) ||
                       get_uint(r, o, "seed", UINT64_MAX, &e->u.round.seed)
                   ? -1
                   : 0;
    case GAME_EV_DEALT: {
        const msgpack_object *h = find(o, "hands");
        if (obj_array(r, h, "hands", GAME_MAX_PRESENT))
            return -1;
        e->u.dealt.hands = calloc(h->via.array.size + 1, sizeof *e->u.dealt.hands);
        if (!e->u.dealt.hands)
            return fail(r, "hands: out of memory");
        e->u.dealt.n_hands = h->via.array.size;
        for (uint32_t i = 0; i < h->via.array.size; i++) {
            const msgpack_object *p = &h->via.array.ptr[i];
            game_hand *hd = &e->u.dealt.hands[i];
            if (obj_array(r, p, "hands[]", 2) || p->via.array.size != 2 ||
                obj_member(r, &p->via.array.ptr[0], "hands[].player", false, &hd->player) ||
                obj_array(r, &p->via.array.ptr[1], "hands[].cards", VP_HAND_MAX))
                return fail(r, "hands: expected [player, [card...]] pairs");
            const msgpack_object *cs = &p->via.array.ptr[1];
            for (uint32_t j = 0; j < cs->via.array.size; j++)
                if (obj_id(r, &cs->via.array.ptr[j], "hands[].cards[]", &hd->cards[j]))
                    return -1;
            hd->n_cards = cs->via.array.size;
        }
        return 0;
    }
    case GAME_EV_ORDER: return get_ids(r, o, "order", &e->u.order.order, &e->u.order.n_order);
    case GAME_EV_TURN: return get_member(r, o, "player", true, &e->u.turn.player);
    case GAME_EV_PLAYED:
        return get_member(r, o, "player", true, &e->u.played.player) ||
                       obj_id(r, find(o, "card"), "card", &e->u.played.card)
                   ? -1
                   : 0;
    case GAME_EV_VOTED:
        return get_member(r, o, "player", false, &e->u.voted.vote.player) ||
                       obj_vote_value(r, find(o, "value"), &e->u.voted.vote)
                   ? -1
                   : 0;
    case GAME_EV_REOPENED: return obj_id(r, find(o, "card"), "card", &e->u.reopened.card);
    case GAME_EV_REVEALED:
        return obj_id(r, find(o, "card"), "card", &e->u.revealed.card) ||
                       obj_votes(r, find(o, "votes"), &e->u.revealed.votes, &e->u.revealed.n_votes) ||
                       obj_stats(r, find(o, "stats"), &e->u.revealed.stats) ||
                       obj_windows(r, find(o, "windows"), &e->u.revealed.windows)
                   ? -1
                   : 0;
    case GAME_EV_NOTED:
        return get_u32(r, o, "note", UINT32_MAX, &e->u.noted.note) ||
                       get_member(r, o, "player", false, &e->u.noted.player) ||
                       obj_id(r, find(o, "card"), "card", &e->u.noted.card) ||
                       obj_strdup(r, find(o, "text"), "text", VP_NOTE_MAX, &e->u.noted.text)
                   ? -1
                   : 0;
    case GAME_EV_HIDDEN: return get_u32(r, o, "note", UINT32_MAX, &e->u.hidden.note);
    case GAME_EV_DONE: return obj_id(r, find(o, "card"), "card", &e->u.done.card);
    case GAME_EV_SKIPPED: return get_member(r, o, "player", false, &e->u.skipped.player);
    case GAME_EV_TIMER: {
        const msgpack_object *t = find(o, "ends_at");
        if (t && t->type == MSGPACK_OBJECT_NIL) {
            e->u.timer.running = false;
            return 0;
        }
        e->u.timer.running = true;
        return obj_uint(r, t, "ends_at", UINT64_MAX, &e->u.timer.ends_at);
    }
    case GAME_EV_CLOSED:
        return get_u32(r, o, "round", GAME_MAX_ROUNDS, &e->u.closed.round) ||
                       obj_summary(r, find(o, "summary"), &e->u.closed.summary)
                   ? -1
                   : 0;
    case GAME_EV_REKEYED:
        return get_str(r, o, "replay_key", e->u.rekeyed.replay_key, sizeof e->u.rekeyed.replay_key, GAME_KEY_HEX);
    case GAME_EV_WINDOWED: {
        const msgpack_object *w = find(o, "window");
        if (get_member(r, o, "player", true, &e->u.windowed.player))
            return -1;
        if (w && w->type == MSGPACK_OBJECT_NIL)
            return 0;
        return obj_id(r, w, "window", &e->u.windowed.window);
    }
    case GAME_EV_PAGED: return get_u32(r, o, "page", VP_PAGE_MAX, &e->u.paged.page);
    case GAME_EV__COUNT: break;
    }
    return fail(r, "unknown event");
}

int game_unpack_event(const msgpack_object *o, game_event *e, char *err, size_t errlen)
{
    reader r = {err, errlen, false};
    if (errlen)
        err[0] = 0;
    memset(e, 0, sizeof *e);
    if (!o || o->type != MSGPACK_OBJECT_MAP)
        return fail(&r, "event: expected a map");
    int kind = name_index(event_names, GAME_EV__COUNT, find(o, "e"));
    if (kind < 0)
        return fail(&r, "e: unknown event");
    if (get_uint(&r, o, "seq", UINT64_MAX, &e->seq) || get_uint(&r, o, "at", UINT64_MAX, &e->at))
        return -1;
    e->kind = (game_event_kind)kind;
    if (read_fields(&r, o, e) || r.failed) {
        char keep[256];
        uint64_t seq = e->seq;
        snprintf(keep, sizeof keep, "%s", errlen ? err : "");
        game_event_clear(e);
        e->seq = seq;
        if (errlen)
            snprintf(err, errlen, "%s event %llu: %s", event_names[kind], (unsigned long long)seq, keep);
        e->seq = 0;
        return -1;
    }
    return 0;
}
