/* fuzz_game_input.h - the game target's intents, built from the script as vp_decode could have produced them. Only fuzz_game.c includes it. */
#ifndef VERRIJK_FUZZ_GAME_INPUT_H
#define VERRIJK_FUZZ_GAME_INPUT_H

#include "fuzz_game.h"

/* ---- building intents that vp_decode could have produced ---- */

/* Names collide often (case-insensitively too), and one is 40 bytes. */
static const char *make_name(session *s, uint8_t b)
{
    static const char *const prefixes[] = {"p",
                                           "P",
                                           "Ann",
                                           "ANN",
                                           "\xc3\x89mile",
                                           "\xc3\xa9mile",
                                           "Zo\xc3\xab",
                                           "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"};
    snprintf(s->name, sizeof s->name, "%s%u", prefixes[b & 7], (unsigned)(b >> 3) % 8);
    return s->name;
}

/* A member id: 0 (nobody), a member, or one past the last. */
static uint32_t pick_member(const session *s, uint8_t b)
{
    return b % (room_members(s->live) + 2);
}

static uint32_t pick_sender(const session *s, uint8_t b)
{
    switch (b >> 6) {
    case 1: return room_facilitator(s->live);
    case 2: return s->live->turn;
    default: return pick_member(s, b & 63);
    }
}

static vp_str str_of(const char *c)
{
    return (vp_str){c, (uint32_t)strlen(c)};
}

static void default_opts(vp_opts *o)
{
    memset(o, 0, sizeof *o);
    o->mode = VP_MODE_HANDS;
    o->hand = 3;
    o->auto_reveal = true;
}

/* Two bytes of options: which keys were given, and their values. */
static void make_opts(script *sc, vp_opts *o)
{
    static const char *const cats[] = {"a", "b", "c", "t", "zz"};
    uint8_t set = next_byte(sc), v = next_byte(sc);
    default_opts(o);
    o->set = set & 0x3f;
    if (o->set & VP_OPT_MODE)
        o->mode = (v & 1) ? VP_MODE_DECK : VP_MODE_HANDS;
    if (o->set & VP_OPT_HAND)
        o->hand = (uint8_t)(VP_HAND_MIN + (v >> 1) % VP_HAND_MAX);
    if (o->set & VP_OPT_ANONYMOUS)
        o->anonymous = (v >> 4) & 1;
    if (o->set & VP_OPT_AUTO_REVEAL)
        o->auto_reveal = (v >> 5) & 1;
    if (o->set & VP_OPT_FACILITATOR_PLAYS)
        o->facilitator_plays = (v >> 6) & 1;
    if (o->set & VP_OPT_CATEGORIES)
        for (unsigned i = 0; i < 5; i++)
            if ((set >> 6 | (v & 0x80) >> 5) & (1u << (i % 3)) && (i < 3 || (v & (1u << i))))
                o->categories[o->n_categories++] = str_of(cats[i]);
}

static const char *pick_card(const session *s, uint32_t sender, uint8_t a, char *buf, size_t cap)
{
    const room *r = s->live;
    const member *m = room_member(r, sender);
    const deck *d = room_deck(r);
    if ((a & 0x80) && m && m->n_hand)
        snprintf(buf, cap, "%s", room_card_id(r, m->hand[a % m->n_hand]));
    else if ((a & 0x40) && d && d->n_cards)
        snprintf(buf, cap, "%s", d->cards[a % d->n_cards].id);
    else
        snprintf(buf, cap, "%s", (a & 1) ? "zz" : "a1");
    return buf;
}

static char long_note[VP_NOTE_MAX + 1], long_close[VP_CLOSE_TEXT_MAX + 1], long_action[VP_ACTION_MAX + 1];

/* Fills *it from the script; returns the input kind. */
static game_input_kind make_input(session *s, script *sc, game_input *in, vp_intent *it, char *card, size_t cap)
{
    static const char *const notes[] = {"x", "a thought", "\xe2\x82\xac tab\there\nnewline", long_note};
    static const char *const closes[] = {"", "Thank you all", long_close};
    static const char *const titles[] = {"", "Test", long_note + VP_NOTE_MAX - VP_TITLE_MAX};
    uint8_t op = next_byte(sc), who = next_byte(sc), a = next_byte(sc), b = next_byte(sc);
    const room *r = s->live;

    memset(it, 0, sizeof *it);
    in->kind = GAME_INPUT_INTENT;
    in->sender = pick_sender(s, who);
    in->intent = it;
    op %= 32;
    if (op >= VP_T__COUNT + 3)
        op = op < 29 ? VP_T_PLAY : VP_T_VOTE; /* the busiest intents get more weight */
    /* The ops just past the intents are a device going online or offline,
     * and the server's timer asking whether a hold on the auto-reveal ended. */
    if (op == VP_T__COUNT || op == VP_T__COUNT + 1) {
        in->kind = op == VP_T__COUNT ? GAME_INPUT_ONLINE : GAME_INPUT_OFFLINE;
        in->intent = NULL;
        in->sender = 0;
        in->player = pick_member(s, a);
        return in->kind;
    }
    if (op == VP_T__COUNT + 2) {
        in->kind = GAME_INPUT_RECHECK;
        in->intent = NULL;
        in->sender = 0;
        return in->kind;
    }
    it->t = (vp_type)op;
    it->has_id = b & 1;
    it->id = a;
    switch (it->t) {
    case VP_T_CREATE:
        it->room = str_of((a & 1) ? "ABCDEF" : "ZZZZZZ");
        it->name = str_of(make_name(s, b));
        it->deck = str_of((const char *const[]){"test-deck", "tiny", "nope"}[(a >> 1) % 3]);
        it->lang = (a >> 3) & 1 ? VP_LANG_EN : VP_LANG_NL;
        it->tz_offset = (int32_t)(b % 7) * 260 - 720;
        it->title = str_of(titles[(a >> 4) % 3]);
        it->has_opts = (a >> 6) & 1;
        if (it->has_opts)
            make_opts(sc, &it->opts);
        else
            default_opts(&it->opts);
        if (a & 0x80)
            in->sender = 0; /* a fresh connection, as the server sends it */
        break;
    case VP_T_JOIN:
        it->room = str_of((a & 1) ? "ABCDEF" : "ZZZZZZ");
        it->name = str_of(make_name(s, b));
        it->role = ((a >> 1) & 3) == 0 ? VP_ROLE_SCREEN : VP_ROLE_PLAYER;
        if (a & 0x80)
            in->sender = 0;
        break;
    case VP_T_RESUME: {
        uint32_t m = pick_member(s, b);
        it->room = str_of((a & 1) ? "ABCDEF" : "ZZZZZZ");
        it->token = str_of(m <= GAME_MAX_MEMBERS && s->tokens[m][0] && !(a & 2) ? s->tokens[m]
                                                                                : "0123456789abcdef0123456789abcdef");
        if (a & 0x80)
            in->sender = 0;
        break;
    }
    case VP_T_START:
        it->has_opts = a & 1;
        if (it->has_opts)
            make_opts(sc, &it->opts);
        else
            default_opts(&it->opts);
        break;
    case VP_T_PLAY: it->card = str_of(pick_card(s, in->sender, a, card, cap)); break;
    case VP_T_DRAW:
        /* Half plain draws, half a named card (drawn from anywhere in the pile). */
        if (a & 0x20)
            it->card = str_of(pick_card(s, in->sender, a, card, cap));
        break;
    case VP_T_VOTE:
        it->pass = (a & 7) == 0;
        if (!it->pass)
            it->value = (a >> 3) == 31 ? (uint64_t)UINT32_MAX + 1 : (a >> 3) == 30 ? UINT64_MAX : (a & 7) - 1u;
        it->has_for = b & 1;
        if (it->has_for) {
            it->for_player = pick_member(s, b >> 1);
            if (it->for_player == 0)
                it->for_player = UINT32_MAX;
        }
        break;
    case VP_T_NOTE: it->text = str_of(notes[a % 4]); break;
    case VP_T_HIDE: it->note = a == 255 ? UINT32_MAX : a % (r->n_notes + 2); break;
    case VP_T_TIMER: it->seconds = a == 255 ? VP_TIMER_MAX : (a % 8) * 60u; break;
    case VP_T_CLOSE:
        it->text = str_of(closes[a % 3]);
        it->n_actions = (uint8_t)(b % (VP_ACTIONS_MAX + 1));
        for (uint8_t i = 0; i < it->n_actions; i++)
            it->actions[i] = str_of((a >> 2) & 1 ? long_action : "act");
        break;
    case VP_T_SEAT: it->name = str_of(make_name(s, b)); break;
    case VP_T_HANDOVER:
    case VP_T_KICK:
        it->player = pick_member(s, a);
        if (it->player == 0)
            it->player = UINT32_MAX;
        break;
    case VP_T_LOCK: it->locked = a & 1; break;
    case VP_T_WINDOW:
        it->window = str_of((const char *const[]){"w1", "w2", "w3", "", "nope"}[a % 5]);
        it->chair = (b & 3) == 0;
        it->has_for = (b & 3) == 1;
        if (it->has_for)
            it->for_player = pick_member(s, b >> 2) ? pick_member(s, b >> 2) : UINT32_MAX;
        break;
    case VP_T_PAGE: it->page = a == 255 ? VP_PAGE_MAX : a % 4u; break;
    default: break;
    }
    return in->kind;
}

#endif
