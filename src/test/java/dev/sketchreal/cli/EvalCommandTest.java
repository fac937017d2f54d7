package dev.sketchreal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sketchreal.io.Json;
import dev.sketchreal.judge.JudgeConfig;
import dev.sketchreal.judge.LayoutJudge;
import dev.sketchreal.pipeline.TinySketchModel;
import dev.sketchreal.runtime.Compute;
import dev.sketchreal.sketch.ModulationConfig;
import dev.sketchreal.testing.FixtureSets;
import dev.sketchreal.testing.TinySketchWorld;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sketchreal eval} end to end (--no-sketch, the sketch run, --with-baseline): fixture model,
 * tiny folder, untrained judge.
 */
class EvalCommandTest {
  @TempDir static Path shared;
  static Path full;
  static Path judge;

  @BeforeAll
  static void setUp() throws Exception {
    full = TinySketchWorld.write(shared.resolve("sw"), 3);
    Files.writeString(full.resolve("splits/test.txt"), "0\n1\n2\n"); // all three are test
    judge = shared.resolve("judge");
    try (NDManager m = Compute.newManager()) {
      LayoutJudge j = new LayoutJudge(new JudgeConfig(32, List.of(8, 8, 8, 8), 8, 4, null));
      j.initialize(m, new SplittableRandom(2));
      j.save(judge);
    }
  }

  @TempDir Path tmp;

  private static Path model() {
    return FixtureSets.all().get(0).dir();
  }

  private static int run(ByteArrayOutputStream err, String... args) {
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return Main.run(args);
    } finally {
      System.setErr(old);
    }
  }

  private int eval(Path data, Path out, String... extra) {
    String[] base = {
      "eval",
      "--data",
      data.toString(),
      "--model",
      model().toString(),
      "--judge",
      judge.toString(),
      "--steps",
      "2",
      "--seed",
      "4",
      "--out",
      out.toString(),
      "--no-progress"
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = run(err, args);
    if (code != 0) {
      throw new AssertionError("eval failed: " + err.toString(StandardCharsets.UTF_8));
    }
    return code;
  }

  @Test
  void textOnlyBaselineWritesReportGridAndNumbers() throws Exception {
    Path out = tmp.resolve("report");
    assertThat(eval(full, out, "--no-sketch")).isZero();
    String md = Files.readString(out.resolve("report.md"));
    assertThat(md)
        .contains("text-only baseline", "layout mIoU", "Per-category layout IoU", "FID-SW")
        .doesNotContain("FID-SW (judge features, not Inception FID) | not available");
    var results = Json.mapper().readTree(out.resolve("results.json").toFile());
    assertThat(results.get("samples").asInt()).isEqualTo(3);
    assertThat(results.get("scored_samples").asInt()).isEqualTo(3);
    assertThat(results.get("fid_sw").isNumber()).isTrue();
    assertThat(results.get("layout_miou").asDouble()).isBetween(0.0, 1.0);
    var grid = ImageIO.read(out.resolve("grid.png").toFile());
    assertThat(grid.getWidth()).isEqualTo(3 * 128);
    assertThat(grid.getHeight()).isEqualTo(16 + 3 * 128 + 6 + 4 * 14); // + legend

    // same seeds, same images: a second run gives the same numbers
    Path again = tmp.resolve("again");
    assertThat(eval(full, again, "--no-sketch", "--limit", "2")).isZero();
    var r2 = Json.mapper().readTree(again.resolve("results.json").toFile());
    assertThat(r2.get("samples").asInt()).isEqualTo(2);
    assertThat(r2.get("eta").asDouble()).isZero();

    // stochastic DDIM is recorded, and an eta outside [0, 1] is refused before anything is written
    Path stochastic = tmp.resolve("eta");
    assertThat(eval(full, stochastic, "--no-sketch", "--limit", "1", "--eta", "0.5")).isZero();
    var r3 = Json.mapper().readTree(stochastic.resolve("results.json").toFile());
    assertThat(r3.get("eta").asDouble()).isEqualTo(0.5);
    assertThat(Files.readString(stochastic.resolve("report.md"))).contains("/ 0.5 |");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path refused = tmp.resolve("eta-refused");
    assertThat(run(err, args(full, model(), refused, "--no-sketch", "--eta", "2"))).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--eta in [0, 1]");
    assertThat(refused).doesNotExist();

    // the preview diagnostic is stated in the report; out of range is refused
    Path preview = tmp.resolve("preview");
    assertThat(eval(full, preview, "--no-sketch", "--limit", "1", "--decode-after-step", "1"))
        .isZero();
    assertThat(Files.readString(preview.resolve("report.md")))
        .contains("x0 estimate after step 1 of 2");
    Path late = tmp.resolve("late");
    ByteArrayOutputStream lateErr = new ByteArrayOutputStream();
    assertThat(run(lateErr, args(full, model(), late, "--no-sketch", "--decode-after-step", "3")))
        .isEqualTo(1);
    assertThat(lateErr.toString(StandardCharsets.UTF_8)).contains("--decode-after-step");
    assertThat(late).doesNotExist();
  }

  @Test
  void vaeOracleScoresTheReconstructionsOfThePhotos() throws Exception {
    Path photos = tmp.resolve("photos");
    Path reconstructions = tmp.resolve("reconstructions");
    assertThat(eval(full, photos, "--photo-oracle")).isZero();
    assertThat(eval(full, reconstructions, "--vae-oracle")).isZero();
    assertThat(Files.readString(reconstructions.resolve("report.md")))
        .contains("VAE reconstruction oracle");
    var exact = Json.mapper().readTree(photos.resolve("results.json").toFile());
    var rec = Json.mapper().readTree(reconstructions.resolve("results.json").toFile());
    assertThat(exact.get("fid_sw").asDouble()).isCloseTo(0.0, within(1e-3));
    // a random-weight VAE does not reproduce the photos: other images, the judge's features move
    assertThat(rec.get("fid_sw").asDouble()).isGreaterThan(exact.get("fid_sw").asDouble());
    assertThat(Files.readAllBytes(reconstructions.resolve("grid.png")))
        .isNotEqualTo(Files.readAllBytes(photos.resolve("grid.png")));
    assertThat(rec.get("samples").asInt()).isEqualTo(3);

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path refused = tmp.resolve("refused");
    assertThat(run(err, args(full, model(), refused, "--vae-oracle", "--no-sketch"))).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("choose one of");
    assertThat(refused).doesNotExist();
  }

  @Test
  void handoverOracleSamplesFromThePhotoLatentThenTheBackbone() throws Exception {
    Path all = tmp.resolve("all");
    Path half = tmp.resolve("half");
    assertThat(eval(full, all, "--handover-oracle", "1", "--limit", "2")).isZero();
    assertThat(eval(full, half, "--handover-oracle", "0.5", "--limit", "2")).isZero();
    assertThat(Files.readString(half.resolve("report.md")))
        .contains("hand-over oracle (--handover-oracle 0.5)");
    // the backbone's own steps after the hand-over make other images than the photo latent alone
    assertThat(Files.readAllBytes(half.resolve("grid.png")))
        .isNotEqualTo(Files.readAllBytes(all.resolve("grid.png")));

    for (String[] bad :
        new String[][] {{"--handover-oracle", "0"}, {"--handover-oracle", "0.5", "--vae-oracle"}}) {
      Path refused = tmp.resolve("refused");
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      assertThat(run(err, args(full, model(), refused, bad))).isEqualTo(1);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("--handover-oracle");
      assertThat(refused).doesNotExist();
    }
  }

  @Test
  void partialFolderWithoutPhotosReportsFidAsNotAvailable() throws Exception {
    Path partial = TinySketchWorld.partialCopy(full, tmp.resolve("partial"));
    Path out = tmp.resolve("report");
    assertThat(eval(partial, out, "--no-sketch", "--limit", "2")).isZero();
    String md = Files.readString(out.resolve("report.md"));
    assertThat(md).contains("not available: the folder has no photos").contains("layout mIoU");
    var results = Json.mapper().readTree(out.resolve("results.json").toFile());
    assertThat(results.get("fid_sw").isNull()).isTrue();
    assertThat(results.get("scored_samples").asInt()).isEqualTo(2);
    assertThat(out.resolve("grid.png")).exists();
  }

  @Test
  void sketchRunUsesTheSketchModelAndAPlainBackboneNeedsNoSketch() throws Exception {
    Path sketchModel =
        TinySketchModel.create(
            tmp.resolve("sr"),
            TinySketchModel.config(ModulationConfig.Variant.SEMANTIC_BRANCHES),
            true);
    Path out = tmp.resolve("sketch-report");
    String[] args = {
      "eval",
      "--data",
      full.toString(),
      "--model",
      sketchModel.toString(),
      "--judge",
      judge.toString(),
      "--steps",
      "2",
      "--seed",
      "4",
      "--limit",
      "2",
      "--modulation-fraction",
      "1.0",
      "--sketch-spatial-only",
      "--out",
      out.toString(),
      "--no-progress"
    };
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(run(err, args)).as(err.toString(StandardCharsets.UTF_8)).isZero();
    var results = Json.mapper().readTree(out.resolve("results.json").toFile());
    assertThat(results.get("mode").asText())
        .contains("SketchingReality")
        .endsWith(", modulation fraction 1.0, spatial only");
    assertThat(results.get("scored_samples").asInt()).isEqualTo(2);
    assertThat(out.resolve("grid.png")).exists();

    // a plain backbone cannot do the sketch run
    ByteArrayOutputStream err2 = new ByteArrayOutputStream();
    int code =
        run(
            err2,
            "eval",
            "--data",
            full.toString(),
            "--model",
            model().toString(),
            "--judge",
            judge.toString(),
            "--out",
            tmp.resolve("x").toString());
    assertThat(code).isEqualTo(1);
    assertThat(err2.toString(StandardCharsets.UTF_8)).contains("--no-sketch");
  }

  /**
   * A tiny SketchingReality model that modulates every step: with the default fraction (0.1) two
   * denoising steps never reach the modulated timesteps, and the sketch run would equal the
   * baseline.
   */
  private Path sketchModel() throws Exception {
    ModulationConfig config =
        TinySketchModel.config(ModulationConfig.Variant.SEMANTIC_BRANCHES).toBuilder()
            .modulationFraction(1.0)
            .build();
    return TinySketchModel.create(tmp.resolve("sr"), config, true);
  }

  /** Number of differing pixels between two grid columns (all rows). */
  private static long differingPixels(BufferedImage grid, int colA, int colB, int rows) {
    long n = 0;
    for (int y = 16; y < 16 + rows * 128; y++) {
      for (int x = 0; x < 128; x++) {
        if (grid.getRGB(colA * 128 + x, y) != grid.getRGB(colB * 128 + x, y)) {
          n++;
        }
      }
    }
    return n;
  }

  private static String[] args(Path data, Path model, Path out, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "eval",
                "--data",
                data.toString(),
                "--model",
                model.toString(),
                "--judge",
                judge.toString(),
                "--steps",
                "2",
                "--seed",
                "4",
                "--out",
                out.toString(),
                "--no-progress"));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  /** Runs the CLI with stdout captured; fails the test on a non-zero exit. */
  private static String runOk(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    try {
      assertThat(run(err, args)).as(err.toString(StandardCharsets.UTF_8)).isZero();
    } finally {
      System.setOut(old);
    }
    return stdout.toString(StandardCharsets.UTF_8);
  }

  private static JsonNode results(Path dir) throws Exception {
    return Json.mapper().readTree(dir.resolve("results.json").toFile());
  }

  /** The expected ratio: null when either side is missing or the denominator is 0. */
  private static void assertRatio(JsonNode ratio, JsonNode sketch, JsonNode textOnly) {
    if (!sketch.isNumber() || !textOnly.isNumber() || textOnly.asDouble() == 0) {
      assertThat(ratio.isNull()).isTrue();
    } else {
      assertThat(ratio.asDouble())
          .isCloseTo(sketch.asDouble() / textOnly.asDouble(), within(1e-12));
    }
  }

  @Test
  void withBaselineWritesBothReportsAndTheirComparison() throws Exception {
    Path sr = sketchModel();
    Path out = tmp.resolve("compare");
    String stdout = runOk(args(full, sr, out, "--with-baseline"));
    assertThat(stdout).contains("text-only", "sketch / text-only", "layout mIoU");
    for (Path dir : List.of(out, out.resolve("sketch"), out.resolve("text-only"))) {
      assertThat(dir.resolve("report.md")).isRegularFile();
      assertThat(dir.resolve("results.json")).isRegularFile();
      assertThat(dir.resolve("grid.png")).isRegularFile();
    }
    JsonNode all = results(out);
    JsonNode sketch = results(out.resolve("sketch"));
    JsonNode textOnly = results(out.resolve("text-only"));
    assertThat(all.get("sketch")).isEqualTo(sketch);
    assertThat(all.get("text_only")).isEqualTo(textOnly);
    assertThat(sketch.get("mode").asText()).contains("SketchingReality");
    assertThat(textOnly.get("mode").asText()).contains("text-only");
    assertThat(sketch.get("scored_samples").asInt()).isEqualTo(3);
    JsonNode ratios = all.get("ratios");
    for (String metric : List.of("layout_miou", "mean_image_iou", "fid_sw")) {
      assertRatio(ratios.get(metric), sketch.get(metric), textOnly.get(metric));
    }
    assertThat(ratios.get("layout_miou").isNumber()).isTrue(); // the untrained judge scores > 0

    // the baseline inside the comparison is exactly a separate --no-sketch run
    Path separate = tmp.resolve("separate");
    runOk(args(full, sr, separate, "--no-sketch"));
    ObjectNode expected = (ObjectNode) results(separate).deepCopy();
    ObjectNode actual = (ObjectNode) textOnly.deepCopy();
    expected.remove("seconds");
    actual.remove("seconds");
    assertThat(actual).isEqualTo(expected);
    assertThat(actual.get("layout_miou").asDouble())
        .isEqualTo(results(separate).get("layout_miou").asDouble());

    String md = Files.readString(out.resolve("report.md"));
    assertThat(md)
        .contains("sketch / text-only", "layout mIoU", "mean per-image layout IoU", "FID-SW")
        .contains("Per-category layout IoU", "(sketch/report.md)", "(text-only/report.md)")
        .contains("![grid](grid.png)");
    var grid = ImageIO.read(out.resolve("grid.png").toFile());
    assertThat(grid.getWidth()).isEqualTo(5 * 128);
    assertThat(grid.getHeight()).isEqualTo(16 + 3 * 128 + 6 + 4 * 14);
    assertThat(differingPixels(grid, 1, 2, 3)).as("the sketch changes the image").isPositive();
    // the comparison's columns are the sub-reports' images, not new generations
    var sketchGrid = ImageIO.read(out.resolve("sketch/grid.png").toFile());
    var textGrid = ImageIO.read(out.resolve("text-only/grid.png").toFile());
    assertThat(sketchGrid.getWidth()).isEqualTo(3 * 128);
    for (int y = 16; y < 16 + 3 * 128; y += 7) {
      for (int x = 0; x < 128; x += 7) {
        assertThat(grid.getRGB(128 + x, y)).isEqualTo(textGrid.getRGB(128 + x, y));
        assertThat(grid.getRGB(2 * 128 + x, y)).isEqualTo(sketchGrid.getRGB(128 + x, y));
        assertThat(grid.getRGB(4 * 128 + x, y)).isEqualTo(sketchGrid.getRGB(2 * 128 + x, y));
      }
    }
  }

  @Test
  void withBaselineRefusesOtherModesAndPlainBackbonesWritingNothing() throws Exception {
    Path sr = sketchModel();
    Path out = tmp.resolve("refused");
    for (String other : List.of("--no-sketch", "--photo-oracle", "--vae-oracle")) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      assertThat(run(err, args(full, sr, out, "--with-baseline", other))).isEqualTo(1);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains("--with-baseline", "cannot be combined with " + other);
      assertThat(out).doesNotExist();
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(run(err, args(full, model(), out, "--with-baseline"))).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("not a SketchingReality model", "--with-baseline");
    assertThat(out).doesNotExist();
  }
}
