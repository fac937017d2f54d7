package dev.sketchreal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SketchWorldCommandTest {
  @TempDir Path dir;

  @Test
  void generateThenPreviewTheFolder() throws Exception {
    Path out = dir.resolve("sw");
    int code =
        Main.run(
            "sketchworld",
            "generate",
            "--out",
            out.toString(),
            "--count",
            "5",
            "--size",
            "64",
            "--seed",
            "3",
            "--threads",
            "2",
            "--no-progress");
    assertThat(code).isZero();
    assertThat(Files.readString(out.resolve("splits/train.txt")).lines()).hasSize(5);
    assertThat(out.resolve("annotations/instances.json")).exists();
    Path png = dir.resolve("sheet.png");
    assertThat(
            Main.run(
                "sketchworld",
                "preview",
                "--data",
                out.toString(),
                "--out",
                png.toString(),
                "--count",
                "3"))
        .isZero();
    BufferedImage sheet = ImageIO.read(png.toFile());
    assertThat(sheet.getHeight()).isGreaterThan(3 * 128);
  }

  @Test
  void previewGeneratesWithoutAFolder() throws Exception {
    Path png = dir.resolve("gen.png");
    assertThat(
            Main.run(
                "sketchworld", "preview", "--out", png.toString(), "--count", "2", "--size", "64"))
        .isZero();
    assertThat(ImageIO.read(png.toFile()).getWidth()).isGreaterThan(4 * 128);
  }

  @Test
  void badConfigIsOneErrorAndNonZeroExit() throws Exception {
    Path cfg = dir.resolve("bad.json");
    Files.writeString(cfg, "{\"size\": 7}");
    int code =
        Main.run(
            "sketchworld",
            "generate",
            "--out",
            dir.resolve("x").toString(),
            "--count",
            "1",
            "--config",
            cfg.toString());
    assertThat(code).isNotZero();
    assertThat(dir.resolve("x")).doesNotExist();
  }
}
