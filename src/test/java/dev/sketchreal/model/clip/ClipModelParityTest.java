package dev.sketchreal.model.clip;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every CLIP case group of every fixture set (see {@link ClipFixtureCases}). */
class ClipModelParityTest {
  @TestFactory
  Stream<DynamicTest> textEncoder() {
    return perSet("text", ClipFixtureCases::checkText);
  }

  @TestFactory
  Stream<DynamicTest> imageEncoder() {
    return perSet("vision", ClipFixtureCases::checkVision);
  }

  @TestFactory
  Stream<DynamicTest> clipModel() {
    return perSet("clip", ClipFixtureCases::checkClip);
  }

  @TestFactory
  Stream<DynamicTest> towersFromClipModelLayout() {
    return perSet("towers from clip/", ClipFixtureCases::checkTowersFromClipLayout);
  }

  private static Stream<DynamicTest> perSet(String group, SetCheck check) {
    List<Path> sets = ClipFixtureCases.fixtureSets();
    if (sets.isEmpty()) {
      return Stream.of(
          DynamicTest.dynamicTest(
              group + ": no fixture sets", () -> Assumptions.abort("no fixture sets found")));
    }
    return sets.stream()
        .map(
            set ->
                DynamicTest.dynamicTest(group + " @ " + set.getFileName(), () -> check.run(set)));
  }

  @FunctionalInterface
  private interface SetCheck {
    void run(Path set) throws Exception;
  }
}
