/* engine.c — the worker pool and the background loops of `robots serve`.
 *
 * Threads: cfg->workers workers (claim → run → complete/fail), one heartbeat
 * thread extending the leases of running jobs, one sweeper deleting jobs past
 * retention and one ingester preparing new assets. All of them sleep on
 * condition variables with a timeout, so a wake call or rb_engine_stop()
 * reaches them at once and a missed wake costs at most one poll interval.
 *
 * The store is the source of truth for every job state; the engine keeps
 * only which job each worker is running, so the heartbeat knows what to
 * extend and a lost lease can be reported to the running workflow. */
#include "engine/engine.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/log.h"
#include "engine/directives.h"
#include "workflows/workflow.h"

#define WORKER_POLL_MS 500       /* idle worker re-checks the store this often */
#define INGEST_POLL_MS 1000      /* idle ingester re-checks this often */
#define SWEEP_PERIOD_MS 60000    /* the sweeper runs once a minute */
/* The maintenance leader lease (docs/engine.md, "Leader"): held for this
 * long, renewed every third of it, so a dead leader's successor starts
 * within ttl + ttl/3 = 20 s. ROBOTS_LEADER_TTL_SECONDS overrides it. */
#define LEADER_NAME "maintenance"
#define LEADER_TTL_S 15
#define LEADER_TTL_MIN_S 1
#define LEADER_TTL_MAX_S 300
#define STATUS_CHECK_NS 200000000LL /* cancelled() reads the status at most every 200 ms */
#define BACKOFF_BASE_MS 2000
#define BACKOFF_CAP_MS 300000
#define DELAY_SLICE_MS 50

typedef struct rb_worker {
    struct rb_engine *engine;
    int n;
    char worker_id[160];
    pthread_t thread;
    int started;
    /* Guarded by engine->mu: the job this worker runs now. The generation
     * changes with every job, so a heartbeat answer about an earlier job
     * never marks a later one as lost. */
    int active;
    unsigned long gen;
    char job_id[RB_ID_MAX];
    /* Set when the lease was lost or the job was cancelled; read by the
     * workflow through ctx->cancelled without taking the mutex. */
    atomic_int lost;
    int64_t last_status_ns;
} rb_worker;

struct rb_engine {
    rb_store *store;
    rb_library *lib;
    const rb_config *cfg;
    pthread_mutex_t mu;
    pthread_cond_t work_cv;      /* idle workers */
    pthread_cond_t ingest_cv;    /* the ingester */
    pthread_cond_t bg_cv;        /* heartbeat and sweeper: only stop signals it */
    atomic_int stopping;
    unsigned long work_seq;      /* bumped by rb_engine_wake */
    unsigned long ingest_seq;    /* bumped by rb_engine_wake_ingest */
    int64_t delay_ms;            /* ROBOTS_DEBUG_WORKFLOW_DELAY_MS, a testing knob */
    const rb_workflow *(*find)(const char *name);
    int64_t backoff_base_ms, backoff_cap_ms;
    rb_worker *workers;
    int nworkers;
    pthread_t heartbeat, sweeper, ingester;
    int heartbeat_started, sweeper_started, ingester_started;
    /* The maintenance leader lease: this engine's owner id (unique per
     * process start), the lease ttl, whether it holds the lease now, and
     * how many sweeps it ran (for tests and the log). */
    char leader_owner[200];
    int leader_ttl_s;
    atomic_int leader;
    atomic_long sweeps;
};

/* ---- small helpers ------------------------------------------------------ */

/* Waits on cv for at most ms; the caller holds e->mu. */
static void timed_wait(rb_engine *e, pthread_cond_t *cv, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(cv, &e->mu, &ts);
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int64_t rb_engine_backoff_ms(int attempts, int64_t base_ms, int64_t cap_ms)
{
    if (attempts < 1)
        attempts = 1;
    if (base_ms < 1)
        base_ms = 1;
    if (cap_ms < base_ms)
        cap_ms = base_ms;
    /* Doubling stops at the cap, so a large attempt count cannot overflow. */
    int64_t d = base_ms;
    for (int i = 1; i < attempts && d < cap_ms; i++)
        d *= 2;
    if (d > cap_ms)
        d = cap_ms;
    /* ±20 % jitter spreads retries of jobs that failed together (e.g. an
     * upstream outage) so they do not all come back in the same instant. */
    uint32_t r = 0;
    if (rb_random_bytes(&r, sizeof r) != RB_OK)
        r = (uint32_t)rb_mono_ns();
    int64_t span = d * 2 / 5; /* 40 % of d: the jitter range [-20 %, +20 %] */
    int64_t j = span > 0 ? (int64_t)(r % (uint64_t)(span + 1)) - span / 2 : 0;
    int64_t out = d + j;
    return out < 1 ? 1 : out;
}

/* ---- cancellation ------------------------------------------------------- */

static int ctx_cancelled(rb_wf_ctx *ctx)
{
    rb_worker *w = ctx->engine_data;
    rb_engine *e = w->engine;
    /* A stopping engine asks running workflows to stop at their next check
     * point; the job is then released for another worker or the next start. */
    if (atomic_load(&e->stopping) || atomic_load(&w->lost))
        return 1;
    int64_t now = rb_mono_ns();
    if (now - w->last_status_ns < STATUS_CHECK_NS)
        return 0;
    w->last_status_ns = now;
    enum rb_job_status s;
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_store_job_status(e->store, ctx->job->id, &s, &err);
    if (rc == RB_NOTFOUND || (rc == RB_OK && s != RB_JOB_PROCESSING)) {
        atomic_store(&w->lost, 1);
        return 1;
    }
    /* A transient store error is not a cancel: the heartbeat or the final
     * complete will notice a real loss of the job. */
    return 0;
}

/* ---- running one job ---------------------------------------------------- */

static json_t *errors_json(const char *type, const char *message, int retryable)
{
    return json_pack("[{s:s, s:s, s:b}]", "type", type, "message", message, "retryable",
                     retryable);
}

/* Internal failures (store, I/O) are not customer-safe: the job shows a
 * generic processing_error and the details go to the log. */
static int customer_safe(const rb_err *err)
{
    if (!err->type[0] || err->status >= 500)
        return 0;
    return strcmp(err->type, "internal_error") != 0 && strcmp(err->type, "unavailable") != 0;
}

static void finish_failure(rb_engine *e, rb_worker *w, const rb_job *job, const rb_err *werr,
                           const rb_wf_result *res)
{
    int max = job->max_attempts > 0 ? job->max_attempts : e->cfg->max_attempts;
    int retry = res->retryable && job->attempts < max;
    const char *type = customer_safe(werr) ? werr->type : "processing_error";
    const char *msg = customer_safe(werr) && werr->message[0]
                          ? werr->message
                          : "An internal error occurred while processing the job.";
    int64_t retry_at = 0;
    if (retry)
        retry_at = rb_now_ms() + rb_engine_backoff_ms(job->attempts, e->backoff_base_ms,
                                                      e->backoff_cap_ms);
    rb_log(retry ? RB_LOG_WARN : RB_LOG_INFO,
           "engine: job %s attempt %d/%d failed (%s: %s)%s", job->id, job->attempts, max,
           werr->type[0] ? werr->type : "error", werr->message, retry ? ", will retry" : "");
    json_t *errors = errors_json(type, msg, res->retryable);
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_store_job_fail(e->store, job->id, w->worker_id, errors, res->units, retry_at, &err);
    if (rc == RB_CONFLICT)
        rb_info("engine: job %s was cancelled or taken over; failure dropped", job->id);
    else if (rc != RB_OK)
        rb_error("engine: recording failure of job %s: %s", job->id, err.message);
    json_decref(errors);
}

/* Gives a job back when the engine stops while it runs: no errored state, no
 * event, and the lease is released now, so the next claim (another node, or
 * this one after a restart) runs it again at once. The interrupted claim
 * still counted as an attempt (docs/engine.md, "Shutdown"). */
static void release_job(rb_engine *e, rb_worker *w, const rb_job *job)
{
    json_t *errors = errors_json("processing_error", "The worker stopped; the job will be resumed.",
                                 1);
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_store_job_fail(e->store, job->id, w->worker_id, errors, 0, rb_now_ms(), &err);
    if (rc == RB_OK)
        rb_info("engine: job %s released at shutdown", job->id);
    else if (rc != RB_CONFLICT)
        rb_warn("engine: releasing job %s: %s", job->id, err.message);
    json_decref(errors);
}

static void run_job(rb_engine *e, rb_worker *w, rb_job *job)
{
    pthread_mutex_lock(&e->mu);
    w->active = 1;
    w->gen++;
    snprintf(w->job_id, sizeof w->job_id, "%s", job->id);
    atomic_store(&w->lost, 0);
    w->last_status_ns = 0;
    pthread_mutex_unlock(&e->mu);

    rb_wf_ctx ctx = {.job = job, .library = e->lib, .cfg = e->cfg, .cancelled = ctx_cancelled,
                     .engine_data = w};
    rb_wf_result res = {0};
    rb_err werr;
    rb_err_clear(&werr);
    int rc;

    rb_debug("engine: %s claimed job %s (%s, attempt %d)", w->worker_id, job->id, job->workflow,
             job->attempts);
    /* The testing knob keeps a job in "processing" long enough for a
     * black-box test to cancel it or kill the server; it honours cancel. */
    int interrupted = 0;
    for (int64_t left = e->delay_ms; left > 0; left -= DELAY_SLICE_MS) {
        if (rb_wf_cancelled(&ctx)) {
            interrupted = 1;
            break;
        }
        sleep_ms(left < DELAY_SLICE_MS ? left : DELAY_SLICE_MS);
    }

    const rb_workflow *wf = e->find(job->workflow);
    if (interrupted) {
        rc = RB_CONFLICT;
    } else if (!wf) {
        /* Another node of a mixed-version deployment created a job this
         * build cannot run; retrying here cannot help. */
        rc = rb_err_set(&werr, 422, "processing_error",
                        "The workflow %s is not available on this server.", job->workflow);
    } else {
        rc = wf->run(&ctx, &res, &werr);
    }

    /* A workflow that stopped with RB_CONFLICT says it saw a cancel; make
     * sure with a fresh status read, so a conflict it met on its own is not
     * mistaken for one (and the job left to the lease rescue). */
    if (rc == RB_CONFLICT && !atomic_load(&w->lost) && !atomic_load(&e->stopping)) {
        w->last_status_ns = 0;
        (void)ctx_cancelled(&ctx);
    }

    rb_err err;
    rb_err_clear(&err);
    if (rc == RB_OK) {
        /* The side effects are done: a transient store error must not leave
         * the job to the lease rescue, which would run it (and upload) again. */
        int crc = RB_ERR;
        for (int i = 0; i < 5; i++) {
            crc = rb_store_job_complete(e->store, job->id, w->worker_id, res.outputs, res.units,
                                        &err);
            if (crc == RB_OK || crc == RB_CONFLICT || crc == RB_NOTFOUND)
                break;
            sleep_ms(100LL << i);
        }
        if (crc == RB_OK)
            rb_info("engine: job %s completed (%lld units)", job->id, (long long)res.units);
        else if (crc == RB_CONFLICT)
            rb_info("engine: job %s was cancelled or taken over; result dropped", job->id);
        else
            rb_error("engine: completing job %s: %s", job->id, err.message);
    } else if (rc == RB_CONFLICT && atomic_load(&w->lost)) {
        rb_info("engine: job %s stopped after a cancel", job->id);
    } else if (rc == RB_CONFLICT && atomic_load(&e->stopping)) {
        release_job(e, w, job);
    } else {
        /* A conflict the workflow met on its own (not a cancel) is a
         * failure like any other. */
        if (rc == RB_CONFLICT && !werr.type[0])
            rb_err_set(&werr, 500, "processing_error", "the workflow stopped on a conflict");
        finish_failure(e, w, job, &werr, &res);
    }
    json_decref(res.outputs);

    pthread_mutex_lock(&e->mu);
    w->active = 0;
    w->job_id[0] = '\0';
    pthread_mutex_unlock(&e->mu);
}

/* ---- threads ------------------------------------------------------------ */

static void *worker_main(void *arg)
{
    rb_worker *w = arg;
    rb_engine *e = w->engine;
    while (!atomic_load(&e->stopping)) {
        pthread_mutex_lock(&e->mu);
        unsigned long seen = e->work_seq;
        pthread_mutex_unlock(&e->mu);

        rb_job job;
        rb_job_init(&job);
        size_t n = 0;
        rb_err err;
        rb_err_clear(&err);
        int rc = rb_store_job_claim(e->store, w->worker_id, e->cfg->lease_seconds, 1, &job, &n,
                                    &err);
        if (rc != RB_OK) {
            if (rc != RB_BUSY)
                rb_warn("engine: %s claim failed: %s", w->worker_id, err.message);
            n = 0;
        }
        if (n > 0) {
            run_job(e, w, &job);
            rb_job_clear(&job);
            continue;
        }
        rb_job_clear(&job);
        pthread_mutex_lock(&e->mu);
        /* A wake between the claim and here bumped work_seq: claim again. */
        if (!atomic_load(&e->stopping) && e->work_seq == seen)
            timed_wait(e, &e->work_cv, WORKER_POLL_MS);
        pthread_mutex_unlock(&e->mu);
    }
    return NULL;
}

static void *heartbeat_main(void *arg)
{
    rb_engine *e = arg;
    int64_t period_ms = (int64_t)e->cfg->lease_seconds * 1000 / 3;
    if (period_ms < 500)
        period_ms = 500;
    pthread_mutex_lock(&e->mu);
    while (!atomic_load(&e->stopping)) {
        timed_wait(e, &e->bg_cv, period_ms);
        if (atomic_load(&e->stopping))
            break;
        for (int i = 0; i < e->nworkers; i++) {
            rb_worker *w = &e->workers[i];
            if (!w->active)
                continue;
            char id[RB_ID_MAX];
            snprintf(id, sizeof id, "%s", w->job_id);
            unsigned long gen = w->gen;
            /* The store call must not hold the mutex: workers need it to
             * start and finish jobs. */
            pthread_mutex_unlock(&e->mu);
            rb_err err;
            rb_err_clear(&err);
            int rc = rb_store_job_heartbeat(e->store, id, w->worker_id, e->cfg->lease_seconds,
                                            &err);
            pthread_mutex_lock(&e->mu);
            if (rc == RB_NOTFOUND && w->active && w->gen == gen) {
                rb_info("engine: lease of job %s lost (cancelled or taken over)", id);
                atomic_store(&w->lost, 1);
            } else if (rc != RB_OK && rc != RB_NOTFOUND) {
                rb_warn("engine: heartbeat of job %s failed: %s", id, err.message);
            }
        }
    }
    pthread_mutex_unlock(&e->mu);
    return NULL;
}

static void sweep_once(rb_engine *e)
{
    int64_t deleted = 0;
    rb_err err;
    rb_err_clear(&err);
    int64_t before = rb_now() - (int64_t)e->cfg->retention_days * 86400;
    int rc = rb_store_job_sweep(e->store, before, &deleted, &err);
    if (rc != RB_OK)
        rb_warn("engine: sweep failed: %s", err.message);
    else if (deleted > 0)
        rb_info("engine: swept %lld jobs past retention", (long long)deleted);
    /* Directive runs are kept as long as jobs (spec §1.10). */
    rc = rb_store_directive_run_sweep(e->store, before, &deleted, &err);
    if (rc != RB_OK)
        rb_warn("engine: run sweep failed: %s", err.message);
    else if (deleted > 0)
        rb_info("engine: swept %lld directive runs past retention", (long long)deleted);
}

/* The maintenance loop: renews the leader lease every ttl/3 and, while
 * this node holds it, runs the retention sweep at once and then every
 * minute. Only one node of a cluster sweeps; when it dies its lease runs out
 * and the next node to renew takes over (the claim of an expired job lease
 * is atomic per job in the store, so job rescue needs no leader). A store
 * error counts as not leading: the lease then expires and another node that
 * can reach the database leads. */
static void *sweeper_main(void *arg)
{
    rb_engine *e = arg;
    int64_t period_ms = (int64_t)e->leader_ttl_s * 1000 / 3;
    if (period_ms < 100)
        period_ms = 100;
    int64_t last_sweep_ns = 0;
    int was = 0, warned = 0;
    while (!atomic_load(&e->stopping)) {
        int lead = 0;
        rb_err err;
        rb_err_clear(&err);
        int rc = rb_store_leader_acquire(e->store, LEADER_NAME, e->leader_owner, e->leader_ttl_s,
                                         &lead, &err);
        if (rc != RB_OK) {
            lead = 0;
            if (!warned)
                rb_warn("engine: leader lease: %s", err.message);
            warned = 1;
        } else {
            warned = 0;
        }
        atomic_store(&e->leader, lead);
        if (lead && !was)
            rb_info("engine: %s now leads maintenance (retention sweep)", e->leader_owner);
        else if (!lead && was)
            rb_info("engine: %s no longer leads maintenance", e->leader_owner);
        was = lead;
        int64_t now = rb_mono_ns();
        if (lead && (last_sweep_ns == 0 || now - last_sweep_ns >= SWEEP_PERIOD_MS * 1000000LL)) {
            sweep_once(e);
            atomic_fetch_add(&e->sweeps, 1);
            last_sweep_ns = rb_mono_ns();
        } else if (!lead) {
            /* A new leader sweeps at once. */
            last_sweep_ns = 0;
        }
        pthread_mutex_lock(&e->mu);
        if (!atomic_load(&e->stopping))
            timed_wait(e, &e->bg_cv, period_ms);
        pthread_mutex_unlock(&e->mu);
    }
    /* A clean stop hands over now instead of after the ttl. */
    if (was) {
        rb_err err;
        rb_err_clear(&err);
        if (rb_store_leader_release(e->store, LEADER_NAME, e->leader_owner, &err) != RB_OK)
            rb_warn("engine: releasing the leader lease: %s", err.message);
        atomic_store(&e->leader, 0);
    }
    return NULL;
}

static void *ingester_main(void *arg)
{
    rb_engine *e = arg;
    while (!atomic_load(&e->stopping)) {
        pthread_mutex_lock(&e->mu);
        unsigned long seen = e->ingest_seq;
        pthread_mutex_unlock(&e->mu);
        rb_err err;
        rb_err_clear(&err);
        int n = rb_library_ingest_once(e->lib, &err);
        if (n < 0)
            rb_warn("engine: ingest failed: %s", err.message);
        /* Directive runs share this loop: they wait on ingest (tracks
         * becoming ready) far more than on anything else, and a wake for a
         * new asset or track is exactly when a waiting run can move. */
        int dispatched = 0;
        int d = rb_directive_runs_once(e->store, e->lib, e->cfg, e->lib->ingest_owner,
                                       &dispatched, &err);
        if (d < 0)
            rb_warn("engine: directive runs failed: %s", err.message);
        if (dispatched > 0)
            rb_engine_wake(e);
        if (n > 0 || d > 0)
            continue; /* more may be waiting */
        pthread_mutex_lock(&e->mu);
        if (!atomic_load(&e->stopping) && e->ingest_seq == seen)
            timed_wait(e, &e->ingest_cv, INGEST_POLL_MS);
        pthread_mutex_unlock(&e->mu);
    }
    return NULL;
}

/* ---- lifecycle ---------------------------------------------------------- */

static int env_leader_ttl(void)
{
    const char *v = getenv("ROBOTS_LEADER_TTL_SECONDS");
    if (!v || !*v)
        return LEADER_TTL_S;
    char *end;
    long x = strtol(v, &end, 10);
    if (*end || x < LEADER_TTL_MIN_S || x > LEADER_TTL_MAX_S) {
        rb_warn("engine: ignoring ROBOTS_LEADER_TTL_SECONDS=%s (want %d..%d)", v,
                LEADER_TTL_MIN_S, LEADER_TTL_MAX_S);
        return LEADER_TTL_S;
    }
    return (int)x;
}

static int64_t env_delay_ms(void)
{
    const char *v = getenv("ROBOTS_DEBUG_WORKFLOW_DELAY_MS");
    if (!v || !*v)
        return 0;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (*end || x < 0 || x > 3600000) {
        rb_warn("engine: ignoring ROBOTS_DEBUG_WORKFLOW_DELAY_MS=%s (want 0..3600000)", v);
        return 0;
    }
    return (int64_t)x;
}

int rb_engine_create(rb_store *store, rb_library *lib, const rb_config *cfg, rb_engine **out,
                     rb_err *err)
{
    *out = NULL;
    rb_engine *e = calloc(1, sizeof *e);
    if (!e)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    e->store = store;
    e->lib = lib;
    e->cfg = cfg;
    e->delay_ms = env_delay_ms();
    e->find = rb_workflow_find;
    e->backoff_base_ms = BACKOFF_BASE_MS;
    e->backoff_cap_ms = BACKOFF_CAP_MS;
    pthread_mutex_init(&e->mu, NULL);
    /* Timed waits use CLOCK_MONOTONIC so a wall-clock jump cannot stall them. */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&e->work_cv, &ca);
    pthread_cond_init(&e->ingest_cv, &ca);
    pthread_cond_init(&e->bg_cv, &ca);
    pthread_condattr_destroy(&ca);

    e->leader_ttl_s = env_leader_ttl();
    /* An API node runs no worker (docs/engine.md, "Roles"). */
    e->nworkers = cfg->workers > 0 && cfg->role != RB_ROLE_API ? cfg->workers : 0;
    if (e->nworkers > 0) {
        e->workers = calloc((size_t)e->nworkers, sizeof *e->workers);
        if (!e->workers) {
            rb_engine_stop(e);
            return rb_err_set(err, 500, "internal_error", "out of memory");
        }
    }
    char host[128] = "localhost";
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    for (int i = 0; i < e->nworkers; i++) {
        rb_worker *w = &e->workers[i];
        w->engine = e;
        w->n = i;
        snprintf(w->worker_id, sizeof w->worker_id, "%s:%ld:%d", host, (long)getpid(), i);
    }
    /* host:pid can repeat (containers all run as pid 1, a restart may reuse
     * a pid): a random suffix keeps a restarted node from inheriting the
     * lease of its previous life before that lease ran out. */
    uint32_t tag = 0;
    if (rb_random_bytes(&tag, sizeof tag) != RB_OK)
        tag = (uint32_t)rb_mono_ns();
    snprintf(e->leader_owner, sizeof e->leader_owner, "%s:%ld:%08x", host, (long)getpid(),
             (unsigned)tag);
    *out = e;
    return RB_OK;
}

void rb_engine_set_finder(rb_engine *e, const rb_workflow *(*find)(const char *name))
{
    e->find = find ? find : rb_workflow_find;
}

void rb_engine_set_backoff(rb_engine *e, int64_t base_ms, int64_t cap_ms)
{
    e->backoff_base_ms = base_ms;
    e->backoff_cap_ms = cap_ms;
}

void rb_engine_set_leader_ttl(rb_engine *e, int ttl_s)
{
    if (ttl_s >= LEADER_TTL_MIN_S && ttl_s <= LEADER_TTL_MAX_S)
        e->leader_ttl_s = ttl_s;
}

int rb_engine_is_leader(rb_engine *e)
{
    return e ? atomic_load(&e->leader) : 0;
}

long rb_engine_sweeps(rb_engine *e)
{
    return e ? atomic_load(&e->sweeps) : 0;
}

void rb_engine_remote_wake(void *engine, int what)
{
    if (what & RB_STORE_WAKE_JOBS)
        rb_engine_wake(engine);
    if (what & RB_STORE_WAKE_INGEST)
        rb_engine_wake_ingest(engine);
}

int rb_engine_run(rb_engine *e, rb_err *err)
{
    if (e->delay_ms > 0)
        rb_warn("engine: ROBOTS_DEBUG_WORKFLOW_DELAY_MS=%lld (testing knob) is set",
                (long long)e->delay_ms);
    if (e->cfg->role == RB_ROLE_API) {
        /* Jobs, ingest, webhooks and maintenance run on worker nodes. */
        rb_info("engine: role api: no workers and no background loops in this process");
        return RB_OK;
    }
    int rc = 0;
    for (int i = 0; i < e->nworkers && rc == 0; i++) {
        rc = pthread_create(&e->workers[i].thread, NULL, worker_main, &e->workers[i]);
        e->workers[i].started = rc == 0;
    }
    if (rc == 0 && e->nworkers > 0) {
        rc = pthread_create(&e->heartbeat, NULL, heartbeat_main, e);
        e->heartbeat_started = rc == 0;
    }
    if (rc == 0) {
        rc = pthread_create(&e->sweeper, NULL, sweeper_main, e);
        e->sweeper_started = rc == 0;
    }
    if (rc == 0) {
        rc = pthread_create(&e->ingester, NULL, ingester_main, e);
        e->ingester_started = rc == 0;
    }
    if (rc != 0)
        return rb_err_set(err, 500, "internal_error", "cannot start engine threads: %s",
                          strerror(rc));
    rb_info("engine: role %s: started %d worker(s), lease %d s, leader lease %d s",
            rb_config_role_name(e->cfg->role), e->nworkers, e->cfg->lease_seconds,
            e->leader_ttl_s);
    return RB_OK;
}

int rb_engine_start(rb_store *store, rb_library *lib, const rb_config *cfg, rb_engine **out,
                    rb_err *err)
{
    rb_engine *e;
    int rc = rb_engine_create(store, lib, cfg, &e, err);
    if (rc != RB_OK)
        return rc;
    rc = rb_engine_run(e, err);
    if (rc != RB_OK) {
        rb_engine_stop(e);
        return rc;
    }
    *out = e;
    return RB_OK;
}

void rb_engine_wake(void *engine)
{
    rb_engine *e = engine;
    if (!e)
        return;
    pthread_mutex_lock(&e->mu);
    e->work_seq++;
    pthread_cond_broadcast(&e->work_cv);
    pthread_mutex_unlock(&e->mu);
}

void rb_engine_wake_ingest(void *engine)
{
    rb_engine *e = engine;
    if (!e)
        return;
    pthread_mutex_lock(&e->mu);
    e->ingest_seq++;
    pthread_cond_signal(&e->ingest_cv);
    pthread_mutex_unlock(&e->mu);
}

void rb_engine_stop(rb_engine *e)
{
    if (!e)
        return;
    pthread_mutex_lock(&e->mu);
    atomic_store(&e->stopping, 1);
    pthread_cond_broadcast(&e->work_cv);
    pthread_cond_broadcast(&e->ingest_cv);
    pthread_cond_broadcast(&e->bg_cv);
    pthread_mutex_unlock(&e->mu);
    for (int i = 0; i < e->nworkers; i++)
        if (e->workers && e->workers[i].started)
            pthread_join(e->workers[i].thread, NULL);
    if (e->heartbeat_started)
        pthread_join(e->heartbeat, NULL);
    if (e->sweeper_started)
        pthread_join(e->sweeper, NULL);
    if (e->ingester_started)
        pthread_join(e->ingester, NULL);
    pthread_cond_destroy(&e->work_cv);
    pthread_cond_destroy(&e->ingest_cv);
    pthread_cond_destroy(&e->bg_cv);
    pthread_mutex_destroy(&e->mu);
    free(e->workers);
    free(e);
}
