package dev.sketchreal.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FrechetTest {
  @Test
  void oneDimensionByHand() {
    // X = {0, 2}: mean 1, var 2; Y = {1, 5}: mean 3, var 8.
    // d² = (1-3)² + 2 + 8 - 2·sqrt(2·8) = 4 + 10 - 8 = 6
    double d = Frechet.distance(new double[][] {{0}, {2}}, new double[][] {{1}, {5}});
    assertThat(d).isCloseTo(6.0, within(1e-9));
  }

  @Test
  void twoDimensionsByHandAndRotationInvariant() {
    // X: covariance diag(4/3, 16/3), mean (1, 2); Y: diag(12, 4/3), mean (4, 2).
    // d² = 9 + (sqrt(4/3) - sqrt(12))² + (sqrt(16/3) - sqrt(4/3))² = 9 + 16/3 + 4/3 = 47/3
    double[][] x = {{0, 0}, {2, 0}, {0, 4}, {2, 4}};
    double[][] y = {{1, 1}, {7, 1}, {1, 3}, {7, 3}};
    assertThat(Frechet.distance(x, y)).isCloseTo(47.0 / 3, within(1e-9));
    // the same rotation of both sets makes the covariances non-diagonal but keeps the distance
    double c = Math.cos(0.7);
    double s = Math.sin(0.7);
    assertThat(Frechet.distance(rotate(x, c, s), rotate(y, c, s)))
        .isCloseTo(47.0 / 3, within(1e-9));
  }

  @Test
  void identicalSetsAreAtDistanceZero() {
    SplittableRandom r = new SplittableRandom(3);
    double[][] x = new double[50][6];
    for (double[] row : x) {
      for (int j = 0; j < row.length; j++) {
        row[j] = r.nextDouble() * (j + 1) + (j == 2 ? row[0] : 0);
      }
    }
    assertThat(Frechet.distance(x, x)).isCloseTo(0.0, within(1e-7));
    double[][] shifted = new double[50][];
    for (int i = 0; i < 50; i++) {
      shifted[i] = x[i].clone();
      shifted[i][0] += 0.5;
    }
    // a pure mean shift adds |Δμ|² only
    assertThat(Frechet.distance(x, shifted)).isCloseTo(0.25, within(1e-7));
  }

  private static double[][] rotate(double[][] p, double c, double s) {
    double[][] out = new double[p.length][];
    for (int i = 0; i < p.length; i++) {
      out[i] = new double[] {c * p[i][0] - s * p[i][1], s * p[i][0] + c * p[i][1]};
    }
    return out;
  }
}
