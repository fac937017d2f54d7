package dev.sketchreal.train.sketching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sketchreal.data.sketchworld.SketchWorldConfig;
import dev.sketchreal.data.sketchworld.SketchWorldWriter;
import dev.sketchreal.io.Json;
import dev.sketchreal.io.SafetensorsWriter;
import dev.sketchreal.model.clip.ClipConfig;
import dev.sketchreal.model.clip.ClipModel;
import dev.sketchreal.pipeline.TinySketchModel;
import dev.sketchreal.sketch.ModulationConfig;
import dev.sketchreal.sketch.TinyBackbone;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Test material: the sd2-tiny fixture backbone with a 4-layer random CLIP as {@code
 * sketch_encoder/} (so "the last three layers" leaves one frozen), and a tiny generated SketchWorld
 * folder (64 px on disk, trained at 32 px → 16×16 latents with the fixture's f = 2 VAE).
 */
final class TrainingFixture {
  static final int VISION_LAYERS = 4;

  private TrainingFixture() {}

  /** A backbone folder (no modulation/) with a {@value #VISION_LAYERS}-layer sketch encoder. */
  static Path backbone(Path dir) throws IOException {
    Path fixture = TinyBackbone.fixtureDir();
    for (String c : new String[] {"unet", "vae", "text_encoder", "tokenizer", "scheduler"}) {
      copyTree(fixture.resolve(c), dir.resolve(c));
    }
    Path encoder = Files.createDirectories(dir.resolve("sketch_encoder"));
    ObjectNode config = (ObjectNode) Json.readTree(fixture.resolve("clip/config.json"));
    ((ObjectNode) config.get("vision_config")).put("num_hidden_layers", VISION_LAYERS);
    Files.writeString(encoder.resolve("config.json"), Json.toJson(config));
    ClipModel clip =
        new ClipModel(Json.readConfig(encoder.resolve("config.json"), ClipConfig.class));
    try (NDManager manager = NDManager.newBaseManager()) {
      clip.initialize(manager, new SplittableRandom(17));
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      clip.namedParameters().forEach((k, p) -> tensors.put(k, p.array()));
      SafetensorsWriter.write(encoder.resolve("model.safetensors"), tensors, Map.of());
    }
    copyTree(fixture.resolve("tokenizer"), encoder.resolve("tokenizer"));
    return dir;
  }

  /** A SketchWorld folder of {@code count} samples at 64 px. */
  static Path sketchWorld(Path dir, int count) {
    SketchWorldWriter.write(dir, SketchWorldConfig.defaults().withSize(64), 5, count, 1, null);
    return dir;
  }

  /** The method's tiny modulation network (16 feature channels = the encoder's projection). */
  static ModulationConfig modulation() {
    return TinySketchModel.config(ModulationConfig.Variant.SEMANTIC_BRANCHES);
  }

  /** A config at 32 px on {@code backbone} with some settings overridden (snake_case keys). */
  static SketchingRealityTrainConfig config(Path backbone, Object... overrides) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("backbone", backbone.toString());
    map.put("modulation", modulation());
    map.put("batch_size", 2);
    map.put("steps", 4);
    map.put("image_size", 32);
    map.put("checkpoint_every", 0);
    map.put("seed", 3);
    for (int i = 0; i < overrides.length; i += 2) {
      map.put((String) overrides[i], overrides[i + 1]);
    }
    return Json.mapper().convertValue(map, SketchingRealityTrainConfig.class);
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
