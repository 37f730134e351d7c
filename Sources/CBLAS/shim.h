#ifndef EDGELAB_CBLAS_SHIM_H
#define EDGELAB_CBLAS_SHIM_H
// OpenBLAS (Debian libopenblas-dev, pthread flavour): CBLAS plus the thread-count controls.
#include <cblas.h>
#endif
