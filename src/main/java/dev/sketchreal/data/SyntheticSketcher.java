package dev.sketchreal.data;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.awt.image.BufferedImage;
import java.util.ArrayDeque;

/**
 * Photo → pixel-aligned line drawing, the analogue of the paper's photo-to-sketch step (Su et al.
 * 2023): Gaussian blur, colour Sobel gradients, non-maximum suppression, hysteresis thresholds
 * (Canny), then Zhang–Suen thinning to one-pixel lines. Output: black lines on white.
 */
public final class SyntheticSketcher {

  /**
   * @param blurSigma Gaussian blur before the gradient, in pixels
   * @param lowThreshold weak-edge gradient (per-channel contrast in [0,1] per pixel)
   * @param highThreshold strong-edge gradient; weak edges survive only when linked to strong ones
   */
  public record Params(
      @JsonProperty("blur_sigma") double blurSigma,
      @JsonProperty("low_threshold") double lowThreshold,
      @JsonProperty("high_threshold") double highThreshold) {
    public Params {
      if (blurSigma < 0 || blurSigma > 10) {
        throw new IllegalArgumentException("blur_sigma must be in [0, 10], got " + blurSigma);
      }
      if (lowThreshold <= 0 || highThreshold < lowThreshold || highThreshold > 1) {
        throw new IllegalArgumentException(
            "need 0 < low_threshold <= high_threshold <= 1, got "
                + lowThreshold
                + ", "
                + highThreshold);
      }
    }

    public static Params defaults() {
      return new Params(1.0, 0.035, 0.08);
    }
  }

  private SyntheticSketcher() {}

  /** The line drawing as a grey image, black (0) lines on white (255). */
  public static BufferedImage sketch(BufferedImage photo, Params params) {
    int w = photo.getWidth();
    int h = photo.getHeight();
    boolean[] edges = edges(photo, params);
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    byte[] px = ((java.awt.image.DataBufferByte) out.getRaster().getDataBuffer()).getData();
    for (int i = 0; i < edges.length; i++) {
      px[i] = edges[i] ? 0 : (byte) 255;
    }
    return out;
  }

  /** Thinned edge map, row-major H*W. */
  public static boolean[] edges(BufferedImage photo, Params params) {
    int w = photo.getWidth();
    int h = photo.getHeight();
    int[] argb = photo.getRGB(0, 0, w, h, null, 0, w);
    float[] mag = new float[w * h];
    byte[] dir = new byte[w * h];
    for (int c = 0; c < 3; c++) {
      float[] plane = new float[w * h];
      int shift = 16 - 8 * c;
      for (int i = 0; i < plane.length; i++) {
        plane[i] = ((argb[i] >> shift) & 0xff) / 255f;
      }
      accumulateGradient(blur(plane, w, h, params.blurSigma()), w, h, mag, dir);
    }
    boolean[] strong = new boolean[w * h];
    boolean[] weak = new boolean[w * h];
    suppress(mag, dir, w, h, params, strong, weak);
    boolean[] edges = hysteresis(strong, weak, w, h);
    thin(edges, w, h);
    return edges;
  }

  // Separable Gaussian, edges clamped.
  private static float[] blur(float[] src, int w, int h, double sigma) {
    if (sigma <= 0) {
      return src;
    }
    int r = (int) Math.ceil(2.5 * sigma);
    float[] k = new float[2 * r + 1];
    float sum = 0;
    for (int i = -r; i <= r; i++) {
      k[i + r] = (float) Math.exp(-i * i / (2 * sigma * sigma));
      sum += k[i + r];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    float[] tmp = new float[src.length];
    float[] out = new float[src.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float acc = 0;
        for (int i = -r; i <= r; i++) {
          acc += k[i + r] * src[y * w + Math.min(w - 1, Math.max(0, x + i))];
        }
        tmp[y * w + x] = acc;
      }
    }
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float acc = 0;
        for (int i = -r; i <= r; i++) {
          acc += k[i + r] * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x];
        }
        out[y * w + x] = acc;
      }
    }
    return out;
  }

  // Sobel /4 (a sharp step of contrast d gives ≈ d); keeps the strongest channel per pixel and
  // its direction quantised to 0: horizontal gradient, 1: 45°, 2: vertical, 3: 135°.
  private static void accumulateGradient(float[] p, int w, int h, float[] mag, byte[] dir) {
    for (int y = 1; y < h - 1; y++) {
      for (int x = 1; x < w - 1; x++) {
        int i = y * w + x;
        float gx =
            (p[i - w + 1]
                    + 2 * p[i + 1]
                    + p[i + w + 1]
                    - p[i - w - 1]
                    - 2 * p[i - 1]
                    - p[i + w - 1])
                / 4f;
        float gy =
            (p[i + w - 1]
                    + 2 * p[i + w]
                    + p[i + w + 1]
                    - p[i - w - 1]
                    - 2 * p[i - w]
                    - p[i - w + 1])
                / 4f;
        float m = (float) Math.sqrt(gx * gx + gy * gy);
        if (m > mag[i]) {
          mag[i] = m;
          double angle = Math.toDegrees(Math.atan2(gy, gx));
          if (angle < 0) {
            angle += 180;
          }
          dir[i] = (byte) (((int) Math.round(angle / 45.0)) % 4);
        }
      }
    }
  }

  private static void suppress(
      float[] mag, byte[] dir, int w, int h, Params params, boolean[] strong, boolean[] weak) {
    int[][] step = {{1, 0}, {1, 1}, {0, 1}, {-1, 1}};
    for (int y = 1; y < h - 1; y++) {
      for (int x = 1; x < w - 1; x++) {
        int i = y * w + x;
        float m = mag[i];
        if (m < params.lowThreshold()) {
          continue;
        }
        int[] s = step[dir[i]];
        float a = mag[(y + s[1]) * w + x + s[0]];
        float b = mag[(y - s[1]) * w + x - s[0]];
        if (m >= a && m > b) {
          if (m >= params.highThreshold()) {
            strong[i] = true;
          } else {
            weak[i] = true;
          }
        }
      }
    }
  }

  private static boolean[] hysteresis(boolean[] strong, boolean[] weak, int w, int h) {
    boolean[] out = strong.clone();
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int i = 0; i < strong.length; i++) {
      if (strong[i]) {
        queue.add(i);
      }
    }
    while (!queue.isEmpty()) {
      int i = queue.poll();
      int x = i % w;
      int y = i / w;
      for (int dy = -1; dy <= 1; dy++) {
        for (int dx = -1; dx <= 1; dx++) {
          int nx = x + dx;
          int ny = y + dy;
          if (nx >= 0 && ny >= 0 && nx < w && ny < h) {
            int j = ny * w + nx;
            if (weak[j] && !out[j]) {
              out[j] = true;
              queue.add(j);
            }
          }
        }
      }
    }
    return out;
  }

  /** Zhang–Suen thinning in place: removes border pixels until lines are one pixel wide. */
  static void thin(boolean[] img, int w, int h) {
    boolean changed = true;
    java.util.List<Integer> remove = new java.util.ArrayList<>();
    while (changed) {
      changed = false;
      for (int pass = 0; pass < 2; pass++) {
        remove.clear();
        for (int y = 1; y < h - 1; y++) {
          for (int x = 1; x < w - 1; x++) {
            if (img[y * w + x] && removable(img, w, x, y, pass)) {
              remove.add(y * w + x);
            }
          }
        }
        for (int i : remove) {
          img[i] = false;
        }
        changed |= !remove.isEmpty();
      }
    }
  }

  // Neighbours P2..P9 clockwise from north.
  private static boolean removable(boolean[] img, int w, int x, int y, int pass) {
    int[] n = new int[8];
    int[][] off = {{0, -1}, {1, -1}, {1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}};
    int count = 0;
    for (int k = 0; k < 8; k++) {
      n[k] = img[(y + off[k][1]) * w + x + off[k][0]] ? 1 : 0;
      count += n[k];
    }
    if (count < 2 || count > 6) {
      return false;
    }
    int transitions = 0;
    for (int k = 0; k < 8; k++) {
      if (n[k] == 0 && n[(k + 1) % 8] == 1) {
        transitions++;
      }
    }
    if (transitions != 1) {
      return false;
    }
    // P2=n0, P4=n2, P6=n4, P8=n6
    if (pass == 0) {
      return n[0] * n[2] * n[4] == 0 && n[2] * n[4] * n[6] == 0;
    }
    return n[0] * n[2] * n[6] == 0 && n[0] * n[4] * n[6] == 0;
  }
}
