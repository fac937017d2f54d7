package dev.sketchreal.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sketchreal.model.unet.UNet2DConditionModel;
import dev.sketchreal.sketch.ModulationConfig;
import dev.sketchreal.sketch.ModulationNetwork;
import dev.sketchreal.sketch.Parameterization;
import dev.sketchreal.sketch.SketchingRealityObjective;
import dev.sketchreal.sketch.TinyBackbone;
import dev.sketchreal.sketch.TokenRegion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --resume continues exactly: N steps in one go equal k steps, a checkpoint, a fresh model and
 * optimizer restored from it, and N − k more steps (same losses, same weights).
 */
class ResumeTest {
  private static final ModulationConfig CONFIG =
      ModulationConfig.builder().featureChannels(8).hiddenChannels(16).timeEmbeddingDim(16).build();
  private static final long SEED = 1234;

  @Test
  void trainingNStepsEqualsKStepsCheckpointAndResume(@TempDir Path tmp) throws Exception {
    List<TrainingLog.Entry> straight;
    float[] straightWeights;
    Path runA = tmp.resolve("a");
    try (NDManager m = NDManager.newBaseManager()) {
      Run a = new Run(m, runA, 6, 77);
      straight = a.trainer.run();
      straightWeights =
          a.net.namedParameters().get("trunk.shift_head.weight").array().toFloatArray();
    }
    // A new run directory holding only the step-3 checkpoint of run A.
    Path runB = tmp.resolve("b");
    copy(
        runA.resolve("checkpoints").resolve(Checkpoint.directoryName(3)),
        runB.resolve("checkpoints").resolve(Checkpoint.directoryName(3)));
    try (NDManager m = NDManager.newBaseManager()) {
      Run b = new Run(m, runB, 6, 999); // different initial weights: the checkpoint must win
      assertThat(b.trainer.resume()).isEqualTo(3);
      List<TrainingLog.Entry> resumed = b.trainer.run();
      assertThat(resumed).extracting(TrainingLog.Entry::step).containsExactly(4L, 5L, 6L);
      for (int i = 0; i < 3; i++) {
        assertThat(resumed.get(i).losses()).isEqualTo(straight.get(i + 3).losses());
        assertThat(resumed.get(i).gradNorm()).isEqualTo(straight.get(i + 3).gradNorm());
      }
      assertThat(b.net.namedParameters().get("trunk.shift_head.weight").array().toFloatArray())
          .containsExactly(straightWeights);
      assertThat(straight.get(5).losses().get("total"))
          .isNotEqualTo(straight.get(0).losses().get("total"));
    }
  }

  /** A tiny SketchingReality run: frozen tiny UNet, method network, random t and noise per step. */
  private static final class Run {
    final ModulationNetwork net;
    final Trainer trainer;

    Run(NDManager m, Path dir, long steps, long initSeed) throws Exception {
      UNet2DConditionModel unet = TinyBackbone.frozenUNet(m, 11);
      net = new ModulationNetwork(CONFIG);
      net.initialize(m, new SplittableRandom(initSeed));
      SketchingRealityObjective objective =
          new SketchingRealityObjective(
              unet, net, Parameterization.EPSILON, TinyBackbone.alphasCumprod());
      AdamW adamw = new AdamW(m, List.of(AdamW.Group.of("modulation", net, 1e-3, 0.01)));
      var options =
          new Trainer.Options(
              steps,
              SEED,
              1.0,
              3,
              5,
              dir,
              new ObjectMapper().valueToTree(CONFIG),
              Trainer.Schedule.linearWarmup(2),
              false);
      trainer =
          new Trainer(
              m,
              adamw,
              (step, random, sm) -> objective.compute(batch(sm, random)).arrays(),
              options);
    }
  }

  /** A fixed sketch/latent/text, with this step's timesteps and noise. */
  private static SketchingRealityObjective.Batch batch(NDManager m, SplittableRandom stepRandom) {
    SplittableRandom fixed = new SplittableRandom(5);
    float[] mask = new float[64];
    for (int i = 0; i < 32; i++) {
      mask[i] = 1;
    }
    return new SketchingRealityObjective.Batch(
        TinyBackbone.normal(m, fixed, 2, 8, 4, 4),
        TinyBackbone.normal(m, fixed, 2, 4, 8, 8),
        TinyBackbone.normal(m, stepRandom, 2, 4, 8, 8),
        SketchingRealityObjective.sampleTimesteps(stepRandom, 2, 1000, CONFIG),
        TinyBackbone.normal(m, fixed, 2, 5, 32),
        new boolean[] {true, false},
        List.of(List.of(TokenRegion.of(new int[] {1}, mask, 8, 8, m)), List.of()),
        null);
  }

  private static void copy(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }
}
