package dev.sketchreal.eval;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.pipeline.NoisePredictor;
import dev.sketchreal.sampling.NoiseSchedule;
import dev.sketchreal.sketch.ModulationConfig;
import dev.sketchreal.sketch.Parameterization;
import dev.sketchreal.sketch.Resize;

/**
 * A perfect modulator, for diagnosis: during the steps a modulator with the given fraction would
 * act on (t ≥ (1 − fraction)·T, the same threshold), the prediction is the one the photo's own
 * latent z0 implies at the current state, so the sampler's clean-latent estimate is exactly z0;
 * afterwards the plain backbone runs. The layout the final image keeps is the most that any
 * modulator acting on those steps can hand over to this backbone.
 */
public final class HandoverOracle {
  private HandoverOracle() {}

  /**
   * The latent with everything finer than {@code factor}×{@code factor} latent cells removed:
   * area-averaged down by {@code factor}, bilinear back up. What a modulator that gets the coarse
   * layout and colours right, but nothing finer, would hand over.
   *
   * @param z0 (B, C, h, w), h and w multiples of {@code factor}
   */
  public static NDArray lowPass(NDArray z0, int factor) {
    long h = z0.getShape().get(2);
    long w = z0.getShape().get(3);
    if (factor < 1 || h % factor != 0 || w % factor != 0) {
      throw new IllegalArgumentException(
          "the pooling factor must be >= 1 and divide the latent size "
              + h
              + "x"
              + w
              + ", got "
              + factor);
    }
    return Resize.bilinear(Resize.area(z0, h / factor, w / factor), h, w);
  }

  /**
   * @param plain the backbone's (guided) predictor for the remaining steps
   * @param z0 (1, C, h, w) the photo's latent (VAE posterior mean × scaling factor)
   * @param fraction in (0, 1]: the noisiest fraction of the training timesteps that is replaced
   */
  public static NoisePredictor predictor(
      NoisePredictor plain, NDArray z0, NoiseSchedule schedule, double fraction) {
    ModulationConfig threshold = ModulationConfig.builder().modulationFraction(fraction).build();
    Parameterization parameterization = Parameterization.of(schedule.predictionType());
    int trainSteps = schedule.numTrainTimesteps();
    return (latent, t, i) -> {
      if (!threshold.modulates(t, trainSteps)) {
        return plain.predict(latent, t, i);
      }
      NDArray alphaBar = latent.getManager().create(new float[] {schedule.alphaCumprod(t)});
      return parameterization.impliedPrediction(
          latent, z0, alphaBar.reshape(1, 1, 1, 1).toType(latent.getDataType(), false));
    };
  }
}
