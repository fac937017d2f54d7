package dev.sketchreal.testing;

import dev.sketchreal.data.sketchworld.SketchWorldConfig;
import dev.sketchreal.data.sketchworld.SketchWorldWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Tiny SketchWorld folders for trainer and evaluation tests (64 px, a few samples). */
public final class TinySketchWorld {
  private TinySketchWorld() {}

  /** A complete folder with {@code count} samples (ids 0..count-1) at 64 px. */
  public static Path write(Path root, int count) {
    SketchWorldWriter.write(root, SketchWorldConfig.defaults().withSize(64), 7, count, 1, null);
    return root;
  }

  /**
   * A partial copy: only what a person has (raster sketches, captions, sketch-space masks), no
   * photos, synthetic sketches, scenes or splits.
   */
  public static Path partialCopy(Path full, Path root) {
    try {
      for (String dir : new String[] {"raster_sketches", "text"}) {
        copyTree(full.resolve(dir), root.resolve(dir));
      }
      Files.createDirectories(root.resolve("annotations"));
      Files.copy(
          full.resolve("annotations/sketch_instances.json"),
          root.resolve("annotations/sketch_instances.json"));
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
