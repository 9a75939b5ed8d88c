/* evlog_job.c - the pool side of a file's job: open and check, truncate, write, flush, close, unlink or load, off the loop thread. */
#include "log/evlog_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The pool side of a file's job: open, truncate, write, flush, close,
 * unlink, in that order, as ordered. Touches only the job's fields, the
 * batch being written, and fd/size, which the loop leaves alone meanwhile. */

static int write_all(int fd, const uint8_t *p, size_t n, uint64_t off)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        if (w == 0)
            return UV_EIO;
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

/* A purge removes what recovery saved aside for the room too: the room's
 * data must not outlive it. Best effort; returns the first error. */
static int unlink_cut_files(struct evlog *log, const char *room)
{
    char prefix[EVLOG_NAME_MAX + 8];
    int n = snprintf(prefix, sizeof(prefix), "%s.log.cut-", room);
    int err = 0;
    /* An fd of its own: a dup would share the directory offset with the
     * other jobs listing the directory at the same time. */
    int fd = openat(log->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    DIR *d = fdopendir(fd);
    if (!d) {
        err = -errno;
        close(fd);
        return err;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, (size_t)n) != 0)
            continue;
        if (unlinkat(log->dir_fd, e->d_name, 0) != 0 && errno != ENOENT && err == 0)
            err = -errno;
    }
    closedir(d);
    return err;
}

#define EVLOG_NOTE_MAX (EVLOG_DIR_MAX + 256)

/* The job's warning buffer (on the pool thread); NULL when out of memory:
 * the warning is then lost, the job goes on. */
static char *job_note(struct evlog_file *f)
{
    if (!f->job.note)
        f->job.note = calloc(1, EVLOG_NOTE_MAX);
    return f->job.note;
}

void evlog__job_work(uv_work_t *req)
{
    struct evlog_file *f = req->data;
    struct evlog *log = f->log;
    char path[EVLOG_DIR_MAX + EVLOG_NAME_MAX + 2];
    int fd = f->fd;
    uint64_t size = f->size;
    int r;

    f->job.err = 0;
    f->job.stage = NULL;
    f->job.created = false;
    f->job.attempted = false;
    f->job.stored = false;
    f->job.undone = false;
    f->job.truncated = false;
    f->job.flushed = false;
    snprintf(path, sizeof(path), "%s/%s.log", log->dir, f->room);

    if (f->job.load) {
        /* Through an fd of its own: the file need not be open for writing,
         * and a room that is not there must not be created. */
        r = evlog_read_file(path, true, f->loaded);
        if (r != 0) {
            f->job.err = r;
            f->job.stage = "load";
            if (f->loaded->tail == EVLOG_TAIL_BAD_MAGIC && job_note(f))
                snprintf(f->job.note, EVLOG_NOTE_MAX, "evlog: %s: not a session log, left untouched", path);
            goto out;
        }
        if (f->loaded->cut > 0 && job_note(f))
            evlog_contents_describe(f->loaded, path, f->job.note, EVLOG_NOTE_MAX);
        size = f->loaded->valid_end;
        if (fd >= 0 && size == 0) {
            /* Torn inside its magic while the writer holds it open. */
            r = write_all(fd, (const uint8_t *)EVLOG_MAGIC, EVLOG_MAGIC_LEN, 0);
            if (r == 0)
                size = EVLOG_MAGIC_LEN;
        }
        goto out;
    }

    if (f->job.open) {
        struct stat st;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
            f->job.err = -errno;
            f->job.stage = "open";
            goto out;
        }
        if (fstat(fd, &st) != 0) {
            f->job.err = -errno;
            f->job.stage = "stat";
            goto fail_open;
        }
        /* A file this writer closed earlier and nobody touched since needs
         * no scan, nor one reopened to cut unacknowledged records off (its
         * good length is known exactly); any other file is checked whole,
         * so that records are never appended behind a torn or corrupt tail. */
        if (!(f->known && ((uint64_t)st.st_size == size || f->job.truncate))) {
            struct evlog_contents c;
            r = evlog_read_fd(fd, path, true, &c);
            if (r != 0) {
                if (c.tail == EVLOG_TAIL_BAD_MAGIC && job_note(f))
                    snprintf(f->job.note, EVLOG_NOTE_MAX, "evlog: %s: not a session log, left untouched", path);
                f->job.err = r;
                f->job.stage = "check";
                goto fail_open;
            }
            if (c.cut > 0 && job_note(f))
                evlog_contents_describe(&c, path, f->job.note, EVLOG_NOTE_MAX);
            size = c.valid_end;
            evlog_contents_free(&c);
        }
        if (size == 0) {
            r = write_all(fd, (const uint8_t *)EVLOG_MAGIC, EVLOG_MAGIC_LEN, 0);
            if (r != 0) {
                f->job.err = r;
                f->job.stage = "write header";
                if (ftruncate(fd, 0) != 0)
                    f->job.err = r; /* The scan cuts a torn header later. */
                goto fail_open;
            }
            size = EVLOG_MAGIC_LEN;
            f->job.created = true;
            /* The new name must survive a power cut as well as the records:
             * syncfs covers the directory too, one fdatasync of the file
             * does not. */
            if (log->sync != EVLOG_SYNC_NONE && log->flush == EVLOG_FLUSH_FDATASYNC && fsync(log->dir_fd) != 0) {
                f->job.err = -errno;
                f->job.stage = "fsync directory";
                goto fail_open;
            }
        }
    }
    if (f->job.truncate) {
        if (ftruncate(fd, (off_t)size) != 0) {
            f->job.err = -errno;
            f->job.stage = "truncate";
            goto finish;
        }
        f->job.truncated = true;
    }
    if (f->job.write) {
        f->job.attempted = true;
        r = write_all(fd, f->writing.bytes, f->writing.len, size);
        if (r != 0) {
            f->job.err = r;
            f->job.stage = "write";
            f->job.undone = ftruncate(fd, (off_t)size) == 0;
            goto finish;
        }
    }
    if (f->job.sync) {
        uint64_t t0 = uv_hrtime();
        int synced = fdatasync(fd);
        f->job.sync_ns = uv_hrtime() - t0;
        f->job.flushed = true;
        if (synced != 0) {
            f->job.err = -errno;
            f->job.stage = "fdatasync";
            /* Records whose flush failed are reported as failed, so they
             * must not stay in the log to be replayed later. */
            if (f->job.write)
                f->job.undone = ftruncate(fd, (off_t)size) == 0;
            else
                f->job.undone = true;
            goto finish;
        }
    }
    if (f->job.write) {
        size += f->writing.len;
        f->job.stored = true;
    }
finish:
    /* A close that was ordered happens whatever failed before it. */
    if (f->job.close || f->job.unlink) {
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    if (f->job.unlink && f->job.err == 0) {
        if (unlink(path) != 0 && errno != ENOENT) {
            f->job.err = -errno;
            f->job.stage = "unlink";
        } else if ((r = unlink_cut_files(log, f->room)) != 0) {
            f->job.err = r;
            f->job.stage = "unlink saved tails";
        } else if (log->sync != EVLOG_SYNC_NONE && fsync(log->dir_fd) != 0) {
            f->job.err = -errno;
            f->job.stage = "fsync directory";
        }
        size = 0;
    }
    goto out;

fail_open:
    close(fd);
    fd = -1;
out:
    f->job.size_after = size;
    f->job.fd = fd;
}

void evlog__group_work(uv_work_t *req)
{
    struct evlog_group *g = req->data;
    for (size_t i = 0; i < g->n; i++)
        evlog__job_work(&g->files[i].f->work);
}
