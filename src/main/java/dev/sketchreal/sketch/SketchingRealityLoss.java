package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.nn.Scalars;

/**
 * The loss terms of docs/METHOD.md §5 as pure, differentiable functions of arrays. Normalisations
 * (the paper does not give them): L_noise is a per-sample mean squared error averaged over the
 * synthetic samples; ‖·‖₁ is the mean absolute value (so λ2 does not depend on the latent size);
 * std is the population standard deviation of each sample's map (over C·h·w), averaged over the
 * batch — spatial expressiveness within an image, not differences between images.
 */
public final class SketchingRealityLoss {
  /** Keeps sqrt differentiable at a constant map (S = B = 0 at initialisation). */
  private static final float STD_EPS = 1e-12f;

  private SketchingRealityLoss() {}

  /**
   * L_noise over the synthetic samples.
   *
   * @param prediction modulated prediction (B, C, h, w)
   * @param target noise or v (B, C, h, w)
   * @param isSynthetic per sample: true when the sketch is pixel-aligned with its photo
   * @return scalar; 0 when no sample is synthetic
   */
  public static NDArray noise(NDArray prediction, NDArray target, boolean[] isSynthetic) {
    return noise(prediction, target, isSynthetic, 1.0);
  }

  /**
   * L_noise with the error split into its per-channel plane mean m (what tints the whole image) and
   * the rest (where things are): per sample {@code mean((e − m)²) + w·mean_C(m²)}, which is the
   * plain MSE for w = 1.
   *
   * @param globalWeight w ≥ 0, the weight of the plane-mean part
   */
  public static NDArray noise(
      NDArray prediction, NDArray target, boolean[] isSynthetic, double globalWeight) {
    long batch = prediction.getShape().get(0);
    if (isSynthetic.length != batch) {
      throw new IllegalArgumentException(
          "isSynthetic has " + isSynthetic.length + " entries for a batch of " + batch);
    }
    float[] weights = new float[isSynthetic.length];
    int synthetic = 0;
    for (int i = 0; i < weights.length; i++) {
      weights[i] = isSynthetic[i] ? 1f : 0f;
      synthetic += isSynthetic[i] ? 1 : 0;
    }
    NDArray diff = prediction.sub(target);
    NDArray perSample;
    if (globalWeight == 1.0) {
      perSample = diff.mul(diff).reshape(batch, -1).mean(new int[] {1}); // (B)
    } else {
      NDArray planeMean = Resize.planeMean(diff); // (B, C, 1, 1)
      NDArray spatial = diff.sub(planeMean);
      NDArray global = planeMean.mul(planeMean).reshape(batch, -1).mean(new int[] {1});
      perSample =
          spatial
              .mul(spatial)
              .reshape(batch, -1)
              .mean(new int[] {1})
              .add(Scalars.mul(global, (float) globalWeight));
    }
    NDArray mask = prediction.getManager().create(weights);
    return Scalars.div(perSample.mul(mask).sum(), Math.max(1, synthetic));
  }

  /** ‖S‖₁ + ‖B‖₁ as mean absolute values. */
  public static NDArray l1(Modulation m) {
    return m.scale().abs().mean().add(m.shift().abs().mean());
  }

  /**
   * L_var = −(min(std(S), c) + min(std(B), c)), per-sample population std averaged over the batch.
   * The ceiling c stops the reward once the modulation is expressive (see {@link
   * ModulationConfig#varCeiling()}); a very large c is the paper's unbounded formula.
   */
  public static NDArray variance(Modulation m, double ceiling) {
    float c = (float) ceiling;
    return Scalars.minimum(std(m.scale()), c).add(Scalars.minimum(std(m.shift()), c)).neg();
  }

  /** Mean over the batch of each sample's population std: x (B, ...) → scalar. */
  static NDArray std(NDArray x) {
    long b = x.getShape().get(0);
    NDArray flat = x.reshape(b, -1);
    NDArray centred = flat.sub(flat.mean(new int[] {1}, true));
    return centred.mul(centred).mean(new int[] {1}).add(STD_EPS).sqrt().mean();
  }

  /**
   * {@code λ0·noise + λ1·attn + λ2·(l1 + var)} with the weights of the config.
   *
   * @param noiseBackbone carried along for the log (see {@link LossTerms#noiseBackbone()})
   */
  public static LossTerms total(
      NDArray noise,
      NDArray attn,
      NDArray l1,
      NDArray var,
      NDArray noiseBackbone,
      ModulationConfig config) {
    NDArray total =
        Scalars.mul(noise, config.lambdaNoise().floatValue())
            .add(Scalars.mul(attn, config.lambdaAttn().floatValue()))
            .add(Scalars.mul(l1.add(var), config.lambdaRegL1().floatValue()));
    return new LossTerms(total, noise, attn, l1, var, noiseBackbone);
  }
}
