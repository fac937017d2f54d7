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
    int[] timesteps = sampler.timesteps(steps);
    for (int i = 0; i < timesteps.length; i++) {
      cancellation.check();
      int t = timesteps[i];
      NDArray next;
      try (NDScope scope = new NDScope()) {
        NDArray output = predictor.predict(latent, t, i);
        NDArray stepNoise = eta > 0 ? noise.next(latent.getManager(), latent.getShape()) : null;
        StepResult result = sampler.step(output, t, latent, steps, eta, stepNoise);
        next = result.prevSample();
        NDScope.unregister(next);
      }
      latent.close();
      latent = next;
      progress.onStep(i + 1, timesteps.length, t);
    }
    return latent;
  }
}
