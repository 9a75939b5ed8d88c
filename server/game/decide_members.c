/* decide_members: the intents about membership and devices — create, join, resume, seat, handover, kick, lock, window, leave, purge, ping. */
#include "game/decide_internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

bool str_copy(vp_str s, char *buf, size_t size)
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

vp_code decide_create(decision *d)
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
    for (uint32_t i = 0; !dk && d->env && it->deck.len == DECK_HASH_LEN && i < d->env->n_decks + d->env->n_uploaded;
         i++) {
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

vp_code decide_join(decision *d)
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

vp_code decide_resume(decision *d)
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

vp_code decide_seat(decision *d)
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

vp_code decide_handover(decision *d)
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

vp_code decide_kick(decision *d)
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

vp_code decide_lock(decision *d)
{
    EMIT(e, d, GAME_EV_LOCKED);
    e->u.locked.locked = d->it->locked;
    return VP_OK;
}

/* The window a member speaks from, or the empty chair of the table card
 * (SPEC.md §5.3). A member's window changes only between cards, so that
 * two reveals of one card (after a revote) count each voter under the
 * same window and cannot be compared to single one out. */
vp_code decide_window(decision *d)
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

vp_code decide_leave(decision *d)
{
    if (d->me->role == VP_ROLE_FACILITATOR)
        return refuse(d, VP_NOT_ALLOWED, "The facilitator hands over before leaving.");
    return member_goes(d, d->me->id, false);
}

vp_code decide_purge(decision *d)
{
    if (d->r->phase != GAME_CLOSED)
        return refuse(d, VP_WRONG_PHASE, "A room can be purged once its round is closed.");
    d->out->purge = true;
    return VP_OK;
}

vp_code decide_ping(decision *d)
{
    (void)d;
    return VP_OK;
}
