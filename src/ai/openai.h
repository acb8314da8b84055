/* openai.h — a client for servers speaking the OpenAI chat-completions API
 * (OpenAI, vLLM, Ollama, llama.cpp server, LiteLLM). docs/openai.md has the
 * operator's view.
 *
 * One call, rb_openai_chat_json(), asks for a JSON object matching a schema
 * and returns it only after validating it (src/ai/jsonschema.h). It handles
 * the transport failures a model server produces: 408/429/5xx and timeouts
 * are retried with exponential backoff and jitter, honouring Retry-After;
 * servers that reject `response_format: json_schema` are asked again with
 * `json_object` and the schema written into the system message; a reply that
 * does not match the schema is retried once with a corrective message.
 *
 * Failures fill rb_err with type "timeout_error" or "processing_error".
 * rb_openai_retryable() says whether a later attempt might succeed (the
 * job layer turns that into errors[].retryable). The API key never appears
 * in a log line or an error message. */
#ifndef RB_OPENAI_H
#define RB_OPENAI_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define RB_OPENAI_MAX_RESPONSE (8u << 20) /* bytes of one HTTP reply */
#define RB_OPENAI_UNIT_TOKENS 10000       /* tokens per unit (see rb_openai_units) */

typedef struct rb_openai_config {
    char base_url[512];  /* ROBOTS_OPENAI_BASE_URL, "https://api.openai.com/v1" */
    char model[128];     /* ROBOTS_OPENAI_MODEL, required */
    char api_key[512];   /* ROBOTS_OPENAI_API_KEY or OPENAI_API_KEY; "" sends no header */
    int timeout_ms;      /* ROBOTS_OPENAI_TIMEOUT_MS, per HTTP request, 120000 */
    int max_retries;     /* ROBOTS_OPENAI_MAX_RETRIES, transport retries per call, 3 */
    double temperature;  /* ROBOTS_OPENAI_TEMPERATURE, 0 */
    int backoff_base_ms; /* first backoff delay, doubled per retry, 500 */
    int backoff_max_ms;  /* cap on one delay (Retry-After included), 30000 */
    /* Set once the server rejected json_schema: later calls through this
     * config go straight to json_object. Written atomically, so one config
     * may be shared by worker threads. */
    volatile int json_object_only;
} rb_openai_config;

typedef struct rb_openai_message {
    const char *role;    /* "system", "user" or "assistant" */
    const char *content; /* UTF-8 text */
} rb_openai_message;

typedef struct rb_openai_request {
    const rb_openai_message *messages;
    size_t n_messages;
    const json_t *schema;    /* JSON Schema of the expected object (borrowed) */
    const char *schema_name; /* [a-zA-Z0-9_-]{1,64}, e.g. "chapters" */
} rb_openai_request;

typedef struct rb_openai_usage {
    int64_t prompt_tokens;     /* summed over every attempt of the call */
    int64_t completion_tokens;
    int requests;              /* HTTP requests sent */
} rb_openai_usage;

/* Defaults, then the environment. RB_ERR ("invalid_parameters") when
 * ROBOTS_OPENAI_MODEL is unset or a number does not parse. */
int rb_openai_config_from_env(rb_openai_config *c, rb_err *err);

/* POSTs {base_url}/chat/completions and stores the validated object in
 * *out_json (caller json_decref()s). `usage` (may be NULL) is added to, not
 * reset, so a workflow can sum several calls. RB_OK or RB_ERR. */
int rb_openai_chat_json(rb_openai_config *c, const rb_openai_request *req, json_t **out_json,
                        rb_openai_usage *usage, rb_err *err);

/* 1 when an error filled by rb_openai_chat_json() is transient. */
int rb_openai_retryable(const rb_err *err);

/* Units consumed: one per started RB_OPENAI_UNIT_TOKENS total tokens, at
 * least 1 once any request was sent; 0 when none was. */
int64_t rb_openai_units(const rb_openai_usage *u);

#endif
