package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.nn.Module;

/**
 * A network that turns a sketch input, the noisy latent and the backbone's (detached) prediction
 * into the scale and shift maps of {@link Modulation}. Implementations: {@link ModulationNetwork}
 * (the method) and the two ablations {@link VaeSharedBranchModulator}, {@link
 * RawSketchUNetModulator}. All are zero-initialised at their heads, so an untrained modulator is
 * the identity ({@code S = B = 0}).
 */
public interface SketchModulator {
  /**
   * @param sketch the sketch input of the variant: semantic features (B, Cf, hf, wf) of any size
   *     (method), the sketch's VAE latent (B, Cf, h, w) (ablation a) or the raw sketch (B, Cf, H,
   *     W) in pixels (ablation b)
   * @param zt noisy latent (B, C, h, w)
   * @param eps the backbone's text-conditioned prediction (B, C, h, w); detached inside
   * @param timesteps (B) (or (1), broadcast) integer or float timesteps
   * @return S and B, each (B, C, h, w)
   */
  Modulation forward(NDArray sketch, NDArray zt, NDArray eps, NDArray timesteps);

  /**
   * {@link #forward(NDArray, NDArray, NDArray, NDArray)} with the prompt's text hidden states, for
   * a modulator configured with {@code text_channels} > 0 (the others ignore them).
   *
   * @param text (B, tokens, D) the text encoder's hidden states of each row's prompt
   */
  default Modulation forward(
      NDArray sketch, NDArray zt, NDArray eps, NDArray timesteps, NDArray text) {
    return forward(sketch, zt, eps, timesteps);
  }

  /** The parameter tree (to initialise, train, checkpoint). */
  Module module();

  /** The configuration the modulator was built from. */
  ModulationConfig config();

  /** Builds the modulator that {@code config.variant()} names (uninitialised). */
  static SketchModulator create(ModulationConfig config) {
    if (config.textChannels() > 0
        && config.variant() != ModulationConfig.Variant.SEMANTIC_BRANCHES) {
      throw new IllegalArgumentException(
          "text_channels is supported by the semantic_branches modulator only, not "
              + config.variant());
    }
    return switch (config.variant()) {
      case SEMANTIC_BRANCHES -> new ModulationNetwork(config);
      case VAE_SHARED_BRANCH -> new VaeSharedBranchModulator(config);
      case RAW_SKETCH_UNET -> new RawSketchUNetModulator(config);
    };
  }
}
