package dev.sketchreal.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Everything a text-to-image generation depends on besides the model. A generation is a pure
 * function of this record (and the sketch, for sketch-to-image): same request, same image.
 *
 * @param seed noise seed (resolved: never -1 here)
 * @param width image width in pixels (multiple of the VAE's downsampling factor)
 * @param eta DDIM eta (0 = deterministic DDIM)
 */
public record GenerationRequest(
    @JsonProperty("prompt") String prompt,
    @JsonProperty("negative_prompt") String negativePrompt,
    @JsonProperty("seed") long seed,
    @JsonProperty("steps") int steps,
    @JsonProperty("guidance_scale") double guidanceScale,
    @JsonProperty("width") int width,
    @JsonProperty("height") int height,
    @JsonProperty("eta") double eta) {

  public GenerationRequest {
    if (prompt == null) {
      throw new IllegalArgumentException("prompt is required");
    }
    negativePrompt = negativePrompt == null ? "" : negativePrompt;
    if (seed < 0) {
      throw new IllegalArgumentException("seed must be resolved (>= 0), got " + seed);
    }
    if (steps < 1 || steps > 1000) {
      throw new IllegalArgumentException("steps must be in [1, 1000], got " + steps);
    }
    if (!Double.isFinite(guidanceScale) || guidanceScale < 0) {
      throw new IllegalArgumentException("guidance scale must be finite and >= 0");
    }
    if (width < 8 || height < 8 || width > 4096 || height > 4096) {
      throw new IllegalArgumentException(
          "size " + width + "x" + height + " out of range [8, 4096]");
    }
    if (!(eta >= 0 && eta <= 1)) {
      throw new IllegalArgumentException("eta must be in [0, 1], got " + eta);
    }
  }

  /** Classifier-free guidance needs the unconditional branch only when the scale is above 1. */
  public boolean usesGuidance() {
    return guidanceScale > 1.0;
  }
}
