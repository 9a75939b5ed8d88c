/* Reading a session log back: scan every record, cut a torn or corrupt tail (saving it aside), hand out the payloads. */
#include "log/evlog.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads the whole file into a fresh buffer. */
static int read_whole(int fd, uint8_t **bytes, size_t *size)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -errno;
    if (!S_ISREG(st.st_mode))
        return UV_EINVAL;
    if ((uint64_t)st.st_size > EVLOG_FILE_READ_MAX)
        return UV_EFBIG;
    size_t want = (size_t)st.st_size;
    uint8_t *buf = malloc(want ? want : 1);
    if (!buf)
        return UV_ENOMEM;
    size_t got = 0;
    while (got < want) {
        ssize_t n = pread(fd, buf + got, want - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = -errno;
            free(buf);
            return err;
        }
        if (n == 0)
            break; /* The file shrank under us; what we have is what there is. */
        got += (size_t)n;
    }
    *bytes = buf;
    *size = got;
    return 0;
}

/* Saves bytes[from..size) as path.cut-FROM so that an operator can look at
 * what recovery removed. Returns 0 or a negative error. */
static int save_cut(const char *path, const uint8_t *bytes, size_t size, size_t from, char *cut_path, size_t cap)
{
    int n = snprintf(cut_path, cap, "%s.cut-%zu", path, from);
    if (n < 0 || (size_t)n >= cap)
        return UV_ENAMETOOLONG;
    int fd = open(cut_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    int err = 0;
    size_t done = from;
    while (done < size) {
        ssize_t w = write(fd, bytes + done, size - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            err = -errno;
            break;
        }
        done += (size_t)w;
    }
    if (err == 0 && fsync(fd) != 0)
        err = -errno;
    close(fd);
    if (err != 0)
        unlink(cut_path);
    return err;
}

int evlog_read_fd(int fd, const char *path, bool repair, struct evlog_contents *out)
{
    memset(out, 0, sizeof(*out));
    uint8_t *bytes = NULL;
    size_t size = 0;
    struct evlog_record *records = NULL;
    size_t cap = 0, count = 0;
    int err = read_whole(fd, &bytes, &size);
    if (err != 0)
        return err;

    struct evlog_scan scan;
    const uint8_t *payload;
    uint32_t len;
    evlog_scan_init(&scan, bytes, size);
    while (evlog_scan_next(&scan, &payload, &len, NULL)) {
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct evlog_record *r = realloc(records, ncap * sizeof(*r));
            if (!r) {
                err = UV_ENOMEM;
                goto fail;
            }
            records = r;
            cap = ncap;
        }
        records[count].offset = (size_t)(payload - bytes);
        records[count].len = len;
        count++;
    }
    out->tail = scan.tail;
    out->valid_end = scan.valid_end;
    out->cut = size - scan.valid_end;
    if (scan.tail == EVLOG_TAIL_BAD_MAGIC) {
        /* Not ours: report, never touch. */
        out->cut = size;
        err = UV_EINVAL;
        goto fail;
    }
    if (repair && out->cut > 0) {
        /* Saving is best effort: a full disk must not keep the room from
         * recovering, and the cut bytes were never acknowledged whole. */
        if (save_cut(path, bytes, size, scan.valid_end, out->cut_path, sizeof(out->cut_path)) != 0)
            out->cut_path[0] = '\0';
        if (ftruncate(fd, (off_t)scan.valid_end) != 0 || fsync(fd) != 0) {
            err = -errno;
            goto fail;
        }
        out->repaired = true;
    }
    out->bytes = bytes;
    out->size = size;
    out->records = records;
    out->count = count;
    return 0;

fail:
    free(bytes);
    free(records);
    out->bytes = NULL;
    out->records = NULL;
    out->count = 0;
    return err;
}

int evlog_read_file(const char *path, bool repair, struct evlog_contents *out)
{
    memset(out, 0, sizeof(*out));
    int fd = open(path, (repair ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int err = evlog_read_fd(fd, path, repair, out);
    close(fd);
    return err;
}

void evlog_contents_describe(const struct evlog_contents *c, const char *path, char *out, size_t cap)
{
    if (c->tail == EVLOG_TAIL_CLEAN) {
        snprintf(out, cap, "%s: %zu records, clean", path, c->count);
        return;
    }
    if (c->tail == EVLOG_TAIL_BAD_MAGIC) {
        snprintf(out, cap, "%s: %s, left untouched", path, evlog_tail_name(c->tail));
        return;
    }
    snprintf(out, cap, "%s: %zu records, %s %" PRIu64 " bytes at offset %" PRIu64 " (%s)%s%s", path, c->count,
             c->repaired ? "cut" : "would cut", c->cut, c->valid_end, evlog_tail_name(c->tail),
             c->cut_path[0] ? ", saved as " : "", c->cut_path);
}

void evlog_contents_free(struct evlog_contents *c)
{
    free(c->bytes);
    free(c->records);
    c->bytes = NULL;
    c->records = NULL;
    c->count = 0;
}

int evlog_list_dir(const char *dir, int (*found)(void *ud, const char *room, uint64_t size, int64_t mtime_ms), void *ud)
{
    DIR *d = opendir(dir);
    if (!d)
        return -errno;
    int dfd = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char room[EVLOG_ROOM_CODE_MAX + 1];
        size_t n = strlen(e->d_name);
        if (n <= 4 || n - 4 > EVLOG_ROOM_CODE_MAX || strcmp(e->d_name + n - 4, ".log") != 0)
            continue;
        memcpy(room, e->d_name, n - 4);
        room[n - 4] = '\0';
        if (!evlog_room_valid(room))
            continue;
        struct stat st;
        if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        int64_t mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
        if (found(ud, room, (uint64_t)st.st_size, mtime_ms) != 0)
            break;
    }
    closedir(d);
    return 0;
}
