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
/* Wakes idle workers now (a job was created). arg is the rb_engine. */
void rb_engine_wake(void *engine);
/* Wakes the ingester (an asset or track was created). arg is the rb_engine. */
void rb_engine_wake_ingest(void *engine);
/* Stops claiming, waits for running workflows to reach a check point, joins. */
void rb_engine_stop(rb_engine *e);

/* Backoff before attempt n+1 after n failed attempts: min(cap, base*2^(n-1))
 * with ±20 % jitter, in ms. Exposed for tests. */
int64_t rb_engine_backoff_ms(int attempts, int64_t base_ms, int64_t cap_ms);

#endif
