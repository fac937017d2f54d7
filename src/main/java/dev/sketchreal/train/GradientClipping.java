package dev.sketchreal.train;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.nn.Parameter;
import java.util.Collection;

/** Gradient clipping by global norm ({@code torch.nn.utils.clip_grad_norm_}). */
public final class GradientClipping {
  private GradientClipping() {}

  /**
   * Scales every gradient by {@code maxNorm / (norm + 1e-6)} when the global L2 norm over all of
   * them exceeds {@code maxNorm}. A non-positive or infinite {@code maxNorm} only measures.
   *
   * @return the global norm before clipping (NaN/∞ if a gradient is not finite)
   */
  public static double clipGlobalNorm(Collection<Parameter> parameters, double maxNorm) {
    double sumSquares = 0;
    for (Parameter p : parameters) {
      // every intermediate closed: results of ops on g live in the model's manager
      try (NDArray g = p.array().getGradient();
          NDArray squares = g.mul(g);
          NDArray sum = squares.sum()) {
        sumSquares += sum.getFloat();
      }
    }
    double norm = Math.sqrt(sumSquares);
    if (maxNorm > 0 && Double.isFinite(maxNorm) && norm > maxNorm) {
      float scale = (float) (maxNorm / (norm + 1e-6));
      for (Parameter p : parameters) {
        try (NDArray g = p.array().getGradient()) {
          g.muli(scale);
        }
      }
    }
    return norm;
  }

  /** The global norm without clipping. */
  public static double globalNorm(Collection<Parameter> parameters) {
    return clipGlobalNorm(parameters, Double.POSITIVE_INFINITY);
  }
}
