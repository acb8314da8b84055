/* job.h — the Robots job as the store holds it and the API renders it.
 *
 * One struct is shared by store (rows), engine (claims) and api (responses),
 * and one renderer turns it into the spec's job object, so the GET response
 * and the webhook snapshot written in the same transaction as a state change
 * can never disagree. */
#ifndef RB_JOB_H
#define RB_JOB_H

#include <jansson.h>
#include <stdint.h>

#define RB_ID_MAX 64

enum rb_job_status {
    RB_JOB_PENDING,
    RB_JOB_PROCESSING,
    RB_JOB_COMPLETED,
    RB_JOB_ERRORED,
    RB_JOB_CANCELLED
};

typedef struct rb_job {
    char id[RB_ID_MAX];            /* "rjob_..." */
    char env_id[RB_ID_MAX];
    char workflow[40];             /* hyphenated: "edit-captions" */
    enum rb_job_status status;
    json_t *parameters;            /* as the client sent them (owned) */
    char *passthrough;             /* NULL when not supplied */
    char asset_id[RB_ID_MAX];      /* parameters.asset_id, for filtering */
    json_t *resources;             /* {"assets":[SlimlineAsset]} or NULL (owned) */
    json_t *outputs;               /* set only when completed (owned) */
    json_t *errors;                /* [{type,message,retryable}] only when errored (owned) */
    int64_t units_consumed;
    int attempts;                  /* how many times a worker claimed it */
    int max_attempts;
    int cancel_requested;          /* a processing job told to stop */
    int64_t created_at;            /* Unix s */
    int64_t updated_at;            /* Unix s, last state transition */
    int64_t started_at;            /* 0 when never started */
    int64_t completed_at;          /* 0 until terminal */
    int64_t run_at_ms;             /* not claimable before this (retry backoff) */
    /* Set when a directive run dispatched the job (spec §2.5): rendered as
     * "directive": {id, run_id}; "" for jobs created by POST /jobs. */
    char directive_id[RB_ID_MAX];
    char directive_run_id[RB_ID_MAX];
} rb_job;

const char *rb_job_status_name(enum rb_job_status s);
/* Returns 0 and sets *out for a known status name, -1 otherwise. */
int rb_job_status_parse(const char *name, enum rb_job_status *out);
int rb_job_status_terminal(enum rb_job_status s);

void rb_job_init(rb_job *job);
void rb_job_clear(rb_job *job);   /* frees owned members; the struct may be reused */

/* The full job object of spec §2.1 (no _links). New reference. */
json_t *rb_job_to_json(const rb_job *job);
/* The JobSummary of spec §2.2, _links.self.href = <public_url>/robots/v0/jobs/<workflow>/<id>. */
json_t *rb_job_summary_json(const rb_job *job, const char *public_url);
/* Webhook event type: "robots.job.<workflow with - as _>.<status>". */
void rb_job_event_type(const char *workflow, enum rb_job_status s, char *out, size_t outlen);

#endif
