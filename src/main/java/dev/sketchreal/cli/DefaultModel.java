package dev.sketchreal.cli;

import java.nio.file.Path;

/** The shipped default model, found relative to the installation (the launcher sets the home). */
final class DefaultModel {
  static final String NAME = "sketchworld-mini";

  private DefaultModel() {}

  static Path path() {
    String home = System.getProperty("sketchreal.home", ".");
    return Path.of(home).resolve("models").resolve(NAME);
  }
}
