// The heap's retention settings (include/process_heap.h): glibc's mallopt. Setting either value also switches off
// glibc's dynamic mmap threshold, so both are set together.
#include <stdlib.h>   /* defines __GLIBC__ on glibc */
#include "process_heap.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int qk_heap_retain(size_t mmap_threshold, size_t trim_threshold) {
#if defined(__GLIBC__)
  return mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold) == 1 && mallopt(M_TRIM_THRESHOLD, (int)trim_threshold) == 1;
#else
  (void)mmap_threshold; (void)trim_threshold;
  return 0;
#endif
}
