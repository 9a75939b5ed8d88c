/* deck_store.c - stored card sets on disk: DATA/decks/HASH.json.
 *
 * Content-addressed: a file's name is the hash of the deck's canonical
 * form, so a store can only add a file, never change one (the same
 * content gives the same name and bytes), and nobody can overwrite or
 * delete a set another person stored. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/ops_log.h"
#include "rooms/deck_store.h"

/* HASH.json: 16 lower-case hex digits and the extension. */
static int stored_name(const struct dirent *e)
{
    const char *s = e->d_name;

    if (strlen(s) != DECK_HASH_LEN + 5 || strcmp(s + DECK_HASH_LEN, ".json") != 0)
        return 0;
    for (int i = 0; i < DECK_HASH_LEN; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static char *slurp(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (!f)
        return NULL;
    buf = malloc(max + 1);
    n = buf ? fread(buf, 1, max + 1, f) : 0;
    if (buf && (ferror(f) || n > max)) {
        free(buf);
        buf = NULL;
        errno = n > max ? EFBIG : EIO;
    }
    fclose(f);
    if (buf)
        *len = n;
    return buf;
}

int deck_store_load(const char *dir, deck **out, uint32_t cap, uint32_t *n)
{
    struct dirent **names = NULL;
    int k = scandir(dir, &names, stored_name, alphasort);

    *n = 0;
    if (k < 0) {
        if (errno == ENOENT)
            return 0;
        ops_log(OPS_ERROR, NULL, "cannot read the stored decks in %s: %s", dir, strerror(errno));
        return -1;
    }
    for (int i = 0; i < k; i++) {
        char path[4096], err[512];
        size_t len = 0;
        char *json;
        deck *d = NULL;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        json = slurp(path, DECK_SOURCE_MAX, &len);
        if (!json) {
            ops_log(OPS_WARN, NULL, "stored deck %s skipped: %s", path, strerror(errno));
        } else if (deck_parse_json(json, len, path, &d, err, sizeof(err))) {
            ops_log(OPS_WARN, NULL, "stored deck skipped: %s", err);
        } else if (strncmp(d->hash, names[i]->d_name, DECK_HASH_LEN) != 0) {
            ops_log(OPS_WARN, NULL, "stored deck %s skipped: its content hashes to %s", path, d->hash);
            deck_unref(d);
        } else if (*n == cap) {
            ops_log(OPS_WARN, NULL, "stored deck %s skipped: more than %u stored decks", path, cap);
            deck_unref(d);
        } else {
            out[(*n)++] = d;
        }
        free(json);
        free(names[i]);
    }
    free(names);
    return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t w = write(fd, buf, len);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

int deck_store_write(const char *dir, const deck *d)
{
    char path[4096], tmp[4096];
    char *json = NULL;
    size_t len = 0;
    int fd, dfd, rc = -1, e;

    if (mkdir(dir, 0750) && errno != EEXIST)
        return -1;
    if (snprintf(path, sizeof(path), "%s/%s.json", dir, d->hash) >= (int)sizeof(path) ||
        snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, d->hash) >= (int)sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (access(path, F_OK) == 0)
        return 0;
    if (deck_to_json(d, &json, &len)) {
        errno = ENOMEM;
        return -1;
    }
    /* A name of its own, so that two uploads of one deck at once do
     * not write the same temporary file. */
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        goto out;
    if (write_all(fd, json, len) || fsync(fd)) {
        e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
        goto out;
    }
    close(fd);
    if (rename(tmp, path)) {
        e = errno;
        unlink(tmp);
        errno = e;
        goto out;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    rc = 0;
out:
    free(json);
    return rc;
}
