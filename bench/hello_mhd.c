/* hello_mhd.c — the floor for the HTTP layer: a bare libmicrohttpd server
 * with the same threading model as src/http/server.c (internal polling
 * thread, epoll, a pool of 2 threads per CPU, same timeout and connection
 * limit) that answers every request with {"ok":true}. Comparing it with
 * `GET /healthz` on robots under wrk shows what our routing, context and
 * logging cost on top of libmicrohttpd itself.
 *
 *   cc -O2 -o /tmp/hello_mhd bench/hello_mhd.c $(pkg-config --cflags --libs libmicrohttpd)
 *   /tmp/hello_mhd 127.0.0.1 8081 [threads]
 *   wrk -t2 -c64 -d10s http://127.0.0.1:8081/healthz
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char body[] = "{\"ok\":true}";

/* Answers on the last call, as robots does. Answering on the first call
 * (before libmicrohttpd has looked for a body) makes libmicrohttpd 0.9.75
 * send "Connection: close", and wrk then measures TCP handshakes: about 5x
 * fewer requests per second. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    static int marker;
    if (*con_cls == NULL) {
        *con_cls = &marker;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0; /* the body is not used */
        return MHD_YES;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body,
                                                             MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s IPV4 PORT [THREADS]\n", argv[0]);
        return 2;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)strtoul(argv[2], NULL, 10));
    if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
        fprintf(stderr, "bad IPv4 address %s\n", argv[1]);
        return 2;
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10)
                                : (unsigned)(cpus > 0 ? 2 * cpus : 2);
    signal(SIGPIPE, SIG_IGN);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "cannot listen on %s:%s\n", argv[1], argv[2]);
        return 1;
    }
    printf("hello_mhd listening on %s:%s with %u threads\n", argv[1], argv[2], threads);
    fflush(stdout);
    pause();
    MHD_stop_daemon(d);
    return 0;
}
