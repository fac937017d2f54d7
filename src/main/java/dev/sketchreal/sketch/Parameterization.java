package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * What the backbone predicts, and the conversions the losses need, written against a plain {@code
 * alphas_cumprod} table (ᾱ_t) so they plug into any noise schedule. {@code alphaBar} arrays are (B,
 * 1, 1, 1) and broadcast over the latent.
 */
public enum Parameterization {
  /** The model predicts the noise (SD2.1-base). */
  EPSILON,
  /** The model predicts v = sqrt(ᾱ)·noise − sqrt(1 − ᾱ)·z0 (SD2.1-768). */
  V_PREDICTION;

  /** From the scheduler config's {@code prediction_type} ("epsilon", "v_prediction"). */
  public static Parameterization of(String predictionType) {
    return switch (predictionType) {
      case "epsilon" -> EPSILON;
      case "v_prediction" -> V_PREDICTION;
      default ->
          throw new IllegalArgumentException(
              "unsupported prediction_type '" + predictionType + "' (epsilon, v_prediction)");
    };
  }

  /** From a scheduler's prediction type; {@code sample} prediction is not supported. */
  public static Parameterization of(dev.sketchreal.sampling.SchedulerConfig.PredictionType type) {
    return switch (type) {
      case EPSILON -> EPSILON;
      case V_PREDICTION -> V_PREDICTION;
      default ->
          throw new IllegalArgumentException(
              "needs an epsilon or v_prediction backbone, not " + type);
    };
  }

  /**
   * The prediction that denotes {@code z0} exactly at state {@code zt}: the implied noise, or the
   * implied v. A sampler given it estimates ẑ0 = z0.
   */
  public NDArray impliedPrediction(NDArray zt, NDArray z0, NDArray alphaBar) {
    return this == EPSILON ? impliedNoise(zt, z0, alphaBar) : velocity(zt, z0, alphaBar);
  }

  /** The regression target of L_noise: the noise, or v. */
  public NDArray target(NDArray z0, NDArray noise, NDArray alphaBar) {
    if (this == EPSILON) {
      return noise;
    }
    return noise.mul(alphaBar.sqrt()).sub(z0.mul(oneMinus(alphaBar).sqrt()));
  }

  /**
   * The clean-latent estimate from a (modulated) prediction: epsilon: {@code (z_t − sqrt(1−ᾱ)·ε') /
   * sqrt(ᾱ)}; v: {@code sqrt(ᾱ)·z_t − sqrt(1−ᾱ)·v'}. Differentiable in {@code prediction}.
   */
  public NDArray z0Hat(NDArray zt, NDArray prediction, NDArray alphaBar) {
    if (this == EPSILON) {
      return zt.sub(prediction.mul(oneMinus(alphaBar).sqrt())).div(alphaBar.sqrt());
    }
    return zt.mul(alphaBar.sqrt()).sub(prediction.mul(oneMinus(alphaBar).sqrt()));
  }

  /** The forward process: {@code z_t = sqrt(ᾱ)·z0 + sqrt(1−ᾱ)·noise}. */
  public static NDArray addNoise(NDArray z0, NDArray noise, NDArray alphaBar) {
    return z0.mul(alphaBar.sqrt()).add(noise.mul(oneMinus(alphaBar).sqrt()));
  }

  /**
   * The noise that {@link #addNoise} would need to reach {@code zt} from {@code z0}: {@code (z_t −
   * sqrt(ᾱ)·z0) / sqrt(1−ᾱ)} (a state the sampler reached, written as a forward-noised z0).
   */
  public static NDArray impliedNoise(NDArray zt, NDArray z0, NDArray alphaBar) {
    return zt.sub(z0.mul(alphaBar.sqrt())).div(oneMinus(alphaBar).sqrt());
  }

  /**
   * The velocity {@code v = sqrt(ᾱ)·noise − sqrt(1−ᾱ)·z0} of the state {@code zt} written with its
   * clean latent alone: {@code (sqrt(ᾱ)·z_t − z0) / sqrt(1−ᾱ)}. With an estimate ẑ0 this is the
   * implied v̂, and {@code v̂ − v = (z0 − ẑ0) / sqrt(1−ᾱ)} for any parameterization.
   */
  public static NDArray velocity(NDArray zt, NDArray z0, NDArray alphaBar) {
    return zt.mul(alphaBar.sqrt()).sub(z0).div(oneMinus(alphaBar).sqrt());
  }

  /**
   * ᾱ at each sample's timestep as (B, 1, 1, 1) float32.
   *
   * @param alphasCumprod ᾱ_0 … ᾱ_{T−1}
   */
  public static NDArray alphaBar(float[] alphasCumprod, int[] timesteps, NDManager manager) {
    float[] values = new float[timesteps.length];
    for (int i = 0; i < timesteps.length; i++) {
      int t = timesteps[i];
      if (t < 0 || t >= alphasCumprod.length) {
        throw new IllegalArgumentException(
            "timestep " + t + " outside [0, " + alphasCumprod.length + ")");
      }
      values[i] = alphasCumprod[t];
    }
    return manager.create(values).reshape(timesteps.length, 1, 1, 1);
  }

  private static NDArray oneMinus(NDArray alphaBar) {
    return alphaBar.neg().add(1f);
  }
}
