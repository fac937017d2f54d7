package dev.sketchreal.data.sketchworld;

import dev.sketchreal.data.Mask;
import dev.sketchreal.data.SyntheticSketcher;
import dev.sketchreal.data.VectorSketch;
import dev.sketchreal.data.sketchworld.SceneGraph.SceneObject;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Makes one SketchWorld sample from {@code (seed, id)}: scene graph → photo + exact visible masks →
 * synthetic sketch (edges of the photo) → hand-drawn sketch (from the scene graph) → caption. Each
 * stage has its own generator derived from {@code (seed, id, stage)}, so the sample depends on
 * nothing else (not on thread count or generation order) and a change to one stage's random draws
 * does not reshuffle the others. Thread-safe: holds only immutable configuration.
 */
public final class SketchWorldGenerator {
  /**
   * One sample. Masks are per instance and visible (occluded parts removed).
   *
   * @param omitted photo instances the hand-drawn sketch leaves out
   * @param merged photo instances drawn only as part of a group's 2–3 icons
   */
  public record GeneratedSample(
      long id,
      SceneGraph scene,
      BufferedImage photo,
      List<InstanceMask> photoMasks,
      BufferedImage syntheticSketch,
      BufferedImage handDrawnSketch,
      VectorSketch strokes,
      List<InstanceMask> sketchMasks,
      String caption,
      Map<String, List<String>> categoryWords,
      List<Integer> omitted,
      List<Integer> merged) {

    /** Category word → union of its photo masks. */
    public Map<String, Mask> photoCategoryMasks() {
      return byCategory(photoMasks);
    }

    /** Category word → union of its sketch-space masks (only what was drawn). */
    public Map<String, Mask> sketchCategoryMasks() {
      return byCategory(sketchMasks);
    }

    private static Map<String, Mask> byCategory(List<InstanceMask> masks) {
      Map<String, Mask> out = new LinkedHashMap<>();
      for (InstanceMask m : masks) {
        out.merge(m.category().word(), m.mask(), Mask::or);
      }
      return out;
    }
  }

  private static final int SCENE = 1;
  private static final int PHOTO = 2;
  private static final int SKETCH = 3;
  private static final int CAPTION = 4;

  private final SketchWorldConfig config;
  private final SceneSampler sampler;
  private final PhotoRenderer renderer;
  private final HandDrawnSketcher sketcher;

  public SketchWorldGenerator(SketchWorldConfig config) {
    this.config = config;
    this.sampler = new SceneSampler(config);
    this.renderer = new PhotoRenderer(config.photo());
    this.sketcher = new HandDrawnSketcher(config.handDrawn());
  }

  public SketchWorldConfig config() {
    return config;
  }

  public GeneratedSample generate(long seed, long id) {
    int size = config.size();
    SplittableRandom sceneRandom = random(seed, id, SCENE);
    SceneGraph scene = null;
    List<Mask> visible = null;
    // A scene whose objects are all (nearly) hidden is re-drawn from the same stream.
    for (int attempt = 0; attempt < 20; attempt++) {
      scene = prune(sampler.sample(sceneRandom), size);
      visible = visibleMasks(scene, size);
      if (scene.objects().stream().anyMatch(o -> o.category() != Category.GRASS)) {
        break;
      }
    }
    List<InstanceMask> photoMasks = new ArrayList<>();
    for (int i = 0; i < scene.objects().size(); i++) {
      SceneObject o = scene.objects().get(i);
      photoMasks.add(new InstanceMask(o.instance(), o.category(), visible.get(i)));
    }
    BufferedImage photo = renderer.render(scene, size, random(seed, id, PHOTO));
    BufferedImage synthetic = SyntheticSketcher.sketch(photo, config.synthetic());
    HandDrawnSketcher.Result hand = sketcher.draw(scene, size, random(seed, id, SKETCH));
    Captioner.Caption caption = new Captioner().caption(scene, random(seed, id, CAPTION));
    return new GeneratedSample(
        id,
        scene,
        photo,
        photoMasks,
        synthetic,
        hand.raster(),
        hand.strokes(),
        hand.masks(),
        caption.text(),
        caption.categoryWords(),
        hand.omitted(),
        hand.merged());
  }

  /** Drops objects whose visible part is too small to be seen (or masked) reliably. */
  private static SceneGraph prune(SceneGraph scene, int size) {
    int minArea = Math.max(6, (int) (size * size * 0.0006));
    for (int pass = 0; pass < 4; pass++) {
      List<Mask> visible = visibleMasks(scene, size);
      Set<Integer> drop = new HashSet<>();
      for (int i = 0; i < visible.size(); i++) {
        if (visible.get(i).area() < minArea) {
          drop.add(scene.objects().get(i).instance());
        }
      }
      if (drop.isEmpty()) {
        return scene;
      }
      scene = scene.without(drop);
    }
    return scene;
  }

  private static List<Mask> visibleMasks(SceneGraph scene, int size) {
    boolean night = scene.sky() == SceneGraph.Sky.NIGHT;
    List<Mask> silhouettes = new ArrayList<>();
    for (SceneObject o : scene.objects()) {
      silhouettes.add(
          MaskRaster.rasterize(PhotoShapes.silhouette(PhotoShapes.parts(o, size, night)), size));
    }
    return MaskRaster.visible(silhouettes);
  }

  /** The generator of one stage of one sample: SplitMix64-style mixing of (seed, id, stage). */
  static SplittableRandom random(long seed, long id, int stage) {
    long h = seed * 0x9E3779B97F4A7C15L + id;
    h = mix(h) ^ (stage * 0xC2B2AE3D27D4EB4FL);
    return new SplittableRandom(mix(h));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
