#include <cblas.h>

/* LAPACK's symmetric eigensolver, exported by libopenblas (used for FID's matrix square root). */
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork, int *info);

/* LAPACK's Cholesky factorisation (FID's fast path when Σ₁ is positive definite). */
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
