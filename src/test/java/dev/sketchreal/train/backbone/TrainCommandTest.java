package dev.sketchreal.train.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sketchreal.cli.Main;
import dev.sketchreal.model.clip.ClipTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The train CLI end to end on a handful of generated SketchWorld samples. */
class TrainCommandTest {
  @Test
  void tokenizerAndVaeCommandsRunOnGeneratedSamples(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    assertThat(
            Main.run(
                "sketchworld",
                "generate",
                "--out",
                data.toString(),
                "--count",
                "12",
                "--size",
                "64",
                "--seed",
                "3"))
        .isZero();
    Path tokConfig = tmp.resolve("tok.json");
    Files.writeString(
        tokConfig,
        "{\"vocab_size\": 700, \"min_frequency\": 2, \"model_max_length\": 77,"
            + " \"pad_token\": \"<|endoftext|>\", \"split\": \"all\", \"limit\": 0}");
    Path out = tmp.resolve("model");
    assertThat(
            Main.run(
                "train",
                "tokenizer",
                "--config",
                tokConfig.toString(),
                "--data",
                data.toString(),
                "--out",
                out.toString()))
        .isZero();
    ClipTokenizer tok = ClipTokenizer.load(out.resolve("tokenizer"));
    assertThat(tok.tokenize("a photo")).containsExactly("a</w>", "photo</w>");

    Path vaeConfig = tmp.resolve("vae.json");
    Files.writeString(
        vaeConfig,
        TinySetup.vaeJson(2, 1)
            .replace(
                "\"image_size\": 16, \"crop_size\": 16", "\"image_size\": 64, \"crop_size\": 32")
            .replace("{\"model\"", "{\"split\": \"all\", \"model\""));
    assertThat(
            Main.run(
                "train",
                "vae",
                "--config",
                vaeConfig.toString(),
                "--data",
                data.toString(),
                "--out",
                out.toString(),
                "--no-progress"))
        .isZero();
    assertThat(out.resolve("vae/diffusion_pytorch_model.safetensors")).exists();
    Path run = tmp.resolve("model-runs/vae");
    assertThat(TinySetup.losses(run)).hasSize(2);
    // --steps extends a run with --resume
    assertThat(
            Main.run(
                "train",
                "vae",
                "--config",
                vaeConfig.toString(),
                "--data",
                data.toString(),
                "--out",
                out.toString(),
                "--no-progress",
                "--resume",
                "--steps",
                "3"))
        .isZero();
    assertThat(TinySetup.losses(run)).hasSize(3);
    assertThat(Main.run("train", "--help")).isZero();
  }
}
