package dev.sketchreal.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.testing.FixtureSets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden loop (diffusers' scheduler test style): a dummy model through 10 DDIM steps, compared with
 * the DDIM update written out by hand in float64 (its own betas, cumprod, timesteps and formulas).
 */
class DdimGoldenLoopTest {
  static final int STEPS = 10;
  static final Shape SHAPE = new Shape(2, 4, 8, 8);

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("v_prediction", "leading", 1, false, 0.0),
        Arguments.of("epsilon", "leading", 1, false, 0.0),
        Arguments.of("epsilon", "trailing", 0, false, 0.0),
        Arguments.of("v_prediction", "linspace", 0, true, 0.0),
        Arguments.of("epsilon", "leading", 1, false, 1.0),
        Arguments.of("v_prediction", "trailing", 0, true, 0.5),
        Arguments.of("sample", "leading", 1, false, 0.0));
  }

  /** The dummy model: {@code 0.1 * x + 0.05 * t / T}, (B, C, H, W). */
  static double model(double x, int t) {
    return 0.1 * x + 0.05 * t / 1000.0;
  }

  @ParameterizedTest(name = "{0} {1} offset {2} alphaToOne {3} eta {4}")
  @MethodSource("cases")
  void tenStepsMatchFloat64Formula(
      String prediction, String spacing, int offset, boolean alphaToOne, double eta) {
    String json =
        """
        {"_class_name": "DDIMScheduler", "beta_start": 0.00085, "beta_end": 0.012,
         "beta_schedule": "scaled_linear", "clip_sample": false, "num_train_timesteps": 1000,
         "prediction_type": "%s", "timestep_spacing": "%s", "steps_offset": %d,
         "set_alpha_to_one": %s, "skip_prk_steps": true}
        """
            .formatted(prediction, spacing, offset, alphaToOne);
    DdimSampler ddim = new DdimSampler(SchedulerConfig.parse(json));

    int n = (int) SHAPE.size();
    Random rnd = new Random(1234);
    float[] x0 = new float[n];
    for (int i = 0; i < n; i++) {
      x0[i] = (float) rnd.nextGaussian();
    }
    float[][] noises = new float[STEPS][n];
    for (float[] z : noises) {
      for (int i = 0; i < n; i++) {
        z[i] = (float) rnd.nextGaussian();
      }
    }

    // float64 reference
    double[] ac = referenceAlphasCumprod(0.00085, 0.012, 1000);
    int[] ts = referenceTimesteps(spacing, offset, 1000, STEPS);
    double[] ref = new double[n];
    for (int i = 0; i < n; i++) {
      ref[i] = x0[i];
    }
    for (int s = 0; s < STEPS; s++) {
      int t = ts[s];
      int prev = t - 1000 / STEPS;
      double aT = ac[t];
      double aPrev = prev >= 0 ? ac[prev] : (alphaToOne ? 1.0 : ac[0]);
      double sigma = eta * Math.sqrt((1 - aPrev) / (1 - aT) * (1 - aT / aPrev));
      for (int i = 0; i < n; i++) {
        double x = ref[i];
        double out = model(x, t);
        double predX0;
        double predEps;
        switch (prediction) {
          case "epsilon" -> {
            predX0 = (x - Math.sqrt(1 - aT) * out) / Math.sqrt(aT);
            predEps = out;
          }
          case "v_prediction" -> {
            predX0 = Math.sqrt(aT) * x - Math.sqrt(1 - aT) * out;
            predEps = Math.sqrt(aT) * out + Math.sqrt(1 - aT) * x;
          }
          default -> {
            predX0 = out;
            predEps = (x - Math.sqrt(aT) * predX0) / Math.sqrt(1 - aT);
          }
        }
        ref[i] =
            Math.sqrt(aPrev) * predX0
                + Math.sqrt(1 - aPrev - sigma * sigma) * predEps
                + sigma * noises[s][i];
      }
    }

    // the sampler, float32
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThat(ddim.timesteps(STEPS)).containsExactly(ts);
      NDArray x = manager.create(x0, SHAPE);
      for (int s = 0; s < STEPS; s++) {
        int t = ts[s];
        try (NDArray scaled = x.mul(0.1f);
            NDArray out = scaled.add((float) (0.05 * t / 1000.0));
            NDArray z = eta > 0 ? manager.create(noises[s], SHAPE) : null) {
          StepResult r = ddim.step(out, t, x, STEPS, eta, z);
          r.predOriginalSample().close();
          x.close();
          x = r.prevSample();
        }
      }
      float[] actual = x.toFloatArray();
      float[] expected = new float[n];
      double moved = 0;
      for (int i = 0; i < n; i++) {
        expected[i] = (float) ref[i];
        moved = Math.max(moved, Math.abs(ref[i] - x0[i]));
      }
      assertThat(moved).as("the loop changes the sample").isGreaterThan(0.05);
      FixtureSets.assertClose(
          "golden loop " + prediction + "/" + spacing,
          actual,
          expected,
          new FixtureSets.Tolerance(2e-5, 1e-5, false));
    }
  }

  static double[] referenceAlphasCumprod(double betaStart, double betaEnd, int T) {
    double[] ac = new double[T];
    double a = Math.sqrt(betaStart);
    double b = Math.sqrt(betaEnd);
    double prod = 1;
    for (int i = 0; i < T; i++) {
      double sq = a + (b - a) * i / (T - 1);
      prod *= 1 - sq * sq;
      ac[i] = prod;
    }
    return ac;
  }

  static int[] referenceTimesteps(String spacing, int offset, int T, int n) {
    int[] ts = new int[n];
    for (int i = 0; i < n; i++) {
      ts[i] =
          switch (spacing) {
            case "leading" -> (n - 1 - i) * (T / n) + offset;
            case "trailing" -> (int) Math.round(T - i * ((double) T / n)) - 1;
            default -> (int) Math.rint((n - 1 - i) * (T - 1.0) / (n - 1));
          };
    }
    return ts;
  }
}
