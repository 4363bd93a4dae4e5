#ifndef CUBESEG_CFITSIO_SHIM_H
#define CUBESEG_CFITSIO_SHIM_H
#include <fitsio.h>

// Opens `filename` literally: fits_open_diskfile skips cfitsio's extended file name syntax,
// under which a name such as "scan[2].fits" is read as a row filter and fails to open.
// (fits_open_file is also a function-like macro, which Swift cannot call.)
static inline int cubeseg_fits_open_file(fitsfile **fptr, const char *filename, int iomode, int *status) {
    return fits_open_diskfile(fptr, filename, iomode, status);
}
#endif
