/* event_pack: the encoders of the values events, filters and the View share (options, stats, windows, the summary). */
#include "game/event.h"

#include <string.h>

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
