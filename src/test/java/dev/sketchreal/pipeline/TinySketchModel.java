package dev.sketchreal.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sketchreal.io.Json;
import dev.sketchreal.io.SafetensorsWriter;
import dev.sketchreal.nn.Parameter;
import dev.sketchreal.sketch.ModulationConfig;
import dev.sketchreal.sketch.SketchModulator;
import dev.sketchreal.testing.FixtureSets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A SketchingReality model folder made of the first fixture set's tiny random backbone, its CLIP as
 * the sketch encoder, and a freshly initialised modulation network.
 */
public final class TinySketchModel {
  private TinySketchModel() {}

  public static ModulationConfig config(ModulationConfig.Variant variant) {
    return ModulationConfig.builder()
        .variant(variant)
        .featureChannels(
            variant == ModulationConfig.Variant.SEMANTIC_BRANCHES
                ? 16
                : variant == ModulationConfig.Variant.VAE_SHARED_BRANCH ? 4 : 1)
        .hiddenChannels(16)
        .timeEmbeddingDim(16)
        .vaeScaleFactor(2)
        .build();
  }

  /** Writes the folder; {@code perturbHeads} gives the modulator non-zero (non-identity) heads. */
  public static Path create(Path dir, ModulationConfig config, boolean perturb) throws IOException {
    Path fixture = FixtureSets.all().get(0).dir();
    for (String c : new String[] {"unet", "vae", "text_encoder", "tokenizer", "scheduler"}) {
      copyTree(fixture.resolve(c), dir.resolve(c));
    }
    copyTree(fixture.resolve("clip"), dir.resolve("sketch_encoder"));
    copyTree(fixture.resolve("tokenizer"), dir.resolve("sketch_encoder/tokenizer"));
    Path modulation = Files.createDirectories(dir.resolve("modulation"));
    Json.writeAtomically(modulation.resolve("config.json"), config);
    SketchModulator modulator = SketchModulator.create(config);
    try (NDManager manager = NDManager.newBaseManager()) {
      modulator.module().initialize(manager, new SplittableRandom(1));
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      SplittableRandom random = new SplittableRandom(2);
      for (Map.Entry<String, Parameter> e : modulator.module().namedParameters().entrySet()) {
        NDArray value = e.getValue().array();
        if (perturb) {
          value = value.add(manager.randomNormal(value.getShape()).mul(0.05f));
        }
        tensors.put(e.getKey(), value);
      }
      SafetensorsWriter.write(
          modulation.resolve("diffusion_pytorch_model.safetensors"), tensors, Map.of());
    }
    return dir;
  }

  public static void copyTree(Path from, Path to) throws IOException {
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
