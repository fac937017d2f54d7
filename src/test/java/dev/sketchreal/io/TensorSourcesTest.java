package dev.sketchreal.io;

import static dev.sketchreal.io.RawSafetensors.floats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.sketchreal.nn.TensorSource;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorSourcesTest {
  @TempDir Path dir;

  @Test
  void adaptsFilesAndWeightSources() throws Exception {
    Path a =
        RawSafetensors.write(
            dir.resolve("a.safetensors"),
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
            floats(1f, 2f));
    Path b =
        RawSafetensors.write(
            dir.resolve("b.safetensors"),
            "{\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}",
            floats(3f));
    try (SafetensorsFile fa = SafetensorsFile.open(a);
        SafetensorsFile fb = SafetensorsFile.open(b);
        NDManager manager = NDManager.newBaseManager()) {
      TensorSource sa = TensorSources.of(fa);
      assertThat(sa.keys()).containsExactly("x");
      assertThat(sa.shape("x")).containsExactly(2);
      assertThat(sa.describe()).contains("a.safetensors");
      assertThat(sa.loadFloat32("x", manager).toFloatArray()).containsExactly(1f, 2f);
      TensorSource sb = TensorSources.of(fb);
      assertThat(sb.shape("s")).isEmpty();
      assertThat(sb.loadFloat32("s", manager).getFloat()).isEqualTo(3f);
    }
    Path component = dir.resolve("text_encoder");
    java.nio.file.Files.createDirectories(component);
    java.nio.file.Files.copy(a, component.resolve("model.safetensors"));
    try (WeightSource weights = WeightSource.open(component);
        NDManager manager = NDManager.newBaseManager()) {
      TensorSource source = TensorSources.of(weights);
      assertThat(source.keys()).containsExactly("x");
      assertThat(source.shape("x")).containsExactly(2);
      assertThat(source.describe()).contains("model.safetensors");
      assertThat(source.loadFloat32("x", manager).toFloatArray()).containsExactly(1f, 2f);
      assertThatThrownBy(() -> source.shape("y")).hasMessageContaining("'y'");
    }
  }
}
