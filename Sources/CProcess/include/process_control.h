#ifndef AUGBENCH_PROCESS_CONTROL_H
#define AUGBENCH_PROCESS_CONTROL_H

/// The CPUs this process may run on, as a bit mask of `words` 64-bit words (CPU i is bit i % 64 of word
/// i / 64). Returns 0 on success, -1 where the affinity cannot be read.
int augbench_get_affinity(unsigned long long *mask, int words);

/// Restricts the calling process to the CPUs in `mask` (same layout). Returns 0 on success, -1 otherwise.
int augbench_set_affinity(const unsigned long long *mask, int words);

/// Asks the kernel to send SIGKILL to this process when the thread that started it ends (a worker of
/// `run --jobs` must not outlive its parent). Returns 0 on success, -1 where unsupported.
int augbench_die_with_parent(void);

#endif
