package dev.sketchreal.data.sketchworld;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sketchreal.data.CategoryWords;
import dev.sketchreal.data.Mask;
import dev.sketchreal.data.Polarity;
import dev.sketchreal.data.sketchworld.SketchWorldGenerator.GeneratedSample;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SketchWorldGeneratorTest {
  private static final SketchWorldGenerator GEN =
      new SketchWorldGenerator(SketchWorldConfig.defaults().withSize(96));

  @Test
  void sameSeedAndIdGiveTheSameSample() {
    GeneratedSample a = GEN.generate(11, 42);
    GEN.generate(11, 7); // other work in between must not matter
    GeneratedSample b =
        new SketchWorldGenerator(SketchWorldConfig.defaults().withSize(96)).generate(11, 42);
    assertThat(pixels(a.photo())).isEqualTo(pixels(b.photo()));
    assertThat(pixels(a.handDrawnSketch())).isEqualTo(pixels(b.handDrawnSketch()));
    assertThat(pixels(a.syntheticSketch())).isEqualTo(pixels(b.syntheticSketch()));
    assertThat(a.strokes().points()).isDeepEqualTo(b.strokes().points());
    assertThat(a.caption()).isEqualTo(b.caption());
    assertThat(a.photoCategoryMasks()).isEqualTo(b.photoCategoryMasks());
    GeneratedSample other = GEN.generate(12, 42);
    assertThat(pixels(other.photo())).isNotEqualTo(pixels(a.photo()));
  }

  @Test
  void captionCategoriesAndPhotoMasksAgree() {
    for (long id = 0; id < 60; id++) {
      GeneratedSample s = GEN.generate(5, id);
      Map<String, Mask> masks = s.photoCategoryMasks();
      // Every category with a mask is named in the caption, and only those.
      assertThat(s.categoryWords().keySet())
          .as("caption %s", s.caption())
          .isEqualTo(masks.keySet());
      assertThat(CategoryWords.find(s.caption(), Category.words()).keySet())
          .as(s.caption())
          .isEqualTo(masks.keySet());
      masks.forEach((c, m) -> assertThat(m.isEmpty()).as("%s mask of %d", c, s.id()).isFalse());
      // The recorded words really occur as words of the caption.
      s.categoryWords()
          .forEach(
              (c, words) ->
                  words.forEach(
                      w ->
                          assertThat(s.caption())
                              .as("word %s", w)
                              .containsPattern("\\b" + w + "\\b")));
      // Sketch masks cover only categories that exist, and never omitted instances.
      assertThat(masks.keySet()).containsAll(s.sketchCategoryMasks().keySet());
      Set<Integer> drawn =
          s.sketchMasks().stream()
              .map(InstanceMask::instance)
              .collect(java.util.stream.Collectors.toSet());
      s.omitted().forEach(o -> assertThat(drawn).doesNotContain(o));
    }
  }

  @Test
  void syntheticSketchesAlignWithPhotoEdgesAndHandDrawnOnesDoNot() {
    double synthetic = 0;
    double hand = 0;
    int n = 30;
    for (long id = 0; id < n; id++) {
      GeneratedSample s = GEN.generate(9, id);
      Mask edges = boundaries(s.photoMasks()).dilate(1);
      synthetic += ink(s.syntheticSketch()).dilate(1).iou(edges);
      hand += ink(s.handDrawnSketch()).dilate(1).iou(edges);
    }
    synthetic /= n;
    hand /= n;
    System.out.printf(
        "mean IoU with photo edges: synthetic %.3f, hand-drawn %.3f%n", synthetic, hand);
    assertThat(synthetic).isGreaterThan(0.25);
    assertThat(hand).isLessThan(synthetic * 0.6);
  }

  @Test
  void handDrawnSketchIsDarkStrokesOnWhiteWithoutColour() {
    GeneratedSample s = GEN.generate(3, 3);
    float[] lum = Polarity.luminance(s.handDrawnSketch());
    assertThat(Polarity.detect(lum)).isEqualTo(Polarity.DARK_ON_LIGHT);
    assertThat(s.handDrawnSketch().getColorModel().getNumComponents()).isEqualTo(1);
    assertThat(s.strokes().strokes()).hasSizeGreaterThan(3);
  }

  // Union of the outlines of all instance masks: pixels inside whose 4-neighbour is outside.
  static Mask boundaries(List<InstanceMask> masks) {
    Mask first = masks.get(0).mask();
    Mask out = new Mask(first.width(), first.height());
    for (InstanceMask im : masks) {
      Mask m = im.mask();
      for (int y = 0; y < m.height(); y++) {
        for (int x = 0; x < m.width(); x++) {
          if (m.get(x, y)
              && (x == 0
                  || y == 0
                  || x == m.width() - 1
                  || y == m.height() - 1
                  || !m.get(x - 1, y)
                  || !m.get(x + 1, y)
                  || !m.get(x, y - 1)
                  || !m.get(x, y + 1))) {
            boolean border = x == 0 || y == 0 || x == m.width() - 1 || y == m.height() - 1;
            out.set(x, y, !border || out.get(x, y));
          }
        }
      }
    }
    return out;
  }

  static Mask ink(BufferedImage sketch) {
    float[] ink = Polarity.inkMap(sketch);
    boolean[] bits = new boolean[ink.length];
    for (int i = 0; i < ink.length; i++) {
      bits[i] = ink[i] > 0.3f;
    }
    return new Mask(sketch.getWidth(), sketch.getHeight(), bits);
  }

  static int[] pixels(BufferedImage img) {
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }
}
