/* evlog_files.c - the files the writer knows: the room table, the open files in LRU order and their eviction, the closed files whose length is remembered. */
#include "log/evlog_internal.h"

#include <stdlib.h>
#include <string.h>

/* Batches. */

static void batch_free(struct evlog_batch *b)
{
    free(b->bytes);
    free(b->waiters);
    memset(b, 0, sizeof(*b));
}

/* Lists. */

void evlog__list_remove(struct evlog *log, struct evlog_file *f)
{
    struct evlog_file **head, **tail;
    if (f->list == LIST_NONE)
        return;
    if (f->list == LIST_OPEN) {
        head = &log->open_head;
        tail = &log->open_tail;
    } else {
        head = &log->remembered_head;
        tail = &log->remembered_tail;
        log->remembered--;
    }
    if (f->prev)
        f->prev->next = f->next;
    else
        *head = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        *tail = f->prev;
    f->prev = f->next = NULL;
    f->list = LIST_NONE;
}

void evlog__list_push_front(struct evlog *log, struct evlog_file *f, enum evlog_list which)
{
    struct evlog_file **head, **tail;
    evlog__list_remove(log, f);
    if (which == LIST_OPEN) {
        head = &log->open_head;
        tail = &log->open_tail;
    } else {
        head = &log->remembered_head;
        tail = &log->remembered_tail;
        log->remembered++;
    }
    f->prev = NULL;
    f->next = *head;
    if (*head)
        (*head)->prev = f;
    else
        *tail = f;
    *head = f;
    f->list = which;
}

/* The room table. */

static unsigned room_hash(const char *room)
{
    unsigned h = 2166136261u;
    for (; *room; room++)
        h = (h ^ (unsigned char)*room) * 16777619u;
    return h % EVLOG_HASH_BUCKETS;
}

static struct evlog_file *file_find(struct evlog *log, const char *room)
{
    for (struct evlog_file *f = log->table[room_hash(room)]; f; f = f->hash_next)
        if (strcmp(f->room, room) == 0)
            return f;
    return NULL;
}

struct evlog_file *evlog__file_get(struct evlog *log, const char *room)
{
    struct evlog_file *f = file_find(log, room);
    if (f)
        return f;
    f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->log = log;
    f->fd = -1;
    f->work.data = f;
    memcpy(f->room, room, strlen(room) + 1);
    unsigned h = room_hash(room);
    f->hash_next = log->table[h];
    log->table[h] = f;
    return f;
}

void evlog__file_free(struct evlog *log, struct evlog_file *f)
{
    struct evlog_file **p = &log->table[room_hash(f->room)];
    while (*p != f)
        p = &(*p)->hash_next;
    *p = f->hash_next;
    evlog__list_remove(log, f);
    batch_free(&f->pending);
    batch_free(&f->writing);
    free(f->loaded);
    free(f->job.note);
    free(f);
}

/* A file with nothing to do and no fd is either remembered (its length
 * saves a rescan on reopen) or freed; the remembered set is bounded. */
void evlog__file_settle(struct evlog *log, struct evlog_file *f)
{
    if (f->busy || f->fd >= 0 || f->on_ready || f->pending.count || f->delete_wanted || f->load_wanted ||
        f->truncate_wanted)
        return;
    if (!f->known) {
        evlog__file_free(log, f);
        return;
    }
    batch_free(&f->writing);
    batch_free(&f->pending);
    evlog__list_push_front(log, f, LIST_REMEMBERED);
    /* This is the only place a file joins the remembered set, one at a
     * time, so at most one leaves: the least recently used, at the tail,
     * which is never f (f is at the head and the limit is above 1). */
    if (log->remembered > EVLOG_REMEMBERED_MAX)
        evlog__file_free(log, log->remembered_tail);
}

/* Closes the least recently used idle file to make room for another. */
bool evlog__evict_one(struct evlog *log)
{
    for (struct evlog_file *f = log->open_tail; f; f = f->prev) {
        if (f->busy || f->on_ready || f->pending.count || f->delete_wanted || f->load_wanted || f->truncate_wanted)
            continue;
        evlog__clear_orders(f);
        f->job.close = true;
        f->job.evict = true;
        f->job.sync = f->dirty && log->sync == EVLOG_SYNC_BATCH && log->flush == EVLOG_FLUSH_FDATASYNC;
        log->evicting++;
        evlog__submit(log, f);
        return true;
    }
    return false;
}
