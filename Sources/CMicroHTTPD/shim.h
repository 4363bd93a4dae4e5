#ifndef CUBESEG_CMICROHTTPD_SHIM_H
#define CUBESEG_CMICROHTTPD_SHIM_H
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>
// Variadic MHD calls (MHD_start_daemon, MHD_get_daemon_info, MHD_get_connection_info) get
// static inline wrappers here: Swift cannot call C variadic functions.

/// Receives one formatted libmicrohttpd error line (MHD_OPTION_EXTERNAL_LOGGER hands out a
/// va_list, which Swift cannot format).
typedef void (*cubeseg_mhd_log_line)(void *context, const char *line);

/// Everything `cubeseg_mhd_start` turns into MHD flags and options. Pointers must stay valid
/// until MHD_stop_daemon returns (the daemon keeps `log_sink_*` and reads the rest at start).
struct cubeseg_mhd_settings {
    const struct sockaddr *address;     // bind address (sockaddr_in or sockaddr_in6)
    int ipv6;                           // non-zero when `address` is a sockaddr_in6
    unsigned int thread_pool_size;      // MHD_OPTION_THREAD_POOL_SIZE (>= 1)
    unsigned int connection_timeout;    // seconds, MHD_OPTION_CONNECTION_TIMEOUT
    unsigned int connection_limit;      // MHD_OPTION_CONNECTION_LIMIT
    unsigned int per_ip_connection_limit; // MHD_OPTION_PER_IP_CONNECTION_LIMIT (0 = none)
    size_t connection_memory_limit;     // MHD_OPTION_CONNECTION_MEMORY_LIMIT (bytes, 0 = default)
    const char *tls_key_pem;            // HTTPS when both PEM strings are non-NULL
    const char *tls_cert_pem;
    MHD_AccessHandlerCallback handler;
    void *handler_context;
    MHD_RequestCompletedCallback completed;
    void *completed_context;
    cubeseg_mhd_log_line log_line;      // receives MHD's error messages
    void *log_context;
};

// MHD_OPTION_EXTERNAL_LOGGER passes a va_list: format it here, hand Swift a plain string.
static inline void cubeseg_mhd_log_trampoline(void *cls, const char *format, va_list arguments) {
    const struct cubeseg_mhd_settings *settings = (const struct cubeseg_mhd_settings *)cls;
    char line[1024];
    vsnprintf(line, sizeof line, format, arguments);
    if (settings->log_line != NULL) settings->log_line(settings->log_context, line);
}

// MHD_start_daemon is variadic: build the option array here and pass it with MHD_OPTION_ARRAY.
static inline struct MHD_Daemon *cubeseg_mhd_start(const struct cubeseg_mhd_settings *settings) {
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
#ifdef __linux__
    flags |= MHD_USE_EPOLL;
#else
    flags |= MHD_USE_POLL;
#endif
    if (settings->ipv6) flags |= MHD_USE_IPv6;
    int tls = settings->tls_key_pem != NULL && settings->tls_cert_pem != NULL;
    if (tls) flags |= MHD_USE_TLS;
    struct MHD_OptionItem options[16];
    int n = 0;
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, (void *)settings->address };
    if (settings->thread_pool_size > 1)  // 1 means the single internal polling thread
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)settings->thread_pool_size, NULL };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)settings->connection_timeout, NULL };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, (intptr_t)settings->connection_limit, NULL };
    if (settings->per_ip_connection_limit > 0)
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)settings->per_ip_connection_limit, NULL };
    if (settings->connection_memory_limit > 0)
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)settings->connection_memory_limit, NULL };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)settings->completed, settings->completed_context };
    if (tls) {
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)settings->tls_key_pem };
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)settings->tls_cert_pem };
    }
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
    // The logger must be the very first option so that MHD reports problems with the others
    // through it.
    return MHD_start_daemon(flags, 0, NULL, NULL, settings->handler, settings->handler_context,
                            MHD_OPTION_EXTERNAL_LOGGER, &cubeseg_mhd_log_trampoline, (void *)settings,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

// MHD_get_daemon_info is variadic: read the bound port (0 when unknown).
static inline uint16_t cubeseg_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

// MHD_get_connection_info is variadic: the client's socket address (NULL when unknown).
static inline const struct sockaddr *cubeseg_mhd_client_address(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

#endif
