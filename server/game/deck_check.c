/* deck_check: validates a deck in the §7 layout, as a jansson tree, field by field into a deck. */
#include "game/deck_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes "source: path: message" into the caller's buffer. */
void deck_report(deck_check *c, const char *path, const char *fmt, ...)
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

/* Formats a field path into a DECK_PATH_MAX buffer. Paths are short by
 * construction (ids and keys are bounded); a longer one is cut, which only
 * shortens a message. */
void deck_path(char *out, const char *fmt, ...)
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
    json_object_foreach (obj, key, v) {
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
static json_t *deck_member(deck_check *c, const char *path, json_t *obj, const char *key, json_type type,
                           const char *what, char *sub)
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
        return deck_fail(c, sub, "expected an object with \"nl\" and \"en\", got %s", deck_json_type_name(v));
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
static int deck_check_text(deck_check *c, const char *path, json_t *obj, const char *key, deck_text *out)
{
    char sub[DECK_PATH_MAX];
    json_t *v = deck_member(c, path, obj, key, JSON_OBJECT, "an object with \"nl\" and \"en\"", sub);
    return v ? deck_check_text_value(c, sub, v, out) : -1;
}

/* An optional text: absent leaves out->nl and out->en NULL. */
static int deck_check_opt_text(deck_check *c, const char *path, json_t *obj, const char *key, deck_text *out)
{
    if (!json_object_get(obj, key))
        return 0;
    return deck_check_text(c, path, obj, key, out);
}

static int deck_check_int(deck_check *c, const char *path, json_t *obj, const char *key, json_int_t lo, json_int_t hi,
                          json_int_t *out)
{
    char sub[DECK_PATH_MAX];
    json_t *v = deck_member(c, path, obj, key, JSON_INTEGER, "an integer", sub);
    if (!v)
        return -1;
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return deck_fail(
            c, sub, "must be %" JSON_INTEGER_FORMAT "..%" JSON_INTEGER_FORMAT ", got %" JSON_INTEGER_FORMAT, lo, hi, x);
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

static int deck_check_labels(deck_check *c, const char *path, json_t *labels, const char *lang, uint32_t n, char ***out)
{
    char sub[DECK_PATH_MAX], item[DECK_PATH_MAX];
    json_t *arr = deck_member(c, path, labels, lang, JSON_ARRAY, "an array of strings", sub);
    if (!arr)
        return -1;
    if (json_array_size(arr) != n)
        return deck_fail(c, sub, "the scale has %" PRIu32 " values but there are %zu labels", n, json_array_size(arr));
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
        return deck_fail(c, sub,
                         "a scale has %d..%d values, %" JSON_INTEGER_FORMAT "..%" JSON_INTEGER_FORMAT
                         " has %" JSON_INTEGER_FORMAT,
                         DECK_SCALE_VALUES_MIN, DECK_SCALE_VALUES_MAX, lo, hi, n < 0 ? 0 : n);
    json_t *labels = deck_member(c, sub, scale, "labels", JSON_OBJECT, "an object with \"nl\" and \"en\"", lsub);
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
        return deck_fail(c, sub, "a deck has %d..%d windows, got %zu", DECK_WINDOWS_MIN, DECK_WINDOWS_MAX, n);
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

/* The v2 fields of one card: kind, audience, anchor, followups. */
static int deck_check_card_v2(deck_check *c, const char *item, json_t *v, const deck *d, deck_card *card)
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
        json_t *anchor = deck_member(c, item, v, "anchor", JSON_OBJECT, "an object with \"low\" and \"high\"", field);
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
            return deck_fail(c, field, "a card has 0..%d followups, got %zu", DECK_FOLLOWUPS_MAX, json_array_size(arr));
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
            deck_check_text(c, item, v, "prompt", &card->prompt) < 0 || deck_check_card_v2(c, item, v, d, card) < 0)
            return -1;
    }
    return 0;
}

/* ---- the whole deck ---------------------------------------------------- */

int deck_from_json(deck_check *c, json_t *root, deck **out)
{
    static const char *const keys[] = {"id", "version", "title", "scale", "categories", "cards", NULL};
    static const char *const v2_keys[] = {"format", "question", "audiences", "windows", NULL};
    char sub[DECK_PATH_MAX];
    if (!json_is_object(root))
        return deck_fail(c, "", "a deck is an object, got %s", deck_json_type_name(root));
    /* The format comes first: it decides which fields exist. A v1 deck has
     * no "format" key, so that its canonical form stays what it was. */
    json_int_t format = 1;
    if (json_object_get(root, "format") && deck_check_int(c, "", root, "format", 2, DECK_FORMAT_MAX, &format) < 0)
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
        deck_check_opt_text(c, "", root, "question", &d->question) < 0 || deck_check_scale(c, root, d) < 0 ||
        deck_check_audiences(c, root, d) < 0 || deck_check_windows(c, root, d) < 0 ||
        deck_check_categories(c, root, d) < 0 || deck_check_cards(c, root, d) < 0)
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
