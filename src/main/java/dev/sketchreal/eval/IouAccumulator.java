package dev.sketchreal.eval;

import dev.sketchreal.data.Mask;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Layout IoU over a set of images. For each category, intersections and unions are summed over all
 * images (dataset-level IoU, as semantic-segmentation mIoU is usually reported); {@link #meanIou}
 * averages the categories whose union is non-empty. Each image also gets its own IoU: the mean over
 * the categories present in its prediction or its target.
 */
public final class IouAccumulator {
  private final List<String> categories;
  private final long[] intersection;
  private final long[] union;
  private final long[] targetImages;
  private final List<Double> imageIous = new ArrayList<>();

  /**
   * @param categories the categories scored (e.g. the SketchWorld categories, no background)
   */
  public IouAccumulator(List<String> categories) {
    this.categories = List.copyOf(categories);
    this.intersection = new long[categories.size()];
    this.union = new long[categories.size()];
    this.targetImages = new long[categories.size()];
  }

  public List<String> categories() {
    return categories;
  }

  /**
   * Adds one image. Masks of categories outside {@link #categories()} are ignored; an absent
   * category is an empty mask. All masks must have the same size.
   *
   * @return this image's IoU (NaN when neither side has any scored category)
   */
  public double add(Map<String, Mask> predicted, Map<String, Mask> target) {
    double sum = 0;
    int n = 0;
    for (int k = 0; k < categories.size(); k++) {
      Mask p = predicted.get(categories.get(k));
      Mask t = target.get(categories.get(k));
      long[] iu = intersectionUnion(p, t);
      intersection[k] += iu[0];
      union[k] += iu[1];
      if (t != null && !t.isEmpty()) {
        targetImages[k]++;
      }
      if (iu[1] > 0) {
        sum += (double) iu[0] / iu[1];
        n++;
      }
    }
    double iou = n == 0 ? Double.NaN : sum / n;
    imageIous.add(iou);
    return iou;
  }

  /** (intersection, union) pixel counts of two masks, either of which may be null (empty). */
  public static long[] intersectionUnion(Mask a, Mask b) {
    if (a == null && b == null) {
      return new long[] {0, 0};
    }
    if (a == null || b == null) {
      Mask m = a == null ? b : a;
      return new long[] {0, m.area()};
    }
    if (a.width() != b.width() || a.height() != b.height()) {
      throw new IllegalArgumentException(
          "mask sizes differ: "
              + a.width()
              + "x"
              + a.height()
              + " vs "
              + b.width()
              + "x"
              + b.height());
    }
    long inter = 0;
    long uni = 0;
    int size = a.width() * a.height();
    for (int i = 0; i < size; i++) {
      boolean x = a.get(i);
      boolean y = b.get(i);
      if (x && y) {
        inter++;
      }
      if (x || y) {
        uni++;
      }
    }
    return new long[] {inter, uni};
  }

  /** Dataset-level IoU of each category with a non-empty union (NaN-free), in category order. */
  public Map<String, Double> perCategory() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int k = 0; k < categories.size(); k++) {
      if (union[k] > 0) {
        out.put(categories.get(k), (double) intersection[k] / union[k]);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** Number of images whose target contains the category. */
  public long targetImages(String category) {
    return targetImages[categories.indexOf(category)];
  }

  /** Mean of {@link #perCategory()}; NaN when nothing was scored. */
  public double meanIou() {
    return perCategory().values().stream()
        .mapToDouble(Double::doubleValue)
        .average()
        .orElse(Double.NaN);
  }

  /** Mean of the per-image IoUs (images with nothing to score are left out). */
  public double meanImageIou() {
    return imageIous.stream()
        .filter(v -> !v.isNaN())
        .mapToDouble(Double::doubleValue)
        .average()
        .orElse(Double.NaN);
  }

  public int images() {
    return imageIous.size();
  }

  /**
   * One evaluation record after {@code step}: step, miou, mean_image_iou, images, per_category (the
   * line training runs append to their {@code eval.jsonl}).
   */
  public Map<String, Object> record(long step) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("step", step);
    r.put("miou", meanIou());
    r.put("mean_image_iou", meanImageIou());
    r.put("images", images());
    r.put("per_category", perCategory());
    return r;
  }

  /** Categories that were never scored (no pixels in any prediction or target). */
  public List<String> unscored() {
    TreeSet<String> out = new TreeSet<>(categories);
    out.removeAll(perCategory().keySet());
    return List.copyOf(out);
  }
}
