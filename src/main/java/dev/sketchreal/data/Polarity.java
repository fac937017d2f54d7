package dev.sketchreal.data;

import java.awt.image.BufferedImage;

/**
 * Sketch polarity. Datasets and users hand in black strokes on white paper as well as white strokes
 * on black; the model always sees "ink" maps: background 0, strokes 1.
 *
 * <p>Detection: strokes cover a small part of a sketch, so the median luminance is the
 * background's. Median ≥ 0.5 means a light background (dark strokes).
 */
public enum Polarity {
  DARK_ON_LIGHT,
  LIGHT_ON_DARK;

  /** Luminance in [0,1], row-major (H*W), Rec. 601 weights. */
  public static float[] luminance(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    float[] out = new float[w * h];
    for (int i = 0; i < out.length; i++) {
      int p = argb[i];
      float alpha = ((p >>> 24) & 0xff) / 255f;
      float lum =
          (0.299f * ((p >> 16) & 0xff) + 0.587f * ((p >> 8) & 0xff) + 0.114f * (p & 0xff)) / 255f;
      // Transparent pixels are paper: composite on white.
      out[i] = img.getColorModel().hasAlpha() ? lum * alpha + (1 - alpha) : lum;
    }
    return out;
  }

  /** Detects the polarity from the median luminance. */
  public static Polarity detect(float[] luminance) {
    int[] hist = new int[256];
    for (float v : luminance) {
      hist[Math.max(0, Math.min(255, Math.round(v * 255)))]++;
    }
    int half = (luminance.length + 1) / 2;
    int seen = 0;
    for (int i = 0; i < 256; i++) {
      seen += hist[i];
      if (seen >= half) {
        return i >= 128 ? DARK_ON_LIGHT : LIGHT_ON_DARK;
      }
    }
    return DARK_ON_LIGHT;
  }

  /** Ink map (H*W, row-major) in [0,1] with strokes = 1, whatever the input polarity. */
  public static float[] inkMap(BufferedImage sketch) {
    float[] lum = luminance(sketch);
    if (detect(lum) == DARK_ON_LIGHT) {
      for (int i = 0; i < lum.length; i++) {
        lum[i] = 1f - lum[i];
      }
    }
    return lum;
  }
}
