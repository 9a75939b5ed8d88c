/* export_md: a closed round's summary as a Markdown document for people. */
#include "game/export_internal.h"

#include <stdio.h>
#include <string.h>

/* Text from people and decks is written so that it renders as itself, and
 * reads as itself when the file is pasted into an email as plain text: a
 * backslash goes only where Markdown (CommonMark and GitHub's extensions)
 * would otherwise misread the text, never before an ordinary parenthesis
 * or full stop.
 *
 * At the start of a line (each line of a text is one): `#`, `>`, a list
 * marker (`-`, `+`, `*` then a blank or the end; `1.` or `1)` then a
 * blank or the end: the `.`/`)` is escaped), and a line of only `-`, `=`
 * or `_` (a rule or a heading underline). Anywhere: `*` and `_` unless
 * they cannot start or end emphasis (`_` between two letters or digits,
 * either of them between two blanks), a backtick, `[` (links, images,
 * footnotes, link definitions), `<` (HTML, autolinks), `|` (tables), `~`
 * (strikethrough, fences), `&` that starts an entity (`&amp;`, `&#38;`),
 * a backslash before punctuation or at a line's end (which would escape
 * or break), and a `#` run that would close a heading. Leading blanks are
 * dropped from each line (four would open a code block), other control
 * characters become spaces, and line ends follow the mode. */
typedef enum md_mode {
    MD_ONE_LINE,  /* headings, table cells, names: line ends become spaces */
    MD_LIST_ITEM, /* notes, actions: a line end is a hard break inside the same item */
    MD_PARAGRAPHS /* the facilitator's text: a blank line starts a new paragraph */
} md_mode;

static bool md_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\0';
}

/* Letters and digits, and every non-ASCII byte (letters of other scripts). */
static bool md_word(char c)
{
    unsigned char u = (unsigned char)c;
    return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
}

static bool md_punct(char c)
{
    return c && strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) != NULL;
}

/* The line holds only c and blanks (at least one c). */
static bool md_only(const char *s, size_t n, char c)
{
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == c)
            any = true;
        else if (s[i] != ' ' && s[i] != '\t')
            return false;
    }
    return any;
}

/* The index in s of the one character that would open a block at the
 * line's start, or n when none would. */
static size_t md_block_opener(const char *s, size_t n)
{
    char c = s[0];
    if (c == '#' || c == '>')
        return 0;
    if ((c == '-' || c == '+' || c == '*') && (n == 1 || md_blank(s[1])))
        return 0;
    if ((c == '-' || c == '=' || c == '_' || c == '*') && md_only(s, n, c))
        return 0;
    size_t d = 0;
    while (d < n && d < 10 && s[d] >= '0' && s[d] <= '9')
        d++;
    if (d > 0 && d < n && (s[d] == '.' || s[d] == ')') && (d + 1 == n || md_blank(s[d + 1])))
        return d;
    return n;
}

/* `&` followed by a name or number and `;`: an entity Markdown decodes. */
static bool md_entity(const char *s, size_t n, size_t i)
{
    size_t j = i + 1;
    if (j < n && s[j] == '#') {
        j++;
        if (j < n && (s[j] == 'x' || s[j] == 'X'))
            j++;
    }
    size_t start = j;
    while (j < n && j - start < 32 &&
           ((s[j] >= '0' && s[j] <= '9') || (s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
        j++;
    return j > start && j < n && s[j] == ';';
}

static bool md_needs_escape(const char *s, size_t n, size_t i)
{
    char c = s[i];
    char prev = i > 0 ? s[i - 1] : '\0', next = i + 1 < n ? s[i + 1] : '\0';
    switch (c) {
    case '`':
    case '[':
    case '<':
    case '|':
    case '~': return true;
    case '*': return !(md_blank(prev) && md_blank(next));
    case '_': return !(md_word(prev) && md_word(next)) && !(md_blank(prev) && md_blank(next));
    case '&': return md_entity(s, n, i);
    case '\\': return next == '\0' || md_punct(next);
    case '#': {
        /* A run of # after a blank at the end closes an ATX heading. */
        if (i == 0 || !md_blank(prev))
            return false;
        for (size_t j = i; j < n; j++)
            if (s[j] != '#' && !md_blank(s[j]))
                return false;
        return true;
    }
    default: return false;
    }
}

static void md_line(outbuf *b, const char *s, size_t n)
{
    size_t start = 0;
    size_t opener = md_block_opener(s, n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool special = i == opener || md_needs_escape(s, n, i);
        if (special || c < 0x20 || c == 0x7f) {
            out_add(b, s + start, i - start);
            if (special) {
                out_char(b, '\\');
                out_char(b, (char)c);
            } else {
                out_char(b, ' ');
            }
            start = i + 1;
        }
    }
    out_add(b, s + start, n - start);
}

/* indent: the spaces that continue a list item (the marker's width, at
 * most MD_INDENT_MAX: "20. " is the widest the actions need). */
#define MD_INDENT_MAX 10

static void md_text(outbuf *b, const char *s, md_mode mode, unsigned indent)
{
    static const char spaces[MD_INDENT_MAX + 1] = "          ";
    bool wrote = false;
    unsigned blank = 0; /* line ends since the last line with text */
    size_t n = s ? strlen(s) : 0;
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && s[end] != '\n' && s[end] != '\r')
            end++;
        size_t a = i, z = end;
        while (a < z && (s[a] == ' ' || s[a] == '\t'))
            a++;
        while (z > a && (s[z - 1] == ' ' || s[z - 1] == '\t'))
            z--;
        if (a < z) {
            if (wrote) {
                if (mode == MD_ONE_LINE) {
                    out_char(b, ' ');
                } else if (mode == MD_PARAGRAPHS && blank > 1) {
                    out_str(b, "\n\n");
                } else {
                    /* A backslash at the end of a line is a hard break. */
                    out_str(b, "\\\n");
                    out_add(b, spaces, indent < sizeof spaces - 1 ? indent : sizeof spaces - 1);
                }
            }
            md_line(b, s + a, z - a);
            wrote = true;
            blank = 0;
        }
        /* One line end: CRLF, LF or a lone CR. */
        if (end < n && s[end] == '\r' && end + 1 < n && s[end + 1] == '\n')
            end++;
        if (end < n)
            blank++;
        i = end + 1;
    }
}

static void md_figure(outbuf *b, const words *w, bool has, double v)
{
    if (has)
        out_decimal(b, v, 1, w->decimal);
    else
        out_str(b, "\xe2\x80\x94");
}

/* "Per window: Citizen 3.7 (3 votes) · Governance 2.0 (3 votes)", the
 * windows the rule of SPEC.md §5.3 shows; no line when it shows none (as
 * when nobody chose a window): a line saying so on every card is noise. */
static void md_windows(outbuf *b, const words *w, const deck *d, const game_windows *ws)
{
    if (ws->n == 0)
        return;
    out_fmt(b, "%s: ", w->per_window);
    for (uint32_t i = 0; i < ws->n; i++) {
        const game_window_stats *x = &ws->w[i];
        int32_t wi = d ? deck_window_index(d, x->window.s, strlen(x->window.s)) : -1;
        if (i)
            out_str(b, " \xc2\xb7 ");
        md_text(b, wi >= 0 ? deck_text_in(&d->windows[wi].title, w->lang) : x->window.s, MD_ONE_LINE, 0);
        out_char(b, ' ');
        md_figure(b, w, x->stats.n > 0, x->stats.mean);
        out_fmt(b, " (%s %u)", w->col_votes, x->stats.n);
    }
    out_str(b, "\n\n");
}

/* The distribution as one bar per scale value, in a fenced block so the
 * bars line up; the block holds only digits, spaces and box characters.
 *
 *     1 │ ██    2
 *     2 │       0
 */
#define MD_BAR_WIDTH 20 /* blocks of the longest bar */

static void md_distribution(outbuf *b, const deck *d, const game_stats *st)
{
    uint32_t most = 0;
    for (unsigned i = 0; i < st->n_hist; i++)
        most = st->hist[i] > most ? st->hist[i] : most;
    unsigned width = most < MD_BAR_WIDTH ? most : MD_BAR_WIDTH;
    int32_t lo = d ? d->scale_min : 0;
    int label_width = snprintf(NULL, 0, "%d", (int)(lo + (int32_t)st->n_hist - 1));
    out_str(b, "```\n");
    for (unsigned i = 0; i < st->n_hist; i++) {
        uint32_t c = st->hist[i];
        /* One block per vote while they fit; past that, scaled, with at
         * least one block for any vote at all. */
        unsigned blocks = most <= MD_BAR_WIDTH ? c : (unsigned)(((uint64_t)c * MD_BAR_WIDTH + most / 2) / most);
        if (c > 0 && blocks == 0)
            blocks = 1;
        out_fmt(b, "%*d \xe2\x94\x82 ", label_width, (int)(lo + (int32_t)i));
        for (unsigned k = 0; k < blocks; k++)
            out_str(b, "\xe2\x96\x88");
        for (unsigned k = blocks; k < width; k++)
            out_char(b, ' ');
        out_fmt(b, " %u\n", c);
    }
    out_str(b, "```\n\n");
}

static void md_header(outbuf *b, const room *r, const game_summary *s, const words *w)
{
    const deck *d = room_deck(r);
    const char *title = room_title(r);
    out_str(b, "# ");
    md_text(b, title && *title ? title : w->untitled, MD_ONE_LINE, 0);
    out_str(b, "\n\n");
    out_people_date(b, w, s->closed_at, room_tz_offset(r));
    out_fmt(b, " \xc2\xb7 %s %u", w->round, s->round);
    if (d) {
        out_fmt(b, " \xc2\xb7 %s: ", w->deck);
        md_text(b, deck_text_in(&d->title, w->lang), MD_ONE_LINE, 0);
        out_fmt(b, " (%s %u)", w->version, d->version);
    }
    out_str(b, "\n\n");

    /* An anonymous round names no participants (see room_summary_build). */
    if (!s->has_players)
        return;
    out_fmt(b, "## %s\n\n", w->participants);
    if (s->n_players == 0)
        out_str(b, w->nobody);
    for (uint32_t i = 0; i < s->n_players; i++) {
        if (i)
            out_str(b, ", ");
        md_text(b, member_name(r, s->players[i]), MD_ONE_LINE, 0);
    }
    out_str(b, "\n\n");
}

static void md_ranking(outbuf *b, const room *r, const game_summary *s, const words *w)
{
    const deck *d = room_deck(r);
    out_fmt(b, "## %s\n\n", w->ranking);
    if (s->n_cards == 0) {
        out_fmt(b, "%s\n\n", w->no_cards);
        return;
    }
    out_fmt(b, "| # | %s | %s | %s | %s | %s | %s | %s |\n", w->col_card, w->col_category, w->col_mean, w->col_median,
            w->col_votes, w->col_passes, w->col_agreement);
    out_str(b, "|--:|:--|:--|--:|--:|--:|--:|:--|\n");
    for (uint32_t i = 0; i < s->n_cards; i++) {
        const game_summary_card *c = &s->cards[i];
        const deck_category *cat = card_category(d, c->card.s);
        out_fmt(b, "| %u | ", i + 1);
        md_text(b, card_title(d, w->lang, c->card.s), MD_ONE_LINE, 0);
        out_str(b, " | ");
        md_text(b, cat ? deck_text_in(&cat->title, w->lang) : "", MD_ONE_LINE, 0);
        out_str(b, " | ");
        md_figure(b, w, c->stats.n > 0, c->stats.mean);
        out_str(b, " | ");
        md_figure(b, w, c->stats.n > 0, c->stats.median);
        out_fmt(b, " | %u | %u | %s |\n", c->stats.n, c->stats.pass, agreement_word(w, c->agreement));
    }
    out_str(b, "\n");
}

static void md_cards(outbuf *b, const room *r, const game_summary *s, const words *w)
{
    const deck *d = room_deck(r);
    if (s->n_cards == 0)
        return;
    out_fmt(b, "## %s\n\n", w->cards);
    if (d) {
        char **labels = w == &words_en ? d->labels_en : d->labels_nl;
        out_fmt(b, "%s: ", w->scale);
        for (int32_t v = d->scale_min; v <= d->scale_max; v++) {
            out_fmt(b, "%s%d ", v > d->scale_min ? " \xc2\xb7 " : "", (int)v);
            md_text(b, labels[v - d->scale_min], MD_ONE_LINE, 0);
        }
        out_str(b, "\n\n");
    }
    for (uint32_t i = 0; i < s->n_cards; i++) {
        const game_summary_card *c = &s->cards[i];
        const deck_category *cat = card_category(d, c->card.s);
        const char *by = member_name(r, c->by);
        out_fmt(b, "### %u. ", i + 1);
        md_text(b, card_title(d, w->lang, c->card.s), MD_ONE_LINE, 0);
        out_str(b, "\n\n");
        if (cat) {
            md_text(b, deck_text_in(&cat->title, w->lang), MD_ONE_LINE, 0);
            out_str(b, " \xc2\xb7 ");
        }
        if (by) {
            out_fmt(b, "%s ", w->played_by);
            md_text(b, by, MD_ONE_LINE, 0);
        } else {
            out_str(b, w->from_pile);
        }
        out_str(b, "  \n");
        out_fmt(b, "%s ", w->col_mean);
        md_figure(b, w, c->stats.n > 0, c->stats.mean);
        out_fmt(b, " \xc2\xb7 %s ", w->col_median);
        md_figure(b, w, c->stats.n > 0, c->stats.median);
        out_fmt(b, " \xc2\xb7 %s %u \xc2\xb7 %s %u \xc2\xb7 %s\n\n", w->col_votes, c->stats.n, w->col_passes,
                c->stats.pass, agreement_word(w, c->agreement));
        if (c->stats.n > 0)
            md_distribution(b, d, &c->stats);
        if (c->windows.has)
            md_windows(b, w, d, &c->windows);
        if (visible_notes(c) == 0)
            continue;
        out_fmt(b, "%s:\n\n", w->notes);
        for (uint32_t k = 0; k < c->n_notes; k++) {
            const game_note_item *n = &c->notes[k];
            if (!n->text) /* hidden: gone from every export */
                continue;
            out_str(b, "- **");
            md_text(b, member_name(r, n->player), MD_ONE_LINE, 0);
            out_str(b, ":** ");
            md_text(b, n->text, MD_LIST_ITEM, 2);
            out_str(b, "\n");
        }
        out_str(b, "\n");
    }
}

static void md_categories(outbuf *b, const room *r, const game_summary *s, const words *w)
{
    const deck *d = room_deck(r);
    uint32_t played = 0;
    for (uint32_t i = 0; i < s->n_categories; i++)
        played += s->categories[i].cards > 0;
    /* Only topics with a card played: the others say nothing of this round. */
    if (s->n_cards == 0 || played == 0)
        return;
    out_fmt(b, "## %s\n\n| %s | %s | %s |\n|:--|--:|--:|\n", w->categories, w->col_category, w->col_cards, w->col_mean);
    for (uint32_t i = 0; i < s->n_categories; i++) {
        const game_summary_category *c = &s->categories[i];
        if (c->cards == 0)
            continue;
        out_str(b, "| ");
        md_text(b, category_title(d, w->lang, c->category.s), MD_ONE_LINE, 0);
        out_fmt(b, " | %u | ", c->cards);
        md_figure(b, w, c->has_mean, c->mean);
        out_str(b, " |\n");
    }
    out_str(b, "\n");
}

static void md_closing(outbuf *b, const game_summary *s, const words *w)
{
    if (s->text && s->text[strspn(s->text, " \t\r\n")]) {
        out_fmt(b, "## %s\n\n", w->text);
        md_text(b, s->text, MD_PARAGRAPHS, 0);
        out_str(b, "\n\n");
    }
    if (s->n_actions > 0) {
        out_fmt(b, "## %s\n\n", w->actions);
        for (uint32_t i = 0; i < s->n_actions; i++) {
            char marker[16];
            int m = snprintf(marker, sizeof marker, "%u. ", i + 1);
            out_str(b, marker);
            md_text(b, s->actions[i], MD_LIST_ITEM, (unsigned)m);
            out_str(b, "\n");
        }
        out_str(b, "\n");
    }
}

static int render_md_in(const room *r, const game_summary *s, const words *w, char **out, size_t *len)
{
    outbuf b = {0};
    /* The order a reader wants: who and when, what the group concluded,
     * then the cards that led there, then the topics. */
    md_header(&b, r, s, w);
    md_closing(&b, s, w);
    md_ranking(&b, r, s, w);
    md_cards(&b, r, s, w);
    md_categories(&b, r, s, w);
    /* One line end at the end of the file, not a blank line. */
    while (!b.failed && b.len >= 2 && b.p[b.len - 1] == '\n' && b.p[b.len - 2] == '\n')
        b.p[--b.len] = '\0';
    return out_finish(&b, out, len);
}

int export_summary_md(const room *r, const game_summary *s, char **out, size_t *len)
{
    return render_md_in(r, s, words_for(r), out, len);
}

int render_md(const room *r, const game_summary *s, vp_lang lang, char **out, size_t *len)
{
    return render_md_in(r, s, words_in(lang), out, len);
}
