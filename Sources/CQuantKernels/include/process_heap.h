// process_heap: the C library heap's retention settings for the whole process (glibc mallopt), set once at start-up
// by the edgelab executable (Sources/edgelab/main.swift says why).
#ifndef EDGELAB_PROCESS_HEAP_H
#define EDGELAB_PROCESS_HEAP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Blocks of at least `mmap_threshold` bytes get their own mapping; free memory at the top of the heap is returned to
/// the system only above `trim_threshold` bytes. Returns 1 when applied, 0 where the C library has no such settings.
int qk_heap_retain(size_t mmap_threshold, size_t trim_threshold);

#ifdef __cplusplus
}
#endif
#endif
