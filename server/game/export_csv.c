/* export_csv: a closed round's summary as CSV for spreadsheets, in the room's dialect. */
#include "game/export_internal.h"

#include <stdlib.h>
#include <string.h>

/* RFC 4180: fields separated by the dialect's separator (below), records by
 * CRLF; a field holding the separator, a double quote, CR or LF is enclosed
 * in double quotes, and a
 * double quote inside is doubled.
 *
 * Formula injection (SPEC.md §8, "escaped"): a spreadsheet treats a
 * cell that starts with =, +, - or @ as a formula, and some also one that
 * starts with a tab or CR. Such a cell gets one apostrophe (') in front,
 * the defence OWASP recommends: Excel and LibreOffice then show text, and
 * the cell still reads as what was typed, apostrophe first. The apostrophe
 * is part of the value (a program reading the file sees it). The rule
 * looks at the first byte of every cell, header and figures included;
 * figures never start with one of these (no negative numbers occur).
 * Spreadsheets may drop leading blanks that show nothing (NBSP, a BOM,
 * zero-width characters) before they look for a formula, so the rule
 * looks past those too (csv_skip_blank).
 *
 * Encoding: UTF-8 with a byte order mark. Excel reads a CSV without a BOM
 * in the machine's legacy code page and garbles every non-ASCII name; with
 * it, Excel, LibreOffice, Numbers, pandas and Python's "utf-8-sig" read it
 * right.
 *
 * Dialect: the file is written for a spreadsheet set to the room's
 * language (or the one the download asks for), because a double-clicked
 * CSV is split by the list separator of the machine's locale. Dutch Excel
 * and LibreOffice expect ';' between fields and ',' in figures, and put a
 * comma file in one column; English ones expect ',' and '.'. So a Dutch
 * file has ';', decimal commas, and Dutch headers and words; an English
 * one ',', decimal points, and the header keys scripts have relied on
 * (rank, card, title, ...). The quoting rule is RFC 4180's with the
 * dialect's separator. (A "sep=;" first line would also steer Excel, but
 * makes it ignore the BOM.) */
/* The length of the blank at u, 0 when there is none: ASCII space, tab,
 * CR, LF, U+00A0, U+00AD, U+180E, U+2000..200F, U+2028..202F, U+205F..2064,
 * U+3000, U+FEFF. */
static size_t csv_blank_len(const unsigned char *u)
{
    if (*u == ' ' || *u == '\t' || *u == '\r' || *u == '\n')
        return 1;
    if (u[0] == 0xc2 && (u[1] == 0xa0 || u[1] == 0xad))
        return 2;
    bool three = (u[0] == 0xe1 && u[1] == 0xa0 && u[2] == 0x8e) ||
                 (u[0] == 0xe2 && u[1] == 0x80 && ((u[2] >= 0x80 && u[2] <= 0x8f) || (u[2] >= 0xa8 && u[2] <= 0xaf))) ||
                 (u[0] == 0xe2 && u[1] == 0x81 && u[2] >= 0x9f && u[2] <= 0xa4) ||
                 (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) || (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf);
    return three ? 3 : 0;
}

/* s past its leading blanks (csv_blank_len). */
static const char *csv_skip_blank(const char *s)
{
    size_t n;
    while ((n = csv_blank_len((const unsigned char *)s)) > 0)
        s += n;
    return s;
}

static void csv_cell(outbuf *b, char sep, const char *s, bool first)
{
    if (!first)
        out_char(b, sep);
    if (!s)
        return;
    const char *lead = csv_skip_blank(s);
    bool guard =
        (strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0') || (lead != s && *lead && strchr("=+-@", *lead) != NULL);
    const char specials[] = {sep, '"', '\r', '\n', '\0'};
    bool quote = strpbrk(s, specials) != NULL;
    if (quote)
        out_char(b, '"');
    if (guard)
        out_char(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            out_char(b, '"');
        out_char(b, *p);
    }
    if (quote)
        out_char(b, '"');
}

static void csv_uint(outbuf *b, char sep, uint32_t v)
{
    out_fmt(b, "%c%u", sep, v);
}

/* A figure with the language's decimal separator: "4,50" in a Dutch file
 * (its fields are separated by ';', so the comma needs no quotes). */
static void csv_figure(outbuf *b, const words *w, bool has, double v, unsigned decimals)
{
    out_char(b, w->list_sep);
    if (has)
        out_decimal(b, v, decimals, w->decimal);
}

/* The visible notes of a card in one cell: "name: text", one note after
 * another, separated by an empty line (LF inside the quoted cell, which
 * spreadsheets show as line breaks). Hidden notes are left out. */
static void csv_notes_cell(outbuf *b, char sep, const room *r, const game_summary_card *c)
{
    outbuf cell = {0};
    bool any = false;
    for (uint32_t k = 0; k < c->n_notes; k++) {
        const game_note_item *n = &c->notes[k];
        if (!n->text)
            continue;
        if (any)
            out_str(&cell, "\n\n");
        out_str(&cell, member_name(r, n->player));
        out_str(&cell, ": ");
        out_str(&cell, n->text);
        any = true;
    }
    if (cell.failed)
        b->failed = true;
    else
        csv_cell(b, sep, any ? cell.p : "", false);
    free(cell.p);
}

/* The figures per window in one cell: "burger: n=3 mean=3.67; bestuur: …"
 * (ids, so that the cell reads alike in every language). */
static void csv_windows_cell(outbuf *b, const words *w, const game_windows *ws)
{
    outbuf cell = {0};
    for (uint32_t i = 0; i < ws->n; i++) {
        const game_stats *st = &ws->w[i].stats;
        out_fmt(&cell, "%s%s: n=%u", i ? "; " : "", ws->w[i].window.s, st->n);
        if (st->n > 0) {
            out_str(&cell, " mean=");
            out_decimal(&cell, st->mean, 2, w->decimal);
        }
    }
    if (cell.failed)
        b->failed = true;
    else
        csv_cell(b, w->list_sep, cell.p ? cell.p : "", false);
    free(cell.p);
}

static int render_csv(const room *r, const game_summary *s, const words *w, char **out, size_t *len)
{
    const deck *d = room_deck(r);
    const char *lang = w->lang;
    const char sep = w->list_sep;
    int32_t lo = d ? d->scale_min : 0;
    unsigned values = d ? (unsigned)(d->scale_max - d->scale_min + 1) : 0;
    outbuf b = {0};

    out_str(&b, "\xef\xbb\xbf");
    out_str(&b, w->csv_head);
    for (unsigned i = 0; i < values; i++)
        out_fmt(&b, "%c%d", sep, (int)(lo + (int32_t)i));
    out_str(&b, w->csv_tail);
    bool windows = d && d->n_windows > 0;
    if (windows)
        out_fmt(&b, "%c%s", sep, w->csv_windows);
    out_str(&b, "\r\n");

    for (uint32_t i = 0; i < s->n_cards; i++) {
        const game_summary_card *c = &s->cards[i];
        const game_stats *st = &c->stats;
        const deck_category *cat = card_category(d, c->card.s);
        bool has = st->n > 0;
        out_fmt(&b, "%u", i + 1);
        csv_cell(&b, sep, c->card.s, false);
        csv_cell(&b, sep, card_title(d, lang, c->card.s), false);
        csv_cell(&b, sep, cat ? deck_text_in(&cat->title, lang) : "", false);
        csv_cell(&b, sep, member_name(r, c->by), false);
        csv_uint(&b, sep, st->n);
        csv_uint(&b, sep, st->pass);
        /* One number format in the file: two decimals for every figure. */
        csv_figure(&b, w, has, st->mean, 2);
        csv_figure(&b, w, has, st->median, 2);
        if (has) {
            csv_uint(&b, sep, st->min);
            csv_uint(&b, sep, st->max);
        } else {
            out_char(&b, sep);
            out_char(&b, sep);
        }
        /* One count per scale value; a hist shorter than the scale (not
         * expected) reads as zeros rather than shifting the columns. */
        for (unsigned k = 0; k < values; k++)
            csv_uint(&b, sep, k < st->n_hist ? st->hist[k] : 0);
        csv_cell(&b, sep, c->agreement == GAME_AGREE_NONE ? "" : w->agreement[c->agreement], false);
        csv_uint(&b, sep, visible_notes(c));
        csv_notes_cell(&b, sep, r, c);
        if (windows)
            csv_windows_cell(&b, w, &c->windows);
        out_str(&b, "\r\n");
    }
    return out_finish(&b, out, len);
}

int export_summary_csv(const room *r, const game_summary *s, char **out, size_t *len)
{
    return render_csv(r, s, words_for(r), out, len);
}

int render_csv_in(const room *r, const game_summary *s, vp_lang lang, char **out, size_t *len)
{
    return render_csv(r, s, words_in(lang), out, len);
}
