package dev.sketchreal.train.sketching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sketchreal.io.Json;
import dev.sketchreal.sketch.ModulationConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SketchingRealityTrainConfigTest {
  private static SketchingRealityTrainConfig read(String json) throws Exception {
    return Json.mapper().readValue(json, SketchingRealityTrainConfig.class);
  }

  @Test
  void defaultsFollowTheMethod() throws Exception {
    SketchingRealityTrainConfig c = read("{\"backbone\": \"m\"}");
    assertThat(c.lrModulation()).isEqualTo(1e-4);
    assertThat(c.lrEncoder()).isEqualTo(1e-5);
    assertThat(c.encoderLayers()).isEqualTo(3);
    assertThat(c.batchSize()).isEqualTo(4);
    assertThat(c.classesFromData()).isTrue();
    assertThat(c.modulation()).isEqualTo(ModulationConfig.defaults());
    assertThat(c.sketchEncoderPath()).isEqualTo(Path.of("m", "sketch_encoder"));
    assertThat(c.fixedBatch()).isFalse();
  }

  @Test
  void rolloutAndInitFromAreOffByDefaultAndValidated() throws Exception {
    SketchingRealityTrainConfig plain = read("{\"backbone\": \"m\"}");
    assertThat(plain.rollout().enabled()).isFalse();
    assertThat(plain.initFromPath()).isEmpty();
    SketchingRealityTrainConfig c =
        read("{\"rollout\": {\"fraction\": 0.5}, \"init_from\": \"models/x\"}");
    assertThat(c.rollout()).isEqualTo(new RolloutConfig(0.5, 25, 7.5));
    assertThat(c.initFromPath()).contains(Path.of("models/x"));
    assertThat(read(Json.toJson(c))).isEqualTo(c);
    for (String bad :
        new String[] {"{\"fraction\": 1.5}", "{\"fraction\": -0.1}", "{\"steps\": 0}"}) {
      assertThatThrownBy(() -> read("{\"rollout\": " + bad + "}"))
          .as(bad)
          .hasMessageContaining("rollout");
    }
  }

  @Test
  void classesAreFromDataOrAList() throws Exception {
    assertThat(read("{\"classes\": \"from_data\"}").classesFromData()).isTrue();
    SketchingRealityTrainConfig listed = read("{\"classes\": [\"tree\", \"house\"]}");
    assertThat(listed.classesFromData()).isFalse();
    assertThat(listed.classes()).isEqualTo(List.of("tree", "house"));
  }

  @Test
  void roundTripsThroughJsonAndRejectsBadValues() throws Exception {
    SketchingRealityTrainConfig c =
        read("{\"backbone\": \"b\", \"modulation\": {\"feature_channels\": 16}, \"steps\": 7}");
    assertThat(read(Json.toJson(c))).isEqualTo(c);
    assertThat(c.withSteps(9).steps()).isEqualTo(9);
    assertThatThrownBy(() -> read("{\"batch_size\": 1}")).hasMessageContaining("batch_size");
    assertThatThrownBy(() -> read("{\"lr_encoder\": -1}")).hasMessageContaining("lr_encoder");
    assertThatThrownBy(() -> SketchingRealityTrainConfig.defaults().backbonePath())
        .hasMessageContaining("backbone");
  }
}
