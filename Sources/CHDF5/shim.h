#ifndef CUBESEG_CHDF5_SHIM_H
#define CUBESEG_CHDF5_SHIM_H
#include <hdf5.h>
// H5T_NATIVE_* and H5P_DEFAULT are macros over globals that need H5open(): wrap what Swift needs.

// H5P_DEFAULT is an untyped macro 0 meant as hid_t.
static inline hid_t cubeseg_H5P_DEFAULT(void) { return H5P_DEFAULT; }
// H5S_ALL is a cast macro Swift does not import.
static inline hid_t cubeseg_H5S_ALL(void) { return H5S_ALL; }
// H5E_DEFAULT is an untyped macro 0 meant as hid_t.
static inline hid_t cubeseg_H5E_DEFAULT(void) { return H5E_DEFAULT; }
// H5F_ACC_RDONLY expands to H5check/H5open calls.
static inline unsigned cubeseg_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
// H5T_NATIVE_FLOAT expands to H5open() plus a global.
static inline hid_t cubeseg_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
// H5T_NATIVE_DOUBLE expands to H5open() plus a global.
static inline hid_t cubeseg_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
// H5T_C_S1 expands to H5open() plus a global.
static inline hid_t cubeseg_H5T_C_S1(void) { return H5T_C_S1; }
// H5T_VARIABLE is a cast macro ((size_t)-1).
static inline size_t cubeseg_H5T_VARIABLE(void) { return H5T_VARIABLE; }
// H5P_DATASET_ACCESS expands to H5open() plus a global.
static inline hid_t cubeseg_H5P_DATASET_ACCESS(void) { return H5P_DATASET_ACCESS; }
// H5T_IEEE_F32LE and friends expand to H5open() plus a global.
static inline hid_t cubeseg_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t cubeseg_H5T_IEEE_F32BE(void) { return H5T_IEEE_F32BE; }
static inline hid_t cubeseg_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }
static inline hid_t cubeseg_H5T_IEEE_F64BE(void) { return H5T_IEEE_F64BE; }
// HADDR_UNDEF is a cast macro.
static inline haddr_t cubeseg_HADDR_UNDEF(void) { return HADDR_UNDEF; }
// H5Ewalk maps to H5Ewalk1 or H5Ewalk2 depending on API compatibility macros.
static inline herr_t cubeseg_H5Ewalk(hid_t stack, H5E_direction_t direction, H5E_walk2_t func, void *data) {
    return H5Ewalk2(stack, direction, func, data);
}
#endif
