package dev.sketchreal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.sketch.ModulationConfig;
import dev.sketchreal.train.sketching.RolloutConfig;
import dev.sketchreal.train.sketching.SamplerRollout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rollout's training states are exactly where generation is after k steps. */
class SamplerRolloutTest {
  @TempDir Path tmp;

  private static final int STEPS = 10;
  private static final double GUIDANCE = 4.0;

  private static SketchingRealityModel model(Path dir) throws Exception {
    ModulationConfig config =
        TinySketchModel.config(ModulationConfig.Variant.SEMANTIC_BRANCHES).toBuilder()
            .modulationFraction(0.5)
            .build();
    return SketchingRealityModel.load(TinySketchModel.create(dir, config, true));
  }

  private static SamplerRollout rollout(SketchingRealityModel model, double fraction) {
    return new SamplerRollout(new RolloutConfig(fraction, STEPS, GUIDANCE), model);
  }

  @Test
  void statesAreTheLatentsGenerationPassesThrough() throws Exception {
    try (SketchingRealityModel model = model(tmp.resolve("m"));
        NDManager m = NDManager.newBaseManager()) {
      StableDiffusion sd = model.backbone();
      int size = sd.defaultImageSize();
      GenerationRequest request =
          new GenerationRequest("a house and a tree", "", 5, STEPS, GUIDANCE, size, size, 0);
      NDArray strokes = m.create(square(32), new Shape(1, 1, 32, 32));
      // generation, recording the latent each step starts from
      SketchToImage pipeline = new SketchToImage(model);
      TextToImage text = new TextToImage(sd);
      NDArray sketchInput = model.conditioner().condition(strokes);
      NoisePredictor predictor =
          pipeline.predictor(
              text.encode(request, m), sketchInput, GUIDANCE, model.modulator().config());
      List<float[]> seen = new ArrayList<>();
      NoisePredictor recording =
          (latent, t, i) -> {
            seen.add(latent.toFloatArray());
            return predictor.predict(latent, t, i);
          };
      text.denoise(request, recording, m, ProgressListener.NONE, Cancellation.NEVER);

      SamplerRollout rollout = rollout(model, 1);
      // 10 leading steps 901, 801, ...: t >= 500 are modulated
      assertThat(rollout.modulatedTimesteps()).containsExactly(901, 801, 701, 601, 501);
      int f = sd.vaeScaleFactor();
      Shape one = new Shape(1, sd.unet().config().inChannels(), size / f, size / f);
      NDArray start = new GaussianNoise(request.seed()).next(m, one).repeat(0, 4);
      int[] plan = {3, 0, SamplerRollout.FORWARD, 4};
      NDArray states =
          rollout.states(
              plan,
              start,
              sketchInput.repeat(0, 4),
              sd.encodePrompts(Collections.nCopies(4, request.prompt()), m),
              sd.encodePrompts(Collections.nCopies(4, ""), m));
      assertThat(states.getShape()).isEqualTo(start.getShape());
      assertClose(states.get(0).toFloatArray(), seen.get(3));
      assertThat(states.get(1).toFloatArray()).containsExactly(seen.get(0));
      assertThat(states.get(2).toFloatArray()).containsExactly(seen.get(0));
      assertClose(states.get(3).toFloatArray(), seen.get(4));
      assertThat(seen.get(4)).isNotEqualTo(seen.get(0));
    }
  }

  @Test
  void planDrawsStepsOnlyFromTheModulatedRange() throws Exception {
    try (SketchingRealityModel model = model(tmp.resolve("m"))) {
      int[] all = rollout(model, 1).plan(new SplittableRandom(1), 200);
      assertThat(java.util.Arrays.stream(all).boxed().toList())
          .allMatch(k -> k >= 0 && k < 5)
          .contains(0, 4);
      assertThat(rollout(model, 0).plan(new SplittableRandom(1), 50))
          .containsOnly(SamplerRollout.FORWARD);
      int[] half = rollout(model, 0.5).plan(new SplittableRandom(1), 400);
      long forward = java.util.Arrays.stream(half).filter(k -> k < 0).count();
      assertThat(forward).isBetween(150L, 250L);
    }
  }

  @Test
  void aScheduleWithoutModulatedStepsIsRefused() throws Exception {
    try (SketchingRealityModel model = model(tmp.resolve("m"))) {
      // one step at t = 1: below every modulated timestep
      assertThatThrownBy(() -> new SamplerRollout(new RolloutConfig(1.0, 1, GUIDANCE), model))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("modulated");
    }
  }

  private static void assertClose(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(expected[i]));
    }
  }

  private static org.assertj.core.data.Offset<Float> within(float value) {
    return org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(value));
  }

  private static float[] square(int size) {
    float[] ink = new float[size * size];
    for (int y = 4; y < 14; y++) {
      for (int x = 4; x < 14; x++) {
        ink[y * size + x] = 1f;
      }
    }
    return ink;
  }
}
