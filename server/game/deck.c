/* deck: parses and validates card sets, packs them canonically and hashes them. */
#include "game/deck.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/sha.h>

/* A MessagePack deck is turned into a jansson tree first, so that both forms
 * go through the one validator below and cannot drift apart. The deck's own
 * layout is five levels deep; anything deeper is refused before recursing. */
#define DECK_MSGPACK_DEPTH_MAX 8

/* The longest field path a message names, e.g. "cards[499].prompt.nl". */
#define DECK_PATH_MAX 64

/* Validation state: where messages go and under which name. */
typedef struct deck_check {
    const char *source;
    char *err;
    size_t errlen;
    uint32_t format; /* of the deck being read: decides which keys exist */
} deck_check;

static void deck_report(deck_check *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes "source: path: message" into the caller's buffer. */
static void deck_report(deck_check *c, const char *path, const char *fmt, ...)
{
    if (c->errlen == 0)
        return;
    int n = path && *path ? snprintf(c->err, c->errlen, "%s: %s: ", c->source, path)
                          : snprintf(c->err, c->errlen, "%s: ", c->source);
    if (n < 0 || (size_t)n >= c->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

/* Reports and evaluates to -1, so that every refusal is one
 * `return deck_fail(...)`. It is a macro so that the -1 is visible where it
 * is returned: the static analyzer does not follow calls into variadic
 * functions, and would otherwise assume a refusal can succeed. */
#define deck_fail(...) (deck_report(__VA_ARGS__), -1)

static void deck_path(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Formats a field path into a DECK_PATH_MAX buffer. Paths are short by
 * construction (ids and keys are bounded); a longer one is cut, which only
 * shortens a message. */
static void deck_path(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, DECK_PATH_MAX, fmt, ap);
    va_end(ap);
}

static const char *deck_json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

/* ---- freeing ---------------------------------------------------------- */

static void deck_text_free(deck_text *t)
{
    free(t->nl);
    free(t->en);
}

static void deck_free(deck *d)
{
    if (!d)
        return;
    free(d->id);
    deck_text_free(&d->title);
    deck_text_free(&d->question);
    for (uint32_t i = 0; i < d->n_audiences; i++) {
        free(d->audiences[i].id);
        deck_text_free(&d->audiences[i].title);
    }
    free(d->audiences);
    for (uint32_t i = 0; i < d->n_windows; i++) {
        free(d->windows[i].id);
        deck_text_free(&d->windows[i].title);
        free(d->windows[i].color);
        deck_text_free(&d->windows[i].explainer);
    }
    free(d->windows);
    uint32_t n_labels = d->labels_nl || d->labels_en ? (uint32_t)(d->scale_max - d->scale_min + 1) : 0;
    for (uint32_t i = 0; i < n_labels; i++) {
        if (d->labels_nl)
            free(d->labels_nl[i]);
        if (d->labels_en)
            free(d->labels_en[i]);
    }
    free(d->labels_nl);
    free(d->labels_en);
    for (uint32_t i = 0; i < d->n_categories; i++) {
        free(d->categories[i].id);
        deck_text_free(&d->categories[i].title);
        free(d->categories[i].color);
        deck_text_free(&d->categories[i].explainer);
    }
    free(d->categories);
    for (uint32_t i = 0; i < d->n_cards; i++) {
        free(d->cards[i].id);
        deck_text_free(&d->cards[i].title);
        deck_text_free(&d->cards[i].prompt);
        deck_text_free(&d->cards[i].anchor_low);
        deck_text_free(&d->cards[i].anchor_high);
        for (uint32_t f = 0; f < d->cards[i].n_followups; f++)
            deck_text_free(&d->cards[i].followups[f]);
    }
    free(d->cards);
    free(d->packed);
    free(d);
}

deck *deck_ref(deck *d)
{
    if (d)
        d->refs++;
    return d;
}

void deck_unref(deck *d)
{
    if (d && --d->refs == 0)
        deck_free(d);
}

/* ---- field checks ----------------------------------------------------- */

static char *deck_strndup(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

static bool deck_key_listed(const char *key, const char *const *keys)
{
    for (const char *const *k = keys; k && *k; k++)
        if (strcmp(key, *k) == 0)
            return true;
    return false;
}

/* Refuses keys other than the listed ones: a misspelt "promt" in a deck file
 * would otherwise silently lose its prompt. The v2 keys exist only in a
 * format 2 deck; in a v1 deck the message says what is missing, since
 * forgetting "format": 2 is the likely mistake. */
static int deck_only_keys_v2(deck_check *c, const char *path, json_t *obj, const char *const *keys,
                             const char *const *v2_keys)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (deck_key_listed(key, keys) || (c->format >= 2 && deck_key_listed(key, v2_keys)))
            continue;
        char sub[DECK_PATH_MAX];
        deck_path(sub, "%s%s%.32s", path, *path ? "." : "", key);
        if (deck_key_listed(key, v2_keys))
            return deck_fail(c, sub, "a format 2 field: the deck needs \"format\": 2");
        return deck_fail(c, sub, "unknown field");
    }
    return 0;
}

static int deck_only_keys(deck_check *c, const char *path, json_t *obj, const char *const *keys)
{
    return deck_only_keys_v2(c, path, obj, keys, NULL);
}

/* Fetches a required member of an object with the expected type. */
static json_t *deck_member(deck_check *c, const char *path, json_t *obj, const char *key,
                           json_type type, const char *what, char *sub)
{
    deck_path(sub, "%s%s%s", path, *path ? "." : "", key);
    json_t *v = json_object_get(obj, key);
    if (!v) {
        deck_report(c, sub, "missing");
        return NULL;
    }
    if (json_typeof(v) != type) {
        deck_report(c, sub, "expected %s, got %s", what, deck_json_type_name(v));
        return NULL;
    }
    return v;
}

static int deck_check_id(deck_check *c, const char *path, json_t *v, char **out)
{
    if (!json_is_string(v))
        return deck_fail(c, path, "expected a string, got %s", deck_json_type_name(v));
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (len == 0 || len > DECK_ID_MAX)
        return deck_fail(c, path, "an id is 1..%d bytes, got %zu", DECK_ID_MAX, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
            return deck_fail(c, path, "an id uses only a-z, 0-9 and '-', got \"%.64s\"", s);
    }
    *out = deck_strndup(s, len);
    return *out ? 0 : deck_fail(c, path, "out of memory");
}

/* A text shown to people: 1..DECK_TEXT_MAX bytes of UTF-8 (jansson and the
 * MessagePack conversion have checked the encoding), not blank, no control
 * characters, because cards show it on one line. */
static int deck_check_string(deck_check *c, const char *path, json_t *v, char **out)
{
    if (!json_is_string(v))
        return deck_fail(c, path, "expected a string, got %s", deck_json_type_name(v));
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (len > DECK_TEXT_MAX)
        return deck_fail(c, path, "a text is at most %d bytes, got %zu", DECK_TEXT_MAX, len);
    bool blank = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f)
            return deck_fail(c, path, "control character at byte %zu", i);
        blank = blank && ch == ' ';
    }
    if (blank)
        return deck_fail(c, path, "empty text");
    *out = deck_strndup(s, len);
    return *out ? 0 : deck_fail(c, path, "out of memory");
}

/* A {nl, en} object at `sub`: both languages are required. */
static int deck_check_text_value(deck_check *c, const char *sub, json_t *v, deck_text *out)
{
    static const char *const keys[] = {"nl", "en", NULL};
    char lang[DECK_PATH_MAX];
    if (!json_is_object(v))
        return deck_fail(c, sub, "expected an object with \"nl\" and \"en\", got %s",
                         deck_json_type_name(v));
    if (deck_only_keys(c, sub, v, keys) < 0)
        return -1;
    json_t *nl = deck_member(c, sub, v, "nl", JSON_STRING, "a string", lang);
    if (!nl || deck_check_string(c, lang, nl, &out->nl) < 0)
        return -1;
    json_t *en = deck_member(c, sub, v, "en", JSON_STRING, "a string", lang);
    if (!en || deck_check_string(c, lang, en, &out->en) < 0)
        return -1;
    return 0;
}

/* The member `key` of obj as a text. */
static int deck_check_text(deck_check *c, const char *path, json_t *obj, const char *key,
                           deck_text *out)
{
    char sub[DECK_PATH_MAX];
    json_t *v = deck_member(c, path, obj, key, JSON_OBJECT, "an object with \"nl\" and \"en\"", sub);
    return v ? deck_check_text_value(c, sub, v, out) : -1;
}

/* An optional text: absent leaves out->nl and out->en NULL. */
static int deck_check_opt_text(deck_check *c, const char *path, json_t *obj, const char *key,
                               deck_text *out)
{
    if (!json_object_get(obj, key))
        return 0;
    return deck_check_text(c, path, obj, key, out);
}

static int deck_check_int(deck_check *c, const char *path, json_t *obj, const char *key,
                          json_int_t lo, json_int_t hi, json_int_t *out)
{
    char sub[DECK_PATH_MAX];
    json_t *v = deck_member(c, path, obj, key, JSON_INTEGER, "an integer", sub);
    if (!v)
        return -1;
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return deck_fail(c, sub, "must be %" JSON_INTEGER_FORMAT "..%" JSON_INTEGER_FORMAT
                                 ", got %" JSON_INTEGER_FORMAT, lo, hi, x);
    *out = x;
    return 0;
}

/* "#rrggbb", kept in lower case so that "#1A2B3C" and "#1a2b3c" hash alike. */
static int deck_check_color(deck_check *c, const char *path, json_t *v, char **out)
{
    if (!json_is_string(v))
        return deck_fail(c, path, "expected a string, got %s", deck_json_type_name(v));
    const char *s = json_string_value(v);
    bool ok = json_string_length(v) == 7 && s[0] == '#';
    for (size_t i = 1; ok && i < 7; i++)
        ok = isxdigit((unsigned char)s[i]) != 0;
    if (!ok)
        return deck_fail(c, path, "a color is \"#rrggbb\", got \"%.16s\"", s);
    *out = deck_strndup(s, 7);
    if (!*out)
        return deck_fail(c, path, "out of memory");
    for (size_t i = 1; i < 7; i++)
        (*out)[i] = (char)tolower((unsigned char)(*out)[i]);
    return 0;
}

static int deck_check_labels(deck_check *c, const char *path, json_t *labels, const char *lang,
                             uint32_t n, char ***out)
{
    char sub[DECK_PATH_MAX], item[DECK_PATH_MAX];
    json_t *arr = deck_member(c, path, labels, lang, JSON_ARRAY, "an array of strings", sub);
    if (!arr)
        return -1;
    if (json_array_size(arr) != n)
        return deck_fail(c, sub, "the scale has %" PRIu32 " values but there are %zu labels", n,
                         json_array_size(arr));
    *out = calloc(n, sizeof **out);
    if (!*out)
        return deck_fail(c, sub, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        deck_path(item, "%s[%" PRIu32 "]", sub, i);
        if (deck_check_string(c, item, json_array_get(arr, i), &(*out)[i]) < 0)
            return -1;
    }
    return 0;
}

static int deck_check_scale(deck_check *c, json_t *root, deck *d)
{
    static const char *const keys[] = {"min", "max", "labels", NULL};
    static const char *const lang_keys[] = {"nl", "en", NULL};
    char sub[DECK_PATH_MAX], lsub[DECK_PATH_MAX];
    json_t *scale = deck_member(c, "", root, "scale", JSON_OBJECT, "an object", sub);
    if (!scale || deck_only_keys(c, sub, scale, keys) < 0)
        return -1;
    json_int_t lo = 0, hi = 0;
    if (deck_check_int(c, sub, scale, "min", 0, DECK_SCALE_BOUND, &lo) < 0 ||
        deck_check_int(c, sub, scale, "max", 0, DECK_SCALE_BOUND, &hi) < 0)
        return -1;
    json_int_t n = hi - lo + 1;
    if (n < DECK_SCALE_VALUES_MIN || n > DECK_SCALE_VALUES_MAX)
        return deck_fail(c, sub, "a scale has %d..%d values, %" JSON_INTEGER_FORMAT
                                 "..%" JSON_INTEGER_FORMAT " has %" JSON_INTEGER_FORMAT,
                         DECK_SCALE_VALUES_MIN, DECK_SCALE_VALUES_MAX, lo, hi, n < 0 ? 0 : n);
    json_t *labels = deck_member(c, sub, scale, "labels", JSON_OBJECT,
                                 "an object with \"nl\" and \"en\"", lsub);
    if (!labels || deck_only_keys(c, lsub, labels, lang_keys) < 0)
        return -1;
    /* The scale is stored before the labels so that deck_free knows how
     * many labels a half-built deck holds. */
    d->scale_min = (int32_t)lo;
    d->scale_max = (int32_t)hi;
    if (deck_check_labels(c, lsub, labels, "nl", (uint32_t)n, &d->labels_nl) < 0 ||
        deck_check_labels(c, lsub, labels, "en", (uint32_t)n, &d->labels_en) < 0)
        return -1;
    return 0;
}

static int deck_check_categories(deck_check *c, json_t *root, deck *d)
{
    static const char *const keys[] = {"id", "title", "color", NULL};
    static const char *const v2_keys[] = {"explainer", NULL};
    char sub[DECK_PATH_MAX], item[DECK_PATH_MAX], field[DECK_PATH_MAX];
    json_t *arr = deck_member(c, "", root, "categories", JSON_ARRAY, "an array", sub);
    if (!arr)
        return -1;
    size_t n = json_array_size(arr);
    if (n == 0 || n > DECK_CATEGORIES_MAX)
        return deck_fail(c, sub, "a deck has 1..%d categories, got %zu", DECK_CATEGORIES_MAX, n);
    d->categories = calloc(n, sizeof *d->categories);
    if (!d->categories)
        return deck_fail(c, sub, "out of memory");
    for (size_t i = 0; i < n; i++) {
        deck_path(item, "categories[%zu]", i);
        json_t *v = json_array_get(arr, i);
        if (!json_is_object(v))
            return deck_fail(c, item, "expected an object, got %s", deck_json_type_name(v));
        if (deck_only_keys_v2(c, item, v, keys, v2_keys) < 0)
            return -1;
        deck_category *cat = &d->categories[i];
        d->n_categories = (uint32_t)i + 1;
        json_t *id = deck_member(c, item, v, "id", JSON_STRING, "a string", field);
        if (!id || deck_check_id(c, field, id, &cat->id) < 0)
            return -1;
        if (deck_category_index(d, cat->id, strlen(cat->id)) != (int32_t)i)
            return deck_fail(c, field, "duplicate category \"%s\"", cat->id);
        if (deck_check_text(c, item, v, "title", &cat->title) < 0)
            return -1;
        json_t *color = deck_member(c, item, v, "color", JSON_STRING, "a string", field);
        if (!color || deck_check_color(c, field, color, &cat->color) < 0)
            return -1;
        if (deck_check_opt_text(c, item, v, "explainer", &cat->explainer) < 0)
            return -1;
    }
    return 0;
}

/* v2 audiences: 1..DECK_AUDIENCES_MAX {id, title}, ids unique. Absent
 * means the deck does not sort its cards by audience. */
static int deck_check_audiences(deck_check *c, json_t *root, deck *d)
{
    static const char *const keys[] = {"id", "title", NULL};
    char sub[DECK_PATH_MAX], item[DECK_PATH_MAX], field[DECK_PATH_MAX];
    if (!json_object_get(root, "audiences"))
        return 0;
    json_t *arr = deck_member(c, "", root, "audiences", JSON_ARRAY, "an array", sub);
    if (!arr)
        return -1;
    size_t n = json_array_size(arr);
    if (n == 0 || n > DECK_AUDIENCES_MAX)
        return deck_fail(c, sub, "a deck has 1..%d audiences, got %zu", DECK_AUDIENCES_MAX, n);
    d->audiences = calloc(n, sizeof *d->audiences);
    if (!d->audiences)
        return deck_fail(c, sub, "out of memory");
    for (size_t i = 0; i < n; i++) {
        deck_path(item, "audiences[%zu]", i);
        json_t *v = json_array_get(arr, i);
        if (!json_is_object(v))
            return deck_fail(c, item, "expected an object, got %s", deck_json_type_name(v));
        if (deck_only_keys(c, item, v, keys) < 0)
            return -1;
        deck_audience *a = &d->audiences[i];
        d->n_audiences = (uint32_t)i + 1;
        json_t *id = deck_member(c, item, v, "id", JSON_STRING, "a string", field);
        if (!id || deck_check_id(c, field, id, &a->id) < 0)
            return -1;
        if (deck_audience_index(d, a->id, strlen(a->id)) != (int32_t)i)
            return deck_fail(c, field, "duplicate audience \"%s\"", a->id);
        if (deck_check_text(c, item, v, "title", &a->title) < 0)
            return -1;
    }
    return 0;
}

/* v2 windows: DECK_WINDOWS_MIN..DECK_WINDOWS_MAX {id, title, color,
 * explainer}, ids unique. One window is no choice, so a deck has none
 * (no window play) or at least two. */
static int deck_check_windows(deck_check *c, json_t *root, deck *d)
{
    static const char *const keys[] = {"id", "title", "color", "explainer", NULL};
    char sub[DECK_PATH_MAX], item[DECK_PATH_MAX], field[DECK_PATH_MAX];
    if (!json_object_get(root, "windows"))
        return 0;
    json_t *arr = deck_member(c, "", root, "windows", JSON_ARRAY, "an array", sub);
    if (!arr)
        return -1;
    size_t n = json_array_size(arr);
    if (n < DECK_WINDOWS_MIN || n > DECK_WINDOWS_MAX)
        return deck_fail(c, sub, "a deck has %d..%d windows, got %zu", DECK_WINDOWS_MIN,
                         DECK_WINDOWS_MAX, n);
    d->windows = calloc(n, sizeof *d->windows);
    if (!d->windows)
        return deck_fail(c, sub, "out of memory");
    for (size_t i = 0; i < n; i++) {
        deck_path(item, "windows[%zu]", i);
        json_t *v = json_array_get(arr, i);
        if (!json_is_object(v))
            return deck_fail(c, item, "expected an object, got %s", deck_json_type_name(v));
        if (deck_only_keys(c, item, v, keys) < 0)
            return -1;
        deck_window *w = &d->windows[i];
        d->n_windows = (uint32_t)i + 1;
        json_t *id = deck_member(c, item, v, "id", JSON_STRING, "a string", field);
        if (!id || deck_check_id(c, field, id, &w->id) < 0)
            return -1;
        if (deck_window_index(d, w->id, strlen(w->id)) != (int32_t)i)
            return deck_fail(c, field, "duplicate window \"%s\"", w->id);
        if (deck_check_text(c, item, v, "title", &w->title) < 0)
            return -1;
        json_t *color = deck_member(c, item, v, "color", JSON_STRING, "a string", field);
        if (!color || deck_check_color(c, field, color, &w->color) < 0)
            return -1;
        if (deck_check_text(c, item, v, "explainer", &w->explainer) < 0)
            return -1;
    }
    return 0;
}

const char *const deck_kind_names[DECK_KIND__COUNT] = {
    [DECK_KIND_OPENER] = "opener",
    [DECK_KIND_TOPIC] = "topic",
    [DECK_KIND_STORY] = "story",
    [DECK_KIND_CLOSER] = "closer",
};

/* The v2 fields of one card: kind, audience, anchor, followups. */
static int deck_check_card_v2(deck_check *c, const char *item, json_t *v, const deck *d,
                              deck_card *card)
{
    static const char *const anchor_keys[] = {"low", "high", NULL};
    char field[DECK_PATH_MAX], sub[DECK_PATH_MAX];
    card->kind = DECK_KIND_TOPIC;
    if (json_object_get(v, "kind")) {
        json_t *kind = deck_member(c, item, v, "kind", JSON_STRING, "a string", field);
        if (!kind)
            return -1;
        int k = -1;
        for (int i = 0; i < DECK_KIND__COUNT; i++)
            if (strcmp(json_string_value(kind), deck_kind_names[i]) == 0)
                k = i;
        if (k < 0)
            return deck_fail(c, field, "a kind is opener, topic, story or closer, got \"%.32s\"",
                             json_string_value(kind));
        card->kind = (deck_kind)k;
    }
    if (json_object_get(v, "audience")) {
        json_t *arr = deck_member(c, item, v, "audience", JSON_ARRAY, "an array of audience ids", field);
        if (!arr)
            return -1;
        if (d->n_audiences == 0)
            return deck_fail(c, field, "the deck has no audiences");
        if (json_array_size(arr) == 0 || json_array_size(arr) > d->n_audiences)
            return deck_fail(c, field, "an audience lists 1..%" PRIu32 " of the deck's audiences, got %zu",
                             d->n_audiences, json_array_size(arr));
        for (size_t i = 0; i < json_array_size(arr); i++) {
            json_t *a = json_array_get(arr, i);
            deck_path(sub, "%s[%zu]", field, i);
            if (!json_is_string(a))
                return deck_fail(c, sub, "expected a string, got %s", deck_json_type_name(a));
            int32_t ai = deck_audience_index(d, json_string_value(a), json_string_length(a));
            if (ai < 0)
                return deck_fail(c, sub, "unknown audience \"%.64s\"", json_string_value(a));
            if (card->audience & (1u << ai))
                return deck_fail(c, sub, "duplicate audience \"%s\"", d->audiences[ai].id);
            card->audience |= 1u << ai;
        }
    }
    if (json_object_get(v, "anchor")) {
        json_t *anchor = deck_member(c, item, v, "anchor", JSON_OBJECT,
                                     "an object with \"low\" and \"high\"", field);
        if (!anchor || deck_only_keys(c, field, anchor, anchor_keys) < 0 ||
            deck_check_text(c, field, anchor, "low", &card->anchor_low) < 0 ||
            deck_check_text(c, field, anchor, "high", &card->anchor_high) < 0)
            return -1;
    }
    if (json_object_get(v, "followups")) {
        json_t *arr = deck_member(c, item, v, "followups", JSON_ARRAY, "an array of texts", field);
        if (!arr)
            return -1;
        if (json_array_size(arr) > DECK_FOLLOWUPS_MAX)
            return deck_fail(c, field, "a card has 0..%d followups, got %zu", DECK_FOLLOWUPS_MAX,
                             json_array_size(arr));
        for (size_t i = 0; i < json_array_size(arr); i++) {
            deck_path(sub, "%s[%zu]", field, i);
            card->n_followups = (uint32_t)i + 1; /* so that deck_free frees a half-read one */
            if (deck_check_text_value(c, sub, json_array_get(arr, i), &card->followups[i]) < 0)
                return -1;
        }
    }
    return 0;
}

static int deck_check_cards(deck_check *c, json_t *root, deck *d)
{
    static const char *const keys[] = {"id", "category", "title", "prompt", NULL};
    static const char *const v2_keys[] = {"kind", "audience", "anchor", "followups", NULL};
    char sub[DECK_PATH_MAX], item[DECK_PATH_MAX], field[DECK_PATH_MAX];
    json_t *arr = deck_member(c, "", root, "cards", JSON_ARRAY, "an array", sub);
    if (!arr)
        return -1;
    size_t n = json_array_size(arr);
    if (n == 0 || n > DECK_CARDS_MAX)
        return deck_fail(c, sub, "a deck has 1..%d cards, got %zu", DECK_CARDS_MAX, n);
    d->cards = calloc(n, sizeof *d->cards);
    if (!d->cards)
        return deck_fail(c, sub, "out of memory");
    for (size_t i = 0; i < n; i++) {
        deck_path(item, "cards[%zu]", i);
        json_t *v = json_array_get(arr, i);
        if (!json_is_object(v))
            return deck_fail(c, item, "expected an object, got %s", deck_json_type_name(v));
        if (deck_only_keys_v2(c, item, v, keys, v2_keys) < 0)
            return -1;
        deck_card *card = &d->cards[i];
        d->n_cards = (uint32_t)i + 1;
        json_t *id = deck_member(c, item, v, "id", JSON_STRING, "a string", field);
        if (!id || deck_check_id(c, field, id, &card->id) < 0)
            return -1;
        if (deck_card_index(d, card->id, strlen(card->id)) != (int32_t)i)
            return deck_fail(c, field, "duplicate card \"%s\"", card->id);
        json_t *cat = deck_member(c, item, v, "category", JSON_STRING, "a string", field);
        if (!cat)
            return -1;
        int32_t ci = deck_category_index(d, json_string_value(cat), json_string_length(cat));
        if (ci < 0)
            return deck_fail(c, field, "unknown category \"%.64s\"", json_string_value(cat));
        card->category = (uint32_t)ci;
        if (deck_check_text(c, item, v, "title", &card->title) < 0 ||
            deck_check_text(c, item, v, "prompt", &card->prompt) < 0 ||
            deck_check_card_v2(c, item, v, d, card) < 0)
            return -1;
    }
    return 0;
}

/* ---- canonical form and hash ------------------------------------------ */

/* An sbuffer that remembers a failed allocation: the results of the packer
 * functions are not checked one by one, so a failure must stick. */
typedef struct deck_buffer {
    msgpack_sbuffer sb;
    bool failed;
} deck_buffer;

static int deck_buffer_write(void *data, const char *buf, size_t len)
{
    deck_buffer *b = data;
    if (!b->failed && msgpack_sbuffer_write(&b->sb, buf, len) != 0)
        b->failed = true;
    return b->failed ? -1 : 0;
}

static void deck_pack_str(msgpack_packer *pk, const char *s)
{
    size_t len = strlen(s);
    msgpack_pack_str(pk, len);
    msgpack_pack_str_body(pk, s, len);
}

static void deck_pack_text(msgpack_packer *pk, const deck_text *t)
{
    msgpack_pack_map(pk, 2);
    deck_pack_str(pk, "nl");
    deck_pack_str(pk, t->nl);
    deck_pack_str(pk, "en");
    deck_pack_str(pk, t->en);
}

/* The canonical MessagePack form: keys in the order of SPEC.md §7 (see
 * decks/README.md), integers and strings in their shortest encodings (what
 * msgpack-c writes), colors in lower case. Equal decks give equal bytes. */
static int deck_pack_canonical(deck *d)
{
    deck_buffer buf = {.failed = false};
    msgpack_packer pk;
    msgpack_sbuffer_init(&buf.sb);
    msgpack_packer_init(&pk, &buf, deck_buffer_write);
    uint32_t n_labels = (uint32_t)(d->scale_max - d->scale_min + 1);

    bool v2 = d->format >= 2;
    bool question = d->question.nl != NULL;
    msgpack_pack_map(&pk, 6 + v2 + question + (d->n_audiences > 0) + (d->n_windows > 0));
    if (v2) {
        deck_pack_str(&pk, "format");
        msgpack_pack_uint32(&pk, d->format);
    }
    deck_pack_str(&pk, "id");
    deck_pack_str(&pk, d->id);
    deck_pack_str(&pk, "version");
    msgpack_pack_uint32(&pk, d->version);
    deck_pack_str(&pk, "title");
    deck_pack_text(&pk, &d->title);
    if (question) {
        deck_pack_str(&pk, "question");
        deck_pack_text(&pk, &d->question);
    }
    deck_pack_str(&pk, "scale");
    msgpack_pack_map(&pk, 3);
    deck_pack_str(&pk, "min");
    msgpack_pack_int32(&pk, d->scale_min);
    deck_pack_str(&pk, "max");
    msgpack_pack_int32(&pk, d->scale_max);
    deck_pack_str(&pk, "labels");
    msgpack_pack_map(&pk, 2);
    deck_pack_str(&pk, "nl");
    msgpack_pack_array(&pk, n_labels);
    for (uint32_t i = 0; i < n_labels; i++)
        deck_pack_str(&pk, d->labels_nl[i]);
    deck_pack_str(&pk, "en");
    msgpack_pack_array(&pk, n_labels);
    for (uint32_t i = 0; i < n_labels; i++)
        deck_pack_str(&pk, d->labels_en[i]);
    if (d->n_audiences > 0) {
        deck_pack_str(&pk, "audiences");
        msgpack_pack_array(&pk, d->n_audiences);
        for (uint32_t i = 0; i < d->n_audiences; i++) {
            msgpack_pack_map(&pk, 2);
            deck_pack_str(&pk, "id");
            deck_pack_str(&pk, d->audiences[i].id);
            deck_pack_str(&pk, "title");
            deck_pack_text(&pk, &d->audiences[i].title);
        }
    }
    if (d->n_windows > 0) {
        deck_pack_str(&pk, "windows");
        msgpack_pack_array(&pk, d->n_windows);
        for (uint32_t i = 0; i < d->n_windows; i++) {
            const deck_window *w = &d->windows[i];
            msgpack_pack_map(&pk, 4);
            deck_pack_str(&pk, "id");
            deck_pack_str(&pk, w->id);
            deck_pack_str(&pk, "title");
            deck_pack_text(&pk, &w->title);
            deck_pack_str(&pk, "color");
            deck_pack_str(&pk, w->color);
            deck_pack_str(&pk, "explainer");
            deck_pack_text(&pk, &w->explainer);
        }
    }
    deck_pack_str(&pk, "categories");
    msgpack_pack_array(&pk, d->n_categories);
    for (uint32_t i = 0; i < d->n_categories; i++) {
        const deck_category *cat = &d->categories[i];
        bool explainer = cat->explainer.nl != NULL;
        msgpack_pack_map(&pk, 3 + explainer);
        deck_pack_str(&pk, "id");
        deck_pack_str(&pk, cat->id);
        deck_pack_str(&pk, "title");
        deck_pack_text(&pk, &cat->title);
        deck_pack_str(&pk, "color");
        deck_pack_str(&pk, cat->color);
        if (explainer) {
            deck_pack_str(&pk, "explainer");
            deck_pack_text(&pk, &cat->explainer);
        }
    }
    deck_pack_str(&pk, "cards");
    msgpack_pack_array(&pk, d->n_cards);
    for (uint32_t i = 0; i < d->n_cards; i++) {
        const deck_card *card = &d->cards[i];
        bool anchor = card->anchor_low.nl != NULL;
        /* A v2 card always carries its kind (absent reads as "topic", so
         * the two spellings pack alike); an empty followups[] is left out
         * for the same reason. */
        msgpack_pack_map(&pk, 4 + v2 + (card->audience != 0) + anchor + (card->n_followups > 0));
        deck_pack_str(&pk, "id");
        deck_pack_str(&pk, card->id);
        deck_pack_str(&pk, "category");
        deck_pack_str(&pk, d->categories[card->category].id);
        if (v2) {
            deck_pack_str(&pk, "kind");
            deck_pack_str(&pk, deck_kind_names[card->kind]);
        }
        if (card->audience != 0) {
            /* In the deck's order of audiences, whatever the file's order. */
            deck_pack_str(&pk, "audience");
            msgpack_pack_array(&pk, (uint32_t)__builtin_popcount(card->audience));
            for (uint32_t a = 0; a < d->n_audiences; a++)
                if (card->audience & (1u << a))
                    deck_pack_str(&pk, d->audiences[a].id);
        }
        deck_pack_str(&pk, "title");
        deck_pack_text(&pk, &card->title);
        deck_pack_str(&pk, "prompt");
        deck_pack_text(&pk, &card->prompt);
        if (anchor) {
            deck_pack_str(&pk, "anchor");
            msgpack_pack_map(&pk, 2);
            deck_pack_str(&pk, "low");
            deck_pack_text(&pk, &card->anchor_low);
            deck_pack_str(&pk, "high");
            deck_pack_text(&pk, &card->anchor_high);
        }
        if (card->n_followups > 0) {
            deck_pack_str(&pk, "followups");
            msgpack_pack_array(&pk, card->n_followups);
            for (uint32_t f = 0; f < card->n_followups; f++)
                deck_pack_text(&pk, &card->followups[f]);
        }
    }

    if (buf.failed || !buf.sb.data) {
        msgpack_sbuffer_destroy(&buf.sb);
        return -1;
    }
    d->packed = (uint8_t *)buf.sb.data;
    d->packed_len = buf.sb.size;

    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(d->packed, d->packed_len, digest);
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < DECK_HASH_LEN / 2; i++) {
        d->hash[2 * i] = hex[digest[i] >> 4];
        d->hash[2 * i + 1] = hex[digest[i] & 15];
    }
    d->hash[DECK_HASH_LEN] = '\0';
    return 0;
}

/* ---- parsing ---------------------------------------------------------- */

static int deck_from_json(deck_check *c, json_t *root, deck **out)
{
    static const char *const keys[] = {"id", "version", "title", "scale", "categories", "cards", NULL};
    static const char *const v2_keys[] = {"format", "question", "audiences", "windows", NULL};
    char sub[DECK_PATH_MAX];
    if (!json_is_object(root))
        return deck_fail(c, "", "a deck is an object, got %s", deck_json_type_name(root));
    /* The format comes first: it decides which fields exist. A v1 deck has
     * no "format" key, so that its canonical form stays what it was. */
    json_int_t format = 1;
    if (json_object_get(root, "format") &&
        deck_check_int(c, "", root, "format", 2, DECK_FORMAT_MAX, &format) < 0)
        return -1;
    c->format = (uint32_t)format;
    if (deck_only_keys_v2(c, "", root, keys, v2_keys) < 0)
        return -1;
    deck *d = calloc(1, sizeof *d);
    if (!d)
        return deck_fail(c, "", "out of memory");
    d->format = (uint32_t)format;
    json_int_t version = 0;
    json_t *id = deck_member(c, "", root, "id", JSON_STRING, "a string", sub);
    if (!id || deck_check_id(c, sub, id, &d->id) < 0)
        goto err;
    if (deck_check_int(c, "", root, "version", 1, UINT32_MAX, &version) < 0)
        goto err;
    d->version = (uint32_t)version;
    if (deck_check_text(c, "", root, "title", &d->title) < 0 ||
        deck_check_opt_text(c, "", root, "question", &d->question) < 0 ||
        deck_check_scale(c, root, d) < 0 || deck_check_audiences(c, root, d) < 0 ||
        deck_check_windows(c, root, d) < 0 || deck_check_categories(c, root, d) < 0 ||
        deck_check_cards(c, root, d) < 0)
        goto err;
    if (deck_pack_canonical(d) < 0) {
        deck_report(c, "", "out of memory");
        goto err;
    }
    d->refs = 1;
    *out = d;
    return 0;
err:
    deck_free(d);
    return -1;
}

int deck_parse_json(const char *json, size_t len, const char *source, deck **out, char *err,
                    size_t errlen)
{
    deck_check c = {source ? source : "deck", err, errlen, 1};
    if (len > DECK_SOURCE_MAX)
        return deck_fail(&c, "", "a deck file is at most %u bytes, got %zu", DECK_SOURCE_MAX, len);
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        char where[DECK_PATH_MAX];
        deck_path(where, "line %d, column %d", jerr.line, jerr.column);
        return deck_fail(&c, where, "invalid JSON: %s", jerr.text);
    }
    int rc = deck_from_json(&c, root, out);
    json_decref(root);
    return rc;
}

/* Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF)
 * and no NUL, the same rules jansson applies to a deck file. */
static bool deck_utf8_ok(const char *s, size_t len)
{
    /* msgpack-c gives an empty string a NULL pointer: no arithmetic on it. */
    if (len == 0)
        return true;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned char b = *p;
        if (b == 0)
            return false;
        if (b < 0x80) {
            p++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (b >= 0xc2 && b <= 0xdf) {
            n = 1;
            cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
            n = 2;
            cp = b & 0x0f;
        } else if (b >= 0xf0 && b <= 0xf4) {
            n = 3;
            cp = b & 0x07;
        } else {
            return false;
        }
        if ((size_t)(end - p) <= n)
            return false;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (p[i] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        p += n + 1;
    }
    return true;
}

/* Converts a MessagePack object to a jansson tree; NULL (with a message)
 * for what no deck can contain. */
static json_t *deck_msgpack_to_json(deck_check *c, const msgpack_object *o, int depth)
{
    if (depth > DECK_MSGPACK_DEPTH_MAX) {
        deck_report(c, "", "nested deeper than %d levels", DECK_MSGPACK_DEPTH_MAX);
        return NULL;
    }
    json_t *v = NULL;
    switch (o->type) {
    case MSGPACK_OBJECT_NIL: v = json_null(); break;
    case MSGPACK_OBJECT_BOOLEAN: v = json_boolean(o->via.boolean); break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        if (o->via.u64 > (uint64_t)INT64_MAX) {
            deck_report(c, "", "integer out of range");
            return NULL;
        }
        v = json_integer((json_int_t)o->via.u64);
        break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: v = json_integer((json_int_t)o->via.i64); break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: v = json_real(o->via.f64); break;
    case MSGPACK_OBJECT_STR:
        if (!deck_utf8_ok(o->via.str.ptr, o->via.str.size)) {
            deck_report(c, "", "a string is not valid UTF-8 or contains NUL");
            return NULL;
        }
        v = json_stringn_nocheck(o->via.str.size ? o->via.str.ptr : "", o->via.str.size);
        break;
    case MSGPACK_OBJECT_ARRAY:
        v = json_array();
        for (uint32_t i = 0; v && i < o->via.array.size; i++) {
            json_t *item = deck_msgpack_to_json(c, &o->via.array.ptr[i], depth + 1);
            if (!item || json_array_append_new(v, item) < 0) {
                json_decref(v);
                return NULL;
            }
        }
        break;
    case MSGPACK_OBJECT_MAP:
        v = json_object();
        for (uint32_t i = 0; v && i < o->via.map.size; i++) {
            const msgpack_object *k = &o->via.map.ptr[i].key;
            if (k->type != MSGPACK_OBJECT_STR || k->via.str.size == 0 ||
                !deck_utf8_ok(k->via.str.ptr, k->via.str.size)) {
                deck_report(c, "", "a map key is not a valid, non-empty string");
                json_decref(v);
                return NULL;
            }
            if (json_object_getn(v, k->via.str.ptr, k->via.str.size)) {
                deck_report(c, "", "duplicate key \"%.*s\"", (int)(k->via.str.size > 32 ? 32 : k->via.str.size),
                          k->via.str.ptr);
                json_decref(v);
                return NULL;
            }
            json_t *item = deck_msgpack_to_json(c, &o->via.map.ptr[i].val, depth + 1);
            if (!item || json_object_setn_new_nocheck(v, k->via.str.ptr, k->via.str.size, item) < 0) {
                json_decref(v);
                return NULL;
            }
        }
        break;
    default:
        deck_report(c, "", "binary or extension values are not part of a deck");
        return NULL;
    }
    if (!v)
        deck_report(c, "", "out of memory");
    return v;
}

int deck_parse_msgpack(const msgpack_object *o, deck **out, char *err, size_t errlen)
{
    deck_check c = {"deck", err, errlen, 1};
    json_t *root = deck_msgpack_to_json(&c, o, 0);
    if (!root)
        return -1;
    int rc = deck_from_json(&c, root, out);
    json_decref(root);
    return rc;
}

/* ---- output and lookups ----------------------------------------------- */

void deck_pack(const deck *d, msgpack_packer *pk)
{
    pk->callback(pk->data, (const char *)d->packed, d->packed_len);
}

/* The JSON is the canonical MessagePack read back: one layout for both
 * forms, so the served JSON cannot drift from what the hash covers. */
int deck_to_json(const deck *d, char **out, size_t *len)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    char *s = NULL;
    if (msgpack_unpack_next(&u, (const char *)d->packed, d->packed_len, NULL) == MSGPACK_UNPACK_SUCCESS) {
        deck_check c = {"deck", NULL, 0, d->format};
        json_t *root = deck_msgpack_to_json(&c, &u.data, 0);
        if (root)
            s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(root);
    }
    msgpack_unpacked_destroy(&u);
    if (!s)
        return -1;
    *out = s;
    *len = strlen(s);
    return 0;
}

int32_t deck_card_index(const deck *d, const char *id, size_t len)
{
    for (uint32_t i = 0; i < d->n_cards; i++) {
        const char *c = d->cards[i].id;
        if (c && strlen(c) == len && memcmp(c, id, len) == 0)
            return (int32_t)i;
    }
    return -1;
}

int32_t deck_audience_index(const deck *d, const char *id, size_t len)
{
    for (uint32_t i = 0; i < d->n_audiences; i++) {
        const char *c = d->audiences[i].id;
        if (c && strlen(c) == len && memcmp(c, id, len) == 0)
            return (int32_t)i;
    }
    return -1;
}

int32_t deck_window_index(const deck *d, const char *id, size_t len)
{
    for (uint32_t i = 0; i < d->n_windows; i++) {
        const char *c = d->windows[i].id;
        if (c && strlen(c) == len && memcmp(c, id, len) == 0)
            return (int32_t)i;
    }
    return -1;
}

int32_t deck_category_index(const deck *d, const char *id, size_t len)
{
    for (uint32_t i = 0; i < d->n_categories; i++) {
        const char *c = d->categories[i].id;
        if (c && strlen(c) == len && memcmp(c, id, len) == 0)
            return (int32_t)i;
    }
    return -1;
}

const char *deck_text_in(const deck_text *t, const char *lang)
{
    return lang && strcmp(lang, "en") == 0 ? t->en : t->nl;
}
