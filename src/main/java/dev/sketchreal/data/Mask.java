package dev.sketchreal.data;

import java.util.Arrays;

/**
 * A binary mask of {@code width × height} pixels, stored row-major ({@code bits[y * width + x]}).
 * Mutable only through {@link #set}; the set operations return new masks.
 */
public final class Mask {
  private final int width;
  private final int height;
  private final boolean[] bits;

  public Mask(int width, int height) {
    this(width, height, new boolean[checkedArea(width, height)]);
  }

  /** Wraps {@code bits} (row-major, length width*height) without copying. */
  public Mask(int width, int height, boolean[] bits) {
    if (bits.length != checkedArea(width, height)) {
      throw new IllegalArgumentException(
          "mask of "
              + width
              + "x"
              + height
              + " needs "
              + width * height
              + " bits, got "
              + bits.length);
    }
    this.width = width;
    this.height = height;
    this.bits = bits;
  }

  private static int checkedArea(int width, int height) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("mask size must be positive: " + width + "x" + height);
    }
    return Math.multiplyExact(width, height);
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  public boolean get(int x, int y) {
    return bits[y * width + x];
  }

  public void set(int x, int y, boolean value) {
    bits[y * width + x] = value;
  }

  /** Row-major bit at flat index {@code y * width + x}. */
  public boolean get(int index) {
    return bits[index];
  }

  /** A copy of the row-major bits. */
  public boolean[] toArray() {
    return bits.clone();
  }

  public int area() {
    int n = 0;
    for (boolean b : bits) {
      if (b) {
        n++;
      }
    }
    return n;
  }

  public boolean isEmpty() {
    for (boolean b : bits) {
      if (b) {
        return false;
      }
    }
    return true;
  }

  public Mask or(Mask other) {
    requireSameSize(other);
    boolean[] out = new boolean[bits.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = bits[i] || other.bits[i];
    }
    return new Mask(width, height, out);
  }

  public Mask and(Mask other) {
    requireSameSize(other);
    boolean[] out = new boolean[bits.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = bits[i] && other.bits[i];
    }
    return new Mask(width, height, out);
  }

  public Mask andNot(Mask other) {
    requireSameSize(other);
    boolean[] out = new boolean[bits.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = bits[i] && !other.bits[i];
    }
    return new Mask(width, height, out);
  }

  /** Intersection over union; 0 when both masks are empty. */
  public double iou(Mask other) {
    requireSameSize(other);
    int inter = 0;
    int union = 0;
    for (int i = 0; i < bits.length; i++) {
      if (bits[i] && other.bits[i]) {
        inter++;
      }
      if (bits[i] || other.bits[i]) {
        union++;
      }
    }
    return union == 0 ? 0 : (double) inter / union;
  }

  /** Morphological dilation with a square of side {@code 2 * radius + 1}. */
  public Mask dilate(int radius) {
    boolean[] rows = new boolean[bits.length];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        boolean any = false;
        for (int dx = Math.max(0, x - radius);
            dx <= Math.min(width - 1, x + radius) && !any;
            dx++) {
          any = bits[y * width + dx];
        }
        rows[y * width + x] = any;
      }
    }
    boolean[] out = new boolean[bits.length];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        boolean any = false;
        for (int dy = Math.max(0, y - radius);
            dy <= Math.min(height - 1, y + radius) && !any;
            dy++) {
          any = rows[dy * width + x];
        }
        out[y * width + x] = any;
      }
    }
    return new Mask(width, height, out);
  }

  /** Nearest-neighbour resize (pixel centres), used for masks so they stay binary. */
  public Mask resize(int newWidth, int newHeight) {
    Mask out = new Mask(newWidth, newHeight);
    for (int y = 0; y < newHeight; y++) {
      int sy = Math.min(height - 1, (int) ((y + 0.5) * height / newHeight));
      for (int x = 0; x < newWidth; x++) {
        int sx = Math.min(width - 1, (int) ((x + 0.5) * width / newWidth));
        out.bits[y * newWidth + x] = bits[sy * width + sx];
      }
    }
    return out;
  }

  private void requireSameSize(Mask other) {
    if (other.width != width || other.height != height) {
      throw new IllegalArgumentException(
          "mask sizes differ: " + width + "x" + height + " vs " + other.width + "x" + other.height);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Mask m
        && m.width == width
        && m.height == height
        && Arrays.equals(m.bits, bits);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(bits);
  }

  @Override
  public String toString() {
    return "Mask[" + width + "x" + height + ", area=" + area() + "]";
  }
}
