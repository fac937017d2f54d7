package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.nn.Scalars;
import java.util.function.UnaryOperator;

/**
 * Sampling-time combination of modulation and classifier-free guidance (see {@link
 * ModulationConfig.GuidancePlacement}). The pipeline calls this for the modulated steps (t ≥ 0.9·T)
 * and plain guidance afterwards.
 */
public final class ModulatedGuidance {
  private ModulatedGuidance() {}

  /** How the modulator is run on one eps: the pipeline closes over sketch, z_t and t. */
  @FunctionalInterface
  public interface ModulatorCall {
    Modulation forward(NDArray eps);
  }

  /**
   * @param epsUncond unconditional prediction (B, C, h, w), or null without guidance
   * @param epsCond text-conditioned prediction (B, C, h, w)
   * @param guidanceScale w (≤ 1 or a null epsUncond: no guidance)
   * @param modulator runs the modulation network on the eps it is given
   * @return the prediction handed to the sampler
   */
  public static NDArray predict(
      NDArray epsUncond,
      NDArray epsCond,
      double guidanceScale,
      ModulationConfig config,
      ModulatorCall modulator) {
    double strength = config.sketchStrength();
    boolean guided = epsUncond != null && guidanceScale > 1.0;
    UnaryOperator<NDArray> guide =
        c -> epsUncond.add(Scalars.mul(c.sub(epsUncond), (float) guidanceScale));
    if (!guided) {
      return modulate(epsCond, modulator, strength, config.spatialOnly());
    }
    return switch (config.guidancePlacement()) {
      case MODULATE_CONDITIONAL ->
          guide.apply(modulate(epsCond, modulator, strength, config.spatialOnly()));
      case MODULATE_GUIDED ->
          modulate(guide.apply(epsCond), modulator, strength, config.spatialOnly());
      case ADD_CONDITIONAL_CHANGE ->
          guide
              .apply(epsCond)
              .add(modulate(epsCond, modulator, strength, config.spatialOnly()).sub(epsCond));
      case UNGUIDED -> modulate(epsCond, modulator, strength, config.spatialOnly());
    };
  }

  /**
   * eps' = eps ⊙ (1 + s·S) + s·B; with {@code spatialOnly} the change eps' − eps loses its
   * per-channel mean over (h, w), leaving only where the sketch moves things.
   */
  static NDArray modulate(
      NDArray eps, ModulatorCall modulator, double strength, boolean spatialOnly) {
    NDArray modulated = modulator.forward(eps).apply(eps, strength);
    if (!spatialOnly) {
      return modulated;
    }
    NDArray change = modulated.sub(eps); // (B, C, h, w)
    return eps.add(change.sub(Resize.planeMean(change)));
  }
}
