package dev.sketchreal.train.backbone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sketchreal.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Tiny configs and synthetic photo/caption pairs for the backbone trainer tests. */
final class TinySetup {
  static final String[] COLOURS = {"red", "green", "blue", "yellow"};
  static final String[] PLACES = {"left", "right"};

  private TinySetup() {}

  /** 8 pairs: a coloured square on the left or right of a grey background. */
  static PhotoCaptionSet pairs(int size) {
    List<String> ids = new ArrayList<>();
    List<String> captions = new ArrayList<>();
    List<float[]> photos = new ArrayList<>();
    float[][] rgb = {{1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}, {1, 1, -1}};
    for (int c = 0; c < COLOURS.length; c++) {
      for (int p = 0; p < PLACES.length; p++) {
        float[] img = new float[3 * size * size];
        for (int ch = 0; ch < 3; ch++) {
          for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
              boolean in =
                  y >= size / 4 && y < 3 * size / 4 && (p == 0 ? x < size / 2 : x >= size / 2);
              img[ch * size * size + y * size + x] = in ? rgb[c][ch] : 0f;
            }
          }
        }
        ids.add("" + ids.size());
        captions.add("a " + COLOURS[c] + " square on the " + PLACES[p]);
        photos.add(img);
      }
    }
    return PhotoCaptionSet.of(size, ids, captions, photos);
  }

  static <T> T config(String json, Class<T> type) throws IOException {
    return Json.mapper().readValue(json, type);
  }

  static String optimisation(long steps, double lr, int checkpointEvery) {
    return String.format(
        java.util.Locale.ROOT,
        "\"steps\": %d, \"learning_rate\": %s, \"weight_decay\": 0.0, \"warmup_steps\": 0,"
            + " \"min_lr_ratio\": 1.0, \"max_grad_norm\": 1.0, \"checkpoint_every\": %d,"
            + " \"keep_last\": 3, \"seed\": 7, \"limit\": 0, \"fp16\": false",
        steps,
        lr,
        checkpointEvery);
  }

  static String vaeJson(long steps, int checkpointEvery) {
    return "{\"model\": {\"block_out_channels\": [8, 16], \"norm_num_groups\": 4,"
        + " \"layers_per_block\": 1, \"latent_channels\": 4},"
        + " \"image_size\": 16, \"crop_size\": 16, \"batch_size\": 4,"
        + " \"l1_weight\": 1.0, \"l2_weight\": 1.0, \"edge_weight\": 0.5, \"kl_weight\": 0.0001,"
        + " \"scaling_samples\": 8, \"eval_samples\": 4, "
        + optimisation(steps, 0.005, checkpointEvery)
        + "}";
  }

  static String clipJson(long steps, int checkpointEvery) {
    return "{\"model\": {\"projection_dim\": 16,"
        + " \"text_config\": {\"hidden_size\": 16, \"intermediate_size\": 32,"
        + " \"num_hidden_layers\": 2, \"num_attention_heads\": 2},"
        + " \"vision_config\": {\"hidden_size\": 16, \"intermediate_size\": 32,"
        + " \"num_hidden_layers\": 2, \"num_attention_heads\": 2, \"image_size\": 16,"
        + " \"patch_size\": 8}},"
        + " \"batch_size\": 8, \"eval_samples\": 8, "
        + optimisation(steps, 0.006, checkpointEvery)
        + "}";
  }

  static String unetJson(long steps, int checkpointEvery) {
    return "{\"model\": {\"in_channels\": 4, \"out_channels\": 4, \"block_out_channels\": [16, 32],"
        + " \"down_block_types\": [\"CrossAttnDownBlock2D\", \"DownBlock2D\"],"
        + " \"up_block_types\": [\"UpBlock2D\", \"CrossAttnUpBlock2D\"],"
        + " \"layers_per_block\": 1, \"attention_head_dim\": [1, 2], \"cross_attention_dim\": 16,"
        + " \"norm_num_groups\": 8, \"use_linear_projection\": true},"
        + " \"scheduler\": {\"beta_schedule\": \"scaled_linear\", \"beta_start\": 0.00085,"
        + " \"beta_end\": 0.012, \"steps_offset\": 1, \"set_alpha_to_one\": false,"
        + " \"clip_sample\": false},"
        + " \"image_size\": 16, \"batch_size\": 8, \"caption_dropout\": 0.1, "
        + optimisation(steps, 0.003, checkpointEvery)
        + "}";
  }

  /** The total losses of a run's train.jsonl, in step order. */
  static List<Double> losses(Path runDir) throws IOException {
    List<Double> out = new ArrayList<>();
    for (String line : Files.readAllLines(runDir.resolve("train.jsonl"), StandardCharsets.UTF_8)) {
      JsonNode n = Json.mapper().readTree(line);
      out.add(n.path("loss").path("total").asDouble());
    }
    return out;
  }

  static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }
}
