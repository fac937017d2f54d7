package dev.sketchreal.sketch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.sketchreal.model.unet.UNet2DConditionModel;
import dev.sketchreal.nn.Init;
import dev.sketchreal.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The attention loss back-propagates through the frozen UNet's activations (the second UNet run on
 * ẑ0) into the modulation network, and into nothing of the UNet.
 */
class GradientFlowTest {

  @Test
  void attentionLossReachesEveryModulatorParameterAndNoUNetParameter() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      UNet2DConditionModel unet = TinyBackbone.frozenUNet(m, 11);
      ModulationConfig config =
          tiny()
              .lambdaNoise(0) // only L_attn: its gradient must cross the frozen UNet
              .lambdaRegL1(0)
              .build();
      ModulationNetwork net = new ModulationNetwork(config);
      net.initialize(m, new SplittableRandom(3));
      // Untrained heads are zero and would stop every gradient before them: perturb them.
      for (var e : net.namedParameters().entrySet()) {
        if (e.getKey().contains("_head.")) {
          Parameter p = e.getValue();
          p.set(
              Init.normal(0.05).create(m, p.shape(), new SplittableRandom(e.getKey().hashCode())));
        }
      }
      SketchingRealityObjective objective =
          new SketchingRealityObjective(
              unet, net, Parameterization.EPSILON, TinyBackbone.alphasCumprod());
      try (NDManager step = m.newSubManager();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        LossTerms terms = objective.compute(batch(step, config, new SplittableRandom(5)));
        assertThat(terms.attn().getFloat()).isNotZero();
        gc.backward(terms.total());
      }
      List<String> withoutGradient = new ArrayList<>();
      for (Map.Entry<String, Parameter> e : net.namedParameters().entrySet()) {
        try (NDArray g = e.getValue().array().getGradient()) {
          if (g.abs().sum().getFloat() == 0f) {
            withoutGradient.add(e.getKey());
          }
        }
      }
      assertThat(withoutGradient).isEmpty();
      for (Map.Entry<String, Parameter> e : unet.namedParameters().entrySet()) {
        assertThat(e.getValue().array().hasGradient()).as(e.getKey()).isFalse();
      }
    }
  }

  /**
   * DJL's {@code x.mul(2f)} keeps its constant in a Java buffer that the garbage collector may free
   * before backward (see {@code nn.Scalars}); a GC between forward and backward must not change a
   * single gradient of the full objective (noise, attention through the UNet, regularisers).
   */
  @Test
  void gradientsDoNotDependOnAGarbageCollectionBeforeBackward() throws Exception {
    assertThat(gradientNorm(true)).isEqualTo(gradientNorm(false));
  }

  private static double gradientNorm(boolean collectGarbage) throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      UNet2DConditionModel unet = TinyBackbone.frozenUNet(m, 11);
      ModulationConfig config = tiny().build();
      ModulationNetwork net = new ModulationNetwork(config);
      net.initialize(m, new SplittableRandom(3));
      perturbHeads(m, net);
      SketchingRealityObjective objective =
          new SketchingRealityObjective(
              unet, net, Parameterization.EPSILON, TinyBackbone.alphasCumprod());
      try (NDManager step = m.newSubManager();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        LossTerms terms = objective.compute(batch(step, config, new SplittableRandom(5)));
        if (collectGarbage) {
          for (int i = 0; i < 3; i++) {
            System.gc();
            byte[][] churn = new byte[64][];
            for (int j = 0; j < churn.length; j++) {
              churn[j] = new byte[1 << 16];
            }
          }
        }
        gc.backward(terms.total());
      }
      return dev.sketchreal.train.GradientClipping.globalNorm(net.namedParameters().values());
    }
  }

  /**
   * L_noise in x0 space is the prediction-space error weighted by (1 − ᾱ_t)/ᾱ_t: ẑ0 − z0 = −sqrt((1
   * − ᾱ)/ᾱ)·(eps' − eps); in v space by 1/ᾱ_t (v̂ − v = (eps' − eps)/sqrt(ᾱ) for an ε model). The
   * batch's only synthetic sample is at t = 920; the backbone diagnostic follows the same space.
   */
  @Test
  void noiseLossInX0SpaceIsThePredictionErrorWeightedByTheNoiseToSignalRatio() throws Exception {
    assertSpaceWeightsThePredictionError(
        ModulationConfig.NoiseLoss.X0, a -> (1 - a) / a, /* timestep */ 920);
  }

  @Test
  void noiseLossInVSpaceIsThePredictionErrorWeightedByOneOverAlphaBar() throws Exception {
    assertSpaceWeightsThePredictionError(ModulationConfig.NoiseLoss.V, a -> 1 / a, 920);
    // near t = 0 the v loss stays on the scale of the ε loss, where the x0 loss vanishes
    assertSpaceWeightsThePredictionError(ModulationConfig.NoiseLoss.V, a -> 1 / a, 20);
  }

  private static void assertSpaceWeightsThePredictionError(
      ModulationConfig.NoiseLoss space,
      java.util.function.DoubleUnaryOperator weightOfAlphaBar,
      int timestep)
      throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      UNet2DConditionModel unet = TinyBackbone.frozenUNet(m, 11);
      ModulationConfig.Builder b = tiny();
      ModulationConfig inPrediction = b.noiseLoss(ModulationConfig.NoiseLoss.PREDICTION).build();
      ModulationConfig inX0 = b.noiseLoss(space).build();
      float[] alphas = TinyBackbone.alphasCumprod();
      double weight = weightOfAlphaBar.applyAsDouble(alphas[timestep]);
      float[][] losses = new float[2][];
      int k = 0;
      for (ModulationConfig config : List.of(inPrediction, inX0)) {
        ModulationNetwork net = new ModulationNetwork(config);
        net.initialize(m, new SplittableRandom(3));
        perturbHeads(m, net);
        SketchingRealityObjective objective =
            new SketchingRealityObjective(unet, net, Parameterization.EPSILON, alphas);
        try (NDManager step = m.newSubManager()) {
          LossTerms t =
              objective.compute(atTimestep(batch(step, config, new SplittableRandom(5)), timestep));
          losses[k++] = new float[] {t.noise().getFloat(), t.noiseBackbone().getFloat()};
        }
      }
      assertThat((double) losses[1][0]).isCloseTo(losses[0][0] * weight, within(1e-4 * weight));
      assertThat((double) losses[1][1]).isCloseTo(losses[0][1] * weight, within(1e-4 * weight));
      assertThat(losses[0][0]).isNotEqualTo(losses[0][1]); // the perturbed modulator acts
    }
  }

  @Test
  void trainingGuidanceModulatesTheGuidedPrediction() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      UNet2DConditionModel unet = TinyBackbone.frozenUNet(m, 11);
      ModulationConfig config =
          tiny().noiseLoss(ModulationConfig.NoiseLoss.PREDICTION).trainingGuidance(3).build();
      ModulationNetwork net = new ModulationNetwork(config);
      net.initialize(m, new SplittableRandom(3));
      float[] alphas = TinyBackbone.alphasCumprod();
      SketchingRealityObjective objective =
          new SketchingRealityObjective(unet, net, Parameterization.EPSILON, alphas);
      try (NDManager step = m.newSubManager()) {
        SketchingRealityObjective.Batch plain = batch(step, config, new SplittableRandom(5));
        NDArray empty = TinyBackbone.normal(step, new SplittableRandom(9), 2, 6, 32);
        SketchingRealityObjective.Batch b = plain.withUnconditionalContext(empty);
        // the backbone reference of L_noise is the guided eps: u + 3·(c − u) against the noise
        NDArray alphaBar = Parameterization.alphaBar(alphas, b.timesteps(), step);
        NDArray zt = Parameterization.addNoise(b.z0(), b.noise(), alphaBar);
        NDArray t = step.create(b.timesteps());
        NDArray c = unet.forward(zt, t, b.textContext());
        NDArray u = unet.forward(zt, t, empty);
        NDArray guided = u.add(c.sub(u).mul(3f));
        float expected = SketchingRealityLoss.noise(guided, b.noise(), b.isSynthetic()).getFloat();
        LossTerms terms = objective.compute(b);
        assertThat(terms.noiseBackbone().getFloat()).isCloseTo(expected, within(1e-5f));
        float conditional = SketchingRealityLoss.noise(c, b.noise(), b.isSynthetic()).getFloat();
        assertThat(terms.noiseBackbone().getFloat()).isNotCloseTo(conditional, within(1e-3f));
        assertThatThrownBy(() -> objective.compute(plain))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("unconditional context");
      }
    }
  }

  /** The modulator size every test here uses (24 feature channels, width 16). */
  static ModulationConfig.Builder tiny() {
    return ModulationConfig.builder().featureChannels(24).hiddenChannels(16).timeEmbeddingDim(16);
  }

  /** Untrained heads are zero and stop every gradient before them. */
  static void perturbHeads(NDManager m, ModulationNetwork net) {
    for (var e : net.namedParameters().entrySet()) {
      if (e.getKey().contains("_head.")) {
        Parameter p = e.getValue();
        p.set(Init.normal(0.05).create(m, p.shape(), new SplittableRandom(e.getKey().hashCode())));
      }
    }
  }

  /** Two samples at latent 8×8, 6 tokens; sample 0 hand-drawn, sample 1 synthetic. */
  static SketchingRealityObjective.Batch batch(
      NDManager m, ModulationConfig config, SplittableRandom r) {
    float[] left = new float[64];
    float[] top = new float[64];
    for (int i = 0; i < 64; i++) {
      left[i] = i % 8 < 4 ? 1 : 0;
      top[i] = i / 8 < 3 ? 1 : 0;
    }
    List<List<TokenRegion>> regions =
        List.of(
            List.of(TokenRegion.of(new int[] {1}, left, 8, 8, m)),
            List.of(
                TokenRegion.of(new int[] {2, 3}, top, 8, 8, m),
                TokenRegion.of(new int[] {4}, left, 8, 8, m)));
    return new SketchingRealityObjective.Batch(
        TinyBackbone.normal(m, r, 2, config.featureChannels(), 4, 4),
        TinyBackbone.normal(m, r, 2, 4, 8, 8),
        TinyBackbone.normal(m, r, 2, 4, 8, 8),
        new int[] {950, 920},
        TinyBackbone.normal(m, r, 2, 6, 32),
        new boolean[] {false, true},
        regions,
        null);
  }

  /** The same batch with its synthetic sample (index 1) at {@code timestep}. */
  static SketchingRealityObjective.Batch atTimestep(
      SketchingRealityObjective.Batch b, int timestep) {
    return new SketchingRealityObjective.Batch(
        b.sketch(),
        b.z0(),
        b.noise(),
        new int[] {b.timesteps()[0], timestep},
        b.textContext(),
        b.isSynthetic(),
        b.regions(),
        b.unconditionalContext());
  }
}
