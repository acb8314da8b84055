#include "media/fetch.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/clock.h"

/* What a policy check leaves behind for the transfer: the host as curl will
 * see it and the one address that was checked, to pin. */
typedef struct fetch_target {
    char host[256]; /* without IPv6 brackets */
    long port;
    char addr[INET6_ADDRSTRLEN]; /* the checked address */
    int is_v6;
    int literal; /* the host is an IP literal: nothing to pin */
} fetch_target;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- address rules ------------------------------------------------------ */

static int v4_is_public(uint32_t a)
{
    /* Each entry is (network, prefix length); see fetch.h for why each is refused. */
    static const struct {
        uint32_t net;
        int bits;
    } blocked[] = {
        {0x00000000u, 8},  /* 0.0.0.0/8 "this network", includes unspecified */
        {0x0A000000u, 8},  /* 10/8 private */
        {0x64400000u, 10}, /* 100.64/10 CGNAT */
        {0x7F000000u, 8},  /* 127/8 loopback */
        {0xA9FE0000u, 16}, /* 169.254/16 link-local, cloud metadata */
        {0xAC100000u, 12}, /* 172.16/12 private */
        {0xC0000000u, 24}, /* 192.0.0/24 IETF protocol assignments */
        {0xC0A80000u, 16}, /* 192.168/16 private */
        {0xC6120000u, 15}, /* 198.18/15 benchmarking */
        {0xE0000000u, 4},  /* 224/4 multicast */
        {0xF0000000u, 4},  /* 240/4 reserved, includes broadcast */
    };
    for (size_t i = 0; i < sizeof blocked / sizeof blocked[0]; i++) {
        uint32_t mask = 0xFFFFFFFFu << (32 - blocked[i].bits);
        if ((a & mask) == blocked[i].net)
            return 0;
    }
    return 1;
}

static uint32_t v4_from(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int v6_is_public(const unsigned char *b)
{
    static const unsigned char zero[16] = {0};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    if (memcmp(b, zero, 16) == 0)
        return 0; /* :: unspecified */
    /* IPv4 wrapped in IPv6 is judged as the IPv4 address it reaches:
     * mapped ::ffff:a.b.c.d, compatible ::a.b.c.d (also covers ::1), NAT64. */
    if (memcmp(b, mapped, 12) == 0 || memcmp(b, zero, 12) == 0 || memcmp(b, nat64, 12) == 0)
        return v4_is_public(v4_from(b + 12));
    if (b[0] == 0x20 && b[1] == 0x02) /* 2002::/16 6to4 carries an IPv4 address */
        return v4_is_public(v4_from(b + 2));
    if ((b[0] & 0xfe) == 0xfc)
        return 0; /* fc00::/7 unique local */
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        return 0; /* fe80::/10 link-local */
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
        return 0; /* fec0::/10 deprecated site-local */
    if (b[0] == 0xff)
        return 0; /* ff00::/8 multicast */
    return 1;
}

int rb_fetch_addr_is_public(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return v4_is_public(ntohl(in->sin_addr.s_addr));
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        return v6_is_public(in6->sin6_addr.s6_addr);
    }
    return 0;
}

static int is_localhost_name(const char *host)
{
    size_t n = strlen(host);
    while (n > 0 && host[n - 1] == '.')
        n--; /* "localhost." is the same name */
    if (n == 9 && strncasecmp(host, "localhost", 9) == 0)
        return 1;
    return n > 10 && strncasecmp(host + n - 10, ".localhost", 10) == 0;
}

/* ---- the policy check --------------------------------------------------- */

static int policy_err(rb_err *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int policy_err(rb_err *err, const char *field, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return rb_err_set(err, 400, "invalid_parameters", "%s: %s", field, msg);
}

/* Parses url with curl's own parser (the one the transfer will use, so the
 * check and the connection agree on the host), applies the scheme and name
 * rules, resolves the host and checks every address it resolves to. */
static int fetch_resolve(const char *field, const char *url, int allow_private, fetch_target *t,
                         rb_err *err)
{
    pthread_once(&curl_once, curl_init_once);
    memset(t, 0, sizeof *t);
    if (!url || !*url)
        return policy_err(err, field, "must be a non-empty http or https URL");
    if (strlen(url) > 4096)
        return policy_err(err, field, "is longer than 4096 characters");

    CURLU *u = curl_url();
    if (!u)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    char *scheme = NULL, *host = NULL, *port = NULL;
    int rc = RB_OK;
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
        rc = policy_err(err, field, "'%.200s' is not a valid URL", url);
        goto out;
    }
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
        rc = policy_err(err, field, "only http and https URLs are allowed (got '%.40s')",
                        scheme ? scheme : "");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0]) {
        rc = policy_err(err, field, "'%.200s' has no host", url);
        goto out;
    }
    if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        rc = policy_err(err, field, "'%.200s' has no usable port", url);
        goto out;
    }
    t->port = strtol(port, NULL, 10);

    size_t hl = strlen(host);
    if (host[0] == '[' && hl >= 2 && host[hl - 1] == ']') {
        /* curl keeps IPv6 literals in brackets; getaddrinfo wants them bare. */
        snprintf(t->host, sizeof t->host, "%.*s", (int)(hl - 2), host + 1);
    } else if (hl < sizeof t->host) {
        snprintf(t->host, sizeof t->host, "%s", host);
    } else {
        rc = policy_err(err, field, "host name is too long");
        goto out;
    }
    char *zone = strchr(t->host, '%');
    if (zone)
        *zone = '\0'; /* a zone id only matters for link-local, refused below */

    if (!allow_private && is_localhost_name(t->host)) {
        rc = policy_err(err, field,
                        "%s is a loopback name; start the server with --allow-private-urls "
                        "to allow it",
                        t->host);
        goto out;
    }

    unsigned char tmp[16];
    t->literal = inet_pton(AF_INET, t->host, tmp) == 1 || inet_pton(AF_INET6, t->host, tmp) == 1;

    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(t->host, NULL, &hints, &res);
    if (gai != 0 || !res) {
        rc = policy_err(err, field, "host %s could not be resolved (%s)", t->host,
                        gai_strerror(gai));
        goto out;
    }
    /* Every address must pass: a name that resolves to one public and one
     * private address could otherwise be connected to the private one. */
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        char a[INET6_ADDRSTRLEN] = "";
        const void *bin = ai->ai_family == AF_INET
                              ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
                              : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
        inet_ntop(ai->ai_family, bin, a, sizeof a);
        if (!allow_private && !rb_fetch_addr_is_public(ai->ai_addr)) {
            if (strcmp(a, t->host) == 0)
                rc = policy_err(err, field,
                                "%s is a private address; start the server with "
                                "--allow-private-urls to allow it",
                                a);
            else
                rc = policy_err(err, field,
                                "%s resolves to %s, a private address; start the server with "
                                "--allow-private-urls to allow it",
                                t->host, a);
            break;
        }
        if (!t->addr[0]) {
            snprintf(t->addr, sizeof t->addr, "%s", a);
            t->is_v6 = ai->ai_family == AF_INET6;
        }
    }
    freeaddrinfo(res);
    if (rc == RB_OK && !t->addr[0])
        rc = policy_err(err, field, "host %s has no IPv4 or IPv6 address", t->host);
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

int rb_fetch_check_url_field(const char *field, const char *url, int allow_private, rb_err *err)
{
    fetch_target t;
    return fetch_resolve(field, url, allow_private, &t, err);
}

int rb_fetch_check_url(const char *url, int allow_private, rb_err *err)
{
    return rb_fetch_check_url_field("url", url, allow_private, err);
}

/* ---- transfers ---------------------------------------------------------- */

typedef struct fetch_sink {
    rb_buf *buf; /* one of buf / fd */
    int fd;
    int64_t written;
    int64_t max;
    int toobig;
    int ioerr;
} fetch_sink;

static size_t sink_write(char *p, size_t size, size_t n, void *ud)
{
    fetch_sink *s = ud;
    size_t len = size * n;
    if (s->written + (int64_t)len > s->max) {
        s->toobig = 1;
        return 0; /* a short count makes curl abort with CURLE_WRITE_ERROR */
    }
    if (s->buf) {
        if (rb_buf_append(s->buf, p, len) != RB_OK) {
            s->toobig = 1;
            return 0;
        }
    } else {
        size_t off = 0;
        while (off < len) {
            ssize_t w = write(s->fd, p + off, len - off);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                s->ioerr = errno;
                return 0;
            }
            off += (size_t)w;
        }
    }
    s->written += (int64_t)len;
    return len;
}

static void sink_reset(fetch_sink *s)
{
    s->written = 0;
    if (s->buf) {
        rb_buf_reset(s->buf);
    } else {
        if (ftruncate(s->fd, 0) != 0 || lseek(s->fd, 0, SEEK_SET) < 0)
            s->ioerr = errno;
    }
}

static int is_redirect(long code)
{
    return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
}

static int fetch_run(const rb_config *cfg, const char *url, fetch_sink *sink, rb_err *err)
{
    pthread_once(&curl_once, curl_init_once);
    CURL *c = curl_easy_init();
    if (!c)
        return rb_err_set(err, 500, "internal_error", "curl_easy_init failed");
    int timeout_s = cfg->fetch_timeout_seconds > 0 ? cfg->fetch_timeout_seconds : 120;
    int64_t deadline = rb_mono_ns() + (int64_t)timeout_s * 1000000000LL;
    char *cur = strdup(url);
    int rc = RB_OK;
    char curlmsg[CURL_ERROR_SIZE];

    for (int hop = 0;; hop++) {
        if (!cur) {
            rc = rb_err_set(err, 500, "internal_error", "out of memory");
            break;
        }
        if (hop > RB_FETCH_MAX_REDIRECTS) {
            rc = rb_err_set(err, 422, "invalid_input", "fetching %.200s: more than %d redirects",
                            url, RB_FETCH_MAX_REDIRECTS);
            break;
        }
        fetch_target t;
        rb_err perr;
        if (fetch_resolve("url", cur, cfg->allow_private_urls, &t, &perr) != RB_OK) {
            rc = rb_err_set(err, 422, "invalid_input", "fetching %.200s: %s", cur, perr.message);
            break;
        }
        struct curl_slist *pin = NULL;
        if (!t.literal) {
            char entry[400];
            snprintf(entry, sizeof entry, t.is_v6 ? "%s:%ld:[%s]" : "%s:%ld:%s", t.host, t.port,
                     t.addr);
            pin = curl_slist_append(NULL, entry);
        }
        int64_t left_ms = (deadline - rb_mono_ns()) / 1000000;
        if (left_ms <= 0)
            left_ms = 1;

        curl_easy_reset(c);
        curlmsg[0] = '\0';
        curl_easy_setopt(c, CURLOPT_URL, cur);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* each hop is checked here */
        curl_easy_setopt(c, CURLOPT_PROXY, "");          /* a proxy would resolve for us */
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)left_ms);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(left_ms < 15000 ? left_ms : 15000));
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink->max);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "robots-media/0");
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curlmsg);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
        if (pin)
            curl_easy_setopt(c, CURLOPT_RESOLVE, pin);

        sink_reset(sink);
        CURLcode cc = curl_easy_perform(c);
        long code = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        char *next = NULL;
        if (cc == CURLE_OK && is_redirect(code)) {
            char *loc = NULL;
            curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
            if (loc)
                next = strdup(loc); /* owned by the handle until the next perform */
        }
        curl_slist_free_all(pin);

        if (sink->toobig || cc == CURLE_FILESIZE_EXCEEDED) {
            rb_err_set(err, 422, "invalid_input",
                       "fetching %.200s: the file is larger than %lld bytes", url,
                       (long long)sink->max);
            rc = RB_TOOBIG;
            free(next);
            break;
        }
        if (sink->ioerr) {
            rc = rb_err_set(err, 500, "internal_error", "fetching %.200s: write failed: %s", url,
                            strerror(sink->ioerr));
            free(next);
            break;
        }
        if (cc == CURLE_OPERATION_TIMEDOUT) {
            rc = rb_err_set(err, 422, "invalid_input", "fetching %.200s: timed out after %d s", url,
                            timeout_s);
            free(next);
            break;
        }
        if (cc != CURLE_OK) {
            rc = rb_err_set(err, 422, "invalid_input", "fetching %.200s: %s", url,
                            curlmsg[0] ? curlmsg : curl_easy_strerror(cc));
            free(next);
            break;
        }
        if (is_redirect(code)) {
            if (!next) {
                rc = rb_err_set(err, 422, "invalid_input",
                                "fetching %.200s: HTTP %ld without a Location", url, code);
                break;
            }
            free(cur);
            cur = next;
            continue;
        }
        free(next);
        if (code < 200 || code > 299) {
            rc = rb_err_set(err, 422, "invalid_input",
                            "fetching %.200s: the server answered HTTP %ld", url, code);
        }
        break;
    }
    free(cur);
    curl_easy_cleanup(c);
    return rc;
}

int rb_fetch_to_buf(const rb_config *cfg, const char *url, rb_buf *out, rb_err *err)
{
    fetch_sink s;
    memset(&s, 0, sizeof s);
    s.buf = out;
    s.fd = -1;
    s.max = cfg->fetch_max_bytes > 0 ? cfg->fetch_max_bytes : INT64_MAX;
    if ((int64_t)out->max < s.max)
        s.max = (int64_t)out->max;
    return fetch_run(cfg, url, &s, err);
}

int rb_fetch_to_file(const rb_config *cfg, const char *url, const char *path, int64_t *size,
                     rb_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return rb_err_set(err, 500, "internal_error", "cannot create %s: %s", path,
                          strerror(errno));
    fetch_sink s;
    memset(&s, 0, sizeof s);
    s.fd = fd;
    s.max = cfg->fetch_max_bytes > 0 ? cfg->fetch_max_bytes : INT64_MAX;
    int rc = fetch_run(cfg, url, &s, err);
    if (rc == RB_OK && fsync(fd) != 0)
        rc = rb_err_set(err, 500, "internal_error", "fsync %s: %s", path, strerror(errno));
    if (close(fd) != 0 && rc == RB_OK)
        rc = rb_err_set(err, 500, "internal_error", "close %s: %s", path, strerror(errno));
    if (rc != RB_OK)
        unlink(path);
    else if (size)
        *size = s.written;
    return rc;
}
