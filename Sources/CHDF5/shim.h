#ifndef CUBESEG_CHDF5_SHIM_H
#define CUBESEG_CHDF5_SHIM_H
#include <hdf5.h>
// H5T_NATIVE_* and H5P_DEFAULT are macros over globals that need H5open(): wrap what Swift needs.
#endif
