package dev.sketchreal.model.clip;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sketchreal.io.FormatException;
import dev.sketchreal.io.SafetensorsFile;
import dev.sketchreal.io.TensorSources;
import dev.sketchreal.nn.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * An open transformers CLIP folder: its {@code config.json} and its weights ({@code
 * model.safetensors}, or the shards listed in {@code model.safetensors.index.json}). Works for the
 * CLIPTextModel, CLIPVisionModel(WithProjection) and CLIPModel layouts.
 */
final class ClipCheckpoint implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path folder;
  private final JsonNode config;
  private final List<SafetensorsFile> files;
  private final TensorSource weights;

  private ClipCheckpoint(
      Path folder, JsonNode config, List<SafetensorsFile> files, TensorSource weights) {
    this.folder = folder;
    this.config = config;
    this.files = files;
    this.weights = weights;
  }

  static ClipCheckpoint open(Path folder) throws IOException {
    Path configFile = folder.resolve("config.json");
    if (!Files.isRegularFile(configFile)) {
      throw new NoSuchFileException(configFile.toString(), null, "no config.json in the folder");
    }
    JsonNode config;
    try {
      config = JSON.readTree(configFile.toFile());
    } catch (JsonProcessingException e) {
      throw new FormatException(configFile + ": invalid JSON: " + e.getOriginalMessage(), e);
    }
    if (config == null || !config.isObject()) {
      throw new FormatException(configFile + ": not a JSON object");
    }
    List<SafetensorsFile> files = new ArrayList<>();
    try {
      Path single = folder.resolve("model.safetensors");
      Path index = folder.resolve("model.safetensors.index.json");
      TensorSource weights;
      if (Files.isRegularFile(single)) {
        files.add(SafetensorsFile.open(single));
        weights = TensorSources.of(files.get(0));
      } else if (Files.isRegularFile(index)) {
        JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
        if (!map.isObject()) {
          throw new FormatException(index + ": no weight_map object");
        }
        TreeSet<String> shards = new TreeSet<>();
        for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
          shards.add(it.next().asText());
        }
        List<TensorSource> sources = new ArrayList<>();
        for (String shard : shards) {
          SafetensorsFile file = SafetensorsFile.open(folder.resolve(shard));
          files.add(file);
          sources.add(TensorSources.of(file));
        }
        weights = TensorSources.union(index.toString(), sources);
      } else {
        throw new NoSuchFileException(
            single.toString(),
            null,
            "no model.safetensors or model.safetensors.index.json (convert .bin checkpoints to"
                + " safetensors first)");
      }
      return new ClipCheckpoint(folder, config, files, weights);
    } catch (IOException | RuntimeException e) {
      files.forEach(SafetensorsFile::close);
      throw e;
    }
  }

  /** {@code text_model.embeddings.position_ids} and the vision one: buffers, not parameters. */
  static boolean isPositionIds(String key) {
    return key.endsWith("embeddings.position_ids");
  }

  TensorSource weights() {
    return weights;
  }

  String modelType() {
    return config.path("model_type").asText("");
  }

  boolean isClipModel() {
    return modelType().equals("clip") || config.has("text_config") || config.has("vision_config");
  }

  ClipConfig clipConfig() throws FormatException {
    if (!isClipModel()) {
      throw new FormatException(
          folder.resolve("config.json")
              + ": model_type '"
              + modelType()
              + "' is not a CLIPModel config (no text_config / vision_config)");
    }
    return parse(config, ClipConfig.class);
  }

  ClipTextConfig textConfig() throws FormatException {
    if (isClipModel()) {
      return clipConfig().textConfig();
    }
    requireType("clip_text_model");
    return parse(config, ClipTextConfig.class);
  }

  ClipVisionConfig visionConfig() throws FormatException {
    if (isClipModel()) {
      return clipConfig().visionConfig();
    }
    requireType("clip_vision_model");
    return parse(config, ClipVisionConfig.class);
  }

  private void requireType(String expected) throws FormatException {
    String type = modelType();
    if (!type.isEmpty() && !type.equals(expected)) {
      throw new FormatException(
          folder.resolve("config.json")
              + ": model_type '"
              + type
              + "' where '"
              + expected
              + "' or 'clip' was expected");
    }
  }

  private <T> T parse(JsonNode node, Class<T> type) throws FormatException {
    try {
      return JSON.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
      throw new FormatException(
          folder.resolve("config.json")
              + ": invalid "
              + type.getSimpleName()
              + ": "
              + cause.getMessage(),
          e);
    }
  }

  @Override
  public void close() {
    files.forEach(SafetensorsFile::close);
  }
}
