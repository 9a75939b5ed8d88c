/* decide: what an intent (or a device coming and going) does to a room, as events or an error; never mutates. */
#include "game/room_internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "game/stats.h"

/* An intent causes at most this many events (join during a round: joined,
 * dealt, order, turn; kick: left, order, turn, revealed, rekeyed). */
#define DECIDE_MAX_EVENTS 8

typedef struct decision {
    const room *r;
    const game_env *env;
    const game_input *in;
    const vp_intent *it;
    game_result *out;
    const member *me; /* the sender, when bound to a present member */
} decision;

/* A change an intent is about to make, for the auto-reveal check: the
 * state after it, without building that state. */
typedef struct change {
    const game_vote *vote;  /* a vote cast or changed */
    uint32_t gone;          /* a member leaving or kicked */
    uint32_t offline;       /* a member going offline */
    uint32_t online;        /* a member coming back */
    uint32_t new_facilitator, old_facilitator; /* a handover */
} change;

static vp_code refuse(decision *d, vp_code code, const char *msg)
{
    d->out->code = code;
    d->out->msg = msg;
    return code;
}

/* Appends an event; NULL (and the result an error) when out of room or memory. */
static game_event *emit(decision *d, game_event_kind kind)
{
    game_result *out = d->out;
    if (!out->events) {
        /* Not calloc: an event is large (its union), and each one used is
         * zeroed below; the unused rest is never read. */
        out->events = malloc(DECIDE_MAX_EVENTS * sizeof *out->events);
        if (!out->events)
            return NULL;
    }
    if (out->n_events >= DECIDE_MAX_EVENTS)
        return NULL;
    game_event *e = &out->events[out->n_events];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->seq = d->r->seq + out->n_events + 1;
    e->at = d->in->now_ms;
    out->n_events++;
    return e;
}

#define EMIT(var, d, kind)                                              \
    game_event *var = emit((d), (kind));                                \
    if (!(var))                                                         \
        return refuse((d), VP_SERVER_BUSY, "The server is out of memory.")

void game_result_free(game_result *res)
{
    if (!res)
        return;
    for (uint32_t i = 0; i < res->n_events; i++)
        game_event_clear(&res->events[i]);
    free(res->events);
    res->events = NULL;
    res->n_events = 0;
}

/* ---- helpers ---- */

static bool str_copy(vp_str s, char *buf, size_t size)
{
    if (s.len >= size || (s.len && memchr(s.ptr, 0, s.len)))
        return false;
    if (s.len)
        memcpy(buf, s.ptr, s.len);
    buf[s.len] = 0;
    return true;
}

static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Is a present member already called this (ASCII case folded)? */
static bool name_taken(const room *r, vp_str name)
{
    for (uint32_t i = 0; i < r->n_members; i++) {
        const member *m = &r->members[i];
        if (!m->present || strlen(m->name) != name.len)
            continue;
        uint32_t k = 0;
        while (k < name.len && fold(m->name[k]) == fold(name.ptr[k]))
            k++;
        if (k == name.len)
            return true;
    }
    return false;
}

static vp_code check_newcomer(decision *d, vp_str name)
{
    const room *r = d->r;
    if (room_present_count(r) >= GAME_MAX_PRESENT)
        return refuse(d, VP_ROOM_FULL, "This room is full: it has 100 members.");
    if (r->n_members >= GAME_MAX_MEMBERS)
        return refuse(d, VP_ROOM_FULL, "This room has had as many members as it can keep.");
    if (name.len == 0 || name.len > VP_NAME_MAX)
        return refuse(d, VP_BAD_REQUEST, "A name is 1 to 40 bytes.");
    if (name_taken(r, name))
        return refuse(d, VP_NAME_TAKEN, "Someone in this room already has that name.");
    return VP_OK;
}

/* The token is the first 16 entropy bytes as hex; its hash goes in the event. */
static void new_token(decision *d, game_event *joined)
{
    room_hex(d->in->entropy, 16, d->out->token);
    joined->u.joined.has_token_hash = true;
    game_token_hash(d->out->token, GAME_KEY_HEX, joined->u.joined.token_hash);
}

/* Converts intent opts onto base (fields not in set keep base's values) and
 * checks the category ids against the deck. */
static vp_code merge_opts(decision *d, const deck *dk, const vp_opts *in, game_opts *o)
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
static uint32_t next_turn(const room *r, uint32_t after, uint32_t gone)
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

/* The table's votes as they will be after ch: into out, sorted by player. */
static uint32_t votes_after(const room *r, const change *ch, game_vote *out)
{
    const table *t = &r->table;
    uint32_t n = 0;
    bool placed = false;
    for (uint32_t i = 0; i < t->n_votes; i++) {
        const game_vote *v = &t->votes[i];
        if (ch->vote && !placed && ch->vote->player <= v->player) {
            out[n++] = *ch->vote;
            placed = true;
            if (ch->vote->player == v->player)
                continue;
        }
        if (v->player == ch->gone)
            continue;
        out[n++] = *v;
    }
    if (ch->vote && !placed)
        out[n++] = *ch->vote;
    return n;
}

/* Does an offline member still hold the auto-reveal (§3)? Gone after the
 * table card was played (so they saw it and were voting) and less than the
 * hold ago: a phone asleep or a page hidden, not a person who left. */
static bool holds(const room *r, uint64_t away_since, uint64_t now, uint64_t hold_ms)
{
    return hold_ms > 0 && away_since >= r->table.played_at && now < away_since + hold_ms;
}

/* §3 auto-reveal, evaluated on the state after ch: at least one eligible
 * voter online, every online eligible voter voted, at least one vote, and
 * no eligible voter who has not voted holding it from offline (holds).
 * Eligible: voters present when the card was played who may still vote
 * for themselves (a player with a device, or the facilitator when the
 * facilitator plays). Seated players never count. */
static bool reveal_due(const decision *d, const change *ch, const game_vote *votes, uint32_t n_votes)
{
    const room *r = d->r;
    const table *t = &r->table;
    uint64_t now = d->in->now_ms, hold_ms = d->env ? d->env->away_hold_ms : 0;
    if (!r->opts.auto_reveal || !t->has || t->revealed || n_votes == 0)
        return false;
    uint32_t online = 0;
    for (uint32_t i = 0; i < t->n_eligible; i++) {
        const member *m = room_member(r, t->eligible[i]);
        if (!m || !m->present || m->seated || m->id == ch->gone)
            continue;
        vp_role role = m->role;
        if (m->id == ch->new_facilitator)
            role = VP_ROLE_FACILITATOR;
        else if (m->id == ch->old_facilitator)
            role = VP_ROLE_PLAYER;
        bool may_vote = role == VP_ROLE_PLAYER || (role == VP_ROLE_FACILITATOR && r->opts.facilitator_plays);
        bool is_online = (m->online || m->id == ch->online) && m->id != ch->offline;
        if (!may_vote)
            continue;
        bool voted = false;
        for (uint32_t k = 0; k < n_votes && !voted; k++)
            voted = votes[k].player == m->id;
        if (!is_online) {
            uint64_t away_since = m->id == ch->offline ? now : m->away_since;
            if (!voted && holds(r, away_since, now, hold_ms))
                return false;
            continue;
        }
        online++;
        if (!voted)
            return false;
    }
    return online > 0;
}

uint64_t game_hold_ends(const room *r, uint64_t away_hold_ms)
{
    const table *t = &r->table;
    if (!r->opts.auto_reveal || !t->has || t->revealed || away_hold_ms == 0)
        return 0;
    uint64_t first = 0;
    for (uint32_t i = 0; i < t->n_eligible; i++) {
        const member *m = room_member(r, t->eligible[i]);
        if (!m || m->online || !room_may_self_vote(r, m) || m->away_since < t->played_at)
            continue;
        bool voted = false;
        for (uint32_t k = 0; k < t->n_votes && !voted; k++)
            voted = t->votes[k].player == m->id;
        uint64_t ends = m->away_since + away_hold_ms;
        if (!voted && (first == 0 || ends < first))
            first = ends;
    }
    return first;
}

static vp_code emit_revealed(decision *d, const game_vote *votes, uint32_t n)
{
    const room *r = d->r;
    EMIT(e, d, GAME_EV_REVEALED);
    snprintf(e->u.revealed.card.s, sizeof e->u.revealed.card.s, "%s", room_card_id(r, r->table.card));
    e->u.revealed.votes = malloc((n + 1) * sizeof *votes);
    if (!e->u.revealed.votes)
        return refuse(d, VP_SERVER_BUSY, "The server is out of memory.");
    memcpy(e->u.revealed.votes, votes, n * sizeof *votes);
    e->u.revealed.n_votes = n;
    stats_compute(votes, n, r->deck->scale_min, r->deck->scale_max, &e->u.revealed.stats);
    room_window_figures(r, votes, n, &e->u.revealed.windows);
    return VP_OK;
}

/* Re-checks auto-reveal after a change and emits `revealed` when due. */
static vp_code auto_reveal(decision *d, const change *ch)
{
    game_vote votes[GAME_MAX_PRESENT + 1];
    if (!d->r->table.has || d->r->table.revealed)
        return VP_OK;
    uint32_t n = votes_after(d->r, ch, votes);
    if (!reveal_due(d, ch, votes, n))
        return VP_OK;
    return emit_revealed(d, votes, n);
}

/* A member leaves (left or kicked): left, order, turn, revealed — each
 * only when it changes something. */
static vp_code member_goes(decision *d, uint32_t id, bool kicked)
{
    const room *r = d->r;
    EMIT(e, d, GAME_EV_LEFT);
    e->u.left.player = id;
    e->u.left.kicked = kicked;
    bool in_order = false;
    for (uint32_t i = 0; i < r->n_order; i++)
        in_order |= r->order[i] == id;
    if (in_order) {
        EMIT(o, d, GAME_EV_ORDER);
        o->u.order.order = calloc(r->n_order + 1, sizeof *o->u.order.order);
        if (!o->u.order.order)
            return refuse(d, VP_SERVER_BUSY, "The server is out of memory.");
        for (uint32_t i = 0; i < r->n_order; i++)
            if (r->order[i] != id)
                o->u.order.order[o->u.order.n_order++] = r->order[i];
    }
    if (r->phase == GAME_PLAYING && r->turn == id && !r->table.has) {
        EMIT(t, d, GAME_EV_TURN);
        t->u.turn.player = next_turn(r, id, id);
    }
    change ch = {.gone = id};
    return auto_reveal(d, &ch);
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

/* ---- intents ---- */

static vp_code decide_create(decision *d)
{
    const vp_intent *it = d->it;
    const room *r = d->r;
    if (r->created)
        return refuse(d, VP_ROOM_TAKEN, "A room with this code exists already.");
    deck *dk = NULL;
    for (uint32_t i = 0; d->env && i < d->env->n_decks; i++) {
        deck *c = d->env->decks[i];
        if (c && strlen(c->id) == it->deck.len && memcmp(c->id, it->deck.ptr, it->deck.len) == 0) {
            dk = c;
            break;
        }
    }
    /* Then by hash, offered decks first, then stored ones (an unlisted
     * link names the hash). */
    for (uint32_t i = 0; !dk && d->env && it->deck.len == DECK_HASH_LEN && i < d->env->n_decks + d->env->n_uploaded; i++) {
        deck *c = i < d->env->n_decks ? d->env->decks[i] : d->env->uploaded[i - d->env->n_decks];
        if (c && memcmp(c->hash, it->deck.ptr, DECK_HASH_LEN) == 0)
            dk = c;
    }
    if (!dk)
        return refuse(d, VP_BAD_REQUEST, "This server has no deck with that id or hash.");
    if (it->room.len != VP_ROOM_LEN)
        return refuse(d, VP_BAD_REQUEST, "A room code is 6 characters.");
    game_opts opts = {VP_MODE_HANDS, 3, false, true, false, true, 0, {{{0}}}, 0, {{0}}, false};
    if (it->has_opts && merge_opts(d, dk, &it->opts, &opts))
        return d->out->code;
    vp_code rc = check_newcomer(d, it->name);
    if (rc)
        return rc;
    if (it->title.len > VP_TITLE_MAX || (it->title.len && memchr(it->title.ptr, 0, it->title.len)))
        return refuse(d, VP_BAD_REQUEST, "A title is at most 120 bytes.");
    if (it->tz_offset < VP_TZ_MIN || it->tz_offset > VP_TZ_MAX || (it->lang != VP_LANG_NL && it->lang != VP_LANG_EN))
        return refuse(d, VP_BAD_REQUEST, "The language or the time zone offset is out of range.");
    EMIT(c, d, GAME_EV_CREATED);
    memcpy(c->u.created.room, it->room.ptr, VP_ROOM_LEN);
    c->u.created.title = strndup(it->title.ptr ? it->title.ptr : "", it->title.len);
    if (!c->u.created.title)
        return refuse(d, VP_SERVER_BUSY, "The server is out of memory.");
    c->u.created.lang = it->lang;
    c->u.created.tz_offset = it->tz_offset;
    c->u.created.opts = opts;
    c->u.created.deck = deck_ref(dk);
    c->u.created.by = 1;
    room_hex(d->in->entropy + 16, 16, c->u.created.replay_key);
    EMIT(j, d, GAME_EV_JOINED);
    j->u.joined.player = 1;
    str_copy(it->name, j->u.joined.name, sizeof j->u.joined.name);
    j->u.joined.role = VP_ROLE_FACILITATOR;
    new_token(d, j);
    d->out->you = 1;
    return VP_OK;
}

static vp_code decide_join(decision *d)
{
    const vp_intent *it = d->it;
    const room *r = d->r;
    if (!r->created)
        return refuse(d, VP_NO_ROOM, "There is no room with this code.");
    if (it->role != VP_ROLE_PLAYER && it->role != VP_ROLE_SCREEN)
        return refuse(d, VP_BAD_REQUEST, "Join as a player or as a screen.");
    if (r->locked)
        return refuse(d, VP_ROOM_LOCKED, "The facilitator has locked this room.");
    vp_code rc = check_newcomer(d, it->name);
    if (rc)
        return rc;
    uint32_t id = r->n_members + 1;
    EMIT(j, d, GAME_EV_JOINED);
    j->u.joined.player = id;
    str_copy(it->name, j->u.joined.name, sizeof j->u.joined.name);
    j->u.joined.role = it->role;
    new_token(d, j);
    d->out->you = id;
    if (r->phase != GAME_PLAYING || r->opts.mode != VP_MODE_HANDS || it->role != VP_ROLE_PLAYER)
        return VP_OK;
    /* A late joiner is dealt from the top of what is left, then joins the
     * end of the order; they take the turn when nobody held it. */
    EMIT(dl, d, GAME_EV_DEALT);
    dl->u.dealt.hands = calloc(1, sizeof *dl->u.dealt.hands);
    if (!dl->u.dealt.hands)
        return refuse(d, VP_SERVER_BUSY, "The server is out of memory.");
    dl->u.dealt.n_hands = 1;
    game_hand *h = &dl->u.dealt.hands[0];
    h->player = id;
    for (uint32_t k = 0; k < r->opts.hand && k < r->n_pile; k++)
        snprintf(h->cards[h->n_cards++].s, GAME_ID_SIZE, "%s", room_card_id(r, r->pile[k]));
    EMIT(o, d, GAME_EV_ORDER);
    o->u.order.order = calloc(r->n_order + 2, sizeof *o->u.order.order);
    if (!o->u.order.order)
        return refuse(d, VP_SERVER_BUSY, "The server is out of memory.");
    if (r->n_order) /* r->order is NULL before the first round */
        memcpy(o->u.order.order, r->order, r->n_order * sizeof *r->order);
    o->u.order.order[r->n_order] = id;
    o->u.order.n_order = r->n_order + 1;
    if (r->turn == 0 && !r->table.has && h->n_cards > 0) {
        EMIT(t, d, GAME_EV_TURN);
        t->u.turn.player = id;
    }
    return VP_OK;
}

static vp_code decide_resume(decision *d)
{
    const room *r = d->r;
    const vp_intent *it = d->it;
    if (!r->created)
        return refuse(d, VP_NO_ROOM, "There is no room with this code.");
    if (it->token.len != GAME_KEY_HEX)
        return refuse(d, VP_BAD_TOKEN, "This token does not belong to a member of this room.");
    char hex[GAME_HASH_HEX + 1];
    uint8_t hash[32];
    game_token_hash(it->token.ptr, it->token.len, hex);
    for (int i = 0; i < 32; i++) {
        unsigned hi = (unsigned)(hex[2 * i] <= '9' ? hex[2 * i] - '0' : hex[2 * i] - 'a' + 10);
        unsigned lo = (unsigned)(hex[2 * i + 1] <= '9' ? hex[2 * i + 1] - '0' : hex[2 * i + 1] - 'a' + 10);
        hash[i] = (uint8_t)(hi << 4 | lo);
    }
    /* Compare with every member's hash in constant time, so the time taken
     * says nothing about which member (if any) comes close. */
    const member *found = NULL;
    for (uint32_t i = 0; i < r->n_members; i++) {
        const member *m = &r->members[i];
        if (m->has_token && CRYPTO_memcmp(m->token_hash, hash, sizeof hash) == 0)
            found = m;
    }
    if (!found || !found->present)
        return refuse(d, VP_BAD_TOKEN, "This token does not belong to a member of this room.");
    d->out->you = found->id;
    memcpy(d->out->token, it->token.ptr, GAME_KEY_HEX);
    d->out->token[GAME_KEY_HEX] = 0;
    if (found->online)
        return VP_OK;
    EMIT(p, d, GAME_EV_PRESENCE);
    p->u.presence.player = found->id;
    p->u.presence.online = true;
    change ch = {.online = found->id};
    return auto_reveal(d, &ch);
}

static vp_code decide_start(decision *d)
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
        return refuse(d, VP_BAD_REQUEST, opts.kinds || opts.audience.s[0]
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

static vp_code decide_play(decision *d)
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

static vp_code decide_draw(decision *d)
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

static vp_code decide_vote(decision *d)
{
    const room *r = d->r;
    const vp_intent *it = d->it;
    const member *me = d->me;
    uint32_t voter = me->id;
    if (it->has_for) {
        const member *target = room_member(r, it->for_player);
        if (me->role != VP_ROLE_FACILITATOR)
            return refuse(d, VP_NOT_ALLOWED, "Only the facilitator votes for someone else.");
        if (!target || !target->present)
            return refuse(d, VP_BAD_REQUEST, "There is no such player in this room.");
        if (!target->seated)
            return refuse(d, VP_NOT_ALLOWED, "The facilitator votes only for seated players.");
        voter = target->id;
    } else if (!room_may_self_vote(r, me)) {
        return refuse(d, VP_NOT_ALLOWED, me->role == VP_ROLE_SCREEN
                                             ? "A screen does not vote."
                                             : "The facilitator votes only when the facilitator plays.");
    }
    if (r->phase != GAME_PLAYING)
        return refuse(d, VP_WRONG_PHASE, "No round is being played.");
    if (!r->table.has)
        return refuse(d, VP_NO_CARD, "There is no card on the table.");
    if (r->table.revealed)
        return refuse(d, VP_WRONG_PHASE, "The votes are revealed; the facilitator can open a revote.");
    if (!it->pass && (it->value < (uint64_t)r->deck->scale_min || it->value > (uint64_t)r->deck->scale_max))
        return refuse(d, VP_BAD_VOTE, "That value is not on this deck's scale.");
    EMIT(e, d, GAME_EV_VOTED);
    e->u.voted.vote.player = voter;
    e->u.voted.vote.pass = it->pass;
    e->u.voted.vote.value = it->pass ? 0 : (uint32_t)it->value;
    game_vote v = e->u.voted.vote;
    change ch = {.vote = &v};
    return auto_reveal(d, &ch);
}

static vp_code need_table(decision *d)
{
    if (d->r->phase != GAME_PLAYING)
        return refuse(d, VP_WRONG_PHASE, "No round is being played.");
    if (!d->r->table.has)
        return refuse(d, VP_NO_CARD, "There is no card on the table.");
    return VP_OK;
}

static vp_code decide_revote(decision *d)
{
    if (need_table(d))
        return d->out->code;
    if (!d->r->table.revealed)
        return refuse(d, VP_WRONG_PHASE, "The votes are not revealed yet.");
    EMIT(e, d, GAME_EV_REOPENED);
    snprintf(e->u.reopened.card.s, GAME_ID_SIZE, "%s", room_card_id(d->r, d->r->table.card));
    return VP_OK;
}

static vp_code decide_reveal(decision *d)
{
    if (need_table(d))
        return d->out->code;
    if (d->r->table.revealed)
        return refuse(d, VP_WRONG_PHASE, "The votes are revealed already.");
    return emit_revealed(d, d->r->table.votes, d->r->table.n_votes);
}

static vp_code decide_note(decision *d)
{
    const room *r = d->r;
    if (!r->table.has || r->phase != GAME_PLAYING)
        return refuse(d, VP_NO_CARD, "There is no card on the table.");
    const vp_str text = d->it->text;
    if (text.len == 0 || text.len > VP_NOTE_MAX || memchr(text.ptr, 0, text.len))
        return refuse(d, VP_BAD_REQUEST, "A note is 1 to 500 bytes.");
    if (room_notes_on(r, room_round(r)->number, r->table.card) >= GAME_MAX_NOTES_CARD)
        return refuse(d, VP_BAD_REQUEST, "This card has 100 notes already.");
    if (r->n_notes >= GAME_MAX_NOTES)
        return refuse(d, VP_BAD_REQUEST, "This room holds as many notes as it can keep.");
    uint32_t used = room_round(r)->note_bytes;
    if (used >= GAME_MAX_NOTE_BYTES_ROUND || text.len > GAME_MAX_NOTE_BYTES_ROUND - used)
        return refuse(d, VP_BAD_REQUEST, "This round's notes are full (640 KiB of text): close the round to go on.");
    EMIT(e, d, GAME_EV_NOTED);
    e->u.noted.note = r->n_notes + 1;
    e->u.noted.player = d->me->id;
    snprintf(e->u.noted.card.s, GAME_ID_SIZE, "%s", room_card_id(r, r->table.card));
    e->u.noted.text = strndup(text.ptr, text.len);
    if (!e->u.noted.text)
        return refuse(d, VP_SERVER_BUSY, "The server is out of memory.");
    return VP_OK;
}

static vp_code decide_hide(decision *d)
{
    if (d->it->note == 0 || d->it->note > d->r->n_notes)
        return refuse(d, VP_BAD_REQUEST, "There is no such note.");
    EMIT(e, d, GAME_EV_HIDDEN);
    e->u.hidden.note = d->it->note;
    return VP_OK;
}

static vp_code decide_next(decision *d)
{
    if (need_table(d) || finish_card(d))
        return d->out->code;
    if (d->r->opts.mode == VP_MODE_HANDS) {
        EMIT(t, d, GAME_EV_TURN);
        t->u.turn.player = next_turn(d->r, d->r->turn, 0);
    }
    return VP_OK;
}

static vp_code decide_skip(decision *d)
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
static vp_code decide_page(decision *d)
{
    if (d->r->phase != GAME_CLOSED)
        return refuse(d, VP_WRONG_PHASE, "The summary is paged only once the round is closed.");
    if (d->it->page == d->r->screen_page)
        return VP_OK;
    EMIT(e, d, GAME_EV_PAGED);
    e->u.paged.page = d->it->page;
    return VP_OK;
}

static vp_code decide_timer(decision *d)
{
    if (d->it->seconds > VP_TIMER_MAX)
        return refuse(d, VP_BAD_REQUEST, "A timer runs at most 3600 seconds.");
    EMIT(e, d, GAME_EV_TIMER);
    e->u.timer.running = d->it->seconds > 0;
    e->u.timer.ends_at = d->it->seconds ? d->in->now_ms + (uint64_t)d->it->seconds * 1000 : 0;
    return VP_OK;
}

static vp_code decide_close(decision *d)
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
    e->u.closed.summary = room_summary_build(r, room_round(r), r->table.has ? &extra : NULL, it->text.ptr,
                                             it->text.len, it->actions, it->n_actions, d->in->now_ms);
    if (!e->u.closed.summary)
        return refuse(d, VP_SERVER_BUSY, "The server is out of memory.");
    return VP_OK;
}

static vp_code decide_seat(decision *d)
{
    vp_code rc = check_newcomer(d, d->it->name);
    if (rc)
        return rc;
    EMIT(j, d, GAME_EV_JOINED);
    j->u.joined.player = d->r->n_members + 1;
    str_copy(d->it->name, j->u.joined.name, sizeof j->u.joined.name);
    j->u.joined.role = VP_ROLE_PLAYER;
    j->u.joined.seated = true;
    return VP_OK;
}

static vp_code decide_handover(decision *d)
{
    const member *to = room_member(d->r, d->it->player);
    if (!to || !to->present)
        return refuse(d, VP_BAD_REQUEST, "There is no such member in this room.");
    if (to->id == d->me->id)
        return refuse(d, VP_BAD_REQUEST, "You are the facilitator already.");
    if (to->role == VP_ROLE_SCREEN)
        return refuse(d, VP_NOT_ALLOWED, "A screen cannot facilitate; choose a player with a device.");
    if (to->seated)
        return refuse(d, VP_NOT_ALLOWED, "A seated player has no device to facilitate with.");
    EMIT(e, d, GAME_EV_HANDED);
    e->u.handed.from = d->me->id;
    e->u.handed.to = to->id;
    change ch = {.new_facilitator = to->id, .old_facilitator = d->me->id};
    return auto_reveal(d, &ch);
}

static vp_code decide_kick(decision *d)
{
    const member *m = room_member(d->r, d->it->player);
    if (!m || !m->present)
        return refuse(d, VP_BAD_REQUEST, "There is no such member in this room.");
    if (m->id == d->me->id)
        return refuse(d, VP_NOT_ALLOWED, "The facilitator cannot kick themself; hand over first.");
    d->out->kicked = m->id;
    if (member_goes(d, m->id, true))
        return d->out->code;
    /* The kicked member knew the replay key (it is in every summary): a new
     * one, from this input's fresh bytes, so that what comes after the
     * kick is not theirs to read. */
    EMIT(k, d, GAME_EV_REKEYED);
    room_hex(d->in->entropy + 16, 16, k->u.rekeyed.replay_key);
    return VP_OK;
}

static vp_code decide_lock(decision *d)
{
    EMIT(e, d, GAME_EV_LOCKED);
    e->u.locked.locked = d->it->locked;
    return VP_OK;
}

/* The window a member speaks from, or the empty chair of the table card
 * (SPEC.md §5.3). A member's window changes only between cards, so that
 * two reveals of one card (after a revote) count each voter under the
 * same window and cannot be compared to single one out. */
static vp_code decide_window(decision *d)
{
    const room *r = d->r;
    const vp_intent *it = d->it;
    if (r->deck->n_windows == 0)
        return refuse(d, VP_BAD_REQUEST, "This card set has no windows.");
    int32_t wi = -1;
    if (it->window.len > 0 && (wi = deck_window_index(r->deck, it->window.ptr, it->window.len)) < 0)
        return refuse(d, VP_BAD_REQUEST, "This card set has no such window.");
    bool fac = d->me->role == VP_ROLE_FACILITATOR;
    uint32_t target = d->me->id;
    if (it->chair) {
        if (!fac || it->has_for)
            return refuse(d, VP_NOT_ALLOWED, "Only the facilitator sets the empty chair, and for no one.");
        if (!r->table.has)
            return refuse(d, VP_NO_CARD, "The empty chair is for the card on the table; there is none.");
        for (uint32_t i = 0; wi >= 0 && i < r->n_members; i++)
            if (r->members[i].present && r->members[i].window == wi + 1)
                return refuse(d, VP_BAD_REQUEST, "Someone here speaks from this window already.");
        target = 0;
    } else {
        if (it->has_for) {
            if (!fac)
                return refuse(d, VP_NOT_ALLOWED, "Only the facilitator chooses a window for someone else.");
            const member *m = room_member(r, it->for_player);
            if (!m || !m->present || m->role == VP_ROLE_SCREEN)
                return refuse(d, VP_BAD_REQUEST, "There is no such player in this room.");
            target = m->id;
        } else if (d->me->role == VP_ROLE_SCREEN) {
            return refuse(d, VP_NOT_ALLOWED, "A screen speaks from no window.");
        }
        if (r->table.has)
            return refuse(d, VP_WRONG_PHASE, "Windows change between cards, not while one is on the table.");
    }
    EMIT(e, d, GAME_EV_WINDOWED);
    e->u.windowed.player = target;
    if (wi >= 0)
        snprintf(e->u.windowed.window.s, sizeof e->u.windowed.window.s, "%s", r->deck->windows[wi].id);
    return VP_OK;
}

static vp_code decide_leave(decision *d)
{
    if (d->me->role == VP_ROLE_FACILITATOR)
        return refuse(d, VP_NOT_ALLOWED, "The facilitator hands over before leaving.");
    return member_goes(d, d->me->id, false);
}

static vp_code decide_purge(decision *d)
{
    if (d->r->phase != GAME_CLOSED)
        return refuse(d, VP_WRONG_PHASE, "A room can be purged once its round is closed.");
    d->out->purge = true;
    return VP_OK;
}

static vp_code decide_ping(decision *d)
{
    (void)d;
    return VP_OK;
}

/* Who may send an intent. */
enum who {
    WHO_OUTSIDER,    /* a connection not yet bound to a member */
    WHO_ANYONE,      /* any connection (resume, ping) */
    WHO_MEMBER,      /* any present member */
    WHO_NOT_SCREEN,  /* any present member but a screen */
    WHO_PLAYER,      /* a member who can hold cards: not a screen */
    WHO_FACILITATOR
};

static const struct intent_rule {
    enum who who;
    vp_code (*decide)(decision *d);
} rules[VP_T__COUNT] = {
    [VP_T_CREATE] = {WHO_OUTSIDER, decide_create},
    [VP_T_JOIN] = {WHO_OUTSIDER, decide_join},
    [VP_T_RESUME] = {WHO_ANYONE, decide_resume},
    [VP_T_START] = {WHO_FACILITATOR, decide_start},
    [VP_T_PLAY] = {WHO_PLAYER, decide_play},
    [VP_T_DRAW] = {WHO_FACILITATOR, decide_draw},
    [VP_T_VOTE] = {WHO_MEMBER, decide_vote},
    [VP_T_REVOTE] = {WHO_FACILITATOR, decide_revote},
    [VP_T_REVEAL] = {WHO_FACILITATOR, decide_reveal},
    [VP_T_NOTE] = {WHO_NOT_SCREEN, decide_note},
    [VP_T_HIDE] = {WHO_FACILITATOR, decide_hide},
    [VP_T_NEXT] = {WHO_FACILITATOR, decide_next},
    [VP_T_SKIP] = {WHO_FACILITATOR, decide_skip},
    [VP_T_TIMER] = {WHO_FACILITATOR, decide_timer},
    [VP_T_CLOSE] = {WHO_FACILITATOR, decide_close},
    [VP_T_SEAT] = {WHO_FACILITATOR, decide_seat},
    [VP_T_HANDOVER] = {WHO_FACILITATOR, decide_handover},
    [VP_T_KICK] = {WHO_FACILITATOR, decide_kick},
    [VP_T_LOCK] = {WHO_FACILITATOR, decide_lock},
    [VP_T_LEAVE] = {WHO_MEMBER, decide_leave},
    [VP_T_PURGE] = {WHO_FACILITATOR, decide_purge},
    [VP_T_PING] = {WHO_ANYONE, decide_ping},
    [VP_T_WINDOW] = {WHO_MEMBER, decide_window},
    [VP_T_PAGE] = {WHO_FACILITATOR, decide_page},
};

static vp_code decide_device(decision *d)
{
    const room *r = d->r;
    if (d->in->kind == GAME_INPUT_RECHECK) {
        /* A hold may have ended: nothing changes but the time. */
        change none = {0};
        return auto_reveal(d, &none);
    }
    const member *m = room_member(r, d->in->player);
    bool online = d->in->kind == GAME_INPUT_ONLINE;
    if (!m || !m->present || m->seated)
        return refuse(d, VP_BAD_REQUEST, "There is no such member in this room.");
    if (m->online == online)
        return VP_OK;
    EMIT(p, d, GAME_EV_PRESENCE);
    p->u.presence.player = m->id;
    p->u.presence.online = online;
    change ch = {0};
    if (online)
        ch.online = m->id;
    else
        ch.offline = m->id;
    return auto_reveal(d, &ch);
}

static vp_code check_sender(decision *d, enum who who)
{
    const room *r = d->r;
    const member *me = d->me;
    switch (who) {
    case WHO_ANYONE: return VP_OK;
    case WHO_OUTSIDER:
        if (d->in->sender)
            return refuse(d, VP_WRONG_PHASE, "This connection is in a room already.");
        return VP_OK;
    default: break;
    }
    if (!r->created)
        return refuse(d, VP_NO_ROOM, "There is no room with this code.");
    if (!me)
        return refuse(d, VP_NOT_ALLOWED, "Join or resume first.");
    switch (who) {
    case WHO_NOT_SCREEN:
    case WHO_PLAYER:
        if (me->role == VP_ROLE_SCREEN)
            return refuse(d, VP_NOT_ALLOWED, "A screen only watches.");
        return VP_OK;
    case WHO_FACILITATOR:
        if (me->role != VP_ROLE_FACILITATOR)
            return refuse(d, VP_NOT_ALLOWED, "Only the facilitator can do that.");
        return VP_OK;
    default: return VP_OK;
    }
}

vp_code game_decide(const room *r, const game_env *env, const game_input *in, game_result *out)
{
    memset(out, 0, sizeof *out);
    decision d = {r, env, in, in->intent, out, NULL};
    const member *me = room_member(r, in->sender);
    d.me = me && me->present ? me : NULL;
    vp_code rc;
    if (in->kind != GAME_INPUT_INTENT) {
        rc = r->created ? decide_device(&d) : refuse(&d, VP_NO_ROOM, "There is no room with this code.");
    } else if (!in->intent || (unsigned)in->intent->t >= VP_T__COUNT) {
        rc = refuse(&d, VP_BAD_REQUEST, "Unknown message.");
    } else {
        const struct intent_rule *rule = &rules[in->intent->t];
        rc = check_sender(&d, rule->who);
        if (rc == VP_OK)
            rc = rule->decide(&d);
    }
    if (rc != VP_OK) {
        /* An error causes nothing: drop whatever was built before it. */
        game_result_free(out);
        out->code = rc;
        out->you = 0;
        out->token[0] = 0;
        out->kicked = 0;
        out->purge = false;
    }
    return rc;
}
