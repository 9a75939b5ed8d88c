/* deck_pack: a deck's canonical MessagePack form and its hash. */
#include "game/deck_internal.h"

#include <string.h>

#include <openssl/sha.h>

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
int deck_pack_canonical(deck *d)
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

void deck_pack(const deck *d, msgpack_packer *pk)
{
    pk->callback(pk->data, (const char *)d->packed, d->packed_len);
}
