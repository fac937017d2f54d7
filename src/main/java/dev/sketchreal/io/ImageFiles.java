package dev.sketchreal.io;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads input images (sketches, reference photos) with clear errors. The size is checked from the
 * image header before any pixel is decoded, so a small file claiming 100000 x 100000 pixels (a
 * decompression bomb) is refused without allocating its pixels.
 */
public final class ImageFiles {
  private ImageFiles() {}

  /** Largest accepted image: per side and in total. */
  public record Limits(int maxWidth, int maxHeight, long maxPixels) {
    /** 8192 x 8192 and 64 megapixels. */
    public static final Limits DEFAULT = new Limits(8192, 8192, 64L * 1024 * 1024);

    public Limits {
      if (maxWidth <= 0 || maxHeight <= 0 || maxPixels <= 0) {
        throw new IllegalArgumentException("image limits must be positive");
      }
    }
  }

  /** Reads an image within {@link Limits#DEFAULT}. */
  public static BufferedImage read(Path path) throws IOException {
    return read(path, Limits.DEFAULT);
  }

  /**
   * Reads the first image of {@code path} (PNG, JPEG, BMP, GIF, WBMP: whatever ImageIO decodes).
   *
   * @throws NoSuchFileException if the file does not exist
   * @throws FormatException if the format is unknown, the file is corrupt, or the image exceeds
   *     {@code limits}; the message names the file (and the size)
   */
  public static BufferedImage read(Path path, Limits limits) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toString(), null, "image file not found");
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
      if (in == null) {
        throw new FormatException(path + ": cannot open image");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new FormatException(
            path + ": not a readable image (unknown format; PNG, JPEG, BMP and GIF are supported)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true); // seek forward only, ignore metadata
        checkSize(path, reader.getWidth(0), reader.getHeight(0), limits);
        BufferedImage image = reader.read(0);
        if (image == null) {
          throw new FormatException(path + ": image could not be decoded");
        }
        return image;
      } catch (FormatException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        // ImageIO reports truncated or corrupt data with IIOException, IndexOutOfBounds... alike.
        throw new FormatException(
            path
                + ": corrupt or unreadable "
                + reader.getFormatName()
                + " image: "
                + e.getMessage(),
            e);
      } finally {
        reader.dispose();
      }
    }
  }

  private static void checkSize(Path path, int width, int height, Limits limits)
      throws FormatException {
    long pixels = (long) width * height;
    if (width <= 0 || height <= 0) {
      throw new FormatException(path + ": image has an invalid size " + width + "x" + height);
    }
    if (width > limits.maxWidth() || height > limits.maxHeight() || pixels > limits.maxPixels()) {
      throw new FormatException(
          path
              + ": image is "
              + width
              + "x"
              + height
              + " ("
              + pixels
              + " pixels), larger than the limit of "
              + limits.maxWidth()
              + "x"
              + limits.maxHeight()
              + " / "
              + limits.maxPixels()
              + " pixels");
    }
  }
}
