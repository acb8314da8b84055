/* fake_openai.h — a loopback OpenAI-compatible server for the client tests.
 *
 * A test double for an outside service, built on libmicrohttpd inside the
 * test process: it records every request (method, path, Authorization
 * header, body) and answers from a scripted list of replies, repeating the
 * last one when the script runs out. One thread per connection, so a reply
 * that sleeps past the client's timeout does not hold up the next attempt.
 * Header-only (static functions): each test binary includes its own copy. */
#ifndef RB_FAKE_OPENAI_H
#define RB_FAKE_OPENAI_H

#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FAKE_MAX_REPLIES 16
#define FAKE_MAX_REQS 32
#define FAKE_MAX_BODY (1u << 20)

typedef struct fake_reply {
    int status;
    char *body; /* owned */
    char retry_after[64];
    int delay_ms;
} fake_reply;

typedef struct fake_req {
    char method[16];
    char path[256];
    int has_auth;
    char auth[600];
    json_t *body; /* parsed request body, NULL when not JSON */
} fake_req;

typedef struct fake_openai {
    struct MHD_Daemon *d;
    int port;
    char base[96]; /* "http://127.0.0.1:<port>/v1" */
    pthread_mutex_t mu;
    fake_reply replies[FAKE_MAX_REPLIES];
    int nreplies;
    int next;
    fake_req reqs[FAKE_MAX_REQS];
    int nreqs;
} fake_openai;

typedef struct fake_upload {
    char *data;
    size_t len;
    int too_big;
} fake_upload;

/* Queues a reply; the body is copied. */
static void fake_reply_add(fake_openai *f, int status, const char *body, const char *retry_after,
                           int delay_ms)
{
    pthread_mutex_lock(&f->mu);
    fake_reply *r = &f->replies[f->nreplies++];
    r->status = status;
    r->body = strdup(body ? body : "");
    snprintf(r->retry_after, sizeof r->retry_after, "%s", retry_after ? retry_after : "");
    r->delay_ms = delay_ms;
    pthread_mutex_unlock(&f->mu);
}

/* A chat completion whose message content is `content` (NULL: null content). */
static char *fake_completion(const char *content, int prompt_tokens, int completion_tokens)
{
    json_t *j = json_pack("{s:s, s:s, s:[{s:i, s:{s:s, s:o}, s:s}], s:{s:i, s:i, s:i}}", "id",
                          "chatcmpl-fake", "object", "chat.completion", "choices", "index", 0,
                          "message", "role", "assistant", "content",
                          content ? json_string(content) : json_null(), "finish_reason", "stop",
                          "usage", "prompt_tokens", prompt_tokens, "completion_tokens",
                          completion_tokens, "total_tokens", prompt_tokens + completion_tokens);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

static void fake_ok(fake_openai *f, const char *content, int pt, int ct)
{
    char *b = fake_completion(content, pt, ct);
    fake_reply_add(f, 200, b, NULL, 0);
    free(b);
}

static enum MHD_Result fake_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                    const char *method, const char *version,
                                    const char *upload_data, size_t *upload_size, void **ctx)
{
    fake_openai *f = cls;
    fake_upload *u = *ctx;
    if (!u) {
        u = calloc(1, sizeof *u);
        *ctx = u;
        return MHD_YES;
    }
    if (*upload_size) {
        if (u->len + *upload_size > FAKE_MAX_BODY) {
            u->too_big = 1;
        } else {
            u->data = realloc(u->data, u->len + *upload_size + 1);
            memcpy(u->data + u->len, upload_data, *upload_size);
            u->len += *upload_size;
            u->data[u->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&f->mu);
    if (f->nreqs < FAKE_MAX_REQS) {
        fake_req *q = &f->reqs[f->nreqs++];
        snprintf(q->method, sizeof q->method, "%s", method);
        snprintf(q->path, sizeof q->path, "%s", url);
        const char *a = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
        q->has_auth = a != NULL;
        snprintf(q->auth, sizeof q->auth, "%s", a ? a : "");
        q->body = u->data ? json_loadb(u->data, u->len, 0, NULL) : NULL;
    }
    fake_reply rep = {500, NULL, "", 0};
    const char *body = "{\"error\":{\"message\":\"no scripted reply\"}}";
    if (f->nreplies > 0) {
        int i = f->next < f->nreplies ? f->next++ : f->nreplies - 1;
        rep = f->replies[i];
        body = rep.body;
    }
    pthread_mutex_unlock(&f->mu);
    if (rep.delay_ms > 0) {
        struct timespec ts = {rep.delay_ms / 1000, (long)(rep.delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    if (rep.retry_after[0])
        MHD_add_response_header(resp, "Retry-After", rep.retry_after);
    enum MHD_Result r = MHD_queue_response(conn, (unsigned)rep.status, resp);
    MHD_destroy_response(resp);
    return r;
}

static void fake_completed(void *cls, struct MHD_Connection *conn, void **ctx,
                           enum MHD_RequestTerminationCode toe)
{
    fake_upload *u = *ctx;
    if (u) {
        free(u->data);
        free(u);
        *ctx = NULL;
    }
}

static int fake_start(fake_openai *f)
{
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    f->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
                            NULL, NULL, fake_handler, f, MHD_OPTION_SOCK_ADDR, &a,
                            MHD_OPTION_NOTIFY_COMPLETED, fake_completed, f, MHD_OPTION_END);
    if (!f->d)
        return -1;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT);
    f->port = di ? di->port : 0;
    snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d/v1", f->port);
    return f->port ? 0 : -1;
}

static void fake_stop(fake_openai *f)
{
    if (f->d)
        MHD_stop_daemon(f->d);
    for (int i = 0; i < f->nreplies; i++)
        free(f->replies[i].body);
    for (int i = 0; i < f->nreqs; i++)
        json_decref(f->reqs[i].body);
    pthread_mutex_destroy(&f->mu);
}

#endif
