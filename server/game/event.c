/* event: packing room events whole (the log's payload) and reading them back, with validation. */
#include "game/event.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const event_names[GAME_EV__COUNT] = {
    [GAME_EV_CREATED] = "created",   [GAME_EV_JOINED] = "joined",   [GAME_EV_PRESENCE] = "presence",
    [GAME_EV_LEFT] = "left",         [GAME_EV_HANDED] = "handed",   [GAME_EV_LOCKED] = "locked",
    [GAME_EV_ROUND] = "round",       [GAME_EV_DEALT] = "dealt",     [GAME_EV_ORDER] = "order",
    [GAME_EV_TURN] = "turn",         [GAME_EV_PLAYED] = "played",   [GAME_EV_VOTED] = "voted",
    [GAME_EV_REOPENED] = "reopened", [GAME_EV_REVEALED] = "revealed", [GAME_EV_NOTED] = "noted",
    [GAME_EV_HIDDEN] = "hidden",     [GAME_EV_DONE] = "done",       [GAME_EV_SKIPPED] = "skipped",
    [GAME_EV_TIMER] = "timer",       [GAME_EV_CLOSED] = "closed",   [GAME_EV_REKEYED] = "rekeyed",
    [GAME_EV_WINDOWED] = "windowed",
    [GAME_EV_PAGED] = "paged",
};

const char *game_event_name(game_event_kind kind)
{
    return (unsigned)kind < GAME_EV__COUNT ? event_names[kind] : "?";
}

const char *game_agreement_name(game_agreement a)
{
    switch (a) {
    case GAME_AGREE_CONSENSUS: return "consensus";
    case GAME_AGREE_MIXED: return "mixed";
    case GAME_AGREE_POLARISED: return "polarised";
    case GAME_AGREE_NONE: return NULL;
    }
    return NULL;
}

void game_summary_free(game_summary *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->n_cards; i++) {
        for (uint32_t j = 0; j < s->cards[i].n_notes; j++)
            free(s->cards[i].notes[j].text);
        free(s->cards[i].notes);
    }
    free(s->cards);
    free(s->categories);
    free(s->text);
    for (uint32_t i = 0; i < s->n_actions; i++)
        free(s->actions[i]);
    free(s->actions);
    free(s->players);
    free(s);
}

void game_event_clear(game_event *e)
{
    switch (e->kind) {
    case GAME_EV_CREATED:
        free(e->u.created.title);
        deck_unref(e->u.created.deck);
        break;
    case GAME_EV_ROUND: free(e->u.round.order); break;
    case GAME_EV_DEALT: free(e->u.dealt.hands); break;
    case GAME_EV_ORDER: free(e->u.order.order); break;
    case GAME_EV_REVEALED: free(e->u.revealed.votes); break;
    case GAME_EV_NOTED: free(e->u.noted.text); break;
    case GAME_EV_CLOSED: game_summary_free(e->u.closed.summary); break;
    /* Nothing on the heap. */
    case GAME_EV_JOINED: case GAME_EV_PRESENCE: case GAME_EV_LEFT: case GAME_EV_HANDED:
    case GAME_EV_LOCKED: case GAME_EV_TURN: case GAME_EV_PLAYED: case GAME_EV_VOTED:
    case GAME_EV_REOPENED: case GAME_EV_HIDDEN: case GAME_EV_DONE: case GAME_EV_SKIPPED:
    case GAME_EV_TIMER: case GAME_EV_REKEYED: case GAME_EV_WINDOWED: case GAME_EV_PAGED:
    case GAME_EV__COUNT:
        break;
    }
    memset(e, 0, sizeof *e);
}

/* ---- packing ---- */

void game_pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

static void pack_key(msgpack_packer *pk, const char *k)
{
    game_pack_str(pk, k);
}

void game_pack_member(msgpack_packer *pk, uint32_t id)
{
    if (id)
        msgpack_pack_uint32(pk, id);
    else
        msgpack_pack_nil(pk);
}

void game_pack_bool(msgpack_packer *pk, bool b)
{
    if (b)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
}

void game_pack_opts(msgpack_packer *pk, const game_opts *o)
{
    /* The format 2 options are packed only when set, so an older room's
     * events pack as they always did. */
    msgpack_pack_map(pk, 5 + !o->all_categories + (o->kinds != 0) + (o->audience.s[0] != 0) + o->bookends);
    pack_key(pk, "mode");
    game_pack_str(pk, vp_mode_name(o->mode));
    pack_key(pk, "hand");
    msgpack_pack_uint8(pk, o->hand);
    pack_key(pk, "anonymous");
    game_pack_bool(pk, o->anonymous);
    pack_key(pk, "auto_reveal");
    game_pack_bool(pk, o->auto_reveal);
    pack_key(pk, "facilitator_plays");
    game_pack_bool(pk, o->facilitator_plays);
    if (!o->all_categories) {
        pack_key(pk, "categories");
        msgpack_pack_array(pk, o->n_categories);
        for (unsigned i = 0; i < o->n_categories; i++)
            game_pack_str(pk, o->categories[i].s);
    }
    if (o->kinds) {
        pack_key(pk, "kinds");
        msgpack_pack_array(pk, (uint32_t)__builtin_popcount(o->kinds));
        for (int k = 0; k < DECK_KIND__COUNT; k++)
            if (o->kinds & (1u << k))
                game_pack_str(pk, deck_kind_names[k]);
    }
    if (o->audience.s[0]) {
        pack_key(pk, "audience");
        game_pack_str(pk, o->audience.s);
    }
    if (o->bookends) {
        pack_key(pk, "bookends");
        game_pack_bool(pk, true);
    }
}

static void pack_value_or_nil(msgpack_packer *pk, bool has, uint32_t v)
{
    if (has)
        msgpack_pack_uint32(pk, v);
    else
        msgpack_pack_nil(pk);
}

static void pack_double_or_nil(msgpack_packer *pk, bool has, double v)
{
    if (has)
        msgpack_pack_double(pk, v);
    else
        msgpack_pack_nil(pk);
}

void game_pack_stats(msgpack_packer *pk, const game_stats *s)
{
    msgpack_pack_map(pk, 7);
    pack_key(pk, "n");
    msgpack_pack_uint32(pk, s->n);
    pack_key(pk, "pass");
    msgpack_pack_uint32(pk, s->pass);
    pack_key(pk, "mean");
    pack_double_or_nil(pk, s->n > 0, s->mean);
    pack_key(pk, "median");
    pack_double_or_nil(pk, s->n > 0, s->median);
    pack_key(pk, "min");
    pack_value_or_nil(pk, s->n > 0, s->min);
    pack_key(pk, "max");
    pack_value_or_nil(pk, s->n > 0, s->max);
    pack_key(pk, "hist");
    msgpack_pack_array(pk, s->n_hist);
    for (unsigned i = 0; i < s->n_hist; i++)
        msgpack_pack_uint32(pk, s->hist[i]);
}

void game_pack_windows(msgpack_packer *pk, const game_windows *w)
{
    msgpack_pack_array(pk, w->n);
    for (uint32_t i = 0; i < w->n; i++) {
        msgpack_pack_array(pk, 2);
        game_pack_str(pk, w->w[i].window.s);
        game_pack_stats(pk, &w->w[i].stats);
    }
}

void game_pack_agreement(msgpack_packer *pk, game_agreement a)
{
    const char *name = game_agreement_name(a);
    if (name)
        game_pack_str(pk, name);
    else
        msgpack_pack_nil(pk);
}

void game_pack_vote_value(msgpack_packer *pk, const game_vote *v)
{
    pack_value_or_nil(pk, !v->pass, v->value);
}

void game_pack_ids(msgpack_packer *pk, const uint32_t *ids, uint32_t n)
{
    msgpack_pack_array(pk, n);
    for (uint32_t i = 0; i < n; i++)
        msgpack_pack_uint32(pk, ids[i]);
}

void game_pack_summary(msgpack_packer *pk, const game_summary *s,
                       bool (*hidden)(uint32_t id, const void *ctx), const void *ctx)
{
    msgpack_pack_map(pk, s->has_players ? 9 : 8);
    pack_key(pk, "round");
    msgpack_pack_uint32(pk, s->round);
    pack_key(pk, "cards");
    msgpack_pack_array(pk, s->n_cards);
    for (uint32_t i = 0; i < s->n_cards; i++) {
        const game_summary_card *c = &s->cards[i];
        msgpack_pack_map(pk, c->windows.has ? 6 : 5);
        pack_key(pk, "card");
        game_pack_str(pk, c->card.s);
        pack_key(pk, "by");
        game_pack_member(pk, c->by);
        pack_key(pk, "stats");
        game_pack_stats(pk, &c->stats);
        pack_key(pk, "agreement");
        game_pack_agreement(pk, c->agreement);
        if (c->windows.has) {
            pack_key(pk, "windows");
            game_pack_windows(pk, &c->windows);
        }
        pack_key(pk, "notes");
        msgpack_pack_array(pk, c->n_notes);
        for (uint32_t j = 0; j < c->n_notes; j++) {
            const game_note_item *n = &c->notes[j];
            bool show = n->text && !(hidden && hidden(n->note, ctx));
            /* A hidden note is only its id: neither its text nor who
             * wrote it (SPEC.md §5). The log's `noted` still holds both. */
            msgpack_pack_map(pk, show ? 3 : 1);
            pack_key(pk, "note");
            msgpack_pack_uint32(pk, n->note);
            if (show) {
                pack_key(pk, "player");
                msgpack_pack_uint32(pk, n->player);
                pack_key(pk, "text");
                game_pack_str(pk, n->text);
            }
        }
    }
    pack_key(pk, "categories");
    msgpack_pack_array(pk, s->n_categories);
    for (uint32_t i = 0; i < s->n_categories; i++) {
        const game_summary_category *c = &s->categories[i];
        msgpack_pack_map(pk, 3);
        pack_key(pk, "category");
        game_pack_str(pk, c->category.s);
        pack_key(pk, "cards");
        msgpack_pack_uint32(pk, c->cards);
        pack_key(pk, "mean");
        pack_double_or_nil(pk, c->has_mean, c->mean);
    }
    pack_key(pk, "text");
    game_pack_str(pk, s->text ? s->text : "");
    pack_key(pk, "actions");
    msgpack_pack_array(pk, s->n_actions);
    for (uint32_t i = 0; i < s->n_actions; i++)
        game_pack_str(pk, s->actions[i]);
    if (s->has_players) {
        pack_key(pk, "players");
        game_pack_ids(pk, s->players, s->n_players);
    }
    pack_key(pk, "started_at");
    msgpack_pack_uint64(pk, s->started_at);
    pack_key(pk, "closed_at");
    msgpack_pack_uint64(pk, s->closed_at);
    pack_key(pk, "replay_key");
    game_pack_str(pk, s->replay_key);
}

void game_pack_vote_pairs(msgpack_packer *pk, const game_vote *v, uint32_t n)
{
    msgpack_pack_array(pk, n);
    for (uint32_t i = 0; i < n; i++) {
        msgpack_pack_array(pk, 2);
        msgpack_pack_uint32(pk, v[i].player);
        game_pack_vote_value(pk, &v[i]);
    }
}

void game_map_key(game_map *m, const char *k)
{
    m->n++;
    game_pack_str(m->pk, k);
}

static int write_nothing(void *data, const char *buf, size_t len)
{
    return 0;
}

void game_pack_map(msgpack_packer *pk, game_pairs_fn pairs, const void *ctx)
{
    msgpack_packer sink;
    msgpack_packer_init(&sink, NULL, write_nothing);
    game_map count = {&sink, 0};
    pairs(&count, ctx);
    msgpack_pack_map(pk, count.n);
    game_map m = {pk, 0};
    pairs(&m, ctx);
}

static void event_pairs(game_map *m, const void *ctx)
{
    const game_event *e = ctx;
    game_map_key(m, "seq");
    msgpack_pack_uint64(m->pk, e->seq);
    game_map_key(m, "at");
    msgpack_pack_uint64(m->pk, e->at);
    game_event_pairs(m, e);
}

void game_pack_event(const game_event *e, msgpack_packer *pk)
{
    game_pack_map(pk, event_pairs, e);
}

/* An sbuffer that refuses every write after the first that failed, so a
 * failure anywhere in a pack is seen at the end. */
typedef struct checked_sbuffer {
    msgpack_sbuffer *sb;
    bool failed;
} checked_sbuffer;

static int checked_sbuffer_write(void *data, const char *buf, size_t len)
{
    checked_sbuffer *c = data;
    if (c->failed || msgpack_sbuffer_write(c->sb, buf, len)) {
        c->failed = true;
        return -1;
    }
    return 0;
}

int game_pack_event_sbuffer(const game_event *e, msgpack_sbuffer *sb)
{
    checked_sbuffer c = {sb, false};
    size_t start = sb->size;
    msgpack_packer pk;
    msgpack_packer_init(&pk, &c, checked_sbuffer_write);
    game_pack_event(e, &pk);
    if (c.failed) {
        sb->size = start;
        return -1;
    }
    return 0;
}

void game_event_pairs(game_map *m, const game_event *e)
{
    game_map_key(m, "e");
    game_pack_str(m->pk, game_event_name(e->kind));
    switch (e->kind) {
    case GAME_EV_CREATED:
        game_map_key(m, "room");
        game_pack_str(m->pk, e->u.created.room);
        game_map_key(m, "title");
        game_pack_str(m->pk, e->u.created.title ? e->u.created.title : "");
        game_map_key(m, "lang");
        game_pack_str(m->pk, vp_lang_name(e->u.created.lang));
        game_map_key(m, "tz_offset");
        msgpack_pack_int32(m->pk, e->u.created.tz_offset);
        game_map_key(m, "opts");
        game_pack_opts(m->pk, &e->u.created.opts);
        game_map_key(m, "deck");
        deck_pack(e->u.created.deck, m->pk);
        game_map_key(m, "by");
        msgpack_pack_uint32(m->pk, e->u.created.by);
        game_map_key(m, "replay_key");
        game_pack_str(m->pk, e->u.created.replay_key);
        break;
    case GAME_EV_JOINED:
        game_map_key(m, "player");
        msgpack_pack_uint32(m->pk, e->u.joined.player);
        game_map_key(m, "name");
        game_pack_str(m->pk, e->u.joined.name);
        game_map_key(m, "role");
        game_pack_str(m->pk, vp_role_name(e->u.joined.role));
        game_map_key(m, "seated");
        game_pack_bool(m->pk, e->u.joined.seated);
        if (e->u.joined.has_token_hash) {
            game_map_key(m, "token_hash");
            game_pack_str(m->pk, e->u.joined.token_hash);
        }
        break;
    case GAME_EV_PRESENCE:
        game_map_key(m, "player");
        msgpack_pack_uint32(m->pk, e->u.presence.player);
        game_map_key(m, "online");
        game_pack_bool(m->pk, e->u.presence.online);
        break;
    case GAME_EV_LEFT:
        game_map_key(m, "player");
        msgpack_pack_uint32(m->pk, e->u.left.player);
        game_map_key(m, "why");
        game_pack_str(m->pk, e->u.left.kicked ? "kicked" : "left");
        break;
    case GAME_EV_HANDED:
        game_map_key(m, "from");
        msgpack_pack_uint32(m->pk, e->u.handed.from);
        game_map_key(m, "to");
        msgpack_pack_uint32(m->pk, e->u.handed.to);
        break;
    case GAME_EV_LOCKED:
        game_map_key(m, "locked");
        game_pack_bool(m->pk, e->u.locked.locked);
        break;
    case GAME_EV_ROUND:
        game_map_key(m, "round");
        msgpack_pack_uint32(m->pk, e->u.round.round);
        game_map_key(m, "order");
        game_pack_ids(m->pk, e->u.round.order, e->u.round.n_order);
        game_map_key(m, "pile");
        msgpack_pack_uint32(m->pk, e->u.round.pile);
        game_map_key(m, "opts");
        game_pack_opts(m->pk, &e->u.round.opts);
        game_map_key(m, "seed");
        msgpack_pack_uint64(m->pk, e->u.round.seed);
        break;
    case GAME_EV_DEALT:
        game_map_key(m, "hands");
        msgpack_pack_array(m->pk, e->u.dealt.n_hands);
        for (uint32_t i = 0; i < e->u.dealt.n_hands; i++) {
            const game_hand *h = &e->u.dealt.hands[i];
            msgpack_pack_array(m->pk, 2);
            msgpack_pack_uint32(m->pk, h->player);
            msgpack_pack_array(m->pk, h->n_cards);
            for (uint32_t j = 0; j < h->n_cards; j++)
                game_pack_str(m->pk, h->cards[j].s);
        }
        break;
    case GAME_EV_ORDER:
        game_map_key(m, "order");
        game_pack_ids(m->pk, e->u.order.order, e->u.order.n_order);
        break;
    case GAME_EV_TURN:
        game_map_key(m, "player");
        game_pack_member(m->pk, e->u.turn.player);
        break;
    case GAME_EV_PLAYED:
        game_map_key(m, "player");
        game_pack_member(m->pk, e->u.played.player);
        game_map_key(m, "card");
        game_pack_str(m->pk, e->u.played.card.s);
        break;
    case GAME_EV_VOTED:
        game_map_key(m, "player");
        msgpack_pack_uint32(m->pk, e->u.voted.vote.player);
        game_map_key(m, "value");
        game_pack_vote_value(m->pk, &e->u.voted.vote);
        break;
    case GAME_EV_REOPENED:
        game_map_key(m, "card");
        game_pack_str(m->pk, e->u.reopened.card.s);
        break;
    case GAME_EV_REVEALED:
        game_map_key(m, "card");
        game_pack_str(m->pk, e->u.revealed.card.s);
        game_map_key(m, "votes");
        game_pack_vote_pairs(m->pk, e->u.revealed.votes, e->u.revealed.n_votes);
        game_map_key(m, "stats");
        game_pack_stats(m->pk, &e->u.revealed.stats);
        if (e->u.revealed.windows.has) {
            game_map_key(m, "windows");
            game_pack_windows(m->pk, &e->u.revealed.windows);
        }
        break;
    case GAME_EV_NOTED:
        game_map_key(m, "note");
        msgpack_pack_uint32(m->pk, e->u.noted.note);
        game_map_key(m, "player");
        msgpack_pack_uint32(m->pk, e->u.noted.player);
        game_map_key(m, "card");
        game_pack_str(m->pk, e->u.noted.card.s);
        game_map_key(m, "text");
        game_pack_str(m->pk, e->u.noted.text ? e->u.noted.text : "");
        break;
    case GAME_EV_HIDDEN:
        game_map_key(m, "note");
        msgpack_pack_uint32(m->pk, e->u.hidden.note);
        break;
    case GAME_EV_DONE:
        game_map_key(m, "card");
        game_pack_str(m->pk, e->u.done.card.s);
        break;
    case GAME_EV_SKIPPED:
        game_map_key(m, "player");
        msgpack_pack_uint32(m->pk, e->u.skipped.player);
        break;
    case GAME_EV_TIMER:
        game_map_key(m, "ends_at");
        if (e->u.timer.running)
            msgpack_pack_uint64(m->pk, e->u.timer.ends_at);
        else
            msgpack_pack_nil(m->pk);
        break;
    case GAME_EV_CLOSED:
        game_map_key(m, "round");
        msgpack_pack_uint32(m->pk, e->u.closed.round);
        game_map_key(m, "summary");
        game_pack_summary(m->pk, e->u.closed.summary, NULL, NULL);
        break;
    case GAME_EV_REKEYED:
        game_map_key(m, "replay_key");
        game_pack_str(m->pk, e->u.rekeyed.replay_key);
        break;
    case GAME_EV_WINDOWED:
        game_map_key(m, "player");
        game_pack_member(m->pk, e->u.windowed.player);
        game_map_key(m, "window");
        if (e->u.windowed.window.s[0])
            game_pack_str(m->pk, e->u.windowed.window.s);
        else
            msgpack_pack_nil(m->pk);
        break;
    case GAME_EV_PAGED:
        game_map_key(m, "page");
        msgpack_pack_uint32(m->pk, e->u.paged.page);
        break;
    case GAME_EV__COUNT: break;
    }
}

/* ---- reading back ---- */

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
    if (!o || o->type != MSGPACK_OBJECT_STR || o->via.str.size > max ||
        memchr(o->via.str.ptr, 0, o->via.str.size))
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

static int get_enum(reader *r, const msgpack_object *m, const char *key, const char *const *names, unsigned n,
                    int *out)
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
        return get_member(r, o, "from", false, &e->u.handed.from) ||
                       get_member(r, o, "to", false, &e->u.handed.to)
                   ? -1
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
