package dev.sketchreal.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sketchreal.io.SafetensorsFile;
import dev.sketchreal.model.vae.AutoencoderKL;
import dev.sketchreal.model.vae.VaeConfig;
import dev.sketchreal.nn.AttentionRecorder;
import dev.sketchreal.nn.StateDict;
import dev.sketchreal.nn.TensorSource;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UNetScratchTest {
  static TensorSource src(SafetensorsFile f) {
    return new TensorSource() {
      public Set<String> keys() {
        return f.tensors().keySet();
      }

      public long[] shape(String k) {
        return f.info(k).shape();
      }

      public NDArray loadFloat32(String k, NDManager m) {
        return f.loadFloat32(k, m);
      }

      public String describe() {
        return f.path().toString();
      }
    };
  }

  static void cmp(String name, NDArray a, NDArray e) {
    float[] x = a.toFloatArray(), y = e.toFloatArray();
    double max = 0;
    for (int i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
    System.out.println(name + " " + a.getShape() + " vs " + e.getShape() + " maxdiff " + max);
  }

  @Test
  void scratch() throws Exception {
    Path set = Path.of("../shared/fixtures/sd2-tiny");
    ObjectMapper om = new ObjectMapper();
    try (NDManager m = NDManager.newBaseManager();
        SafetensorsFile cases = SafetensorsFile.open(set.resolve("cases.safetensors"));
        SafetensorsFile w =
            SafetensorsFile.open(set.resolve("unet/diffusion_pytorch_model.safetensors"));
        SafetensorsFile vw =
            SafetensorsFile.open(set.resolve("vae/diffusion_pytorch_model.safetensors"))) {
      UNetConfig cfg = om.readValue(set.resolve("unet/config.json").toFile(), UNetConfig.class);
      UNet2DConditionModel unet = new UNet2DConditionModel(cfg);
      StateDict.load(unet, src(w), m);
      AttentionRecorder rec = AttentionRecorder.all();
      NDArray out =
          unet.forward(
              cases.load("unet.in.sample", m),
              cases.load("unet.in.timestep", m),
              cases.load("unet.in.encoder_hidden_states", m),
              rec);
      cmp("unet.out", out, cases.load("unet.out.sample", m));
      for (var map : rec.maps())
        cmp(map.modulePath(), map.probs(), cases.load("unet.attn2." + map.modulePath(), m));
      VaeConfig vc = om.readValue(set.resolve("vae/config.json").toFile(), VaeConfig.class);
      AutoencoderKL vae = new AutoencoderKL(vc);
      StateDict.load(vae, src(vw), m);
      var post = vae.encode(cases.load("vae.in.image", m));
      cmp("mean", post.mean(), cases.load("vae.out.latent_dist.mean", m));
      cmp("logvar", post.logvar(), cases.load("vae.out.latent_dist.logvar", m));
      cmp("decoded", vae.decode(cases.load("vae.in.latent", m)), cases.load("vae.out.decoded", m));
    }
  }
}
