package dev.sketchreal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.sketchreal.io.Json;
import dev.sketchreal.judge.JudgeConfig;
import dev.sketchreal.judge.LayoutJudge;
import dev.sketchreal.pipeline.TinySketchModel;
import dev.sketchreal.runtime.Compute;
import dev.sketchreal.sketch.ModulationConfig;
import dev.sketchreal.testing.FixtureSets;
import dev.sketchreal.testing.TinySketchWorld;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sketchreal eval --no-sketch} end to end: fixture model, tiny folder, untrained judge. */
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
      "--out",
      out.toString(),
      "--no-progress"
    };
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(run(err, args)).as(err.toString(StandardCharsets.UTF_8)).isZero();
    var results = Json.mapper().readTree(out.resolve("results.json").toFile());
    assertThat(results.get("mode").asText()).contains("SketchingReality");
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
}
