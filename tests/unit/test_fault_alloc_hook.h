/* test_fault_alloc_hook: the allocator hook that the test_fault_alloc_* tests share (each
 * executable includes it once: it defines the __wrap_ functions).
 *
 * The fault_alloc tests fail the Nth allocation of a scripted session, for every N, and checks that
 * the failure surfaces as an error (and the step succeeds when tried again), never as a crash, a
 * leak (LeakSanitizer in the sanitizer build) or a log that differs from the room.
 *
 * Linked with -Wl,--wrap=malloc,... (tests/CMakeLists.txt), and with msgpack-c's static library, so
 * that every allocation of the decoder, the game core, the log and msgpack-c comes here. The
 * session: room_new and evlog_open; then per step a client message packed by a client and decoded
 * with vp_decode, decided and applied by the game core, its events packed as the server packs them
 * and appended to the log as one unit (evlog_appendv); at the end evlog_close. A step that fails
 * after decide loads the room again from its log, as the server does; the step is then tried again
 * (only one allocation fails per run), as a client retries after `server_busy`. Then
 * the log is read back (every CRC checked) and replayed: it must give the room that was played,
 * and that room must be the one a run without failures gives. */
#ifndef VERRIJK_TEST_FAULT_ALLOC_HOOK_H
#define VERRIJK_TEST_FAULT_ALLOC_HOOK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <msgpack.h>
#include <uv.h>

#include "game/deck.h"
#include "game/event.h"
#include "game/room.h"
#include "game/room_internal.h"
#include "log/evlog.h"
#include "test_game_util.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FA_LSAN 1
#endif
#endif
#if !defined(FA_LSAN) && defined(__SANITIZE_ADDRESS__)
#define FA_LSAN 1
#endif
#ifdef FA_LSAN
#include <sanitizer/lsan_interface.h>
#endif

/* ---- the allocator hook ---- */

/* Counted only while fa_on; the fa_fail_at-th counted call fails. Atomic: the log's
 * jobs allocate on libuv's pool threads (one at a time: the loop waits for them). */
static atomic_bool fa_on;
static atomic_long fa_count;
static atomic_long fa_fail_at;
static atomic_long fa_failed;

static inline bool fa_fail(void)
{
    if (!atomic_load(&fa_on))
        return false;
    long n = atomic_fetch_add(&fa_count, 1) + 1;
    if (n != atomic_load(&fa_fail_at))
        return false;
    atomic_fetch_add(&fa_failed, 1);
    return true;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t n)
{
    return fa_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fa_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fa_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return fa_fail() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return fa_fail() ? NULL : __real_strndup(s, n);
}

/* Where the failures of a sweep surfaced: the sweep must reach each part. */
enum { FA_AT_DECODE, FA_AT_DECIDE, FA_AT_APPLY, FA_AT_PACK, FA_AT_LOG, FA_AT_OTHER, FA_AT_N };
static const char *const fa_at_name[FA_AT_N] = {"decode", "decide", "apply", "pack", "log", "room_new/evlog_open"};
static long fa_at[FA_AT_N];

/* Checks run with the hook off: they allocate, and must not be what fails. */
static inline bool fa_pause(void)
{
    return atomic_exchange(&fa_on, false);
}

static inline void fa_resume(bool was)
{
    atomic_store(&fa_on, was);
}

#endif
