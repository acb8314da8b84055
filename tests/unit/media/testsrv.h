/* testsrv.h — a tiny HTTP/1.0 server on 127.0.0.1 for the media tests.
 *
 * One thread, one connection at a time: read the request head, answer from a
 * fixed route table, close. Enough to test fetch limits, redirects and
 * ingest against real sockets without any network access. Header-only
 * (static functions) so each test binary includes its own copy. */
#ifndef RB_TESTSRV_H
#define RB_TESTSRV_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TESTSRV_ROUTES 16

typedef struct testsrv_route {
    char path[128];
    int status;
    char content_type[64];
    char location[256]; /* for redirects, "" otherwise */
    char *body;         /* owned */
    size_t len;
    int no_length; /* omit Content-Length (body ends when the connection closes) */
    int delay_ms;  /* wait before answering */
} testsrv_route;

typedef struct testsrv {
    int fd;
    int port;
    pthread_t thread;
    volatile int stop;
    volatile int requests;
    testsrv_route routes[TESTSRV_ROUTES];
    int nroutes;
    char base[64]; /* "http://127.0.0.1:<port>" */
} testsrv;

static void testsrv_route_add(testsrv *s, const char *path, int status, const char *ctype,
                              const void *body, size_t len)
{
    testsrv_route *r = &s->routes[s->nroutes++];
    memset(r, 0, sizeof *r);
    snprintf(r->path, sizeof r->path, "%s", path);
    r->status = status;
    snprintf(r->content_type, sizeof r->content_type, "%s", ctype ? ctype : "text/plain");
    r->body = malloc(len + 1);
    if (len)
        memcpy(r->body, body, len);
    r->len = len;
}

__attribute__((unused)) static testsrv_route *testsrv_route_last(testsrv *s)
{
    return &s->routes[s->nroutes - 1];
}

static void testsrv_send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void testsrv_serve(testsrv *s, int c)
{
    char req[4096];
    size_t got = 0;
    while (got < sizeof req - 1) {
        struct pollfd p = {.fd = c, .events = POLLIN};
        if (poll(&p, 1, 2000) <= 0)
            return;
        ssize_t r = recv(c, req + got, sizeof req - 1 - got, 0);
        if (r <= 0)
            return;
        got += (size_t)r;
        req[got] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    char path[256] = "";
    if (sscanf(req, "GET %255s", path) != 1)
        return;
    s->requests++;
    testsrv_route *r = NULL;
    for (int i = 0; i < s->nroutes; i++)
        if (strcmp(s->routes[i].path, path) == 0)
            r = &s->routes[i];
    char head[1024];
    if (!r) {
        const char *nf = "HTTP/1.0 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found";
        testsrv_send_all(c, nf, strlen(nf));
        return;
    }
    if (r->delay_ms) {
        struct timespec ts = {r->delay_ms / 1000, (long)(r->delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    int n = snprintf(head, sizeof head, "HTTP/1.0 %d X\r\nContent-Type: %s\r\n", r->status,
                     r->content_type);
    if (r->location[0])
        n += snprintf(head + n, sizeof head - (size_t)n, "Location: %s\r\n", r->location);
    if (!r->no_length)
        n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n", r->len);
    n += snprintf(head + n, sizeof head - (size_t)n, "Connection: close\r\n\r\n");
    testsrv_send_all(c, head, (size_t)n);
    testsrv_send_all(c, r->body, r->len);
}

static void *testsrv_main(void *arg)
{
    testsrv *s = arg;
    while (!s->stop) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            continue;
        if (!s->stop)
            testsrv_serve(s, c);
        close(c);
    }
    return NULL;
}

static int testsrv_start(testsrv *s)
{
    memset(s, 0, sizeof *s);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->fd, 16) != 0)
        return -1;
    socklen_t al = sizeof a;
    getsockname(s->fd, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
    return pthread_create(&s->thread, NULL, testsrv_main, s);
}

static void testsrv_stop(testsrv *s)
{
    s->stop = 1;
    /* accept() is blocking: a connection of our own wakes it up. */
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)s->port);
    connect(c, (struct sockaddr *)&a, sizeof a);
    close(c);
    pthread_join(s->thread, NULL);
    close(s->fd);
    for (int i = 0; i < s->nroutes; i++)
        free(s->routes[i].body);
}

/* A mono 16-bit PCM WAV of `seconds` at 8 kHz (a 440 Hz-ish square wave):
 * the smallest real media file libavformat probes. Caller frees. */
__attribute__((unused)) static char *testsrv_make_wav(int seconds, int channels, size_t *len)
{
    const int rate = 8000;
    size_t samples = (size_t)rate * (size_t)seconds * (size_t)channels;
    size_t data = samples * 2;
    size_t n = 44 + data;
    unsigned char *b = calloc(1, n);
    unsigned byte_rate = (unsigned)(rate * channels * 2);
#define PUT32(o, v)                                                                                \
    do {                                                                                           \
        b[o] = (unsigned char)((v)&0xff);                                                          \
        b[(o) + 1] = (unsigned char)(((v) >> 8) & 0xff);                                           \
        b[(o) + 2] = (unsigned char)(((v) >> 16) & 0xff);                                          \
        b[(o) + 3] = (unsigned char)(((v) >> 24) & 0xff);                                          \
    } while (0)
#define PUT16(o, v)                                                                                \
    do {                                                                                           \
        b[o] = (unsigned char)((v)&0xff);                                                          \
        b[(o) + 1] = (unsigned char)(((v) >> 8) & 0xff);                                           \
    } while (0)
    memcpy(b, "RIFF", 4);
    PUT32(4, (unsigned)(n - 8));
    memcpy(b + 8, "WAVEfmt ", 8);
    PUT32(16, 16u);
    PUT16(20, 1u);
    PUT16(22, (unsigned)channels);
    PUT32(24, (unsigned)rate);
    PUT32(28, byte_rate);
    PUT16(32, (unsigned)(channels * 2));
    PUT16(34, 16u);
    memcpy(b + 36, "data", 4);
    PUT32(40, (unsigned)data);
    for (size_t i = 0; i < samples; i++) {
        unsigned v = ((i / 9) % 2) ? 0x2000u : 0xE000u;
        PUT16(44 + 2 * i, v);
    }
#undef PUT32
#undef PUT16
    *len = n;
    return (char *)b;
}

#endif
