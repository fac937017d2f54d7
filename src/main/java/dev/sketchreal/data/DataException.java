package dev.sketchreal.data;

import java.nio.file.Path;

/**
 * Bad or missing data. The message always names the file (or the dataset root) so the user can find
 * and fix it: "corrupt image: /data/fscoco/raster_sketches/3/1234.jpg".
 */
public class DataException extends RuntimeException {
  private final transient Path file;

  public DataException(Path file, String problem) {
    super(problem + ": " + file);
    this.file = file;
  }

  public DataException(Path file, String problem, Throwable cause) {
    super(
        problem + ": " + file + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")"),
        cause);
    this.file = file;
  }

  /** The file the problem is about. */
  public Path file() {
    return file;
  }
}
