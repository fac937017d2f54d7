package dev.sketchreal.data.coco;

import dev.sketchreal.data.Mask;
import java.util.Arrays;
import java.util.List;

/**
 * Rasterises COCO polygon segmentations ({@code [[x1, y1, x2, y2, ...], ...]}, pixel coordinates,
 * several polygons per object) into a mask. A pixel is set when its centre lies inside a polygon
 * (even-odd rule); polygons of one object are OR-ed. pycocotools uses a slightly different
 * sub-pixel rule, so border pixels can differ by one; interiors agree.
 */
public final class Polygons {
  private Polygons() {}

  public static Mask rasterize(List<double[]> polygons, int width, int height) {
    Mask mask = new Mask(width, height);
    for (double[] poly : polygons) {
      if (poly.length < 6 || poly.length % 2 != 0) {
        throw new IllegalArgumentException(
            "a polygon needs an even number (>= 6) of coordinates, got " + poly.length);
      }
      fill(mask, poly);
    }
    return mask;
  }

  // Scanline fill at pixel centres y + 0.5.
  private static void fill(Mask mask, double[] poly) {
    int n = poly.length / 2;
    double[] xs = new double[n];
    for (int y = 0; y < mask.height(); y++) {
      double cy = y + 0.5;
      int hits = 0;
      for (int i = 0; i < n; i++) {
        double x0 = poly[2 * i];
        double y0 = poly[2 * i + 1];
        double x1 = poly[2 * ((i + 1) % n)];
        double y1 = poly[2 * ((i + 1) % n) + 1];
        if ((y0 <= cy) != (y1 <= cy)) {
          xs[hits++] = x0 + (cy - y0) * (x1 - x0) / (y1 - y0);
        }
      }
      Arrays.sort(xs, 0, hits);
      for (int k = 0; k + 1 < hits; k += 2) {
        int from = Math.max(0, (int) Math.ceil(xs[k] - 0.5));
        int to = Math.min(mask.width() - 1, (int) Math.ceil(xs[k + 1] - 0.5) - 1);
        for (int x = from; x <= to; x++) {
          mask.set(x, y, true);
        }
      }
    }
  }
}
