package dev.sketchreal.model.clip;

import static dev.sketchreal.model.clip.ClipTextConfig.positive;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A transformers CLIPConfig ({@code config.json} of an openai/clip-vit-* repository): the two tower
 * configs nested under {@code text_config} / {@code vision_config}, and the top-level {@code
 * projection_dim} that CLIPModel uses for both projections (the sub-configs' own projection_dim is
 * overridden by it here, so {@link #textConfig()} and {@link #visionConfig()} are ready to build
 * the towers with their projections).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClipConfig(
    @JsonProperty("text_config") ClipTextConfig textConfig,
    @JsonProperty("vision_config") ClipVisionConfig visionConfig,
    @JsonProperty("projection_dim") Integer projectionDim,
    @JsonProperty("logit_scale_init_value") Double logitScaleInitValue) {

  public ClipConfig {
    projectionDim = projectionDim == null ? 512 : projectionDim;
    logitScaleInitValue = logitScaleInitValue == null ? 2.6592 : logitScaleInitValue;
    positive("projection_dim", projectionDim);
    textConfig =
        (textConfig == null ? ClipTextConfig.defaults() : textConfig)
            .withProjectionDim(projectionDim);
    visionConfig =
        (visionConfig == null ? ClipVisionConfig.defaults() : visionConfig)
            .withProjectionDim(projectionDim);
  }
}
