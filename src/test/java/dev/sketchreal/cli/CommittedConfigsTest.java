package dev.sketchreal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sketchreal.encoder.SketchEncoderTrainingConfig;
import dev.sketchreal.io.Json;
import dev.sketchreal.judge.JudgeTrainingConfig;
import dev.sketchreal.train.backbone.TextEncoderTrainConfig;
import dev.sketchreal.train.backbone.TokenizerTrainConfig;
import dev.sketchreal.train.backbone.UNetTrainConfig;
import dev.sketchreal.train.backbone.VaeTrainConfig;
import dev.sketchreal.train.sketching.SketchingRealityTrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every training config committed under {@code configs/} (the recipes and the experiments the docs
 * cite) passes the strict reader of the command that reads it: it parses, and names no key the
 * config class does not have (a misspelt key in a recipe would be refused at run time).
 */
class CommittedConfigsTest {
  private static final Path CONFIGS = Path.of("configs");

  @Test
  void everyCommittedConfigParsesAndHasNoUnknownKey() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(CONFIGS)) {
      files = walk.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(8);
    for (Path file : files) {
      assertThat(Json.readStrictConfig(file, configClass(file))).as("%s", file).isNotNull();
    }
  }

  /** The config class of a file, by the command its name belongs to. */
  private static Class<?> configClass(Path file) {
    String name = file.getFileName().toString();
    if (name.startsWith("sketching-reality")) {
      return SketchingRealityTrainConfig.class;
    } else if (name.startsWith("unet")) {
      return UNetTrainConfig.class;
    } else if (name.startsWith("vae")) {
      return VaeTrainConfig.class;
    } else if (name.startsWith("text_encoder")) {
      return TextEncoderTrainConfig.class;
    } else if (name.startsWith("tokenizer")) {
      return TokenizerTrainConfig.class;
    } else if (name.startsWith("judge")) {
      return JudgeTrainingConfig.class;
    } else if (name.startsWith("sketch-encoder")) {
      return SketchEncoderTrainingConfig.class;
    }
    throw new AssertionError(file + ": no command reads this config (name it after one)");
  }
}
