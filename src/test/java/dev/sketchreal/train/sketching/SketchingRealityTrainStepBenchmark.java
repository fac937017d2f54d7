package dev.sketchreal.train.sketching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sketchreal.io.Json;
import dev.sketchreal.io.SafetensorsWriter;
import dev.sketchreal.model.clip.ClipTextConfig;
import dev.sketchreal.model.clip.ClipTextModel;
import dev.sketchreal.model.unet.UNet2DConditionModel;
import dev.sketchreal.model.unet.UNetConfig;
import dev.sketchreal.model.vae.AutoencoderKL;
import dev.sketchreal.model.vae.VaeConfig;
import dev.sketchreal.nn.Module;
import dev.sketchreal.sketch.ModulationConfig;
import dev.sketchreal.sketch.TinyBackbone;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ms per SketchingReality training step (not a test: excluded from {@code mvn test} by name). Run:
 *
 * <pre>
 *   mvn -B -q test -Dtest=SketchingRealityTrainStepBenchmark -Dbench.runs=10
 * </pre>
 *
 * Two sizes: (1) the sd2-tiny fixture backbone at 32 px, batch 4 (per-call overhead); (2) the
 * {@code shared/bench/sd21-quarter} UNet + VAE (SD2.1 layout, quarter channels, random weights)
 * with a 1024-wide 2-layer random text encoder, at 256 px (32×32 latents), batch 2, the method's
 * default 64-wide modulation network; both with the fixture CLIP as the sketch encoder (its 2
 * layers fine-tuned).
 */
class SketchingRealityTrainStepBenchmark {
  private static final int RUNS = Integer.getInteger("bench.runs", 10);

  @BeforeEach
  void onlyWhenAsked() {
    Assumptions.assumeTrue(
        System.getProperty("bench.runs") != null, "benchmark: run with -Dbench.runs=N");
  }

  @Test
  void tinyFixtureAt32Px() throws Exception {
    Path dir = Files.createTempDirectory("srt-bench-tiny");
    Path backbone = TrainingFixture.backbone(dir.resolve("model"));
    Path data = TrainingFixture.sketchWorld(dir.resolve("sw"), 16);
    SketchingRealityTrainConfig c =
        TrainingFixture.config(backbone, "batch_size", 4, "encoder_layers", 3);
    report("sd2-tiny fixture, 32 px (latent 16x16), batch 4", c, data);
  }

  @Test
  void sd21QuarterAt256Px() throws Exception {
    Path dir = Files.createTempDirectory("srt-bench-quarter");
    Path backbone = TrainingFixture.backbone(dir.resolve("model")); // tokenizer, scheduler, encoder
    Path bench = TinyBackbone.fixtureDir().resolveSibling("..").resolve("bench/sd21-quarter");
    bench = bench.normalize();
    try (NDManager m = NDManager.newBaseManager()) {
      UNetConfig unetConfig = Json.readConfig(bench.resolve("unet/config.json"), UNetConfig.class);
      write(
          new UNet2DConditionModel(unetConfig),
          bench.resolve("unet/config.json"),
          backbone.resolve("unet"),
          "diffusion_pytorch_model.safetensors",
          m);
      VaeConfig vaeConfig = Json.readConfig(bench.resolve("vae/config.json"), VaeConfig.class);
      write(
          new AutoencoderKL(vaeConfig),
          bench.resolve("vae/config.json"),
          backbone.resolve("vae"),
          "diffusion_pytorch_model.safetensors",
          m);
      ObjectNode text = (ObjectNode) Json.readTree(backbone.resolve("text_encoder/config.json"));
      text.put("hidden_size", 1024).put("intermediate_size", 4096).put("num_attention_heads", 16);
      Path textConfig = dir.resolve("text_config.json");
      Files.writeString(textConfig, Json.toJson(text));
      write(
          new ClipTextModel(Json.readConfig(textConfig, ClipTextConfig.class), false),
          textConfig,
          backbone.resolve("text_encoder"),
          "model.safetensors",
          m);
    }
    Path data = TrainingFixture.sketchWorld(dir.resolve("sw"), 16);
    ModulationConfig modulation =
        ModulationConfig.builder().featureChannels(16).vaeScaleFactor(8).build();
    SketchingRealityTrainConfig c =
        TrainingFixture.config(
            backbone,
            "batch_size",
            2,
            "image_size",
            256,
            "encoder_layers",
            2,
            "modulation",
            modulation);
    report("sd21-quarter UNet+VAE (random), 256 px (latent 32x32), batch 2", c, data);
  }

  private static void write(Module module, Path config, Path dir, String file, NDManager m)
      throws Exception {
    Files.createDirectories(dir);
    Files.copy(
        config, dir.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    module.initialize(m, new SplittableRandom(1));
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    module.namedParameters().forEach((k, p) -> tensors.put(k, p.array()));
    Files.deleteIfExists(dir.resolve(file));
    SafetensorsWriter.write(dir.resolve(file), tensors, Map.of());
  }

  private static void report(String what, SketchingRealityTrainConfig c, Path data)
      throws Exception {
    try (SketchingRealityTrainer t = SketchingRealityTrainer.open(c, data)) {
      long params = t.optimizer().parameters().values().stream().mapToLong(p -> p.size()).sum();
      double[] ms = t.benchmark(2, RUNS);
      double[] sorted = ms.clone();
      Arrays.sort(sorted);
      System.out.printf(
          "BENCH train_step | %s | %,d trainable | min %.0f / median %.0f / max %.0f ms/step"
              + " (%d steps after 2 warm-up) %s%n",
          what,
          params,
          sorted[0],
          sorted[sorted.length / 2],
          sorted[sorted.length - 1],
          ms.length,
          Arrays.toString(Arrays.stream(ms).mapToLong(Math::round).toArray()));
    }
  }
}
