/* decide_round: the intents of a round's card flow — start, play, draw, next, skip, page, timer, close. */
#include "game/decide_internal.h"

#include <stdlib.h>
#include <string.h>

#include "game/stats.h"

/* Converts intent opts onto base (fields not in set keep base's values) and
 * checks the category ids against the deck. */
vp_code merge_opts(decision *d, const deck *dk, const vp_opts *in, game_opts *o)
{
    if (in->set & VP_OPT_MODE)
        o->mode = in->mode;
    if (in->set & VP_OPT_HAND) {
        if (in->hand < VP_HAND_MIN || in->hand > VP_HAND_MAX)
            return refuse(d, VP_BAD_REQUEST, "opts.hand is 1 to 7.");
        o->hand = in->hand;
    }
    if (in->set & VP_OPT_ANONYMOUS)
        o->anonymous = in->anonymous;
    if (in->set & VP_OPT_AUTO_REVEAL)
        o->auto_reveal = in->auto_reveal;
    if (in->set & VP_OPT_FACILITATOR_PLAYS)
        o->facilitator_plays = in->facilitator_plays;
    if (in->set & VP_OPT_CATEGORIES) {
        if (in->n_categories > VP_CATEGORIES_MAX)
            return refuse(d, VP_BAD_REQUEST, "Too many categories.");
        o->all_categories = false;
        o->n_categories = 0;
        for (unsigned i = 0; i < in->n_categories; i++) {
            vp_str c = in->categories[i];
            if (deck_category_index(dk, c.ptr, c.len) < 0 ||
                !str_copy(c, o->categories[i].s, sizeof o->categories[i].s))
                return refuse(d, VP_BAD_REQUEST, "opts.categories names a category this deck does not have.");
            o->n_categories++;
        }
    }
    /* Kinds and audiences exist only in format 2 decks; a v1 deck's cards
     * are all topics for everyone, so asking to filter them is a mistake. */
    if (in->set & VP_OPT_KINDS) {
        o->kinds = 0;
        for (unsigned i = 0; i < in->n_kinds; i++) {
            int k = -1;
            for (int j = 0; j < DECK_KIND__COUNT; j++)
                if (strlen(deck_kind_names[j]) == in->kinds[i].len &&
                    memcmp(deck_kind_names[j], in->kinds[i].ptr, in->kinds[i].len) == 0)
                    k = j;
            if (k < 0)
                return refuse(d, VP_BAD_REQUEST, "opts.kinds holds opener, topic, story or closer.");
            o->kinds |= (uint8_t)(1u << k);
        }
        /* All four kinds is no filter: packed like none. */
        if (o->kinds == (1u << DECK_KIND__COUNT) - 1)
            o->kinds = 0;
        if (o->kinds && dk->format < 2)
            return refuse(d, VP_BAD_REQUEST, "This deck has no card kinds (it is format 1).");
    }
    if (in->set & VP_OPT_AUDIENCE) {
        o->audience.s[0] = 0;
        if (in->audience.len > 0 && (deck_audience_index(dk, in->audience.ptr, in->audience.len) < 0 ||
                                     !str_copy(in->audience, o->audience.s, sizeof o->audience.s)))
            return refuse(d, VP_BAD_REQUEST, "opts.audience names an audience this deck does not have.");
    }
    if (in->set & VP_OPT_BOOKENDS)
        o->bookends = in->bookends;
    return VP_OK;
}

static bool holds_cards(const room *r, uint32_t id)
{
    const member *m = room_member(r, id);
    return m && m->present && m->n_hand > 0;
}

/* The next player in `order` after `after` who holds cards (after itself
 * last), skipping `gone`; 0 when nobody does. When `after` is not in the
 * order (it left), the search starts where it would be: the order is kept
 * in join order, which is id order. */
uint32_t next_turn(const room *r, uint32_t after, uint32_t gone)
{
    uint32_t n = r->n_order, start = n;
    for (uint32_t i = 0; i < n; i++)
        if (r->order[i] == after) {
            start = i + 1;
            break;
        }
    if (start == n && (n == 0 || r->order[n - 1] != after)) {
        start = 0;
        while (start < n && r->order[start] <= after)
            start++;
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t cand = r->order[(start + k) % n];
        if (cand != gone && holds_cards(r, cand))
            return cand;
    }
    return 0;
}

/* The table card is finished: revealed (when it was not), then done. */
static vp_code finish_card(decision *d)
{
    const room *r = d->r;
    if (!r->table.revealed) {
        vp_code rc = emit_revealed(d, r->table.votes, r->table.n_votes);
        if (rc)
            return rc;
    }
    EMIT(e, d, GAME_EV_DONE);
    snprintf(e->u.done.card.s, sizeof e->u.done.card.s, "%s", room_card_id(r, r->table.card));
    return VP_OK;
}

vp_code decide_start(decision *d)
{
    const room *r = d->r;
    if (r->phase == GAME_PLAYING)
        return refuse(d, VP_WRONG_PHASE, "A round is being played; close it first.");
    if (r->n_rounds >= GAME_MAX_ROUNDS)
        return refuse(d, VP_BAD_REQUEST, "This room has played as many rounds as it can keep.");
    game_opts opts;
    room_opts_get(&r->opts, &opts);
    if (d->it->has_opts && merge_opts(d, r->deck, &d->it->opts, &opts))
        return d->out->code;
    const deck *dk = r->deck;
    uint16_t pile[DECK_CARDS_MAX];
    uint32_t n = room_round_cards(dk, &opts, pile);
    if (n == 0)
        return refuse(d, VP_BAD_REQUEST,
                      opts.kinds || opts.audience.s[0]
                          ? "No card of the deck fits these categories, kinds and audience."
                          : "These categories hold no cards.");
    uint64_t seed = 0;
    for (int i = 0; i < 8; i++)
        seed = seed << 8 | d->in->entropy[i];
    room_round_pile(dk, &opts, seed, pile, n);

    EMIT(e, d, GAME_EV_ROUND);
    e->u.round.round = r->n_rounds + 1;
    e->u.round.pile = n;
    e->u.round.opts = opts;
    e->u.round.seed = seed;
    e->u.round.order = calloc(GAME_MAX_PRESENT + 1, sizeof *e->u.round.order);
    if (!e->u.round.order)
        return refuse(d, VP_SERVER_BUSY, "The server is out of memory.");
    if (opts.mode == VP_MODE_DECK)
        return VP_OK;
    /* Turn order: players with a device (and the facilitator when the
     * facilitator plays), in join order. */
    for (uint32_t i = 0; i < r->n_members; i++) {
        const member *m = &r->members[i];
        if (m->present && !m->seated &&
            (m->role == VP_ROLE_PLAYER || (m->role == VP_ROLE_FACILITATOR && opts.facilitator_plays)) &&
            e->u.round.n_order < GAME_MAX_PRESENT)
            e->u.round.order[e->u.round.n_order++] = m->id;
    }
    uint32_t players = e->u.round.n_order;
    EMIT(dl, d, GAME_EV_DEALT);
    dl->u.dealt.hands = calloc(players + 1, sizeof *dl->u.dealt.hands);
    if (!dl->u.dealt.hands)
        return refuse(d, VP_SERVER_BUSY, "The server is out of memory.");
    dl->u.dealt.n_hands = players;
    for (uint32_t p = 0; p < players; p++)
        dl->u.dealt.hands[p].player = e->u.round.order[p];
    /* Round-robin from the top of the pile until hands are full or the
     * pile runs out. */
    uint32_t top = 0;
    for (uint32_t k = 0; k < opts.hand && top < n; k++)
        for (uint32_t p = 0; p < players && top < n; p++) {
            game_hand *h = &dl->u.dealt.hands[p];
            snprintf(h->cards[h->n_cards++].s, GAME_ID_SIZE, "%s", dk->cards[pile[top++]].id);
        }
    EMIT(t, d, GAME_EV_TURN);
    t->u.turn.player = 0;
    for (uint32_t p = 0; p < players && !t->u.turn.player; p++)
        if (dl->u.dealt.hands[p].n_cards)
            t->u.turn.player = dl->u.dealt.hands[p].player;
    return VP_OK;
}

vp_code decide_play(decision *d)
{
    const room *r = d->r;
    if (r->phase != GAME_PLAYING || r->opts.mode != VP_MODE_HANDS)
        return refuse(d, VP_WRONG_PHASE, "There is no hand to play from now.");
    if (r->table.has)
        return refuse(d, VP_WRONG_PHASE, "A card is already on the table.");
    if (r->turn != d->me->id)
        return refuse(d, VP_NOT_YOUR_TURN, "It is not your turn.");
    int32_t c = deck_card_index(r->deck, d->it->card.ptr, d->it->card.len);
    bool held = false;
    for (uint32_t i = 0; c >= 0 && i < d->me->n_hand; i++)
        held |= d->me->hand[i] == (uint16_t)c;
    if (!held)
        return refuse(d, VP_NO_CARD, "That card is not in your hand.");
    EMIT(e, d, GAME_EV_PLAYED);
    e->u.played.player = d->me->id;
    snprintf(e->u.played.card.s, GAME_ID_SIZE, "%s", room_card_id(r, (uint16_t)c));
    return VP_OK;
}

vp_code decide_draw(decision *d)
{
    const room *r = d->r;
    if (r->phase != GAME_PLAYING || r->opts.mode != VP_MODE_DECK)
        return refuse(d, VP_WRONG_PHASE, "Drawing is for rounds in deck mode.");
    if (r->table.has)
        return refuse(d, VP_WRONG_PHASE, "A card is already on the table.");
    if (r->n_pile == 0)
        return refuse(d, VP_NO_CARD, "The pile is empty.");
    /* A named card (a printed card scanned at the table) comes from
     * anywhere in the pile; apply takes it out wherever it lies. */
    uint16_t card = r->pile[0];
    if (d->it->card.len) {
        int32_t c = deck_card_index(r->deck, d->it->card.ptr, d->it->card.len);
        bool in_pile = false;
        for (uint32_t i = 0; c >= 0 && i < r->n_pile && !in_pile; i++)
            in_pile = r->pile[i] == (uint16_t)c;
        if (!in_pile)
            return refuse(d, VP_NO_CARD, "That card is not in the pile.");
        card = (uint16_t)c;
    }
    EMIT(e, d, GAME_EV_PLAYED);
    e->u.played.player = 0;
    snprintf(e->u.played.card.s, GAME_ID_SIZE, "%s", room_card_id(r, card));
    return VP_OK;
}

vp_code decide_next(decision *d)
{
    if (need_table(d) || finish_card(d))
        return d->out->code;
    if (d->r->opts.mode == VP_MODE_HANDS) {
        EMIT(t, d, GAME_EV_TURN);
        t->u.turn.player = next_turn(d->r, d->r->turn, 0);
    }
    return VP_OK;
}

vp_code decide_skip(decision *d)
{
    const room *r = d->r;
    if (r->phase != GAME_PLAYING || r->opts.mode != VP_MODE_HANDS)
        return refuse(d, VP_WRONG_PHASE, "There are no turns to skip now.");
    if (r->table.has)
        return refuse(d, VP_WRONG_PHASE, "A card is on the table; finish it with next.");
    if (r->turn == 0)
        return refuse(d, VP_WRONG_PHASE, "It is nobody's turn.");
    EMIT(s, d, GAME_EV_SKIPPED);
    s->u.skipped.player = r->turn;
    EMIT(t, d, GAME_EV_TURN);
    t->u.turn.player = next_turn(r, r->turn, 0);
    return VP_OK;
}

/* The facilitator turns the big screen's page of the closing summary (the
 * client knows how many pages a summary makes; the screen shows the last
 * one for a number past it). */
vp_code decide_page(decision *d)
{
    if (d->r->phase != GAME_CLOSED)
        return refuse(d, VP_WRONG_PHASE, "The summary is paged only once the round is closed.");
    if (d->it->page == d->r->screen_page)
        return VP_OK;
    EMIT(e, d, GAME_EV_PAGED);
    e->u.paged.page = d->it->page;
    return VP_OK;
}

vp_code decide_timer(decision *d)
{
    if (d->it->seconds > VP_TIMER_MAX)
        return refuse(d, VP_BAD_REQUEST, "A timer runs at most 3600 seconds.");
    EMIT(e, d, GAME_EV_TIMER);
    e->u.timer.running = d->it->seconds > 0;
    e->u.timer.ends_at = d->it->seconds ? d->in->now_ms + (uint64_t)d->it->seconds * 1000 : 0;
    return VP_OK;
}

vp_code decide_close(decision *d)
{
    const room *r = d->r;
    const vp_intent *it = d->it;
    if (r->phase != GAME_PLAYING)
        return refuse(d, VP_WRONG_PHASE, "No round is being played.");
    if (it->text.len > VP_CLOSE_TEXT_MAX || it->n_actions > VP_ACTIONS_MAX)
        return refuse(d, VP_BAD_REQUEST, "The closing text or the actions are too long.");
    done_card extra = {0};
    game_vote votes[GAME_MAX_PRESENT + 1];
    if (r->table.has) {
        if (finish_card(d))
            return d->out->code;
        extra.card = r->table.card;
        extra.by = r->table.by;
        extra.n_votes = r->table.n_votes;
        memcpy(votes, r->table.votes, r->table.n_votes * sizeof *votes);
        extra.votes = votes;
        stats_compute(votes, extra.n_votes, r->deck->scale_min, r->deck->scale_max, &extra.stats);
        /* As the reveal emitted just before computed them (the state has
         * not applied it yet), or as the state holds them. */
        if (r->table.revealed)
            extra.windows = r->table.windows;
        else
            room_window_figures(r, votes, extra.n_votes, &extra.windows);
    }
    EMIT(e, d, GAME_EV_CLOSED);
    e->u.closed.round = room_round(r)->number;
    e->u.closed.summary = room_summary_build(r, room_round(r), r->table.has ? &extra : NULL, it->text.ptr, it->text.len,
                                             it->actions, it->n_actions, d->in->now_ms);
    if (!e->u.closed.summary)
        return refuse(d, VP_SERVER_BUSY, "The server is out of memory.");
    return VP_OK;
}
