package dev.sketchreal.pipeline;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

/** A cancellation flag checked between denoising steps (a canvas that redraws cancels the run). */
public final class Cancellation {
  public static final Cancellation NEVER = new Cancellation();

  private final AtomicBoolean cancelled = new AtomicBoolean();

  public void cancel() {
    if (this != NEVER) {
      cancelled.set(true);
    }
  }

  public boolean isCancelled() {
    return cancelled.get();
  }

  /** Throws {@link CancellationException} when cancelled. */
  public void check() {
    if (cancelled.get()) {
      throw new CancellationException("generation cancelled");
    }
  }
}
