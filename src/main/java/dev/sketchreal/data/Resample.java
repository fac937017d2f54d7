package dev.sketchreal.data;

/**
 * Resizes float planes with a separable triangle filter whose support grows with the downscaling
 * factor (antialiased bilinear, like PIL's BILINEAR). Thin sketch strokes therefore fade in
 * proportion to their coverage instead of disappearing between samples.
 */
public final class Resample {
  private Resample() {}

  /** Resizes one plane {@code src} (H*W row-major) to (dstH*dstW). */
  public static float[] resize(float[] src, int w, int h, int dstW, int dstH) {
    float[] rows = resizeAxis(src, w, h, dstW, true);
    return resizeAxis(rows, dstW, h, dstH, false);
  }

  /** Crops the centred square of side min(w, h): returns {x0, y0, side}. */
  public static int[] centerSquare(int w, int h) {
    int side = Math.min(w, h);
    return new int[] {(w - side) / 2, (h - side) / 2, side};
  }

  /** Copies the rectangle (x0, y0, cw, ch) out of a plane of width w. */
  public static float[] crop(float[] src, int w, int x0, int y0, int cw, int ch) {
    float[] out = new float[cw * ch];
    for (int y = 0; y < ch; y++) {
      System.arraycopy(src, (y + y0) * w + x0, out, y * cw, cw);
    }
    return out;
  }

  // Resizes along x (horizontal == true) or y; the other axis keeps its length.
  private static float[] resizeAxis(float[] src, int w, int h, int dstLen, boolean horizontal) {
    int srcLen = horizontal ? w : h;
    int other = horizontal ? h : w;
    int outW = horizontal ? dstLen : w;
    float[] out = new float[horizontal ? dstLen * h : w * dstLen];
    double scale = (double) srcLen / dstLen;
    double support = Math.max(1.0, scale);
    for (int d = 0; d < dstLen; d++) {
      double center = (d + 0.5) * scale;
      int lo = Math.max(0, (int) Math.floor(center - support));
      int hi = Math.min(srcLen - 1, (int) Math.ceil(center + support));
      double[] weights = new double[hi - lo + 1];
      double sum = 0;
      for (int s = lo; s <= hi; s++) {
        double wgt = Math.max(0, 1 - Math.abs((s + 0.5 - center) / support));
        weights[s - lo] = wgt;
        sum += wgt;
      }
      for (int o = 0; o < other; o++) {
        double acc = 0;
        for (int s = lo; s <= hi; s++) {
          float v = horizontal ? src[o * w + s] : src[s * w + o];
          acc += weights[s - lo] * v;
        }
        float value = (float) (sum == 0 ? 0 : acc / sum);
        if (horizontal) {
          out[o * outW + d] = value;
        } else {
          out[d * outW + o] = value;
        }
      }
    }
    return out;
  }
}
