package dev.sketchreal.model.clip;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sketchreal.io.FormatException;
import dev.sketchreal.io.Json;
import dev.sketchreal.io.TensorSources;
import dev.sketchreal.io.WeightSource;
import dev.sketchreal.nn.TensorSource;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An open transformers CLIP folder: its {@code config.json} and its weights (whatever {@link
 * WeightSource#open} accepts: {@code model.safetensors}, shards, fp16 variant). Works for the
 * CLIPTextModel(WithProjection), CLIPVisionModel(WithProjection) and CLIPModel layouts.
 */
final class ClipCheckpoint implements AutoCloseable {
  private final Path configFile;
  private final JsonNode config;
  private final WeightSource weights;

  private ClipCheckpoint(Path configFile, JsonNode config, WeightSource weights) {
    this.configFile = configFile;
    this.config = config;
    this.weights = weights;
  }

  static ClipCheckpoint open(Path folder) throws IOException {
    Path configFile = folder.resolve("config.json");
    JsonNode config = Json.readTree(configFile);
    if (!config.isObject()) {
      throw new FormatException(configFile + ": not a JSON object");
    }
    return new ClipCheckpoint(configFile, config, WeightSource.open(folder));
  }

  /** {@code text_model.embeddings.position_ids} and the vision one: buffers, not parameters. */
  static boolean isPositionIds(String key) {
    return key.endsWith("embeddings.position_ids");
  }

  /**
   * Keys a single tower does not load from a checkpoint: the other tower of a CLIPModel (anything
   * outside {@code towerPrefix} and {@code projectionKey}) and the {@code position_ids} buffers.
   */
  static java.util.function.Predicate<String> notOfTower(String towerPrefix, String projectionKey) {
    return k -> isPositionIds(k) || !(k.startsWith(towerPrefix) || k.equals(projectionKey));
  }

  TensorSource weights() {
    return TensorSources.of(weights);
  }

  private String modelType() {
    return config.path("model_type").asText("");
  }

  private boolean isClipModel() {
    return modelType().equals("clip") || config.has("text_config") || config.has("vision_config");
  }

  ClipConfig clipConfig() throws IOException {
    if (!isClipModel()) {
      throw new FormatException(
          configFile
              + ": model_type '"
              + modelType()
              + "' is not a CLIPModel config (no text_config / vision_config)");
    }
    return Json.readConfig(configFile, ClipConfig.class);
  }

  /** The text settings: the file itself, or its {@code text_config} for a CLIPModel. */
  ClipTextConfig textConfig() throws IOException {
    if (isClipModel()) {
      return clipConfig().textConfig();
    }
    requireType("clip_text_model");
    return Json.readConfig(configFile, ClipTextConfig.class);
  }

  /** The vision settings: the file itself, or its {@code vision_config} for a CLIPModel. */
  ClipVisionConfig visionConfig() throws IOException {
    if (isClipModel()) {
      return clipConfig().visionConfig();
    }
    requireType("clip_vision_model");
    return Json.readConfig(configFile, ClipVisionConfig.class);
  }

  private void requireType(String expected) throws FormatException {
    String type = modelType();
    if (!type.isEmpty() && !type.equals(expected)) {
      throw new FormatException(
          configFile
              + ": model_type '"
              + type
              + "' where '"
              + expected
              + "' or 'clip' was expected");
    }
  }

  @Override
  public void close() {
    weights.close();
  }
}
