package dev.sketchreal.io;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes RGB PNGs with text chunks (see {@link PngMetadata} for the generation parameters). The
 * pixels are encoded by ImageIO; the text chunks are written by {@link PngChunks} and placed right
 * after IHDR, so readers that stop at the image data still see them.
 *
 * <p>The bytes are deterministic: the same pixels and text give the same file (ImageIO writes no
 * time chunk, and the text chunks are sorted by keyword whatever the map's order).
 */
public final class PngWriter {
  private PngWriter() {}

  /**
   * Writes {@code image} (converted to RGB; transparency is flattened onto white) with {@code text}
   * chunks to {@code path}, atomically. ASCII values are written as tEXt, others and the {@link
   * PngMetadata#JSON_KEY} chunk as UTF-8 iTXt.
   */
  public static void write(Path path, BufferedImage image, Map<String, String> text)
      throws IOException {
    AtomicFiles.write(path, encode(image, text));
  }

  /** Writes a {@code [3, height, width]} float image with values in [0, 1] (clamped). */
  public static void write(Path path, float[] chw, int height, int width, Map<String, String> text)
      throws IOException {
    write(path, toImage(chw, height, width), text);
  }

  /**
   * A {@code [3, H, W]} channel-first float array in [0, 1] as an RGB image. Values are clamped and
   * rounded half to even, as diffusers' {@code (x * 255).round()}; NaN becomes 0.
   */
  public static BufferedImage toImage(float[] chw, int height, int width) {
    if (height <= 0 || width <= 0 || chw.length != 3L * height * width) {
      throw new IllegalArgumentException(
          "expected 3 x " + height + " x " + width + " values, got " + chw.length);
    }
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int plane = height * width;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        int rgb =
            (toByte(chw[i]) << 16) | (toByte(chw[plane + i]) << 8) | toByte(chw[2 * plane + i]);
        image.setRGB(x, y, rgb);
      }
    }
    return image;
  }

  /** The complete PNG file as bytes. */
  public static byte[] encode(BufferedImage image, Map<String, String> text) throws IOException {
    byte[] png = encodePixels(toRgb(image));
    var chunks = PngChunks.split(Path.of("<encoded image>"), png);
    int afterHeader = chunks.get(0).end(); // IHDR is always first
    ByteArrayOutputStream out = new ByteArrayOutputStream(png.length + 1024);
    out.write(png, 0, afterHeader);
    for (Map.Entry<String, String> e : new TreeMap<>(text).entrySet()) {
      out.writeBytes(textChunk(e.getKey(), e.getValue()));
    }
    out.write(png, afterHeader, png.length - afterHeader);
    return out.toByteArray();
  }

  private static byte[] textChunk(String key, String value) {
    PngChunks.checkKeyword(key);
    boolean ascii = StandardCharsets.US_ASCII.newEncoder().canEncode(value) && value.indexOf(0) < 0;
    return ascii && !key.equals(PngMetadata.JSON_KEY)
        ? PngChunks.text(key, value)
        : PngChunks.internationalText(key, value);
  }

  private static byte[] encodePixels(BufferedImage rgb) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // A memory cache: ImageIO's default may create a temporary file per image.
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(stream);
      writer.write(rgb);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** 8-bit RGB without alpha; anything else is drawn onto a white canvas. */
  static BufferedImage toRgb(BufferedImage image) {
    if (image.getType() == BufferedImage.TYPE_INT_RGB
        || image.getType() == BufferedImage.TYPE_3BYTE_BGR) {
      return image;
    }
    BufferedImage rgb =
        new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = rgb.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      g.drawImage(image, 0, 0, null);
    } finally {
      g.dispose();
    }
    return rgb;
  }

  private static int toByte(float v) {
    if (!(v > 0)) {
      return 0; // also NaN
    }
    return v >= 1 ? 255 : (int) Math.rint(v * 255.0);
  }
}
