/* export_internal: what the export files share (buffer, words, lookups, dates, render functions); no one else includes this. */
#ifndef VERRIJK_GAME_EXPORT_INTERNAL_H
#define VERRIJK_GAME_EXPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "game/export.h"

/* ---- a growing output buffer with a sticky failure (export_text.c) ---- */

/* Every append checks the limit and the allocation once, here; the
 * renderers then write straight through and look at `failed` at the end,
 * which keeps them readable. */
typedef struct outbuf {
    char *p;
    size_t len, cap;
    bool failed;
} outbuf;

void out_add(outbuf *b, const char *s, size_t n);
void out_str(outbuf *b, const char *s);
void out_char(outbuf *b, char c);

/* Short formatted pieces only (figures, dates, headings): a longer result
 * is a bug, reported as a failed export rather than written truncated. */
#define OUT_PIECE_MAX 160

__attribute__((format(printf, 2, 3))) void out_fmt(outbuf *b, const char *fmt, ...);

/* Hands the buffer over to the caller, or frees it on failure. */
int out_finish(outbuf *b, char **out, size_t *len);

/* ---- words in the room's language (export_text.c) ---- */

typedef struct words {
    const char *lang; /* the deck's language key */
    char decimal;     /* the decimal separator people of this language expect */
    const char *months[12];
    const char *untitled, *round, *deck, *version, *scale;
    const char *participants, *nobody;
    const char *ranking, *no_cards;
    const char *col_card, *col_category, *col_mean, *col_median, *col_votes, *col_passes, *col_agreement;
    const char *cards, *played_by, *from_pile, *notes;
    const char *categories, *col_cards;
    const char *text, *actions;
    /* The agreement words are the ones the screen shows (the web client's
     * agreement.* strings in web-client/src/i18n/strings.ts): one set of
     * labels, so a download says what the room saw. */
    const char *agreement[4];  /* indexed by game_agreement */
    const char *too_few_votes; /* the agreement of a card with fewer than two votes */
    char list_sep;             /* the CSV field separator spreadsheets of this language expect */
    const char *csv_head;      /* the CSV header up to the scale columns */
    const char *csv_tail;      /* ... and after them */
    const char *file_round;    /* "ronde" in a download's file name */
    const char *csv_windows;   /* the CSV column of the figures per window */
    const char *per_window;    /* window play (SPEC.md §5.3) */
} words;

extern const words words_en, words_nl;

const words *words_in(vp_lang lang);
/* too_few_votes for GAME_AGREE_NONE, else the agreement word. */
const char *agreement_word(const words *w, game_agreement a);
const words *words_for(const room *r);

/* ---- lookups (export_text.c) ---- */

const deck_card *card_of(const deck *d, const char *id);
/* The card's title in the room's language; its id when the deck lacks it
 * (which a room's own deck never does, but an export must not crash). */
const char *card_title(const deck *d, const char *lang, const char *id);
const deck_category *card_category(const deck *d, const char *id);
const char *category_title(const deck *d, const char *lang, const char *id);
/* A member's name; NULL for member 0 (a card drawn from the pile). */
const char *member_name(const room *r, uint32_t id);
uint32_t visible_notes(const game_summary_card *c);

/* ---- dates and figures (export_text.c) ---- */

typedef struct local_time {
    int64_t year;
    unsigned month, day, hour, minute; /* month 1..12 */
} local_time;

/* at (ms since the epoch) as wall-clock time tz_offset minutes east of UTC. */
local_time local_time_at(uint64_t at, int32_t tz_offset);
/* "2026-11-29T01:30+02:00". */
void out_iso_local(outbuf *b, uint64_t at, int32_t tz_offset);
/* "29 November 2026, 01:30" (English) or "29 november 2026, 01:30" (Dutch). */
void out_people_date(outbuf *b, const words *w, uint64_t at, int32_t tz_offset);
/* A non-negative figure with `decimals` (1 or 2) decimals, rounded half up. */
void out_decimal(outbuf *b, double v, unsigned decimals, char sep);

/* ---- the formats' render functions, one per file, as the formats table
 * in export.c calls them (export_format.render) ---- */

int render_md(const room *r, const game_summary *s, vp_lang lang, char **out, size_t *len);     /* export_md.c */
int render_json(const room *r, const game_summary *s, vp_lang lang, char **out, size_t *len);   /* export_json.c */
int render_csv_in(const room *r, const game_summary *s, vp_lang lang, char **out, size_t *len); /* export_csv.c */

#endif
