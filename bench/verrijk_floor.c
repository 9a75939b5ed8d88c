/* verrijk_floor.c - the floor: the sends a server made for a scenario, with no game, log or protocol work, to compare its CPU with.
 *
 * verrijk-bench reports, for its measured interval, the frames and bytes
 * the server sent to all members together (frames, bytes_in: what the
 * bench read) and the frames and bytes the members sent (frames_out,
 * bytes_out: the intents). This program replays that traffic over the same
 * number of loopback TCP connections, in two processes: the "server"
 * (pinned to --server-cpu) accepts the connections and answers every
 * message it reads with its share of the frames (frames / intents of them,
 * one send() each, round-robin over the connections; their sizes are the
 * real run's mix with --sizes, verrijk-bench's frame_sizes, else each of
 * the mean size); the "clients" (pinned to --client-cpu) send the messages
 * paced evenly over --seconds and read everything. The server side's CPU
 * (getrusage over the interval, like /proc for our server) divided by the
 * events the real run delivered is the floor per event: what one send()
 * per frame and one recv() per message cost on this machine, which no
 * server speaking this protocol over TCP can go below with one send per
 * frame. It sends no WebSocket framing work beyond the bytes (the frame
 * sizes include the header), allocates nothing per frame, keeps no state.
 *
 *   verrijk-floor --conns 1000 --frames 600000 --bytes 40000000 --in-frames 70000 \
 *                 --in-bytes 3000000 --seconds 10 --events 700000 [--bursts K] [--server-cpu 0 --client-cpu 1] [--json]
 *   verrijk-floor --conns 1000 --sizes 550000:30000000,50000:10000000 --in-frames 70000 ...
 *
 * --bursts K sends the messages in K bursts spread over the interval (all
 * of a burst in one go), as verrijk-bench's burst scenario does, instead
 * of evenly.
 *
 * Loopback only. Exit 0 when every byte arrived, 2 on a setup failure,
 * 4 when the traffic did not complete within --seconds + 60.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FLOOR_SOURCES   16 /* source addresses 127.0.0.1..16, as verrijk-bench spreads its connections */
#define FLOOR_FRAME_MAX (1u << 20)
#define FLOOR_EVENTS    256
#define FLOOR_GRACE_S   60

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

static struct {
    unsigned conns;
    double seconds;
    uint64_t frames, bytes, in_frames, in_bytes, events;
    unsigned bursts; /* 0: the messages evenly over the interval; K: in K bursts at 0, S/K, 2S/K, ... (a burst run) */
    int server_cpu, client_cpu;
    bool json;
} o = {.server_cpu = -1, .client_cpu = -1};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static void pin(int cpu)
{
    if (cpu < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) < 0)
        perror("verrijk-floor: sched_setaffinity");
}

static void nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* as our server and the peers send */
}

/* The size of frame k of n frames over total bytes: every frame the mean, the remainder spread, the sum exact. */
static size_t part(uint64_t total, uint64_t n, uint64_t k)
{
    return (size_t)(total * (k + 1) / n - total * k / n);
}

/* --sizes: the real run's frames by size, as verrijk-bench reports them
 * (frame_sizes: per bucket of sizes, its frames and their bytes). Frame k
 * takes the size at position (k * stride) mod frames of the buckets laid
 * end to end, a bucket's frames each of its mean size (part): the stride
 * is coprime with the frame count, so every position comes exactly once,
 * and the frames sent are the real run's mix, interleaved, with its exact
 * count and bytes. */
#define FLOOR_SIZES_MAX 1024
static struct size_bucket {
    uint64_t frames, bytes, first; /* first: position of its first frame */
} sizes[FLOOR_SIZES_MAX];
static unsigned n_sizes;
static uint64_t stride;

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Parses "frames:bytes,frames:bytes,..." into sizes[]; sets o.frames and o.bytes. */
static bool sizes_parse(const char *v)
{
    uint64_t frames = 0, bytes = 0;
    while (*v) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(v, &end, 10);
        if (errno || end == v || *end != ':' || n == 0 || n_sizes == FLOOR_SIZES_MAX)
            return false;
        v = end + 1;
        unsigned long long b = strtoull(v, &end, 10);
        if (errno || end == v || (*end && *end != ',') || b < n || b / n > FLOOR_FRAME_MAX)
            return false;
        v = *end ? end + 1 : end;
        sizes[n_sizes++] = (struct size_bucket){.frames = n, .bytes = b, .first = frames};
        frames += n;
        bytes += b;
    }
    if (!n_sizes)
        return false;
    o.frames = frames;
    o.bytes = bytes;
    stride = (uint64_t)((double)frames * 0.6180339887) | 1;
    while (gcd(stride, frames) != 1)
        stride++;
    return true;
}

/* The size of frame k of o.frames: from --sizes, else the mean (part). */
static size_t frame_size(uint64_t k)
{
    if (!n_sizes)
        return part(o.bytes, o.frames, k);
    uint64_t pos = (uint64_t)((unsigned __int128)k * stride % o.frames);
    unsigned lo = 0, hi = n_sizes - 1;
    while (lo < hi) { /* the last bucket whose first position is <= pos */
        unsigned mid = (lo + hi + 1) / 2;
        if (sizes[mid].first <= pos)
            lo = mid;
        else
            hi = mid - 1;
    }
    return part(sizes[lo].bytes, sizes[lo].frames, pos - sizes[lo].first);
}

/* Sends len bytes of buf on fd; what the socket does not take now waits in *owed (sent on EPOLLOUT). */
static void send_or_owe(int ep, int fd, const uint8_t *buf, size_t len, uint64_t *owed)
{
    if (*owed == 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n == (ssize_t)len)
            return;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            perror("verrijk-floor: send");
            exit(2);
        }
        len -= n > 0 ? (size_t)n : 0;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)fd};
        epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
    }
    *owed += len;
}

static void flush_owed(int ep, int fd, const uint8_t *zero, uint64_t *owed)
{
    while (*owed) {
        size_t want = *owed > FLOOR_FRAME_MAX ? FLOOR_FRAME_MAX : (size_t)*owed;
        ssize_t n = send(fd, zero, want, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        *owed -= (uint64_t)n;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)fd};
    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

/* The clients: connect, then send the messages paced over the interval and read everything. */
static int clients(int port, int ready_fd, int done_fd)
{
    pin(o.client_cpu);
    int ep = epoll_create1(0);
    int *fds = calloc(o.conns, sizeof *fds);
    static uint8_t rbuf[1 << 16], msg[FLOOR_FRAME_MAX];
    for (unsigned i = 0; i < o.conns; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        struct sockaddr_in src = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001u + i % FLOOR_SOURCES)};
        bind(fd, (struct sockaddr *)&src, sizeof src);
        struct sockaddr_in dst = {
            .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(0x7f000001u)};
        if (connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0) {
            perror("verrijk-floor: connect");
            return 2;
        }
        nonblock(fd);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)fd};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        fds[i] = fd;
    }
    char c = 'r';
    if (write(ready_fd, &c, 1) != 1)
        return 2;
    if (read(ready_fd, &c, 1) != 1) /* the server's go */
        return 2;
    double cpu0 = cpu_s(), t0 = now_s(), deadline = t0 + o.seconds + FLOOR_GRACE_S;
    uint64_t sent = 0, got = 0;
    struct epoll_event evs[FLOOR_EVENTS];
    while (got < o.bytes && now_s() < deadline) {
        double t = now_s() - t0;
        uint64_t due;
        if (o.bursts) {
            uint64_t b = o.seconds > 0 ? (uint64_t)(t / o.seconds * o.bursts) + 1 : o.bursts;
            due = o.in_frames * (b > o.bursts ? o.bursts : b) / o.bursts;
        } else {
            due = o.seconds > 0 ? (uint64_t)(t / o.seconds * (double)o.in_frames) : o.in_frames;
        }
        if (due > o.in_frames)
            due = o.in_frames;
        for (; sent < due; sent++) {
            size_t len = part(o.in_bytes, o.in_frames, sent);
            if (send(fds[sent % o.conns], msg, len, MSG_NOSIGNAL) != (ssize_t)len) {
                perror("verrijk-floor: client send");
                return 2;
            }
        }
        int n = epoll_wait(ep, evs, FLOOR_EVENTS, sent < o.in_frames ? 1 : 100);
        for (int i = 0; i < n; i++) {
            ssize_t r;
            while ((r = recv((int)evs[i].data.u32, rbuf, sizeof rbuf, 0)) > 0)
                got += (uint64_t)r;
        }
    }
    double cpu = cpu_s() - cpu0;
    char line[128];
    int len = snprintf(line, sizeof line, "%.6f %llu\n", cpu, (unsigned long long)got);
    if (write(done_fd, line, (size_t)len) != len)
        return 2;
    return got == o.bytes ? 0 : 4;
}

static int server(int lfd, int ready_fd, int done_fd, pid_t child)
{
    pin(o.server_cpu);
    int ep = epoll_create1(0);
    int max_fd = 0;
    int *fds = calloc(o.conns, sizeof *fds);
    for (unsigned i = 0; i < o.conns; i++) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            perror("verrijk-floor: accept");
            return 2;
        }
        nonblock(fd);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)fd};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        fds[i] = fd;
        if (fd > max_fd)
            max_fd = fd;
    }
    uint64_t *owed = calloc((size_t)max_fd + 1, sizeof *owed);
    static uint8_t frame[FLOOR_FRAME_MAX], rbuf[1 << 16];
    char c;
    if (read(ready_fd, &c, 1) != 1)
        return 2;
    double cpu0 = cpu_s(), t0 = now_s(), deadline = t0 + o.seconds + FLOOR_GRACE_S;
    if (write(ready_fd, "g", 1) != 1)
        return 2;
    /* Each message read earns frames / in_frames frames (the fan-out of an intent); the last one earns the rest. */
    uint64_t in_got = 0, in_msgs = 0, out = 0, pending_bytes = 0;
    size_t next_in = part(o.in_bytes, o.in_frames, 0);
    struct epoll_event evs[FLOOR_EVENTS];
    while ((out < o.frames || pending_bytes) && now_s() < deadline) {
        int n = epoll_wait(ep, evs, FLOOR_EVENTS, 100);
        for (int i = 0; i < n; i++) {
            int fd = (int)evs[i].data.u32;
            if (evs[i].events & EPOLLOUT) {
                pending_bytes -= owed[fd];
                flush_owed(ep, fd, frame, &owed[fd]);
                pending_bytes += owed[fd];
            }
            if (!(evs[i].events & EPOLLIN))
                continue;
            ssize_t r;
            while ((r = recv(fd, rbuf, sizeof rbuf, 0)) > 0) {
                in_got += (uint64_t)r;
                while (in_msgs < o.in_frames && in_got >= next_in) {
                    in_got -= next_in;
                    in_msgs++;
                    next_in = in_msgs < o.in_frames ? part(o.in_bytes, o.in_frames, in_msgs) : SIZE_MAX;
                }
            }
            uint64_t earned = in_msgs >= o.in_frames ? o.frames : o.frames * in_msgs / o.in_frames;
            for (; out < earned; out++) {
                int to = fds[out % o.conns];
                uint64_t before = owed[to];
                send_or_owe(ep, to, frame, frame_size(out), &owed[to]);
                pending_bytes += owed[to] - before;
            }
        }
    }
    double cpu = cpu_s() - cpu0, secs = now_s() - t0;
    char line[128] = {0};
    ssize_t got_n = read(done_fd, line, sizeof line - 1);
    int status = 0;
    waitpid(child, &status, 0);
    double client_cpu = 0;
    unsigned long long client_bytes = 0;
    if (got_n <= 0 || sscanf(line, "%lf %llu", &client_cpu, &client_bytes) != 2)
        return 2;
    bool complete = out == o.frames && client_bytes == o.bytes;
    double per_event = o.events ? cpu / (double)o.events * 1e6 : 0;
    if (o.json)
        printf("{\"conns\":%u,\"frames\":%llu,\"bytes\":%llu,\"in_frames\":%llu,\"in_bytes\":%llu,\"events\":%llu,"
               "\"seconds\":%.3f,\"elapsed_s\":%.3f,\"floor_cpu_s\":%.4f,\"floor_us_per_frame\":%.4f,"
               "\"floor_us_per_event\":%.4f,\"clients_cpu_s\":%.4f,\"frame_mix\":\"%s\",\"complete\":%s}\n",
               o.conns, (unsigned long long)o.frames, (unsigned long long)o.bytes, (unsigned long long)o.in_frames,
               (unsigned long long)o.in_bytes, (unsigned long long)o.events, o.seconds, secs, cpu,
               cpu / (double)o.frames * 1e6, per_event, client_cpu, n_sizes ? "measured" : "mean",
               complete ? "true" : "false");
    else
        printf("floor: %u connections, %llu frames (%llu bytes) for %llu messages (%llu bytes) in %.2f s: "
               "server side %.3f s CPU = %.3f us per frame, %.3f us per event; clients %.3f s CPU%s\n",
               o.conns, (unsigned long long)o.frames, (unsigned long long)o.bytes, (unsigned long long)o.in_frames,
               (unsigned long long)o.in_bytes, secs, cpu, cpu / (double)o.frames * 1e6, per_event, client_cpu,
               complete ? "" : " (INCOMPLETE)");
    return complete ? 0 : 4;
}

static bool u64_arg(const char *v, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || end == v || *end)
        return false;
    *out = x;
    return true;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t x = 0;
        if (strcmp(a, "--json") == 0) {
            o.json = true;
            continue;
        }
        if (strcmp(a, "--sizes") == 0 && v) {
            if (!sizes_parse(v)) {
                fprintf(stderr, "verrijk-floor: --sizes needs frames:bytes,... (verrijk-bench's frame_sizes)\n");
                return 1;
            }
            i++;
            continue;
        }
        if (strcmp(a, "--seconds") == 0 && v) {
            char *end;
            o.seconds = strtod(v, &end);
            if (end == v || *end || !(o.seconds >= 0 && o.seconds < 3600)) {
                fprintf(stderr, "verrijk-floor: --seconds needs a number of seconds\n");
                return 1;
            }
            i++;
            continue;
        }
        if (!v || !u64_arg(v, &x)) {
            fprintf(stderr, "verrijk-floor: %s needs a number\n", a);
            return 1;
        }
        i++;
        if (strcmp(a, "--conns") == 0)
            o.conns = (unsigned)x;
        else if (strcmp(a, "--frames") == 0)
            o.frames = n_sizes ? o.frames : x; /* --sizes says */
        else if (strcmp(a, "--bytes") == 0)
            o.bytes = n_sizes ? o.bytes : x;
        else if (strcmp(a, "--in-frames") == 0)
            o.in_frames = x;
        else if (strcmp(a, "--in-bytes") == 0)
            o.in_bytes = x;
        else if (strcmp(a, "--events") == 0)
            o.events = x;
        else if (strcmp(a, "--bursts") == 0)
            o.bursts = (unsigned)x;
        else if (strcmp(a, "--server-cpu") == 0)
            o.server_cpu = (int)x;
        else if (strcmp(a, "--client-cpu") == 0)
            o.client_cpu = (int)x;
        else {
            fprintf(stderr, "verrijk-floor: unknown option %s\n", a);
            return 1;
        }
    }
    if (!o.conns || o.conns > 19900 || !o.frames || !o.in_frames || o.bytes < o.frames || o.in_bytes < o.in_frames ||
        o.bytes / o.frames > FLOOR_FRAME_MAX || o.in_bytes / o.in_frames > FLOOR_FRAME_MAX) {
        fprintf(stderr,
                "usage: verrijk-floor --conns N (--frames F --bytes B | --sizes F:B,...) --in-frames I --in-bytes BI "
                "--seconds S [--events E] [--bursts K] [--server-cpu C] [--client-cpu C] [--json]\n");
        return 1;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001u)};
    socklen_t alen = sizeof a;
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 4096) < 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &alen) < 0) {
        perror("verrijk-floor: listen");
        return 2;
    }
    int ready[2], done[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, ready) < 0 || pipe(done) < 0)
        return 2;
    pid_t pid = fork();
    if (pid < 0)
        return 2;
    if (pid == 0) {
        close(lfd);
        _exit(clients(ntohs(a.sin_port), ready[1], done[1]));
    }
    return server(lfd, ready[0], done[0], pid);
}
