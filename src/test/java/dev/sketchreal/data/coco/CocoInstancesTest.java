package dev.sketchreal.data.coco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sketchreal.data.DataException;
import dev.sketchreal.data.Mask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoInstancesTest {
  @TempDir Path dir;

  private static final String JSON =
      """
      {"categories": [{"id": 1, "name": "tree"}, {"id": 7, "name": "house"}],
       "images": [{"id": 5, "file_name": "a.jpg", "width": 4, "height": 3}],
       "annotations": [
         {"id": 1, "image_id": 5, "category_id": 7, "segmentation": {"size": [3, 4], "counts": "32111N"}},
         {"id": 2, "image_id": 5, "category_id": 1, "segmentation": {"size": [3, 4], "counts": [0, 3, 9]}},
         {"id": 3, "image_id": 5, "category_id": 1, "segmentation": [[3, 0, 4, 0, 4, 1, 3, 1]]}
       ]}
      """;

  @Test
  void readsAllThreeSegmentationForms() throws Exception {
    Path f = dir.resolve("instances.json");
    Files.writeString(f, JSON);
    CocoInstances coco = CocoInstances.read(f);
    Map<String, Mask> masks = coco.categoryMasks(5);
    assertThat(masks).containsOnlyKeys("tree", "house");
    assertThat(masks.get("house").area()).isEqualTo(6);
    // uncompressed RLE: first column (3 px) + polygon: pixel (3, 0)
    assertThat(masks.get("tree").area()).isEqualTo(4);
    assertThat(masks.get("tree").get(0, 2)).isTrue();
    assertThat(masks.get("tree").get(3, 0)).isTrue();
  }

  @Test
  void rleOfTheWrongSizeNamesTheFile() throws Exception {
    Path f = dir.resolve("bad.json");
    Files.writeString(
        f,
        JSON.replace(
            "\"size\": [3, 4], \"counts\": \"32111N\"",
            "\"size\": [4, 4], \"counts\": \"32111N\""));
    assertThatThrownBy(() -> CocoInstances.read(f))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("bad.json")
        .hasMessageContaining("does not match image 5");
  }

  @Test
  void countsThatDoNotSumUpAreRejected() throws Exception {
    Path f = dir.resolve("sum.json");
    Files.writeString(f, JSON.replace("[0, 3, 9]", "[0, 3, 8]"));
    assertThatThrownBy(() -> CocoInstances.read(f))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("sum.json");
  }

  @Test
  void writesWhatItReads() throws Exception {
    Path f = dir.resolve("instances.json");
    Files.writeString(f, JSON);
    Map<String, Mask> original = CocoInstances.read(f).categoryMasks(5);
    CocoInstances.Builder b =
        new CocoInstances.Builder()
            .category(1, "tree", "")
            .category(7, "house", "")
            .image(5, "a.jpg", 4, 3);
    original.forEach((name, m) -> b.annotation(5, name.equals("tree") ? 1 : 7, m));
    Path out = dir.resolve("out.json");
    b.build().write(out);
    assertThat(CocoInstances.read(out).categoryMasks(5)).isEqualTo(original);
  }
}
