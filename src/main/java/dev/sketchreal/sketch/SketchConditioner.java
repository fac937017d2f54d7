package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.model.vae.AutoencoderKL;

/**
 * Turns a sketch into the input its modulator variant expects (shared by training and sampling so
 * both see exactly the same thing):
 *
 * <ul>
 *   <li>{@code SEMANTIC_BRANCHES} (the method): the semantic sketch encoder's patch features (B, P,
 *       g, g);
 *   <li>{@code VAE_SHARED_BRANCH} (ablation a): the sketch drawn as an RGB image (dark on white),
 *       encoded by the backbone VAE: posterior mean × scaling factor (B, 4, h, w);
 *   <li>{@code RAW_SKETCH_UNET} (ablation b): the raw stroke map (B, 1, H, W).
 * </ul>
 */
public final class SketchConditioner {
  private final ModulationConfig.Variant variant;
  private final SemanticSketchEncoder encoder;
  private final AutoencoderKL vae;

  /**
   * @param encoder required for the method, unused otherwise (may be null)
   * @param vae required for ablation (a), unused otherwise (may be null)
   */
  public SketchConditioner(
      ModulationConfig.Variant variant, SemanticSketchEncoder encoder, AutoencoderKL vae) {
    this.variant = variant;
    this.encoder = encoder;
    this.vae = vae;
    if (variant == ModulationConfig.Variant.SEMANTIC_BRANCHES && encoder == null) {
      throw new IllegalArgumentException("the semantic-branches modulator needs sketch_encoder/");
    }
    if (variant == ModulationConfig.Variant.VAE_SHARED_BRANCH && vae == null) {
      throw new IllegalArgumentException("the VAE-shared-branch modulator needs the VAE");
    }
  }

  /**
   * @param strokes (B, 1, H, W) in [0, 1], strokes = 1 (see {@code data.Polarity#inkMap})
   * @return the modulator's sketch input
   */
  public NDArray condition(NDArray strokes) {
    return switch (variant) {
      case SEMANTIC_BRANCHES -> encoder.features(strokes);
      case VAE_SHARED_BRANCH -> {
        NDArray rgb = strokes.mul(-2).add(1).repeat(1, 3); // white paper = 1, ink = -1
        yield vae.encode(rgb).mean().mul((float) vae.scalingFactor());
      }
      case RAW_SKETCH_UNET -> strokes;
    };
  }

  public SemanticSketchEncoder encoder() {
    return encoder;
  }
}
