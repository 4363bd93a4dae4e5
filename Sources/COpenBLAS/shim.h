#ifndef CUBESEG_COPENBLAS_SHIM_H
#define CUBESEG_COPENBLAS_SHIM_H
#include <stddef.h>
#include <cblas.h>
// openblas_set_num_threads / openblas_get_num_threads are declared by OpenBLAS's cblas.h.

// LAPACK's symmetric eigensolver (relatively robust representations), which libopenblas
// exports; Debian's OpenBLAS headers do not declare LAPACK, so the Fortran prototype is
// given here (column major; the trailing lengths are gfortran's hidden string lengths).
void dsyevr_(const char *jobz, const char *range, const char *uplo, const int *n, double *a,
             const int *lda, const double *vl, const double *vu, const int *il, const int *iu,
             const double *abstol, int *m, double *w, double *z, const int *ldz, int *isuppz,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t range_len, size_t uplo_len);
#endif
