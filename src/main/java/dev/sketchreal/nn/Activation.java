package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;

/** The activations the diffusers / transformers configs name, selected by config string. */
public enum Activation implements UnaryOperator<NDArray> {
  SILU {
    @Override
    public NDArray apply(NDArray x) {
      NDArray gate = x.getNDArrayInternal().sigmoid();
      return InPlace.allowed(x) ? gate.muli(x) : x.mul(gate);
    }
  },
  /** Exact erf GELU (torch's default, transformers' "gelu"). */
  GELU {
    @Override
    public NDArray apply(NDArray x) {
      return x.getNDArrayInternal().gelu();
    }
  },
  /** x·sigmoid(1.702·x), the openai CLIP activation. */
  QUICK_GELU {
    @Override
    public NDArray apply(NDArray x) {
      return x.mul(Scalars.mul(x, 1.702f).getNDArrayInternal().sigmoid());
    }
  };

  /** Maps a config name ("silu", "swish", "gelu", "quick_gelu") to the activation. */
  public static Activation byName(String name) {
    return switch (name) {
      case "silu", "swish" -> SILU;
      case "gelu" -> GELU;
      case "quick_gelu" -> QUICK_GELU;
      default -> throw new IllegalArgumentException("unsupported activation '" + name + "'");
    };
  }
}
