package dev.sketchreal.train.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sketchreal.io.Json;
import dev.sketchreal.io.SafetensorsWriter;
import dev.sketchreal.nn.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Writes trained components in the diffusers/transformers folder layout. */
final class Components {
  static final String DIFFUSERS_VERSION = "0.27.2";

  private Components() {}

  /**
   * Writes {@code config.json} and the weights file of one component folder.
   *
   * @param weightsFile {@code diffusion_pytorch_model.safetensors} or {@code model.safetensors}
   * @param fp16 store float16 (loads back through loadFloat32)
   */
  static void write(
      Path dir,
      JsonNode config,
      String weightsFile,
      Map<String, Parameter> parameters,
      Predicate<String> keep,
      boolean fp16)
      throws IOException {
    Files.createDirectories(dir);
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    List<NDArray> converted = new java.util.ArrayList<>();
    try {
      parameters.forEach(
          (k, p) -> {
            if (keep.test(k)) {
              NDArray a = p.array();
              if (fp16) {
                a = a.toType(DataType.FLOAT16, true);
                converted.add(a);
              }
              tensors.put(k, a);
            }
          });
      SafetensorsWriter.write(dir.resolve(weightsFile), tensors, Map.of("format", "pt"));
    } finally {
      converted.forEach(NDArray::close);
    }
    Json.writeAtomically(dir.resolve("config.json"), config);
  }

  /** Adds or replaces one entry of the folder's {@code model_index.json}. */
  static synchronized void updateModelIndex(
      Path modelDir, String component, String library, String cls) throws IOException {
    Path file = modelDir.resolve("model_index.json");
    ObjectNode index;
    if (Files.isRegularFile(file)) {
      index = (ObjectNode) Json.readTree(file);
    } else {
      index = Json.mapper().createObjectNode();
      index.put("_class_name", "StableDiffusionPipeline");
      index.put("_diffusers_version", DIFFUSERS_VERSION);
      index.putNull("feature_extractor");
      index.putNull("safety_checker");
      index.put("requires_safety_checker", false);
    }
    index.putArray(component).add(library).add(cls);
    Files.createDirectories(modelDir);
    Json.writeAtomically(file, index);
  }

  /** Total size in bytes of a folder's files (for reports). */
  static long folderBytes(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (var s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
