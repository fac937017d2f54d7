package dev.sketchreal.io;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the shared fixture set used by the io tests: {@code -Dfixtures.dir=...} if given, else
 * {@code ../shared/fixtures} next to the checkout. Tests are skipped (not failed) without it.
 */
final class Fixtures {
  private Fixtures() {}

  static Path sd2Tiny() {
    String configured = System.getProperty("fixtures.dir", "");
    Path root = configured.isBlank() ? Path.of("..", "shared", "fixtures") : Path.of(configured);
    Path dir = root.resolve("sd2-tiny").toAbsolutePath().normalize();
    Assumptions.assumeTrue(Files.isDirectory(dir), "fixture set not found: " + dir);
    return dir;
  }
}
