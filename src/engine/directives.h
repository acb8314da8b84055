/* directives.h — the directive-run processor (spec §7.3, §7.4).
 *
 * A run is a small state machine kept entirely in the store: each pass claims
 * due runs with a lease (any node may run passes), re-reads the directive,
 * the asset and the jobs already dispatched, works out every resource and
 * binding again, dispatches the bindings whose inputs are ready as ordinary
 * jobs, and writes node_states and the run status back (with the terminal
 * webhook event). docs/directives.md describes the rules. */
#ifndef RB_ENGINE_DIRECTIVES_H
#define RB_ENGINE_DIRECTIVES_H

#include "common/config.h"
#include "common/err.h"
#include "media/library.h"
#include "store/store.h"

/* How long a claimed run is held (a pass takes milliseconds; a node that dies
 * mid-pass releases its runs to others after this). */
#define RB_DIRECTIVE_LEASE_S 60
/* An `external` resource is waited for this long after the run started. */
#define RB_DIRECTIVE_EXTERNAL_WAIT_S (24 * 3600)

/* One pass: starts the automatic runs of assets that became ready
 * (rb_store_directive_auto_start), then claims up to a batch of due runs for owner (unique per node) and
 * processes each. *dispatched (may be NULL) receives the number of jobs
 * created, so the caller can wake the workers. Returns the number of runs
 * processed, or a negative status with err filled. */
int rb_directive_runs_once(rb_store *st, rb_library *lib, const rb_config *cfg,
                           const char *owner, int *dispatched, rb_err *err);

#endif
