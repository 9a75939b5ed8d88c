/* room_round: what decide and apply both compute about a round: its cards, its pile, the figures per window. */
#include "game/room_internal.h"

#include <stdio.h>
#include <string.h>

#include "game/shuffle.h"
#include "game/stats.h"

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
