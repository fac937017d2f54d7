package dev.sketchreal.model.clip;

import static dev.sketchreal.model.clip.ClipTextConfig.orDefault;
import static dev.sketchreal.model.clip.ClipTextConfig.positive;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sketchreal.nn.Activation;

/**
 * The vision tower settings of a transformers CLIPVisionConfig ({@code image_encoder/config.json},
 * or {@code vision_config} inside a CLIPModel's {@code config.json}). Absent keys take
 * transformers' CLIPVisionConfig defaults (ViT-B/32 at 224 px, quick_gelu); unknown keys are
 * ignored. After construction no component is null.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClipVisionConfig(
    @JsonProperty("hidden_size") Integer hiddenSize,
    @JsonProperty("intermediate_size") Integer intermediateSize,
    @JsonProperty("projection_dim") Integer projectionDim,
    @JsonProperty("num_hidden_layers") Integer numHiddenLayers,
    @JsonProperty("num_attention_heads") Integer numAttentionHeads,
    @JsonProperty("num_channels") Integer numChannels,
    @JsonProperty("image_size") Integer imageSize,
    @JsonProperty("patch_size") Integer patchSize,
    @JsonProperty("hidden_act") String hiddenAct,
    @JsonProperty("layer_norm_eps") Double layerNormEps) {

  public ClipVisionConfig {
    hiddenSize = orDefault(hiddenSize, 768);
    intermediateSize = orDefault(intermediateSize, 3072);
    projectionDim = orDefault(projectionDim, 512);
    numHiddenLayers = orDefault(numHiddenLayers, 12);
    numAttentionHeads = orDefault(numAttentionHeads, 12);
    numChannels = orDefault(numChannels, 3);
    imageSize = orDefault(imageSize, 224);
    patchSize = orDefault(patchSize, 32);
    hiddenAct = hiddenAct == null ? "quick_gelu" : hiddenAct;
    layerNormEps = layerNormEps == null ? 1e-5 : layerNormEps;
    positive("hidden_size", hiddenSize);
    positive("intermediate_size", intermediateSize);
    positive("projection_dim", projectionDim);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("num_channels", numChannels);
    positive("image_size", imageSize);
    positive("patch_size", patchSize);
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException(
          "hidden_size "
              + hiddenSize
              + " is not divisible by num_attention_heads "
              + numAttentionHeads);
    }
    if (patchSize > imageSize) {
      throw new IllegalArgumentException(
          "patch_size " + patchSize + " is larger than image_size " + imageSize);
    }
    if (!(layerNormEps > 0) || layerNormEps.isInfinite()) {
      throw new IllegalArgumentException("layer_norm_eps must be positive, got " + layerNormEps);
    }
    Activation.byName(hiddenAct);
  }

  /** transformers' CLIPVisionConfig() with every default. */
  public static ClipVisionConfig defaults() {
    return new ClipVisionConfig(null, null, null, null, null, null, null, null, null, null);
  }

  /** A copy with another projection width (CLIPModel takes it from the top level). */
  public ClipVisionConfig withProjectionDim(int dim) {
    return new ClipVisionConfig(
        hiddenSize,
        intermediateSize,
        dim,
        numHiddenLayers,
        numAttentionHeads,
        numChannels,
        imageSize,
        patchSize,
        hiddenAct,
        layerNormEps);
  }

  /** Patches per side: image_size ÷ patch_size (rounded down, as the stride-patch conv does). */
  public int gridSize() {
    return imageSize / patchSize;
  }

  public int numPatches() {
    return gridSize() * gridSize();
  }

  /** Tokens per image: CLS + patches. */
  public int numPositions() {
    return numPatches() + 1;
  }

  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  public Activation activation() {
    return Activation.byName(hiddenAct);
  }
}
