package dev.sketchreal.data.sketchworld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sketchreal.data.DataException;
import dev.sketchreal.data.Sample;
import dev.sketchreal.data.SampleKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SketchWorldWriterTest {
  @TempDir static Path dir;
  static Path one;
  static final SketchWorldConfig CONFIG = SketchWorldConfig.defaults().withSize(64);

  @BeforeAll
  static void generate() {
    one = dir.resolve("one");
    SketchWorldWriter.write(one, CONFIG, 4, 8, 1, null);
  }

  @Test
  void outputDoesNotDependOnThreadCount() throws IOException {
    Path two = dir.resolve("two");
    SketchWorldWriter.write(two, CONFIG, 4, 8, 3, null);
    Map<String, byte[]> a = files(one);
    Map<String, byte[]> b = files(two);
    assertThat(b.keySet()).isEqualTo(a.keySet());
    a.forEach((name, bytes) -> assertThat(b.get(name)).as(name).isEqualTo(bytes));
    assertThat(a)
        .containsKeys(
            "annotations/instances.json",
            "annotations/sketch_instances.json",
            "splits/train.txt",
            "splits/test.txt",
            "images/g000/0.png",
            "raster_sketches/g000/7.png",
            "synthetic_sketches/g000/3.png",
            "vector_sketches/g000/3.json",
            "text/g000/3.txt",
            "scenes/g000/3.json");
  }

  @Test
  void readerGivesBackWhatTheGeneratorMade() {
    SketchWorldDataset all = SketchWorldDataset.open(one, "all", false);
    assertThat(all.ids()).hasSize(8);
    assertThat(all.kinds()).containsExactlyInAnyOrder(SampleKind.HAND_DRAWN, SampleKind.SYNTHETIC);
    SketchWorldGenerator.GeneratedSample g = new SketchWorldGenerator(CONFIG).generate(4, 5);
    Sample hand = all.load("5", SampleKind.HAND_DRAWN);
    assertThat(hand.caption()).isEqualTo(g.caption());
    assertThat(hand.photoMasks()).isEqualTo(g.photoCategoryMasks());
    assertThat(hand.sketchMasks()).contains(g.sketchCategoryMasks());
    assertThat(hand.categoryWords()).isEqualTo(g.categoryWords());
    assertThat(hand.strokes()).isPresent();
    assertThat(hand.strokes().get().size()).isEqualTo(g.strokes().size());
    assertThat(SketchWorldGeneratorTest.pixels(hand.photo().orElseThrow()))
        .isEqualTo(SketchWorldGeneratorTest.pixels(g.photo()));
    Sample syn = all.load("5", SampleKind.SYNTHETIC);
    assertThat(syn.sketchMasks()).contains(syn.photoMasks());
    // Split: the last round(8 * 0.0475) = 0 ids are test, so all 8 are train.
    assertThat(SketchWorldDataset.open(one, "train", false).ids()).hasSize(8);
  }

  @Test
  void partialFolderIsReadableAndMissingCaptionIsNamed() throws IOException {
    Path partial = dir.resolve("partial");
    SketchWorldWriter.write(partial, CONFIG, 4, 3, 2, null);
    for (String gone :
        List.of("images", "synthetic_sketches", "scenes", "vector_sketches", "splits")) {
      deleteTree(partial.resolve(gone));
    }
    Files.delete(partial.resolve("annotations/instances.json"));
    SketchWorldDataset ds = SketchWorldDataset.open(partial, "all", false);
    assertThat(ds.kinds()).containsExactly(SampleKind.HAND_DRAWN);
    Sample s = ds.load("1", SampleKind.HAND_DRAWN);
    assertThat(s.photo()).isEmpty();
    assertThat(s.photoMasks()).isEmpty();
    assertThat(s.sketchMasks()).isPresent();
    assertThat(s.categoryWords()).isNotEmpty(); // found in the caption
    Files.delete(partial.resolve("text/g000/2.txt"));
    assertThatThrownBy(() -> SketchWorldDataset.open(partial, "all", false))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("caption file missing")
        .hasMessageContaining("2.txt");
    SketchWorldDataset skipping = SketchWorldDataset.open(partial, "all", true);
    assertThat(skipping.ids()).containsExactly("0", "1");
    assertThat(skipping.skipped().count()).isEqualTo(1);
    assertThat(skipping.skipped().report()).contains("2.txt");
  }

  @Test
  void configFileKeepsDefaultsAndRejectsUnknownFields() throws IOException {
    Path cfg = dir.resolve("cfg.json");
    Files.writeString(
        cfg, "{\"size\": 96, \"hand_drawn\": {\"omission\": {\"probability\": 0.9}}}");
    SketchWorldConfig c = SketchWorldConfig.read(cfg);
    assertThat(c.size()).isEqualTo(96);
    assertThat(c.handDrawn().omission().probability()).isEqualTo(0.9);
    assertThat(c.handDrawn().deformation())
        .isEqualTo(SketchWorldConfig.defaults().handDrawn().deformation());
    Files.writeString(cfg, "{\"hand_drawn\": {\"wobbel\": 1}}");
    assertThatThrownBy(() -> SketchWorldConfig.read(cfg))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("wobbel");
    Files.writeString(cfg, "{\"hand_drawn\": {\"omission\": {\"probability\": 1.5}}}");
    assertThatThrownBy(() -> SketchWorldConfig.read(cfg))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("omission.probability");
  }

  static Map<String, byte[]> files(Path root) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
    return out;
  }

  static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
