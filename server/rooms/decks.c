/* decks.c - the card sets offered to `create`: every *.json of --decks, checked once at start; and those people stored (POST /api/decks). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops_log.h"

#include "rooms/deck_store.h"
#include "rooms/rooms_internal.h"

static int json_file(const struct dirent *d)
{
    size_t n = strlen(d->d_name);

    return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

/* Reads a whole file (up to max bytes) into a malloc'd buffer. */
static char *read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n;

    if (!f)
        return NULL;
    buf = malloc(max + 1);
    if (!buf)
        goto out;
    n = fread(buf, 1, max + 1, f);
    if (ferror(f) || n > max) {
        free(buf);
        buf = NULL;
        errno = n > max ? EFBIG : EIO;
        goto out;
    }
    buf[n] = '\0';
    *len = n;
out:
    fclose(f);
    return buf;
}

/* Loads every *.json of dir. A deck that fails validation is refused with
 * a message naming the file and the field; the others are still offered. */
int rooms_decks_load(rooms *rs, const char *dir)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, json_file, alphasort);

    if (n < 0) {
        ops_log(OPS_ERROR, NULL, "cannot read the decks directory %s: %s", dir, strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char path[4096], err[512];
        size_t len = 0;
        char *json;
        deck *d = NULL;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        free(names[i]);
        json = read_file(path, DECK_SOURCE_MAX, &len);
        if (!json) {
            ops_log(OPS_WARN, NULL, "deck %s refused: %s", path, strerror(errno));
            continue;
        }
        if (deck_parse_json(json, len, path, &d, err, sizeof(err))) {
            ops_log(OPS_WARN, NULL, "deck refused: %s", err);
        } else if (rs->env.n_decks == ROOMS_DECKS_MAX) {
            ops_log(OPS_WARN, NULL, "deck %s refused: more than %d decks", path, ROOMS_DECKS_MAX);
            deck_unref(d);
        } else {
            rs->decks[rs->env.n_decks++] = d;
        }
        free(json);
    }
    free(names);
    if (rs->env.n_decks == 0)
        ops_log(OPS_WARN, NULL, "no deck in %s; nobody can create a room", dir);
    return 0;
}

int rooms_stored_load(rooms *rs, const char *data_dir, uint32_t cap)
{
    rs->stored_cap = cap ? cap : DECK_STORE_MAX_DEFAULT;
    rs->stored = calloc(rs->stored_cap, sizeof(deck *));
    rs->env.uploaded = rs->stored;
    if (!rs->stored) {
        ops_log(OPS_ERROR, NULL, "out of memory");
        return -1;
    }
    if (snprintf(rs->stored_dir, sizeof(rs->stored_dir), "%s/decks", data_dir) >= (int)sizeof(rs->stored_dir)) {
        ops_log(OPS_ERROR, NULL, "the data directory's path is too long");
        return -1;
    }
    return deck_store_load(rs->stored_dir, rs->stored, rs->stored_cap, &rs->env.n_uploaded);
}

void rooms_decks_free(rooms *rs)
{
    for (uint32_t i = 0; i < rs->env.n_decks; i++)
        deck_unref(rs->decks[i]);
    rs->env.n_decks = 0;
    for (uint32_t i = 0; rs->stored && i < rs->env.n_uploaded; i++)
        deck_unref(rs->stored[i]);
    rs->env.n_uploaded = 0;
    free(rs->stored);
    rs->stored = NULL;
    rs->env.uploaded = NULL;
}

uint32_t rooms_deck_count(const rooms *rs)
{
    return rs->env.n_decks;
}

const deck *rooms_deck_at(const rooms *rs, uint32_t i)
{
    return i < rs->env.n_decks ? rs->decks[i] : NULL;
}

const deck *rooms_deck_by_hash(const rooms *rs, const char *hash)
{
    for (uint32_t i = 0; i < rs->env.n_decks; i++)
        if (strcmp(rs->decks[i]->hash, hash) == 0)
            return rs->decks[i];
    for (uint32_t i = 0; i < rs->env.n_uploaded; i++)
        if (strcmp(rs->stored[i]->hash, hash) == 0)
            return rs->stored[i];
    for (unsigned b = 0; b < ROOMS_BUCKETS; b++)
        for (const live_room *lr = rs->buckets[b]; lr; lr = lr->next) {
            const deck *d = room_exists(lr->r) ? room_deck(lr->r) : NULL;

            if (d && strcmp(d->hash, hash) == 0)
                return d;
        }
    return NULL;
}

uint32_t rooms_stored_count(const rooms *rs)
{
    return rs->env.n_uploaded;
}

const deck *rooms_stored_at(const rooms *rs, uint32_t i)
{
    return i < rs->env.n_uploaded ? rs->stored[i] : NULL;
}

const char *rooms_stored_dir(const rooms *rs)
{
    return rs->stored_dir;
}

bool rooms_stored_full(const rooms *rs)
{
    return rs->env.n_uploaded >= rs->stored_cap;
}

int rooms_store_deck(rooms *rs, deck *d)
{
    for (uint32_t i = 0; i < rs->env.n_uploaded; i++)
        if (strcmp(rs->stored[i]->hash, d->hash) == 0) {
            deck_unref(d);
            return 0;
        }
    if (rs->stopping || !rs->stored || rs->env.n_uploaded >= rs->stored_cap) {
        deck_unref(d);
        return -1;
    }
    rs->stored[rs->env.n_uploaded++] = d;
    return 0;
}
