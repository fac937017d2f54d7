package dev.sketchreal.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sketchreal.data.Mask;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IouAccumulatorTest {
  /** A 4×4 mask from a picture: '#' = set. */
  private static Mask mask(String... rows) {
    Mask m = new Mask(rows[0].length(), rows.length);
    for (int y = 0; y < rows.length; y++) {
      for (int x = 0; x < rows[y].length(); x++) {
        m.set(x, y, rows[y].charAt(x) == '#');
      }
    }
    return m;
  }

  @Test
  void perCategoryMeanAndPerImageByHand() {
    IouAccumulator acc = new IouAccumulator(List.of("sun", "tree", "car"));
    // image 1: sun predicted 2 px of a 4-px target (IoU 2/4); tree perfect (1); car absent both
    Map<String, Mask> p1 =
        Map.of(
            "sun",
            mask("##..", "....", "....", "...."),
            "tree",
            mask("....", "....", "..##", "..##"));
    Map<String, Mask> t1 =
        Map.of(
            "sun",
            mask("##..", "##..", "....", "...."),
            "tree",
            mask("....", "....", "..##", "..##"));
    assertThat(acc.add(p1, t1)).isCloseTo((0.5 + 1.0) / 2, within(1e-12));
    // image 2: car predicted (4 px) but not drawn: IoU 0 for car; sun: 1 px of 1 px
    Map<String, Mask> p2 =
        Map.of(
            "car",
            mask("####", "....", "....", "...."),
            "sun",
            mask("#...", "....", "....", "...."));
    Map<String, Mask> t2 = Map.of("sun", mask("#...", "....", "....", "...."));
    assertThat(acc.add(p2, t2)).isCloseTo((1.0 + 0.0) / 2, within(1e-12));
    // dataset level: sun (2+1)/(4+1) = 0.6, tree 4/4 = 1, car 0/4 = 0
    assertThat(acc.perCategory()).containsOnlyKeys("sun", "tree", "car");
    assertThat(acc.perCategory().get("sun")).isCloseTo(0.6, within(1e-12));
    assertThat(acc.perCategory().get("tree")).isCloseTo(1.0, within(1e-12));
    assertThat(acc.perCategory().get("car")).isCloseTo(0.0, within(1e-12));
    assertThat(acc.meanIou()).isCloseTo(1.6 / 3, within(1e-12));
    assertThat(acc.meanImageIou()).isCloseTo((0.75 + 0.5) / 2, within(1e-12));
    assertThat(acc.targetImages("sun")).isEqualTo(2);
    assertThat(acc.targetImages("car")).isZero();
    assertThat(acc.images()).isEqualTo(2);
    assertThat(acc.record(300))
        .containsExactly(
            Map.entry("step", 300L),
            Map.entry("miou", acc.meanIou()),
            Map.entry("mean_image_iou", acc.meanImageIou()),
            Map.entry("images", 2),
            Map.entry("per_category", acc.perCategory()));
  }

  @Test
  void unscoredCategoriesAreLeftOutAndEmptyImagesAreNaN() {
    IouAccumulator acc = new IouAccumulator(List.of("sun", "moon"));
    assertThat(acc.add(Map.of(), Map.of())).isNaN();
    assertThat(acc.meanIou()).isNaN();
    acc.add(Map.of("sun", mask("#.", "..")), Map.of("sun", mask("##", "..")));
    assertThat(acc.perCategory()).containsOnlyKeys("sun");
    assertThat(acc.unscored()).containsExactly("moon");
    assertThat(acc.meanIou()).isCloseTo(0.5, within(1e-12));
    assertThat(acc.meanImageIou()).isCloseTo(0.5, within(1e-12));
  }
}
