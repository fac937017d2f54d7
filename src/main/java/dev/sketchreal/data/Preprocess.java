package dev.sketchreal.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;

/**
 * Turns images into model inputs. Non-square images are centre-cropped to a square first (the model
 * works on squares), then resized with {@link Resample}.
 *
 * <ul>
 *   <li>photos → (3, S, S) floats in [-1, 1] (the VAE's range), channel order RGB;
 *   <li>sketches → (C, S, S) floats in [0, 1], C = 1 or 3, with strokes = 1 and background = 0
 *       after polarity normalisation ({@link Polarity}), so black-on-white and white-on-black input
 *       give the same tensor;
 *   <li>masks → S × S binary masks (same crop, nearest-neighbour resize).
 * </ul>
 */
public final class Preprocess {
  private Preprocess() {}

  /** Photo → (3, size, size) CHW in [-1, 1]. */
  public static float[] photo(BufferedImage img, int size) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    int[] sq = Resample.centerSquare(w, h);
    float[] out = new float[3 * size * size];
    for (int c = 0; c < 3; c++) {
      int shift = 16 - 8 * c;
      float[] plane = new float[w * h];
      for (int i = 0; i < plane.length; i++) {
        plane[i] = ((argb[i] >> shift) & 0xff) / 255f;
      }
      float[] cropped = Resample.crop(plane, w, sq[0], sq[1], sq[2], sq[2]);
      float[] resized = Resample.resize(cropped, sq[2], sq[2], size, size);
      for (int i = 0; i < resized.length; i++) {
        out[c * size * size + i] = clamp01(resized[i]) * 2f - 1f;
      }
    }
    return out;
  }

  /** Sketch → (channels, size, size) CHW in [0, 1], strokes = 1; channels is 1 or 3. */
  public static float[] sketch(BufferedImage img, int size, int channels) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("sketch channels must be 1 or 3, got " + channels);
    }
    int w = img.getWidth();
    int h = img.getHeight();
    int[] sq = Resample.centerSquare(w, h);
    float[] ink = Resample.crop(Polarity.inkMap(img), w, sq[0], sq[1], sq[2], sq[2]);
    float[] plane = Resample.resize(ink, sq[2], sq[2], size, size);
    float[] out = new float[channels * plane.length];
    for (int c = 0; c < channels; c++) {
      for (int i = 0; i < plane.length; i++) {
        out[c * plane.length + i] = clamp01(plane[i]);
      }
    }
    return out;
  }

  /** Mask → size × size after the same centre crop as the image it belongs to. */
  public static Mask mask(Mask mask, int size) {
    int[] sq = Resample.centerSquare(mask.width(), mask.height());
    Mask cropped = new Mask(sq[2], sq[2]);
    for (int y = 0; y < sq[2]; y++) {
      for (int x = 0; x < sq[2]; x++) {
        cropped.set(x, y, mask.get(x + sq[0], y + sq[1]));
      }
    }
    return cropped.resize(size, size);
  }

  /** {@link #photo} as an NDArray (3, size, size) owned by {@code manager}. */
  public static NDArray photo(NDManager manager, BufferedImage img, int size) {
    return manager.create(photo(img, size), new Shape(3, size, size));
  }

  /** {@link #sketch} as an NDArray (channels, size, size) owned by {@code manager}. */
  public static NDArray sketch(NDManager manager, BufferedImage img, int size, int channels) {
    return manager.create(sketch(img, size, channels), new Shape(channels, size, size));
  }

  private static float clamp01(float v) {
    return v < 0 ? 0 : (v > 1 ? 1 : v);
  }
}
