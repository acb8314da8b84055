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

/* The transport failures every workflow must turn into the same job errors.
 * Each starts from a fake that wf_use_fake started; params as for
 * wf_fixture_run. */

/* 500 on every attempt: one try plus ROBOTS_OPENAI_MAX_RETRIES=1, then a
 * retryable processing_error and no outputs. */
static __attribute__((unused)) void wf_check_model_500(wf_fixture *f, fake_openai *fake,
                                                       const char *wf, const char *params)
{
    fake_reply_add(fake, 500, "{\"error\":{\"message\":\"boom\"}}", NULL, 0);
    rb_wf_result r;
    rb_err err;
    assert_int_equal(wf_fixture_run(f, wf, params, &r, &err), RB_ERR);
    assert_int_equal(r.retryable, 1);
    assert_null(r.outputs);
    assert_int_equal(fake->nreqs, 2);
    assert_string_equal(err.type, "processing_error");
}

/* A valid reply (content) that arrives after the 300 ms timeout, no retry:
 * a retryable timeout_error. */
static __attribute__((unused)) void wf_check_model_timeout(wf_fixture *f, fake_openai *fake,
                                                           const char *wf, const char *params,
                                                           const char *content)
{
    setenv("ROBOTS_OPENAI_MAX_RETRIES", "0", 1);
    char *b = fake_completion(content, 1, 1);
    fake_reply_add(fake, 200, b, NULL, 1500);
    free(b);
    rb_wf_result r;
    rb_err err;
    assert_int_equal(wf_fixture_run(f, wf, params, &r, &err), RB_ERR);
    assert_string_equal(err.type, "timeout_error");
    assert_int_equal(r.retryable, 1);
}

/* A reply that is not JSON (content), also after the corrective retry:
 * a retryable processing_error and no outputs. */
static __attribute__((unused)) void wf_check_model_malformed(wf_fixture *f, fake_openai *fake,
                                                             const char *wf, const char *params,
                                                             const char *content)
{
    fake_ok(fake, content, 10, 10);
    rb_wf_result r;
    rb_err err;
    assert_int_equal(wf_fixture_run(f, wf, params, &r, &err), RB_ERR);
    assert_string_equal(err.type, "processing_error");
    assert_int_equal(r.retryable, 1);
    assert_null(r.outputs);
}

#endif
