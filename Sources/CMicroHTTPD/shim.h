#ifndef CUBESEG_CMICROHTTPD_SHIM_H
#define CUBESEG_CMICROHTTPD_SHIM_H
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>
// Variadic MHD calls (MHD_start_daemon, MHD_get_daemon_info, MHD_get_connection_info) get
// static inline wrappers here: Swift cannot call C variadic functions.
#endif
