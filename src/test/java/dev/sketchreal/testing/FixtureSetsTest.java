package dev.sketchreal.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FixtureSetsTest {

  @Test
  void noFixturesFailsWithInstructions(@TempDir Path empty) {
    assertThatThrownBy(() -> FixtureSets.discover(List.of(empty.resolve("missing"), empty)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("-Dfixtures.dir=")
        .hasMessageContaining("../shared/fixtures");
  }

  @Test
  void findsSetsUnderARootAndARootThatIsASet(@TempDir Path dir) throws IOException {
    Path a = Files.createDirectories(dir.resolve("root/set-a"));
    Files.writeString(a.resolve("manifest.json"), "{\"set\": \"a\"}");
    Files.createDirectories(dir.resolve("root/not-a-set"));
    Path b = Files.createDirectories(dir.resolve("set-b"));
    Files.writeString(b.resolve("manifest.json"), "{}");
    List<FixtureSets.FixtureSet> sets =
        FixtureSets.discover(List.of(dir.resolve("root"), b, dir.resolve("root")));
    assertThat(sets).extracting(FixtureSets.FixtureSet::name).containsExactly("a", "set-b");
  }

  @Test
  void toleranceComparisonReportsTheWorstElement() {
    FixtureSets.Tolerance tol = new FixtureSets.Tolerance(1e-5, 1e-5, false);
    FixtureSets.assertClose("ok", new float[] {1f, 2f}, new float[] {1.000001f, 2f}, tol);
    assertThatThrownBy(
            () -> FixtureSets.assertClose("t", new float[] {1f, 2.5f}, new float[] {1f, 2f}, tol))
        .hasMessageContaining("max |diff| 0.5")
        .hasMessageContaining("flat index 1");
    assertThatThrownBy(
            () -> FixtureSets.assertClose("nan", new float[] {Float.NaN}, new float[] {1f}, tol))
        .hasMessageContaining("nan");
    assertThatThrownBy(() -> FixtureSets.assertExact("ids", new long[] {1, 2}, new long[] {1, 3}))
        .hasMessageContaining("flat index 1");
  }

  @Test
  void theDefaultSetsAreFound() {
    assertThat(FixtureSets.all()).isNotEmpty();
    for (FixtureSets.FixtureSet set : FixtureSets.all()) {
      assertThat(set.manifest().path("tensors").isArray()).isTrue();
    }
  }
}
