#ifndef CUBESEG_CFITSIO_SHIM_H
#define CUBESEG_CFITSIO_SHIM_H
#include <fitsio.h>

// fits_open_file is a function-like macro over ffopentest(CFITSIO_SONAME, ...): Swift cannot call it.
static inline int cubeseg_fits_open_file(fitsfile **fptr, const char *filename, int iomode, int *status) {
    return fits_open_file(fptr, filename, iomode, status);
}
#endif
