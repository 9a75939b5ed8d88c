/* summary: a round's summary built from the state (SPEC.md §6), for `closed`, the View and the exports. */
#include "game/room_internal.h"

#include <stdlib.h>
#include <string.h>

#include "game/stats.h"

typedef struct ranked {
    const done_card *dc;
    uint32_t play_index;
} ranked;

/* Mean descending, nil last, ties in play order. */
static int rank_cmp(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    bool ha = a->dc->stats.n > 0, hb = b->dc->stats.n > 0;
    if (ha != hb)
        return ha ? -1 : 1;
    if (ha && a->dc->stats.mean != b->dc->stats.mean)
        return a->dc->stats.mean > b->dc->stats.mean ? -1 : 1;
    return a->play_index < b->play_index ? -1 : a->play_index > b->play_index;
}

static bool in_round_categories(const room_opts *o, const char *category)
{
    if (o->all_categories)
        return true;
    for (unsigned i = 0; i < o->n_categories; i++)
        if (strcmp(o->categories[i].s, category) == 0)
            return true;
    return false;
}

game_summary *room_summary_build(const room *r, const round_rec *rd, const done_card *extra, const char *text,
                                 size_t text_len, const vp_str *actions, uint32_t n_actions, uint64_t closed_at)
{
    const deck *dk = r->deck;
    uint32_t n = rd->n_done + (extra ? 1 : 0);
    game_summary *s = calloc(1, sizeof *s);
    ranked *order = calloc(n + 1, sizeof *order);
    if (!s || !order)
        goto err;
    s->round = rd->number;
    for (uint32_t i = 0; i < rd->n_done; i++)
        order[i] = (ranked){&rd->done[i], i};
    if (extra)
        order[rd->n_done] = (ranked){extra, rd->n_done};
    qsort(order, n, sizeof *order, rank_cmp);

    s->cards = calloc(n + 1, sizeof *s->cards);
    if (!s->cards)
        goto err;
    for (uint32_t i = 0; i < n; i++) {
        const done_card *dc = order[i].dc;
        game_summary_card *c = &s->cards[i];
        s->n_cards = i + 1;
        snprintf(c->card.s, sizeof c->card.s, "%s", room_card_id(r, dc->card));
        c->by = dc->by;
        c->stats = dc->stats;
        c->windows = dc->windows;
        c->agreement = stats_agreement(&dc->stats, dk->scale_min, dk->scale_max);
        c->notes = calloc(room_notes_on(r, rd->number, dc->card) + 1, sizeof *c->notes);
        if (!c->notes)
            goto err;
        for (uint32_t k = 0; k < r->n_notes; k++) {
            const note *nt = &r->notes[k];
            if (nt->round != rd->number || nt->card != dc->card)
                continue;
            game_note_item *ni = &c->notes[c->n_notes++];
            ni->note = nt->id;
            ni->player = nt->player;
            if (nt->text && !nt->hidden && !(ni->text = strdup(nt->text)))
                goto err;
        }
    }

    s->categories = calloc(dk->n_categories + 1, sizeof *s->categories);
    if (!s->categories)
        goto err;
    for (uint32_t k = 0; k < dk->n_categories; k++) {
        if (!in_round_categories(&rd->opts, dk->categories[k].id))
            continue;
        game_summary_category *sc = &s->categories[s->n_categories++];
        snprintf(sc->category.s, sizeof sc->category.s, "%s", dk->categories[k].id);
        double sum = 0;
        uint32_t with_mean = 0;
        for (uint32_t i = 0; i < n; i++) {
            const done_card *dc = order[i].dc;
            if (dk->cards[dc->card].category != k)
                continue;
            sc->cards++;
            if (dc->stats.n) {
                sum += dc->stats.mean;
                with_mean++;
            }
        }
        sc->has_mean = with_mean > 0;
        sc->mean = with_mean ? sum / with_mean : 0;
    }

    if (rd->closed) {
        s->text = strdup(rd->text ? rd->text : "");
        s->actions = calloc(rd->n_actions + 1, sizeof *s->actions);
        if (!s->text || !s->actions)
            goto err;
        for (uint32_t i = 0; i < rd->n_actions; i++) {
            if (!(s->actions[i] = strdup(rd->actions[i])))
                goto err;
            s->n_actions = i + 1;
        }
        s->closed_at = rd->closed_at;
    } else {
        s->text = strndup(text ? text : "", text ? text_len : 0);
        s->actions = calloc(n_actions + 1, sizeof *s->actions);
        if (!s->text || !s->actions)
            goto err;
        for (uint32_t i = 0; i < n_actions; i++) {
            if (!(s->actions[i] = strndup(actions[i].ptr, actions[i].len)))
                goto err;
            s->n_actions = i + 1;
        }
        s->closed_at = closed_at;
    }

    /* Players: members with the role player (seated included) with at least
     * one non-pass vote that stood at a reveal in this round. Not in an
     * anonymous round: who is missing from the list passed, and with one
     * card everyone else voted on, that names them. */
    s->has_players = !rd->opts.anonymous;
    s->players = calloc(r->n_members + 1, sizeof *s->players);
    if (!s->players)
        goto err;
    for (uint32_t m = 0; s->has_players && m < r->n_members; m++) {
        const member *mb = &r->members[m];
        if (mb->role != VP_ROLE_PLAYER)
            continue;
        bool counted = false;
        for (uint32_t i = 0; i < n && !counted; i++)
            for (uint32_t v = 0; v < order[i].dc->n_votes && !counted; v++)
                counted = order[i].dc->votes[v].player == mb->id && !order[i].dc->votes[v].pass;
        if (counted)
            s->players[s->n_players++] = mb->id;
    }
    s->started_at = rd->started_at;
    memcpy(s->replay_key, r->replay_key, sizeof s->replay_key);
    free(order);
    return s;
err:
    free(order);
    game_summary_free(s);
    return NULL;
}

game_summary *room_summary(const room *r, uint32_t round)
{
    const round_rec *rd = NULL;
    for (uint32_t i = r->n_rounds; i > 0; i--) {
        const round_rec *c = &r->rounds[i - 1];
        if (c->closed && (round == 0 || c->number == round)) {
            rd = c;
            break;
        }
    }
    if (!rd)
        return NULL;
    return room_summary_build(r, rd, NULL, NULL, 0, NULL, 0, 0);
}
