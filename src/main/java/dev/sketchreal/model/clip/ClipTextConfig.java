package dev.sketchreal.model.clip;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sketchreal.nn.Activation;

/**
 * The text tower settings of a transformers CLIPTextConfig ({@code text_encoder/config.json}, or
 * {@code text_config} inside a CLIPModel's {@code config.json}). Absent keys take transformers'
 * CLIPTextConfig defaults (the openai ViT-B text tower: 512 wide, 12 layers, 8 heads, quick_gelu);
 * unknown keys are ignored. After construction no component is null.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClipTextConfig(
    @JsonProperty("vocab_size") Integer vocabSize,
    @JsonProperty("hidden_size") Integer hiddenSize,
    @JsonProperty("intermediate_size") Integer intermediateSize,
    @JsonProperty("num_hidden_layers") Integer numHiddenLayers,
    @JsonProperty("num_attention_heads") Integer numAttentionHeads,
    @JsonProperty("max_position_embeddings") Integer maxPositionEmbeddings,
    @JsonProperty("hidden_act") String hiddenAct,
    @JsonProperty("layer_norm_eps") Double layerNormEps,
    @JsonProperty("projection_dim") Integer projectionDim,
    @JsonProperty("bos_token_id") Integer bosTokenId,
    @JsonProperty("eos_token_id") Integer eosTokenId,
    @JsonProperty("pad_token_id") Integer padTokenId) {

  /**
   * The legacy {@code eos_token_id} of the released Stable Diffusion text encoders; with it
   * transformers pools at argmax(input_ids) instead of at the first {@code eos_token_id}.
   */
  public static final int LEGACY_EOS_TOKEN_ID = 2;

  public ClipTextConfig {
    vocabSize = orDefault(vocabSize, 49408);
    hiddenSize = orDefault(hiddenSize, 512);
    intermediateSize = orDefault(intermediateSize, 2048);
    numHiddenLayers = orDefault(numHiddenLayers, 12);
    numAttentionHeads = orDefault(numAttentionHeads, 8);
    maxPositionEmbeddings = orDefault(maxPositionEmbeddings, 77);
    hiddenAct = hiddenAct == null ? "quick_gelu" : hiddenAct;
    layerNormEps = layerNormEps == null ? 1e-5 : layerNormEps;
    projectionDim = orDefault(projectionDim, 512);
    bosTokenId = orDefault(bosTokenId, 49406);
    eosTokenId = orDefault(eosTokenId, 49407);
    padTokenId = orDefault(padTokenId, 1);
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("intermediate_size", intermediateSize);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("max_position_embeddings", maxPositionEmbeddings);
    positive("projection_dim", projectionDim);
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException(
          "hidden_size "
              + hiddenSize
              + " is not divisible by num_attention_heads "
              + numAttentionHeads);
    }
    if (!(layerNormEps > 0) || layerNormEps.isInfinite()) {
      throw new IllegalArgumentException("layer_norm_eps must be positive, got " + layerNormEps);
    }
    Activation.byName(hiddenAct);
  }

  /** transformers' CLIPTextConfig() with every default. */
  public static ClipTextConfig defaults() {
    return new ClipTextConfig(
        null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** A copy with another projection width (CLIPModel takes it from the top level). */
  public ClipTextConfig withProjectionDim(int dim) {
    return new ClipTextConfig(
        vocabSize,
        hiddenSize,
        intermediateSize,
        numHiddenLayers,
        numAttentionHeads,
        maxPositionEmbeddings,
        hiddenAct,
        layerNormEps,
        dim,
        bosTokenId,
        eosTokenId,
        padTokenId);
  }

  /** Size of one attention head. */
  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  public Activation activation() {
    return Activation.byName(hiddenAct);
  }

  static Integer orDefault(Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  static void positive(String key, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + " must be positive, got " + value);
    }
  }
}
