/* engine.h — the worker pool and the background loops of `robots serve`.
 *
 * Workers claim due jobs with a lease (store), heartbeat while they run,
 * run the workflow, and complete, fail, retry (capped exponential backoff with
 * jitter, up to max_attempts) or drop the result of a cancelled job. The
 * sweeper deletes jobs past retention; the ingester prepares new assets. */
#ifndef RB_ENGINE_H
#define RB_ENGINE_H

#include "common/config.h"
#include "common/err.h"
#include "media/library.h"
#include "store/store.h"

typedef struct rb_engine rb_engine;

int rb_engine_start(rb_store *store, rb_library *lib, const rb_config *cfg, rb_engine **out,
                    rb_err *err);
/* The same in two steps, for `robots serve`: create allocates the engine
 * without starting any thread, so its address can be handed to the HTTP
 * layer (rb_app wake callbacks) and the listening port resolved before a
 * worker reads the configuration; run starts the threads. On a run failure
 * the caller still owns e and releases it with rb_engine_stop(). */
int rb_engine_create(rb_store *store, rb_library *lib, const rb_config *cfg, rb_engine **out,
                     rb_err *err);
int rb_engine_run(rb_engine *e, rb_err *err);
/* Wakes idle workers now (a job was created). arg is the rb_engine. */
void rb_engine_wake(void *engine);
/* Wakes the ingester (an asset or track was created). arg is the rb_engine. */
void rb_engine_wake_ingest(void *engine);
/* A remote wake (rb_store_set_remote_wake: another node committed work):
 * RB_STORE_WAKE_JOBS wakes the workers, RB_STORE_WAKE_INGEST the ingester.
 * arg is the rb_engine. */
void rb_engine_remote_wake(void *engine, int what);
/* Stops claiming, waits for running workflows to reach a check point, joins. */
void rb_engine_stop(rb_engine *e);

/* Test seams, to be called between rb_engine_create and rb_engine_run.
 * set_finder replaces the workflow lookup (default rb_workflow_find) so a
 * test can run a workflow that fails or blocks on purpose; set_backoff
 * replaces the retry schedule (default base 2 s, cap 5 min). */
struct rb_workflow;
void rb_engine_set_finder(rb_engine *e, const struct rb_workflow *(*find)(const char *name));
void rb_engine_set_backoff(rb_engine *e, int64_t base_ms, int64_t cap_ms);
/* The maintenance leader lease's ttl in seconds (1..300; default 15, or
 * ROBOTS_LEADER_TTL_SECONDS); renewed every ttl/3. */
void rb_engine_set_leader_ttl(rb_engine *e, int ttl_s);
/* 1 while this engine holds the maintenance leader lease (it runs the
 * retention sweep; docs/engine.md, "Leader"). */
int rb_engine_is_leader(rb_engine *e);
/* How many retention sweeps this engine ran (for tests). */
long rb_engine_sweeps(rb_engine *e);

/* Backoff before attempt n+1 after n failed attempts: min(cap, base*2^(n-1))
 * with ±20 % jitter, in ms. Exposed for tests. */
int64_t rb_engine_backoff_ms(int attempts, int64_t base_ms, int64_t cap_ms);

#endif
