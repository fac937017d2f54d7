package dev.sketchreal.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/** Classifier-free guidance (Ho and Salimans 2022) as in the diffusers pipelines. */
public final class Guidance {
  private Guidance() {}

  /** The two halves of a batched {@code [uncond; cond]} model output. */
  public record Halves(NDArray uncond, NDArray cond) implements AutoCloseable {
    @Override
    public void close() {
      uncond.close();
      cond.close();
    }
  }

  /**
   * {@code uncond + scale * (cond - uncond)} in float32 (diffusers' order of operations).
   *
   * @param uncond {@code (B, C, H, W)} prediction for the empty/negative prompt
   * @param cond {@code (B, C, H, W)} prediction for the prompt
   */
  public static NDArray classifierFree(NDArray uncond, NDArray cond, double scale) {
    if (!uncond.getShape().equals(cond.getShape())) {
      throw new IllegalArgumentException(
          "uncond " + uncond.getShape() + " and cond " + cond.getShape() + " differ");
    }
    try (NDArray diff = cond.sub(uncond);
        NDArray scaled = diff.mul((float) scale)) {
      return uncond.add(scaled);
    }
  }

  /**
   * Splits a {@code (2B, ...)} output of a model run on {@code concat([uncond, cond])} into its
   * halves (uncond first, like diffusers' {@code noise_pred.chunk(2)}).
   */
  public static Halves split(NDArray batched) {
    long n = batched.getShape().get(0);
    if (n % 2 != 0) {
      throw new IllegalArgumentException(
          "guidance batch must have an even size, got shape " + batched.getShape());
    }
    NDList halves = batched.split(2, 0);
    return new Halves(halves.get(0), halves.get(1));
  }

  /** Split and guide in one call: {@code (2B, ...)} -> {@code (B, ...)}. */
  public static NDArray classifierFree(NDArray batched, double scale) {
    try (Halves h = split(batched)) {
      return classifierFree(h.uncond(), h.cond(), scale);
    }
  }

  /** {@code (B, ...)} -> {@code (2B, ...)}: the latent input repeated for the two halves. */
  public static NDArray doubleBatch(NDArray x) {
    return x.concat(x, 0);
  }

  /**
   * diffusers' {@code rescale_noise_cfg} (Lin et al. 2023, guidance_rescale): rescale the guided
   * prediction to the per-item standard deviation of the conditional one, then mix with factor
   * {@code phi} (0 = off). Standard deviations are unbiased over all axes but the batch.
   */
  public static NDArray rescale(NDArray guided, NDArray cond, double phi) {
    if (phi == 0) {
      return guided.duplicate();
    }
    try (NDArray stdCond = std(cond);
        NDArray stdGuided = std(guided);
        NDArray ratio = stdCond.div(stdGuided);
        NDArray rescaled = guided.mul(ratio);
        NDArray a = rescaled.mul((float) phi);
        NDArray b = guided.mul((float) (1 - phi))) {
      return a.add(b);
    }
  }

  /** Unbiased std over every axis but the first, keeping dims: {@code (B, 1, ..., 1)}. */
  private static NDArray std(NDArray x) {
    Shape shape = x.getShape();
    long b = shape.get(0);
    long count = shape.size() / b;
    long[] keep = new long[shape.dimension()];
    java.util.Arrays.fill(keep, 1);
    keep[0] = b;
    try (NDArray flat = x.reshape(b, count); // (B, N)
        NDArray mean = flat.mean(new int[] {1}, true);
        NDArray centered = flat.sub(mean);
        NDArray sq = centered.square();
        NDArray sum = sq.sum(new int[] {1}, true);
        NDArray var = sum.div((float) (count - 1));
        NDArray sd = var.sqrt()) {
      return sd.reshape(new Shape(keep));
    }
  }
}
