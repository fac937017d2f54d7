package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.nn.Scalars;

/**
 * The modulator's output: per-pixel scale {@code S_t} and shift {@code B_t}, each (B, C, h, w) at
 * the latent shape. The modulated prediction is {@code eps' = eps ⊙ (1 + s·S) + s·B} with the
 * sketch strength {@code s} (1 during training).
 */
public record Modulation(NDArray scale, NDArray shift) {

  /** {@code eps ⊙ (1 + strength·S) + strength·B}; strength 1 is the trained modulation. */
  public NDArray apply(NDArray eps, double strength) {
    return modulate(eps, scale, shift, strength);
  }

  public NDArray apply(NDArray eps) {
    return apply(eps, 1.0);
  }

  /**
   * @param eps the backbone's prediction (B, C, h, w) (epsilon or v)
   * @param scale S (B, C, h, w)
   * @param shift B (B, C, h, w)
   * @param strength sketch strength s; 0 returns eps unchanged
   */
  public static NDArray modulate(NDArray eps, NDArray scale, NDArray shift, double strength) {
    float s = (float) strength;
    if (s == 1f) {
      return eps.add(eps.mul(scale)).add(shift);
    }
    return eps.add(Scalars.mul(eps.mul(scale), s)).add(Scalars.mul(shift, s));
  }
}
