package dev.sketchreal.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.sketchreal.sampling.DdimSampler;
import dev.sketchreal.sampling.StepResult;

/**
 * The visible denoising loop: DDIM over the schedule's timesteps with a {@link NoisePredictor}.
 * Each step runs in its own {@link NDScope} so a long loop does not grow memory; progress is
 * reported and cancellation checked between steps.
 */
public final class Denoiser {
  private final DdimSampler sampler;

  public Denoiser(DdimSampler sampler) {
    this.sampler = sampler;
  }

  public DdimSampler sampler() {
    return sampler;
  }

  /**
   * @param latent (1, C, h, w) initial noise already scaled by the sampler's init sigma; consumed
   * @param noise source of the per-step noise when eta > 0
   * @return the final latent (1, C, h, w)
   */
  public NDArray run(
      NDArray latent,
      int steps,
      double eta,
      GaussianNoise noise,
      NoisePredictor predictor,
      ProgressListener progress,
      Cancellation cancellation) {
    return loop(latent, steps, steps, eta, noise, predictor, progress, cancellation, false);
  }

  /**
   * The first {@code count} steps of {@link #run}'s loop, then the sampler's estimate of the clean
   * latent (x0) at that point: what the image would be if the trajectory were decided there.
   *
   * @param count steps to run, in [1, steps]
   * @return the x0 estimate of step {@code count} (1, C, h, w)
   */
  public NDArray estimateAfter(
      NDArray latent,
      int steps,
      int count,
      double eta,
      GaussianNoise noise,
      NoisePredictor predictor,
      ProgressListener progress,
      Cancellation cancellation) {
    if (count < 1 || count > steps) {
      throw new IllegalArgumentException("count must be in [1, " + steps + "], got " + count);
    }
    return loop(latent, steps, count, eta, noise, predictor, progress, cancellation, true);
  }

  private NDArray loop(
      NDArray latent,
      int steps,
      int count,
      double eta,
      GaussianNoise noise,
      NoisePredictor predictor,
      ProgressListener progress,
      Cancellation cancellation,
      boolean estimate) {
    int[] timesteps = sampler.timesteps(steps);
    NDArray original = null;
    for (int i = 0; i < count; i++) {
      cancellation.check();
      int t = timesteps[i];
      NDArray next;
      try (NDScope scope = new NDScope()) {
        NDArray output = predictor.predict(latent, t, i);
        NDArray stepNoise = eta > 0 ? noise.next(latent.getManager(), latent.getShape()) : null;
        StepResult result = sampler.step(output, t, latent, steps, eta, stepNoise);
        next = result.prevSample();
        NDScope.unregister(next);
        if (estimate && i == count - 1) {
          original = result.predOriginalSample();
          NDScope.unregister(original);
        }
      }
      latent.close();
      latent = next;
      progress.onStep(i + 1, timesteps.length, t);
    }
    if (estimate) {
      latent.close();
      return original;
    }
    return latent;
  }
}
