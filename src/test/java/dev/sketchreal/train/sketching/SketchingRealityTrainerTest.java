package dev.sketchreal.train.sketching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.sketchreal.data.Mask;
import dev.sketchreal.data.Preprocess;
import dev.sketchreal.data.Sample;
import dev.sketchreal.data.SampleKind;
import dev.sketchreal.data.sketchworld.SketchWorldDataset;
import dev.sketchreal.nn.Init;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.Parameter;
import dev.sketchreal.pipeline.GaussianNoise;
import dev.sketchreal.pipeline.SketchingRealityModel;
import dev.sketchreal.pipeline.TinySketchModel;
import dev.sketchreal.sketch.LossTerms;
import dev.sketchreal.sketch.ModulationConfig;
import dev.sketchreal.sketch.Parameterization;
import dev.sketchreal.sketch.SemanticSketchEncoder;
import dev.sketchreal.sketch.SketchingRealityObjective;
import dev.sketchreal.train.StepRandom;
import dev.sketchreal.train.TrainingLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SketchingRealityTrainerTest {
  @TempDir Path tmp;
  Path backbone;
  Path data;

  @BeforeAll
  void fixtures(@TempDir Path shared) throws Exception {
    backbone = TrainingFixture.backbone(shared.resolve("backbone"));
    data = TrainingFixture.sketchWorld(shared.resolve("sw"), 6);
  }

  private SketchingRealityTrainer trainer(Object... overrides) throws Exception {
    return SketchingRealityTrainer.open(TrainingFixture.config(backbone, overrides), data);
  }

  @Test
  void gradientsReachExactlyTheModulatorAndTheEncodersLastThreeLayers() throws Exception {
    try (SketchingRealityTrainer t = trainer()) {
      perturbHeads(t); // zero heads would stop every gradient before them
      Set<Parameter> expected = Collections.newSetFromMap(new IdentityHashMap<>());
      expected.addAll(t.modulator().module().namedParameters().values());
      var layers = t.encoder().vision().layers();
      assertThat(layers).hasSize(TrainingFixture.VISION_LAYERS);
      for (Module layer : layers.subList(layers.size() - 3, layers.size())) {
        expected.addAll(layer.namedParameters().values());
      }
      try (NDManager step = t.backbone().manager().newSubManager();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        Map<String, NDArray> losses = t.stepLosses(1, StepRandom.forStep(3, 1), step);
        assertThat(losses.get("attn").getFloat()).isNotZero();
        gc.backward(losses.get("total"));
      }
      Map<String, Module> all =
          Map.of(
              "unet", t.backbone().unet(),
              "vae", t.backbone().vae(),
              "text_encoder", t.backbone().textEncoder(),
              "original_encoder", t.originalEncoder().clip(),
              "encoder", t.encoder().clip(),
              "modulator", t.modulator().module());
      List<String> missing = new ArrayList<>();
      List<String> unexpected = new ArrayList<>();
      int checked = 0;
      for (var module : all.entrySet()) {
        for (var e : module.getValue().namedParameters().entrySet()) {
          String name = module.getKey() + "." + e.getKey();
          NDArray array = e.getValue().array();
          checked++;
          if (expected.contains(e.getValue())) {
            // softmax is invariant to the key bias: its gradient is exactly zero
            boolean zeroByMaths = e.getKey().endsWith("k_proj.bias");
            try (NDArray g = array.getGradient()) {
              if (!zeroByMaths && g.abs().sum().getFloat() == 0f) {
                missing.add(name);
              }
            }
          } else if (array.hasGradient()) {
            unexpected.add(name);
          }
        }
      }
      assertThat(checked).isGreaterThan(expected.size());
      assertThat(missing).isEmpty();
      assertThat(unexpected).isEmpty();
      // optimizer state exists exactly for the trainable parameters
      Set<Parameter> optimised = Collections.newSetFromMap(new IdentityHashMap<>());
      optimised.addAll(t.optimizer().parameters().values());
      assertThat(optimised).isEqualTo(expected);
      assertThat(t.optimizer().state()).hasSize(1 + 2 * expected.size());
      assertThat(t.optimizer().learningRates())
          .containsEntry(SketchingRealityTrainer.MODULATION_GROUP, 1e-4)
          .containsEntry(SketchingRealityTrainer.ENCODER_GROUP, 1e-5);
    }
  }

  @Test
  void trainingGuidanceGivesEveryBatchTheEmptyPromptsContext() throws Exception {
    ModulationConfig guided = TrainingFixture.modulation().toBuilder().trainingGuidance(3).build();
    try (SketchingRealityTrainer plain = trainer();
        SketchingRealityTrainer t = trainer("modulation", guided);
        NDManager m = t.backbone().manager().newSubManager()) {
      for (long step = 1; step <= 2; step++) {
        var samples = t.samplesForStep(step);
        var batch = t.buildBatch(samples, StepRandom.forStep(3, step), m);
        NDArray empty = t.backbone().encodePrompts(List.of("", ""), m);
        assertThat(batch.unconditionalContext().getShape()).isEqualTo(empty.getShape());
        assertThat(batch.unconditionalContext().toFloatArray())
            .containsExactly(empty.toFloatArray());
      }
      // guided: the backbone's reference error differs from the conditional one on the same batch
      float guidedBackbone =
          t.losses(t.samplesForStep(1), StepRandom.forStep(3, 1), m).noiseBackbone().getFloat();
      float plainBackbone =
          plain
              .losses(plain.samplesForStep(1), StepRandom.forStep(3, 1), m)
              .noiseBackbone()
              .getFloat();
      assertThat(guidedBackbone).isNotEqualTo(plainBackbone);
      assertThat(
              plain
                  .buildBatch(plain.samplesForStep(1), StepRandom.forStep(3, 1), m)
                  .unconditionalContext())
          .isNull();
    }
  }

  @Test
  void rolloutSamplesStartFromTheSamplersStateAndTheOthersAreUnchanged() throws Exception {
    Map<String, Object> rollout = Map.of("fraction", 0.5, "steps", 10, "guidance", 3.0);
    ModulationConfig half =
        TrainingFixture.modulation().toBuilder().modulationFraction(0.5).build();
    try (SketchingRealityTrainer plain = trainer("modulation", half, "batch_size", 8);
        SketchingRealityTrainer t =
            trainer("modulation", half, "batch_size", 8, "rollout", rollout);
        NDManager m = t.backbone().manager().newSubManager()) {
      perturbHeads(t);
      List<Sample> samples = t.samplesForStep(1);
      var batch = t.buildBatch(samples, StepRandom.forStep(3, 1), m);
      var reference = plain.buildBatch(samples, StepRandom.forStep(3, 1), m);
      // the same stream as the trainer: timesteps, the noise's seed, then the plan
      SplittableRandom r = StepRandom.forStep(3, 1);
      int[] drawn = SketchingRealityObjective.sampleTimesteps(r, 8, 1000, half);
      NDArray start = new GaussianNoise(r.nextLong()).next(m, batch.z0().getShape());
      SamplerRollout sampler =
          new SamplerRollout(
              t.config().rollout(),
              new SketchingRealityModel(t.backbone(), t.modulator(), t.conditioner()));
      int[] plan = sampler.plan(r, 8);
      assertThat(plan).contains(SamplerRollout.FORWARD);
      assertThat(java.util.Arrays.stream(plan).max().getAsInt()).isPositive();
      assertThat(drawn).isEqualTo(reference.timesteps());
      NDArray empty = t.backbone().encodePrompts(Collections.nCopies(8, ""), m);
      NDArray states = sampler.states(plan, start, batch.sketch(), batch.textContext(), empty);
      NDArray zt =
          Parameterization.addNoise(
              batch.z0(),
              batch.noise(),
              Parameterization.alphaBar(
                  t.backbone().schedule().alphasCumprod(), batch.timesteps(), m));
      for (int i = 0; i < 8; i++) {
        if (plan[i] == SamplerRollout.FORWARD) {
          assertThat(batch.timesteps()[i]).isEqualTo(reference.timesteps()[i]);
          assertThat(batch.noise().get(i).toFloatArray())
              .containsExactly(reference.noise().get(i).toFloatArray());
        } else {
          assertThat(batch.timesteps()[i]).isEqualTo(sampler.timestep(plan[i]));
          float[] expected = states.get(i).toFloatArray();
          float[] actual = zt.get(i).toFloatArray();
          for (int j = 0; j < expected.length; j++) {
            assertThat(actual[j]).isCloseTo(expected[j], within(1e-4f));
          }
        }
      }
      assertThat(batch.unconditionalContext()).isNull(); // training guidance stays 1
      assertThat(t.losses(samples, StepRandom.forStep(3, 1), m).total().getFloat()).isFinite();
    }
  }

  @Test
  void initFromStartsFromASavedModulatorAndEncoder() throws Exception {
    Path saved = tmp.resolve("saved");
    Map<String, float[]> modulation;
    Map<String, float[]> encoder;
    try (SketchingRealityTrainer t = trainer("steps", 2, "lr_encoder", 1e-2)) {
      perturbHeads(t);
      t.train(tmp.resolve("run"), false, false);
      t.save(saved);
      modulation = values(t.modulator().module());
      encoder = values(t.encoder().clip());
    }
    try (SketchingRealityTrainer fresh = trainer();
        SketchingRealityTrainer t = trainer("init_from", saved.toString())) {
      assertThat(differing(t.modulator().module(), modulation)).isEmpty();
      assertThat(differing(t.encoder().clip(), encoder)).isEmpty();
      assertThat(differing(fresh.encoder().clip(), encoder)).isNotEmpty(); // it had moved
      // the hand-drawn pseudo-masks still come from the original encoder
      assertThat(differing(t.originalEncoder().clip(), values(fresh.originalEncoder().clip())))
          .isEmpty();
    }
    ModulationConfig wider = TrainingFixture.modulation().toBuilder().hiddenChannels(32).build();
    assertThatThrownBy(() -> trainer("modulation", wider, "init_from", saved.toString()).close())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("init_from");
    // a run that adds the caption starts from the same network, its text projection at zero
    int width =
        dev.sketchreal.io.Json.readTree(backbone.resolve("text_encoder/config.json"))
            .get("hidden_size")
            .asInt();
    ModulationConfig captioned =
        TrainingFixture.modulation().toBuilder().textChannels(width).build();
    try (SketchingRealityTrainer t =
        trainer("modulation", captioned, "init_from", saved.toString())) {
      assertThat(differing(t.modulator().module(), modulation))
          .containsExactlyInAnyOrder("text_proj.weight", "text_proj.bias");
      assertThat(values(t.modulator().module().namedParameters().get("text_proj.weight")))
          .containsOnly(0f);
      try (NDManager m = NDManager.newBaseManager()) {
        assertThat(t.losses(t.samplesForStep(1), StepRandom.forStep(3, 1), m).total().getFloat())
            .isFinite();
      }
    }
    ModulationConfig misfit =
        TrainingFixture.modulation().toBuilder().textChannels(width + 1).build();
    assertThatThrownBy(() -> trainer("modulation", misfit).close())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("text_channels " + (width + 1));
  }

  // Names of the module's parameters whose values differ from the recorded ones.
  private static List<String> differing(Module module, Map<String, float[]> recorded) {
    List<String> out = new ArrayList<>();
    module
        .namedParameters()
        .forEach(
            (k, p) -> {
              if (!java.util.Arrays.equals(values(p), recorded.get(k))) {
                out.add(k);
              }
            });
    return out;
  }

  private static Map<String, float[]> values(Module module) {
    Map<String, float[]> out = new java.util.HashMap<>();
    module.namedParameters().forEach((k, p) -> out.put(k, values(p)));
    return out;
  }

  private static float[] values(Parameter p) {
    return p.array().toFloatArray();
  }

  // Untrained heads are zero and make the modulation the identity: give them some weight.
  private static void perturbHeads(SketchingRealityTrainer t) {
    for (var e : t.modulator().module().namedParameters().entrySet()) {
      if (e.getKey().contains("_head.")) {
        Parameter p = e.getValue();
        p.set(
            Init.normal(0.05)
                .create(
                    t.backbone().manager(),
                    p.shape(),
                    new SplittableRandom(e.getKey().hashCode())));
      }
    }
  }

  @Test
  void overfitsAFixedTinyBatch() throws Exception {
    try (SketchingRealityTrainer t =
        trainer("fixed_batch", true, "steps", 16, "lr_modulation", 3e-3, "lr_encoder", 1e-3)) {
      List<TrainingLog.Entry> log = t.train(tmp.resolve("run"), false, false);
      double[] total = series(log, "total");
      double[] noise = series(log, "noise");
      double[] attn = series(log, "attn");
      String all = "losses per step: " + log.stream().map(e -> e.losses()).toList();
      // measured on the fixture: total 0.95 → 0.51, noise 0.34 → 0.065, attn 0.61 → 0.43
      assertThat(mean(total, total.length - 3, total.length))
          .as(all)
          .isLessThan(0.7 * mean(total, 0, 3));
      assertThat(noise[noise.length - 1]).as(all).isLessThan(noise[0] / 3);
      assertThat(attn[attn.length - 1]).as(all).isLessThan(0.9 * attn[0]);
    }
  }

  private static double[] series(List<TrainingLog.Entry> log, String term) {
    return log.stream().mapToDouble(e -> e.losses().get(term)).toArray();
  }

  @Test
  void resumeReproducesTheUninterruptedLossSequence() throws Exception {
    List<TrainingLog.Entry> straight;
    try (SketchingRealityTrainer t = trainer("steps", 4, "checkpoint_every", 2)) {
      straight = t.train(tmp.resolve("a"), false, false);
    }
    List<TrainingLog.Entry> resumed = new ArrayList<>();
    Path run = tmp.resolve("b");
    try (SketchingRealityTrainer t = trainer("steps", 2, "checkpoint_every", 2)) {
      resumed.addAll(t.train(run, false, false));
    }
    try (SketchingRealityTrainer t = trainer("steps", 4, "checkpoint_every", 2)) {
      assertThatThrownBy(() -> t.train(run, false, false))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("--resume");
      resumed.addAll(t.train(run, true, false)); // a new trainer instance continues
    }
    assertThat(resumed).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(resumed.get(i).step()).isEqualTo(straight.get(i).step());
      assertThat(resumed.get(i).losses()).as("step %d", i + 1).isEqualTo(straight.get(i).losses());
      assertThat(resumed.get(i).gradNorm()).isEqualTo(straight.get(i).gradNorm());
    }
    assertThat(straight.get(0).losses())
        .containsOnlyKeys("total", "noise", "attn", "l1", "var", "noise_backbone");
    var logLines = TrainingLog.read(run.resolve("train.jsonl"));
    assertThat(logLines).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(logLines.get(i).path("loss").path("total").asDouble())
          .isEqualTo(straight.get(i).losses().get("total"));
    }
  }

  @Test
  void handDrawnRegionsUseTheFrozenOriginalPseudoMasksAndSyntheticTheExactMasks() throws Exception {
    try (SketchingRealityTrainer t = trainer("cache", false, "lr_encoder", 1e-2, "steps", 1);
        NDManager m = NDManager.newBaseManager()) {
      SemanticSketchEncoder reference =
          SemanticSketchEncoder.load(backbone.resolve("sketch_encoder"), m);
      SketchWorldDataset ds = SketchWorldDataset.open(data, "train", false);
      t.train(tmp.resolve("run"), false, false); // the fine-tuned encoder has moved
      int hand = 0;
      int synth = 0;
      for (String id : ds.ids()) {
        for (SampleKind kind : SampleKind.values()) {
          Sample s = ds.load(id, kind);
          for (SketchingRealityTrainer.CategoryRegion r : t.regions(s)) {
            if (kind == SampleKind.SYNTHETIC) {
              synth++;
              assertThat(r.pseudo()).isFalse();
              assertThat(r.mask()).isEqualTo(exact(s.photoMasks().get(r.category()), 16));
            } else {
              hand++;
              assertThat(r.pseudo()).isTrue();
              NDArray strokes = Preprocess.sketch(m, s.sketch(), 32, 1).expandDims(0);
              NDArray classes = reference.classEmbeddings(List.of(r.category()), m);
              float[] expected = reference.pseudoMasks(strokes, classes, 16, 16).toFloatArray();
              assertThat(r.mask()).isEqualTo(expected);
            }
            assertThat(r.tokenPositions()).isNotEmpty();
          }
        }
      }
      assertThat(hand).isPositive();
      assertThat(synth).isPositive();
    }
  }

  @Test
  void handDrawnSamplesHaveNoNoiseLoss() throws Exception {
    try (SketchingRealityTrainer t = trainer();
        NDManager m = t.backbone().manager().newSubManager()) {
      SketchWorldDataset ds = SketchWorldDataset.open(data, "train", false);
      List<Sample> handOnly = new ArrayList<>();
      List<Sample> synthOnly = new ArrayList<>();
      for (String id : ds.ids().subList(0, 2)) {
        handOnly.add(ds.load(id, SampleKind.HAND_DRAWN));
        synthOnly.add(ds.load(id, SampleKind.SYNTHETIC));
      }
      LossTerms hand = t.losses(handOnly, new SplittableRandom(1), m);
      LossTerms synth = t.losses(synthOnly, new SplittableRandom(1), m);
      assertThat(hand.noise().getFloat()).isZero();
      assertThat(synth.noise().getFloat()).isPositive();
      assertThat(hand.attn().getFloat()).isNotZero();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = ModulationConfig.Variant.class,
      names = {"VAE_SHARED_BRANCH", "RAW_SKETCH_UNET"})
  void theAblationVariantsTrainToo(ModulationConfig.Variant variant) throws Exception {
    try (SketchingRealityTrainer t =
        trainer("modulation", TinySketchModel.config(variant), "steps", 2)) {
      assertThat(t.encoder()).isNull(); // no encoder features: only the modulator trains
      assertThat(t.optimizer().learningRates())
          .containsOnlyKeys(SketchingRealityTrainer.MODULATION_GROUP);
      List<TrainingLog.Entry> log = t.train(tmp.resolve("run-" + variant), false, false);
      assertThat(log).hasSize(2);
      assertThat(log.get(1).losses().get("total")).isFinite();
      assertThat(log.get(1).losses().get("l1")).isPositive(); // the heads moved
    }
  }

  @Test
  void stepsLeaveNoArraysBehind() throws Exception {
    try (SketchingRealityTrainer t = trainer()) {
      t.benchmark(0, 2); // caches, optimizer state and the first checkpoint's arrays exist now
      int before = t.backbone().manager().getManagedArrays().size();
      t.benchmark(0, 3);
      assertThat(t.backbone().manager().getManagedArrays()).hasSize(before);
    }
  }

  private static float[] exact(Mask mask, int size) {
    Mask small = Preprocess.mask(mask, size);
    float[] out = new float[size * size];
    for (int i = 0; i < out.length; i++) {
      out[i] = small.get(i) ? 1 : 0;
    }
    return out;
  }

  private static double mean(double[] v, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += v[i];
    }
    return s / (to - from);
  }
}
