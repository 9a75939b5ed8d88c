/* cli_describe.c - the log in words for people: what each event did, in one line (the replay timeline), and the names, card titles, times and texts in it. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli_internal.h"

/* ---- words for people ---- */

static const char *lang_of(const room *r)
{
    return room_exists(r) ? vp_lang_name(room_lang(r)) : "en";
}

const char *cli_who(const room *r, uint32_t id)
{
    const char *name = id ? room_member_name(r, id) : NULL;

    return name ? name : "someone";
}

const char *cli_card_title(const room *r, const char *id)
{
    const deck *d = room_exists(r) ? room_deck(r) : NULL;
    int32_t i = d ? deck_card_index(d, id, strlen(id)) : -1;

    return i < 0 ? id : deck_text_in(&d->cards[i].title, lang_of(r));
}

/* hh:mm:ss of ms since the epoch, in the room's offset from UTC. */
void cli_clock_text(const room *r, uint64_t ms, char *out, size_t cap, bool with_date)
{
    int32_t tz = room_exists(r) ? room_tz_offset(r) : 0;
    time_t t = (time_t)(ms / 1000) + (time_t)tz * 60;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, cap, with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
}

static void print_stats(FILE *out, const game_stats *st)
{
    if (st->n == 0)
        fprintf(out, "no votes but %u pass%s", st->pass, st->pass == 1 ? "" : "es");
    else
        fprintf(out, "n %u, mean %.2f, median %.2f, min %u, max %u%s", st->n, st->mean, st->median, st->min, st->max,
                st->pass ? ", and passes" : "");
    if (st->n && st->pass)
        fprintf(out, " (%u)", st->pass);
}

static void print_ids(FILE *out, const room *r, const uint32_t *ids, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        fprintf(out, "%s%s", i ? ", " : "", cli_who(r, ids[i]));
    if (n == 0)
        fputs("nobody", out);
}

/* A person's text on one line: line breaks and tabs become visible
 * escapes, so one event stays one line. */
void cli_print_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\n')
            fputs("\\n", out);
        else if (*s == '\r')
            fputs("\\r", out);
        else if (*s == '\t')
            fputs("\\t", out);
        else
            fputc(*s, out);
    }
}

/* What event e did, in one line, with r the room after it. It shows what
 * the public replay shows (rp, the core's replay filter, decides): no
 * vote value before the reveal, no names at the reveal of an anonymous
 * round, no text of a note hidden at any time, no replay key. */
void cli_describe(FILE *out, const room *r, const game_event *e, const game_replay *rp)
{
    switch (e->kind) {
    case GAME_EV_CREATED:
        /* The creator's name comes with the `joined` that follows. */
        fprintf(out, "room %s \"%s\" created (deck %s v%u, %s, mode %s)", e->u.created.room,
                e->u.created.title ? e->u.created.title : "", e->u.created.deck ? e->u.created.deck->id : "?",
                e->u.created.deck ? e->u.created.deck->version : 0, vp_lang_name(e->u.created.lang),
                e->u.created.opts.mode == VP_MODE_DECK ? "deck" : "hands");
        break;
    case GAME_EV_JOINED:
        fprintf(out, "%s joined as %s%s", e->u.joined.name, e->u.joined.seated ? "seated " : "",
                vp_role_name(e->u.joined.role));
        break;
    case GAME_EV_PRESENCE:
        fprintf(out, "%s is %s", cli_who(r, e->u.presence.player), e->u.presence.online ? "online" : "offline");
        break;
    case GAME_EV_LEFT:
        fprintf(out, "%s %s", cli_who(r, e->u.left.player),
                e->u.left.kicked ? "was removed by the facilitator" : "left");
        break;
    case GAME_EV_HANDED:
        fprintf(out, "%s handed the facilitator's role to %s", cli_who(r, e->u.handed.from),
                cli_who(r, e->u.handed.to));
        break;
    case GAME_EV_LOCKED: fprintf(out, "the room was %s", e->u.locked.locked ? "locked" : "unlocked"); break;
    case GAME_EV_ROUND:
        fprintf(out, "round %u started with %u cards; order: ", e->u.round.round, e->u.round.pile);
        print_ids(out, r, e->u.round.order, e->u.round.n_order);
        break;
    case GAME_EV_DEALT:
        fputs("dealt:", out);
        for (uint32_t i = 0; i < e->u.dealt.n_hands; i++) {
            const game_hand *h = &e->u.dealt.hands[i];

            fprintf(out, "%s %s [", i ? ";" : "", cli_who(r, h->player));
            for (uint32_t k = 0; k < h->n_cards; k++)
                fprintf(out, "%s%s", k ? ", " : "", h->cards[k].s);
            fputc(']', out);
        }
        break;
    case GAME_EV_ORDER:
        fputs("turn order: ", out);
        print_ids(out, r, e->u.order.order, e->u.order.n_order);
        break;
    case GAME_EV_TURN:
        if (e->u.turn.player)
            fprintf(out, "%s's turn", cli_who(r, e->u.turn.player));
        else
            fputs("nobody holds cards any more", out);
        break;
    case GAME_EV_PLAYED:
        if (e->u.played.player)
            fprintf(out, "%s played \"%s\"", cli_who(r, e->u.played.player), cli_card_title(r, e->u.played.card.s));
        else
            fprintf(out, "\"%s\" was drawn from the pile", cli_card_title(r, e->u.played.card.s));
        break;
    case GAME_EV_VOTED:
        fprintf(out, "%s voted", cli_who(r, e->u.voted.vote.player));
        if (game_replay_shows_vote_value(rp)) {
            if (e->u.voted.vote.pass)
                fputs(" (pass)", out);
            else
                fprintf(out, " %u", e->u.voted.vote.value);
        }
        break;
    case GAME_EV_REOPENED:
        fprintf(out, "voting on \"%s\" opened again", cli_card_title(r, e->u.reopened.card.s));
        break;
    case GAME_EV_REVEALED:
        fprintf(out, "votes on \"%s\" revealed: ", cli_card_title(r, e->u.revealed.card.s));
        if (game_replay_shows_voters(rp)) {
            for (uint32_t i = 0; i < e->u.revealed.n_votes; i++) {
                const game_vote *v = &e->u.revealed.votes[i];

                if (v->pass)
                    fprintf(out, "%s%s passed", i ? ", " : "", cli_who(r, v->player));
                else
                    fprintf(out, "%s%s %u", i ? ", " : "", cli_who(r, v->player), v->value);
            }
            fputs("; ", out);
        }
        print_stats(out, &e->u.revealed.stats);
        break;
    case GAME_EV_NOTED:
        if (!game_replay_shows_note_text(rp, e->u.noted.note))
            fprintf(out, "a note %u on \"%s\" (hidden later)", e->u.noted.note, cli_card_title(r, e->u.noted.card.s));
        else {
            fprintf(out, "%s wrote note %u on \"%s\": ", cli_who(r, e->u.noted.player), e->u.noted.note,
                    cli_card_title(r, e->u.noted.card.s));
            cli_print_text(out, e->u.noted.text);
        }
        break;
    case GAME_EV_HIDDEN: fprintf(out, "note %u was hidden", e->u.hidden.note); break;
    case GAME_EV_DONE: fprintf(out, "\"%s\" is done", cli_card_title(r, e->u.done.card.s)); break;
    case GAME_EV_SKIPPED: fprintf(out, "%s's turn was skipped", cli_who(r, e->u.skipped.player)); break;
    case GAME_EV_TIMER:
        if (e->u.timer.running) {
            char at[32];

            cli_clock_text(r, e->u.timer.ends_at, at, sizeof(at), false);
            fprintf(out, "timer runs until %s", at);
        } else {
            fputs("timer cancelled", out);
        }
        break;
    case GAME_EV_CLOSED: {
        const game_summary *s = e->u.closed.summary;

        fprintf(out, "round %u closed", e->u.closed.round);
        if (s && s->n_cards && s->cards[0].stats.n)
            fprintf(out, ": %u card%s, highest \"%s\" (mean %.2f)", s->n_cards, s->n_cards == 1 ? "" : "s",
                    cli_card_title(r, s->cards[0].card.s), s->cards[0].stats.mean);
        else if (s)
            fprintf(out, ": %u card%s", s->n_cards, s->n_cards == 1 ? "" : "s");
        break;
    }
    case GAME_EV_REKEYED:
        fputs("a new replay key replaced the old one", out);
        if (game_replay_shows_key(rp))
            fprintf(out, ": %s", e->u.rekeyed.replay_key);
        break;
    case GAME_EV_WINDOWED:
        if (e->u.windowed.player)
            fprintf(out, "%s speaks from %s", cli_who(r, e->u.windowed.player),
                    e->u.windowed.window.s[0] ? e->u.windowed.window.s : "no window");
        else
            fprintf(out, "the empty chair %s", e->u.windowed.window.s[0] ? e->u.windowed.window.s : "is cleared");
        break;
    case GAME_EV_PAGED: fprintf(out, "the big screen shows page %u of the summary", e->u.paged.page + 1); break;
    case GAME_EV__COUNT: fputs(game_event_name(e->kind), out); break;
    }
}
