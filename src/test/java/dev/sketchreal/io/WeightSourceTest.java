package dev.sketchreal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightSourceTest {
  @TempDir Path dir;

  @Test
  void opensDiffusersAndTransformersFixtureFolders() throws Exception {
    Path fixtures = Fixtures.sd2Tiny();
    for (String component : List.of("unet", "vae", "text_encoder", "image_encoder", "clip")) {
      Path folder = fixtures.resolve(component);
      try (WeightSource source = WeightSource.open(folder);
          NDManager m = NDManager.newBaseManager()) {
        String file =
            component.equals("unet") || component.equals("vae")
                ? "diffusion_pytorch_model.safetensors"
                : "model.safetensors";
        assertThat(source.describe()).isEqualTo(folder.resolve(file).toString());
        assertThat(source.keys()).isNotEmpty();
        String first = source.keys().iterator().next();
        NDArray a = source.loadFloat32(first, m);
        assertThat(a.getShape()).isEqualTo(new Shape(source.info(first).shape()));
      }
    }
  }

  @Test
  void shardedCheckpointMatchesSingleFile() throws Exception {
    Path unet = Fixtures.sd2Tiny().resolve("unet");
    Path sharded = writeShardedCopy(unet, "diffusion_pytorch_model.safetensors.index.json");
    try (WeightSource single = WeightSource.open(unet);
        WeightSource split = WeightSource.open(sharded);
        NDManager m = NDManager.newBaseManager()) {
      assertThat(split.keys()).containsExactlyElementsOf(single.keys());
      assertThat(split.describe()).contains("index.json").contains("-00001-of-00002");
      for (String key : single.keys()) {
        assertThat(split.info(key).shape()).isEqualTo(single.info(key).shape());
        assertThat(split.load(key, m).toByteArray()).isEqualTo(single.load(key, m).toByteArray());
      }
    }
  }

  @Test
  void shardProblemsAreNamed() throws Exception {
    Path unet = Fixtures.sd2Tiny().resolve("unet");
    String index = "diffusion_pytorch_model.safetensors.index.json";

    Path missing = writeShardedCopy(unet, index);
    Files.delete(missing.resolve("diffusion_pytorch_model-00002-of-00002.safetensors"));
    assertOpenFails(
        missing, "shard 'diffusion_pytorch_model-00002-of-00002.safetensors' does not exist");

    Path escaping = writeShardedCopy(unet, index);
    replaceInIndex(
        escaping.resolve(index),
        "diffusion_pytorch_model-00002",
        "../x/diffusion_pytorch_model-00002");
    assertOpenFails(escaping, "points outside");

    Path listedNotThere = writeShardedCopy(unet, index);
    replaceInIndex(listedNotThere.resolve(index), "\"conv_in.bias\"", "\"conv_in.bias_renamed\"");
    assertOpenFails(listedNotThere, "'conv_in.bias_renamed' listed in the index");

    Path noMap = Files.createDirectories(dir.resolve("nomap"));
    Files.writeString(noMap.resolve(index), "{\"metadata\": {}}");
    assertOpenFails(noMap, "'weight_map'");
  }

  @Test
  void shardHoldingUnlistedKeyIsRefused() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("extra"));
    try (NDManager m = NDManager.newBaseManager()) {
      SafetensorsWriter.write(
          folder.resolve("a.safetensors"),
          Map.of("x", m.ones(new Shape(1)), "y", m.ones(new Shape(1))),
          Map.of());
    }
    Files.writeString(
        folder.resolve("model.safetensors.index.json"),
        "{\"weight_map\": {\"x\": \"a.safetensors\"}}");
    assertOpenFails(folder, "holds 'y' which the index does not map to it");
  }

  @Test
  void prefersFullPrecisionAndFallsBackToFp16() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("text_encoder"));
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {0.5f, -1.5f, 2f});
      SafetensorsWriter.write(
          folder.resolve("model.fp16.safetensors"),
          Map.of("w", w.toType(DataType.FLOAT16, false)),
          Map.of());
      try (WeightSource source = WeightSource.open(folder)) {
        assertThat(source.describe()).endsWith("model.fp16.safetensors");
        assertThat(source.info("w").dtype()).isEqualTo(SafetensorsDType.F16);
        NDArray back = source.loadFloat32("w", m);
        assertThat(back.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(back.toFloatArray()).containsExactly(0.5f, -1.5f, 2f);
      }
      SafetensorsWriter.write(folder.resolve("model.safetensors"), Map.of("w", w), Map.of());
      try (WeightSource source = WeightSource.open(folder)) {
        assertThat(source.describe()).endsWith("model.safetensors").doesNotContain("fp16");
      }
    }
  }

  @Test
  void picklesAreRefusedWithoutReadingThem() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("unet"));
    Files.write(folder.resolve("diffusion_pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
    Files.writeString(folder.resolve("config.json"), "{}");
    assertOpenFails(
        folder,
        "pickle weights are not supported, convert to safetensors",
        "diffusion_pytorch_model.bin");
  }

  @Test
  void missingOrEmptyFolderIsNamed() throws Exception {
    Path absent = dir.resolve("absent");
    assertThatThrownBy(() -> WeightSource.open(absent))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(absent.toString());
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertOpenFails(empty, "no weights found");
    Files.write(empty.resolve("v2-1_768-ema-pruned.safetensors"), new byte[8]);
    assertOpenFails(empty, "found v2-1_768-ema-pruned.safetensors");
  }

  @Test
  void unknownKeyNamesSourceAndKey() throws Exception {
    Path unet = Fixtures.sd2Tiny().resolve("unet");
    try (WeightSource source = WeightSource.open(unet)) {
      assertThatThrownBy(() -> source.info("nope.weight"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("diffusion_pytorch_model.safetensors")
          .hasMessageContaining("'nope.weight'");
      assertThat(source.contains("conv_in.weight")).isTrue();
    }
  }

  private void assertOpenFails(Path folder, String... parts) {
    var thrown =
        assertThatThrownBy(() -> WeightSource.open(folder).close())
            .isInstanceOf(FormatException.class)
            .hasMessageContaining(folder.toString());
    for (String part : parts) {
      thrown.hasMessageContaining(part);
    }
  }

  private static void replaceInIndex(Path index, String from, String to) throws Exception {
    Files.writeString(index, Files.readString(index).replace(from, to));
  }

  private int copies;

  /** Splits the tensors of {@code source} over two shards plus an index, in a new folder. */
  private Path writeShardedCopy(Path source, String indexName) throws Exception {
    Path out = Files.createDirectories(dir.resolve("sharded" + copies++));
    try (SafetensorsFile st =
            SafetensorsFile.open(source.resolve("diffusion_pytorch_model.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      List<String> keys = new ArrayList<>(st.tensors().keySet());
      Map<String, String> weightMap = new LinkedHashMap<>();
      for (int shard = 0; shard < 2; shard++) {
        String name = "diffusion_pytorch_model-0000" + (shard + 1) + "-of-00002.safetensors";
        Map<String, NDArray> part = new LinkedHashMap<>();
        for (int i = shard; i < keys.size(); i += 2) { // interleaved, so order differs
          part.put(keys.get(i), st.load(keys.get(i), m));
          weightMap.put(keys.get(i), name);
        }
        SafetensorsWriter.write(out.resolve(name), part, Map.of("format", "pt"));
      }
      String json =
          weightMap.entrySet().stream()
              .map(e -> "\"" + e.getKey() + "\": \"" + e.getValue() + "\"")
              .collect(
                  Collectors.joining(
                      ",\n", "{\"metadata\": {\"total_size\": 0},\n\"weight_map\": {", "}}"));
      Files.writeString(out.resolve(indexName), json);
    }
    return out;
  }
}
