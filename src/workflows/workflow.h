/* workflow.h — the one interface every workflow implements.
 *
 * A workflow is a function of a claimed job: it reads the job's parameters
 * (already validated by the API), reads and writes media through the library,
 * and returns outputs or an error. It must poll rb_wf_cancelled() between
 * steps that take time and before any side effect, and stop (returning
 * RB_CONFLICT) when the job was cancelled; the engine then drops the result.
 * One file per workflow: workflows/<name with _>.c. */
#ifndef RB_WORKFLOW_H
#define RB_WORKFLOW_H

#include <jansson.h>
#include <stdint.h>

#include "common/config.h"
#include "common/err.h"
#include "common/job.h"
#include "media/library.h"

typedef struct rb_wf_ctx {
    const rb_job *job;             /* the claimed job: id, env_id, parameters, completed time... */
    rb_library *library;
    const rb_config *cfg;
    /* Returns 1 when the job was cancelled (or the lease lost) and the workflow
     * must stop. Set by the engine. */
    int (*cancelled)(struct rb_wf_ctx *ctx);
    void *engine_data;
} rb_wf_ctx;

typedef struct rb_wf_result {
    json_t *outputs;               /* on success: the job's outputs object (owned) */
    int64_t units;                 /* units consumed, also on failure */
    int retryable;                 /* on failure: a later attempt might succeed */
    int64_t engine_ns;             /* time spent in the workflow's own work (bench) */
} rb_wf_result;

typedef struct rb_workflow {
    const char *name;              /* hyphenated, as in the path */
    /* RB_OK with out->outputs set; RB_ERR with err->type ("validation_error",
     * "processing_error", "timeout_error", ...) and err->message for the job's
     * errors[]; RB_CONFLICT when it stopped because of a cancel. */
    int (*run)(rb_wf_ctx *ctx, rb_wf_result *out, rb_err *err);
} rb_workflow;

static inline int rb_wf_cancelled(rb_wf_ctx *ctx)
{
    return ctx->cancelled ? ctx->cancelled(ctx) : 0;
}

/* The workflows this build can run (registry.c); NULL when not implemented. */
const rb_workflow *rb_workflow_find(const char *name);
/* 1 if rb_workflow_find(name) != NULL — the API's 501 check. */
int rb_workflow_available(const char *name);

#endif
