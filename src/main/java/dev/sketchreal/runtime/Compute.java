package dev.sketchreal.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * The one place where the tensor engine and device are chosen. Everything that owns model weights
 * or runs a model gets its {@link NDManager} from here, so moving to a GPU build (another libtorch
 * native jar) means changing the device property, not the code.
 *
 * <p>Properties: {@code sketchreal.device} = {@code cpu} (default) or {@code gpu[:N]}; the thread
 * count of libtorch is {@code ai.djl.pytorch.num_threads} (set by the launcher). Natives are never
 * downloaded: {@code ai.djl.offline} is forced on.
 */
public final class Compute {
  public static final String ENGINE = "PyTorch";

  static {
    System.setProperty("ai.djl.offline", "true");
  }

  private Compute() {}

  /** The device all models run on. */
  public static Device device() {
    String name = System.getProperty("sketchreal.device", "cpu");
    return Device.fromName(name, Engine.getEngine(ENGINE));
  }

  /** True when autograd records operations on this thread (inside a gradient collector). */
  public static boolean isRecordingGradients() {
    return ai.djl.pytorch.jni.JniUtils.isGradMode();
  }

  /**
   * Stops autograd from recording on this thread. libtorch's grad mode is thread-local and on by
   * default in every thread but the one DJL initialised on, so inference on a worker thread (web
   * server, batch jobs) would otherwise build graphs it never uses.
   */
  public static void inferenceOnThisThread() {
    if (ai.djl.pytorch.jni.JniUtils.isGradMode()) {
      ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }
  }

  /**
   * Runs {@code work} with autograd off on this thread (inside a gradient collector too: frozen
   * look-ahead computations in training) and restores the previous mode.
   */
  public static <T> T withoutGradients(java.util.function.Supplier<T> work) {
    boolean recording = ai.djl.pytorch.jni.JniUtils.isGradMode();
    if (recording) {
      ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }
    try {
      return work.get();
    } finally {
      if (recording) {
        ai.djl.pytorch.jni.JniUtils.setGradMode(true);
      }
    }
  }

  /** A new root manager on the configured device and engine. */
  public static NDManager newManager() {
    return NDManager.newBaseManager(device(), ENGINE);
  }
}
