package dev.sketchreal.pipeline;

/** Receives per-step progress of a generation (CLI progress bar, web SSE). */
@FunctionalInterface
public interface ProgressListener {
  /**
   * @param step 1-based index of the finished denoising step
   * @param total number of denoising steps
   * @param timestep the model timestep of that step
   */
  void onStep(int step, int total, int timestep);

  ProgressListener NONE = (step, total, timestep) -> {};
}
