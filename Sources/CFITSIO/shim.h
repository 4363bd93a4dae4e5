#ifndef CUBESEG_CFITSIO_SHIM_H
#define CUBESEG_CFITSIO_SHIM_H
#include <fitsio.h>
#endif
