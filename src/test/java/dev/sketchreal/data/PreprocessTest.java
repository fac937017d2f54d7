package dev.sketchreal.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class PreprocessTest {
  @Test
  void photoIsChwInMinusOneToOne() {
    BufferedImage img = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(255, 0, 128));
    g.fillRect(0, 0, 40, 20);
    g.dispose();
    float[] chw = Preprocess.photo(img, 8);
    assertThat(chw).hasSize(3 * 8 * 8);
    assertThat(chw[0]).isCloseTo(1f, within(1e-4f)); // R
    assertThat(chw[64]).isCloseTo(-1f, within(1e-4f)); // G
    assertThat(chw[128]).isCloseTo(128 / 255f * 2 - 1, within(1e-3f)); // B
  }

  @Test
  void polarityIsDetectedAndNormalised() {
    BufferedImage dark = drawing(Color.WHITE, Color.BLACK);
    BufferedImage light = drawing(Color.BLACK, Color.WHITE);
    assertThat(Polarity.detect(Polarity.luminance(dark))).isEqualTo(Polarity.DARK_ON_LIGHT);
    assertThat(Polarity.detect(Polarity.luminance(light))).isEqualTo(Polarity.LIGHT_ON_DARK);
    assertThat(Preprocess.sketch(dark, 16, 3)).containsExactly(Preprocess.sketch(light, 16, 3));
    float[] ink = Preprocess.sketch(dark, 32, 1);
    assertThat(ink[0]).isEqualTo(0f); // paper
    assertThat(ink[16 * 32 + 16]).isGreaterThan(0.5f); // on the stroke
  }

  @Test
  void downscalingKeepsThinStrokesVisible() {
    BufferedImage img = drawing(Color.WHITE, Color.BLACK);
    float[] small = Preprocess.sketch(img, 16, 1);
    float max = 0;
    for (float v : small) {
      max = Math.max(max, v);
    }
    assertThat(max).isGreaterThan(0.2f);
  }

  @Test
  void ndArraysHaveModelShapes() {
    try (NDManager m = NDManager.newBaseManager()) {
      BufferedImage img = drawing(Color.WHITE, Color.BLACK);
      NDArray p = Preprocess.photo(m, img, 16);
      NDArray s = Preprocess.sketch(m, img, 16, 1);
      assertThat(p.getShape().getShape()).containsExactly(3, 16, 16);
      assertThat(s.getShape().getShape()).containsExactly(1, 16, 16);
      assertThat(s.max().getFloat()).isLessThanOrEqualTo(1f);
    }
  }

  @Test
  void masksFollowTheCentreCrop() {
    Mask m = new Mask(40, 20);
    m.set(10, 0, true); // first column of the centred 20x20 square
    Mask out = Preprocess.mask(m, 20);
    assertThat(out.area()).isEqualTo(1);
    assertThat(out.get(0, 0)).isTrue();
  }

  // A 1-pixel cross through the centre of a 64x64 image.
  private static BufferedImage drawing(Color paper, Color ink) {
    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(paper);
    g.fillRect(0, 0, 64, 64);
    g.setColor(ink);
    g.drawLine(0, 32, 63, 32);
    g.drawLine(32, 0, 32, 63);
    g.dispose();
    return img;
  }
}
