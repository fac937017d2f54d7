package dev.sketchreal.train.backbone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sketchreal.io.Json;
import dev.sketchreal.model.clip.ClipConfig;
import dev.sketchreal.model.clip.ClipTokenizer;
import dev.sketchreal.train.TrainingRun;

/**
 * {@code sketchreal train text-encoder} settings: a transformers CLIPModel {@code config.json}
 * under {@code model} (text_config, vision_config, projection_dim, logit_scale_init_value) plus the
 * optimisation. The text config's vocab_size, max_position_embeddings and bos/eos/pad ids are taken
 * from the tokenizer at run time.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TextEncoderTrainConfig(
    JsonNode model,
    String split,
    int limit,
    int batchSize,
    long steps,
    double learningRate,
    double weightDecay,
    long warmupSteps,
    double minLrRatio,
    double maxGradNorm,
    int checkpointEvery,
    int keepLast,
    long seed,
    int evalSamples,
    boolean fp16) {

  /** OpenAI CLIP pixel normalisation (also written to preprocessor_config.json). */
  static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};

  static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

  public TextEncoderTrainConfig {
    if (model == null) {
      throw new IllegalArgumentException("config needs 'model' (a CLIPModel config.json)");
    }
    split = split == null ? "train" : split;
    if (batchSize < 2 || steps < 0) {
      throw new IllegalArgumentException("need batch_size >= 2 and steps >= 0");
    }
    keepLast = Math.max(1, keepLast);
  }

  /** The CLIP config with the tokenizer's vocabulary, length and special ids filled in. */
  public ClipConfig clipConfig(ClipTokenizer tokenizer) {
    return readClip(modelJson(tokenizer));
  }

  /** The model JSON with the tokenizer's values written into text_config. */
  ObjectNode modelJson(ClipTokenizer tokenizer) {
    ObjectNode json = model.deepCopy();
    ObjectNode text =
        json.has("text_config")
            ? (ObjectNode) json.get("text_config")
            : json.putObject("text_config");
    text.put("vocab_size", tokenizer.vocabSize());
    text.put("max_position_embeddings", tokenizer.maxLength());
    text.put("bos_token_id", tokenizer.bosId());
    text.put("eos_token_id", tokenizer.eosId());
    text.put("pad_token_id", tokenizer.padId());
    return json;
  }

  static ClipConfig readClip(JsonNode json) {
    try {
      return Json.mapper().treeToValue(json, ClipConfig.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("bad CLIP model config: " + e.getOriginalMessage(), e);
    }
  }

  public TextEncoderTrainConfig withSteps(long newSteps) {
    return new TextEncoderTrainConfig(
        model,
        split,
        limit,
        batchSize,
        newSteps,
        learningRate,
        weightDecay,
        warmupSteps,
        minLrRatio,
        maxGradNorm,
        checkpointEvery,
        keepLast,
        seed,
        evalSamples,
        fp16);
  }

  TrainingRun.Settings settings() {
    return new TrainingRun.Settings(
        steps, seed, maxGradNorm, checkpointEvery, keepLast, warmupSteps, minLrRatio);
  }
}
