package dev.sketchreal.eval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BaselineComparisonTest {
  @Test
  void ratioIsNullWhenASideIsMissingOrTheDenominatorIsZero() {
    assertThat(BaselineComparison.ratio(0.3, 0.2)).isEqualTo(0.3 / 0.2);
    assertThat(BaselineComparison.ratio(0.0, 0.2)).isEqualTo(0.0);
    assertThat(BaselineComparison.ratio(null, 0.2)).isNull();
    assertThat(BaselineComparison.ratio(0.3, null)).isNull();
    assertThat(BaselineComparison.ratio(0.3, 0.0)).isNull();
    assertThat(BaselineComparison.ratio(Double.NaN, 0.2)).isNull();
  }
}
