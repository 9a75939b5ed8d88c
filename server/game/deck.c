/* deck: a card set in memory: its kinds, freeing and references, lookups by id, texts by language. */
#include "game/deck_internal.h"

#include <stdlib.h>
#include <string.h>

const char *const deck_kind_names[DECK_KIND__COUNT] = {
    [DECK_KIND_OPENER] = "opener",
    [DECK_KIND_TOPIC] = "topic",
    [DECK_KIND_STORY] = "story",
    [DECK_KIND_CLOSER] = "closer",
};

/* ---- freeing ---------------------------------------------------------- */

static void deck_text_free(deck_text *t)
{
    free(t->nl);
    free(t->en);
}

void deck_free(deck *d)
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

/* ---- lookups ---------------------------------------------------------- */

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
