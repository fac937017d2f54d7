package dev.sketchreal.data.coco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sketchreal.data.Mask;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RleTest {
  // Hand-made 3x4 example (h=3, w=4):
  //   0 1 1 0
  //   0 1 1 0
  //   0 0 1 1
  // Column-major: 000 110 111 001 -> runs 3 zeros, 2 ones, 1 zero, 3 ones, 2 zeros, 1 one.
  // Compressed: 3,2,1 as is; then deltas to the count two back: 3-2=1, 2-1=1, 1-3=-2.
  // -2: low 5 bits 30, sign bit set and the rest is -1, so one char 48+30 = 'N'.
  private static Mask handMade() {
    Mask m = new Mask(4, 3);
    int[][] ones = {{1, 0}, {2, 0}, {1, 1}, {2, 1}, {2, 2}, {3, 2}};
    for (int[] p : ones) {
      m.set(p[0], p[1], true);
    }
    return m;
  }

  @Test
  void encodesHandMadeExample() {
    Rle rle = Rle.encode(handMade());
    assertThat(rle.counts()).containsExactly(3, 2, 1, 3, 2, 1);
    assertThat(rle.toCompressedString()).isEqualTo("32111N");
    assertThat(rle.area()).isEqualTo(6);
    assertThat(rle.bbox()).containsExactly(1, 0, 3, 3);
  }

  @Test
  void decodesHandMadeCompressedString() {
    Rle rle = Rle.fromCompressedString("32111N", 3, 4);
    assertThat(rle.decode()).isEqualTo(handMade());
  }

  @Test
  void multiCharacterCounts() {
    // 40 = 0b01_01000: low group 8 with the "more" bit -> 'X', then 1 -> '1'.
    // 60 = 0b01_11100: low group 28 has bit 0x10 set, so "more" is needed to keep it positive ->
    // 'l1'.
    Rle rle = new Rle(10, 10, new long[] {40, 60});
    assertThat(rle.toCompressedString()).isEqualTo("X1l1");
    assertThat(Rle.fromCompressedString("X1l1", 10, 10).counts()).containsExactly(40, 60);
  }

  @Test
  void roundTripsRandomMasks() {
    SplittableRandom r = new SplittableRandom(3);
    for (int t = 0; t < 50; t++) {
      int w = 1 + r.nextInt(40);
      int h = 1 + r.nextInt(40);
      Mask m = new Mask(w, h);
      double p = r.nextDouble();
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          m.set(x, y, r.nextDouble() < p);
        }
      }
      Rle rle = Rle.encode(m);
      assertThat(rle.decode()).isEqualTo(m);
      Rle back = Rle.fromCompressedString(rle.toCompressedString(), h, w);
      assertThat(back).isEqualTo(rle);
      assertThat(back.area()).isEqualTo(m.area());
    }
  }

  @Test
  void rejectsCountsThatDoNotFitTheSize() {
    assertThatThrownBy(() -> new Rle(3, 4, new long[] {3, 2}).decode())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sum to 5");
  }

  @Test
  void polygonCoversPixelCentres() {
    // Square from (1,1) to (3,3): pixel centres 1.5 and 2.5 inside in both axes.
    Mask m = Polygons.rasterize(List.of(new double[] {1, 1, 3, 1, 3, 3, 1, 3}), 5, 5);
    assertThat(m.area()).isEqualTo(4);
    assertThat(m.get(1, 1)).isTrue();
    assertThat(m.get(2, 2)).isTrue();
    assertThat(m.get(3, 3)).isFalse();
  }
}
