package dev.sketchreal.data.coco;

import dev.sketchreal.data.Mask;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * COCO run-length encoding of a binary mask.
 *
 * <p>Pixels are visited in column-major (Fortran) order, i.e. down each column, left to right;
 * {@code counts} alternates runs of 0s and 1s and always starts with a run of 0s (possibly of
 * length 0). The counts must sum to {@code height * width}.
 *
 * <p>The compressed string form (pycocotools' {@code rleToString}): each count is stored as the
 * difference to the count two places before it (for index > 2), then written as little-endian
 * groups of 5 bits, each group a character {@code 48 + bits}, bit 0x20 meaning "more groups follow"
 * and bit 0x10 of the last group being the sign.
 */
public record Rle(int height, int width, long[] counts) {

  public Rle {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("RLE size must be positive: " + height + "x" + width);
    }
  }

  /** Encodes a mask (any orientation of storage; the RLE is column-major). */
  public static Rle encode(Mask mask) {
    int h = mask.height();
    int w = mask.width();
    List<Long> counts = new ArrayList<>();
    boolean current = false;
    long run = 0;
    for (int x = 0; x < w; x++) {
      for (int y = 0; y < h; y++) {
        boolean v = mask.get(x, y);
        if (v != current) {
          counts.add(run);
          run = 0;
          current = v;
        }
        run++;
      }
    }
    counts.add(run);
    return new Rle(h, w, counts.stream().mapToLong(Long::longValue).toArray());
  }

  /** Checks counts: non-negative and summing to height*width; throws with the reason. */
  public void validate() {
    long sum = 0;
    for (long c : counts) {
      if (c < 0) {
        throw new IllegalArgumentException("negative RLE count " + c);
      }
      sum += c;
    }
    if (sum != (long) height * width) {
      throw new IllegalArgumentException(
          "RLE counts sum to "
              + sum
              + " but the mask size "
              + height
              + "x"
              + width
              + " has "
              + (long) height * width
              + " pixels");
    }
  }

  /** Decodes to a mask; throws IllegalArgumentException if the counts do not fit the size. */
  public Mask decode() {
    validate();
    Mask mask = new Mask(width, height);
    long pos = 0;
    boolean value = false;
    for (long c : counts) {
      if (value) {
        for (long p = pos; p < pos + c; p++) {
          mask.set((int) (p / height), (int) (p % height), true);
        }
      }
      pos += c;
      value = !value;
    }
    return mask;
  }

  /** Foreground pixel count (sum of the odd-indexed runs). */
  public long area() {
    long a = 0;
    for (int i = 1; i < counts.length; i += 2) {
      a += counts[i];
    }
    return a;
  }

  /** Bounding box {x, y, w, h} of the foreground (all zeros when empty), COCO's bbox order. */
  public double[] bbox() {
    long pos = 0;
    int x0 = Integer.MAX_VALUE;
    int y0 = Integer.MAX_VALUE;
    int x1 = -1;
    int y1 = -1;
    for (int i = 0; i < counts.length; i++) {
      if (i % 2 == 1 && counts[i] > 0) {
        long first = pos;
        long last = pos + counts[i] - 1;
        int cx0 = (int) (first / height);
        int cx1 = (int) (last / height);
        x0 = Math.min(x0, cx0);
        x1 = Math.max(x1, cx1);
        // A run that spans a column boundary covers the whole column height.
        y0 = Math.min(y0, cx0 == cx1 ? (int) (first % height) : 0);
        y1 = Math.max(y1, cx0 == cx1 ? (int) (last % height) : height - 1);
      }
      pos += counts[i];
    }
    return x1 < 0 ? new double[4] : new double[] {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
  }

  /** COCO's compressed string form of {@link #counts}. */
  public String toCompressedString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < counts.length; i++) {
      long x = counts[i];
      if (i > 2) {
        x -= counts[i - 2];
      }
      boolean more = true;
      while (more) {
        long c = x & 0x1f;
        x >>= 5; // arithmetic shift keeps the sign
        more = (c & 0x10) != 0 ? x != -1 : x != 0;
        if (more) {
          c |= 0x20;
        }
        sb.append((char) (c + 48));
      }
    }
    return sb.toString();
  }

  /** Parses COCO's compressed string form; throws IllegalArgumentException on bad characters. */
  public static Rle fromCompressedString(String s, int height, int width) {
    long[] counts = new long[s.length()];
    int m = 0;
    int p = 0;
    while (p < s.length()) {
      long x = 0;
      int k = 0;
      boolean more = true;
      while (more) {
        if (p >= s.length()) {
          throw new IllegalArgumentException("truncated compressed RLE string");
        }
        int c = s.charAt(p) - 48;
        if (c < 0 || c > 63) {
          throw new IllegalArgumentException(
              "bad character '" + s.charAt(p) + "' in compressed RLE");
        }
        x |= (long) (c & 0x1f) << (5 * k);
        more = (c & 0x20) != 0;
        p++;
        k++;
        if (!more && (c & 0x10) != 0) {
          x |= -1L << (5 * k); // sign-extend
        }
      }
      if (m > 2) {
        x += counts[m - 2];
      }
      counts[m++] = x;
    }
    return new Rle(height, width, Arrays.copyOf(counts, m));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Rle r
        && r.height == height
        && r.width == width
        && Arrays.equals(r.counts, counts);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * height + width) + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    return "Rle[" + height + "x" + width + ", " + Arrays.toString(counts) + "]";
  }
}
