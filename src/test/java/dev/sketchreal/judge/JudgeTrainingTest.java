package dev.sketchreal.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.data.Mask;
import dev.sketchreal.io.SafetensorsFile;
import dev.sketchreal.runtime.Compute;
import dev.sketchreal.testing.TinySketchWorld;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JudgeTrainingTest {
  @TempDir static Path shared;
  static Path data;

  @BeforeAll
  static void data() {
    data = TinySketchWorld.write(shared.resolve("sw"), 2);
  }

  @TempDir Path tmp;

  static JudgeTrainingConfig config(int steps, int every) {
    JudgeConfig model = new JudgeConfig(32, List.of(8, 8, 8, 8), 8, 4, null);
    return new JudgeTrainingConfig(steps, 2, 1e-2, 0, 0.0, 10.0, 1.0, 5L, every, 3, 0, 16, model);
  }

  private static JudgeTraining.Result train(JudgeTrainingConfig c, Path out, boolean resume)
      throws Exception {
    var training =
        new JudgeTraining(
            c, dev.sketchreal.data.sketchworld.SketchWorldDataset.open(data, "all", false), null);
    return training.run(out, resume, false, new PrintStream(new ByteArrayOutputStream()));
  }

  static List<Double> losses(Path out) throws Exception {
    List<Double> out2 = new java.util.ArrayList<>();
    for (String l : Files.readAllLines(out.resolve("train.jsonl"))) {
      out2.add(dev.sketchreal.io.Json.mapper().readTree(l).path("loss").path("total").asDouble());
    }
    return out2;
  }

  @Test
  void lossGoesDownAndResumeIsExact() throws Exception {
    Path a = tmp.resolve("a");
    train(config(6, 3), a, false);
    List<Double> la = losses(a);
    assertThat(la).hasSize(6);
    assertThat(la.get(5)).isLessThan(la.get(0));
    assertThat(a.resolve("model.safetensors")).exists();
    assertThat(Files.readAllLines(a.resolve("classes.txt"))).startsWith("background", "sun");

    // interrupted after step 3: drop the last checkpoint, then resume to 6
    Path b = tmp.resolve("b");
    train(config(6, 3), b, false);
    deleteTree(b.resolve("checkpoints/step-00000006"));
    JudgeTraining.Result r = train(config(6, 3), b, true);
    assertThat(r.step()).isEqualTo(6);
    assertThat(losses(b)).isEqualTo(la);
    try (NDManager m = Compute.newManager()) {
      LayoutJudge ja = LayoutJudge.load(a, m);
      LayoutJudge jb = LayoutJudge.load(b, m);
      for (var e : ja.namedParameters().entrySet()) {
        float[] x = e.getValue().array().toFloatArray();
        float[] y = jb.namedParameters().get(e.getKey()).array().toFloatArray();
        assertThat(y).as(e.getKey()).containsExactly(x);
      }
    }
    assertThatThrownBy(() -> train(config(6, 3), b, false)).hasMessageContaining("--resume");
  }

  @Test
  void segmentsAnySizeAndSavesLoads() throws Exception {
    try (NDManager m = Compute.newManager()) {
      LayoutJudge judge = new LayoutJudge(config(1, 1).model());
      judge.initialize(m, new SplittableRandom(1));
      NDArray photos = m.randomUniform(-1, 1, new Shape(2, 3, 20, 24));
      assertThat(judge.segment(photos).getShape()).isEqualTo(new Shape(2, 20, 24));
      NDArray[] lf = judge.logitsAndFeatures(photos, 16, 16);
      assertThat(lf[0].getShape()).isEqualTo(new Shape(2, 13, 16, 16));
      assertThat(lf[1].getShape()).isEqualTo(new Shape(2, 8));
      judge.save(tmp.resolve("j"));
      LayoutJudge again = LayoutJudge.load(tmp.resolve("j"), m);
      NDArray x = m.randomUniform(-1, 1, new Shape(1, 3, 32, 32));
      assertThat(again.logits(x).toFloatArray()).containsExactly(judge.logits(x).toFloatArray());
      try (SafetensorsFile f = SafetensorsFile.open(tmp.resolve("j/model.safetensors"))) {
        assertThat(f.tensors()).containsKey("classifier.weight");
      }
    }
  }

  @Test
  void labelMapPutsSmallerObjectsInFront() {
    Mask big = new Mask(4, 4);
    Mask small = new Mask(4, 4);
    for (int i = 0; i < 16; i++) {
      big.set(i % 4, i / 4, i < 8);
    }
    small.set(1, 1, true);
    byte[] labels =
        JudgeTraining.labelMap(
            Map.of("mountain", big, "bird", small), 4, JudgeConfig.defaultClasses());
    List<String> classes = JudgeConfig.defaultClasses();
    assertThat(labels[0]).isEqualTo((byte) classes.indexOf("mountain"));
    assertThat(labels[5]).isEqualTo((byte) classes.indexOf("bird"));
    assertThat(labels[15]).isZero();
  }

  static void deleteTree(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
