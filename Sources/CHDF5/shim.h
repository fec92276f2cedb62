#include <hdf5.h>

/* HDF5's type and flag "constants" are macros that call H5open(); Swift cannot import them,
   so these inline functions hand them over. */
static inline hid_t augbench_h5t_float32(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t augbench_h5t_float64(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t augbench_h5t_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t augbench_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t augbench_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t augbench_h5s_all(void) { return H5S_ALL; }
static inline hid_t augbench_h5e_default(void) { return H5E_DEFAULT; }
static inline hid_t augbench_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t augbench_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline unsigned augbench_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned augbench_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned augbench_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline size_t augbench_h5t_variable(void) { return H5T_VARIABLE; }

/* Silences HDF5's own error printing: AugBench reports errors itself, naming file and path. */
static inline void augbench_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
