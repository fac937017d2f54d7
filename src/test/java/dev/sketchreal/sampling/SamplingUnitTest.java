package dev.sketchreal.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.sampling.SchedulerConfig.BetaSchedule;
import dev.sketchreal.sampling.SchedulerConfig.PredictionType;
import dev.sketchreal.sampling.SchedulerConfig.TimestepSpacing;
import dev.sketchreal.sampling.SchedulerConfig.VarianceType;
import dev.sketchreal.testing.FixtureSets;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SamplingUnitTest {
  static final String SD21 =
      """
      {"_class_name": "DDIMScheduler", "_diffusers_version": "0.8.0", "beta_end": 0.012,
       "beta_schedule": "scaled_linear", "beta_start": 0.00085, "clip_sample": false,
       "num_train_timesteps": 1000, "prediction_type": "v_prediction", "set_alpha_to_one": false,
       "skip_prk_steps": true, "steps_offset": 1, "trained_betas": null}
      """;

  NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  NDArray randn(long seed, Shape shape) {
    Random r = new Random(seed);
    float[] v = new float[(int) shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return manager.create(v, shape);
  }

  // ---- config ----

  @Test
  void configDefaultsAreDiffusers() {
    SchedulerConfig d = SchedulerConfig.parse("{}");
    assertThat(d.numTrainTimesteps()).isEqualTo(1000);
    assertThat(d.betaStart()).isEqualTo(0.0001);
    assertThat(d.betaEnd()).isEqualTo(0.02);
    assertThat(d.betaSchedule()).isEqualTo(BetaSchedule.LINEAR);
    assertThat(d.predictionType()).isEqualTo(PredictionType.EPSILON);
    assertThat(d.timestepSpacing()).isEqualTo(TimestepSpacing.LEADING);
    assertThat(d.stepsOffset()).isZero();
    assertThat(d.setAlphaToOne()).isTrue();
    assertThat(d.clipSample()).isTrue();
    assertThat(d.clipSampleRange()).isEqualTo(1.0);
    assertThat(d.varianceType()).isEqualTo(VarianceType.FIXED_SMALL);
    assertThat(d).isEqualTo(SchedulerConfig.defaults());

    SchedulerConfig sd = SchedulerConfig.parse(SD21);
    assertThat(sd.predictionType()).isEqualTo(PredictionType.V_PREDICTION);
    assertThat(sd.betaSchedule()).isEqualTo(BetaSchedule.SCALED_LINEAR);
    assertThat(sd.setAlphaToOne()).isFalse();
    assertThat(sd.stepsOffset()).isEqualTo(1);
    assertThat(sd.trainedBetas()).isNull();
    // written back with snake_case keys, and read again to the same values
    String json = sd.toJson();
    assertThat(json).contains("\"prediction_type\" : \"v_prediction\"", "\"steps_offset\" : 1");
    assertThat(SchedulerConfig.parse(json)).isEqualTo(sd);
  }

  @Test
  void configRejectsWhatIsNotImplemented() {
    assertThatThrownBy(() -> SchedulerConfig.parse("{\"thresholding\": true}"))
        .hasMessageContaining("thresholding");
    assertThatThrownBy(() -> SchedulerConfig.parse("{\"beta_schedule\": \"sigmoid\"}"))
        .hasMessageContaining("sigmoid");
    assertThatThrownBy(() -> SchedulerConfig.parse("{\"prediction_type\": \"flow\"}"))
        .hasMessageContaining("flow");
    assertThatThrownBy(
            () ->
                new DdpmSampler(SchedulerConfig.defaults().withVarianceType(VarianceType.LEARNED)))
        .hasMessageContaining("variance_type");
    assertThatThrownBy(
            () -> SchedulerConfig.parse("{\"num_train_timesteps\": 3, \"trained_betas\": [0.1]}"))
        .hasMessageContaining("trained_betas");
  }

  // ---- schedules ----

  @Test
  void betaSchedules() {
    NoiseSchedule lin = new NoiseSchedule(SchedulerConfig.defaults());
    assertThat(lin.betas()[0]).isEqualTo(0.0001f);
    assertThat(lin.betas()[999]).isEqualTo(0.02f);
    assertThat(lin.betas()[500]).isCloseTo((float) (0.0001 + 0.0199 * 500 / 999), within(1e-9f));

    NoiseSchedule cos =
        new NoiseSchedule(SchedulerConfig.parse("{\"beta_schedule\": \"squaredcos_cap_v2\"}"));
    assertThat(cos.betas()[999]).isEqualTo(0.999f);
    assertThat(cos.alphasCumprod()[0]).isCloseTo(0.99996f, within(1e-5f));

    NoiseSchedule trained =
        new NoiseSchedule(
            SchedulerConfig.parse(
                "{\"num_train_timesteps\": 3, \"trained_betas\": [0.1, 0.2, 0.5]}"));
    assertThat(trained.alphasCumprod())
        .containsExactly(new float[] {0.9f, 0.72f, 0.36f}, within(1e-7f));

    NoiseSchedule zeroSnr =
        new NoiseSchedule(SchedulerConfig.parse(SD21).withRescaleBetasZeroSnr(true));
    float[] ac = zeroSnr.alphasCumprod();
    assertThat(ac[999]).isEqualTo(0f);
    assertThat(ac[0])
        .isCloseTo(
            new NoiseSchedule(SchedulerConfig.parse(SD21)).alphasCumprod()[0], within(1e-6f));
  }

  @Test
  void timestepSpacings() {
    SchedulerConfig sd = SchedulerConfig.parse(SD21);
    int[] t50 = Timesteps.of(sd, 50);
    assertThat(t50[0]).isEqualTo(981);
    assertThat(t50[49]).isEqualTo(1);
    assertThat(Timesteps.of(sd.withTimestepSpacing(TimestepSpacing.TRAILING, 0), 10))
        .containsExactly(999, 899, 799, 699, 599, 499, 399, 299, 199, 99);
    assertThat(Timesteps.of(sd.withTimestepSpacing(TimestepSpacing.TRAILING, 0), 3))
        .containsExactly(999, 666, 332);
    assertThat(Timesteps.of(sd.withTimestepSpacing(TimestepSpacing.LINSPACE, 0), 10))
        .containsExactly(999, 888, 777, 666, 555, 444, 333, 222, 111, 0);
    // linspace 4: 0, 333, 666, 999
    assertThat(Timesteps.of(sd.withTimestepSpacing(TimestepSpacing.LINSPACE, 0), 4))
        .containsExactly(999, 666, 333, 0);
    assertThat(Timesteps.of(SchedulerConfig.defaults(), 1000))
        .hasSize(1000)
        .startsWith(999)
        .endsWith(0);
    assertThatThrownBy(() -> Timesteps.of(sd, 0)).hasMessageContaining("num_inference_steps");
    assertThatThrownBy(() -> Timesteps.of(sd, 1001)).hasMessageContaining("num_inference_steps");
  }

  // ---- forward process and conversions ----

  @Test
  void conversionsInvertEachOther() {
    NoiseSchedule s = new NoiseSchedule(SchedulerConfig.parse(SD21));
    Shape shape = new Shape(3, 4, 8, 8);
    NDArray x0 = randn(1, shape);
    NDArray noise = randn(2, shape);
    int[] t = {0, 500, 999};
    NDArray xt = s.addNoise(x0, noise, t);
    NDArray v = s.velocity(x0, noise, manager.create(new long[] {0, 500, 999}));
    tol("x0 from eps", s.originalFromEpsilon(noise, xt, t), x0, 2e-4);
    tol("eps from x0", s.epsilonFromOriginal(x0, xt, t), noise, 2e-4);
    tol("x0 from v", s.originalFromVelocity(v, xt, t), x0, 1e-5);
    tol("eps from v", s.epsilonFromVelocity(v, xt, t), noise, 1e-5);
    tol("v target", s.trainingTarget(x0, noise, t), v, 0);
    tol("predictOriginal(v)", s.predictOriginal(v, xt, t), x0, 1e-5);
    tol("predictEpsilon(v)", s.predictEpsilon(v, xt, t), noise, 1e-5);
    // per-item timesteps really are per item
    NDArray first = s.addNoise(x0.get("0:1"), noise.get("0:1"), new int[] {0});
    tol("item 0", xt.get("0:1"), first, 0);
    assertThatThrownBy(() -> s.addNoise(x0, noise, new int[] {1, 2}))
        .hasMessageContaining("2 timesteps for a batch of 3");
    assertThatThrownBy(() -> s.addNoise(x0, noise, new int[] {1, 2, 1000}))
        .hasMessageContaining("1000");
  }

  // ---- DDIM specifics ----

  @Test
  void ddimFinalStepWithAlphaOneReturnsX0AndClipping() {
    SchedulerConfig eps =
        SchedulerConfig.parse(SD21)
            .withPredictionType(PredictionType.EPSILON)
            .withSetAlphaToOne(true);
    DdimSampler ddim = new DdimSampler(eps);
    NDArray x = randn(3, new Shape(1, 4, 4, 4));
    NDArray out = randn(4, new Shape(1, 4, 4, 4));
    StepResult r = ddim.step(out, 1, x, 50, 0, null);
    tol("alpha_prev = 1 gives x0", r.prevSample(), r.predOriginalSample(), 0);

    DdimSampler clipped = new DdimSampler(eps.withClipSample(true, 0.5));
    StepResult c = clipped.step(out, 981, x, 50, 0, null);
    assertThat(c.predOriginalSample().abs().max().getFloat()).isLessThanOrEqualTo(0.5f);

    assertThatThrownBy(() -> ddim.step(out, 981, x, 50, 1.0, null)).hasMessageContaining("noise");
    assertThatThrownBy(() -> ddim.step(out, 1000, x, 50, 0, null)).hasMessageContaining("1000");
  }

  @Test
  void ddimEtaAddsScaledInjectedNoise() {
    DdimSampler ddim = new DdimSampler(SchedulerConfig.parse(SD21));
    Shape shape = new Shape(1, 4, 4, 4);
    NDArray x = randn(5, shape);
    NDArray out = randn(6, shape);
    NDArray z = randn(7, shape);
    float var = ddim.variance(501, 20);
    double a = ddim.schedule().alphaCumprod(501);
    double ap = ddim.schedule().alphaCumprod(451);
    assertThat((double) var).isCloseTo((1 - ap) / (1 - a) * (1 - a / ap), within(1e-7));
    NDArray withNoise = ddim.step(out, 501, x, 20, 1.0, z).prevSample();
    NDArray zeroNoise = ddim.step(out, 501, x, 20, 1.0, z.zerosLike()).prevSample();
    NDArray diff = withNoise.sub(zeroNoise);
    tol("sigma * z", diff, z.mul((float) Math.sqrt(var)), 1e-6);
  }

  // ---- DDPM ----

  @Test
  void ddpmStepMatchesPosteriorFormula() {
    SchedulerConfig cfg = SchedulerConfig.parse(SD21).withPredictionType(PredictionType.EPSILON);
    DdpmSampler ddpm = new DdpmSampler(cfg);
    Shape shape = new Shape(1, 4, 4, 4);
    NDArray x = randn(8, shape);
    NDArray eps = randn(9, shape);
    NDArray z = randn(10, shape);
    int t = 500;
    int n = 20;
    int prev = t - 1000 / n;
    assertThat(ddpm.previousTimestep(t, n)).isEqualTo(prev);
    double a = ddpm.schedule().alphaCumprod(t);
    double ap = ddpm.schedule().alphaCumprod(prev);
    double beta = 1 - a / ap;
    float[] xs = x.toFloatArray();
    float[] es = eps.toFloatArray();
    float[] zs = z.toFloatArray();
    float[] expected = new float[xs.length];
    double sigma = Math.sqrt((1 - ap) / (1 - a) * beta);
    for (int i = 0; i < xs.length; i++) {
      double x0 = (xs[i] - Math.sqrt(1 - a) * es[i]) / Math.sqrt(a);
      double mean =
          Math.sqrt(ap) * beta / (1 - a) * x0 + Math.sqrt(1 - beta) * (1 - ap) / (1 - a) * xs[i];
      expected[i] = (float) (mean + sigma * zs[i]);
    }
    StepResult r = ddpm.step(eps, t, x, n, z);
    FixtureSets.assertClose(
        "ddpm",
        r.prevSample().toFloatArray(),
        expected,
        new FixtureSets.Tolerance(1e-5, 1e-5, false));
    assertThat((double) ddpm.noiseScale(t, n)).isCloseTo(sigma, within(1e-7));
    assertThat(ddpm.noiseScale(0, n)).isZero();
    // t = 0 needs no noise; t > 0 does
    ddpm.step(eps, 0, x, 1000, null).close();
    assertThatThrownBy(() -> ddpm.step(eps, t, x, n, null)).hasMessageContaining("noise");
    // full chain (steps_offset 0; with offset 1 the chain would reach t = 1000 and is refused)
    assertThat(new DdpmSampler(SchedulerConfig.defaults()).timesteps(1000)).hasSize(1000);
    assertThatThrownBy(() -> ddpm.timesteps(1000)).hasMessageContaining("outside");
  }

  // ---- guidance ----

  @Test
  void classifierFreeGuidance() {
    Shape shape = new Shape(2, 4, 4, 4);
    NDArray uncond = randn(11, shape);
    NDArray cond = randn(12, shape);
    tol("scale 1 = cond", Guidance.classifierFree(uncond, cond, 1.0), cond, 1e-6);
    tol("scale 0 = uncond", Guidance.classifierFree(uncond, cond, 0.0), uncond, 0);
    NDArray g = Guidance.classifierFree(uncond, cond, 7.5);
    tol("formula", g, uncond.add(cond.sub(uncond).mul(7.5f)), 0);
    NDArray batched = uncond.concat(cond, 0);
    Guidance.Halves h = Guidance.split(batched);
    tol("uncond half", h.uncond(), uncond, 0);
    tol("cond half", h.cond(), cond, 0);
    tol("one call", Guidance.classifierFree(batched, 7.5), g, 0);
    assertThat(Guidance.doubleBatch(uncond).getShape()).isEqualTo(new Shape(4, 4, 4, 4));
    assertThatThrownBy(() -> Guidance.split(randn(1, new Shape(3, 2))))
        .hasMessageContaining("even");
    // guidance_rescale: phi = 1 gives the per-item std of cond
    NDArray rescaled = Guidance.rescale(g, cond, 1.0);
    float stdCond = std(cond.get("0").toFloatArray());
    assertThat(std(rescaled.get("0").toFloatArray())).isCloseTo(stdCond, within(1e-4f));
    tol("phi 0", Guidance.rescale(g, cond, 0), g, 0);
  }

  private static float std(float[] v) {
    double mean = 0;
    for (float f : v) {
      mean += f;
    }
    mean /= v.length;
    double s = 0;
    for (float f : v) {
      s += (f - mean) * (f - mean);
    }
    return (float) Math.sqrt(s / (v.length - 1));
  }

  private static void tol(String what, NDArray actual, NDArray expected, double atol) {
    assertThat(actual.getShape()).as(what).isEqualTo(expected.getShape());
    FixtureSets.assertClose(
        what,
        actual.toFloatArray(),
        expected.toFloatArray(),
        new FixtureSets.Tolerance(atol, 0, atol == 0));
  }
}
