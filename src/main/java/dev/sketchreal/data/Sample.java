package dev.sketchreal.data;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One training or evaluation example: a sketch, its caption and what is known about the scene.
 *
 * <p>Coordinates: photo masks are in photo pixels; sketch masks in sketch pixels. For a {@link
 * SampleKind#SYNTHETIC} sample the sketch is pixel-aligned with the photo, so {@code sketchMasks}
 * holds the photo masks. For a {@link SampleKind#HAND_DRAWN} sample they are known only for
 * SketchWorld (the generator knows what it drew); for FS-COCO they are empty and training uses
 * pseudo-masks (METHOD.md §4).
 *
 * @param id sample id (FS-COCO: the MS-COCO image id; SketchWorld: the generator id)
 * @param kind hand-drawn or synthetic sketch
 * @param photo the photo, empty in partial folders that hold only sketches
 * @param sketch the sketch raster as stored (either polarity; see {@link Polarity})
 * @param strokes vector strokes when the dataset has them
 * @param caption the caption text
 * @param photoMasks category name → union of that category's instance masks, photo space
 * @param sketchMasks category name → mask in sketch space, when known
 * @param categoryWords category name → the caption words that name it ("tree" → ["trees"]); the
 *     keys are the categories the caption mentions
 */
public record Sample(
    String id,
    SampleKind kind,
    Optional<BufferedImage> photo,
    BufferedImage sketch,
    Optional<VectorSketch> strokes,
    String caption,
    Map<String, Mask> photoMasks,
    Optional<Map<String, Mask>> sketchMasks,
    Map<String, List<String>> categoryWords) {

  public Sample {
    if (id == null || kind == null || sketch == null || caption == null) {
      throw new IllegalArgumentException("sample id, kind, sketch and caption are required");
    }
    photoMasks = Map.copyOf(photoMasks);
    sketchMasks = sketchMasks.map(Map::copyOf);
    categoryWords = Map.copyOf(categoryWords);
  }
}
