package dev.sketchreal.data.coco;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sketchreal.data.DataException;
import dev.sketchreal.data.Images;
import dev.sketchreal.data.Mask;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An MS-COCO "instances" annotation file: categories, images and per-object segmentations
 * (polygons, uncompressed RLE or compressed RLE). Reading validates what can be validated up front
 * (references, RLE sizes against the image size, RLE count sums) and names the file and the
 * annotation id in every error.
 */
public final class CocoInstances {
  public record Category(int id, String name, String supercategory) {}

  public record ImageInfo(long id, String fileName, int width, int height) {}

  /** A segmentation in one of COCO's two forms. */
  public sealed interface Segmentation permits PolygonSegmentation, RleSegmentation {
    Mask toMask(int width, int height);
  }

  /** Polygons, each {@code [x1, y1, x2, y2, ...]} in pixels. */
  public record PolygonSegmentation(List<double[]> polygons) implements Segmentation {
    @Override
    public Mask toMask(int width, int height) {
      return Polygons.rasterize(polygons, width, height);
    }
  }

  public record RleSegmentation(Rle rle) implements Segmentation {
    @Override
    public Mask toMask(int width, int height) {
      return rle.decode();
    }
  }

  /** bbox is COCO's {x, y, w, h}. */
  public record Annotation(
      long id,
      long imageId,
      int categoryId,
      Segmentation segmentation,
      boolean crowd,
      double area,
      double[] bbox) {}

  /** One object's decoded mask. */
  public record Instance(Annotation annotation, String category, Mask mask) {}

  private final Path source;
  private final Map<Integer, Category> categories = new LinkedHashMap<>();
  private final Map<Long, ImageInfo> images = new LinkedHashMap<>();
  private final Map<Long, List<Annotation>> annotations = new LinkedHashMap<>();

  private CocoInstances(Path source) {
    this.source = source;
  }

  /** The file this was read from (or will be written to; may be null for in-memory data). */
  public Path source() {
    return source;
  }

  public List<Category> categories() {
    return List.copyOf(categories.values());
  }

  public List<ImageInfo> images() {
    return List.copyOf(images.values());
  }

  public Optional<ImageInfo> image(long imageId) {
    return Optional.ofNullable(images.get(imageId));
  }

  public List<Annotation> annotations(long imageId) {
    return annotations.getOrDefault(imageId, List.of());
  }

  /** Every object of an image, decoded. */
  public List<Instance> instances(long imageId) {
    ImageInfo img = images.get(imageId);
    if (img == null) {
      return List.of();
    }
    List<Instance> out = new ArrayList<>();
    for (Annotation a : annotations(imageId)) {
      try {
        Mask m = a.segmentation().toMask(img.width(), img.height());
        out.add(new Instance(a, categories.get(a.categoryId()).name(), m));
      } catch (IllegalArgumentException e) {
        throw new DataException(source, "annotation " + a.id() + ": " + e.getMessage());
      }
    }
    return out;
  }

  /** Category name → union of the image's instance masks of that category. */
  public Map<String, Mask> categoryMasks(long imageId) {
    Map<String, Mask> out = new LinkedHashMap<>();
    for (Instance inst : instances(imageId)) {
      out.merge(inst.category(), inst.mask(), Mask::or);
    }
    return out;
  }

  // ---------------------------------------------------------------- reading

  /** Reads and validates an instances JSON file. */
  public static CocoInstances read(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (NoSuchFileException e) {
      throw new DataException(file, "COCO instances file missing");
    } catch (IOException e) {
      throw new DataException(file, "corrupt COCO instances JSON", e);
    }
    if (root == null || !root.isObject()) {
      throw new DataException(file, "COCO instances JSON must be an object");
    }
    CocoInstances coco = new CocoInstances(file);
    for (JsonNode c : root.path("categories")) {
      coco.categories.put(
          c.path("id").asInt(),
          new Category(
              c.path("id").asInt(), c.path("name").asText(), c.path("supercategory").asText("")));
    }
    for (JsonNode i : root.path("images")) {
      ImageInfo info =
          new ImageInfo(
              i.path("id").asLong(),
              i.path("file_name").asText(),
              i.path("width").asInt(),
              i.path("height").asInt());
      coco.images.put(info.id(), info);
    }
    for (JsonNode a : root.path("annotations")) {
      coco.addParsed(coco.parseAnnotation(a));
    }
    return coco;
  }

  private Annotation parseAnnotation(JsonNode a) {
    long id = a.path("id").asLong();
    long imageId = a.path("image_id").asLong();
    int categoryId = a.path("category_id").asInt();
    ImageInfo img = images.get(imageId);
    if (img == null) {
      throw new DataException(source, "annotation " + id + " refers to unknown image " + imageId);
    }
    if (!categories.containsKey(categoryId)) {
      throw new DataException(
          source, "annotation " + id + " refers to unknown category " + categoryId);
    }
    Segmentation seg = parseSegmentation(a.path("segmentation"), id, img);
    double[] bbox = new double[4];
    for (int k = 0; k < 4 && k < a.path("bbox").size(); k++) {
      bbox[k] = a.path("bbox").get(k).asDouble();
    }
    return new Annotation(
        id,
        imageId,
        categoryId,
        seg,
        a.path("iscrowd").asInt() == 1,
        a.path("area").asDouble(),
        bbox);
  }

  private Segmentation parseSegmentation(JsonNode seg, long annId, ImageInfo img) {
    if (seg.isArray()) {
      List<double[]> polys = new ArrayList<>();
      for (JsonNode poly : seg) {
        double[] xy = new double[poly.size()];
        for (int k = 0; k < xy.length; k++) {
          xy[k] = poly.get(k).asDouble();
        }
        if (xy.length < 6 || xy.length % 2 != 0) {
          throw new DataException(
              source, "annotation " + annId + ": polygon with " + xy.length + " coordinates");
        }
        polys.add(xy);
      }
      return new PolygonSegmentation(polys);
    }
    if (!seg.isObject() || !seg.has("counts") || seg.path("size").size() != 2) {
      throw new DataException(source, "annotation " + annId + ": unknown segmentation form");
    }
    int h = seg.path("size").get(0).asInt();
    int w = seg.path("size").get(1).asInt();
    if (h != img.height() || w != img.width()) {
      throw new DataException(
          source,
          "annotation "
              + annId
              + ": RLE size "
              + h
              + "x"
              + w
              + " does not match image "
              + img.id()
              + " ("
              + img.height()
              + "x"
              + img.width()
              + ")");
    }
    Rle rle;
    try {
      JsonNode counts = seg.get("counts");
      if (counts.isTextual()) {
        rle = Rle.fromCompressedString(counts.asText(), h, w);
      } else {
        long[] c = new long[counts.size()];
        for (int k = 0; k < c.length; k++) {
          c[k] = counts.get(k).asLong();
        }
        rle = new Rle(h, w, c);
      }
      rle.validate();
    } catch (IllegalArgumentException e) {
      throw new DataException(source, "annotation " + annId + ": " + e.getMessage());
    }
    return new RleSegmentation(rle);
  }

  private void addParsed(Annotation a) {
    annotations.computeIfAbsent(a.imageId(), k -> new ArrayList<>()).add(a);
  }

  // ---------------------------------------------------------------- building and writing

  /** Collects categories, images and masks; masks are stored as compressed RLE. */
  public static final class Builder {
    private final CocoInstances coco = new CocoInstances(null);
    private long nextAnnotationId = 1;

    public Builder category(int id, String name, String supercategory) {
      coco.categories.put(id, new Category(id, name, supercategory));
      return this;
    }

    public Builder image(long id, String fileName, int width, int height) {
      coco.images.put(id, new ImageInfo(id, fileName, width, height));
      return this;
    }

    /** Adds one object given as an RLE (which must match the image size). */
    public Builder annotation(long imageId, int categoryId, Rle rle) {
      ImageInfo img = coco.images.get(imageId);
      if (img == null || img.width() != rle.width() || img.height() != rle.height()) {
        throw new IllegalArgumentException("RLE does not match image " + imageId);
      }
      if (!coco.categories.containsKey(categoryId)) {
        throw new IllegalArgumentException("unknown category " + categoryId);
      }
      coco.addParsed(
          new Annotation(
              nextAnnotationId++,
              imageId,
              categoryId,
              new RleSegmentation(rle),
              false,
              rle.area(),
              rle.bbox()));
      return this;
    }

    public Builder annotation(long imageId, int categoryId, Mask mask) {
      return annotation(imageId, categoryId, Rle.encode(mask));
    }

    public CocoInstances build() {
      return coco;
    }
  }

  /** Writes COCO JSON (RLE in compressed string form) atomically. */
  public void write(Path file) {
    Images.writeAtomically(
        file,
        tmp -> {
          try (JsonGenerator g =
              new JsonFactory().createGenerator(tmp.toFile(), JsonEncoding.UTF8)) {
            writeJson(g);
          }
        });
  }

  private void writeJson(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeArrayFieldStart("categories");
    for (Category c : categories.values()) {
      g.writeStartObject();
      g.writeNumberField("id", c.id());
      g.writeStringField("name", c.name());
      g.writeStringField("supercategory", c.supercategory());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("images");
    for (ImageInfo i : images.values()) {
      g.writeStartObject();
      g.writeNumberField("id", i.id());
      g.writeStringField("file_name", i.fileName());
      g.writeNumberField("width", i.width());
      g.writeNumberField("height", i.height());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("annotations");
    for (List<Annotation> list : annotations.values()) {
      for (Annotation a : list) {
        writeAnnotation(g, a);
      }
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void writeAnnotation(JsonGenerator g, Annotation a) throws IOException {
    g.writeStartObject();
    g.writeNumberField("id", a.id());
    g.writeNumberField("image_id", a.imageId());
    g.writeNumberField("category_id", a.categoryId());
    g.writeNumberField("iscrowd", a.crowd() ? 1 : 0);
    g.writeNumberField("area", a.area());
    g.writeArrayFieldStart("bbox");
    for (double v : a.bbox()) {
      g.writeNumber(v);
    }
    g.writeEndArray();
    g.writeFieldName("segmentation");
    if (a.segmentation() instanceof RleSegmentation r) {
      g.writeStartObject();
      g.writeArrayFieldStart("size");
      g.writeNumber(r.rle().height());
      g.writeNumber(r.rle().width());
      g.writeEndArray();
      g.writeStringField("counts", r.rle().toCompressedString());
      g.writeEndObject();
    } else if (a.segmentation() instanceof PolygonSegmentation p) {
      g.writeStartArray();
      for (double[] poly : p.polygons()) {
        g.writeArray(poly, 0, poly.length);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }
}
