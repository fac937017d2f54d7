package dev.sketchreal.model.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sketchreal.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipConfigTest {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = Json.mapper();

  @TempDir Path dir;

  @Test
  void absentKeysTakeTheTransformersDefaults() throws Exception {
    ClipTextConfig text =
        JSON.readValue("{\"model_type\": \"clip_text_model\"}", ClipTextConfig.class);
    assertThat(text)
        .isEqualTo(
            new ClipTextConfig(
                49408, 512, 2048, 12, 8, 77, "quick_gelu", 1e-5, 512, 49406, 49407, 1));
    ClipVisionConfig vision = JSON.readValue("{}", ClipVisionConfig.class);
    assertThat(vision)
        .isEqualTo(new ClipVisionConfig(768, 3072, 512, 12, 12, 3, 224, 32, "quick_gelu", 1e-5));
    assertThat(vision.gridSize()).isEqualTo(7);
    assertThat(vision.numPositions()).isEqualTo(50);
    ClipConfig clip = JSON.readValue("{}", ClipConfig.class);
    assertThat(clip.projectionDim()).isEqualTo(512);
    assertThat(clip.logitScaleInitValue()).isEqualTo(2.6592);
  }

  @Test
  void clipConfigReadsNestedConfigsWithTheTopLevelProjectionDim() throws Exception {
    String json =
        "{\"model_type\": \"clip\", \"projection_dim\": 768,"
            + " \"text_config\": {\"hidden_size\": 768, \"num_attention_heads\": 12,"
            + " \"projection_dim\": 512},"
            + " \"vision_config\": {\"hidden_size\": 1024, \"num_attention_heads\": 16,"
            + " \"patch_size\": 14, \"hidden_act\": \"gelu\"}}";
    ClipConfig config = JSON.readValue(json, ClipConfig.class);
    assertThat(config.textConfig().projectionDim()).isEqualTo(768);
    assertThat(config.textConfig().hiddenSize()).isEqualTo(768);
    assertThat(config.textConfig().hiddenAct()).isEqualTo("quick_gelu");
    assertThat(config.visionConfig().projectionDim()).isEqualTo(768);
    assertThat(config.visionConfig().gridSize()).isEqualTo(16);
    assertThat(config.visionConfig().hiddenAct()).isEqualTo("gelu");
  }

  @Test
  void invalidSettingsAreRejectedWithTheKey() {
    assertThatThrownBy(
            () ->
                JSON.readValue(
                    "{\"hidden_size\": 30, \"num_attention_heads\": 4}", ClipTextConfig.class))
        .hasMessageContaining("not divisible by num_attention_heads");
    assertThatThrownBy(() -> JSON.readValue("{\"hidden_act\": \"relu6\"}", ClipVisionConfig.class))
        .hasMessageContaining("relu6");
    assertThatThrownBy(() -> JSON.readValue("{\"num_hidden_layers\": 0}", ClipTextConfig.class))
        .hasMessageContaining("num_hidden_layers");
  }

  @Test
  void loadingAFolderOfTheWrongKindFailsClearly() throws Exception {
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"clip_vision_model\"}");
    Files.write(dir.resolve("model.safetensors"), emptySafetensors());
    try (var manager = ai.djl.ndarray.NDManager.newBaseManager()) {
      assertThatThrownBy(() -> ClipTextModel.load(dir, manager))
          .hasMessageContaining("clip_vision_model");
      assertThatThrownBy(() -> ClipModel.load(dir, manager))
          .hasMessageContaining("not a CLIPModel config");
    }
  }

  private static byte[] emptySafetensors() {
    byte[] header = "{}      ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    java.nio.ByteBuffer buf =
        java.nio.ByteBuffer.allocate(8 + header.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    buf.putLong(header.length).put(header);
    return buf.array();
  }
}
