package dev.sketchreal.data.sketchworld;

import dev.sketchreal.data.sketchworld.SceneGraph.Ground;
import dev.sketchreal.data.sketchworld.SceneGraph.SceneObject;
import dev.sketchreal.data.sketchworld.SceneGraph.Sky;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Samples scene graphs: sky and ground type, which categories appear (respecting context: boats on
 * water, flowers on grass, the moon at night), counts, colours, sizes and positions with a simple
 * perspective (things nearer the bottom are bigger).
 */
public final class SceneSampler {
  /** Per category: chance to appear, most instances, and the colour words to choose from. */
  private record Spec(double chance, int maxCount, List<String> colours) {}

  private static final Map<Category, Spec> SPECS = new EnumMap<>(Category.class);

  static {
    SPECS.put(Category.SUN, new Spec(0.55, 1, List.of("yellow", "bright", "golden")));
    SPECS.put(Category.MOON, new Spec(0.75, 1, List.of("pale", "white", "silver")));
    SPECS.put(Category.CLOUD, new Spec(0.5, 3, List.of("white", "grey", "fluffy")));
    SPECS.put(Category.MOUNTAIN, new Spec(0.4, 2, List.of("grey", "blue", "snowy", "brown")));
    SPECS.put(Category.TREE, new Spec(0.55, 4, List.of("green", "dark green", "orange")));
    SPECS.put(Category.HOUSE, new Spec(0.4, 2, List.of("red", "blue", "yellow", "white", "brown")));
    SPECS.put(
        Category.CAR,
        new Spec(0.3, 2, List.of("red", "blue", "yellow", "black", "white", "green")));
    SPECS.put(Category.BOAT, new Spec(0.85, 2, List.of("white", "red", "blue", "yellow")));
    SPECS.put(Category.BIRD, new Spec(0.3, 3, List.of("black", "dark")));
    SPECS.put(
        Category.FLOWER, new Spec(0.35, 3, List.of("red", "yellow", "pink", "purple", "white")));
    SPECS.put(Category.FENCE, new Spec(0.2, 1, List.of("white", "brown", "wooden")));
  }

  private final SketchWorldConfig config;

  public SceneSampler(SketchWorldConfig config) {
    this.config = config;
  }

  public SceneGraph sample(SplittableRandom r) {
    Sky sky = pick(r, Sky.values(), 0.55, 0.25, 0.2);
    Ground ground = pick(r, Ground.values(), 0.45, 0.15, 0.15, 0.25);
    double horizon = 0.5 + 0.16 * r.nextDouble();
    Map<Category, Integer> counts = chooseCounts(r, sky, ground);
    List<SceneObject> objects = new ArrayList<>();
    int[] nextId = {1};
    if (ground == Ground.GRASS) {
      objects.add(obj(nextId, Category.GRASS, "green", "", 0, horizon, 1, 1 - horizon, 0, r));
    }
    for (Map.Entry<Category, Integer> e : counts.entrySet()) {
      String colour = pick(r, SPECS.get(e.getKey()).colours());
      for (int i = 0; i < e.getValue(); i++) {
        place(r, e.getKey(), colour, horizon, sky, objects, nextId);
      }
    }
    objects.sort(
        Comparator.comparingInt(SceneSampler::layer).thenComparingDouble(SceneObject::bottom));
    return new SceneGraph(sky, ground, horizon, objects, SceneGraph.relationsOf(objects));
  }

  /** Paint layer: sky lights, clouds, mountains, grass, ground objects, birds. */
  private static int layer(SceneObject o) {
    return switch (o.category()) {
      case SUN, MOON -> 0;
      case CLOUD -> 1;
      case MOUNTAIN -> 2;
      case GRASS -> 3;
      case BIRD -> 5;
      default -> 4;
    };
  }

  private Map<Category, Integer> chooseCounts(SplittableRandom r, Sky sky, Ground ground) {
    List<Category> allowed = new ArrayList<>();
    for (Category c : SPECS.keySet()) {
      if (allowed(c, sky, ground)) {
        allowed.add(c);
      }
    }
    Map<Category, Integer> counts = new EnumMap<>(Category.class);
    for (Category c : allowed) {
      if (r.nextDouble() < SPECS.get(c).chance()) {
        counts.put(c, 1 + r.nextInt(SPECS.get(c).maxCount()));
      }
    }
    while (total(counts) < config.minObjects()) {
      Category c = allowed.get(r.nextInt(allowed.size()));
      if (counts.getOrDefault(c, 0) < SPECS.get(c).maxCount()) {
        counts.merge(c, 1, Integer::sum);
      }
    }
    while (total(counts) > config.maxObjects()) {
      List<Category> present = new ArrayList<>(counts.keySet());
      Category c = present.get(r.nextInt(present.size()));
      counts.computeIfPresent(c, (k, v) -> v > 1 ? v - 1 : null);
    }
    return counts;
  }

  private static boolean allowed(Category c, Sky sky, Ground ground) {
    boolean land = ground != Ground.WATER;
    return switch (c) {
      case SUN, BIRD -> sky != Sky.NIGHT;
      case MOON -> sky == Sky.NIGHT;
      case TREE, HOUSE, CAR, FENCE -> land;
      case FLOWER -> ground == Ground.GRASS;
      case BOAT -> !land;
      default -> true;
    };
  }

  private static int total(Map<Category, Integer> counts) {
    return counts.values().stream().mapToInt(Integer::intValue).sum();
  }

  // Tries a few positions that do not overlap much with objects of the same layer group.
  private void place(
      SplittableRandom r,
      Category c,
      String colour,
      double horizon,
      Sky sky,
      List<SceneObject> objects,
      int[] nextId) {
    for (int attempt = 0; attempt < 25; attempt++) {
      double sizeFactor = 0.75 + 0.55 * r.nextDouble();
      String size = sizeFactor < 0.88 ? "small" : sizeFactor > 1.15 ? "big" : "";
      double[] box = box(r, c, horizon, sky, sizeFactor);
      if (fits(box, c, objects)) {
        int variant = r.nextInt(2);
        objects.add(obj(nextId, c, colour, size, box[0], box[1], box[2], box[3], variant, r));
        return;
      }
    }
  }

  private static SceneObject obj(
      int[] nextId,
      Category c,
      String colour,
      String size,
      double x,
      double y,
      double w,
      double h,
      int variant,
      SplittableRandom r) {
    return new SceneObject(nextId[0]++, c, colour, size, x, y, w, h, variant, r.nextLong());
  }

  /** Box (x, y, w, h) for a category; ground objects stand on a random line below the horizon. */
  private static double[] box(SplittableRandom r, Category c, double horizon, Sky sky, double s) {
    double skyTop = 0.05;
    double skyBottom = horizon - 0.12;
    switch (c) {
      case SUN, MOON -> {
        double d = (0.12 + 0.05 * r.nextDouble()) * s;
        double cy =
            sky == Sky.SUNSET
                ? horizon - 0.05 - 0.12 * r.nextDouble()
                : skyTop + d / 2 + 0.2 * r.nextDouble();
        return centred(0.1 + 0.8 * r.nextDouble(), cy, d, d);
      }
      case CLOUD -> {
        double w = (0.22 + 0.14 * r.nextDouble()) * s;
        double h = w * (0.4 + 0.15 * r.nextDouble());
        return new double[] {
          -0.05 + r.nextDouble() * (1.1 - w),
          skyTop + r.nextDouble() * Math.max(0.01, skyBottom - skyTop - h),
          w,
          h
        };
      }
      case BIRD -> {
        double w = (0.07 + 0.04 * r.nextDouble()) * s;
        return new double[] {
          0.05 + r.nextDouble() * (0.9 - w),
          skyTop + 0.05 + r.nextDouble() * Math.max(0.01, skyBottom - skyTop - 0.1),
          w,
          w * 0.5
        };
      }
      case MOUNTAIN -> {
        double w = (0.35 + 0.3 * r.nextDouble()) * s;
        double h = Math.min(horizon - 0.08, (0.18 + 0.14 * r.nextDouble()) * s);
        return new double[] {-0.1 + r.nextDouble() * (1.2 - w), horizon - h, w, h};
      }
      default -> {
        return groundBox(r, c, horizon, s);
      }
    }
  }

  private static double[] groundBox(SplittableRandom r, Category c, double horizon, double s) {
    double base = horizon + 0.06 + (0.97 - horizon - 0.06) * r.nextDouble();
    double depth = 0.45 + 0.55 * (base - horizon) / (1 - horizon); // nearer = bigger
    double[] wh =
        switch (c) {
          case TREE -> new double[] {0.2, 0.34};
          case HOUSE -> new double[] {0.3, 0.3};
          case CAR -> new double[] {0.26, 0.13};
          case BOAT -> new double[] {0.26, 0.24};
          case FLOWER -> new double[] {0.07, 0.13};
          case FENCE -> new double[] {0.4, 0.1};
          default -> new double[] {0.2, 0.2};
        };
    double w = wh[0] * s * depth;
    double h = wh[1] * s * depth;
    double x = -0.03 + r.nextDouble() * (1.06 - w);
    return new double[] {x, base - h, w, h};
  }

  private static double[] centred(double cx, double cy, double w, double h) {
    return new double[] {cx - w / 2, cy - h / 2, w, h};
  }

  // At most 35% of the smaller box may be covered by another object of the same kind of layer.
  private static boolean fits(double[] b, Category c, List<SceneObject> objects) {
    for (SceneObject o : objects) {
      if (o.category() == Category.GRASS || o.category().inSky() != c.inSky()) {
        continue;
      }
      double ix = Math.max(0, Math.min(b[0] + b[2], o.x() + o.w()) - Math.max(b[0], o.x()));
      double iy = Math.max(0, Math.min(b[1] + b[3], o.y() + o.h()) - Math.max(b[1], o.y()));
      double smaller = Math.min(b[2] * b[3], o.w() * o.h());
      if (ix * iy > 0.35 * smaller) {
        return false;
      }
    }
    return true;
  }

  private static <T> T pick(SplittableRandom r, T[] values, double... weights) {
    double u = r.nextDouble();
    for (int i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) {
        return values[i];
      }
    }
    return values[values.length - 1];
  }

  private static <T> T pick(SplittableRandom r, List<T> values) {
    return values.get(r.nextInt(values.size()));
  }
}
