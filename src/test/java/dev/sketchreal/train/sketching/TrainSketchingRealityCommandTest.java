package dev.sketchreal.train.sketching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.cli.Main;
import dev.sketchreal.io.Json;
import dev.sketchreal.io.SafetensorsFile;
import dev.sketchreal.pipeline.Cancellation;
import dev.sketchreal.pipeline.GeneratedImage;
import dev.sketchreal.pipeline.GenerationRequest;
import dev.sketchreal.pipeline.ProgressListener;
import dev.sketchreal.pipeline.SketchToImage;
import dev.sketchreal.pipeline.SketchingRealityModel;
import dev.sketchreal.train.Checkpoint;
import dev.sketchreal.train.TrainingLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end: train into the backbone folder, load it as a model, generate. */
class TrainSketchingRealityCommandTest {
  @TempDir Path tmp;

  @Test
  void trainsIntoTheBackboneFolderWhichThenLoadsAndGenerates() throws Exception {
    Path model = TrainingFixture.backbone(tmp.resolve("model"));
    Path data = TrainingFixture.sketchWorld(tmp.resolve("sw"), 4);
    Path config = tmp.resolve("config.json");
    SketchingRealityTrainConfig c =
        TrainingFixture.config(model, "steps", 50, "checkpoint_every", 1, "keep_checkpoints", 1);
    Files.writeString(config, Json.toJson(c));
    Path run = tmp.resolve("run");
    int code =
        Main.run(
            "train",
            "sketching-reality",
            "--config",
            config.toString(),
            "--data",
            data.toString(),
            "--out",
            model.toString(),
            "--run",
            run.toString(),
            "--steps",
            "2",
            "--no-progress");
    assertThat(code).isZero();
    var log = TrainingLog.read(run.resolve("train.jsonl"));
    assertThat(log).hasSize(2);
    assertThat(log.get(1).path("loss").fieldNames())
        .toIterable()
        .containsExactly("total", "noise", "attn", "l1", "var", "noise_backbone");
    assertThat(log.get(1).path("lr").path("modulation").asDouble()).isEqualTo(1e-4);
    assertThat(log.get(1).path("lr").path("sketch_encoder").asDouble()).isEqualTo(1e-5);
    assertThat(Checkpoint.list(run.resolve("checkpoints")))
        .singleElement()
        .satisfies(p -> assertThat(p.getFileName().toString()).isEqualTo("step-00000002"));
    for (String f :
        new String[] {
          "modulation/config.json",
          "modulation/diffusion_pytorch_model.safetensors",
          "sketch_encoder/config.json",
          "sketch_encoder/model.safetensors",
          "sketch_encoder/tokenizer/vocab.json"
        }) {
      assertThat(model.resolve(f)).isRegularFile();
    }
    try (Stream<Path> leftovers = Files.list(model)) {
      assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
    }
    // the fine-tuned encoder layers and the modulation weights of the last checkpoint were saved
    try (SafetensorsFile saved =
            SafetensorsFile.open(model.resolve("sketch_encoder/model.safetensors"));
        SafetensorsFile ckpt =
            SafetensorsFile.open(run.resolve("checkpoints/step-00000002/model.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      String key = "vision_model.encoder.layers.3.mlp.fc1.weight";
      assertThat(saved.loadFloat32(key, m).toFloatArray())
          .isEqualTo(ckpt.loadFloat32("sketch_encoder." + key, m).toFloatArray());
    }
    // the original encoder was replaced by the fine-tuned one: resuming would use wrong masks
    SketchingRealityTrainConfig more = c.withSteps(3);
    try (SketchingRealityTrainer t = SketchingRealityTrainer.open(more, data)) {
      assertThatThrownBy(() -> t.train(run, true, false))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not the one this run started from");
    }
    try (SketchingRealityModel loaded = SketchingRealityModel.load(model);
        NDManager m = NDManager.newBaseManager()) {
      assertThat(loaded.modulator().config()).isEqualTo(c.modulation());
      GenerationRequest request =
          new GenerationRequest("a house and a tree", "", 11, 2, 7.5, 32, 32, 0);
      float[] ink = new float[32 * 32];
      for (int i = 0; i < 32 * 12; i++) {
        ink[i] = 1;
      }
      GeneratedImage image =
          new SketchToImage(loaded)
              .generate(
                  request,
                  m.create(ink, new Shape(1, 1, 32, 32)),
                  SketchToImage.SketchSettings.DEFAULT,
                  ProgressListener.NONE,
                  Cancellation.NEVER);
      assertThat(image.pixels()).hasSize(32 * 32 * 3);
    }
  }
}
