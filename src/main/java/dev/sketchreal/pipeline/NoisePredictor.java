package dev.sketchreal.pipeline;

import ai.djl.ndarray.NDArray;

/**
 * The model call inside the denoising loop: the (guided) prediction for the current latent. Text to
 * image uses the plain UNet with classifier-free guidance; sketch to image wraps it with the
 * modulation network for the noisiest steps.
 */
@FunctionalInterface
public interface NoisePredictor {
  /**
   * @param latent (1, C, h, w) current noisy latent
   * @param timestep model timestep
   * @param stepIndex 0-based index of the step in the schedule
   * @return the model output in the scheduler's prediction type (epsilon or v), (1, C, h, w)
   */
  NDArray predict(NDArray latent, int timestep, int stepIndex);
}
