package dev.sketchreal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {
  @TempDir Path dir;

  /** The pattern documented in {@link Json}: required keys, optional keys with defaults. */
  record Demo(
      @JsonProperty(value = "in_channels", required = true) int inChannels,
      @JsonProperty(value = "block_out_channels", required = true) @JsonSetter(nulls = Nulls.FAIL)
          List<Integer> blockOutChannels,
      @JsonProperty("norm_eps") Double normEps,
      @JsonProperty("act_fn") String actFn) {
    Demo {
      normEps = normEps == null ? 1e-5 : normEps;
      actFn = actFn == null ? "silu" : actFn;
      if (inChannels <= 0) {
        throw new IllegalArgumentException("in_channels must be > 0, got " + inChannels);
      }
      blockOutChannels = List.copyOf(blockOutChannels);
    }
  }

  private Path json(String content) throws Exception {
    return Files.writeString(dir.resolve("config.json"), content);
  }

  @Test
  void appendLineWritesOneCompactJsonObjectPerLine() throws Exception {
    Path log = dir.resolve("eval.jsonl");
    Json.appendLine(log, Map.of("step", 100, "per_category", Map.of("tree", 0.25)));
    Json.appendLine(log, Map.of("step", 200));
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).hasSize(2);
    assertThat(Json.mapper().readTree(lines.get(0)).at("/per_category/tree").asDouble())
        .isEqualTo(0.25);
    assertThat(Json.mapper().readTree(lines.get(1)).get("step").asInt()).isEqualTo(200);
  }

  @Test
  void readsRequiredAndDefaultsOptionalAndIgnoresUnknownKeys() throws Exception {
    Path file =
        json(
            "{\"_class_name\": \"UNet2DConditionModel\", \"in_channels\": 4,"
                + " \"block_out_channels\": [32, 64], \"act_fn\": null}");
    Demo d = Json.readConfig(file, Demo.class);
    assertThat(d).isEqualTo(new Demo(4, List.of(32, 64), 1e-5, "silu"));
  }

  record Recipe(@JsonProperty("steps") Integer steps, @JsonProperty("model") Demo model) {}

  @Test
  void strictReadingRefusesUnknownKeysAtAnyDepthAndNamesThem() throws Exception {
    Path good =
        json("{\"steps\": 3, \"model\": {\"in_channels\": 4, \"block_out_channels\": [8]}}");
    assertThat(Json.readStrictConfig(good, Recipe.class).model().normEps()).isEqualTo(1e-5);
    Path typos =
        json(
            "{\"step\": 3, \"model\": {\"in_channels\": 4, \"block_out_channels\": [8],"
                + " \"norm_esp\": 0.1}}");
    assertThatThrownBy(() -> Json.readStrictConfig(typos, Recipe.class))
        .isInstanceOf(FormatException.class)
        .hasMessageStartingWith(typos + ": unknown keys step, model.norm_esp")
        .hasMessageContaining("Recipe does not read them");
    // the lenient reader keeps ignoring them (model folders carry other libraries' keys)
    assertThat(Json.readConfig(typos, Recipe.class).steps()).isNull();
  }

  @Test
  void requiredKeyIsEnforcedForRecords() throws Exception {
    Path file = json("{\"block_out_channels\": [32]}");
    assertThatThrownBy(() -> Json.readConfig(file, Demo.class))
        .isInstanceOf(FormatException.class)
        .hasMessageStartingWith(file + ": ")
        .hasMessageContaining("'in_channels'");
    Path other = json("{\"in_channels\": 4}");
    assertThatThrownBy(() -> Json.readConfig(other, Demo.class))
        .hasMessageContaining("'block_out_channels'");
  }

  @Test
  void emptyObjectFailsOnRequiredKeys() throws Exception {
    Path file = json("{}");
    assertThatThrownBy(() -> Json.readConfig(file, Demo.class))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("required key is missing");
  }

  @Test
  void explicitNullForRequiredKeyFails() throws Exception {
    assertThatThrownBy(
            () ->
                Json.readConfig(
                    json("{\"in_channels\": null, \"block_out_channels\": [1]}"), Demo.class))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("in_channels");
    assertThatThrownBy(
            () ->
                Json.readConfig(
                    json("{\"in_channels\": 4, \"block_out_channels\": null}"), Demo.class))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("block_out_channels");
  }

  @Test
  void wrongTypesNameTheKey() throws Exception {
    assertThatThrownBy(
            () ->
                Json.readConfig(
                    json("{\"in_channels\": \"four\", \"block_out_channels\": [1]}"), Demo.class))
        .hasMessageContaining("key 'in_channels'");
    assertThatThrownBy(
            () ->
                Json.readConfig(
                    json("{\"in_channels\": 2.5, \"block_out_channels\": [1]}"), Demo.class))
        .hasMessageContaining("key 'in_channels'");
    assertThatThrownBy(
            () ->
                Json.readConfig(
                    json("{\"in_channels\": 4, \"block_out_channels\": [1, \"x\"]}"), Demo.class))
        .hasMessageContaining("key 'block_out_channels[1]'");
  }

  @Test
  void compactConstructorMessageIsKept() throws Exception {
    Path file = json("{\"in_channels\": 0, \"block_out_channels\": [1]}");
    assertThatThrownBy(() -> Json.readConfig(file, Demo.class))
        .isInstanceOf(FormatException.class)
        .hasMessage(file + ": invalid value: in_channels must be > 0, got 0");
  }

  @Test
  void syntaxErrorsDuplicatesAndMissingFiles() throws Exception {
    assertThatThrownBy(() -> Json.readConfig(json("{\n \"in_channels\": 4,,\n}"), Demo.class))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("not valid JSON")
        .hasMessageContaining("line 2");
    assertThatThrownBy(
            () ->
                Json.readConfig(
                    json("{\"in_channels\": 4, \"in_channels\": 5, \"block_out_channels\": [1]}"),
                    Demo.class))
        .hasMessageContaining("Duplicate field 'in_channels'");
    assertThatThrownBy(
            () ->
                Json.readConfig(
                    json("{\"in_channels\": 4, \"block_out_channels\": [1]} {}"), Demo.class))
        .isInstanceOf(FormatException.class);
    Path absent = dir.resolve("absent.json");
    assertThatThrownBy(() -> Json.readConfig(absent, Demo.class))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(absent.toString());
  }

  @Test
  void readsFixtureUnetConfig() throws Exception {
    Path config = Fixtures.sd2Tiny().resolve("unet/config.json");
    Demo d = Json.readConfig(config, Demo.class);
    assertThat(d.inChannels()).isEqualTo(Json.readTree(config).get("in_channels").intValue());
    assertThat(d.blockOutChannels()).isNotEmpty();
  }

  @Test
  void writesAtomicallyAndReadsBack() throws Exception {
    Path file = dir.resolve("out.json");
    Demo d = new Demo(4, List.of(32, 64), 1e-6, "gelu");
    Json.writeAtomically(file, d);
    String text = Files.readString(file);
    assertThat(text).contains("\"in_channels\" : 4").endsWith("\n");
    assertThat(Json.readConfig(file, Demo.class)).isEqualTo(d);
    Json.writeAtomically(file, Map.of("b", 1, "a", 2));
    assertThat(Files.readString(file).indexOf("\"a\""))
        .isLessThan(Files.readString(file).indexOf("\"b\""));
  }
}
