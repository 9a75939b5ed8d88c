/* event_pack: the encoders of the values events, filters and the View share (options, stats, windows, the summary). */
#include "game/event.h"

#include <string.h>

void game_pack_str(msgpack_packer *pk, const char *s)
{
    if (game_pack_discards(pk))
        return; /* keys being counted: no strlen of a note's text */
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
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

static void opts_pairs(game_map *m, const void *ctx)
{
    const game_opts *o = ctx;
    /* The format 2 options are packed only when set, so an older room's
     * events pack as they always did. */
    game_map_key(m, "mode");
    game_pack_str(m->pk, vp_mode_name(o->mode));
    game_map_key(m, "hand");
    msgpack_pack_uint8(m->pk, o->hand);
    game_map_key(m, "anonymous");
    game_pack_bool(m->pk, o->anonymous);
    game_map_key(m, "auto_reveal");
    game_pack_bool(m->pk, o->auto_reveal);
    game_map_key(m, "facilitator_plays");
    game_pack_bool(m->pk, o->facilitator_plays);
    if (!o->all_categories) {
        game_map_key(m, "categories");
        msgpack_pack_array(m->pk, o->n_categories);
        for (unsigned i = 0; i < o->n_categories; i++)
            game_pack_str(m->pk, o->categories[i].s);
    }
    if (o->kinds) {
        game_map_key(m, "kinds");
        msgpack_pack_array(m->pk, (uint32_t)__builtin_popcount(o->kinds));
        for (int k = 0; k < DECK_KIND__COUNT; k++)
            if (o->kinds & (1u << k))
                game_pack_str(m->pk, deck_kind_names[k]);
    }
    if (o->audience.s[0]) {
        game_map_key(m, "audience");
        game_pack_str(m->pk, o->audience.s);
    }
    if (o->bookends) {
        game_map_key(m, "bookends");
        game_pack_bool(m->pk, true);
    }
}

void game_pack_opts(msgpack_packer *pk, const game_opts *o)
{
    game_pack_map(pk, opts_pairs, o);
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

static void stats_pairs(game_map *m, const void *ctx)
{
    const game_stats *s = ctx;
    game_map_key(m, "n");
    msgpack_pack_uint32(m->pk, s->n);
    game_map_key(m, "pass");
    msgpack_pack_uint32(m->pk, s->pass);
    game_map_key(m, "mean");
    pack_double_or_nil(m->pk, s->n > 0, s->mean);
    game_map_key(m, "median");
    pack_double_or_nil(m->pk, s->n > 0, s->median);
    game_map_key(m, "min");
    pack_value_or_nil(m->pk, s->n > 0, s->min);
    game_map_key(m, "max");
    pack_value_or_nil(m->pk, s->n > 0, s->max);
    game_map_key(m, "hist");
    msgpack_pack_array(m->pk, s->n_hist);
    for (unsigned i = 0; i < s->n_hist; i++)
        msgpack_pack_uint32(m->pk, s->hist[i]);
}

void game_pack_stats(msgpack_packer *pk, const game_stats *s)
{
    game_pack_map(pk, stats_pairs, s);
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

/* What a summary's pairs functions need besides the part they pack. */
typedef struct summary_ctx {
    const game_summary *s;
    const game_summary_card *card;
    const game_note_item *note;
    const game_summary_category *category;
    bool (*hidden)(uint32_t id, const void *ctx);
    const void *ctx;
} summary_ctx;

static void note_pairs(game_map *m, const void *ctx)
{
    const summary_ctx *sc = ctx;
    const game_note_item *n = sc->note;
    bool show = n->text && !(sc->hidden && sc->hidden(n->note, sc->ctx));
    /* A hidden note is only its id: neither its text nor who
     * wrote it (SPEC.md §5). The log's `noted` still holds both. */
    game_map_key(m, "note");
    msgpack_pack_uint32(m->pk, n->note);
    if (show) {
        game_map_key(m, "player");
        msgpack_pack_uint32(m->pk, n->player);
        game_map_key(m, "text");
        game_pack_str(m->pk, n->text);
    }
}

static void card_pairs(game_map *m, const void *ctx)
{
    const summary_ctx *sc = ctx;
    const game_summary_card *c = sc->card;
    game_map_key(m, "card");
    game_pack_str(m->pk, c->card.s);
    game_map_key(m, "by");
    game_pack_member(m->pk, c->by);
    game_map_key(m, "stats");
    game_pack_stats(m->pk, &c->stats);
    game_map_key(m, "agreement");
    game_pack_agreement(m->pk, c->agreement);
    if (c->windows.has) {
        game_map_key(m, "windows");
        game_pack_windows(m->pk, &c->windows);
    }
    game_map_key(m, "notes");
    msgpack_pack_array(m->pk, c->n_notes);
    for (uint32_t j = 0; j < c->n_notes; j++) {
        summary_ctx note = *sc;
        note.note = &c->notes[j];
        game_pack_map(m->pk, note_pairs, &note);
    }
}

static void category_pairs(game_map *m, const void *ctx)
{
    const game_summary_category *c = ctx;
    game_map_key(m, "category");
    game_pack_str(m->pk, c->category.s);
    game_map_key(m, "cards");
    msgpack_pack_uint32(m->pk, c->cards);
    game_map_key(m, "mean");
    pack_double_or_nil(m->pk, c->has_mean, c->mean);
}

static void summary_pairs(game_map *m, const void *ctx)
{
    const summary_ctx *sc = ctx;
    const game_summary *s = sc->s;
    game_map_key(m, "round");
    msgpack_pack_uint32(m->pk, s->round);
    game_map_key(m, "cards");
    msgpack_pack_array(m->pk, s->n_cards);
    for (uint32_t i = 0; i < s->n_cards; i++) {
        summary_ctx card = *sc;
        card.card = &s->cards[i];
        game_pack_map(m->pk, card_pairs, &card);
    }
    game_map_key(m, "categories");
    msgpack_pack_array(m->pk, s->n_categories);
    for (uint32_t i = 0; i < s->n_categories; i++)
        game_pack_map(m->pk, category_pairs, &s->categories[i]);
    game_map_key(m, "text");
    game_pack_str(m->pk, s->text ? s->text : "");
    game_map_key(m, "actions");
    msgpack_pack_array(m->pk, s->n_actions);
    for (uint32_t i = 0; i < s->n_actions; i++)
        game_pack_str(m->pk, s->actions[i]);
    if (s->has_players) {
        game_map_key(m, "players");
        game_pack_ids(m->pk, s->players, s->n_players);
    }
    game_map_key(m, "started_at");
    msgpack_pack_uint64(m->pk, s->started_at);
    game_map_key(m, "closed_at");
    msgpack_pack_uint64(m->pk, s->closed_at);
    game_map_key(m, "replay_key");
    game_pack_str(m->pk, s->replay_key);
}

void game_pack_summary(msgpack_packer *pk, const game_summary *s, bool (*hidden)(uint32_t id, const void *ctx),
                       const void *ctx)
{
    summary_ctx sc = {.s = s, .hidden = hidden, .ctx = ctx};
    game_pack_map(pk, summary_pairs, &sc);
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
