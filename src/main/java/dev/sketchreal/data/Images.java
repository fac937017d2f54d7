package dev.sketchreal.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/** Image and text file I/O with errors that name the file, and atomic writes. */
public final class Images {
  private Images() {}

  /** Reads a PNG/JPEG; a missing or undecodable file is a {@link DataException} naming it. */
  public static BufferedImage read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DataException(file, "image file missing");
    }
    try {
      BufferedImage img = ImageIO.read(file.toFile());
      if (img == null) {
        throw new DataException(file, "corrupt or unsupported image");
      }
      return img;
    } catch (IOException | RuntimeException e) {
      if (e instanceof DataException de) {
        throw de;
      }
      throw new DataException(file, "corrupt image", e);
    }
  }

  /** Reads a UTF-8 text file, trimmed; missing is a {@link DataException} naming it. */
  public static String readText(Path file, String what) {
    try {
      return Files.readString(file).trim();
    } catch (NoSuchFileException e) {
      throw new DataException(file, what + " missing");
    } catch (IOException e) {
      throw new DataException(file, "cannot read " + what, e);
    }
  }

  /** Writes a PNG via a temp file in the same folder and an atomic rename. */
  public static void writePng(BufferedImage img, Path file) {
    writeAtomically(
        file,
        tmp -> {
          if (!ImageIO.write(img, "png", tmp.toFile())) {
            throw new IOException("no PNG writer");
          }
        });
  }

  /** Writes text (UTF-8) atomically. */
  public static void writeText(Path file, String text) {
    writeAtomically(file, tmp -> Files.writeString(tmp, text));
  }

  /** What writes the temp file. */
  @FunctionalInterface
  public interface FileWriter {
    void write(Path tmp) throws IOException;
  }

  /** Creates parent folders, lets {@code writer} fill a temp file, then renames it into place. */
  public static void writeAtomically(Path file, FileWriter writer) {
    Path parent = file.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(parent);
      tmp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
      writer.write(tmp);
      makeReadable(tmp);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: the temp file is hidden and ends in .tmp
        }
      }
    }
  }

  // createTempFile makes owner-only files; datasets are meant to be shared (rw-r--r--).
  private static void makeReadable(Path tmp) throws IOException {
    if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(
          tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }
  }
}
