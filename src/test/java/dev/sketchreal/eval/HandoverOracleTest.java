package dev.sketchreal.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sketchreal.pipeline.NoisePredictor;
import dev.sketchreal.sampling.NoiseSchedule;
import dev.sketchreal.sampling.SchedulerConfig;
import dev.sketchreal.sketch.Parameterization;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HandoverOracleTest {
  @Test
  void replacedStepsEstimateThePhotoLatentExactlyAndTheOthersAreThePlainPredictor() {
    for (String type : new String[] {"epsilon", "v_prediction"}) {
      NoiseSchedule schedule =
          new NoiseSchedule(SchedulerConfig.parse("{\"prediction_type\": \"" + type + "\"}"));
      try (NDManager m = NDManager.newBaseManager()) {
        NDArray z0 = normal(m, 1);
        NDArray zt = normal(m, 2);
        NoisePredictor plain = (latent, t, i) -> latent.mul(0f).add(7f);
        NoisePredictor oracle = HandoverOracle.predictor(plain, z0, schedule, 0.3);
        Parameterization p = Parameterization.of(schedule.predictionType());
        for (int t : new int[] {999, 700}) { // replaced: t >= ceil(0.7 * 1000)
          NDArray alphaBar = m.create(new float[] {schedule.alphaCumprod(t)}).reshape(1, 1, 1, 1);
          NDArray estimate = p.z0Hat(zt, oracle.predict(zt, t, 0), alphaBar);
          assertThat(maxAbs(estimate.sub(z0))).as("%s at t=%d", type, t).isLessThan(2e-3f);
        }
        NDArray after = oracle.predict(zt, 699, 8);
        assertThat(after.toFloatArray()).containsOnly(7f);
      }
    }
  }

  @Test
  void lowPassRemovesDetailFinerThanTheCellsAndKeepsWhatIsCoarser() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] checker = new float[8 * 8];
      for (int i = 0; i < checker.length; i++) {
        checker[i] = ((i / 8 + i % 8) % 2 == 0 ? 1f : -1f) + 3f; // period-2 detail on a level 3
      }
      NDArray x = m.create(checker).reshape(1, 1, 8, 8);
      assertThat(maxAbs(HandoverOracle.lowPass(x, 2).sub(3f))).isLessThan(1e-5f);
      assertThat(maxAbs(HandoverOracle.lowPass(x, 1).sub(x))).isZero();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> HandoverOracle.lowPass(x, 3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("divide the latent size 8x8");
    }
  }

  private static NDArray normal(NDManager m, long seed) {
    Random r = new Random(seed);
    float[] v = new float[4 * 8 * 8];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return m.create(v).reshape(1, 4, 8, 8);
  }

  private static float maxAbs(NDArray x) {
    return x.abs().max().getFloat();
  }
}
