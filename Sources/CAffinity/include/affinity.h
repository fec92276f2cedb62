#ifndef AUGBENCH_AFFINITY_H
#define AUGBENCH_AFFINITY_H

/// The CPUs this process may run on, as a bit mask of `words` 64-bit words (CPU i is bit i % 64 of word
/// i / 64). Returns 0 on success, -1 where the affinity cannot be read.
int augbench_get_affinity(unsigned long long *mask, int words);

/// Restricts the calling process to the CPUs in `mask` (same layout). Returns 0 on success, -1 otherwise.
int augbench_set_affinity(const unsigned long long *mask, int words);

#endif
