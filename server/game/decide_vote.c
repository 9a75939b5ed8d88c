/* decide_vote: voting and the reveal (auto-reveal included), notes — vote, revote, reveal, note, hide. */
#include "game/decide_internal.h"

#include <stdlib.h>
#include <string.h>

#include "game/stats.h"

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

vp_code emit_revealed(decision *d, const game_vote *votes, uint32_t n)
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
vp_code auto_reveal(decision *d, const change *ch)
{
    game_vote votes[GAME_MAX_PRESENT + 1];
    if (!d->r->table.has || d->r->table.revealed)
        return VP_OK;
    uint32_t n = votes_after(d->r, ch, votes);
    if (!reveal_due(d, ch, votes, n))
        return VP_OK;
    return emit_revealed(d, votes, n);
}

vp_code decide_vote(decision *d)
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
        return refuse(d, VP_NOT_ALLOWED,
                      me->role == VP_ROLE_SCREEN ? "A screen does not vote."
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

vp_code need_table(decision *d)
{
    if (d->r->phase != GAME_PLAYING)
        return refuse(d, VP_WRONG_PHASE, "No round is being played.");
    if (!d->r->table.has)
        return refuse(d, VP_NO_CARD, "There is no card on the table.");
    return VP_OK;
}

vp_code decide_revote(decision *d)
{
    if (need_table(d))
        return d->out->code;
    if (!d->r->table.revealed)
        return refuse(d, VP_WRONG_PHASE, "The votes are not revealed yet.");
    EMIT(e, d, GAME_EV_REOPENED);
    snprintf(e->u.reopened.card.s, GAME_ID_SIZE, "%s", room_card_id(d->r, d->r->table.card));
    return VP_OK;
}

vp_code decide_reveal(decision *d)
{
    if (need_table(d))
        return d->out->code;
    if (d->r->table.revealed)
        return refuse(d, VP_WRONG_PHASE, "The votes are revealed already.");
    return emit_revealed(d, d->r->table.votes, d->r->table.n_votes);
}

vp_code decide_note(decision *d)
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

vp_code decide_hide(decision *d)
{
    if (d->it->note == 0 || d->it->note > d->r->n_notes)
        return refuse(d, VP_BAD_REQUEST, "There is no such note.");
    EMIT(e, d, GAME_EV_HIDDEN);
    e->u.hidden.note = d->it->note;
    return VP_OK;
}
