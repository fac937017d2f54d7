package dev.sketchreal.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

  @Test
  void savesAtomicallyKeepsTheLastKAndRestoresExactly(@TempDir Path root) throws Exception {
    ObjectMapper om = new ObjectMapper();
    try (NDManager m = NDManager.newBaseManager()) {
      TinyModule t = TinyModule.of(m, new float[] {0.25f, -1f}, 2f);
      AdamW opt = new AdamW(m, List.of(AdamW.Group.of("mod", t, 1e-2, 0.01)));
      for (int step = 1; step <= 4; step++) {
        t.backward(TinyModule::cubicLoss);
        opt.step();
        Checkpoint.save(
            root,
            2,
            new Checkpoint.Meta(step, 42, om.readTree("{\"lr\":0.01}"), Map.of("note", "x")),
            opt.parameters(),
            opt);
      }
      assertThat(Checkpoint.list(root).stream().map(p -> p.getFileName().toString()))
          .containsExactly("step-00000003", "step-00000004");
      try (var files = Files.list(root)) {
        assertThat(files.filter(p -> p.getFileName().toString().startsWith("."))).isEmpty();
      }
      Path latest = Checkpoint.latest(root).orElseThrow();
      assertThat(latest.resolve("model.safetensors")).exists();
      assertThat(latest.resolve("optimizer.safetensors")).exists();

      TinyModule fresh = TinyModule.of(m, new float[] {9, 9}, 9);
      AdamW freshOpt = new AdamW(m, List.of(AdamW.Group.of("mod", fresh, 1.0, 0.01)));
      Checkpoint.Meta meta = Checkpoint.load(latest, freshOpt.parameters(), freshOpt, m);
      assertThat(meta.step()).isEqualTo(4);
      assertThat(meta.seed()).isEqualTo(42);
      assertThat(meta.config().get("lr").asDouble()).isEqualTo(0.01);
      assertThat(meta.extra()).containsEntry("note", "x");
      assertThat(freshOpt.stepCount()).isEqualTo(4);
      assertThat(freshOpt.learningRate("mod")).isEqualTo(1e-2);
      assertThat(fresh.a.array().toFloatArray()).containsExactly(t.a.array().toFloatArray());
      assertThat(fresh.b.array().toFloatArray()).containsExactly(t.b.array().toFloatArray());
      assertThat(freshOpt.state().get("exp_avg_sq.mod.a").toFloatArray())
          .containsExactly(opt.state().get("exp_avg_sq.mod.a").toFloatArray());
      // restored parameters train on
      assertThat(fresh.a.isTrainable()).isTrue();
      assertThat(fresh.a.array().hasGradient()).isTrue();
    }
  }

  @Test
  void loadingIntoADifferentModelFailsNamingTheKeys(@TempDir Path root) throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      TinyModule t = TinyModule.of(m, new float[] {1, 2}, 3);
      AdamW opt = new AdamW(m, List.of(AdamW.Group.of("mod", t, 1e-2, 0)));
      Path saved =
          Checkpoint.save(root, 1, new Checkpoint.Meta(0, 1, null, null), opt.parameters(), opt);
      TinyModule other = TinyModule.of(m, new float[] {1, 2}, 3);
      AdamW otherOpt = new AdamW(m, List.of(AdamW.Group.of("other", other, 1e-2, 0)));
      assertThatThrownBy(() -> Checkpoint.load(saved, otherOpt.parameters(), otherOpt, m))
          .hasMessageContaining("missing [other.a, other.b]")
          .hasMessageContaining("unexpected [mod.a, mod.b]");
    }
  }

  @Test
  void stepRandomIsAFunctionOfSeedAndStep() {
    long a = StepRandom.forStep(7, 3).nextLong();
    assertThat(StepRandom.forStep(7, 3).nextLong()).isEqualTo(a);
    assertThat(StepRandom.forStep(7, 4).nextLong()).isNotEqualTo(a);
    assertThat(StepRandom.forStep(8, 3).nextLong()).isNotEqualTo(a);
    assertThat(StepRandom.forStep(7, 3, 1).nextLong()).isNotEqualTo(a);
  }

  @Test
  void logIsTruncatedToTheResumedStep(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("train.jsonl");
    try (TrainingLog log = TrainingLog.open(file, 0)) {
      for (int s = 1; s <= 5; s++) {
        log.append(new TrainingLog.Entry(s, Map.of("total", 1.0 / s), Map.of("g", 1e-4), 0.5, 0.1));
      }
    }
    Files.writeString(file, "{\"step\":6,\"lo", java.nio.file.StandardOpenOption.APPEND); // torn
    try (TrainingLog log = TrainingLog.open(file, 3)) {
      log.append(new TrainingLog.Entry(4, Map.of("total", 0.2), Map.of("g", 1e-4), 0.4, 0.1));
    }
    var lines = TrainingLog.read(file);
    assertThat(lines).extracting(n -> n.get("step").asLong()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(lines.get(3).get("loss").get("total").asDouble()).isEqualTo(0.2);
    assertThat(lines.get(0).get("lr").get("g").asDouble()).isEqualTo(1e-4);
    assertThat(lines.get(0).has("grad_norm")).isTrue();
    assertThat(lines.get(0).has("step_time_s")).isTrue();
  }
}
