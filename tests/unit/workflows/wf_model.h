/* wf_model.h — the openai engine of a workflow test, pointed at the
 * OpenAI-compatible fake (tests/unit/ai/fake_openai.h).
 *
 * Header-only, like wf_fixture.h. Short timeouts and one transport retry keep
 * the failure tests fast; the environment setting `ai` = "openai" selects the
 * engine the way `robots env set` does. */
#ifndef RB_WF_MODEL_H
#define RB_WF_MODEL_H

#include "wf_fixture.h"

#include "../ai/fake_openai.h"

/* Starts the fake and selects the openai engine for the fixture's environment. */
static void wf_use_fake(wf_fixture *f, fake_openai *fake, int *on)
{
    memset(fake, 0, sizeof *fake);
    assert_int_equal(fake_start(fake), 0);
    *on = 1;
    setenv("ROBOTS_OPENAI_BASE_URL", fake->base, 1);
    setenv("ROBOTS_OPENAI_MODEL", "fake-model", 1);
    setenv("ROBOTS_OPENAI_TIMEOUT_MS", "300", 1);
    setenv("ROBOTS_OPENAI_MAX_RETRIES", "1", 1);
    wf_fixture_env_set(f, "ai", "openai");
}

/* Stops the fake (when started) and clears what wf_use_fake set. */
static void wf_fake_teardown(fake_openai *fake, int on)
{
    if (on)
        fake_stop(fake);
    unsetenv("ROBOTS_OPENAI_BASE_URL");
    unsetenv("ROBOTS_OPENAI_MODEL");
    unsetenv("ROBOTS_OPENAI_TIMEOUT_MS");
    unsetenv("ROBOTS_OPENAI_MAX_RETRIES");
}

/* The content of message i of a recorded chat request. */
static const char *wf_fake_msg(const fake_req *q, size_t i)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(q->body, "messages"), i), "content"));
}

#endif
