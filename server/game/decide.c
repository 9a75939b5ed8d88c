/* decide: what an intent (or a device coming and going) does to a room, as events or an error; never mutates. The table of who may send which intent. */
#include "game/decide_internal.h"

#include <stdlib.h>
#include <string.h>

vp_code refuse(decision *d, vp_code code, const char *msg)
{
    d->out->code = code;
    d->out->msg = msg;
    return code;
}

/* Appends an event; NULL (and the result an error) when out of room or memory. */
game_event *emit(decision *d, game_event_kind kind)
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

/* Who may send an intent. */
enum who {
    WHO_OUTSIDER,   /* a connection not yet bound to a member */
    WHO_ANYONE,     /* any connection (resume, ping) */
    WHO_MEMBER,     /* any present member */
    WHO_NOT_SCREEN, /* any present member but a screen */
    WHO_PLAYER,     /* a member who can hold cards: not a screen */
    WHO_FACILITATOR
};

static const struct intent_rule {
    enum who who;
    vp_code (*decide)(decision *d);
    /* clang-format off */
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
/* clang-format on */

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
