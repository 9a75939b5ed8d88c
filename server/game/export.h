/* export: a closed round's summary as JSON, Markdown and CSV, the downloads of SPEC.md §8. */
#ifndef VERRIJK_GAME_EXPORT_H
#define VERRIJK_GAME_EXPORT_H

#include <stddef.h>

#include "game/event.h"
#include "game/room.h"

/* The largest export any function here produces. Within the game's own
 * limits a summary stays far below it (5,000 notes of 500 bytes, escaped to
 * at most twice their size, are 5 MB; 500 cards of titles and figures add
 * little), so reaching it means a corrupt summary, and the export fails. */
#define EXPORT_MAX_BYTES (32u << 20)

/* One download format. The formats are one table in export.c: a new format
 * is one row there (and its render function, in a file of its own); the
 * HTTP layer serves it as summary.EXTENSION and `verrijk export` takes it
 * as --EXTENSION. */
typedef struct export_format {
    const char *extension;    /* "md", "json", "csv" */
    const char *content_type; /* e.g. "text/markdown; charset=utf-8" */
    /* lang: the language (the dialect of a CSV) to write display text in;
     * JSON's keys and texts stay the room's. */
    int (*render)(const room *r, const game_summary *s, vp_lang lang, char **out, size_t *len);
} export_format;

/* export_round's lang for the room's own language. */
#define EXPORT_LANG_ROOM (-1)
/* A download's file name: "2026-12-04 Studiedag ronde 1.csv" (UTF-8, with
 * its NUL); the title takes at most EXPORT_NAME_TITLE_MAX bytes of it. */
#define EXPORT_NAME_TITLE_MAX 60
#define EXPORT_NAME_MAX       100

/* Each function renders summary s of room r (s as room_summary(r, round)
 * returns it: hidden notes have no text, and no export shows their text).
 * Display text (card, category and deck titles, headings, the date) is in
 * the room's language; member names are looked up in r, so members who left
 * still have their names. Pure: no I/O and no clock; the date comes from
 * s->closed_at and the room's tz_offset.
 *
 * On success each returns 0 and stores in *out a malloc'd buffer of *len
 * bytes, followed by a NUL that *len does not count; the caller frees it
 * with free(). On failure (out of memory, or an export over
 * EXPORT_MAX_BYTES) each returns -1 and sets *out to NULL and *len to 0.
 * Neither r nor s is changed or kept. */

/* The §6 summary object with every wire field as named there (round, cards
 * [{card, by, stats, agreement, notes [{note, player, text?}]}], categories,
 * text, actions, players, started_at, closed_at, replay_key), plus display
 * fields: room, title, lang, tz_offset, closed_at_local (ISO 8601 with the
 * room's offset), deck {id, version, hash, title}, scale {min, max, labels},
 * participants [{player, name}] in the order of players; per card rank,
 * title, category, category_title, by_name; per note name; per category
 * title. Absent names (a card drawn from the pile) are null. */
int export_summary_json(const room *r, const game_summary *s, char **out, size_t *len);

/* A Markdown document for people, in this order: title, date, participants,
 * the facilitator's text and actions, the ranking table, per card its
 * distribution, agreement and notes, then the topics with a card played.
 * Text from people and decks gets a backslash only where Markdown would
 * misread it (export_md.c lists where), so it renders as itself and reads as
 * itself as plain text. Hidden notes are left out whole. */
int export_summary_md(const room *r, const game_summary *s, char **out, size_t *len);

/* RFC 4180 CSV with a UTF-8 byte order mark and CRLF line ends: a header
 * row, then one row per card in ranking order, in the room's dialect (Dutch:
 * ';' between fields, decimal commas, Dutch headers and words; English: ','
 * and '.'). Cells that a spreadsheet would read as a formula are defused
 * (see export_csv.c for the exact rule). */
int export_summary_csv(const room *r, const game_summary *s, char **out, size_t *len);

/* The formats in the order help texts list them: format i, or NULL when
 * there are fewer than i + 1. */
const export_format *export_format_at(size_t i);

/* The format whose extension is ext (NUL-terminated), or NULL. */
const export_format *export_format_find(const char *ext);

/* For the HTTP handlers of GET /api/rooms/CODE/summary.EXTENSION and the
 * CLI: renders round `round` of r (0: the last closed one) in format f and
 * language lang (a vp_lang, or EXPORT_LANG_ROOM), from the state as it is
 * now (room_summary), and, when name is not NULL, stores the download's file
 * name there ("2026-12-04 Studiedag ronde 1.csv": the date the round closed
 * on the room's clock, the title made safe for every OS, the round). Returns
 * 0 with *out and *len as above; 1 when the room has no such closed round
 * (the handler answers 404), with *out NULL; -1 when out of memory or over
 * EXPORT_MAX_BYTES. */
int export_round(const room *r, uint32_t round, const export_format *f, int lang, char **out, size_t *len,
                 char name[EXPORT_NAME_MAX]);

#endif
