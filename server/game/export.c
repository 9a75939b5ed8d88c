/* export: renders a closed round's summary as JSON (jansson), Markdown for people, and CSV for spreadsheets. */
#include "game/export.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* ---- a growing output buffer with a sticky failure ---- */

/* Every append checks the limit and the allocation once, here; the
 * renderers then write straight through and look at `failed` at the end,
 * which keeps them readable. */
typedef struct outbuf {
    char *p;
    size_t len, cap;
    bool failed;
} outbuf;

static void out_add(outbuf *b, const char *s, size_t n)
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

static void out_str(outbuf *b, const char *s)
{
    out_add(b, s, strlen(s));
}

static void out_char(outbuf *b, char c)
{
    out_add(b, &c, 1);
}

/* Short formatted pieces only (figures, dates, headings): a longer result
 * is a bug, reported as a failed export rather than written truncated. */
#define OUT_PIECE_MAX 160

__attribute__((format(printf, 2, 3)))
static void out_fmt(outbuf *b, const char *fmt, ...)
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
static int out_finish(outbuf *b, char **out, size_t *len)
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
    const char *per_window, *no_window_figures; /* window play (SPEC.md §5.3) */
} words;

static const words words_en = {
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
    .ranking = "Ranking",
    .no_cards = "No cards were discussed in this round.",
    .col_card = "Card",
    .col_category = "Category",
    .col_mean = "Mean",
    .col_median = "Median",
    .col_votes = "Votes",
    .col_passes = "Passes",
    .col_agreement = "Agreement",
    .cards = "Cards",
    .played_by = "played by",
    .from_pile = "drawn from the pile",
    .notes = "Notes",
    .categories = "Categories",
    .col_cards = "Cards",
    .text = "Summary by the facilitator",
    .actions = "Actions",
    .agreement = {"\xe2\x80\x94", "consensus", "mixed", "polarised"},
    .too_few_votes = "too few votes",
    .list_sep = ',',
    .csv_head = "rank,card,title,category,by,n,pass,mean,median,min,max",
    .csv_tail = ",agreement,notes,note_texts",
    .file_round = "round",
    .csv_windows = "windows",
    .per_window = "Per window",
    .no_window_figures = "no window has figures that can be shown",
};

static const words words_nl = {
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
    .ranking = "Rangorde",
    .no_cards = "In deze ronde zijn geen kaarten besproken.",
    .col_card = "Kaart",
    .col_category = "Categorie",
    .col_mean = "Gemiddelde",
    .col_median = "Mediaan",
    .col_votes = "Stemmen",
    .col_passes = "Gepast",
    .col_agreement = "Overeenstemming",
    .cards = "Kaarten",
    .played_by = "gespeeld door",
    .from_pile = "van de stapel getrokken",
    .notes = "Notities",
    .categories = "Categorie\xc3\xabn",
    .col_cards = "Kaarten",
    .text = "Samenvatting van de begeleider",
    .actions = "Acties",
    /* The same words as the web client (web-client/src/i18n/strings.ts, agreement.*): one set everywhere. */
    .agreement = {"\xe2\x80\x94", "eensgezind", "verdeeld", "tegengesteld"},
    .too_few_votes = "te weinig stemmen",
    .list_sep = ';',
    .csv_head = "rang;kaart;titel;onderwerp;gespeeld door;stemmen;gepast;gemiddelde;mediaan;laagste;hoogste",
    .csv_tail = ";overeenstemming;notities;notitieteksten",
    .file_round = "ronde",
    .csv_windows = "vensters",
    .per_window = "Per venster",
    .no_window_figures = "geen venster heeft cijfers die getoond kunnen worden",
};

static const words *words_in(vp_lang lang)
{
    return lang == VP_LANG_EN ? &words_en : &words_nl;
}

static const words *words_for(const room *r)
{
    return words_in(room_lang(r));
}

/* ---- lookups ---- */

static const deck_card *card_of(const deck *d, const char *id)
{
    int32_t i = d ? deck_card_index(d, id, strlen(id)) : -1;
    return i < 0 ? NULL : &d->cards[i];
}

/* The card's title in the room's language; its id when the deck lacks it
 * (which a room's own deck never does, but an export must not crash). */
static const char *card_title(const deck *d, const char *lang, const char *id)
{
    const deck_card *c = card_of(d, id);
    return c ? deck_text_in(&c->title, lang) : id;
}

static const deck_category *card_category(const deck *d, const char *id)
{
    const deck_card *c = card_of(d, id);
    return c && c->category < d->n_categories ? &d->categories[c->category] : NULL;
}

static const char *category_title(const deck *d, const char *lang, const char *id)
{
    int32_t i = d ? deck_category_index(d, id, strlen(id)) : -1;
    return i < 0 ? id : deck_text_in(&d->categories[i].title, lang);
}

/* A member's name; NULL for member 0 (a card drawn from the pile). */
static const char *member_name(const room *r, uint32_t id)
{
    if (id == 0)
        return NULL;
    const char *name = room_member_name(r, id);
    return name ? name : "?";
}

static uint32_t visible_notes(const game_summary_card *c)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n_notes; i++)
        n += c->notes[i].text != NULL;
    return n;
}

/* ---- dates ---- */

typedef struct local_time {
    int64_t year;
    unsigned month, day, hour, minute; /* month 1..12 */
} local_time;

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
static local_time local_time_at(uint64_t at, int32_t tz_offset)
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
static void out_iso_local(outbuf *b, uint64_t at, int32_t tz_offset)
{
    local_time t = local_time_at(at, tz_offset);
    unsigned off = (unsigned)(tz_offset < 0 ? -tz_offset : tz_offset);
    out_fmt(b, "%04lld-%02u-%02uT%02u:%02u%c%02u:%02u", (long long)t.year, t.month, t.day, t.hour,
            t.minute, tz_offset < 0 ? '-' : '+', off / 60, off % 60);
}

/* "29 November 2026, 01:30" (English) or "29 november 2026, 01:30" (Dutch). */
static void out_people_date(outbuf *b, const words *w, uint64_t at, int32_t tz_offset)
{
    local_time t = local_time_at(at, tz_offset);
    out_fmt(b, "%u %s %lld, %02u:%02u", t.day, w->months[t.month - 1], (long long)t.year, t.hour, t.minute);
}

/* A non-negative figure with `decimals` (1 or 2) decimals, rounded half up.
 * Means of votes are never negative (scales start at 0 or more), and this
 * avoids printf's round-half-even on exact binary halves (4.25 -> 4.3). */
static void out_decimal(outbuf *b, double v, unsigned decimals, char sep)
{
    unsigned scale = decimals == 2 ? 100 : 10;
    unsigned long long x = v > 0 ? (unsigned long long)(v * scale + 0.5) : 0;
    out_fmt(b, decimals == 2 ? "%llu%c%02llu" : "%llu%c%llu", x / scale, sep, x % scale);
}

/* ================= JSON ================= */

/* Jansson reports a failed allocation by a NULL value or a -1; both end up
 * in ok, so building goes on without checks at every line. */
static void jset(json_t *obj, const char *key, json_t *val, bool *ok)
{
    if (!val || json_object_set_new(obj, key, val) != 0)
        *ok = false;
}

static void jpush(json_t *arr, json_t *val, bool *ok)
{
    if (!val || json_array_append_new(arr, val) != 0)
        *ok = false;
}

static json_t *jstr_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *json_stats(const game_stats *st, bool *ok)
{
    json_t *o = json_object(), *hist = json_array();
    if (!o || !hist) {
        json_decref(o);
        json_decref(hist);
        *ok = false;
        return NULL;
    }
    bool has = st->n > 0; /* with n = 0 the four figures are nil (§5) */
    jset(o, "n", json_integer(st->n), ok);
    jset(o, "pass", json_integer(st->pass), ok);
    jset(o, "mean", has ? json_real(st->mean) : json_null(), ok);
    jset(o, "median", has ? json_real(st->median) : json_null(), ok);
    jset(o, "min", has ? json_integer(st->min) : json_null(), ok);
    jset(o, "max", has ? json_integer(st->max) : json_null(), ok);
    for (unsigned i = 0; i < st->n_hist && i < GAME_SCALE_MAX; i++)
        jpush(hist, json_integer(st->hist[i]), ok);
    jset(o, "hist", hist, ok);
    return o;
}

static json_t *json_card(const room *r, const deck *d, const char *lang, const game_summary_card *c,
                         uint32_t rank, bool *ok)
{
    json_t *o = json_object(), *notes = json_array();
    if (!o || !notes) {
        json_decref(o);
        json_decref(notes);
        *ok = false;
        return NULL;
    }
    /* The §6 fields first, as on the wire. */
    jset(o, "card", json_string(c->card.s), ok);
    jset(o, "by", c->by ? json_integer(c->by) : json_null(), ok);
    jset(o, "stats", json_stats(&c->stats, ok), ok);
    const char *agreement = c->agreement == GAME_AGREE_NONE ? NULL : game_agreement_name(c->agreement);
    jset(o, "agreement", jstr_or_null(agreement), ok);
    if (c->windows.has) {
        /* [{window, title, stats}], only the windows the rule of §5.3 shows. */
        json_t *ws = json_array();
        for (uint32_t i = 0; ws && i < c->windows.n; i++) {
            const game_window_stats *w = &c->windows.w[i];
            int32_t wi = d ? deck_window_index(d, w->window.s, strlen(w->window.s)) : -1;
            json_t *jw = json_object();
            jset(jw, "window", json_string(w->window.s), ok);
            jset(jw, "title", jstr_or_null(wi >= 0 ? deck_text_in(&d->windows[wi].title, lang) : NULL), ok);
            jset(jw, "stats", json_stats(&w->stats, ok), ok);
            jpush(ws, jw, ok);
        }
        jset(o, "windows", ws, ok);
    }
    for (uint32_t i = 0; i < c->n_notes; i++) {
        const game_note_item *n = &c->notes[i];
        json_t *jn = json_object();
        if (!jn) {
            *ok = false;
            break;
        }
        jset(jn, "note", json_integer(n->note), ok);
        /* A hidden note keeps only its id, as in the summary on the wire:
         * neither its text nor who wrote it (SPEC.md §5). */
        if (n->text) {
            jset(jn, "player", json_integer(n->player), ok);
            jset(jn, "text", json_string(n->text), ok);
            jset(jn, "name", jstr_or_null(member_name(r, n->player)), ok);
        }
        jpush(notes, jn, ok);
    }
    jset(o, "notes", notes, ok);
    /* Display fields. */
    const deck_category *cat = card_category(d, c->card.s);
    jset(o, "rank", json_integer(rank), ok);
    jset(o, "title", json_string(card_title(d, lang, c->card.s)), ok);
    jset(o, "category", jstr_or_null(cat ? cat->id : NULL), ok);
    jset(o, "category_title", jstr_or_null(cat ? deck_text_in(&cat->title, lang) : NULL), ok);
    jset(o, "by_name", jstr_or_null(member_name(r, c->by)), ok);
    return o;
}

static json_t *json_summary(const room *r, const game_summary *s, bool *ok)
{
    const deck *d = room_deck(r);
    const char *lang = words_for(r)->lang;
    json_t *root = json_object(), *cards = json_array(), *cats = json_array(), *actions = json_array(),
           *players = json_array(), *participants = json_array(), *jdeck = json_object(),
           *scale = json_object(), *labels = json_array();
    if (!root || !cards || !cats || !actions || !players || !participants || !jdeck || !scale || !labels) {
        json_decref(root);
        json_decref(cards);
        json_decref(cats);
        json_decref(actions);
        json_decref(players);
        json_decref(participants);
        json_decref(jdeck);
        json_decref(scale);
        json_decref(labels);
        *ok = false;
        return NULL;
    }

    jset(root, "round", json_integer(s->round), ok);
    for (uint32_t i = 0; i < s->n_cards; i++)
        jpush(cards, json_card(r, d, lang, &s->cards[i], i + 1, ok), ok);
    jset(root, "cards", cards, ok);
    for (uint32_t i = 0; i < s->n_categories; i++) {
        const game_summary_category *c = &s->categories[i];
        json_t *jc = json_object();
        if (!jc) {
            *ok = false;
            break;
        }
        jset(jc, "category", json_string(c->category.s), ok);
        jset(jc, "cards", json_integer(c->cards), ok);
        jset(jc, "mean", c->has_mean ? json_real(c->mean) : json_null(), ok);
        jset(jc, "title", json_string(category_title(d, lang, c->category.s)), ok);
        jpush(cats, jc, ok);
    }
    jset(root, "categories", cats, ok);
    jset(root, "text", json_string(s->text ? s->text : ""), ok);
    for (uint32_t i = 0; i < s->n_actions; i++)
        jpush(actions, json_string(s->actions[i]), ok);
    jset(root, "actions", actions, ok);
    for (uint32_t i = 0; i < s->n_players; i++) {
        jpush(players, json_integer(s->players[i]), ok);
        json_t *p = json_object();
        if (!p) {
            *ok = false;
            break;
        }
        jset(p, "player", json_integer(s->players[i]), ok);
        jset(p, "name", jstr_or_null(member_name(r, s->players[i])), ok);
        jpush(participants, p, ok);
    }
    if (s->has_players)
        jset(root, "players", players, ok);
    else
        json_decref(players);
    jset(root, "started_at", json_integer((json_int_t)s->started_at), ok);
    jset(root, "closed_at", json_integer((json_int_t)s->closed_at), ok);
    jset(root, "replay_key", json_string(s->replay_key), ok);

    jset(root, "room", json_string(room_code(r)), ok);
    jset(root, "title", json_string(room_title(r) ? room_title(r) : ""), ok);
    jset(root, "lang", json_string(lang), ok);
    jset(root, "tz_offset", json_integer(room_tz_offset(r)), ok);
    outbuf date = {0};
    out_iso_local(&date, s->closed_at, room_tz_offset(r));
    jset(root, "closed_at_local", date.failed ? NULL : json_string(date.p), ok);
    free(date.p);
    jset(jdeck, "id", json_string(d ? d->id : ""), ok);
    jset(jdeck, "version", json_integer(d ? d->version : 0), ok);
    jset(jdeck, "hash", json_string(d ? d->hash : ""), ok);
    jset(jdeck, "title", d ? json_string(deck_text_in(&d->title, lang)) : json_null(), ok);
    jset(root, "deck", jdeck, ok);
    if (d) {
        char **ls = room_lang(r) == VP_LANG_EN ? d->labels_en : d->labels_nl;
        for (int32_t v = d->scale_min; v <= d->scale_max; v++)
            jpush(labels, json_string(ls[v - d->scale_min]), ok);
    }
    jset(scale, "min", json_integer(d ? d->scale_min : 0), ok);
    jset(scale, "max", json_integer(d ? d->scale_max : 0), ok);
    jset(scale, "labels", labels, ok);
    jset(root, "scale", scale, ok);
    if (s->has_players)
        jset(root, "participants", participants, ok);
    else
        json_decref(participants);
    return root;
}

int export_summary_json(const room *r, const game_summary *s, char **out, size_t *len)
{
    bool ok = true;
    char *buf = NULL;
    json_t *root = json_summary(r, s, &ok);
    /* Indented: the file is a download that people open too. Reals use
     * jansson's default 17 digits, so every mean round-trips exactly. */
    const size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER;
    size_t need = ok && root ? json_dumpb(root, NULL, 0, flags) : 0;
    if (!ok || !root || need == 0 || need > EXPORT_MAX_BYTES)
        goto err;
    /* json_dumpb into our own buffer: the caller frees with free(), whatever
     * allocator jansson was given. */
    if (!(buf = malloc(need + 1)) || json_dumpb(root, buf, need, flags) != need)
        goto err;
    buf[need] = '\0';
    json_decref(root);
    *out = buf;
    *len = need;
    return 0;
err:
    free(buf);
    json_decref(root);
    *out = NULL;
    *len = 0;
    return -1;
}

/* ================= Markdown ================= */

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
    MD_ONE_LINE,   /* headings, table cells, names: line ends become spaces */
    MD_LIST_ITEM,  /* notes, actions: a line end is a hard break inside the same item */
    MD_PARAGRAPHS  /* the facilitator's text: a blank line starts a new paragraph */
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
    while (j < n && j - start < 32 && ((s[j] >= '0' && s[j] <= '9') || (s[j] >= 'a' && s[j] <= 'z') ||
                                       (s[j] >= 'A' && s[j] <= 'Z')))
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
    case '~':
        return true;
    case '*':
        return !(md_blank(prev) && md_blank(next));
    case '_':
        return !(md_word(prev) && md_word(next)) && !(md_blank(prev) && md_blank(next));
    case '&':
        return md_entity(s, n, i);
    case '\\':
        return next == '\0' || md_punct(next);
    case '#': {
        /* A run of # after a blank at the end closes an ATX heading. */
        if (i == 0 || !md_blank(prev))
            return false;
        for (size_t j = i; j < n; j++)
            if (s[j] != '#' && !md_blank(s[j]))
                return false;
        return true;
    }
    default:
        return false;
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
 * windows the rule of SPEC.md §5.3 shows. */
static void md_windows(outbuf *b, const words *w, const deck *d, const game_windows *ws)
{
    out_fmt(b, "%s: ", w->per_window);
    if (ws->n == 0)
        out_str(b, w->no_window_figures);
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
    out_fmt(b, "| # | %s | %s | %s | %s | %s | %s | %s |\n", w->col_card, w->col_category, w->col_mean,
            w->col_median, w->col_votes, w->col_passes, w->col_agreement);
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
        out_fmt(b, " | %u | %u | %s |\n", c->stats.n, c->stats.pass, w->agreement[c->agreement]);
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
                c->stats.pass, c->agreement == GAME_AGREE_NONE ? w->too_few_votes : w->agreement[c->agreement]);
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
    out_fmt(b, "## %s\n\n| %s | %s | %s |\n|:--|--:|--:|\n", w->categories, w->col_category, w->col_cards,
            w->col_mean);
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

/* ================= CSV ================= */

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
    bool guard = (strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0') ||
                 (lead != s && *lead && strchr("=+-@", *lead) != NULL);
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
        csv_figure(&b, w, has, st->mean, 2);
        csv_figure(&b, w, has, st->median, 1);
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

/* ================= for the HTTP layer ================= */

/* Rounds follow one another (start needs the last one closed), so every
 * round but the last is closed, and the last one is once the room is. */
static bool round_closed(const room *r, uint32_t n)
{
    uint32_t k = room_rounds(r);
    return n >= 1 && n <= k && (n < k || room_phase(r) == GAME_CLOSED);
}

static int render_md(const room *r, const game_summary *s, vp_lang lang, char **out, size_t *len)
{
    return render_md_in(r, s, words_in(lang), out, len);
}

/* JSON is for programs: its keys are fixed and its display texts are the
 * room's, whatever dialect a download asks for. */
static int render_json(const room *r, const game_summary *s, vp_lang lang, char **out, size_t *len)
{
    (void)lang;
    return export_summary_json(r, s, out, len);
}

static int render_csv_in(const room *r, const game_summary *s, vp_lang lang, char **out, size_t *len)
{
    return render_csv(r, s, words_in(lang), out, len);
}

/* Every download format, one row each, in the order help texts list them. */
static const export_format formats[] = {
    {"md", "text/markdown; charset=utf-8", render_md},
    {"json", "application/json; charset=utf-8", render_json},
    {"csv", "text/csv; charset=utf-8; header=present", render_csv_in},
};

const export_format *export_format_at(size_t i)
{
    return i < sizeof(formats) / sizeof(formats[0]) ? &formats[i] : NULL;
}

const export_format *export_format_find(const char *ext)
{
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (strcmp(formats[i].extension, ext) == 0)
            return &formats[i];
    return NULL;
}

/* ---- the file name ---- */

/* The length of the UTF-8 sequence that starts with byte c (1 for a stray
 * continuation byte, which the name then drops as any other odd byte). */
static size_t utf8_len(unsigned char c)
{
    return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* The title as a piece of a file name every OS takes: no control
 * characters and none of \ / : * ? " < > | (Windows refuses them, and a
 * slash is a folder everywhere), runs of blanks as one space, no blanks or
 * dots at either end (Windows drops trailing ones), at most
 * EXPORT_NAME_TITLE_MAX bytes, cut between characters. */
static void name_title(outbuf *b, const char *title)
{
    size_t start = b->len;
    bool space = false;
    for (const char *p = title; *p;) {
        unsigned char c = (unsigned char)*p;
        size_t n = utf8_len(c);
        if (strnlen(p, n) < n)
            break;
        bool bad = c < 0x20 || c == 0x7f || (c < 0x80 && strchr("\\/:*?\"<>|", c));
        if (bad || c == ' ' || (n == 2 && c == 0xc2 && (unsigned char)p[1] == 0xa0)) {
            space = b->len > start;
            p += n;
            continue;
        }
        if (b->len - start + n + (space ? 1 : 0) > EXPORT_NAME_TITLE_MAX)
            break;
        if (space)
            out_char(b, ' ');
        space = false;
        if (c == '.' && b->len == start) {
            p++;
            continue;
        }
        out_add(b, p, n);
        p += n;
    }
    while (b->len > start && b->p[b->len - 1] == '.')
        b->p[--b->len] = '\0';
}

/* "2026-12-04 Studiedag ronde 1.csv": the date the round closed (the
 * room's wall clock), the title (or the untitled word), the round. */
static int file_name(const room *r, const game_summary *s, const export_format *f, const words *w,
                     char name[EXPORT_NAME_MAX])
{
    outbuf b = {0};
    local_time t = local_time_at(s->closed_at, room_tz_offset(r));
    const char *title = room_title(r);
    out_fmt(&b, "%04lld-%02u-%02u ", (long long)t.year, t.month, t.day);
    size_t before = b.len;
    name_title(&b, title ? title : "");
    if (b.len == before)
        name_title(&b, w->untitled);
    out_fmt(&b, " %s %u.%s", w->file_round, s->round, f->extension);
    if (b.failed || b.len >= EXPORT_NAME_MAX) {
        free(b.p);
        return -1;
    }
    memcpy(name, b.p, b.len + 1);
    free(b.p);
    return 0;
}

int export_round(const room *r, uint32_t round, const export_format *f, int lang, char **out, size_t *len,
                 char name[EXPORT_NAME_MAX])
{
    *out = NULL;
    *len = 0;
    if (!room_exists(r))
        return 1;
    vp_lang in = lang == EXPORT_LANG_ROOM ? room_lang(r) : (vp_lang)lang;
    game_summary *s = room_summary(r, round);
    if (!s) {
        /* room_summary says NULL both for "no such round" and for out of
         * memory; a round that is closed tells them apart. */
        uint32_t k = room_rounds(r);
        bool exists = round ? round_closed(r, round) : round_closed(r, k) || round_closed(r, k - 1);
        return exists ? -1 : 1;
    }
    int rc = f->render(r, s, in, out, len);
    if (rc == 0 && name && file_name(r, s, f, words_in(in), name)) {
        free(*out);
        *out = NULL;
        *len = 0;
        rc = -1;
    }
    game_summary_free(s);
    return rc;
}
