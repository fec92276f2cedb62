#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include "process_control.h"
#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>
#endif

int augbench_get_affinity(unsigned long long *mask, int words) {
#ifdef __linux__
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    memset(mask, 0, sizeof(unsigned long long) * (size_t)words);
    for (int cpu = 0; cpu < CPU_SETSIZE && cpu < words * 64; cpu++) {
        if (CPU_ISSET(cpu, &set)) mask[cpu / 64] |= 1ULL << (cpu % 64);
    }
    return 0;
#else
    (void)mask; (void)words;
    return -1;
#endif
}

int augbench_set_affinity(const unsigned long long *mask, int words) {
#ifdef __linux__
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu = 0; cpu < CPU_SETSIZE && cpu < words * 64; cpu++) {
        if (mask[cpu / 64] & (1ULL << (cpu % 64))) CPU_SET(cpu, &set);
    }
    return sched_setaffinity(0, sizeof set, &set);
#else
    (void)mask; (void)words;
    return -1;
#endif
}

int augbench_die_with_parent(void) {
#ifdef __linux__
    return prctl(PR_SET_PDEATHSIG, SIGKILL);
#else
    return -1;
#endif
}
