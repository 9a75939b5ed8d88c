/* event: packing room events whole (the log's payload): the kinds' names and fields, and maps sized by their pairs. */
#include "game/event_internal.h"

#include <stdlib.h>
#include <string.h>

/* clang-format off */
const char *const event_names[GAME_EV__COUNT] = {
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
/* clang-format on */

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
    case GAME_EV_JOINED:
    case GAME_EV_PRESENCE:
    case GAME_EV_LEFT:
    case GAME_EV_HANDED:
    case GAME_EV_LOCKED:
    case GAME_EV_TURN:
    case GAME_EV_PLAYED:
    case GAME_EV_VOTED:
    case GAME_EV_REOPENED:
    case GAME_EV_HIDDEN:
    case GAME_EV_DONE:
    case GAME_EV_SKIPPED:
    case GAME_EV_TIMER:
    case GAME_EV_REKEYED:
    case GAME_EV_WINDOWED:
    case GAME_EV_PAGED:
    case GAME_EV__COUNT: break;
    }
    memset(e, 0, sizeof *e);
}

void game_map_key(game_map *m, const char *k)
{
    m->n++;
    game_pack_str(m->pk, k);
}

int game_write_nothing(void *data, const char *buf, size_t len)
{
    return 0;
}

bool game_map_counting(const game_map *m)
{
    return game_pack_discards(m->pk);
}

void game_pack_map(msgpack_packer *pk, game_pairs_fn pairs, const void *ctx)
{
    /* A map inside a map whose keys are being counted is a value that goes
     * nowhere: skipping it keeps nested maps at two passes, not 2^depth. */
    if (game_pack_discards(pk))
        return;
    msgpack_packer sink;
    msgpack_packer_init(&sink, NULL, game_write_nothing);
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

void game_pack_created_head(game_map *m, const game_event *e)
{
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
}

void game_event_pairs(game_map *m, const game_event *e)
{
    game_map_key(m, "e");
    game_pack_str(m->pk, game_event_name(e->kind));
    switch (e->kind) {
    case GAME_EV_CREATED:
        game_pack_created_head(m, e);
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
