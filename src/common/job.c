#include "common/job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *status_names[] = {"pending", "processing", "completed", "errored",
                                     "cancelled"};

const char *rb_job_status_name(enum rb_job_status s)
{
    return (unsigned)s < 5 ? status_names[s] : "unknown";
}

int rb_job_status_parse(const char *name, enum rb_job_status *out)
{
    for (int i = 0; i < 5; i++) {
        if (strcmp(name, status_names[i]) == 0) {
            *out = (enum rb_job_status)i;
            return 0;
        }
    }
    return -1;
}

int rb_job_status_terminal(enum rb_job_status s)
{
    return s == RB_JOB_COMPLETED || s == RB_JOB_ERRORED || s == RB_JOB_CANCELLED;
}

void rb_job_init(rb_job *job)
{
    memset(job, 0, sizeof *job);
}

void rb_job_clear(rb_job *job)
{
    json_decref(job->parameters);
    json_decref(job->resources);
    json_decref(job->outputs);
    json_decref(job->errors);
    free(job->passthrough);
    rb_job_init(job);
}

json_t *rb_job_to_json(const rb_job *job)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(job->id));
    json_object_set_new(o, "workflow", json_string(job->workflow));
    json_object_set_new(o, "status", json_string(rb_job_status_name(job->status)));
    json_object_set_new(o, "units_consumed", json_integer(job->units_consumed));
    json_object_set_new(o, "created_at", json_integer(job->created_at));
    json_object_set_new(o, "updated_at", json_integer(job->updated_at));
    if (job->parameters)
        json_object_set(o, "parameters", job->parameters);
    else
        json_object_set_new(o, "parameters", json_object());
    if (job->passthrough)
        json_object_set_new(o, "passthrough", json_string(job->passthrough));
    if (job->status == RB_JOB_COMPLETED && job->outputs)
        json_object_set(o, "outputs", job->outputs);
    if (job->status == RB_JOB_ERRORED && job->errors)
        json_object_set(o, "errors", job->errors);
    if (job->resources)
        json_object_set(o, "resources", job->resources);
    if (job->directive_id[0] && job->directive_run_id[0])
        json_object_set_new(o, "directive",
                            json_pack("{s:s, s:s}", "id", job->directive_id, "run_id",
                                      job->directive_run_id));
    return o;
}

json_t *rb_job_summary_json(const rb_job *job, const char *public_url)
{
    char href[1024];
    snprintf(href, sizeof href, "%s/robots/v0/jobs/%s/%s", public_url, job->workflow, job->id);
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:{s:{s:s}}}", "id", job->id, "workflow",
                     job->workflow, "status", rb_job_status_name(job->status), "created_at",
                     (json_int_t)job->created_at, "updated_at", (json_int_t)job->updated_at,
                     "_links", "self", "href", href);
}

void rb_job_event_type(const char *workflow, enum rb_job_status s, char *out, size_t outlen)
{
    char wf[64];
    snprintf(wf, sizeof wf, "%s", workflow);
    for (char *p = wf; *p; p++)
        if (*p == '-')
            *p = '_';
    snprintf(out, outlen, "robots.job.%s.%s", wf, rb_job_status_name(s));
}
