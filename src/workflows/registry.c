/* registry.c — the workflows this build can run.
 *
 * Only implemented workflows are listed. The API answers 501 for a known
 * workflow name that is missing here, so adding a workflow is one new file
 * plus one line in this table. */
#include <string.h>

#include "workflows/workflow.h"

extern const rb_workflow rb_wf_ask_questions;
extern const rb_workflow rb_wf_edit_captions;
extern const rb_workflow rb_wf_find_key_moments;
extern const rb_workflow rb_wf_generate_chapters;
extern const rb_workflow rb_wf_summarize;

static const rb_workflow *const registry[] = {
    &rb_wf_ask_questions,
    &rb_wf_edit_captions,
    &rb_wf_find_key_moments,
    &rb_wf_generate_chapters,
    &rb_wf_summarize,
};

const rb_workflow *rb_workflow_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

int rb_workflow_available(const char *name)
{
    return rb_workflow_find(name) != NULL;
}
