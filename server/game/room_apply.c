/* room_apply: game_apply, the one fold of events into a room's state. */
#include "game/room_internal.h"

#include <stdlib.h>
#include <string.h>

#include "game/stats.h"

/* ---- the order, the pile, hands and the table ---- */

/* A copy of n member ids for r->order (at least one slot, so that NULL
 * means out of memory). */
static uint32_t *order_copy(const uint32_t *ids, uint32_t n)
{
    uint32_t *o = malloc((n ? n : 1) * sizeof *o);
    if (o && n)
        memcpy(o, ids, n * sizeof *o);
    return o;
}

static int32_t card_index(const room *r, const game_id *id)
{
    return r->deck ? deck_card_index(r->deck, id->s, strlen(id->s)) : -1;
}

static int32_t pile_find(const room *r, uint16_t card)
{
    for (uint32_t i = 0; i < r->n_pile; i++)
        if (r->pile[i] == card)
            return (int32_t)i;
    return -1;
}

static void pile_remove_at(room *r, uint32_t at)
{
    memmove(&r->pile[at], &r->pile[at + 1], (r->n_pile - at - 1) * sizeof *r->pile);
    r->n_pile--;
}

static int32_t hand_find(const member *m, uint16_t card)
{
    for (uint32_t i = 0; i < m->n_hand; i++)
        if (m->hand[i] == card)
            return (int32_t)i;
    return -1;
}

static void hand_remove_at(member *m, uint32_t at)
{
    memmove(&m->hand[at], &m->hand[at + 1], (m->n_hand - at - 1) * sizeof *m->hand);
    m->n_hand--;
}

static int32_t table_vote_find(const table *t, uint32_t player)
{
    for (uint32_t i = 0; i < t->n_votes; i++)
        if (t->votes[i].player == player)
            return (int32_t)i;
    return -1;
}

static void table_vote_remove(table *t, uint32_t player)
{
    int32_t i = table_vote_find(t, player);
    if (i < 0)
        return;
    memmove(&t->votes[i], &t->votes[i + 1], (t->n_votes - (uint32_t)i - 1) * sizeof *t->votes);
    t->n_votes--;
}

/* ---- apply ---- */

/* Every case checks that the event fits before it changes anything, so a
 * refused event leaves the room as it was. */
static int apply_created(room *r, const game_event *e)
{
    if (r->created || !e->u.created.deck)
        return -1;
    char *title = strdup(e->u.created.title ? e->u.created.title : "");
    uint16_t *pile = calloc(e->u.created.deck->n_cards + 1, sizeof *pile);
    if (!title || !pile || room_opts_set(&r->opts, &e->u.created.opts)) {
        free(title);
        free(pile);
        return -1;
    }
    r->created = true;
    memcpy(r->code, e->u.created.room, sizeof r->code);
    r->title = title;
    r->lang = e->u.created.lang;
    r->tz_offset = e->u.created.tz_offset;
    r->deck = deck_ref(e->u.created.deck);
    memcpy(r->replay_key, e->u.created.replay_key, sizeof r->replay_key);
    r->pile = pile;
    r->phase = GAME_LOBBY;
    return 0;
}

static int apply_joined(room *r, const game_event *e)
{
    if (e->u.joined.player != r->n_members + 1 || r->n_members >= GAME_MAX_MEMBERS)
        return -1;
    uint8_t hash[32] = {0};
    if (e->u.joined.has_token_hash && hex_to_bytes(e->u.joined.token_hash, hash, sizeof hash))
        return -1;
    /* Capacity 4, 8, 16, ... (doubling): a room of 8 holds 8 members, not
     * 16 (104 bytes each). */
    uint32_t n = r->n_members;
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        member *grown = realloc(r->members, (n ? n * 2 : 4) * sizeof *grown);
        if (!grown)
            return -1;
        r->members = grown;
    }
    member *m = &r->members[r->n_members++];
    memset(m, 0, sizeof *m);
    m->id = e->u.joined.player;
    memcpy(m->name, e->u.joined.name, sizeof m->name);
    m->role = e->u.joined.role;
    m->seated = e->u.joined.seated;
    m->present = true;
    m->online = !m->seated;
    m->has_token = e->u.joined.has_token_hash;
    memcpy(m->token_hash, hash, sizeof hash);
    return 0;
}

static int apply_left(room *r, const game_event *e)
{
    member *m = room_member(r, e->u.left.player);
    if (!m || !m->present || r->n_pile + m->n_hand > (r->deck ? r->deck->n_cards : 0))
        return -1;
    m->present = false;
    m->online = false;
    /* Their hand goes to the bottom of the pile, in hand order. */
    for (uint32_t i = 0; i < m->n_hand; i++)
        r->pile[r->n_pile++] = m->hand[i];
    m->n_hand = 0;
    if (r->table.has && !r->table.revealed)
        table_vote_remove(&r->table, m->id);
    return 0;
}

static int apply_round(room *r, const game_event *e)
{
    const deck *d = r->deck;
    if (e->u.round.round != r->n_rounds + 1 || r->n_rounds >= GAME_MAX_ROUNDS || r->phase == GAME_PLAYING ||
        e->u.round.n_order > GAME_MAX_PRESENT)
        return -1;
    for (uint32_t i = 0; i < e->u.round.n_order; i++)
        if (!room_member(r, e->u.round.order[i]))
            return -1;
    if (r->n_rounds % 4 == 0) {
        round_rec *grown = realloc(r->rounds, (r->n_rounds + 4) * sizeof *grown);
        if (!grown)
            return -1;
        r->rounds = grown;
    }
    uint16_t *cards = calloc(d->n_cards + 1, sizeof *cards);
    done_card *done = calloc(d->n_cards + 1, sizeof *done);
    if (!cards || !done)
        goto err;
    const game_opts *o = &e->u.round.opts;
    uint32_t n = room_round_cards(d, o, cards);
    if (n != e->u.round.pile)
        goto err;
    room_opts ro = {0}, rr = {0}; /* the round's and the room's */
    uint32_t *order = order_copy(e->u.round.order, e->u.round.n_order);
    if (!order || room_opts_set(&ro, o) || room_opts_set(&rr, o)) {
        free(order);
        room_opts_clear(&ro);
        room_opts_clear(&rr);
        goto err;
    }
    round_rec *rd = &r->rounds[r->n_rounds++];
    memset(rd, 0, sizeof *rd);
    rd->number = e->u.round.round;
    rd->opts = ro;
    rd->seed = e->u.round.seed;
    rd->started_at = e->at;
    rd->n_cards = n;
    rd->cards = cards;
    rd->done = done;
    room_opts_clear(&r->opts);
    r->opts = rr;
    memcpy(r->pile, cards, n * sizeof *cards);
    r->n_pile = n;
    room_round_pile(d, o, e->u.round.seed, r->pile, n);
    for (uint32_t i = 0; i < r->n_members; i++)
        r->members[i].n_hand = 0;
    free(r->order);
    r->order = order;
    r->n_order = e->u.round.n_order;
    r->turn = 0;
    table_clear(&r->table);
    r->phase = GAME_PLAYING;
    return 0;
err:
    free(cards);
    free(done);
    return -1;
}

static int apply_dealt(room *r, const game_event *e)
{
    /* Check first: every card is in the pile and named once, every hand
     * fits, no member is dealt to twice. */
    uint8_t seen[DECK_CARDS_MAX / 8 + 1] = {0};
    uint32_t total = 0;
    for (uint32_t i = 0; i < e->u.dealt.n_hands; i++) {
        const game_hand *h = &e->u.dealt.hands[i];
        member *m = room_member(r, h->player);
        if (!m || !m->present || m->n_hand + h->n_cards > VP_HAND_MAX)
            return -1;
        for (uint32_t k = 0; k < i; k++)
            if (e->u.dealt.hands[k].player == h->player)
                return -1;
        for (uint32_t j = 0; j < h->n_cards; j++) {
            int32_t c = card_index(r, &h->cards[j]);
            if (c < 0 || c >= DECK_CARDS_MAX || pile_find(r, (uint16_t)c) < 0 || (seen[c / 8] >> (c % 8) & 1))
                return -1;
            seen[c / 8] |= (uint8_t)(1u << (c % 8));
        }
        total += h->n_cards;
    }
    if (total > r->n_pile || r->phase != GAME_PLAYING)
        return -1;
    for (uint32_t i = 0; i < e->u.dealt.n_hands; i++) {
        const game_hand *h = &e->u.dealt.hands[i];
        member *m = room_member(r, h->player);
        for (uint32_t j = 0; j < h->n_cards; j++) {
            int32_t c = card_index(r, &h->cards[j]);
            pile_remove_at(r, (uint32_t)pile_find(r, (uint16_t)c));
            m->hand[m->n_hand++] = (uint16_t)c;
        }
    }
    return 0;
}

static int apply_played(room *r, const game_event *e)
{
    int32_t c = card_index(r, &e->u.played.card);
    if (c < 0 || r->table.has || r->phase != GAME_PLAYING)
        return -1;
    if (e->u.played.player) {
        member *m = room_member(r, e->u.played.player);
        int32_t at = m ? hand_find(m, (uint16_t)c) : -1;
        if (at < 0)
            return -1;
        hand_remove_at(m, (uint32_t)at);
    } else {
        int32_t at = pile_find(r, (uint16_t)c);
        if (at < 0)
            return -1;
        pile_remove_at(r, (uint32_t)at);
    }
    table *t = &r->table;
    table_clear(t);
    /* One block: the votes, then the eligible voters. */
    t->votes = malloc(GAME_MAX_PRESENT * (sizeof *t->votes + sizeof *t->eligible));
    if (!t->votes)
        return -1;
    t->eligible = (uint32_t *)(t->votes + GAME_MAX_PRESENT);
    t->has = true;
    t->card = (uint16_t)c;
    t->by = e->u.played.player;
    t->played_at = e->at;
    for (uint32_t i = 0; i < r->n_members; i++)
        if (room_may_self_vote(r, &r->members[i]) && t->n_eligible < GAME_MAX_PRESENT)
            t->eligible[t->n_eligible++] = r->members[i].id;
    return 0;
}

static int apply_voted(room *r, const game_event *e)
{
    table *t = &r->table;
    const game_vote *v = &e->u.voted.vote;
    if (!t->has || t->revealed || !room_member(r, v->player))
        return -1;
    int32_t at = table_vote_find(t, v->player);
    if (at >= 0) {
        t->votes[at] = *v;
        return 0;
    }
    if (t->n_votes >= GAME_MAX_PRESENT)
        return -1;
    /* Keep the votes sorted by player id: packing and dumps are canonical. */
    uint32_t i = t->n_votes;
    while (i > 0 && t->votes[i - 1].player > v->player) {
        t->votes[i] = t->votes[i - 1];
        i--;
    }
    t->votes[i] = *v;
    t->n_votes++;
    return 0;
}

/* A timer belongs to one card or turn (§5.1): when that card is done, the
 * turn is skipped or the round closes, the countdown ends with it, in apply
 * so that the replay agrees without an event of its own. */
static void timer_ends(room *r)
{
    r->timer_running = false;
    r->timer_ends_at = 0;
}

static int apply_done(room *r, const game_event *e)
{
    table *t = &r->table;
    round_rec *rd = r->n_rounds ? &r->rounds[r->n_rounds - 1] : NULL;
    if (!t->has || !rd || card_index(r, &e->u.done.card) != t->card || rd->n_done >= rd->n_cards)
        return -1;
    game_vote *votes = malloc((t->n_votes + 1) * sizeof *votes);
    if (!votes)
        return -1;
    memcpy(votes, t->votes, t->n_votes * sizeof *votes);
    done_card *dc = &rd->done[rd->n_done++];
    dc->card = t->card;
    dc->by = t->by;
    dc->n_votes = t->n_votes;
    dc->votes = votes;
    stats_compute(votes, t->n_votes, r->deck->scale_min, r->deck->scale_max, &dc->stats);
    dc->windows = t->windows;
    table_clear(t); /* the empty chair goes with the card */
    return 0;
}

static int apply_noted(room *r, const game_event *e)
{
    int32_t c = card_index(r, &e->u.noted.card);
    if (e->u.noted.note != r->n_notes + 1 || r->n_notes >= GAME_MAX_NOTES || c < 0 || !r->n_rounds ||
        !room_member(r, e->u.noted.player))
        return -1;
    char *text = strdup(e->u.noted.text ? e->u.noted.text : "");
    if (!text)
        return -1;
    if (r->n_notes % 64 == 0) {
        note *grown = realloc(r->notes, (r->n_notes + 64) * sizeof *grown);
        if (!grown) {
            free(text);
            return -1;
        }
        r->notes = grown;
    }
    r->rounds[r->n_rounds - 1].note_bytes += (uint32_t)strlen(text);
    note *n = &r->notes[r->n_notes++];
    n->id = e->u.noted.note;
    n->player = e->u.noted.player;
    n->round = r->rounds[r->n_rounds - 1].number;
    n->card = (uint16_t)c;
    n->text = text;
    n->hidden = false;
    return 0;
}

static int apply_closed(room *r, const game_event *e)
{
    const game_summary *s = e->u.closed.summary;
    round_rec *rd = r->n_rounds ? &r->rounds[r->n_rounds - 1] : NULL;
    if (!rd || rd->closed || r->phase != GAME_PLAYING || !s || e->u.closed.round != rd->number)
        return -1;
    char *text = strdup(s->text ? s->text : "");
    char **actions = calloc(s->n_actions + 1, sizeof *actions);
    if (!text || !actions)
        goto err;
    for (uint32_t i = 0; i < s->n_actions; i++)
        if (!(actions[i] = strdup(s->actions[i])))
            goto err;
    rd->text = text;
    rd->actions = actions;
    rd->n_actions = s->n_actions;
    rd->closed = true;
    rd->closed_at = e->at;
    r->phase = GAME_CLOSED;
    /* What was still in hands and the pile is out of play now. */
    for (uint32_t i = 0; i < r->n_members; i++)
        r->members[i].n_hand = 0;
    r->n_pile = 0;
    r->turn = 0;
    table_clear(&r->table);
    return 0;
err:
    free(text);
    if (actions)
        for (uint32_t i = 0; i < s->n_actions; i++)
            free(actions[i]);
    free(actions);
    return -1;
}

int game_apply(room *r, const game_event *e)
{
    if (e->seq != r->seq + 1 || (e->kind != GAME_EV_CREATED && !r->created))
        return -1;
    int rc = -1;
    member *m;
    switch (e->kind) {
    case GAME_EV_CREATED: rc = apply_created(r, e); break;
    case GAME_EV_JOINED: rc = apply_joined(r, e); break;
    case GAME_EV_PRESENCE:
        m = room_member(r, e->u.presence.player);
        if (m && m->present && !m->seated) {
            m->online = e->u.presence.online;
            m->away_since = m->online ? 0 : e->at;
            rc = 0;
        }
        break;
    case GAME_EV_LEFT: rc = apply_left(r, e); break;
    case GAME_EV_HANDED: {
        member *from = room_member(r, e->u.handed.from), *to = room_member(r, e->u.handed.to);
        if (from && to && from != to && from->role == VP_ROLE_FACILITATOR && to->present) {
            from->role = VP_ROLE_PLAYER;
            to->role = VP_ROLE_FACILITATOR;
            rc = 0;
        }
        break;
    }
    case GAME_EV_LOCKED:
        r->locked = e->u.locked.locked;
        rc = 0;
        break;
    case GAME_EV_ROUND: rc = apply_round(r, e); break;
    case GAME_EV_DEALT: rc = apply_dealt(r, e); break;
    case GAME_EV_ORDER:
        rc = e->u.order.n_order <= GAME_MAX_PRESENT ? 0 : -1;
        for (uint32_t i = 0; rc == 0 && i < e->u.order.n_order; i++)
            if (!room_member(r, e->u.order.order[i]))
                rc = -1;
        if (rc == 0) {
            uint32_t *order = order_copy(e->u.order.order, e->u.order.n_order);
            if (order) {
                free(r->order);
                r->order = order;
                r->n_order = e->u.order.n_order;
            } else {
                rc = -1;
            }
        }
        break;
    case GAME_EV_TURN:
        if (e->u.turn.player == 0 || room_member(r, e->u.turn.player)) {
            r->turn = e->u.turn.player;
            rc = 0;
        }
        break;
    case GAME_EV_PLAYED: rc = apply_played(r, e); break;
    case GAME_EV_VOTED: rc = apply_voted(r, e); break;
    case GAME_EV_REOPENED:
        if (r->table.has && r->table.revealed && card_index(r, &e->u.reopened.card) == r->table.card) {
            r->table.revealed = false;
            r->table.n_votes = 0;
            memset(&r->table.stats, 0, sizeof r->table.stats);
            memset(&r->table.windows, 0, sizeof r->table.windows);
            rc = 0;
        }
        break;
    case GAME_EV_REVEALED:
        if (r->table.has && !r->table.revealed && card_index(r, &e->u.revealed.card) == r->table.card) {
            r->table.revealed = true;
            stats_compute(r->table.votes, r->table.n_votes, r->deck->scale_min, r->deck->scale_max, &r->table.stats);
            r->table.windows = e->u.revealed.windows;
            rc = 0;
        }
        break;
    case GAME_EV_NOTED: rc = apply_noted(r, e); break;
    case GAME_EV_HIDDEN:
        if (e->u.hidden.note >= 1 && e->u.hidden.note <= r->n_notes) {
            note *n = &r->notes[e->u.hidden.note - 1];
            n->hidden = true;
            free(n->text);
            n->text = NULL;
            rc = 0;
        }
        break;
    case GAME_EV_DONE:
        rc = apply_done(r, e);
        if (rc == 0)
            timer_ends(r);
        break;
    case GAME_EV_SKIPPED:
        rc = room_member(r, e->u.skipped.player) ? 0 : -1;
        if (rc == 0)
            timer_ends(r);
        break;
    case GAME_EV_TIMER:
        r->timer_running = e->u.timer.running;
        r->timer_ends_at = e->u.timer.running ? e->u.timer.ends_at : 0;
        rc = 0;
        break;
    case GAME_EV_CLOSED:
        rc = apply_closed(r, e);
        if (rc == 0) {
            r->screen_page = 0; /* a new summary starts at its first page */
            timer_ends(r);
        }
        break;
    case GAME_EV_REKEYED:
        if (strlen(e->u.rekeyed.replay_key) == GAME_KEY_HEX) {
            memcpy(r->replay_key, e->u.rekeyed.replay_key, sizeof r->replay_key);
            rc = 0;
        }
        break;
    case GAME_EV_WINDOWED: {
        const char *w = e->u.windowed.window.s;
        int32_t wi = w[0] ? deck_window_index(r->deck, w, strlen(w)) : -1;
        if (w[0] && wi < 0)
            break;
        if (e->u.windowed.player == 0) {
            if (r->table.has) {
                r->table.chair = (uint8_t)(wi + 1);
                rc = 0;
            }
        } else if ((m = room_member(r, e->u.windowed.player)) != NULL) {
            m->window = (uint8_t)(wi + 1);
            rc = 0;
        }
        break;
    }
    case GAME_EV_PAGED:
        if (r->phase == GAME_CLOSED) {
            r->screen_page = e->u.paged.page;
            rc = 0;
        }
        break;
    case GAME_EV__COUNT: break;
    }
    if (rc == 0) {
        r->seq = e->seq;
        r->last_at = e->at;
    }
    return rc;
}
