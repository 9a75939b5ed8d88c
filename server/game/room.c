/* room: the state of one room and game_apply, the one fold of events into it. */
#include "game/room_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "game/shuffle.h"
#include "game/stats.h"

room *room_new(void)
{
    room *r = calloc(1, sizeof *r);
    if (r)
        r->phase = GAME_LOBBY;
    return r;
}

int room_opts_set(room_opts *dst, const game_opts *src)
{
    game_id *cats = NULL;
    if (src->n_categories) {
        cats = malloc(src->n_categories * sizeof *cats);
        if (!cats)
            return -1;
        memcpy(cats, src->categories, src->n_categories * sizeof *cats);
    }
    free(dst->categories);
#define COPY(type, name) dst->name = src->name;
    ROOM_OPTS_PLAIN(COPY)
#undef COPY
    dst->categories = cats;
    return 0;
}

void room_opts_get(const room_opts *src, game_opts *dst)
{
    memset(dst, 0, sizeof *dst);
#define COPY(type, name) dst->name = src->name;
    ROOM_OPTS_PLAIN(COPY)
#undef COPY
    if (src->n_categories)
        memcpy(dst->categories, src->categories, src->n_categories * sizeof *dst->categories);
}

void room_opts_clear(room_opts *o)
{
    free(o->categories);
    memset(o, 0, sizeof *o);
}

static void round_clear(round_rec *rd)
{
    room_opts_clear(&rd->opts);
    free(rd->cards);
    for (uint32_t i = 0; i < rd->n_done; i++)
        free(rd->done[i].votes);
    free(rd->done);
    free(rd->text);
    for (uint32_t i = 0; i < rd->n_actions; i++)
        free(rd->actions[i]);
    free(rd->actions);
}

/* A copy of n member ids for r->order (at least one slot, so that NULL
 * means out of memory). */
static uint32_t *order_copy(const uint32_t *ids, uint32_t n)
{
    uint32_t *o = malloc((n ? n : 1) * sizeof *o);
    if (o && n)
        memcpy(o, ids, n * sizeof *o);
    return o;
}

/* Empties the table and frees its votes. */
static void table_clear(table *t)
{
    free(t->votes);
    memset(t, 0, sizeof *t);
}

void room_free(room *r)
{
    if (!r)
        return;
    table_clear(&r->table);
    room_opts_clear(&r->opts);
    free(r->order);
    free(r->title);
    deck_unref(r->deck);
    free(r->members);
    for (uint32_t i = 0; i < r->n_rounds; i++)
        round_clear(&r->rounds[i]);
    free(r->rounds);
    free(r->pile);
    for (uint32_t i = 0; i < r->n_notes; i++)
        free(r->notes[i].text);
    free(r->notes);
    free(r);
}

/* ---- shared helpers ---- */

member *room_member(const room *r, uint32_t id)
{
    if (id == 0 || id > r->n_members)
        return NULL;
    return &r->members[id - 1];
}

const round_rec *room_round(const room *r)
{
    return r->n_rounds ? &r->rounds[r->n_rounds - 1] : NULL;
}

uint32_t room_present_count(const room *r)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->n_members; i++)
        n += r->members[i].present;
    return n;
}

/* May this member vote for themself on a card now: a present player with a
 * device, or the facilitator when the facilitator plays. */
bool room_may_self_vote(const room *r, const member *m)
{
    if (!m->present || m->seated)
        return false;
    if (m->role == VP_ROLE_PLAYER)
        return true;
    return m->role == VP_ROLE_FACILITATOR && r->opts.facilitator_plays;
}

uint32_t room_notes_on(const room *r, uint32_t round, uint16_t card)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->n_notes; i++)
        n += r->notes[i].round == round && r->notes[i].card == card;
    return n;
}

const char *room_card_id(const room *r, uint16_t card)
{
    return r->deck && card < r->deck->n_cards ? r->deck->cards[card].id : "";
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

static int hex_to_bytes(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + k];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= (unsigned)(c - 'a' + 10);
            else
                return -1;
        }
        out[i] = (uint8_t)v;
    }
    return 0;
}

void room_hex(const uint8_t *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = 0;
}

void game_token_hash(const char *token, size_t len, char out[GAME_HASH_HEX + 1])
{
    uint8_t md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)token, len, md);
    room_hex(md, sizeof md, out);
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

/* The figures per window of a card's votes (SPEC.md §5.3), each vote
 * counted under its voter's window. Open rounds show every window someone
 * voted from. Anonymous rounds attribute no passes and show a window only
 * when at least GAME_WINDOW_MIN_VOTES non-pass votes came from it, and
 * only while the non-pass votes outside the shown windows (from no window
 * or from a hidden one) are none or at least as many: otherwise the overall
 * histogram minus the shown ones would give away one or two votes. To keep
 * that, the smallest shown window (the later one on a tie) joins the rest
 * until it holds. */
void room_window_figures(const room *r, const game_vote *votes, uint32_t n, game_windows *out)
{
    const deck *d = r->deck;
    memset(out, 0, sizeof *out);
    if (d->n_windows == 0)
        return;
    out->has = true;
    game_vote mine[GAME_MAX_PRESENT + 1];
    game_stats st[DECK_WINDOWS_MAX];
    bool shown[DECK_WINDOWS_MAX] = {false};
    uint32_t total = 0, in_shown = 0;
    for (uint32_t i = 0; i < n; i++)
        total += !votes[i].pass;
    for (uint32_t w = 0; w < d->n_windows; w++) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < n; i++) {
            const member *m = room_member(r, votes[i].player);
            if (m && m->window == w + 1 && !(r->opts.anonymous && votes[i].pass))
                mine[k++] = votes[i];
        }
        stats_compute(mine, k, d->scale_min, d->scale_max, &st[w]);
        shown[w] = r->opts.anonymous ? st[w].n >= GAME_WINDOW_MIN_VOTES : k > 0;
        if (shown[w] && r->opts.anonymous)
            in_shown += st[w].n;
    }
    while (r->opts.anonymous && total - in_shown > 0 && total - in_shown < GAME_WINDOW_MIN_VOTES) {
        int32_t smallest = -1;
        for (uint32_t w = 0; w < d->n_windows; w++)
            if (shown[w] && (smallest < 0 || st[w].n <= st[smallest].n))
                smallest = (int32_t)w;
        if (smallest < 0)
            break;
        shown[smallest] = false;
        in_shown -= st[smallest].n;
    }
    for (uint32_t w = 0; w < d->n_windows; w++)
        if (shown[w]) {
            game_window_stats *ws = &out->w[out->n++];
            snprintf(ws->window.s, sizeof ws->window.s, "%s", d->windows[w].id);
            ws->stats = st[w];
        }
}

/* The round's cards: the deck's, in deck order, of the chosen categories,
 * kinds and audience (SPEC.md §3). Decide and apply both call it, so the
 * pile a log rebuilds is the one that was dealt. Returns the count. */
uint32_t room_round_cards(const deck *d, const game_opts *o, uint16_t *out)
{
    int32_t audience = o->audience.s[0] ? deck_audience_index(d, o->audience.s, strlen(o->audience.s)) : -1;
    uint32_t n = 0;
    for (uint32_t c = 0; c < d->n_cards && n < DECK_CARDS_MAX; c++) {
        const deck_card *card = &d->cards[c];
        bool in = o->all_categories;
        for (unsigned k = 0; !in && k < o->n_categories; k++)
            in = strcmp(d->categories[card->category].id, o->categories[k].s) == 0;
        if (o->kinds && !(o->kinds & (1u << card->kind)))
            in = false;
        /* A card without an audience is for every audience. */
        if (o->audience.s[0] && card->audience != 0 && (audience < 0 || !(card->audience & (1u << audience))))
            in = false;
        if (in)
            out[n++] = (uint16_t)c;
    }
    return n;
}

/* Shuffles the round's cards with the seed (§11.1); with bookends, then
 * moves the openers to the top and the closers to the bottom, each keeping
 * its shuffled order, so a drawn round starts with an opener and ends with
 * a closer. */
void room_round_pile(const deck *d, const game_opts *o, uint64_t seed, uint16_t *pile, uint32_t n)
{
    shuffle_items(pile, n, seed);
    if (!o->bookends)
        return;
    uint16_t sorted[DECK_CARDS_MAX] = {0};
    uint32_t k = 0;
    static const deck_kind rank[] = {DECK_KIND_OPENER, DECK_KIND_TOPIC, DECK_KIND_STORY, DECK_KIND_CLOSER};
    for (int pass = 0; pass < 3; pass++)
        for (uint32_t i = 0; i < n; i++) {
            deck_kind kind = d->cards[pile[i]].kind;
            int group = kind == rank[0] ? 0 : kind == rank[3] ? 2 : 1;
            if (group == pass)
                sorted[k++] = pile[i];
        }
    memcpy(pile, sorted, k * sizeof *pile); /* k == n: each card is in one group */
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
            stats_compute(r->table.votes, r->table.n_votes, r->deck->scale_min, r->deck->scale_max,
                          &r->table.stats);
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
    case GAME_EV_DONE: rc = apply_done(r, e); break;
    case GAME_EV_SKIPPED: rc = room_member(r, e->u.skipped.player) ? 0 : -1; break;
    case GAME_EV_TIMER:
        r->timer_running = e->u.timer.running;
        r->timer_ends_at = e->u.timer.running ? e->u.timer.ends_at : 0;
        rc = 0;
        break;
    case GAME_EV_CLOSED:
        rc = apply_closed(r, e);
        if (rc == 0)
            r->screen_page = 0; /* a new summary starts at its first page */
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

/* ---- queries ---- */

bool room_exists(const room *r) { return r->created; }
const char *room_code(const room *r) { return r->code; }
game_phase room_phase(const room *r) { return r->phase; }
uint64_t room_seq(const room *r) { return r->seq; }
uint64_t room_last_at(const room *r) { return r->last_at; }
const deck *room_deck(const room *r) { return r->deck; }
const char *room_title(const room *r) { return r->title ? r->title : ""; }
vp_lang room_lang(const room *r) { return r->lang; }
int32_t room_tz_offset(const room *r) { return r->tz_offset; }
uint32_t room_rounds(const room *r) { return r->n_rounds; }
uint32_t room_members(const room *r) { return r->n_members; }

uint32_t room_facilitator(const room *r)
{
    for (uint32_t i = 0; i < r->n_members; i++)
        if (r->members[i].present && r->members[i].role == VP_ROLE_FACILITATOR)
            return r->members[i].id;
    return 0;
}

bool room_member_present(const room *r, uint32_t id)
{
    const member *m = room_member(r, id);
    return m && m->present;
}

bool room_member_online(const room *r, uint32_t id)
{
    const member *m = room_member(r, id);
    return m && m->online;
}

const char *room_member_name(const room *r, uint32_t id)
{
    const member *m = room_member(r, id);
    return m ? m->name : NULL;
}

bool room_member_role(const room *r, uint32_t id, vp_role *role, bool *seated)
{
    const member *m = room_member(r, id);
    if (!m)
        return false;
    if (role)
        *role = m->role;
    if (seated)
        *seated = m->seated;
    return true;
}

bool room_check_replay_key(const room *r, const char *key, size_t len)
{
    if (!r->created || len != GAME_KEY_HEX)
        return false;
    return CRYPTO_memcmp(r->replay_key, key, GAME_KEY_HEX) == 0;
}

bool room_check_facilitator_token(const room *r, const char *token, size_t len)
{
    const member *m = room_member(r, room_facilitator(r));
    if (!m || !m->has_token || len != GAME_KEY_HEX)
        return false;
    char hex[GAME_HASH_HEX + 1];
    uint8_t hash[32];
    game_token_hash(token, len, hex);
    hex_to_bytes(hex, hash, sizeof hash);
    return CRYPTO_memcmp(hash, m->token_hash, sizeof hash) == 0;
}

void room_access_of(const room *r, room_access *out)
{
    const member *m = room_member(r, room_facilitator(r));
    memset(out, 0, sizeof *out);
    SHA256((const unsigned char *)r->replay_key, strlen(r->replay_key), out->key_hash);
    out->has_token = m && m->has_token;
    if (out->has_token)
        memcpy(out->token_hash, m->token_hash, sizeof out->token_hash);
}

bool room_access_check(const room_access *a, const char *key, size_t key_len, const char *token, size_t token_len)
{
    /* The same work for every input: a hash of each, two comparisons. */
    char zero[GAME_KEY_HEX] = {0}, hex[GAME_HASH_HEX + 1];
    bool key_ok = key && key_len == GAME_KEY_HEX, token_ok = token && token_len == GAME_KEY_HEX;
    uint8_t key_hash[32], token_hash[32];
    SHA256((const unsigned char *)(key_ok ? key : zero), GAME_KEY_HEX, key_hash);
    game_token_hash(token_ok ? token : zero, GAME_KEY_HEX, hex);
    hex_to_bytes(hex, token_hash, sizeof token_hash);
    key_ok &= CRYPTO_memcmp(key_hash, a->key_hash, sizeof key_hash) == 0;
    token_ok &= CRYPTO_memcmp(token_hash, a->token_hash, sizeof token_hash) == 0 && a->has_token;
    return key_ok || token_ok;
}

/* ---- dump ---- */

static void dump_votes(msgpack_packer *pk, const game_vote *v, uint32_t n)
{
    msgpack_pack_array(pk, n);
    for (uint32_t i = 0; i < n; i++) {
        msgpack_pack_array(pk, 3);
        msgpack_pack_uint32(pk, v[i].player);
        msgpack_pack_int(pk, v[i].pass);
        msgpack_pack_uint32(pk, v[i].value);
    }
}

static void dump_u16s(msgpack_packer *pk, const uint16_t *v, uint32_t n)
{
    msgpack_pack_array(pk, n);
    for (uint32_t i = 0; i < n; i++)
        msgpack_pack_uint16(pk, v[i]);
}

static void dump_u32s(msgpack_packer *pk, const uint32_t *v, uint32_t n)
{
    msgpack_pack_array(pk, n);
    for (uint32_t i = 0; i < n; i++)
        msgpack_pack_uint32(pk, v[i]);
}

void room_dump(const room *r, msgpack_packer *pk)
{
    msgpack_pack_array(pk, 24);
    msgpack_pack_int(pk, r->created);
    game_pack_str(pk, r->code);
    game_pack_str(pk, room_title(r));
    msgpack_pack_int(pk, r->lang);
    msgpack_pack_int32(pk, r->tz_offset);
    game_opts o;
    room_opts_get(&r->opts, &o);
    game_pack_opts(pk, &o);
    game_pack_str(pk, r->deck ? r->deck->hash : "");
    game_pack_str(pk, r->replay_key);
    msgpack_pack_uint64(pk, r->seq);
    msgpack_pack_uint64(pk, r->last_at);
    msgpack_pack_int(pk, r->locked);
    msgpack_pack_int(pk, r->phase);
    msgpack_pack_array(pk, r->n_members);
    for (uint32_t i = 0; i < r->n_members; i++) {
        const member *m = &r->members[i];
        msgpack_pack_array(pk, 10);
        msgpack_pack_uint64(pk, m->away_since);
        msgpack_pack_uint32(pk, m->id);
        game_pack_str(pk, m->name);
        msgpack_pack_int(pk, m->role);
        msgpack_pack_int(pk, m->seated);
        msgpack_pack_int(pk, m->present);
        msgpack_pack_int(pk, m->online);
        msgpack_pack_int(pk, m->has_token);
        msgpack_pack_bin(pk, sizeof m->token_hash);
        msgpack_pack_bin_body(pk, m->token_hash, sizeof m->token_hash);
        dump_u16s(pk, m->hand, m->n_hand);
    }
    msgpack_pack_array(pk, r->n_rounds);
    for (uint32_t i = 0; i < r->n_rounds; i++) {
        const round_rec *rd = &r->rounds[i];
        msgpack_pack_array(pk, 12);
        msgpack_pack_uint32(pk, rd->number);
        msgpack_pack_uint32(pk, rd->note_bytes);
        room_opts_get(&rd->opts, &o);
        game_pack_opts(pk, &o);
        msgpack_pack_uint64(pk, rd->seed);
        msgpack_pack_uint64(pk, rd->started_at);
        msgpack_pack_uint64(pk, rd->closed_at);
        msgpack_pack_int(pk, rd->closed);
        dump_u16s(pk, rd->cards, rd->n_cards);
        msgpack_pack_array(pk, rd->n_done);
        for (uint32_t j = 0; j < rd->n_done; j++) {
            msgpack_pack_array(pk, 4);
            msgpack_pack_uint16(pk, rd->done[j].card);
            msgpack_pack_uint32(pk, rd->done[j].by);
            dump_votes(pk, rd->done[j].votes, rd->done[j].n_votes);
            game_pack_stats(pk, &rd->done[j].stats);
        }
        game_pack_str(pk, rd->text ? rd->text : "");
        msgpack_pack_array(pk, rd->n_actions);
        for (uint32_t j = 0; j < rd->n_actions; j++)
            game_pack_str(pk, rd->actions[j]);
        msgpack_pack_nil(pk);
    }
    dump_u16s(pk, r->pile, r->n_pile);
    dump_u32s(pk, r->order, r->n_order);
    msgpack_pack_uint32(pk, r->turn);
    const table *t = &r->table;
    msgpack_pack_array(pk, 8);
    msgpack_pack_uint64(pk, t->played_at);
    msgpack_pack_int(pk, t->has);
    msgpack_pack_uint16(pk, t->card);
    msgpack_pack_uint32(pk, t->by);
    msgpack_pack_int(pk, t->revealed);
    dump_votes(pk, t->votes, t->n_votes);
    dump_u32s(pk, t->eligible, t->n_eligible);
    game_pack_stats(pk, &t->stats);
    msgpack_pack_int(pk, r->timer_running);
    msgpack_pack_uint64(pk, r->timer_ends_at);
    msgpack_pack_array(pk, r->n_notes);
    for (uint32_t i = 0; i < r->n_notes; i++) {
        const note *n = &r->notes[i];
        msgpack_pack_array(pk, 6);
        msgpack_pack_uint32(pk, n->id);
        msgpack_pack_uint32(pk, n->player);
        msgpack_pack_uint32(pk, n->round);
        msgpack_pack_uint16(pk, n->card);
        game_pack_str(pk, n->text ? n->text : "");
        msgpack_pack_int(pk, n->hidden);
    }
    msgpack_pack_uint32(pk, r->screen_page);
    msgpack_pack_nil(pk);
    msgpack_pack_nil(pk);
}

bool room_equal(const room *a, const room *b)
{
    msgpack_sbuffer sa, sb;
    msgpack_packer pa, pb;
    msgpack_sbuffer_init(&sa);
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pa, &sa, msgpack_sbuffer_write);
    msgpack_packer_init(&pb, &sb, msgpack_sbuffer_write);
    room_dump(a, &pa);
    room_dump(b, &pb);
    bool eq = sa.size == sb.size && memcmp(sa.data, sb.data, sa.size) == 0;
    msgpack_sbuffer_destroy(&sa);
    msgpack_sbuffer_destroy(&sb);
    return eq;
}
