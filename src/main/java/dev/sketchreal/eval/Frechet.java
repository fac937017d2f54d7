package dev.sketchreal.eval;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Fréchet distance between two Gaussians fitted to feature sets (the FID formula):
 *
 * <pre>
 *   d² = |μ1 − μ2|² + Tr Σ1 + Tr Σ2 − 2 Tr sqrt(Σ1 Σ2)
 *   Tr sqrt(Σ1 Σ2) = Σ_i sqrt(λ_i),  λ_i the eigenvalues of sqrt(Σ1) Σ2 sqrt(Σ1)
 * </pre>
 *
 * (sqrt(Σ1) Σ2 sqrt(Σ1) is similar to Σ1 Σ2 and symmetric positive semi-definite, so its symmetric
 * eigen-decomposition gives the trace of the square root without a non-symmetric matrix root).
 * Covariances are unbiased (divide by n − 1), as numpy's {@code cov}. Tiny negative eigenvalues
 * from rounding are clamped to 0.
 */
public final class Frechet {
  private Frechet() {}

  /** Mean and covariance of a feature set. */
  public record Gaussian(double[] mean, double[][] covariance) {}

  /** Fits a Gaussian to rows of features (n ≥ 2 rows of equal length). */
  public static Gaussian fit(double[][] features) {
    int n = features.length;
    if (n < 2) {
      throw new IllegalArgumentException("need at least 2 feature vectors, got " + n);
    }
    int d = features[0].length;
    double[] mean = new double[d];
    for (double[] row : features) {
      if (row.length != d) {
        throw new IllegalArgumentException("feature vectors differ in length");
      }
      for (int j = 0; j < d; j++) {
        mean[j] += row[j] / n;
      }
    }
    double[][] cov = new double[d][d];
    for (double[] row : features) {
      for (int i = 0; i < d; i++) {
        double a = row[i] - mean[i];
        for (int j = i; j < d; j++) {
          cov[i][j] += a * (row[j] - mean[j]);
        }
      }
    }
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) {
        cov[i][j] /= n - 1;
        cov[j][i] = cov[i][j];
      }
    }
    return new Gaussian(mean, cov);
  }

  /** Fréchet distance between the Gaussians fitted to two feature sets. */
  public static double distance(double[][] a, double[][] b) {
    return distance(fit(a), fit(b));
  }

  /** Fréchet distance between two Gaussians. */
  public static double distance(Gaussian g1, Gaussian g2) {
    int d = g1.mean().length;
    if (g2.mean().length != d) {
      throw new IllegalArgumentException("feature dimensions differ");
    }
    double meanTerm = 0;
    for (int i = 0; i < d; i++) {
      double diff = g1.mean()[i] - g2.mean()[i];
      meanTerm += diff * diff;
    }
    DMatrixRMaj s1 = new DMatrixRMaj(g1.covariance());
    DMatrixRMaj s2 = new DMatrixRMaj(g2.covariance());
    DMatrixRMaj root1 = symmetricSqrt(s1);
    DMatrixRMaj tmp = new DMatrixRMaj(d, d);
    DMatrixRMaj m = new DMatrixRMaj(d, d);
    CommonOps_DDRM.mult(root1, s2, tmp);
    CommonOps_DDRM.mult(tmp, root1, m);
    symmetrize(m);
    double traceSqrt = 0;
    for (double lambda : eigenvalues(m)) {
      traceSqrt += Math.sqrt(Math.max(lambda, 0));
    }
    double value = meanTerm + CommonOps_DDRM.trace(s1) + CommonOps_DDRM.trace(s2) - 2 * traceSqrt;
    return Math.max(value, 0);
  }

  /** sqrt of a symmetric PSD matrix: V diag(sqrt(max(λ, 0))) Vᵀ. */
  static DMatrixRMaj symmetricSqrt(DMatrixRMaj a) {
    int d = a.numRows;
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
    if (!eig.decompose(a.copy())) {
      throw new ArithmeticException("eigen-decomposition failed");
    }
    DMatrixRMaj out = new DMatrixRMaj(d, d);
    for (int k = 0; k < d; k++) {
      double lambda = Math.sqrt(Math.max(eig.getEigenvalue(k).getReal(), 0));
      DMatrixRMaj v = eig.getEigenVector(k);
      for (int i = 0; i < d; i++) {
        for (int j = 0; j < d; j++) {
          out.add(i, j, lambda * v.get(i) * v.get(j));
        }
      }
    }
    return out;
  }

  private static double[] eigenvalues(DMatrixRMaj a) {
    int d = a.numRows;
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, false, true);
    if (!eig.decompose(a.copy())) {
      throw new ArithmeticException("eigen-decomposition failed");
    }
    double[] out = new double[d];
    for (int k = 0; k < d; k++) {
      out[k] = eig.getEigenvalue(k).getReal();
    }
    return out;
  }

  private static void symmetrize(DMatrixRMaj m) {
    for (int i = 0; i < m.numRows; i++) {
      for (int j = i + 1; j < m.numCols; j++) {
        double v = 0.5 * (m.get(i, j) + m.get(j, i));
        m.set(i, j, v);
        m.set(j, i, v);
      }
    }
  }
}
