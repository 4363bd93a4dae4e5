#ifndef CUBESEG_CZLIB_SHIM_H
#define CUBESEG_CZLIB_SHIM_H
#include <zlib.h>
// deflateInit/inflateInit are macros: Swift cannot call them, so wrap them.
static inline int cubeseg_deflateInit(z_streamp strm, int level) { return deflateInit(strm, level); }
static inline int cubeseg_inflateInit(z_streamp strm) { return inflateInit(strm); }
#endif
