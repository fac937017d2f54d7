package dev.sketchreal.train.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sketchreal.model.clip.ClipModel;
import dev.sketchreal.model.clip.ClipTextModel;
import dev.sketchreal.model.clip.ClipTokenizer;
import dev.sketchreal.pipeline.Cancellation;
import dev.sketchreal.pipeline.GeneratedImage;
import dev.sketchreal.pipeline.GenerationRequest;
import dev.sketchreal.pipeline.StableDiffusion;
import dev.sketchreal.pipeline.TextToImage;
import dev.sketchreal.runtime.Compute;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each backbone trainer on tiny configs and 8 synthetic pairs: the loss goes down, {@code --resume}
 * continues with exactly the same losses, and the exported folders load through the normal loaders
 * (the whole output folder through {@link StableDiffusion#load}).
 */
class BackboneTrainersTest {
  static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
  static PhotoCaptionSet data;
  @TempDir static Path shared;
  static Path model;

  @BeforeAll
  static void setUp() throws Exception {
    data = TinySetup.pairs(16);
    model = shared.resolve("model");
    BpeTrainer.write(
        BpeTrainer.train(data.captions(), 600, 1), model.resolve("tokenizer"), 16, BpeTrainer.EOS);
  }

  @Test
  void vaeLossGoesDownAndTheFolderLoads(@TempDir Path tmp) throws Exception {
    VaeTrainConfig c = TinySetup.config(TinySetup.vaeJson(25, 0), VaeTrainConfig.class);
    try (VaeTrainer t = new VaeTrainer(c, data, data)) {
      t.train(tmp.resolve("out"), tmp.resolve("run"), false, false, QUIET);
      assertThat(t.lastMetrics()).containsKeys("scaling_factor", "eval_psnr_db");
    }
    List<Double> losses = TinySetup.losses(tmp.resolve("run"));
    assertThat(losses).hasSize(25);
    assertThat(TinySetup.mean(losses.subList(20, 25)))
        .isLessThan(0.75 * TinySetup.mean(losses.subList(0, 5)));
    try (var m = Compute.newManager()) {
      var vae = dev.sketchreal.model.vae.AutoencoderKL.load(tmp.resolve("out/vae"), m);
      assertThat(vae.scalingFactor()).isPositive().isNotEqualTo(0.18215);
    }
    assertThat(tmp.resolve("out/model_index.json")).exists();
  }

  @Test
  void decoderOnlyFineTuningKeepsTheLatentSpace(@TempDir Path tmp) throws Exception {
    VaeTrainConfig scratch = TinySetup.config(TinySetup.vaeJson(4, 0), VaeTrainConfig.class);
    try (VaeTrainer t = new VaeTrainer(scratch, data, null)) {
      t.train(tmp.resolve("base"), tmp.resolve("run-base"), false, false, QUIET);
    }
    Path source = tmp.resolve("base/vae");
    String json =
        "{\"init_from\": \""
            + source.toString().replace("\\", "/")
            + "\", \"decoder_only\": true, \"image_size\": 16, \"crop_size\": 16,"
            + " \"batch_size\": 4, \"l1_weight\": 1.0, \"l2_weight\": 1.0, \"edge_weight\": 0.5,"
            + " \"kl_weight\": 1.0, \"scaling_samples\": 8, \"eval_samples\": 4, "
            + TinySetup.optimisation(15, 0.005, 0)
            + "}";
    VaeTrainConfig c = TinySetup.config(json, VaeTrainConfig.class);
    try (VaeTrainer t = new VaeTrainer(c, data, data)) {
      t.train(tmp.resolve("out"), tmp.resolve("run"), false, false, QUIET);
    }
    try (var m = Compute.newManager()) {
      var before = dev.sketchreal.model.vae.AutoencoderKL.load(source, m);
      var after = dev.sketchreal.model.vae.AutoencoderKL.load(tmp.resolve("out/vae"), m);
      assertThat(after.scalingFactor()).isEqualTo(before.scalingFactor());
      var old = before.namedParameters();
      int changedDecoder = 0;
      for (var e : after.namedParameters().entrySet()) {
        float[] a = e.getValue().array().toFloatArray();
        float[] b = old.get(e.getKey()).array().toFloatArray();
        if (VaeTrainer.isDecoderSide(e.getKey())) {
          changedDecoder += java.util.Arrays.equals(a, b) ? 0 : 1;
        } else {
          assertThat(a).as(e.getKey()).containsExactly(b);
        }
      }
      assertThat(changedDecoder).isPositive();
    }
    // the KL of a frozen encoder is constant: the total is the reconstruction terms alone
    for (String line : Files.readAllLines(tmp.resolve("run/train.jsonl"))) {
      var loss = dev.sketchreal.io.Json.mapper().readTree(line).path("loss");
      double reconstruction =
          loss.path("l1").asDouble()
              + loss.path("l2").asDouble()
              + 0.5 * loss.path("edge").asDouble();
      assertThat(loss.path("kl").asDouble()).isPositive();
      assertThat(loss.path("total").asDouble()).isCloseTo(reconstruction, within(1e-5));
    }
    List<Double> losses = TinySetup.losses(tmp.resolve("run"));
    assertThat(TinySetup.mean(losses.subList(10, 15)))
        .isLessThan(TinySetup.mean(losses.subList(0, 5)));
  }

  @Test
  void decoderOnlyNeedsASource() {
    String json = "{\"decoder_only\": true, " + TinySetup.vaeJson(2, 0).substring(1);
    assertThatThrownBy(() -> TinySetup.config(json, VaeTrainConfig.class))
        .hasMessageContaining("decoder_only needs init_from");
  }

  @Test
  void vaeResumeContinuesExactly(@TempDir Path tmp) throws Exception {
    List<Double> straight = run(tmp.resolve("a"), 6, false);
    run(tmp.resolve("b"), 3, false);
    List<Double> resumed = run(tmp.resolve("b"), 6, true);
    assertThat(resumed).hasSize(6).isEqualTo(straight);
  }

  @Test
  void refusesToOverwriteARunWithoutResume(@TempDir Path tmp) throws Exception {
    run(tmp.resolve("a"), 2, false);
    assertThatThrownBy(() -> run(tmp.resolve("a"), 4, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--resume");
  }

  private static List<Double> run(Path dir, long steps, boolean resume) throws Exception {
    VaeTrainConfig c = TinySetup.config(TinySetup.vaeJson(steps, 3), VaeTrainConfig.class);
    try (VaeTrainer t = new VaeTrainer(c, data, null)) {
      t.train(dir.resolve("out"), dir.resolve("run"), resume, false, QUIET);
    }
    return TinySetup.losses(dir.resolve("run"));
  }

  @Test
  void textEncoderLossGoesDownResumesExactlyAndLoads(@TempDir Path tmp) throws Exception {
    Path tok = model.resolve("tokenizer");
    TextEncoderTrainConfig c =
        TinySetup.config(TinySetup.clipJson(30, 0), TextEncoderTrainConfig.class);
    try (TextEncoderTrainer t = new TextEncoderTrainer(c, data, data, tok)) {
      t.train(tmp.resolve("out"), tmp.resolve("clip"), tmp.resolve("run"), false, false, QUIET);
      assertThat(t.lastMetrics()).containsKey("eval_image_to_text_top1");
    }
    List<Double> losses = TinySetup.losses(tmp.resolve("run"));
    assertThat(TinySetup.mean(losses.subList(25, 30)))
        .isLessThan(0.8 * TinySetup.mean(losses.subList(0, 5)));
    try (var m = Compute.newManager()) {
      ClipTextModel text = ClipTextModel.load(tmp.resolve("out/text_encoder"), m);
      assertThat(text.hasProjection()).isFalse();
      ClipModel clip = ClipModel.load(tmp.resolve("clip"), m);
      assertThat(clip.config().projectionDim()).isEqualTo(16);
      assertThat(ClipTokenizer.load(tmp.resolve("clip")).vocabSize())
          .isEqualTo(text.config().vocabSize());
    }
    // resume
    TextEncoderTrainConfig c4 =
        TinySetup.config(TinySetup.clipJson(4, 2), TextEncoderTrainConfig.class);
    TextEncoderTrainConfig c2 =
        TinySetup.config(TinySetup.clipJson(2, 2), TextEncoderTrainConfig.class);
    try (TextEncoderTrainer t = new TextEncoderTrainer(c4, data, null, tok)) {
      t.train(tmp.resolve("o"), null, tmp.resolve("ra"), false, false, QUIET);
    }
    try (TextEncoderTrainer t = new TextEncoderTrainer(c2, data, null, tok)) {
      t.train(tmp.resolve("o"), null, tmp.resolve("rb"), false, false, QUIET);
    }
    try (TextEncoderTrainer t = new TextEncoderTrainer(c4, data, null, tok)) {
      t.train(tmp.resolve("o"), null, tmp.resolve("rb"), true, false, QUIET);
    }
    assertThat(TinySetup.losses(tmp.resolve("rb"))).isEqualTo(TinySetup.losses(tmp.resolve("ra")));
  }

  @Test
  void unetLossGoesDownResumesExactlyAndTheFolderGenerates(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("model");
    copyTokenizer(out);
    try (VaeTrainer t =
        new VaeTrainer(
            TinySetup.config(TinySetup.vaeJson(2, 0), VaeTrainConfig.class), data, null)) {
      t.train(out, tmp.resolve("runs/vae"), false, false, QUIET);
    }
    try (TextEncoderTrainer t =
        new TextEncoderTrainer(
            TinySetup.config(TinySetup.clipJson(2, 0), TextEncoderTrainConfig.class),
            data,
            null,
            out.resolve("tokenizer"))) {
      t.train(out, null, tmp.resolve("runs/te"), false, false, QUIET);
    }
    UNetTrainConfig c = TinySetup.config(TinySetup.unetJson(30, 0), UNetTrainConfig.class);
    try (UNetTrainer t = new UNetTrainer(c, data, out, tmp.resolve("runs/unet"), QUIET)) {
      t.train(out, tmp.resolve("runs/unet"), false, false, QUIET);
    }
    List<Double> losses = TinySetup.losses(tmp.resolve("runs/unet"));
    assertThat(TinySetup.mean(losses.subList(24, 30)))
        .isLessThan(0.8 * TinySetup.mean(losses.subList(0, 6)));
    // the latents were cached
    try (var s = Files.list(tmp.resolve("runs/unet"))) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith("latents-"))).hasSize(1);
    }

    try (StableDiffusion sd = StableDiffusion.load(out)) {
      assertThat(sd.vaeScaleFactor()).isEqualTo(2);
      assertThat(sd.defaultImageSize()).isEqualTo(16);
      GeneratedImage img =
          new TextToImage(sd)
              .generate(
                  new GenerationRequest("a red square on the left", "", 1, 3, 3.0, 16, 16, 0),
                  (s, n, t) -> {},
                  Cancellation.NEVER);
      assertThat(img.width()).isEqualTo(16);
    }

    UNetTrainConfig c4 = TinySetup.config(TinySetup.unetJson(4, 2), UNetTrainConfig.class);
    UNetTrainConfig c2 = TinySetup.config(TinySetup.unetJson(2, 2), UNetTrainConfig.class);
    try (UNetTrainer t = new UNetTrainer(c4, data, out, tmp.resolve("ra"), QUIET)) {
      t.train(tmp.resolve("oa"), tmp.resolve("ra"), false, false, QUIET);
    }
    try (UNetTrainer t = new UNetTrainer(c2, data, out, tmp.resolve("rb"), QUIET)) {
      t.train(tmp.resolve("ob"), tmp.resolve("rb"), false, false, QUIET);
    }
    try (UNetTrainer t = new UNetTrainer(c4, data, out, tmp.resolve("rb"), QUIET)) {
      t.train(tmp.resolve("ob"), tmp.resolve("rb"), true, false, QUIET);
    }
    assertThat(TinySetup.losses(tmp.resolve("rb"))).isEqualTo(TinySetup.losses(tmp.resolve("ra")));
    // init_from continues the exported UNet: same weights, its architecture, a lower start
    var json =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            dev.sketchreal.io.Json.mapper().readTree(TinySetup.unetJson(2, 0));
    json.remove("model");
    json.put("init_from", out.resolve("unet").toString());
    UNetTrainConfig ci = dev.sketchreal.io.Json.mapper().treeToValue(json, UNetTrainConfig.class);
    try (UNetTrainer t = new UNetTrainer(ci, data, out, tmp.resolve("ri"), QUIET);
        ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
      var saved = dev.sketchreal.model.unet.UNet2DConditionModel.load(out.resolve("unet"), m);
      t.model()
          .namedParameters()
          .forEach(
              (k, p) ->
                  assertThat(
                          java.util.Arrays.equals(
                              p.array().toFloatArray(),
                              saved.namedParameters().get(k).array().toFloatArray()))
                      .as(k)
                      .isTrue());
      t.train(tmp.resolve("oi"), tmp.resolve("ri"), false, false, QUIET);
    }
    assertThat(TinySetup.losses(tmp.resolve("ri")).get(0)).isLessThan(losses.get(0));
    assertThat(
            dev.sketchreal.io.Json.readTree(tmp.resolve("oi/unet/config.json"))
                .get("block_out_channels"))
        .isEqualTo(
            dev.sketchreal.io.Json.readTree(out.resolve("unet/config.json"))
                .get("block_out_channels"));
  }

  private static void copyTokenizer(Path out) throws Exception {
    Path dst = out.resolve("tokenizer");
    Files.createDirectories(dst);
    try (var s = Files.list(model.resolve("tokenizer"))) {
      for (Path p : s.toList()) {
        Files.copy(p, dst.resolve(p.getFileName()));
      }
    }
  }
}
