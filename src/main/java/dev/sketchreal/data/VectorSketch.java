package dev.sketchreal.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Strokes of a vector sketch in FS-COCO's point format: rows {@code [x, y, pen]} in canvas pixel
 * coordinates (absolute, not offsets). {@code pen} is 0 while drawing; 1 (or 2, FS-COCO's end of
 * sketch) marks the last point of a stroke, i.e. the pen is lifted after it.
 *
 * @param points shape (N, 3)
 */
public record VectorSketch(double[][] points) {
  public VectorSketch {
    for (int i = 0; i < points.length; i++) {
      if (points[i].length != 3) {
        throw new IllegalArgumentException(
            "stroke point " + i + " must be [x, y, pen], has " + points[i].length + " values");
      }
    }
  }

  /** Builds the point list from polylines, each {@code double[n][2]}. */
  public static VectorSketch fromStrokes(List<double[][]> strokes) {
    List<double[]> rows = new ArrayList<>();
    for (double[][] stroke : strokes) {
      for (int i = 0; i < stroke.length; i++) {
        rows.add(new double[] {stroke[i][0], stroke[i][1], i == stroke.length - 1 ? 1 : 0});
      }
    }
    return new VectorSketch(rows.toArray(new double[0][]));
  }

  /** The polylines, each {@code double[n][2]}; a trailing stroke without pen-up is kept. */
  public List<double[][]> strokes() {
    List<double[][]> out = new ArrayList<>();
    List<double[]> current = new ArrayList<>();
    for (double[] p : points) {
      current.add(new double[] {p[0], p[1]});
      if (p[2] >= 1) {
        out.add(current.toArray(new double[0][]));
        current.clear();
      }
    }
    if (!current.isEmpty()) {
      out.add(current.toArray(new double[0][]));
    }
    return out;
  }

  public int size() {
    return points.length;
  }
}
