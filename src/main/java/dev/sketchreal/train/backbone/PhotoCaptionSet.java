package dev.sketchreal.train.backbone;

import dev.sketchreal.data.Dataset;
import dev.sketchreal.data.Preprocess;
import dev.sketchreal.data.Sample;
import dev.sketchreal.data.SampleKind;
import dev.sketchreal.data.sketchworld.SketchWorldDataset;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The photo/caption pairs of a SketchWorld split held in memory: each photo as (3, S, S) bytes
 * (0–255) after {@link Preprocess#photo} (centre square, resize), plus its caption. Backbone
 * training only needs these two; sketches and masks are ignored.
 */
public final class PhotoCaptionSet {
  private final int size;
  private final List<String> ids;
  private final List<String> captions;
  private final byte[][] photos;

  private PhotoCaptionSet(int size, List<String> ids, List<String> captions, byte[][] photos) {
    this.size = size;
    this.ids = ids;
    this.captions = captions;
    this.photos = photos;
  }

  /**
   * Loads a split.
   *
   * @param limit at most this many samples (≤ 0: all)
   */
  public static PhotoCaptionSet load(Path root, String split, int size, int limit) {
    Dataset ds = SketchWorldDataset.open(root, split, true);
    List<String> all = ds.ids();
    List<String> ids = limit > 0 && limit < all.size() ? all.subList(0, limit) : all;
    byte[][] photos = new byte[ids.size()][];
    String[] captions = new String[ids.size()];
    boolean[] ok = new boolean[ids.size()];
    IntStream.range(0, ids.size())
        .parallel()
        .forEach(
            i -> {
              Sample s = ds.load(ids.get(i), SampleKind.SYNTHETIC);
              if (s.photo().isEmpty()) {
                return;
              }
              photos[i] = toBytes(s.photo().get(), size);
              captions[i] = s.caption();
              ok[i] = true;
            });
    List<String> keptIds = new ArrayList<>();
    List<String> keptCaptions = new ArrayList<>();
    List<byte[]> keptPhotos = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      if (ok[i]) {
        keptIds.add(ids.get(i));
        keptCaptions.add(captions[i]);
        keptPhotos.add(photos[i]);
      }
    }
    if (keptIds.isEmpty()) {
      throw new IllegalArgumentException("no photo/caption pairs in " + root + " (" + split + ")");
    }
    return new PhotoCaptionSet(
        size, List.copyOf(keptIds), List.copyOf(keptCaptions), keptPhotos.toArray(byte[][]::new));
  }

  /**
   * An in-memory set (tests, other data sources).
   *
   * @param photos (3, size, size) values in [-1, 1] each
   */
  public static PhotoCaptionSet of(
      int size, List<String> ids, List<String> captions, List<float[]> photos) {
    if (ids.size() != captions.size() || ids.size() != photos.size() || ids.isEmpty()) {
      throw new IllegalArgumentException("need as many ids, captions and photos (> 0)");
    }
    byte[][] bytes = new byte[photos.size()][];
    for (int i = 0; i < bytes.length; i++) {
      float[] f = photos.get(i);
      if (f.length != 3 * size * size) {
        throw new IllegalArgumentException(
            "photo " + i + " is not (3, " + size + ", " + size + ")");
      }
      bytes[i] = new byte[f.length];
      for (int k = 0; k < f.length; k++) {
        bytes[i][k] = (byte) Math.round(Math.max(0, Math.min(255, (f[k] + 1f) * 127.5f)));
      }
    }
    return new PhotoCaptionSet(size, List.copyOf(ids), List.copyOf(captions), bytes);
  }

  private static byte[] toBytes(BufferedImage img, int size) {
    float[] f = Preprocess.photo(img, size);
    byte[] b = new byte[f.length];
    for (int i = 0; i < f.length; i++) {
      b[i] = (byte) Math.round(Math.max(0, Math.min(255, (f[i] + 1f) * 127.5f)));
    }
    return b;
  }

  public int size() {
    return photos.length;
  }

  /** Photo side in pixels. */
  public int imageSize() {
    return size;
  }

  public List<String> ids() {
    return ids;
  }

  public List<String> captions() {
    return captions;
  }

  /** Photo i as (3, S, S) values in [-1, 1]. */
  public float[] photo(int i) {
    byte[] b = photos[i];
    float[] f = new float[b.length];
    for (int k = 0; k < b.length; k++) {
      f[k] = (b[k] & 0xff) / 127.5f - 1f;
    }
    return f;
  }

  /** A square crop (3, c, c) of photo i at (x, y), in [-1, 1]. */
  public float[] crop(int i, int x, int y, int c) {
    byte[] b = photos[i];
    float[] f = new float[3 * c * c];
    for (int ch = 0; ch < 3; ch++) {
      for (int r = 0; r < c; r++) {
        int src = ch * size * size + (y + r) * size + x;
        int dst = ch * c * c + r * c;
        for (int k = 0; k < c; k++) {
          f[dst + k] = (b[src + k] & 0xff) / 127.5f - 1f;
        }
      }
    }
    return f;
  }
}
