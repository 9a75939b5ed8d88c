/* export_text: what every format writes with: the buffer, each language's words, lookups, dates, figures. */
#include "game/export_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growing output buffer with a sticky failure ---- */

void out_add(outbuf *b, const char *s, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (n > EXPORT_MAX_BYTES - b->len) {
        b->failed = true;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void out_str(outbuf *b, const char *s)
{
    out_add(b, s, strlen(s));
}

void out_char(outbuf *b, char c)
{
    out_add(b, &c, 1);
}

void out_fmt(outbuf *b, const char *fmt, ...)
{
    char tmp[OUT_PIECE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        b->failed = true;
        return;
    }
    out_add(b, tmp, (size_t)n);
}

/* Hands the buffer over to the caller, or frees it on failure. */
int out_finish(outbuf *b, char **out, size_t *len)
{
    /* Nothing written still gives an empty, NUL-terminated buffer. */
    if (!b->failed && !b->p && !(b->p = calloc(1, 1)))
        b->failed = true;
    if (b->failed) {
        free(b->p);
        *out = NULL;
        *len = 0;
        return -1;
    }
    *out = b->p;
    *len = b->len;
    return 0;
}
/* ---- words in the room's language ---- */

/* clang-format off */
const words words_en = {
    .lang = "en",
    .decimal = '.',
    .months = {"January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"},
    .untitled = "Verrijk session",
    .round = "Round",
    .deck = "Card set",
    .version = "version",
    .scale = "Scale",
    .participants = "Participants",
    .nobody = "Nobody voted in this round.",
    .ranking = "Cards in order of development potential",
    .no_cards = "No cards were discussed in this round.",
    .col_card = "Card",
    .col_category = "Topic",
    .col_mean = "Mean",
    .col_median = "Median",
    .col_votes = "Votes",
    .col_passes = "Passes",
    .col_agreement = "Agreement",
    .cards = "Cards",
    .played_by = "played by",
    .from_pile = "drawn from the pile",
    .notes = "Notes",
    .categories = "By topic",
    .col_cards = "Cards",
    .text = "From the facilitator",
    .actions = "Actions",
    .agreement = {"\xe2\x80\x94", "consensus", "mixed", "polarised"},
    .too_few_votes = "too few votes",
    .list_sep = ',',
    .csv_head = "rank,card,title,category,by,n,pass,mean,median,min,max",
    .csv_tail = ",agreement,notes,note_texts",
    .file_round = "round",
    .csv_windows = "windows",
    .per_window = "Per window",
};
/* clang-format on */

/* clang-format off */
const words words_nl = {
    .lang = "nl",
    .decimal = ',',
    .months = {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
               "oktober", "november", "december"},
    .untitled = "Verrijk-sessie",
    .round = "Ronde",
    .deck = "Kaartset",
    .version = "versie",
    .scale = "Schaal",
    .participants = "Deelnemers",
    .nobody = "Niemand heeft in deze ronde gestemd.",
    .ranking = "Kaarten op volgorde van ontwikkelkansen",
    .no_cards = "In deze ronde zijn geen kaarten besproken.",
    .col_card = "Kaart",
    .col_category = "Onderwerp",
    .col_mean = "Gemiddelde",
    .col_median = "Mediaan",
    .col_votes = "Stemmen",
    .col_passes = "Gepast",
    .col_agreement = "Overeenstemming",
    .cards = "Kaarten",
    .played_by = "gespeeld door",
    .from_pile = "van de stapel getrokken",
    .notes = "Notities",
    .categories = "Per onderwerp",
    .col_cards = "Kaarten",
    .text = "Van de begeleider",
    .actions = "Afspraken",
    /* The same words as the web client (web-client/src/i18n/strings.ts: agreement.*, and the
     * headings summary.*): one set everywhere, held together by web-client/test/labels.test.ts. */
    .agreement = {"\xe2\x80\x94", "eensgezind", "verdeeld", "tegengesteld"},
    .too_few_votes = "te weinig stemmen",
    .list_sep = ';',
    .csv_head = "rang;kaart;titel;onderwerp;gespeeld door;stemmen;gepast;gemiddelde;mediaan;laagste;hoogste",
    .csv_tail = ";overeenstemming;notities;notitieteksten",
    .file_round = "ronde",
    .csv_windows = "vensters",
    .per_window = "Per venster",
};
/* clang-format on */

/* A card's agreement as people read it: the same words in the ranking table
 * and in the card's own section ("too few votes" rather than a dash). */
const char *agreement_word(const words *w, game_agreement a)
{
    return a == GAME_AGREE_NONE ? w->too_few_votes : w->agreement[a];
}

const words *words_in(vp_lang lang)
{
    return lang == VP_LANG_EN ? &words_en : &words_nl;
}

const words *words_for(const room *r)
{
    return words_in(room_lang(r));
}

/* ---- lookups ---- */

const deck_card *card_of(const deck *d, const char *id)
{
    int32_t i = d ? deck_card_index(d, id, strlen(id)) : -1;
    return i < 0 ? NULL : &d->cards[i];
}

/* The card's title in the room's language; its id when the deck lacks it
 * (which a room's own deck never does, but an export must not crash). */
const char *card_title(const deck *d, const char *lang, const char *id)
{
    const deck_card *c = card_of(d, id);
    return c ? deck_text_in(&c->title, lang) : id;
}

const deck_category *card_category(const deck *d, const char *id)
{
    const deck_card *c = card_of(d, id);
    return c && c->category < d->n_categories ? &d->categories[c->category] : NULL;
}

const char *category_title(const deck *d, const char *lang, const char *id)
{
    int32_t i = d ? deck_category_index(d, id, strlen(id)) : -1;
    return i < 0 ? id : deck_text_in(&d->categories[i].title, lang);
}

/* A member's name; NULL for member 0 (a card drawn from the pile). */
const char *member_name(const room *r, uint32_t id)
{
    if (id == 0)
        return NULL;
    const char *name = room_member_name(r, id);
    return name ? name : "?";
}

uint32_t visible_notes(const game_summary_card *c)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n_notes; i++)
        n += c->notes[i].text != NULL;
    return n;
}

/* ---- dates ---- */

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
 * civil_from_days): no gmtime, so no time_t range or TZ variable matters. */
static void civil_from_days(int64_t z, local_time *t)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    t->day = doy - (153 * mp + 2) / 5 + 1;
    t->month = mp < 10 ? mp + 3 : mp - 9;
    t->year = (int64_t)yoe + era * 400 + (t->month <= 2);
}

/* at (ms since the epoch) as wall-clock time tz_offset minutes east of UTC. */
local_time local_time_at(uint64_t at, int32_t tz_offset)
{
    int64_t min = (int64_t)(at / 60000) + tz_offset;
    int64_t days = min >= 0 ? min / 1440 : -((-min + 1439) / 1440);
    int64_t in_day = min - days * 1440;
    local_time t;
    civil_from_days(days, &t);
    t.hour = (unsigned)(in_day / 60);
    t.minute = (unsigned)(in_day % 60);
    return t;
}

/* "2026-11-29T01:30+02:00". */
void out_iso_local(outbuf *b, uint64_t at, int32_t tz_offset)
{
    local_time t = local_time_at(at, tz_offset);
    unsigned off = (unsigned)(tz_offset < 0 ? -tz_offset : tz_offset);
    out_fmt(b, "%04lld-%02u-%02uT%02u:%02u%c%02u:%02u", (long long)t.year, t.month, t.day, t.hour, t.minute,
            tz_offset < 0 ? '-' : '+', off / 60, off % 60);
}

/* "29 November 2026, 01:30" (English) or "29 november 2026, 01:30" (Dutch). */
void out_people_date(outbuf *b, const words *w, uint64_t at, int32_t tz_offset)
{
    local_time t = local_time_at(at, tz_offset);
    out_fmt(b, "%u %s %lld, %02u:%02u", t.day, w->months[t.month - 1], (long long)t.year, t.hour, t.minute);
}

/* A non-negative figure with `decimals` (1 or 2) decimals, rounded half up.
 * Means of votes are never negative (scales start at 0 or more), and this
 * avoids printf's round-half-even on exact binary halves (4.25 -> 4.3). */
void out_decimal(outbuf *b, double v, unsigned decimals, char sep)
{
    unsigned scale = decimals == 2 ? 100 : 10;
    unsigned long long x = v > 0 ? (unsigned long long)(v * scale + 0.5) : 0;
    out_fmt(b, decimals == 2 ? "%llu%c%02llu" : "%llu%c%llu", x / scale, sep, x % scale);
}
