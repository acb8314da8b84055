/* fetch.h — outbound HTTP(S) fetches under the outbound URL policy.
 *
 * Every URL a client hands us (asset inputs, track files) is fetched by the
 * server, so without a policy a client could make the server read its own
 * loopback services, the cloud metadata endpoint (169.254.169.254) or hosts on
 * the private network and store the answer where the client can read it back.
 *
 * The policy: http and https only; the host is resolved once and every
 * address it resolves to must be public (not loopback, private, link-local,
 * unique-local, CGNAT, unspecified, multicast or reserved, also when wrapped in
 * IPv4-mapped/compatible, NAT64 or 6to4 IPv6 addresses); "localhost" names are
 * refused without resolving. The checked address is pinned for the transfer
 * (CURLOPT_RESOLVE), so DNS rebinding between check and connect cannot swap it,
 * and redirects are followed by hand (at most RB_FETCH_MAX_REDIRECTS) with
 * each hop checked again. Environment proxies are ignored for the same
 * reason. --allow-private-urls (cfg->allow_private_urls) lifts the address
 * rules, not the scheme rule.
 *
 * Transfers stop at cfg->fetch_max_bytes (aborted in the write callback, and
 * early when Content-Length already says too much) and after
 * cfg->fetch_timeout_seconds for the whole fetch including redirects. */
#ifndef RB_FETCH_H
#define RB_FETCH_H

#include <stdint.h>
#include <sys/socket.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/err.h"

#define RB_FETCH_MAX_REDIRECTS 5

/* Checks url against the policy, resolving its host. RB_OK when allowed;
 * otherwise RB_ERR with err = 400 "invalid_parameters" and a message starting
 * with "url: " that names the rule, e.g. "url: 10.0.0.1 is a private address;
 * start the server with --allow-private-urls to allow it". */
int rb_fetch_check_url(const char *url, int allow_private, rb_err *err);
/* The same, with the message prefixed by field ("inputs[0].url: ..."). */
int rb_fetch_check_url_field(const char *field, const char *url, int allow_private, rb_err *err);
/* 1 when sa (AF_INET or AF_INET6) is an address the policy allows without
 * --allow-private-urls, 0 otherwise. Exposed for tests. */
int rb_fetch_addr_is_public(const struct sockaddr *sa);

/* GETs url into out, which the caller initialised with rb_buf_init(); the body
 * may not exceed min(out->max, cfg->fetch_max_bytes). On failure err has status
 * 422, type "invalid_input" and a message naming the URL's problem (refused by
 * the policy, HTTP status, too large, timed out, connection failure); the
 * return is RB_TOOBIG for the size limit, RB_ERR otherwise. */
int rb_fetch_to_buf(const rb_config *cfg, const char *url, rb_buf *out, rb_err *err);
/* GETs url into the file at path (created or truncated, mode 0600); the file
 * is removed on failure. *size (may be NULL) receives the body length. Errors
 * as rb_fetch_to_buf. */
int rb_fetch_to_file(const rb_config *cfg, const char *url, const char *path, int64_t *size,
                     rb_err *err);

#endif
