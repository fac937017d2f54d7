package dev.sketchreal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.io.Json;
import dev.sketchreal.sampling.DdimSampler;
import dev.sketchreal.sampling.SchedulerConfig;
import org.junit.jupiter.api.Test;

class DenoiserTest {
  private static final int STEPS = 10;

  @Test
  void theEstimateAfterKStepsIsTheSamplersCleanLatentAtThatPoint() throws Exception {
    // epsilon prediction, x0 not clipped
    SchedulerConfig config =
        Json.mapper().readValue("{\"clip_sample\": false}", SchedulerConfig.class);
    DdimSampler ddim = new DdimSampler(config);
    Denoiser denoiser = new Denoiser(ddim);
    NoisePredictor zero = (latent, t, i) -> latent.zerosLike();
    try (NDManager m = NDManager.newBaseManager()) {
      // with ε = 0 DDIM only rescales: x0 = x_t / sqrt(ᾱ_t) is the same after every step
      float first = ddim.schedule().alphaCumprod(ddim.timesteps(STEPS)[0]);
      float[] start = {0.5f, -1f, 2f, 0.25f};
      for (int k = 1; k <= STEPS; k++) {
        NDArray x0 =
            denoiser.estimateAfter(
                m.create(start, new Shape(1, 1, 2, 2)),
                STEPS,
                k,
                0,
                new GaussianNoise(1),
                zero,
                ProgressListener.NONE,
                Cancellation.NEVER);
        float[] v = x0.toFloatArray();
        for (int j = 0; j < v.length; j++) {
          assertThat(v[j])
              .as("k=%d", k)
              .isCloseTo(start[j] / (float) Math.sqrt(first), within(1e-4f));
        }
      }
      NoisePredictor half = (latent, t, i) -> latent.mul(0.5f);
      int[] count = {0};
      denoiser.estimateAfter(
          m.create(start, new Shape(1, 1, 2, 2)),
          STEPS,
          4,
          0,
          new GaussianNoise(1),
          half,
          (step, total, t) -> count[0] = step,
          Cancellation.NEVER);
      assertThat(count[0]).isEqualTo(4); // ran exactly the first four steps
      assertThatThrownBy(
              () ->
                  denoiser.estimateAfter(
                      m.create(start, new Shape(1, 1, 2, 2)),
                      STEPS,
                      STEPS + 1,
                      0,
                      new GaussianNoise(1),
                      half,
                      ProgressListener.NONE,
                      Cancellation.NEVER))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
