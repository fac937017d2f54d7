package dev.sketchreal.sketch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.sketchreal.model.unet.UNet2DConditionModel;
import dev.sketchreal.train.AdamW;
import dev.sketchreal.train.Trainer;
import dev.sketchreal.train.TrainingLog;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The method trains: on one fixed tiny batch the total loss falls by more than half. */
class OverfitTest {

  @Test
  void modulationNetworkOverfitsOneBatch(@TempDir Path dir) throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      UNet2DConditionModel unet = TinyBackbone.frozenUNet(m, 11);
      ModulationConfig config =
          ModulationConfig.builder()
              .featureChannels(24)
              .hiddenChannels(32)
              .timeEmbeddingDim(32)
              .build();
      ModulationNetwork net = new ModulationNetwork(config);
      net.initialize(m, new SplittableRandom(3));
      SketchingRealityObjective objective =
          new SketchingRealityObjective(
              unet, net, Parameterization.EPSILON, TinyBackbone.alphasCumprod());
      AdamW adamw = new AdamW(m, List.of(AdamW.Group.of("modulation", net, 1e-3, 0.0)));
      Trainer trainer =
          new Trainer(
              m,
              adamw,
              (step, random, sm) -> {
                // the same batch every step, built in the step's manager
                return objective
                    .compute(GradientFlowTest.batch(sm, config, new SplittableRandom(5)))
                    .arrays();
              },
              new Trainer.Options(40, 1, 1.0, 0, 1, dir, null, null, false));
      List<TrainingLog.Entry> log = trainer.run();
      double first = log.get(0).losses().get("total");
      double last = log.get(log.size() - 1).losses().get("total");
      assertThat(last).isLessThan(0.5 * first);
      double firstNoise = log.get(0).losses().get("noise");
      double lastNoise = log.get(log.size() - 1).losses().get("noise");
      assertThat(lastNoise).isLessThan(0.5 * firstNoise);
      assertThat(log.get(0).losses().get("l1")).isZero(); // identity at step 1
    }
  }
}
