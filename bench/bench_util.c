/* bench_util.c - verrijk-bench's small helpers: random numbers, the CPU and RSS of processes, protocol violations, room codes and card ids. */
#include "bench_internal.h"

/* ---- small helpers ---- */

uint64_t rng_next(void)
{
    /* xorshift64*: cheap and good enough for masks, codes, votes. */
    g.rng ^= g.rng >> 12;
    g.rng ^= g.rng << 25;
    g.rng ^= g.rng >> 27;
    return g.rng * UINT64_C(2685821657736338717);
}

double cpu_self(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* VmRSS of the server in KiB, or -1 when there is no --pid or it cannot be read. */
long proc_rss_kb(void)
{
    char path[64], line[256];
    long kb = -1;
    if (g.pid <= 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%d/status", g.pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

/* utime + stime of process pid in seconds, or -1. */
static double pid_cpu_s(int pid)
{
    char path[64], text[1024];
    if (pid <= 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    /* The command name may hold spaces: fields are counted after the last ')'. */
    char *p = strrchr(text, ')');
    if (!p)
        return -1;
    /* After ')': state is field 3, utime field 14 and stime field 15 of proc(5). */
    unsigned long long ticks = 0;
    int field = 2, got = 0;
    char *save = NULL;
    for (char *tok = strtok_r(p + 1, " ", &save); tok && got < 2; tok = strtok_r(NULL, " ", &save)) {
        if (++field < 14)
            continue;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(tok, &end, 10);
        if (errno || end == tok)
            return -1;
        ticks += v;
        got++;
    }
    if (got != 2)
        return -1;
    return (double)ticks / (double)sysconf(_SC_CLK_TCK);
}

/* The server's (--pid). */
double proc_cpu_s(void)
{
    return pid_cpu_s(g.pid);
}

/* Each --cpu-pid's into at[]. */
void cpu_pids_read(double *at)
{
    for (unsigned i = 0; i < g.n_cpu_pids; i++)
        at[i] = pid_cpu_s(g.cpu_pids[i]);
}

void on_ws_violation(ws_conn *ws, const char *what)
{
    conn *c = (conn *)ws;
    g.violations++;
    if (g.violations <= BENCH_VIOLATIONS_SHOWN)
        fprintf(stderr, "verrijk-bench: protocol violation on room %s member %u: %s\n", c->room->code,
                (unsigned)c->idx + 1, what);
}

/* ---- room codes and cards ---- */

void room_new_code(room *r)
{
    for (int i = 0; i < BENCH_ROOM_LEN; i++)
        r->code[i] = ROOM_ALPHABET[rng_next() % (sizeof ROOM_ALPHABET - 1)];
    r->code[BENCH_ROOM_LEN] = '\0';
}

/* The index of a card id, remembered on first sight; -1 past the bound. */
int card_intern(const char *s, size_t n)
{
    if (n == 0 || n > BENCH_CARD_ID_MAX)
        return -1;
    for (unsigned i = 0; i < g.n_cards; i++)
        if (g.card_len[i] == n && memcmp(g.cards[i], s, n) == 0)
            return (int)i;
    if (g.n_cards == BENCH_CARDS_MAX)
        return -1;
    memcpy(g.cards[g.n_cards], s, n);
    g.cards[g.n_cards][n] = '\0';
    g.card_len[g.n_cards] = (uint8_t)n;
    return (int)g.n_cards++;
}
